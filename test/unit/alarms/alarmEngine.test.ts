/**
 * The alarm state machine on the Hengyang model, with a hand-moved clock and
 * observations written out as the pollers and traps would make them. What is
 * behind a county uplink comes from the model's own upstream relation, not
 * from the engine's impact tree.
 */
import { expect } from 'chai';
import type { AlarmEvent } from '../../../shared/alarms/types.ts';
import type { LinkStatus } from '../../../shared/live/liveState.ts';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { AlarmEngine, AlarmError } from '../../../server/alarms/alarmEngine.ts';
import { DEFAULT_ALARM_RULES } from '../../../server/alarms/alarmRules.ts';

const T0 = Date.parse('2026-11-23T10:00:00+08:00');
const S = 1000;
const MIN = 60 * S;

describe('alarm engine', () => {
  let topology: Topology;
  let engine: AlarmEngine;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });
  beforeEach(() => {
    engine = new AlarmEngine(topology, DEFAULT_ALARM_RULES);
  });

  /** A poll's report of a circuit, finished at `at`; `from` is when it began (default: the same moment). */
  const circuit = (id: string, status: LinkStatus, at: number, extra: { since?: number; util?: number; errors?: number; from?: number } = {}) =>
    engine.observeCircuit({
      circuitId: id,
      status,
      statusSinceMs: extra.since ?? null,
      inBps: null,
      outBps: null,
      inUtilPct: extra.util ?? null,
      outUtilPct: extra.util ?? null,
      errorsPerS: extra.errors ?? null,
      end: 'a',
      polledFromMs: extra.from ?? at,
      updatedAtMs: at,
      note: null,
    });
  const device = (id: string, reachable: boolean, at: number, uptimeS: number | null = 1_000_000) =>
    engine.observeDevice({
      deviceId: id,
      reachable,
      responseMs: reachable ? 20 : 4000,
      cpuPct: null,
      memPct: null,
      uptimeS: reachable ? uptimeS : null,
      polledFromMs: at - (reachable ? 20 : 4000),
      updatedAtMs: at,
      error: reachable ? null : 'timeout after 2 s × 2 tries',
    });
  const raised = (events: AlarmEvent[]) => events.filter((e) => e.type === 'raised').map((e) => e.alarm);
  const behind = (uplink: string) => topology.circuits.filter((c) => c.upstreamIds.includes(uplink));

  /** Everything polled and up at T0 - 30 s. */
  function allUp(at: number): void {
    for (const d of topology.devices) if (d.managed) device(d.id, true, at);
    for (const c of topology.circuits) circuit(c.id, 'up', at, { util: 20 });
  }

  it('raises one alarm for a county uplink, with the departments behind it as impacted, however the polls fall', () => {
    allUp(T0 - 30 * S);
    expect(engine.evaluate(T0 - 30 * S)).to.deep.equal([]);
    const depts = behind('HY-HYX');
    expect(depts.length).to.be.at.least(2);
    // The county router and its CPE are polled first: silent, their circuits unknown.
    device('hyx-rtr-1', false, T0 + 5 * S);
    for (const c of depts) {
      circuit(c.id, 'unknown', T0 + 5 * S);
      if (c.z.kind === 'device') device(c.z.deviceId, false, T0 + 6 * S);
    }
    expect(raised(engine.evaluate(T0 + 7 * S)), 'the uplink has not been looked at since').to.deep.equal([]);
    // Then the core, whose interface on the uplink went down at T0 (ifLastChange).
    device('hy-core-1', true, T0 + 20 * S);
    circuit('HY-HYX', 'down', T0 + 20 * S, { since: T0 });
    const events = engine.evaluate(T0 + 21 * S);
    const alarms = raised(events);
    expect(alarms).to.have.length(1);
    const root = alarms[0]!;
    expect(root.kind).to.equal('circuit_down');
    expect(root.subject).to.deep.equal({ type: 'circuit', id: 'HY-HYX' });
    expect(root.severity).to.equal('critical');
    expect(root.startedAtMs).to.equal(T0);
    expect(root.impactedCircuits).to.have.members(depts.map((c) => c.id));
    expect(root.impactedSites).to.include.members(depts.map((c) => c.ownerSiteId));
    expect(raised(engine.evaluate(T0 + 5 * MIN)), 'nothing more while it lasts').to.deep.equal([]);

    // Back at T0 + 10 min: one clear, once it has stayed up a minute; the outage ends when it came back.
    const back = T0 + 10 * MIN;
    circuit('HY-HYX', 'up', back + 15 * S, { since: back });
    // The county router's last poll (before the uplink came back) still says silent: that proves nothing.
    expect(raised(engine.evaluate(back + 15 * S + 500)), 'no alarm of its own for the router on the way back').to.deep.equal([]);
    device('hyx-rtr-1', true, back + 16 * S);
    for (const c of depts) {
      circuit(c.id, 'up', back + 16 * S);
      if (c.z.kind === 'device') device(c.z.deviceId, true, back + 17 * S);
    }
    expect(engine.evaluate(back + 20 * S).filter((e) => e.type === 'cleared')).to.deep.equal([]);
    const cleared = engine.evaluate(back + 61 * S).filter((e) => e.type === 'cleared');
    expect(cleared.map((e) => e.alarm.id)).to.deep.equal([root.id]);
    expect(cleared[0]!.alarm.endedAtMs).to.equal(back);
    expect(engine.active()).to.deep.equal([]);
  });

  it('dates a circuit found down at first sight from when watching began, not from an ifLastChange months ago', () => {
    for (const d of topology.devices) if (d.managed) device(d.id, true, T0);
    for (const c of topology.circuits) if (c.id !== 'HY-HYX') circuit(c.id, 'up', T0);
    circuit('HY-HYX', 'down', T0, { since: T0 - 60 * 24 * MIN });
    const down = raised(engine.evaluate(T0 + S)).find((a) => a.kind === 'circuit_down' && a.subject.id === 'HY-HYX');
    expect(down?.startedAtMs, 'the outage starts when nms first saw it').to.equal(T0);
  });

  it('raises a silent device of its own once its path has been seen up since, or after waiting long enough', () => {
    allUp(T0 - 30 * S);
    device('hy-gaj-cpe', false, T0);
    expect(raised(engine.evaluate(T0 + S))).to.deep.equal([]);
    const uplink = topology.circuits.find((c) => c.z.kind === 'device' && c.z.deviceId === 'hy-gaj-cpe')!;
    circuit(uplink.id, 'up', T0 + 10 * S);
    device(uplink.a.deviceId, true, T0 + 10 * S);
    const alarms = raised(engine.evaluate(T0 + 11 * S));
    expect(alarms.map((a) => [a.kind, a.subject.id, a.severity])).to.deep.equal([['device_unreachable', 'hy-gaj-cpe', 'major']]);

    // Another, whose path is never polled again: raised when the wait runs out, not before.
    // It was silent from the start of the poll that found it so (4 s of timeouts before T0).
    device('hy-hbj-cpe', false, T0);
    const since = T0 - 4 * S;
    expect(raised(engine.evaluate(since + DEFAULT_ALARM_RULES.upstreamWaitMs - S))).to.deep.equal([]);
    const late = raised(engine.evaluate(since + DEFAULT_ALARM_RULES.upstreamWaitMs));
    expect(late.map((a) => [a.subject.id, a.startedAtMs])).to.deep.equal([['hy-hbj-cpe', since]]);
  });

  it('folds an alarm raised on its own into a root cause found later, without a clear', () => {
    allUp(T0 - 30 * S);
    device('hyx-rtr-1', false, T0);
    const first = raised(engine.evaluate(T0 + DEFAULT_ALARM_RULES.upstreamWaitMs));
    // (raised when the wait ran out: the uplink was last polled before the router fell silent)
    expect(first.map((a) => a.subject.id)).to.deep.equal(['hyx-rtr-1']);
    circuit('HY-HYX', 'down', T0 + DEFAULT_ALARM_RULES.upstreamWaitMs + 5 * S, { since: T0 - S });
    const events = engine.evaluate(T0 + DEFAULT_ALARM_RULES.upstreamWaitMs + 6 * S);
    expect(events.map((e) => `${e.type} ${e.alarm.subject.id}`)).to.deep.equal(['raised HY-HYX', 'absorbed hyx-rtr-1']);
    expect(engine.active().map((a) => a.subject.id)).to.deep.equal(['HY-HYX']);
  });

  it('takes a core router as a root at once, with every circuit behind it impacted', () => {
    allUp(T0 - 30 * S);
    device('hy-core-1', false, T0);
    for (const c of topology.circuitsOnDevice('hy-core-1')) circuit(c.id, 'unknown', T0);
    const alarms = raised(engine.evaluate(T0 + S));
    expect(alarms.map((a) => [a.kind, a.subject.id, a.severity])).to.deep.equal([['device_unreachable', 'hy-core-1', 'critical']]);
    const own = topology.circuits.filter((c) => c.a.deviceId === 'hy-core-1').map((c) => c.id);
    expect(alarms[0]!.impactedCircuits).to.include.members(own);
    expect(alarms[0]!.impactedCircuits).to.include.members(behind(own.find((id) => behind(id).length > 0)!).map((c) => c.id));
  });

  it('gives a bouncing link one down alarm and then one flapping alarm, not one per bounce', () => {
    allUp(T0 - 30 * S);
    let t = T0;
    const all: AlarmEvent[] = [];
    for (let k = 0; k < 6; k++) {
      circuit('HY-D-HBJ', k % 2 === 0 ? 'down' : 'up', t + S, { since: t });
      all.push(...engine.evaluate(t + 2 * S));
      t += 40 * S;
    }
    all.push(...engine.evaluate(t));
    expect(raised(all).map((a) => a.kind)).to.deep.equal(['circuit_down', 'flapping']);
    expect(all.filter((e) => e.type === 'cleared')).to.deep.equal([]);
    expect(engine.active().map((a) => a.kind)).to.deep.equal(['flapping']);
    // Quiet and up for a whole window: the flapping alarm clears.
    const cleared = engine.evaluate(t + DEFAULT_ALARM_RULES.flapWindowMs + MIN).filter((e) => e.type === 'cleared');
    expect(cleared.map((e) => e.alarm.kind)).to.deep.equal(['flapping']);
  });

  it('raises utilization only when it has lasted, and clears it below the threshold less the margin', () => {
    const c = topology.circuit('HY-D-HBJ');
    const tier = topology.slaTiers.get(c.slaTier)!;
    allUp(T0 - 30 * S);
    for (let m = 0; m <= 14; m++) circuit(c.id, 'up', T0 + m * MIN, { util: tier.utilizationWarnPct + 2 });
    expect(raised(engine.evaluate(T0 + 14 * MIN))).to.deep.equal([]);
    circuit(c.id, 'up', T0 + 15 * MIN, { util: tier.utilizationCriticalPct + 1 });
    const alarms = raised(engine.evaluate(T0 + 15 * MIN));
    expect(alarms.map((a) => [a.kind, a.severity, a.startedAtMs])).to.deep.equal([['utilization', 'major', T0]]);
    // Just under the threshold (within the margin) does not clear it.
    for (let m = 16; m <= 30; m++) circuit(c.id, 'up', T0 + m * MIN, { util: tier.utilizationWarnPct - 1 });
    expect(engine.evaluate(T0 + 30 * MIN).filter((e) => e.type === 'cleared')).to.deep.equal([]);
    for (let m = 31; m <= 36; m++) circuit(c.id, 'up', T0 + m * MIN, { util: 10 });
    expect(
      engine
        .evaluate(T0 + 36 * MIN)
        .filter((e) => e.type === 'cleared')
        .map((e) => e.alarm.kind),
    ).to.deep.equal(['utilization']);
  });

  /** A probe round of 20 echoes to a circuit's far end, ending at `at` (a minute long). */
  const round = (id: string, at: number, q: { rtt?: number; lost?: number; jitter?: number; down?: boolean } = {}) =>
    engine.observeQuality({
      circuitId: id,
      method: 'icmp',
      target: '10.0.0.1',
      startedAtMs: at - MIN,
      endedAtMs: at,
      sent: 20,
      received: 20 - (q.lost ?? 0),
      lossPct: ((q.lost ?? 0) / 20) * 100,
      rttMinMs: q.rtt ?? 5,
      rttMedianMs: q.lost === 20 ? null : (q.rtt ?? 5),
      rttMeanMs: q.rtt ?? 5,
      rttMaxMs: q.rtt ?? 5,
      jitterMs: q.jitter ?? 0.5,
      unmeasured: 0,
      duplicates: 0,
      errors: [],
      breaches: [],
      downDuring: q.down ?? false,
    });

  it('raises a degraded alarm once the window of rounds has stayed over a limit, and clears it under the limit less the margin', () => {
    const id = 'HY-LYS';
    const c = topology.circuit(id);
    const limits = topology.slaTiers.get(c.slaTier)!.quality;
    const q = DEFAULT_ALARM_RULES.quality;
    allUp(T0 - 30 * S);
    for (let m = 0; m <= 5; m++) round(id, T0 + m * MIN);
    expect(raised(engine.evaluate(T0 + 5 * MIN))).to.deep.equal([]);
    // Delayed from minute 6: the window's median follows once most of its rounds are slow.
    const over = limits.latencyMs! + 40;
    let at = T0 + 6 * MIN;
    const firstAlarmAt: number[] = [];
    for (; at <= T0 + 20 * MIN; at += MIN) {
      round(id, at, { rtt: over });
      const r = raised(engine.evaluate(at));
      if (r.length) firstAlarmAt.push(at);
      if (r.length) expect(r.map((a) => [a.kind, a.subject.id, a.severity])).to.deep.equal([['circuit_degraded', id, 'major']]);
    }
    expect(firstAlarmAt, 'raised once').to.have.length(1);
    const alarm = engine.active().find((a) => a.kind === 'circuit_degraded')!;
    // The window turned over a limit at its third slow round, and it had to stay so for `sustain`.
    expect(firstAlarmAt[0]! - alarm.startedAtMs).to.be.within(q.sustainMs, q.sustainMs + MIN);
    expect(alarm.evidence!.zh).to.equal(
      `中国电信 ${c.carrierCircuitId}：近 5 分钟时延中位数 ${over.toFixed(1)} ms（SLA ≤ ${limits.latencyMs!.toFixed(1)} ms）（探测 10.0.0.1）`,
    );
    expect(alarm.impactedCircuits).to.have.members(behind(id).map((x) => x.id));
    // Back just under the limit, within the margin: it holds.
    for (let k = 0; k < 12; k++, at += MIN) {
      round(id, at, { rtt: limits.latencyMs! * 0.95 });
      expect(
        engine.evaluate(at).filter((e) => e.type === 'cleared'),
        'within the margin',
      ).to.deep.equal([]);
    }
    // Well under: it clears after clearAfter, ending when the window came back under.
    const cleared: AlarmEvent[] = [];
    for (let k = 0; k < 12; k++, at += MIN) {
      round(id, at);
      cleared.push(...engine.evaluate(at).filter((e) => e.type === 'cleared'));
    }
    expect(cleared.map((e) => e.alarm.kind)).to.deep.equal(['circuit_degraded']);
    expect(cleared[0]!.alarm.endedAtMs! - cleared[0]!.alarm.startedAtMs).to.be.above(10 * MIN);
  });

  it('raises nothing for the departments behind a degraded county uplink, and nothing for a line that is down', () => {
    const up = 'HY-HYX';
    const depts = behind(up);
    allUp(T0 - 30 * S);
    // One department's own line is down; its rounds are all lost, while it is down.
    const downed = depts[0]!.id;
    circuit(downed, 'down', T0, { since: T0 });
    for (let m = 1; m <= 12; m++) {
      const at = T0 + m * MIN;
      round(up, at, { rtt: 90, lost: 2 });
      for (const d of depts) round(d.id, at, d.id === downed ? { lost: 20, down: true } : { rtt: 95, lost: 2 });
      // And a department elsewhere that loses everything while its line is down.
      circuit('HY-D-HBJ', 'down', at, { since: T0 });
      round('HY-D-HBJ', at, { lost: 20, down: true });
    }
    const alarms = raised(engine.evaluate(T0 + 12 * MIN));
    expect(alarms.filter((a) => a.kind === 'circuit_degraded').map((a) => a.subject.id)).to.deep.equal([up]);
    expect(
      alarms
        .filter((a) => a.kind === 'circuit_down')
        .map((a) => a.subject.id)
        .sort(),
    ).to.deep.equal([downed, 'HY-D-HBJ'].sort());
  });

  it("waits for an uplink's verdict before alarming a department behind it, and keeps it under the uplink until the uplink's alarm clears", () => {
    const up = 'HY-HYX';
    const dept = behind(up)[0]!.id;
    allUp(T0 - 30 * S);
    const pushed: AlarmEvent[] = [];
    // Each minute the department's round is judged first (its CPE was polled first), the uplink's a moment later.
    let at = T0;
    for (let m = 1; m <= 10; m++) {
      at = T0 + m * MIN;
      round(dept, at, { rtt: 120 });
      pushed.push(...engine.evaluate(at));
      round(up, at, { rtt: 110 });
      pushed.push(...engine.evaluate(at + S));
    }
    expect(raised(pushed).map((a) => a.subject.id)).to.deep.equal([up]);
    // The uplink's window comes back first; the department's lags a round, under the uplink's standing alarm.
    for (let m = 11; m <= 30; m++) {
      at = T0 + m * MIN;
      round(up, at);
      pushed.push(...engine.evaluate(at));
      round(dept, at, m < 14 ? { rtt: 120 } : {});
      pushed.push(...engine.evaluate(at + S));
    }
    expect(pushed.filter((e) => e.type === 'raised' || e.type === 'cleared').map((e) => `${e.type} ${e.alarm.subject.id}`)).to.deep.equal([
      `raised ${up}`,
      `cleared ${up}`,
    ]);
  });

  it('notes a reboot once, from sysUpTime or a coldStart trap, and lets it clear itself', () => {
    allUp(T0 - 30 * S);
    device('hy-gaj-cpe', true, T0, 30);
    engine.observeTrap({ kind: 'coldStart', deviceId: 'hy-gaj-cpe', circuitId: null, atMs: T0 - 25 * S });
    const alarms = raised(engine.evaluate(T0 + S));
    expect(alarms.map((a) => [a.kind, a.subject.id, a.severity])).to.deep.equal([['device_rebooted', 'hy-gaj-cpe', 'warning']]);
    expect(alarms[0]!.startedAtMs).to.equal(T0 - 30 * S);
    const cleared = engine.evaluate(T0 + DEFAULT_ALARM_RULES.rebootHoldMs).filter((e) => e.type === 'cleared');
    expect(cleared.map((e) => e.alarm.kind)).to.deep.equal(['device_rebooted']);
  });

  it('takes a linkDown trap at once, to the millisecond, and a poll as confirmation', () => {
    allUp(T0 - 30 * S);
    engine.observeTrap({ kind: 'linkDown', deviceId: 'hy-core-1', circuitId: 'HY-HYX', atMs: T0 + 123 });
    const alarms = raised(engine.evaluate(T0 + 200));
    expect(alarms.map((a) => [a.subject.id, a.startedAtMs])).to.deep.equal([['HY-HYX', T0 + 123]]);
    // A poll that began before the trap and reports late does not undo it.
    circuit('HY-HYX', 'up', T0 + 100);
    circuit('HY-HYX', 'up', T0 + 900, { from: T0 + 50 });
    expect(engine.active().map((a) => a.subject.id)).to.deep.equal(['HY-HYX']);
    circuit('HY-HYX', 'down', T0 + 20 * S, { since: T0 + 120 });
    expect(raised(engine.evaluate(T0 + 21 * S))).to.deep.equal([]);
  });

  it('clears a linkDown trap the poll contradicts as spurious: no outage, the old status kept, one spurious trap counted', () => {
    allUp(T0 - 30 * S);
    engine.observeTrap({ kind: 'linkDown', deviceId: 'hy-core-1', circuitId: 'HY-HYX', atMs: T0 });
    expect(raised(engine.evaluate(T0 + 100)).map((a) => a.subject.id)).to.deep.equal(['HY-HYX']);
    // The confirming poll, begun after the trap: up, and unchanged for a week (ifLastChange).
    circuit('HY-HYX', 'up', T0 + 2 * S, { since: T0 - 7 * 24 * 60 * MIN, from: T0 + S });
    const events = engine.evaluate(T0 + 3 * S);
    const cleared = events.filter((e) => e.type === 'cleared').map((e) => e.alarm);
    expect(cleared.map((a) => [a.subject.id, a.spurious, a.endedAtMs])).to.deep.equal([['HY-HYX', true, null]]);
    expect(cleared[0]!.detail).to.include('spurious trap from hy-core-1');
    expect(engine.spuriousTraps.get('hy-core-1')).to.equal(1);
    expect(engine.active()).to.deep.equal([]);
    // Up since before the trap, as it was: a real outage later starts and ends in order.
    circuit('HY-HYX', 'down', T0 + 60 * S, { since: T0 + 55 * S });
    const real = raised(engine.evaluate(T0 + 61 * S)).find((a) => a.subject.id === 'HY-HYX')!;
    expect(real.startedAtMs).to.equal(T0 + 55 * S);
    circuit('HY-HYX', 'up', T0 + 70 * S, { since: T0 - 60 * MIN });
    const ended = [...engine.evaluate(T0 + 71 * S), ...engine.evaluate(T0 + 200 * S)].find((e) => e.type === 'cleared')!.alarm;
    expect(ended.endedAtMs!, 'an end never before its start').to.be.at.least(ended.startedAtMs);
  });

  it('keeps a linkUp trap against a poll that left before it and came back after, with one clear and no flapping', () => {
    allUp(T0 - 30 * S);
    engine.observeTrap({ kind: 'linkDown', deviceId: 'hy-core-1', circuitId: 'HY-HYX', atMs: T0 });
    engine.evaluate(T0 + 100);
    engine.observeTrap({ kind: 'linkUp', deviceId: 'hy-core-1', circuitId: 'HY-HYX', atMs: T0 + 10 * S });
    // Asked at T0 + 9.5 s, while the link was still down; the reply was handled only after the trap (a busy machine).
    circuit('HY-HYX', 'down', T0 + 10 * S + 400, { from: T0 + 9.5 * S });
    const events = [...engine.evaluate(T0 + 11 * S), ...engine.evaluate(T0 + 20 * S)];
    // Polls that left after the trap say up, as it did; the clear waits out its hysteresis (60 s).
    for (let t = 30; t <= 80; t += 10) {
      circuit('HY-HYX', 'up', T0 + t * S, { from: T0 + (t - 0.1) * S });
      events.push(...engine.evaluate(T0 + t * S + 100));
    }
    expect(events.map((e) => `${e.type} ${e.alarm.kind}`)).to.deep.equal(['cleared circuit_down']);
  });

  it('acknowledges and shelves active alarms only, saying why not', () => {
    allUp(T0 - 30 * S);
    circuit('HY-HYX', 'down', T0, { since: T0 });
    const [alarm] = raised(engine.evaluate(T0));
    const ack = engine.acknowledge(alarm!.id, 'zhang.wei', '已通知电信', T0 + MIN);
    expect(ack.alarm.ack).to.deep.equal({ by: 'zhang.wei', atMs: T0 + MIN, comment: '已通知电信' });
    expect(() => engine.acknowledge(alarm!.id, 'li.na', '', T0 + 2 * MIN)).to.throw(AlarmError, 'already acknowledged by zhang.wei');
    expect(() => engine.acknowledge('circuit_down:NOPE@1', 'li.na', '', T0)).to.throw(AlarmError, 'no alarm circuit_down:NOPE@1');
    expect(() => engine.shelve(alarm!.id, T0, T0 + MIN)).to.throw(AlarmError, 'in the future');
    expect(engine.shelve(alarm!.id, T0 + 60 * MIN, T0 + MIN).alarm.shelvedUntilMs).to.equal(T0 + 60 * MIN);
  });

  it('carries on from a snapshot with no alarm raised twice', () => {
    allUp(T0 - 30 * S);
    circuit('HY-HYX', 'down', T0, { since: T0 });
    expect(raised(engine.evaluate(T0 + S))).to.have.length(1);
    const restored = new AlarmEngine(topology, DEFAULT_ALARM_RULES, JSON.parse(JSON.stringify(engine.snapshot())));
    expect(restored.evaluate(T0 + 2 * S)).to.deep.equal([]);
    restored.observeCircuit({
      circuitId: 'HY-HYX',
      status: 'up',
      statusSinceMs: T0 + 5 * MIN,
      inBps: null,
      outBps: null,
      inUtilPct: null,
      outUtilPct: null,
      errorsPerS: null,
      end: 'a',
      polledFromMs: T0 + 5 * MIN,
      updatedAtMs: T0 + 5 * MIN,
      note: null,
    });
    const cleared = restored.evaluate(T0 + 7 * MIN).filter((e) => e.type === 'cleared');
    expect(cleared.map((e) => [e.alarm.subject.id, e.alarm.endedAtMs! - e.alarm.startedAtMs])).to.deep.equal([['HY-HYX', 5 * MIN]]);
  });

  it('marks alarms raised during planned work on their subject, or on a site above it, and no others', () => {
    allUp(T0 - 30 * S);
    engine.setMaintenance([{ subjects: ['hyx'], fromMs: T0, toMs: T0 + 60 * MIN, reason: '衡阳县机房割接' }]);
    const county = topology.circuit('HY-HYX');
    circuit('HY-HYX', 'down', T0 + MIN, { since: T0 + MIN });
    circuit('HY-D-HBJ', 'down', T0 + MIN, { since: T0 + MIN });
    const alarms = raised(engine.evaluate(T0 + MIN));
    const bySubject = new Map(alarms.map((a) => [a.subject.id, a.maintenance]));
    // HY-HYX belongs to the 衡阳县 site (hyx); HY-D-HBJ does not.
    expect(topology.site(county.ownerSiteId).countyId).to.equal('hyx');
    expect(bySubject.get('HY-HYX')).to.equal(true);
    expect(bySubject.get('HY-D-HBJ')).to.equal(false);
    // After the window, a new fault is not planned work.
    circuit('HY-HNX', 'down', T0 + 61 * MIN, { since: T0 + 61 * MIN });
    expect(raised(engine.evaluate(T0 + 61 * MIN)).map((a) => a.maintenance)).to.deep.equal([false]);
  });
  describe('city pollers at a centre', () => {
    const hyx = () => {
      const sites = topology.sites.filter((x) => x.id === 'hyx' || x.parentId === 'hyx').map((x) => x.id);
      const devices = topology.devices.filter((d) => d.managed && sites.includes(d.siteId)).map((d) => d.id);
      return { name: 'hyx', givenSites: ['hyx'], sites, devices, circuits: topology.circuits.filter((c) => devices.includes(c.a.deviceId)).map((c) => c.id) };
    };

    it('raises one alarm for a poller unheard for silentAfter, its share impacted, and clears it when heard, the silence its length', () => {
      const p = hyx();
      engine.watchPollers([p], T0);
      engine.pollerHeard('hyx', T0 + 10 * S);
      expect(engine.evaluate(T0 + 10 * S + DEFAULT_ALARM_RULES.pollerSilentMs - S)).to.deep.equal([]);
      const [alarm, ...more] = raised(engine.evaluate(T0 + 10 * S + DEFAULT_ALARM_RULES.pollerSilentMs));
      expect(more).to.deep.equal([]);
      expect([alarm!.kind, alarm!.subject, alarm!.startedAtMs]).to.deep.equal(['poller_silent', { type: 'poller', id: 'hyx' }, T0 + 10 * S]);
      expect(alarm!.impactedCircuits).to.have.members(p.circuits);
      expect(alarm!.evidence!.zh).to.include('衡阳县');
      expect(engine.evaluate(T0 + 5 * MIN)).to.deep.equal([]);
      engine.pollerHeard('hyx', T0 + 6 * MIN);
      const cleared = engine.evaluate(T0 + 6 * MIN + S).filter((e) => e.type === 'cleared');
      expect(cleared.map((e) => [e.alarm.kind, e.alarm.endedAtMs! - e.alarm.startedAtMs])).to.deep.equal([['poller_silent', 6 * MIN - 10 * S]]);
    });

    it('gives a poller its full silentAfter from a centre start, and keeps a silence that began before a restart', () => {
      engine.watchPollers([hyx()], T0);
      expect(engine.evaluate(T0 + DEFAULT_ALARM_RULES.pollerSilentMs - S)).to.deep.equal([]);
      expect(raised(engine.evaluate(T0 + DEFAULT_ALARM_RULES.pollerSilentMs))).to.have.length(1);
      const restored = new AlarmEngine(topology, DEFAULT_ALARM_RULES, JSON.parse(JSON.stringify(engine.snapshot())));
      restored.watchPollers([hyx()], T0 + 10 * MIN);
      // Still silent: no clear, no second alarm.
      expect(restored.evaluate(T0 + 10 * MIN + S)).to.deep.equal([]);
      restored.pollerHeard('hyx', T0 + 11 * MIN);
      expect(restored.evaluate(T0 + 11 * MIN).map((e) => e.type)).to.deep.equal(['cleared']);
    });
  });
});
