/**
 * The alarm engine: pure, fed with what the pollers and traps observe and a
 * clock reading, answering with events. No I/O: the shell around it
 * (alarmService) persists its state and hands events to the notifiers.
 *
 * Each kind of alarm is a rule of its own (rules/): the engine keeps what
 * they share (the latest status of every circuit and device, the active
 * alarms and their history, planned work, traps awaiting a poll's word) and
 * asks each rule in turn. Root cause is the outage rule's: a fault that a
 * fault upstream explains raises nothing of its own and is listed as
 * impacted under the root alarm.
 */
import { EVIDENCE, evidenceText } from '../../shared/alarms/alarmWords.ts';
import {
  alarmState,
  type Alarm,
  type AlarmEvent,
  type AlarmKind,
  type AlarmSubject,
  type MaintenanceWindow,
  type Severity,
  type TrapObservation,
} from '../../shared/alarms/types.ts';
import { Refusal } from '../../shared/errors/refusal.ts';
import type { CircuitLive, DeviceLive, LinkStatus, QualityLive } from '../../shared/live/liveState.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { LocalizedName } from '../../shared/model/types.ts';
import type { AlarmRules } from './alarmRules.ts';
import { ImpactTree, type Impact } from './impactTree.ts';
import type { AlarmRule, CircuitObs, DeviceObs, RuleContext } from './rules/alarmRule.ts';
import { ErrorsRule } from './rules/errorsRule.ts';
import { FlappingRule } from './rules/flappingRule.ts';
import { OutageRule } from './rules/outageRule.ts';
import { PollerSilentRule, type WatchedPoller } from './rules/pollerSilentRule.ts';
import { QualityRule } from './rules/qualityRule.ts';
import { RebootRule } from './rules/rebootRule.ts';
import { SlaBudgetRule } from './rules/slaBudgetRule.ts';
import { UtilizationRule } from './rules/utilizationRule.ts';

/** Everything the engine must keep across a restart. */
export interface EngineSnapshot {
  circuits: Array<[string, CircuitObs]>;
  devices: Array<[string, DeviceObs]>;
  active: Alarm[];
  history: Alarm[];
}

/** Refused: an unknown alarm (not_found), or one whose state forbids the change (conflict). */
export class AlarmError extends Refusal {}

export class AlarmEngine {
  readonly tree: ImpactTree;
  readonly #circuits = new Map<string, CircuitObs>();
  readonly #devices = new Map<string, DeviceObs>();
  /** Active alarms by key. */
  readonly #active = new Map<string, Alarm>();
  #history: Alarm[] = [];
  #maintenance: readonly MaintenanceWindow[] = [];
  /** Events decided between evaluations (a reboot seen in a poll, a spurious trap, an SLA verdict). */
  readonly #pending: AlarmEvent[] = [];
  readonly #pollers: PollerSilentRule;
  readonly #reboots: RebootRule;
  readonly #quality: QualityRule;
  readonly #slaBudget: SlaBudgetRule;
  /** In the order they decide: a poller heard again is back before what its replay tells is decided. */
  readonly #rules: readonly AlarmRule[];

  constructor(
    readonly topology: Topology,
    readonly rules: AlarmRules,
    snapshot?: EngineSnapshot,
  ) {
    this.tree = new ImpactTree(topology);
    if (snapshot) {
      for (const [id, o] of snapshot.circuits) this.#circuits.set(id, o);
      for (const [id, o] of snapshot.devices) this.#devices.set(id, o);
      for (const a of snapshot.active) this.#active.set(a.key, a);
      this.#history = [...snapshot.history];
    }
    const ctx: RuleContext = {
      topology,
      rules,
      tree: this.tree,
      circuits: this.#circuits,
      devices: this.#devices,
      active: (key) => this.#active.get(key),
      activeAlarms: () => [...this.#active.values()],
      open: (kind, subject, since, now, severity, evidence, impact) => this.open(kind, subject, since, now, severity, evidence, impact),
      close: (alarm, now, endedAt) => this.close(alarm, now, endedAt),
      emit: (event) => this.#pending.push(event),
    };
    this.#pollers = new PollerSilentRule(ctx);
    this.#reboots = new RebootRule(ctx);
    this.#quality = new QualityRule(ctx);
    this.#slaBudget = new SlaBudgetRule(ctx);
    this.#rules = [
      this.#pollers,
      new OutageRule(ctx),
      new FlappingRule(ctx),
      new UtilizationRule(ctx),
      new ErrorsRule(ctx),
      this.#quality,
      this.#reboots,
      this.#slaBudget,
    ];
  }

  /**
   * The SLA budget's verdict for a circuit (from the ledger): a breach, with
   * why, raises an sla_budget alarm; null clears it.
   */
  setSlaBudget(circuitId: string, breach: LocalizedName | null, nowMs: number): void {
    this.#slaBudget.verdict(circuitId, breach, nowMs);
  }

  /** The city pollers whose silence is an alarm (see PollerSilentRule). */
  watchPollers(pollers: readonly WatchedPoller[], nowMs: number): void {
    this.#pollers.watch(pollers, nowMs);
  }

  /** A message from a poller reached the centre (any message: a heartbeat, a replayed observation). */
  pollerHeard(name: string, atMs: number): void {
    this.#pollers.heard(name, atMs);
  }

  /** Replaces the planned-work windows; alarms opened inside one on its subjects are marked maintenance. */
  setMaintenance(windows: readonly MaintenanceWindow[]): void {
    this.#maintenance = windows;
  }

  observeCircuit(live: CircuitLive): void {
    const prev = this.#circuits.get(live.circuitId);
    const at = live.updatedAtMs;
    // A poll that began before a newer trap (or poll) says nothing newer, however late its reply came.
    if (prev && prev.latestFromMs > live.polledFromMs) return;
    if (prev?.unconfirmedTrap) this.confirmTrap(live.circuitId, prev, live, at);
    const changed = prev !== undefined && prev.status !== live.status && live.status !== 'unknown' && prev.status !== 'unknown';
    // At first sight a status began when we started watching: ifLastChange may say months
    // ago, but nobody watched then, and an outage or SLA charge for that time would be invented.
    // A change began no earlier than the status it ended: time never runs backwards in the ledger.
    const since = !prev
      ? at
      : prev.status !== live.status
        ? live.status !== 'unknown' && live.statusSinceMs !== null
          ? Math.max(Math.min(live.statusSinceMs, at), prev.sinceMs)
          : at
        : prev.sinceMs;
    const util = live.inUtilPct === null && live.outUtilPct === null ? null : Math.max(live.inUtilPct ?? 0, live.outUtilPct ?? 0);
    const o: CircuitObs = prev ?? {
      status: live.status,
      sinceMs: since,
      observedAtMs: at,
      latestFromMs: live.polledFromMs,
      transitions: [],
      utilPct: null,
      errorsPerS: null,
    };
    if (changed) o.transitions.push(since);
    o.status = live.status;
    o.sinceMs = since;
    o.observedAtMs = at;
    o.latestFromMs = live.polledFromMs;
    o.utilPct = util;
    o.errorsPerS = live.errorsPerS;
    this.#circuits.set(live.circuitId, o);
    for (const rule of this.#rules) rule.circuitObserved?.(live.circuitId, o, at);
  }

  observeDevice(live: DeviceLive): void {
    const prev = this.#devices.get(live.deviceId);
    const at = live.updatedAtMs;
    if (prev && prev.observedAtMs > at) return;
    // An unreachable device was silent from the start of the poll that found it so.
    const since = !prev || prev.reachable !== live.reachable ? (live.reachable ? at : live.polledFromMs) : prev.sinceMs;
    this.#reboots.deviceObserved(prev, live);
    this.#devices.set(live.deviceId, {
      reachable: live.reachable,
      sinceMs: since,
      observedAtMs: at,
      pollStartMs: live.polledFromMs,
      uptimeS: live.uptimeS ?? prev?.uptimeS ?? null,
      error: live.error,
    });
  }

  /** A probe round: the window of recent rounds is judged against the circuit's SLA limits. */
  observeQuality(q: QualityLive): void {
    this.#quality.round(q);
  }

  /** Spurious traps per device: a change no poll confirmed (a forged, stray or corrupted trap). */
  readonly spuriousTraps = new Map<string, number>();

  /**
   * The first poll after a trap's change of status, begun after the trap: if
   * it finds the old status, unchanged since before the trap (ifLastChange),
   * the change never happened. The old status is put back, and an alarm the
   * trap raised is cleared as spurious, with no outage.
   */
  private confirmTrap(circuitId: string, o: CircuitObs, live: CircuitLive, at: number): void {
    const t = o.unconfirmedTrap!;
    if (live.polledFromMs < t.atMs || live.status === 'unknown') return;
    o.unconfirmedTrap = null;
    if (live.status !== t.before.status || live.statusSinceMs === null || live.statusSinceMs >= t.atMs) return;
    o.status = t.before.status;
    o.sinceMs = t.before.sinceMs;
    o.transitions = o.transitions.filter((x) => x !== t.atMs);
    this.spuriousTraps.set(t.deviceId, (this.spuriousTraps.get(t.deviceId) ?? 0) + 1);
    const raised = this.#active.get(`circuit_down:${circuitId}`);
    if (raised && raised.startedAtMs === t.atMs) {
      raised.spurious = true;
      const why = EVIDENCE.spurious(live.status, t.deviceId);
      raised.evidence = { zh: `${evidenceText(raised, 'zh')}；${why.zh}`, en: `${raised.detail}; ${why.en}` };
      raised.detail = raised.evidence.en;
      this.#pending.push({ type: 'cleared', alarm: this.close(raised, at, null) });
    }
  }

  /** A trap says at once what a poll would say later; the next poll confirms or corrects it. */
  observeTrap(trap: TrapObservation): void {
    if ((trap.kind === 'linkDown' || trap.kind === 'linkUp') && trap.circuitId) {
      const prev = this.#circuits.get(trap.circuitId);
      const status: LinkStatus = trap.kind === 'linkDown' ? 'down' : 'up';
      if (prev && prev.status === status) return;
      const before = prev && prev.status !== 'unknown' ? { status: prev.status, sinceMs: prev.sinceMs } : null;
      this.observeCircuit({
        circuitId: trap.circuitId,
        status,
        statusSinceMs: trap.atMs,
        inBps: null,
        outBps: null,
        inUtilPct: null,
        outUtilPct: null,
        errorsPerS: null,
        end: 'a',
        polledFromMs: trap.atMs,
        updatedAtMs: Math.max(trap.atMs, prev?.observedAtMs ?? 0),
        note: `${trap.kind} trap from ${trap.deviceId}`,
      });
      const o = this.#circuits.get(trap.circuitId);
      if (o && before) o.unconfirmedTrap = { atMs: trap.atMs, deviceId: trap.deviceId, before };
    } else if (trap.kind === 'coldStart' || trap.kind === 'warmStart') {
      this.#reboots.restartTrap(trap.deviceId, trap.kind, trap.atMs);
    }
  }

  /** Decides every alarm on the state as it is now; returns what changed. */
  evaluate(nowMs: number): AlarmEvent[] {
    const events: AlarmEvent[] = this.#pending.splice(0);
    for (const rule of this.#rules) rule.evaluate(nowMs, events);
    return events;
  }

  active(): Alarm[] {
    return [...this.#active.values()];
  }

  history(): Alarm[] {
    return [...this.#history];
  }

  /** @throws AlarmError for an unknown or cleared alarm, or one already acknowledged. */
  acknowledge(id: string, by: string, comment: string, nowMs: number): AlarmEvent {
    const alarm = this.activeById(id);
    if (alarm.ack) throw new AlarmError(`alarm ${id} was already acknowledged by ${alarm.ack.by}`, 'conflict');
    alarm.ack = { by, atMs: nowMs, comment };
    return { type: 'acknowledged', alarm: { ...alarm } };
  }

  /** @throws AlarmError for an unknown or cleared alarm, or a time not in the future. */
  shelve(id: string, untilMs: number, nowMs: number): AlarmEvent {
    const alarm = this.activeById(id);
    if (!(untilMs > nowMs)) throw new AlarmError(`alarm ${id}: shelve until a time in the future`, 'conflict');
    alarm.shelvedUntilMs = untilMs;
    return { type: 'shelved', alarm: { ...alarm } };
  }

  /**
   * Clears the active alarms of subjects a new model no longer has (a
   * circuit or device taken out by `nms reload`): nobody can act on them,
   * and their outage ends here, counted until then.
   */
  retire(keeps: (subject: AlarmSubject) => boolean, nowMs: number): AlarmEvent[] {
    const events: AlarmEvent[] = [];
    for (const alarm of [...this.#active.values()]) if (!keeps(alarm.subject)) events.push({ type: 'cleared', alarm: this.close(alarm, nowMs, nowMs) });
    return events;
  }

  /** The planned-work windows last set. */
  get maintenance(): readonly MaintenanceWindow[] {
    return this.#maintenance;
  }

  snapshot(): EngineSnapshot {
    return structuredClone({ circuits: [...this.#circuits], devices: [...this.#devices], active: [...this.#active.values()], history: this.#history });
  }

  // ---- life cycle ----

  private open(kind: AlarmKind, subject: AlarmSubject, since: number, now: number, severity: Severity, evidence: LocalizedName, impact: Impact | null): Alarm {
    const alarm = newAlarm(kind, subject, since, now, severity, evidence, impact, this.inMaintenance(subject, now));
    this.#active.set(alarm.key, alarm);
    return { ...alarm };
  }

  private close(alarm: Alarm, now: number, endedAt: number | null): Alarm {
    alarm.clearedAtMs = now;
    alarm.endedAtMs = endedAt;
    this.#active.delete(alarm.key);
    this.#history.push(alarm);
    if (this.#history.length > this.rules.historyLimit) this.#history.splice(0, this.#history.length - this.rules.historyLimit);
    return { ...alarm };
  }

  /** Whether planned work covers the subject now: by its own id, or a site it belongs to (up the tree). */
  private inMaintenance(subject: AlarmSubject, now: number): boolean {
    const windows = this.#maintenance.filter((w) => w.fromMs <= now && now < w.toMs);
    if (windows.length === 0) return false;
    const ids = new Set<string>([subject.id]);
    let site: string | null =
      subject.type === 'circuit' ? this.topology.circuit(subject.id).ownerSiteId : subject.type === 'device' ? this.topology.device(subject.id).siteId : null;
    for (; site !== null; site = this.topology.site(site).parentId) ids.add(site);
    return windows.some((w) => w.subjects.some((s) => ids.has(s)));
  }

  private activeById(id: string): Alarm {
    const alarm = [...this.#active.values()].find((a) => a.id === id);
    if (alarm) return alarm;
    const past = this.#history.find((a) => a.id === id);
    throw past && alarmState(past) === 'cleared' ? new AlarmError(`alarm ${id} is already cleared`, 'conflict') : new AlarmError(`no alarm ${id}`, 'not_found');
  }
}

/** An alarm as raised: active, unacknowledged, its id and key from its kind, subject and start. */
export function newAlarm(
  kind: AlarmKind,
  subject: AlarmSubject,
  since: number,
  now: number,
  severity: Severity,
  evidence: LocalizedName,
  impact: Impact | null,
  maintenance: boolean,
): Alarm {
  const key = `${kind}:${subject.id}`;
  return {
    id: `${key}@${since}`,
    key,
    kind,
    severity,
    subject,
    startedAtMs: since,
    raisedAtMs: now,
    clearedAtMs: null,
    endedAtMs: null,
    ack: null,
    shelvedUntilMs: null,
    impactedCircuits: impact ? [...impact.circuits] : [],
    impactedSites: impact ? [...impact.sites] : [],
    detail: evidence.en,
    evidence,
    maintenance,
  };
}
