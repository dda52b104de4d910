/**
 * The whole alarm path in one process, as `nms up` runs it: simulator,
 * pollers, traps, alarm engine, journal and a webhook channel to a local
 * receiver. Incidents are injected into the simulator; what on-call staff
 * would get is read at the receiver, and the outage's length is checked
 * against the simulator's ground truth.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config/config.ts';
import { memoryLogger } from '../../shared/log.ts';
import { startProduct, type RunningProduct } from '../../server/runtime.ts';
import { GroundTruth } from '../../sim/truth/truthReader.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { waitFor } from '../support/processes.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpQuery } from '../support/testInflux.ts';

interface Push {
  id: string;
  reason: string;
  title: string;
  alarm: { id: string; kind: string; subject: { id: string }; impactedCircuits: string[]; startedAtMs: number; endedAtMs: number | null };
}

describe('alarms end to end against the ground truth (simulated network, local webhook)', function () {
  this.timeout(120_000);
  let dir: { path: string; remove(): Promise<void> };
  let product: RunningProduct;
  let rx: HttpReceiver;
  const pushes = () => rx.requests.map((r) => JSON.parse(r.body) as Push);
  const log = memoryLogger();

  before(async () => {
    dir = await tempDir('alarms-e2e');
    rx = await startHttpReceiver();
    await writeProductConfig(dir.path, {
      alarms: ['  upstreamWait: 5s', '  clearAfter: 2s', '  channels:', `    - { name: noc-hook, kind: webhook, url: "${rx.url}/hook" }`],
    });
    product = await startProduct(await loadConfig({ env: {}, cwd: dir.path }), {}, log);
    // Every device polled at least twice before anything breaks.
    let polls = 0;
    product.collector.onPoll(() => polls++);
    await waitFor('two rounds of polls', async () => polls >= 2 * product.collector.pollers.size, 30_000);
  });
  afterEach(function () {
    // What the product said while the test failed: timing failures cannot be understood without it.
    if (this.currentTest?.state === 'failed')
      console.error(
        `product log, last lines:\n${log.lines.slice(-80).join('\n')}\npushes: ${pushes()
          .map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)
          .join(', ')}`,
      );
  });
  after(async () => {
    await product?.stop();
    await rx?.close();
    await dir?.remove();
  });

  it('pushes one alarm for a county uplink with its departments impacted, nothing for what is behind it, and one clear', async () => {
    const sim = product.simulation!.simulator;
    const behind = product.topology.circuits.filter((c) => c.upstreamIds.includes('HY-HYX')).map((c) => c.id);
    expect(behind.length).to.be.at.least(2);
    sim.inject({ fault: 'link-down', circuit: 'HY-HYX' });
    await waitFor('the push', async () => pushes().length >= 1, 10_000);
    // Long enough for the county router and its CPE to be polled, time out and be decided on.
    await new Promise((r) => setTimeout(r, 9000));
    sim.inject({ fault: 'link-up', circuit: 'HY-HYX' });
    await waitFor('the clear', async () => pushes().some((p) => p.reason === 'cleared'), 20_000);
    await new Promise((r) => setTimeout(r, 3000));

    const all = pushes();
    expect(all.map((p) => `${p.reason} ${p.alarm.kind} ${p.alarm.subject.id}`)).to.deep.equal(['raised circuit_down HY-HYX', 'cleared circuit_down HY-HYX']);
    expect(all[0]!.alarm.impactedCircuits).to.have.members(behind);
    expect(all[0]!.title).to.match(/^【紧急】衡阳县 \S+ 上联 中断 \(中国\S+ 电路编号 \S+\); \d+ 个单位受影响$/);

    // The outage as the ground truth has it, against the alarm's: within a second (both ends came by trap).
    const truth = await GroundTruth.read(join(dir.path, 'sim', 'truth'));
    const down = truth.eventsOf('link-down').find((e) => 'circuit' in e && e.circuit === 'HY-HYX')!;
    const up = truth.eventsOf('link-up').find((e) => 'circuit' in e && e.circuit === 'HY-HYX')!;
    const cleared = all[1]!.alarm;
    expect(Math.abs(cleared.startedAtMs - down.ms), 'start').to.be.below(1000);
    expect(Math.abs(cleared.endedAtMs! - up.ms), 'end').to.be.below(1000);
    expect(Math.abs(cleared.endedAtMs! - cleared.startedAtMs - (up.ms - down.ms)), 'length').to.be.below(1000);

    // The SLA ledger charged the time to the uplink; each department behind it lost the same time, from upstream.
    const ledgerOf = (id: string) => product.ledger.availability(id, down.ms - 60_000, Date.now(), product.alarms.engine.active(), Date.now());
    const uplink = ledgerOf('HY-HYX');
    expect(Math.abs(uplink.downS * 1000 - (up.ms - down.ms)), 'HY-HYX downtime').to.be.below(1000);
    expect([uplink.outageCount, uplink.upstreamOutageCount]).to.deep.equal([1, 0]);
    for (const id of behind) {
      const a = ledgerOf(id);
      expect(Math.abs(a.upstreamDownS * 1000 - (up.ms - down.ms)), `${id} downtime from upstream`).to.be.below(1000);
      expect([a.downS, a.outageCount, a.upstreamOutageCount], id).to.deep.equal([0, 0, 1]);
    }

    // The history reached InfluxDB as alarm_event points, read back over plain HTTP.
    const q = `SELECT active, impacted FROM alarm_event WHERE circuit = 'HY-HYX' AND kind = 'circuit_down'`;
    let rows: Array<Record<string, unknown>> = [];
    await waitFor('alarm history in InfluxDB', async () => (rows = await httpQuery(product.store.embedded!.url, q, 'nms')).length >= 2, 20_000);
    expect(rows.map((r) => [r.active, r.impacted])).to.deep.equal([
      [1, behind.length],
      [0, behind.length],
    ]);
  });

  it('gives a flapping link one flapping alarm', async () => {
    const before = pushes().length;
    product.simulation!.simulator.inject({ fault: 'flap', circuit: 'HY-D-HBJ', count: 4, period: 2 });
    await waitFor('the flapping alarm', async () => pushes().some((p) => p.alarm.kind === 'flapping'), 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    const raised = pushes()
      .slice(before)
      .filter((p) => p.reason === 'raised');
    expect(raised.filter((p) => p.alarm.kind === 'flapping').map((p) => p.alarm.subject.id)).to.deep.equal(['HY-D-HBJ']);
    // At most the first fall before the pattern showed, and never one per bounce.
    expect(raised.filter((p) => p.alarm.kind === 'circuit_down').length).to.be.at.most(1);
  });

  it('without traps, times an outage from the pollers alone within one poll interval of the truth', async () => {
    await product.traps.close();
    const sim = product.simulation!.simulator;
    const before = pushes().length;
    sim.inject({ fault: 'link-down', circuit: 'HY-HNX' });
    await waitFor(
      'the push',
      async () =>
        pushes()
          .slice(before)
          .some((p) => p.reason === 'raised' && p.alarm.subject.id === 'HY-HNX'),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 4000));
    sim.inject({ fault: 'link-up', circuit: 'HY-HNX' });
    await waitFor(
      'the clear',
      async () =>
        pushes()
          .slice(before)
          .some((p) => p.reason === 'cleared' && p.alarm.subject.id === 'HY-HNX'),
      20_000,
    );
    const cleared = pushes()
      .slice(before)
      .find((p) => p.reason === 'cleared')!.alarm;
    const truth = await GroundTruth.read(join(dir.path, 'sim', 'truth'));
    const down = truth.eventsOf('link-down').find((e) => 'circuit' in e && e.circuit === 'HY-HNX')!;
    const up = truth.eventsOf('link-up').find((e) => 'circuit' in e && e.circuit === 'HY-HNX')!;
    // Polled every second; ifLastChange places each change to 10 ms, so it is much closer than that.
    expect(Math.abs(cleared.startedAtMs - down.ms), 'start').to.be.below(1000);
    expect(Math.abs(cleared.endedAtMs! - up.ms), 'end').to.be.below(1000);
  });
});
