/**
 * Each alarm rule on its own, with only what the engine would give it: the
 * real topology, the default timings, and a context whose open and close
 * keep alarms in a map. The engine's own tests (alarmEngine.test.ts) take
 * the rules together, with root cause and traps.
 */
import { expect } from 'chai';
import type { Alarm, AlarmEvent } from '../../../shared/alarms/types.ts';
import type { QualityLive } from '../../../shared/live/liveState.ts';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { newAlarm } from '../../../server/alarms/alarmEngine.ts';
import { DEFAULT_ALARM_RULES } from '../../../server/alarms/alarmRules.ts';
import { ImpactTree } from '../../../server/alarms/impactTree.ts';
import type { CircuitObs, DeviceObs, RuleContext } from '../../../server/alarms/rules/alarmRule.ts';
import { ErrorsRule } from '../../../server/alarms/rules/errorsRule.ts';
import { FlappingRule } from '../../../server/alarms/rules/flappingRule.ts';
import { OutageRule } from '../../../server/alarms/rules/outageRule.ts';
import { PollerSilentRule } from '../../../server/alarms/rules/pollerSilentRule.ts';
import { QualityRule } from '../../../server/alarms/rules/qualityRule.ts';
import { RebootRule } from '../../../server/alarms/rules/rebootRule.ts';
import { SlaBudgetRule } from '../../../server/alarms/rules/slaBudgetRule.ts';
import { UtilizationRule } from '../../../server/alarms/rules/utilizationRule.ts';

const T0 = Date.UTC(2026, 11, 3, 1, 0, 0);
const S = 1000;
const MIN = 60 * S;

interface Harness {
  ctx: RuleContext;
  circuits: Map<string, CircuitObs>;
  devices: Map<string, DeviceObs>;
  active: Map<string, Alarm>;
  emitted: AlarmEvent[];
}

function harness(topology: Topology): Harness {
  const circuits = new Map<string, CircuitObs>();
  const devices = new Map<string, DeviceObs>();
  const active = new Map<string, Alarm>();
  const emitted: AlarmEvent[] = [];
  const ctx: RuleContext = {
    topology,
    rules: DEFAULT_ALARM_RULES,
    tree: new ImpactTree(topology),
    circuits,
    devices,
    active: (key) => active.get(key),
    activeAlarms: () => [...active.values()],
    open: (kind, subject, since, now, severity, evidence, impact) => {
      const alarm = newAlarm(kind, subject, since, now, severity, evidence, impact, false);
      active.set(alarm.key, alarm);
      return alarm;
    },
    close: (alarm, now, endedAt) => {
      active.delete(alarm.key);
      return { ...alarm, clearedAtMs: now, endedAtMs: endedAt };
    },
    emit: (e) => emitted.push(e),
  };
  return { ctx, circuits, devices, active, emitted };
}

const obs = (status: CircuitObs['status'], sinceMs: number, extra: Partial<CircuitObs> = {}): CircuitObs => ({
  status,
  sinceMs,
  observedAtMs: sinceMs,
  latestFromMs: sinceMs,
  transitions: [],
  utilPct: null,
  errorsPerS: null,
  ...extra,
});

/** A probe round of 20 echoes, 20 s long; `sent` 0 is a round whose every echo was left out. */
const round = (circuitId: string, startedAtMs: number, lossPct: number, sent = 20): QualityLive => ({
  circuitId,
  method: 'udp-echo',
  target: '127.0.0.1:7',
  startedAtMs,
  endedAtMs: startedAtMs + 20 * S,
  sent,
  received: Math.round(sent * (1 - lossPct / 100)),
  unmeasured: 20 - sent,
  lossPct,
  rttMinMs: 5,
  rttMedianMs: 6,
  rttMeanMs: 6,
  rttMaxMs: 8,
  jitterMs: 0.5,
  duplicates: 0,
  errors: [],
  breaches: [],
  downDuring: false,
});

const kinds = (events: AlarmEvent[]) => events.map((e) => `${e.type} ${e.alarm.kind}:${e.alarm.subject.id}`);

describe('alarm rules, each on its own', () => {
  let topology: Topology;
  let h: Harness;
  before(async () => {
    topology = await loadTopology('topology.yaml');
  });
  beforeEach(() => {
    h = harness(topology);
  });

  it('utilization: raised after the sustain at or above the tier threshold, major past critical, cleared only below the margin', () => {
    const rule = new UtilizationRule(h.ctx);
    const sustain = DEFAULT_ALARM_RULES.utilization.sustainMs;
    // HY-LYS is a county line: warn at 70%, critical at 90%, clear below 65%.
    rule.circuitObserved('HY-LYS', obs('up', T0, { utilPct: 75 }), T0);
    const none: AlarmEvent[] = [];
    rule.evaluate(T0 + sustain - S, none);
    expect(none).to.deep.equal([]);
    rule.circuitObserved('HY-LYS', obs('up', T0, { utilPct: 93 }), T0 + MIN);
    const raised: AlarmEvent[] = [];
    rule.evaluate(T0 + sustain, raised);
    expect(kinds(raised)).to.deep.equal(['raised utilization:HY-LYS']);
    expect([raised[0]!.alarm.severity, raised[0]!.alarm.startedAtMs]).to.deep.equal(['major', T0]);
    // 67% is under the threshold but within its margin: not clear.
    rule.circuitObserved('HY-LYS', obs('up', T0, { utilPct: 67 }), T0 + 20 * MIN);
    const held: AlarmEvent[] = [];
    rule.evaluate(T0 + 40 * MIN, held);
    expect(held).to.deep.equal([]);
    rule.circuitObserved('HY-LYS', obs('up', T0, { utilPct: 40 }), T0 + 41 * MIN);
    const cleared: AlarmEvent[] = [];
    rule.evaluate(T0 + 41 * MIN + DEFAULT_ALARM_RULES.utilization.clearAfterMs, cleared);
    expect(kinds(cleared)).to.deep.equal(['cleared utilization:HY-LYS']);
    expect(cleared[0]!.alarm.endedAtMs).to.equal(T0 + 41 * MIN);
  });

  it('errors: raised after errorsSustainMs at the rate, cleared after errorsClearAfterMs below it', () => {
    const rule = new ErrorsRule(h.ctx);
    h.circuits.set('HY-LYS', obs('up', T0, { errorsPerS: 3 }));
    rule.circuitObserved('HY-LYS', h.circuits.get('HY-LYS')!, T0);
    const raised: AlarmEvent[] = [];
    rule.evaluate(T0 + DEFAULT_ALARM_RULES.errorsSustainMs, raised);
    expect(kinds(raised)).to.deep.equal(['raised errors:HY-LYS']);
    expect(raised[0]!.alarm.evidence!.en).to.equal('3.0 errors and discards per second');
    rule.circuitObserved('HY-LYS', obs('up', T0, { errorsPerS: 0 }), T0 + 10 * MIN);
    const cleared: AlarmEvent[] = [];
    rule.evaluate(T0 + 10 * MIN + DEFAULT_ALARM_RULES.errorsClearAfterMs, cleared);
    expect(kinds(cleared)).to.deep.equal(['cleared errors:HY-LYS']);
  });

  it('flapping: raised on the fourth change within the window, taking the outage alarm in, and cleared once the window is quiet and the line up', () => {
    const rule = new FlappingRule(h.ctx);
    const down = h.ctx.open('circuit_down', { type: 'circuit', id: 'HY-LYS' }, T0 + 3 * MIN, T0 + 3 * MIN, 'critical', { zh: '中断', en: 'down' }, null);
    h.circuits.set('HY-LYS', obs('down', T0 + 3 * MIN, { transitions: [T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN] }));
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + 3 * MIN, events);
    expect(kinds(events)).to.deep.equal(['absorbed circuit_down:HY-LYS', 'raised flapping:HY-LYS']);
    expect(events[0]).to.deep.include({ rootId: events[1]!.alarm.id });
    expect(events[0]!.alarm.id).to.equal(down.id);
    h.circuits.set('HY-LYS', obs('up', T0 + 4 * MIN, { transitions: [T0 + 4 * MIN] }));
    const later: AlarmEvent[] = [];
    rule.evaluate(T0 + 4 * MIN + DEFAULT_ALARM_RULES.flapWindowMs + S, later);
    expect(kinds(later)).to.deep.equal(['cleared flapping:HY-LYS']);
  });

  it('device_rebooted: once for a sysUpTime that fell, not for one that wrapped, and clear after the hold', () => {
    const rule = new RebootRule(h.ctx);
    const before: DeviceObs = { reachable: true, sinceMs: T0, observedAtMs: T0, pollStartMs: T0, uptimeS: 5_000_000, error: null };
    const live = (uptimeS: number, at: number) => ({
      deviceId: 'lys-rtr-1',
      reachable: true,
      responseMs: 5,
      cpuPct: 1,
      memPct: 1,
      uptimeS,
      polledFromMs: at,
      updatedAtMs: at,
      error: null,
    });
    // 497 days of TimeTicks wrap: 42,949,672.96 s back to a few seconds.
    rule.deviceObserved({ ...before, uptimeS: 42_949_600 }, live(60, T0 + MIN));
    expect(h.emitted).to.deep.equal([]);
    rule.deviceObserved(before, live(120, T0 + MIN));
    rule.restartTrap('lys-rtr-1', 'coldStart', T0 + MIN);
    expect(kinds(h.emitted)).to.deep.equal(['raised device_rebooted:lys-rtr-1']);
    expect(h.emitted[0]!.alarm.startedAtMs).to.equal(T0 + MIN - 120 * S);
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + MIN + DEFAULT_ALARM_RULES.rebootHoldMs, events);
    expect(kinds(events)).to.deep.equal(['cleared device_rebooted:lys-rtr-1']);
  });

  it('sla_budget: raised and cleared by the ledger’s verdict alone, not by the clock', () => {
    const rule = new SlaBudgetRule(h.ctx);
    rule.verdict('HY-LYS', { zh: '本月已超出', en: 'over budget this month' }, T0);
    rule.verdict('HY-LYS', { zh: '本月已超出', en: 'over budget this month' }, T0 + MIN);
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + 100 * MIN, events);
    expect(events).to.deep.equal([]);
    rule.verdict('HY-LYS', null, T0 + 2 * MIN);
    expect(kinds(h.emitted)).to.deep.equal(['raised sla_budget:HY-LYS', 'cleared sla_budget:HY-LYS']);
  });

  it('poller_silent: raised after silentAfter unheard, with its whole share impacted, cleared when heard', () => {
    const rule = new PollerSilentRule(h.ctx);
    rule.watch([{ name: 'hyx', givenSites: ['hyx'], sites: ['hyx'], devices: ['hyx-rtr-1'], circuits: ['HYX-GAJ'] }], T0);
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + DEFAULT_ALARM_RULES.pollerSilentMs, events);
    expect(kinds(events)).to.deep.equal(['raised poller_silent:hyx']);
    expect(events[0]!.alarm.impactedCircuits).to.deep.equal(['HYX-GAJ']);
    rule.heard('hyx', T0 + 2 * MIN);
    const cleared: AlarmEvent[] = [];
    rule.evaluate(T0 + 2 * MIN, cleared);
    expect(kinds(cleared)).to.deep.equal(['cleared poller_silent:hyx']);
  });

  it('circuit_degraded: raised after the sustain over a limit, never for a line that is down', () => {
    const rule = new QualityRule(h.ctx);
    // HY-LYS (county: loss ≤ 1%) loses 10% for four minutes, over the 3-minute sustain.
    for (let m = 0; m <= 4; m++) rule.round(round('HY-LYS', T0 + m * MIN, 10));
    for (let m = 0; m <= 4; m++) rule.round(round('HY-HNX', T0 + m * MIN, 10));
    h.ctx.open('circuit_down', { type: 'circuit', id: 'HY-HNX' }, T0, T0, 'critical', { zh: '中断', en: 'down' }, null);
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + 4 * MIN + 20 * S, events);
    expect(kinds(events)).to.deep.equal(['raised circuit_degraded:HY-LYS']);
    expect(events[0]!.alarm.startedAtMs).to.equal(T0);
    // Lost half its echoes: 10× the limit is severe.
    expect(events[0]!.alarm.severity).to.equal('major');
  });

  it('circuit_down: a county line down is the root; the departments behind it are impacted, not raised', () => {
    const rule = new OutageRule(h.ctx);
    for (const c of topology.circuits) h.circuits.set(c.id, obs('up', T0 - MIN));
    for (const d of topology.devices.filter((x) => x.managed))
      h.devices.set(d.id, { reachable: true, sinceMs: T0 - MIN, observedAtMs: T0, pollStartMs: T0, uptimeS: 1000, error: null });
    h.circuits.set('HY-HYX', obs('down', T0));
    const behind = topology.circuits.filter((c) => c.upstreamIds.includes('HY-HYX'));
    for (const c of behind) h.circuits.set(c.id, obs('unknown', T0));
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + S, events);
    expect(kinds(events)).to.deep.equal(['raised circuit_down:HY-HYX']);
    expect(events[0]!.alarm.impactedCircuits).to.include.members(behind.map((c) => c.id));
    h.circuits.set('HY-HYX', obs('up', T0 + 2 * MIN));
    const cleared: AlarmEvent[] = [];
    rule.evaluate(T0 + 2 * MIN + DEFAULT_ALARM_RULES.outageClearAfterMs, cleared);
    expect(kinds(cleared)).to.deep.equal(['cleared circuit_down:HY-HYX']);
    expect(cleared[0]!.alarm.endedAtMs).to.equal(T0 + 2 * MIN);
  });

  it('circuit_degraded: a department waits for its uplink’s verdict, which a round with every echo left out is not', () => {
    const rule = new QualityRule(h.ctx);
    const wait = DEFAULT_ALARM_RULES.quality.sustainMs;
    // The department behind 衡阳县's uplink is over its limit first; the uplink's rounds so far had no echo timed.
    for (let m = 0; m <= 4; m++) rule.round(round('HYX-GAJ', T0 + m * MIN, 10));
    // The uplink's latest round is newer than the department's, but timed no echo.
    for (let m = 0; m <= 4; m++) rule.round(round('HY-HYX', T0 + m * MIN + 30 * S, 0, 0));
    const early: AlarmEvent[] = [];
    rule.evaluate(T0 + wait + 2 * MIN, early);
    expect(early, 'no verdict from the uplink yet').to.deep.equal([]);
    // Its next round times its echoes: over the limit since then, it is the root once sustained, the department impacted.
    for (let m = 5; m <= 8; m++) rule.round(round('HY-HYX', T0 + m * MIN, 10));
    for (let m = 5; m <= 8; m++) rule.round(round('HYX-GAJ', T0 + m * MIN, 10));
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + 8 * MIN + 20 * S, events);
    expect(kinds(events)).to.deep.equal(['raised circuit_degraded:HY-HYX']);
    expect(events[0]!.alarm.impactedCircuits).to.include('HYX-GAJ');
  });

  it('circuit_degraded: an uplink round that ended after the department’s began, but began before it, is not the uplink’s verdict on it', () => {
    const rule = new QualityRule(h.ctx);
    // Rounds every 5 s that last 6 s: each ends after the next has begun. The department's window is over from its first round;
    // the uplink has answered only for the round before the department's latest.
    const r = (circuitId: string, startedAtMs: number, lossPct: number) => ({ ...round(circuitId, startedAtMs, lossPct), endedAtMs: startedAtMs + 6 * S });
    for (let k = 0; k <= 36; k++) rule.round(r('HYX-GAJ', T0 + k * 5 * S, 10));
    for (let k = 0; k <= 35; k++) rule.round(r('HY-HYX', T0 + k * 5 * S, 0));
    const waiting: AlarmEvent[] = [];
    rule.evaluate(T0 + 36 * 5 * S + 6 * S, waiting);
    expect(waiting, 'the uplink has not spoken for the same round').to.deep.equal([]);
    rule.round(r('HY-HYX', T0 + 36 * 5 * S, 0));
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + 36 * 5 * S + 6 * S, events);
    expect(kinds(events), 'the uplink is fine: the department’s own fault').to.deep.equal(['raised circuit_degraded:HYX-GAJ']);
  });

  it('circuit_degraded: a department over its limit by chance a round before its uplink waits for the uplink’s rounds over its whole sustain', () => {
    const rule = new QualityRule(h.ctx);
    // A fault on the uplink: by the luck of which echoes were lost, the department's window is over from round 0,
    // the uplink's (its own echoes) only from round 3. Rounds every minute, the window 5 minutes, the sustain 3.
    for (let m = 0; m <= 2; m++) rule.round(round('HYX-GAJ', T0 + m * MIN, 10));
    for (let m = 0; m <= 2; m++) rule.round(round('HY-HYX', T0 + m * MIN, 0));
    const early: AlarmEvent[] = [];
    rule.evaluate(T0 + 3 * MIN + 10 * S, early);
    expect(early, 'the uplink has not been judged over the department’s sustain yet').to.deep.equal([]);
    for (let m = 3; m <= 6; m++) rule.round(round('HY-HYX', T0 + m * MIN, 10));
    for (let m = 3; m <= 6; m++) rule.round(round('HYX-GAJ', T0 + m * MIN, 10));
    const events: AlarmEvent[] = [];
    rule.evaluate(T0 + 6 * MIN + 30 * S, events);
    expect(kinds(events)).to.deep.equal(['raised circuit_degraded:HY-HYX']);
    expect(events[0]!.alarm.impactedCircuits).to.include('HYX-GAJ');
  });
});
