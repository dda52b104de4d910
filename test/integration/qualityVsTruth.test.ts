/**
 * Circuit quality in the demo, as `nms up` runs it: the prober sends UDP
 * echoes to every simulated device, whose answers carry the delay and loss
 * of its path; the simulator's ground truth (quality.csv and its fault
 * events) says what they really were. A degrade fault on a county uplink
 * must raise exactly one degraded alarm (its departments impacted, not
 * alarmed), clear after the fault, and leave as many degraded seconds in
 * InfluxDB as the fault lasted, within one round. A department line taken
 * down at the same time is an outage only, never also degraded.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config/config.ts';
import { memoryLogger } from '../../shared/log.ts';
import { startProduct, type RunningProduct } from '../../server/runtime.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { influxQueryOf } from '../../server/influx/store.ts';
import { buildReport } from '../../server/reports/reportBuilder.ts';
import { renderReport } from '../../server/reports/render/renderReport.ts';
import { resolveScope } from '../../server/reports/reportScope.ts';
import { parsePeriod } from '../../shared/time/reportPeriod.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { waitFor } from '../support/processes.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpQuery } from '../support/testInflux.ts';

interface Push {
  reason: string;
  alarm: { kind: string; subject: { id: string }; impactedCircuits: string[]; startedAtMs: number; endedAtMs: number | null; evidence?: { zh: string } };
}

const ROUND_S = 5;
const DEGRADE_S = 60;
const UPLINK = 'HY-HYX';
/** A department line in another county, taken down while the uplink is degraded. */
const DOWNED = 'HY-D-HBJ';

describe('circuit quality against the ground truth (simulated network, UDP echo)', function () {
  this.timeout(240_000);
  let dir: { path: string; remove(): Promise<void> };
  let product: RunningProduct;
  let rx: HttpReceiver;
  const pushes = () => rx.requests.map((r) => JSON.parse(r.body) as Push);
  const log = memoryLogger();

  before(async () => {
    dir = await tempDir('quality-e2e');
    rx = await startHttpReceiver();
    await writeProductConfig(dir.path, {
      collector: [`  probeInterval: ${ROUND_S}s`],
      alarms: [
        '  clearAfter: 2s',
        '  quality: { window: 15s, sustain: 10s, clearAfter: 15s }',
        '  channels:',
        `    - { name: noc-hook, kind: webhook, url: "${rx.url}/hook" }`,
      ],
    });
    product = await startProduct(await loadConfig({ env: {}, cwd: dir.path }), {}, log);
    await waitFor('a round for every probed circuit', async () => product.live.quality.size >= product.prober.probedCount, 40_000);
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed')
      console.error(
        `product log, last lines:\n${log.lines.slice(-60).join('\n')}\npushes: ${pushes()
          .map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)
          .join(', ')}`,
      );
  });
  after(async () => {
    await product?.stop();
    await rx?.close();
    await dir?.remove();
  });

  it('probes every circuit whose far end is a simulated device, and measures each path as the truth has it', async () => {
    const probed = product.topology.circuits.filter((c) => c.probe?.deviceId && product.topology.device(c.probe.deviceId).managed);
    expect(product.prober.probedCount).to.equal(probed.length);
    expect(product.prober.unprobed.size).to.equal(0);
    const until = Math.max(...probed.map((c) => product.live.quality.get(c.id)!.endedAtMs));
    let truth!: GroundTruth;
    // The truth is written a segment (10 s at most) at a time.
    await waitFor('the truth to cover the rounds', async () => (truth = await GroundTruth.read(join(dir.path, 'sim', 'truth'))).recordedUntil >= until, 30_000);
    let checked = 0;
    for (const c of probed) {
      const q = product.live.quality.get(c.id)!;
      const spans = truth.quality(c.id, q.startedAtMs, q.endedAtMs);
      if (spans.length === 0 || spans.some((s) => s.quality === null)) continue;
      const rtt = spans.reduce((s, x) => s + x.quality!.rttMs * (x.toMs - x.fromMs), 0) / spans.reduce((s, x) => s + (x.toMs - x.fromMs), 0);
      // Loopback and the simulated device's timer add about a millisecond.
      expect(q.rttMedianMs!, `${c.id} median vs truth ${rtt.toFixed(2)} ms`).to.be.within(rtt - 1, rtt * 1.1 + 2);
      expect(q.lossPct, c.id).to.equal(0);
      checked++;
    }
    expect(checked).to.be.at.least(probed.length * 0.9);
  });

  it('raises one degraded alarm for a degraded county uplink, none for what is behind it, and clears it after; a line down meanwhile is down only', async () => {
    const sim = product.simulation!.simulator;
    const behind = product.topology.circuits.filter((c) => c.upstreamIds.includes(UPLINK)).map((c) => c.id);
    const t0 = Date.now();
    sim.inject({ fault: 'degrade', circuit: UPLINK, loss: 5, delay: 80, for: DEGRADE_S });
    await new Promise((r) => setTimeout(r, 15_000));
    sim.inject({ fault: 'link-down', circuit: DOWNED, for: 30 });
    await waitFor(
      'the degraded alarm to clear',
      async () => pushes().some((p) => p.reason === 'cleared' && p.alarm.kind === 'circuit_degraded'),
      (DEGRADE_S + 60) * 1000,
    );
    // Long enough for a late second alarm, or the downed line's rounds, to show.
    await new Promise((r) => setTimeout(r, 2 * ROUND_S * 1000));

    const degraded = pushes().filter((p) => p.alarm.kind === 'circuit_degraded');
    expect(degraded.map((p) => `${p.reason} ${p.alarm.subject.id}`)).to.deep.equal([`raised ${UPLINK}`, `cleared ${UPLINK}`]);
    expect(degraded[0]!.alarm.impactedCircuits).to.include.members(behind);
    // The figures over the limits when it was raised: the delay, or the loss that showed first.
    expect(degraded[0]!.alarm.evidence!.zh).to.match(
      /^中国电信 HYDX-MSTP10M-0001：近 15 秒(时延中位数 \d+\.\d ms（SLA ≤ 30\.0 ms）|丢包率 \d+\.\d%（SLA ≤ 1\.0%）)/,
    );
    const downs = pushes()
      .filter((p) => p.alarm.subject.id === DOWNED)
      .map((p) => `${p.reason} ${p.alarm.kind}`);
    expect(downs).to.deep.equal(['raised circuit_down', 'cleared circuit_down']);

    // Degraded seconds in InfluxDB against the fault's length in the truth, within one round.
    const truth = await GroundTruth.read(join(dir.path, 'sim', 'truth'));
    const start = truth.eventsOf('fault-start').find((e) => 'fault' in e && e.fault.fault === 'degrade')!;
    const end = truth.eventsOf('fault-end').find((e) => 'fault' in e && e.fault.fault === 'degrade')!;
    const q = (circuit: string) => `SELECT sum(degraded_s) AS s FROM circuit_quality WHERE circuit = '${circuit}' AND time >= ${t0 - 60_000}ms`;
    const url = product.store.embedded!.url;
    let rows: Array<Record<string, unknown>> = [];
    await waitFor('the rounds in InfluxDB', async () => (rows = await httpQuery(url, q(UPLINK), 'nms')).length > 0 && Number(rows[0]!.s) > 0, 20_000);
    expect(Number(rows[0]!.s), 'degraded seconds vs the truth').to.be.within((end.ms - start.ms) / 1000 - ROUND_S, (end.ms - start.ms) / 1000 + ROUND_S);
    const downedRows = await httpQuery(url, q(DOWNED), 'nms');
    expect(Number(downedRows[0]?.s ?? 0), `${DOWNED} degraded seconds while it was down`).to.equal(0);

    // The day's report, from raw rounds (the rollup runs every 5 minutes): the same seconds, charged as they should be.
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const report = await buildReport(
      {
        topology: product.topology,
        influx: influxQueryOf(product.store)!,
        ledger: product.ledger,
        activeAlarms: () => product.alarms.engine.active(),
        now: Date.now,
      },
      parsePeriod(day, 'Asia/Shanghai'),
      resolveScope(product.topology, 'network'),
      'raw',
    );
    const figures = (id: string) => report.circuits.find((c) => c.circuitId === id)!.quality!;
    const up = figures(UPLINK);
    expect(up.degradedS, 'report degraded seconds vs the truth').to.be.within((end.ms - start.ms) / 1000 - ROUND_S, (end.ms - start.ms) / 1000 + ROUND_S);
    expect(up.ownDegradedS).to.be.closeTo(up.degradedS, 1e-6);
    expect(up.episodes.map((e) => [e.own, e.measures.includes('latency'), e.worstRttMs! > 80])).to.deep.equal([[true, true, true]]);
    for (const id of behind) {
      const f = figures(id);
      expect(f.degradedS, `${id} degraded seconds`).to.be.above(0);
      expect([f.ownDegradedS, f.episodes.every((e) => !e.own && e.chargedTo.id === UPLINK)], `${id} charged to the uplink`).to.deep.equal([0, true]);
    }
    expect(figures(DOWNED).degradedS).to.equal(0);
    const telecom = report.carriers.find((c) => c.carrier === 'telecom')!;
    // The uplink's breach, a minute long, and no other: the echoes are answered and timed on threads
    // of their own, so a loaded machine does not read as a slow line.
    expect(telecom.qualityBreaches.map((e) => e.circuitId)).to.deep.equal([UPLINK]);
    const html = (await renderReport(report, 'html', 'zh')).toString();
    expect(html).to.match(new RegExp(`${UPLINK}（HYDX-MSTP10M-0001）\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}起 1 分钟：时延 \\d+\\.\\d ms，丢包 \\d+\\.\\d%`));

    const lossRows = await httpQuery(
      url,
      `SELECT sum(sent) AS sent, sum(received) AS received FROM circuit_quality WHERE circuit = '${DOWNED}' AND time >= ${t0}ms`,
      'nms',
    );
    expect(Number(lossRows[0]!.received), 'its echoes were lost while it was down').to.be.below(Number(lossRows[0]!.sent));
  });
});
