/**
 * The real-network tier: `nms up` with `production: true` polling Debian's
 * snmpd in network namespaces this test makes (198.18.0.0/15 only), over
 * SNMPv3 authPriv, v2c and v1 (on a non-standard port), every 10 s, for
 * more than five minutes, while a bounded sender fills links shaped to
 * 2 Mbit/s by tc tbf. Truth comes from outside the product: the kernel's
 * counters read inside each namespace, the moments this test took a link
 * down and up, and Debian's snmpget.
 *
 * Debian's snmpd refreshes its IF-MIB counters every 3 s while sysUpTime is
 * live; this is the agent that read lines 9% low before.
 */
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestHost, startTraffic, type CounterLog } from '../support/netns.ts';
import { waitFor } from '../support/processes.ts';
import { writeProductionConfig } from '../support/productConfig.ts';
import { NMS_BIN, runNms } from '../support/runNms.ts';
import { tempDir } from '../support/tempDir.ts';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const COMMUNITY = `rn-${process.pid}-community`;
const V3 = { user: 'nmsv3', authKey: `auth-${process.pid}-key`, privKey: `priv-${process.pid}-key` };
/** Polling runs this long, so that several 5-minute windows are whole. */
const RUN_MS = 6.5 * 60_000;
const WINDOW_MS = 5 * 60_000;
const POLL_S = 10;
/** The flapped line goes down this long after nms is up, for this long. */
const FLAP_AT_MS = 60_000;
const FLAP_FOR_MS = 40_000;

const tag = String(process.pid % 100_000);
const topologyYaml = `
version: 1
network: { id: rn-lab, name: { zh: 实网测试, en: Real network lab }, timezone: Asia/Shanghai }
snmpProfiles:
  rn-v3: { version: 3, username: ${V3.user}, level: authPriv, authProtocol: sha, authKey: { env: RN_AUTH }, privProtocol: aes, privKey: { env: RN_PRIV } }
  rn-v2c: { version: 2c, community: { env: RN_COMMUNITY } }
  rn-v1: { version: 1, community: { env: RN_COMMUNITY } }
slaTiers:
  lab: { availability: 99.9, utilizationWarn: 80, utilizationCritical: 95 }
sites:
  - { id: lab, level: city, name: { zh: 实验室, en: Lab }, location: [112.57, 26.89], contact: { name: 测试, phone: "0734-0000000" } }
devices:
  - { id: a-rtr, site: lab, role: core, vendor: generic, address: 198.18.10.2, snmp: rn-v3, pollInterval: ${POLL_S}s }
  - { id: b-v2c, site: lab, role: core, vendor: generic, address: 198.18.20.2, snmp: rn-v2c, pollInterval: ${POLL_S}s }
  - { id: b-v1, site: lab, role: core, vendor: generic, address: "198.18.20.2:1161", snmp: rn-v1, pollInterval: ${POLL_S}s }
  - { id: c-rtr, site: lab, role: core, vendor: generic, address: 198.18.30.2, port: 161, snmp: rn-v2c, pollInterval: ${POLL_S}s }
circuits:
  - { id: RN-V3, carrier: telecom, carrierCircuitId: RN-1, bandwidth: 2M, a: { device: a-rtr, ifName: wan0 }, z: { external: { zh: 外, en: Out } }, sla: lab, owner: lab }
  - { id: RN-V2C, carrier: unicom, carrierCircuitId: RN-2, bandwidth: 2M, a: { device: b-v2c, ifName: wan0 }, z: { external: { zh: 外, en: Out } }, sla: lab, owner: lab }
  - { id: RN-V1, carrier: mobile, carrierCircuitId: RN-3, bandwidth: 2M, a: { device: b-v1, ifDescr: wan0 }, z: { external: { zh: 外, en: Out } }, sla: lab, owner: lab }
  - { id: RN-SPARE, carrier: unicom, carrierCircuitId: RN-4, bandwidth: 2M, a: { device: b-v2c, ifName: spare0 }, z: { external: { zh: 外, en: Out } }, sla: lab, owner: lab }
  - { id: RN-FLAP, carrier: telecom, carrierCircuitId: RN-5, bandwidth: 2M, a: { device: c-rtr, ifAlias: RN-5 telecom line }, z: { external: { zh: 外, en: Out } }, sla: lab, owner: lab }
`;

interface Sample {
  time: number;
  in_bps: number | null;
  interval_s: number | null;
}

describe('real network: nms up in production against Debian snmpd in network namespaces', function () {
  this.timeout(RUN_MS + 4 * 60_000);
  const hosts: TestHost[] = [];
  let dir: { path: string; remove(): Promise<void> };
  let nms: ChildProcess | null = null;
  let traffic: ChildProcess | null = null;
  let output = '';
  let influxUrl = '';
  let upAtMs = 0;
  const flap = { downMs: 0, upMs: 0 };
  const truth: Record<string, CounterLog> = {};
  const series: Record<string, Sample[]> = {};
  let health: Array<{ device: string; cpu_pct: number | null; mem_pct: number | null }> = [];
  let ifnameTags: string[] = [];
  let checkRun = { code: null as number | null, stdout: '', stderr: '' };
  const env = { ...process.env, RN_AUTH: V3.authKey, RN_PRIV: V3.privKey, RN_COMMUNITY: COMMUNITY, NMS_DEBUG: '' };

  const snmpAnswers = (addr: string, args: string[]) => async () => {
    try {
      await exec('snmpget', ['-m', '', '-On', ...args, '-t', '1', '-r', '0', addr, '1.3.6.1.2.1.1.3.0']);
      return true;
    } catch {
      return false;
    }
  };
  const v3Args = ['-v3', '-u', V3.user, '-l', 'authPriv', '-a', 'SHA', '-A', V3.authKey, '-x', 'AES', '-X', V3.privKey];

  before(async () => {
    dir = await tempDir('realnet');
    try {
      const a = await TestHost.create('a');
      hosts.push(a);
      await a.link(`n${tag}a0`, '198.18.10.1', 'mgmt0', '198.18.10.2');
      await a.shape(await a.link(`n${tag}a1`, '198.18.11.1', 'wan0', '198.18.11.2'), '2mbit');
      await a.startSnmpd(
        dir.path,
        [`createUser ${V3.user} SHA "${V3.authKey}" AES "${V3.privKey}"`, `rouser ${V3.user} priv`],
        ['udp:198.18.10.2:161'],
        snmpAnswers('198.18.10.2', v3Args),
      );

      const b = await TestHost.create('b');
      hosts.push(b);
      await b.link(`n${tag}b0`, '198.18.20.1', 'mgmt0', '198.18.20.2');
      await b.shape(await b.link(`n${tag}b1`, '198.18.21.1', 'wan0', '198.18.21.2'), '2mbit');
      // A second interface, administratively down from the start (a port nobody has brought up).
      await b.addDownInterface('spare0');
      await b.startSnmpd(
        dir.path,
        [`rocommunity ${COMMUNITY} 198.18.20.1`],
        ['udp:198.18.20.2:161', 'udp:198.18.20.2:1161'],
        snmpAnswers('198.18.20.2:1161', ['-v1', '-c', COMMUNITY]),
      );

      const c = await TestHost.create('c');
      hosts.push(c);
      await c.link(`n${tag}c0`, '198.18.30.1', 'mgmt0', '198.18.30.2');
      await c.shape(await c.link(`n${tag}c1`, '198.18.31.1', 'wan0', '198.18.31.2'), '2mbit');
      await c.startSnmpd(
        dir.path,
        [`rocommunity ${COMMUNITY} 198.18.30.1`, `rwcommunity ${COMMUNITY}-rw 198.18.30.1`],
        ['udp:198.18.30.2:161'],
        snmpAnswers('198.18.30.2', ['-v2c', '-c', COMMUNITY]),
      );
      // The line is found by its ifAlias, as an operator labels a carrier line on the router
      // (Net-SNMP keeps ifAlias itself, set by SNMP, not the kernel's alias); stored under its ifName.
      const names = (await exec('snmpwalk', ['-m', '', '-On', '-Oq', '-v2c', '-c', COMMUNITY, '198.18.30.2', '1.3.6.1.2.1.31.1.1.1.1'])).stdout;
      const wanIndex = /\.1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.1\.(\d+) "?wan0"?/.exec(names)?.[1];
      await exec('snmpset', ['-m', '', '-v2c', '-c', `${COMMUNITY}-rw`, '198.18.30.2', `1.3.6.1.2.1.31.1.1.1.18.${wanIndex}`, 's', 'RN-5 telecom line']);

      traffic = startTraffic(['198.18.11.2', '198.18.21.2', '198.18.31.2'], 3_000_000, (RUN_MS + 120_000) / 1000);
      truth.a = a.sampleCounters('wan0');
      truth.b = b.sampleCounters('wan0');

      await writeProductionConfig(dir.path, topologyYaml, env);

      // The smoke test first: every device answers once, on the real network.
      checkRun = await runNms(['up', '--check', '--config', 'nms.yaml'], { cwd: dir.path, env, timeoutMs: 120_000 });

      nms = spawn(process.execPath, [NMS_BIN, 'up', '--config', 'nms.yaml'], { cwd: dir.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
      nms.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      nms.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      await waitFor('nms up to say it is up', () => /nms is up/.test(output) && /Press Ctrl-C/.test(output), 90_000);
      upAtMs = Date.now();
      influxUrl = /influxdb\s+managed (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';

      await sleep(FLAP_AT_MS);
      const cWan = c.links[1]!.hostIf;
      // The carrier's side goes dark: the namespace's wan0 loses its carrier (oper down, admin up).
      flap.downMs = Date.now();
      await exec('ip', ['link', 'set', cWan, 'down']);
      await sleep(FLAP_FOR_MS);
      flap.upMs = Date.now();
      await exec('ip', ['link', 'set', cWan, 'up']);
      await sleep(RUN_MS - FLAP_AT_MS - FLAP_FOR_MS);

      for (const circuit of ['RN-V3', 'RN-V2C', 'RN-V1']) {
        series[circuit] = await query<Sample>(`SELECT in_bps, interval_s FROM circuit_traffic WHERE circuit = '${circuit}' AND time >= ${upAtMs}ms`);
      }
      health = await query(`SELECT device, cpu_pct, mem_pct FROM device_health WHERE time >= ${upAtMs}ms`);
      ifnameTags = (await query<{ value: string }>(`SHOW TAG VALUES FROM interface_traffic WITH KEY = ifname WHERE circuit = 'RN-FLAP'`)).map((r) => r.value);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- nms output ---\n${output.slice(-4000)}`, { cause: err });
    }
  });

  after(async function () {
    this.timeout(60_000);
    await stopNms();
    traffic?.kill('SIGTERM');
    for (const h of hosts.splice(0)) await h.remove();
    await dir?.remove();
  });

  async function stopNms(): Promise<void> {
    if (!nms || nms.exitCode !== null) return;
    const exited = new Promise((r) => nms!.once('exit', r));
    nms.kill('SIGTERM');
    await exited;
  }

  async function query<T>(q: string): Promise<T[]> {
    const res = await fetch(`${influxUrl}/query?db=nms&epoch=ms&q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { results: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }> }> };
    const s = body.results[0]?.series?.[0];
    return (s?.values ?? []).map((row) => Object.fromEntries(s!.columns.map((c, i) => [c, row[i]])) as T);
  }

  async function journalAlarms(): Promise<Array<{ id: string; kind: string; subject: { id: string }; startedAtMs: number; endedAtMs: number | null }>> {
    const alarmsDir = join(dir.path, 'var', 'alarms');
    const byId = new Map();
    const snapshot = await readFile(join(alarmsDir, 'snapshot.json'), 'utf8').catch(() => '');
    if (snapshot) for (const a of (JSON.parse(snapshot) as { alarms: Array<{ id: string }> }).alarms) byId.set(a.id, a);
    const journal = await readFile(join(alarmsDir, 'journal.jsonl'), 'utf8').catch(() => '');
    for (const line of journal.split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { t: string; alarm?: { id: string } };
      if (r.t === 'alarm') byId.set(r.alarm!.id, r.alarm);
    }
    return [...byId.values()];
  }

  async function ledgerOutages(): Promise<Array<{ circuitId: string; startMs: number; endMs: number | null; maintenance: boolean }>> {
    const text = await readFile(join(dir.path, 'var', 'alarms', 'ledger.jsonl'), 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.t === 'outage')
      .map((r) => r.outage);
  }

  it('nms up --check passes in production: every device answers over v3, v2c and v1 on the real links', () => {
    expect(checkRun.code, checkRun.stdout + checkRun.stderr).to.equal(0);
    expect(checkRun.stdout).to.match(/check passed: all 4 devices answered/);
    expect(checkRun.stdout, 'no demo logins in production').not.to.include('demo login');
  });

  for (const [circuit, host] of [
    ['RN-V3', 'a'],
    ['RN-V2C', 'b'],
    ['RN-V1', 'b'],
  ] as const) {
    it(`${circuit}: every 5-minute mean within 1% of the kernel's counters, coverage ≥ 95%, no sample lost`, () => {
      const samples = series[circuit]!;
      const log = truth[host]!;
      const rated = samples.filter((s) => s.in_bps !== null && s.interval_s !== null);
      const firstMs = rated[0]!.time;
      const lastMs = rated.at(-1)!.time;
      expect(lastMs - firstMs, 'minutes of samples').to.be.above(WINDOW_MS + 30_000);
      const errors: string[] = [];
      const figures: Array<{ off: number; coverage: number; kernel: number }> = [];
      let windows = 0;
      for (let from = firstMs; from + WINDOW_MS <= lastMs; from += 30_000) {
        const inside = rated.filter((s) => s.time >= from && s.time < from + WINDOW_MS);
        const mean = inside.reduce((a, s) => a + s.in_bps!, 0) / inside.length;
        // The kernel's mean over exactly the time these samples cover.
        const kernel = log.rate(inside[0]!.time - inside[0]!.interval_s! * 1000, inside.at(-1)!.time, 'rx');
        const coverage = inside.length / (WINDOW_MS / (POLL_S * 1000));
        windows++;
        const off = (mean - kernel) / kernel;
        figures.push({ off, coverage, kernel });
        if (Math.abs(off) > 0.01 || coverage < 0.95)
          errors.push(
            `${new Date(from).toISOString()}: ${(mean / 1e6).toFixed(4)} vs kernel ${(kernel / 1e6).toFixed(4)} Mbit/s (${(off * 100).toFixed(2)}%), coverage ${(coverage * 100).toFixed(0)}%`,
          );
      }
      const worst = Math.max(...figures.map((f) => Math.abs(f.off)));
      console.log(
        `      ${circuit}: ${windows} windows, worst ${(worst * 100).toFixed(2)}% off the kernel, coverage ≥ ${(Math.min(...figures.map((f) => f.coverage)) * 100).toFixed(0)}%, mean ${(figures[0]!.kernel / 1e6).toFixed(3)} Mbit/s`,
      );
      expect(windows).to.be.at.least(3);
      expect(errors, `windows off`).to.deep.equal([]);
      expect(output, 'a sample dropped by the contract check').not.to.match(new RegExp(`${circuit}.*sample dropped`));
    });
  }

  it('places the link taken down and up within one poll interval of the truth', async () => {
    const outages = (await ledgerOutages()).filter((o) => o.circuitId === 'RN-FLAP' && !o.maintenance);
    expect(outages, JSON.stringify(outages)).to.have.length(1);
    const [o] = outages;
    expect(Math.abs(o!.startMs - flap.downMs), 'start vs ip link set down').to.be.at.most(POLL_S * 1000);
    expect(Math.abs(o!.endMs! - flap.upMs), 'end vs ip link set up').to.be.at.most(POLL_S * 1000);
    console.log(`      outage: start ${((o!.startMs - flap.downMs) / 1000).toFixed(1)} s, end ${((o!.endMs! - flap.upMs) / 1000).toFixed(1)} s from the truth`);
  });

  it("tags a line found by its ifAlias with the agent's ifName", () => {
    expect(ifnameTags).to.deep.equal(['wan0']);
  });

  it('dates a port down from the start from when nms began watching, and charges no SLA for before', async () => {
    const alarms = (await journalAlarms()).filter((a) => a.subject.id === 'RN-SPARE');
    const down = alarms.find((a) => a.kind === 'circuit_down');
    expect(down, JSON.stringify(alarms)).to.not.equal(undefined);
    expect(down!.startedAtMs, 'not backdated to ifLastChange').to.be.at.least(upAtMs - 60_000);
    expect(alarms.map((a) => a.kind)).not.to.include('sla_budget');
    for (const o of (await ledgerOutages()).filter((x) => x.circuitId === 'RN-SPARE')) expect(o.startMs).to.be.at.least(upAtMs - 60_000);
  });

  it('reads HOST-RESOURCES CPU and RAM of generic devices, as Debian snmpget does', async () => {
    const a = health.filter((h) => h.device === 'a-rtr');
    expect(a.length).to.be.at.least(20);
    // snmpd has no hrProcessorTable in its first seconds; from then on every poll has CPU.
    const withCpu = a.findIndex((h) => h.cpu_pct !== null);
    expect(withCpu, 'polls before CPU was found').to.be.within(0, 6);
    expect(
      a.slice(withCpu).every((h) => h.cpu_pct !== null && h.cpu_pct >= 0 && h.cpu_pct <= 100 && h.mem_pct !== null),
      'every later poll has CPU and memory',
    ).to.equal(true);
    // RAM used / size of the hrStorage row whose type is hrStorageRam, by Debian's tools.
    const ramPct = async () => {
      const walk = (await exec('snmpwalk', ['-m', '', '-On', '-Oq', '-v2c', '-c', COMMUNITY, '-t', '2', '198.18.20.2', '1.3.6.1.2.1.25.2.3.1'])).stdout;
      const row = /\.1\.3\.6\.1\.2\.1\.25\.2\.3\.1\.2\.(\d+) \.1\.3\.6\.1\.2\.1\.25\.2\.1\.2\b/.exec(walk)?.[1];
      const value = (col: number) => Number(new RegExp(`\\.1\\.3\\.6\\.1\\.2\\.1\\.25\\.2\\.3\\.1\\.${col}\\.${row} (\\d+)`).exec(walk)?.[1]);
      return (100 * value(6)) / value(5);
    };
    // The namespaces share this machine's memory, which other tests move: nms's poll is bracketed by a walk before and one after.
    const walkedMs = Date.now();
    const before = await ramPct();
    let polled: { mem_pct: number | null } | undefined;
    await waitFor(
      'a poll of b-v2c after the walk',
      async () =>
        (polled = (await query<{ mem_pct: number | null }>(`SELECT mem_pct FROM device_health WHERE device = 'b-v2c' AND time > ${walkedMs}ms`)).at(0)) !==
        undefined,
      60_000,
    );
    const after = await ramPct();
    expect(polled!.mem_pct!, `b-v2c memory vs snmpwalk (${before.toFixed(1)}% before, ${after.toFixed(1)}% after)`).to.be.within(
      Math.min(before, after) - 1.5,
      Math.max(before, after) + 1.5,
    );
  });
});
