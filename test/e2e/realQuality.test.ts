/**
 * Circuit quality on a real network: `nms up` with `production: true` probes
 * two far ends behind a router in network namespaces (198.18.0.0/15 only)
 * with Debian's fping, and polls the router's Debian snmpd. The router holds
 * each far end's traffic in a delay line and the kernel drops echoes at
 * random (test/support/qualityLab.ts: this kernel has no netem). The truth
 * comes from outside the product: the delay line's settings and its log of
 * every hold, and the kernel's nftables counters of what it saw and dropped.
 */
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LAB, QualityLab } from '../support/qualityLab.ts';
import { waitFor } from '../support/processes.ts';
import { writeProductionConfig } from '../support/productConfig.ts';
import { NMS_BIN } from '../support/runNms.ts';
import { tempDir } from '../support/tempDir.ts';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const COMMUNITY = `rq-${process.pid}-community`;
const ROUND_S = 10;
/** Phase one lasts this long: more than 200 echoes to each far end. */
const PHASE_MS = 11.5 * ROUND_S * 1000;
const F1 = { delayMs: 30, jitterMs: 2, lossPerMille: 50 };
const F2 = { delayMs: 10, jitterMs: 4, lossPerMille: 0 };
const F1_AFTER = { delayMs: 60, jitterMs: 2, lossPerMille: 0 };

const topologyYaml = `
version: 1
network: { id: rq-lab, name: { zh: 质量测试, en: Quality lab }, timezone: Asia/Shanghai }
snmpProfiles:
  rq: { version: 2c, community: { env: RQ_COMMUNITY } }
slaTiers:
  lab: { availability: 99.9, utilizationWarn: 80, utilizationCritical: 95, latencyMs: 50, lossPct: 2, jitterMs: 10 }
sites:
  - { id: lab, level: city, name: { zh: 实验室, en: Lab }, location: [112.57, 26.89], contact: { name: 测试, phone: "0734-0000000" } }
devices:
  - { id: m-rtr, site: lab, role: core, vendor: generic, address: ${LAB.routerAddr}, snmp: rq, pollInterval: 10s }
  - { id: f1, site: lab, role: cpe, vendor: generic, managed: false, address: ${LAB.far[0].addr} }
  - { id: f2, site: lab, role: cpe, vendor: generic, managed: false, address: ${LAB.far[1].addr} }
circuits:
  - { id: RQ-F1, carrier: telecom, carrierCircuitId: RQ-1, bandwidth: 10M, a: { device: m-rtr, ifName: mf1 }, z: { device: f1 }, sla: lab, owner: lab }
  - { id: RQ-F2, carrier: unicom, carrierCircuitId: RQ-2, bandwidth: 10M, a: { device: m-rtr, ifName: mf2 }, z: { device: f2 }, sla: lab, owner: lab }
  - { id: RQ-SILENT, carrier: mobile, carrierCircuitId: RQ-3, bandwidth: 2M, a: { device: m-rtr, ifName: mh0 }, z: { external: { zh: 外, en: Out } }, sla: lab, owner: lab, probe: { address: ${LAB.silentAddr} } }
`;

interface Round {
  time: number;
  sent: number;
  received: number;
  rtt_median_ms: number | null;
  jitter_ms: number | null;
  round_s: number;
}

describe('real network: circuit quality by fping against a delay line and the kernel’s counters', function () {
  this.timeout(PHASE_MS + 4 * 60_000);
  let dir: { path: string; remove(): Promise<void> };
  let lab: QualityLab | null = null;
  let nms: ChildProcess | null = null;
  let output = '';
  let influxUrl = '';
  const phase = { startMs: 0, changeMs: 0 };
  let kernel = new Map<string, number>();
  const rounds: Record<string, Round[]> = {};
  let exitAfterTerm = { code: null as number | null, ms: 0 };
  const env = { ...process.env, RQ_COMMUNITY: COMMUNITY, NMS_DEBUG: '' };

  before(async () => {
    dir = await tempDir('realquality');
    try {
      lab = await QualityLab.create(String(process.pid % 100_000), (PHASE_MS + 5 * 60_000) / 1000);
      await lab.set('f1', F1);
      await lab.set('f2', F2);
      await lab.startSnmpd(dir.path, COMMUNITY, async () => {
        try {
          await exec('snmpget', ['-m', '', '-v2c', '-c', COMMUNITY, '-t', '1', '-r', '0', LAB.routerAddr, '1.3.6.1.2.1.1.3.0']);
          return true;
        } catch {
          return false;
        }
      });
      await writeProductionConfig(dir.path, topologyYaml, env, {
        lines: [`collector: { probeInterval: ${ROUND_S}s }`],
        alarms: ['quality: { window: 30s, sustain: 20s, clearAfter: 30s }'],
      });
      nms = spawn(process.execPath, [NMS_BIN, 'up', '--config', 'nms.yaml'], { cwd: dir.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
      nms.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      nms.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      await waitFor('nms up to say it is up', () => /nms is up/.test(output), 90_000);
      influxUrl = /influxdb\s+managed (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
      phase.startMs = Date.now();
      await sleep(PHASE_MS);
      // Between the rounds' judgement and the change, the kernel's count for phase one.
      kernel = await lab.counters();
      phase.changeMs = Date.now();
      await lab.set('f1', F1_AFTER);
      await sleep(2.5 * ROUND_S * 1000);
      for (const c of ['RQ-F1', 'RQ-F2', 'RQ-SILENT']) {
        rounds[c] = await query<Round>(
          `SELECT sent, received, rtt_median_ms, jitter_ms, round_s FROM circuit_quality WHERE circuit = '${c}' AND time >= ${phase.startMs - 60_000}ms`,
        );
      }
      const t = Date.now();
      const exited = new Promise<number | null>((r) => nms!.once('exit', (code) => r(code)));
      nms.kill('SIGTERM');
      exitAfterTerm = { code: await exited, ms: Date.now() - t };
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- nms output ---\n${output.slice(-4000)}`, { cause: err });
    }
  });

  after(async function () {
    this.timeout(60_000);
    if (nms && nms.exitCode === null) {
      const exited = new Promise((r) => nms!.once('exit', r));
      nms.kill('SIGTERM');
      await exited;
    }
    await lab?.remove();
    await dir?.remove();
  });

  async function query<T>(q: string): Promise<T[]> {
    const res = await fetch(`${influxUrl}/query?db=nms&epoch=ms&q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { results: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }> }> };
    const s = body.results[0]?.series?.[0];
    return (s?.values ?? []).map((row) => Object.fromEntries(s!.columns.map((c, i) => [c, row[i]])) as T);
  }
  /** Rounds wholly inside [from, to). */
  const within = (c: string, from: number, to: number) => rounds[c]!.filter((r) => r.time >= from && r.time + r.round_s * 1000 <= to);
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };

  it('measures the delay line’s round trip within 10% (or 1 ms) of what it held, from rounds of 20 echoes end to end', () => {
    for (const [c, far, set] of [
      ['RQ-F1', 'f1', F1],
      ['RQ-F2', 'f2', F2],
    ] as const) {
      const rs = within(c, phase.startMs, phase.changeMs);
      expect(rs.length, `${c} rounds`).to.be.at.least(10);
      const measured = median(rs.map((r) => r.rtt_median_ms!));
      const holds = lab!.lines
        .get(far)!
        .holds.filter((h) => h.atMs >= phase.startMs && h.atMs < phase.changeMs)
        .map((h) => h.ms);
      const held = median(holds);
      console.log(`      ${c}: median RTT ${measured.toFixed(2)} ms, delay line set ${set.delayMs} ms, held ${held.toFixed(2)} ms (median of ${holds.length})`);
      // The truth is what the line did (it is a user-space process, and a loaded machine makes it late), then what it was told.
      expect(Math.abs(measured - held), `${c} vs the delay line's holds`).to.be.at.most(Math.max(1, held * 0.1));
      expect(Math.abs(held - set.delayMs), `${c}: the delay line kept to its setting`).to.be.at.most(Math.max(1, set.delayMs * 0.1));
      // Each round covers its interval: no time is left unmeasured.
      for (let i = 1; i < rs.length; i++) expect(rs[i]!.time - rs[i - 1]!.time, `${c} round spacing`).to.be.within(ROUND_S * 1000 - 500, ROUND_S * 1000 + 1500);
    }
  });

  it('measures loss over more than 200 echoes within 2 points of what the kernel dropped', () => {
    const rs = within('RQ-F1', phase.startMs, phase.changeMs);
    const sent = rs.reduce((s, r) => s + r.sent, 0);
    const lost = rs.reduce((s, r) => s + r.sent - r.received, 0);
    const kernelPct = (100 * kernel.get('f1_dropped')!) / kernel.get('f1_all')!;
    console.log(
      `      RQ-F1: lost ${lost} of ${sent} (${((100 * lost) / sent).toFixed(2)}%); the kernel dropped ${kernel.get('f1_dropped')} of ${kernel.get('f1_all')} (${kernelPct.toFixed(2)}%), set ${F1.lossPerMille / 10}%`,
    );
    expect(sent).to.be.at.least(200);
    expect(Math.abs((100 * lost) / sent - kernelPct)).to.be.at.most(2);
    // Every echo the prober counted went through the kernel's counter (the rounds cut at the phase's edges are the difference).
    expect(kernel.get('f1_all')! - sent).to.be.within(0, 3 * 20);
    const f2 = within('RQ-F2', phase.startMs, phase.changeMs);
    expect(
      f2.reduce((s, r) => s + r.sent - r.received, 0),
      'RQ-F2 loses nothing',
    ).to.equal(kernel.get('f2_dropped') ?? 0);
  });

  it('measures jitter as the delay line’s holds vary, RFC 3550 style', () => {
    const rs = within('RQ-F2', phase.startMs, phase.changeMs);
    const measured = rs.reduce((s, r) => s + r.jitter_ms!, 0) / rs.length;
    const holds = lab!.lines
      .get('f2')!
      .holds.filter((h) => h.atMs >= phase.startMs && h.atMs < phase.changeMs)
      .map((h) => h.ms);
    let d = 0;
    for (let i = 1; i < holds.length; i++) d += Math.abs(holds[i]! - holds[i - 1]!);
    const truth = d / (holds.length - 1);
    console.log(`      RQ-F2: jitter ${measured.toFixed(2)} ms; the delay line's holds differ by ${truth.toFixed(2)} ms on average (±${F2.jitterMs} ms set)`);
    expect(measured).to.be.within(truth * 0.8 - 0.3, truth * 1.2 + 0.3);
  });

  it('shows a change of the line within two rounds', () => {
    const after = rounds['RQ-F1']!.filter((r) => r.time >= phase.changeMs - ROUND_S * 1000);
    const shown = after.find((r) => Math.abs(r.rtt_median_ms! - F1_AFTER.delayMs) <= F1_AFTER.delayMs * 0.1);
    expect(shown, 'a round at the new delay').to.not.equal(undefined);
    const shownAt = shown!.time + shown!.round_s * 1000;
    console.log(`      RQ-F1: the new ${F1_AFTER.delayMs} ms delay was shown ${((shownAt - phase.changeMs) / 1000).toFixed(1)} s after the change`);
    expect(shownAt - phase.changeMs).to.be.at.most(2 * ROUND_S * 1000 + 1000);
  });

  it('gives a target that never answers 100% loss every round, and raises degraded alarms for it and the lossy line', async () => {
    const silent = rounds['RQ-SILENT']!;
    expect(silent.length).to.be.at.least(10);
    for (const r of silent) expect([r.sent, r.received, r.rtt_median_ms]).to.deep.equal([20, 0, null]);
    const journal = await readFile(join(dir.path, 'var', 'alarms', 'journal.jsonl'), 'utf8');
    const raised = journal
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: string; alarm?: { kind: string; subject: { id: string }; evidence?: { zh: string } } })
      .filter((e) => e.t === 'alarm' && e.alarm?.kind === 'circuit_degraded');
    expect([...new Set(raised.map((e) => e.alarm!.subject.id))].sort()).to.deep.equal(['RQ-F1', 'RQ-SILENT']);
    expect(raised.find((e) => e.alarm!.subject.id === 'RQ-SILENT')!.alarm!.evidence!.zh).to.include('丢包率 100.0%（SLA ≤ 2.0%）');
  });

  it('stops on SIGTERM within a few seconds, in the middle of a round', () => {
    expect(exitAfterTerm.code).to.equal(0);
    expect(exitAfterTerm.ms).to.be.below(5000);
  });
});
