/**
 * The alarm state machine: pure, fed with what the pollers and traps observe
 * and a clock reading, answering with events. No I/O: the shell around it
 * (alarmService) persists its state and hands events to the notifiers.
 *
 * Root cause: a fault that a fault upstream explains (a county router that
 * went silent because its uplink is down, and the departments behind it)
 * raises nothing of its own; it is listed as impacted under the root alarm.
 * The decision is taken on the whole current state, not in poll order: a
 * device that looks unreachable waits, up to rules.upstreamWaitMs, until
 * everything on its path from the NMS has been seen since its fault began.
 */
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
import type { CircuitLive, DeviceLive, LinkStatus, QualityLive } from '../../shared/live/liveState.ts';
import { qualityBreaches, windowFigures, type QualityBreach } from '../../shared/quality/circuitQuality.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { uptimeDelta } from '../../shared/snmp/uptime.ts';
import { measuredDeviceId } from '../../shared/model/circuitFrame.ts';
import { Refusal } from '../../shared/errors/refusal.ts';
import { EVIDENCE, evidenceText } from '../../shared/alarms/alarmWords.ts';
import { CARRIER_NAMES, type LocalizedName } from '../../shared/model/types.ts';
import { circuitDownSeverity, deviceDownSeverity, utilizationTiming, type AlarmRules } from './alarmRules.ts';
import { ImpactTree, type Impact } from './impactTree.ts';

interface CircuitObs {
  status: LinkStatus;
  /** When the current status began, as best known. */
  sinceMs: number;
  observedAtMs: number;
  /** The polledFromMs of what was last applied: an older observation is ignored. */
  latestFromMs: number;
  /** Status changes seen, newest last, within the flap window. */
  transitions: number[];
  utilPct: number | null;
  errorsPerS: number | null;
  /** Since when utilization has been at or above the tier's warning threshold (null: it is not). */
  utilOverSinceMs: number | null;
  utilUnderSinceMs: number | null;
  utilPeakPct: number;
  errorsOverSinceMs: number | null;
  errorsUnderSinceMs: number | null;
  /** A trap's change of status not yet confirmed by a poll, and the status it replaced. */
  unconfirmedTrap?: { atMs: number; deviceId: string; before: { status: LinkStatus; sinceMs: number } } | null;
}

interface DeviceObs {
  reachable: boolean;
  sinceMs: number;
  observedAtMs: number;
  /** When the last poll began: a silence found by a poll that began before its path came back proves nothing. */
  pollStartMs: number;
  uptimeS: number | null;
  error: string | null;
}

/** A circuit's recent probe rounds and where its window stands against the SLA. */
interface QualityObs {
  rounds: QualityLive[];
  /** Since when the window has been over a limit (null: it is not). */
  overSinceMs: number | null;
  /** Since when it has been under every limit less the margin. */
  underSinceMs: number | null;
  breaches: QualityBreach[];
  target: string;
}

/** Everything the engine must keep across a restart. */
/** A city poller the centre hears, and what it owns (shared/bus/pollerShare). */
export interface WatchedPoller {
  name: string;
  /** The sites it was given (centre.pollers), for people. */
  givenSites: readonly string[];
  /** Every site of its share, the ones it was given and those below. */
  sites: readonly string[];
  devices: readonly string[];
  circuits: readonly string[];
}

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
  readonly #quality = new Map<string, QualityObs>();
  /** The centre's city pollers, when it has them: when each was last heard (centre clock). */
  readonly #pollers = new Map<string, WatchedPoller & { heardAtMs: number }>();
  /** Active alarms by key. */
  readonly #active = new Map<string, Alarm>();
  #history: Alarm[] = [];
  #maintenance: readonly MaintenanceWindow[] = [];

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
  }

  /**
   * The SLA budget's verdict for a circuit (from the ledger): a breach, with
   * why, raises an sla_budget alarm; null clears it.
   */
  setSlaBudget(circuitId: string, breach: LocalizedName | null, nowMs: number): void {
    const active = this.#active.get(`sla_budget:${circuitId}`);
    if (breach !== null && !active)
      this.#pending.push({ type: 'raised', alarm: this.open('sla_budget', { type: 'circuit', id: circuitId }, nowMs, nowMs, 'major', breach, null) });
    else if (breach === null && active) this.#pending.push({ type: 'cleared', alarm: this.close(active, nowMs, nowMs) });
  }

  /**
   * The pollers whose silence is an alarm. Each counts as heard now, so a
   * centre just started gives them their full silentAfter to speak; one whose
   * alarm stands from before the restart was last heard when that began.
   */
  watchPollers(pollers: readonly WatchedPoller[], nowMs: number): void {
    for (const p of pollers) {
      const heardAtMs = this.#pollers.get(p.name)?.heardAtMs ?? this.#active.get(`poller_silent:${p.name}`)?.startedAtMs ?? nowMs;
      this.#pollers.set(p.name, { ...p, heardAtMs });
    }
  }

  /** A message from a poller reached the centre (any message: a heartbeat, a replayed observation). */
  pollerHeard(name: string, atMs: number): void {
    const p = this.#pollers.get(name);
    if (p && atMs > p.heardAtMs) p.heardAtMs = atMs;
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
      utilOverSinceMs: null,
      utilUnderSinceMs: null,
      utilPeakPct: 0,
      errorsOverSinceMs: null,
      errorsUnderSinceMs: null,
    };
    if (changed) o.transitions.push(since);
    o.status = live.status;
    o.sinceMs = since;
    o.observedAtMs = at;
    o.latestFromMs = live.polledFromMs;
    o.utilPct = util;
    o.errorsPerS = live.errorsPerS;
    this.trackThresholds(live.circuitId, o, at);
    this.#circuits.set(live.circuitId, o);
  }

  observeDevice(live: DeviceLive): void {
    const prev = this.#devices.get(live.deviceId);
    const at = live.updatedAtMs;
    if (prev && prev.observedAtMs > at) return;
    // An unreachable device was silent from the start of the poll that found it so.
    const since = !prev || prev.reachable !== live.reachable ? (live.reachable ? at : live.polledFromMs) : prev.sinceMs;
    if (prev?.uptimeS != null && live.uptimeS !== null && uptimeDelta(prev.uptimeS * 100, live.uptimeS * 100) === null) {
      this.raiseOnce(
        'device_rebooted',
        { type: 'device', id: live.deviceId },
        at - live.uptimeS * 1000,
        at,
        'warning',
        EVIDENCE.uptimeFell(prev.uptimeS, live.uptimeS),
      );
    }
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
    const c = this.topology.circuit(q.circuitId);
    const tier = this.topology.slaTiers.get(c.slaTier);
    if (!tier) return;
    const o = this.#quality.get(q.circuitId) ?? { rounds: [], overSinceMs: null, underSinceMs: null, breaches: [], target: q.target };
    this.#quality.set(q.circuitId, o);
    o.target = q.target;
    o.rounds.push(q);
    const from = q.endedAtMs - this.rules.quality.windowMs;
    o.rounds = o.rounds.filter((r) => r.endedAtMs > from);
    // Rounds taken while the line was down belong to its outage, not to its quality.
    const figures = windowFigures(o.rounds.filter((r) => !r.downDuring));
    if (!figures) return;
    const breaches = qualityBreaches(figures, tier.quality);
    if (breaches.length) {
      o.overSinceMs ??= q.startedAtMs;
      o.underSinceMs = null;
      o.breaches = breaches;
    } else if (qualityBreaches(figures, tier.quality, this.rules.quality.clearMargin).length === 0) {
      o.underSinceMs ??= q.endedAtMs;
      o.overSinceMs = null;
    }
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
      this.raiseOnce('device_rebooted', { type: 'device', id: trap.deviceId }, trap.atMs, trap.atMs, 'warning', EVIDENCE.rebootTrap(trap.kind));
    }
  }

  /** Decides every alarm on the state as it is now; returns what changed. */
  evaluate(nowMs: number): AlarmEvent[] {
    const events: AlarmEvent[] = this.#pending.splice(0);
    // A poller heard again is back before what its replay tells is decided.
    this.evaluatePollers(nowMs, events);
    this.evaluateOutages(nowMs, events);
    this.evaluateFlapping(nowMs, events);
    this.evaluateThresholds(nowMs, events);
    this.evaluateQuality(nowMs, events);
    this.expireReboots(nowMs, events);
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

  snapshot(): EngineSnapshot {
    return structuredClone({ circuits: [...this.#circuits], devices: [...this.#devices], active: [...this.#active.values()], history: this.#history });
  }

  // ---- outages and their root cause ----

  private evaluateOutages(now: number, events: AlarmEvent[]): void {
    const downCircuits = new Set<string>();
    for (const [id, o] of this.#circuits) if (o.status === 'down') downCircuits.add(id);
    const downDevices = new Set<string>();
    for (const [id, o] of this.#devices) if (!o.reachable) downDevices.add(id);
    const flapping = (id: string) => this.#active.has(`flapping:${id}`);

    // A device still linked to the NMS when every down circuit and every *other* silent
    // device is taken out is silent on its own account: it is a root. One not linked is
    // explained by something upstream.
    const linked = this.tree.reachable(downCircuits, new Set());
    const roots: Array<{ kind: AlarmKind; subject: AlarmSubject; since: number; detail: LocalizedName; severity: Severity; impact: Impact }> = [];
    for (const id of downCircuits) {
      const c = this.topology.circuit(id);
      const measured = measuredDeviceId(this.topology, c);
      // A circuit measured on a silent device is unknown, not down; a flapping one has its own alarm.
      if (downDevices.has(measured) || flapping(id)) continue;
      const o = this.#circuits.get(id)!;
      roots.push({
        kind: 'circuit_down',
        subject: { type: 'circuit', id },
        since: o.sinceMs,
        detail: EVIDENCE.operDown(measured),
        severity: circuitDownSeverity(c.level),
        impact: this.tree.ofCircuit(id),
      });
    }
    for (const id of downDevices) {
      if (!linked.has(id) || !this.upstreamSettled(id, downDevices, now)) continue;
      // Silent because an upstream device is silent (it forwards nothing either)?
      if (!this.tree.isRoot(id) && this.tree.uplinksOf(id).every((c) => downDevices.has(c.a.deviceId))) continue;
      const o = this.#devices.get(id)!;
      const d = this.topology.device(id);
      roots.push({
        kind: 'device_unreachable',
        subject: { type: 'device', id },
        since: o.sinceMs,
        detail: EVIDENCE.noAnswer(o.error),
        severity: deviceDownSeverity(d.role),
        impact: this.tree.ofDevice(id),
      });
    }

    const rootKeys = new Set<string>();
    for (const r of roots) {
      const key = `${r.kind}:${r.subject.id}`;
      rootKeys.add(key);
      if (!this.#active.has(key)) events.push({ type: 'raised', alarm: this.open(r.kind, r.subject, r.since, now, r.severity, r.detail, r.impact) });
    }
    for (const alarm of [...this.#active.values()]) {
      if (alarm.kind !== 'circuit_down' && alarm.kind !== 'device_unreachable') continue;
      if (rootKeys.has(alarm.key)) continue;
      // A circuit seen as unknown (its device silent) is not back; only `up` clears it.
      const back =
        alarm.subject.type === 'circuit' ? this.#circuits.get(alarm.subject.id)?.status === 'up' : this.#devices.get(alarm.subject.id)?.reachable === true;
      if (!back) {
        const root = [...this.#active.values()].find((a) => a !== alarm && rootKeys.has(a.key) && this.explains(a, alarm));
        if (root) events.push({ type: 'absorbed', alarm: this.close(alarm, now, null), rootId: root.id });
        continue;
      }
      // Hysteresis: back for a while before the clear is pushed; the outage still ends when it ended.
      const backSince = alarm.subject.type === 'circuit' ? this.#circuits.get(alarm.subject.id)!.sinceMs : this.#devices.get(alarm.subject.id)!.sinceMs;
      if (now - backSince >= this.rules.outageClearAfterMs) events.push({ type: 'cleared', alarm: this.close(alarm, now, backSince) });
    }
  }

  /** Whether root alarm `root` accounts for alarm `other`. */
  private explains(root: Alarm, other: Alarm): boolean {
    const impact = root.subject.type === 'circuit' ? this.tree.ofCircuit(root.subject.id) : this.tree.ofDevice(root.subject.id);
    return other.subject.type === 'circuit' ? impact.circuits.includes(other.subject.id) : impact.devices.includes(other.subject.id);
  }

  /**
   * Whether a silent device's own fault is proven: everything on its paths
   * from the NMS has been seen since the question arose (its silence began,
   * or its path last changed, whichever is later), and it was found silent by
   * a poll that began after its path last changed. Or it has waited long
   * enough.
   */
  private upstreamSettled(deviceId: string, downDevices: ReadonlySet<string>, now: number): boolean {
    const own = this.#devices.get(deviceId)!;
    const path: Array<{ observedAtMs: number; sinceMs: number }> = [];
    const seen = new Set<string>();
    let complete = true;
    const walk = (id: string): void => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const c of this.tree.uplinksOf(id)) {
        const a = c.a.deviceId;
        // A silent upstream device already explains everything behind it.
        if (downDevices.has(a)) continue;
        const co = this.#circuits.get(c.id);
        const ao = this.#devices.get(a);
        if (!co || !ao) {
          complete = false;
          continue;
        }
        path.push(co, ao);
        walk(a);
      }
    };
    walk(deviceId);
    const pathChangedAt = Math.max(0, ...path.map((p) => p.sinceMs));
    const question = Math.max(own.sinceMs, pathChangedAt);
    if (now - question >= this.rules.upstreamWaitMs) return true;
    return complete && own.pollStartMs >= pathChangedAt && path.every((p) => p.observedAtMs >= question);
  }

  // ---- flapping ----

  private evaluateFlapping(now: number, events: AlarmEvent[]): void {
    for (const [id, o] of this.#circuits) {
      if (o.transitions.length && now - o.transitions[0]! > this.rules.flapWindowMs)
        o.transitions = o.transitions.filter((t) => now - t <= this.rules.flapWindowMs);
      const key = `flapping:${id}`;
      const active = this.#active.get(key);
      if (!active && o.transitions.length >= this.rules.flapTransitions) {
        const down = this.#active.get(`circuit_down:${id}`);
        const alarm = this.open(
          'flapping',
          { type: 'circuit', id },
          o.transitions[0]!,
          now,
          'major',
          EVIDENCE.flapping(o.transitions.length, this.rules.flapWindowMs / 60_000),
          this.tree.ofCircuit(id),
        );
        if (down) events.push({ type: 'absorbed', alarm: this.close(down, now, null), rootId: alarm.id });
        events.push({ type: 'raised', alarm });
      } else if (active && o.transitions.length === 0 && o.status === 'up') {
        events.push({ type: 'cleared', alarm: this.close(active, now, o.sinceMs) });
      }
    }
  }

  // ---- utilization and errors ----

  private trackThresholds(circuitId: string, o: CircuitObs, at: number): void {
    const c = this.topology.circuit(circuitId);
    const tier = this.topology.slaTiers.get(c.slaTier);
    if (tier && o.utilPct !== null) {
      const timing = utilizationTiming(this.rules, c.slaTier);
      if (o.utilPct >= tier.utilizationWarnPct) {
        o.utilOverSinceMs ??= at;
        o.utilUnderSinceMs = null;
        o.utilPeakPct = Math.max(o.utilPeakPct, o.utilPct);
      } else if (o.utilPct < tier.utilizationWarnPct - timing.clearMarginPct) {
        o.utilUnderSinceMs ??= at;
        o.utilOverSinceMs = null;
      }
    }
    if (o.errorsPerS !== null) {
      if (o.errorsPerS >= this.rules.errorsPerSecond) {
        o.errorsOverSinceMs ??= at;
        o.errorsUnderSinceMs = null;
      } else {
        o.errorsUnderSinceMs ??= at;
        o.errorsOverSinceMs = null;
      }
    }
  }

  private evaluateThresholds(now: number, events: AlarmEvent[]): void {
    for (const [id, o] of this.#circuits) {
      const c = this.topology.circuit(id);
      const tier = this.topology.slaTiers.get(c.slaTier);
      const subject: AlarmSubject = { type: 'circuit', id };
      if (tier) {
        const timing = utilizationTiming(this.rules, c.slaTier);
        const key = `utilization:${id}`;
        const active = this.#active.get(key);
        const severity: Severity = o.utilPeakPct >= tier.utilizationCriticalPct ? 'major' : 'minor';
        if (!active && o.utilOverSinceMs !== null && now - o.utilOverSinceMs >= timing.sustainMs) {
          events.push({
            type: 'raised',
            alarm: this.open(
              'utilization',
              subject,
              o.utilOverSinceMs,
              now,
              severity,
              EVIDENCE.utilization(tier.utilizationWarnPct, Math.round((now - o.utilOverSinceMs) / 60_000), o.utilPeakPct),
              null,
            ),
          });
        } else if (active && o.utilUnderSinceMs !== null && now - o.utilUnderSinceMs >= timing.clearAfterMs) {
          o.utilPeakPct = 0;
          events.push({ type: 'cleared', alarm: this.close(active, now, o.utilUnderSinceMs) });
        }
      }
      const ekey = `errors:${id}`;
      const eActive = this.#active.get(ekey);
      if (!eActive && o.errorsOverSinceMs !== null && now - o.errorsOverSinceMs >= this.rules.errorsSustainMs) {
        events.push({ type: 'raised', alarm: this.open('errors', subject, o.errorsOverSinceMs, now, 'minor', EVIDENCE.errors(o.errorsPerS), null) });
      } else if (eActive && o.errorsUnderSinceMs !== null && now - o.errorsUnderSinceMs >= this.rules.errorsClearAfterMs) {
        events.push({ type: 'cleared', alarm: this.close(eActive, now, o.errorsUnderSinceMs) });
      }
    }
  }

  // ---- circuit quality ----

  /**
   * A circuit whose window has stayed over its SLA limits is degraded, unless
   * it is down (that is its outage) or something on its path upstream is
   * degraded too: the root carries it as impacted, so one fault pushes once.
   */
  private evaluateQuality(now: number, events: AlarmEvent[]): void {
    const timing = this.rules.quality;
    // An uplink is degraded while its window is over a limit, and as long as its alarm stands.
    const over = (id: string) => this.#quality.get(id)?.overSinceMs != null || this.#active.has(`circuit_degraded:${id}`);
    const outage = (id: string): Alarm | undefined =>
      this.#active.get(`circuit_down:${id}`) ??
      this.#active.get(`flapping:${id}`) ??
      [...this.#active.values()].find((a) => (a.kind === 'circuit_down' || a.kind === 'device_unreachable') && a.impactedCircuits.includes(id));
    const degradedUpstream = (id: string): string | null => {
      const seen = new Set<string>();
      const walk = (cid: string): string | null => {
        for (const up of this.topology.circuit(cid).upstreamIds) {
          if (seen.has(up)) continue;
          seen.add(up);
          if (over(up)) return walk(up) ?? up;
          const further = walk(up);
          if (further) return further;
        }
        return null;
      };
      return walk(id);
    };
    /** Circuits above this one on its path, nearest first. */
    const ancestors = (id: string): string[] => this.topology.circuit(id).upstreamIds.flatMap((up) => [up, ...ancestors(up)]);
    /**
     * Whether every probed circuit above has been judged on rounds as recent
     * as this one's: each round's verdict waits for its own circuit's poll, so
     * a department's can come before its uplink's, and must wait for it.
     */
    const upstreamJudged = (id: string, o: QualityObs) => {
      const since = o.rounds.at(-1)?.startedAtMs ?? 0;
      return ancestors(id).every((up) => !this.topology.circuit(up).probe || (this.#quality.get(up)?.rounds.at(-1)?.endedAtMs ?? 0) > since);
    };
    for (const [id, o] of this.#quality) {
      const key = `circuit_degraded:${id}`;
      const active = this.#active.get(key);
      const down = outage(id);
      const root = degradedUpstream(id);
      if (active) {
        if (down) events.push({ type: 'absorbed', alarm: this.close(active, now, null), rootId: down.id });
        else if (o.underSinceMs !== null && now - o.underSinceMs >= timing.clearAfterMs)
          events.push({ type: 'cleared', alarm: this.close(active, now, o.underSinceMs) });
        else if (root && this.#active.has(`circuit_degraded:${root}`))
          events.push({ type: 'absorbed', alarm: this.close(active, now, null), rootId: this.#active.get(`circuit_degraded:${root}`)!.id });
        continue;
      }
      if (o.overSinceMs === null || now - o.overSinceMs < timing.sustainMs || down || root) continue;
      if (!upstreamJudged(id, o) && now - o.overSinceMs < timing.sustainMs + this.rules.upstreamWaitMs) continue;
      const c = this.topology.circuit(id);
      // Far over a limit (5× the loss, twice the delay or jitter) is service lost in all but name.
      const severe = o.breaches.some((b) => b.value >= b.limit * (b.measure === 'loss' ? 5 : 2));
      const evidence = EVIDENCE.degraded(CARRIER_NAMES[c.carrier], c.carrierCircuitId, o.breaches, Math.round(timing.windowMs / 1000), o.target);
      events.push({
        type: 'raised',
        alarm: this.open('circuit_degraded', { type: 'circuit', id }, o.overSinceMs, now, severe ? 'major' : 'minor', evidence, this.tree.ofCircuit(id)),
      });
    }
  }

  // ---- city pollers ----

  /**
   * A poller unheard for silentAfter has one alarm, whose impact is its whole
   * share: the centre cannot see those circuits, which makes them unknown,
   * not down (no outage is charged for the silence; what the poller saw
   * meanwhile comes with its replay). It clears when the poller is heard.
   */
  private evaluatePollers(now: number, events: AlarmEvent[]): void {
    for (const p of this.#pollers.values()) {
      const key = `poller_silent:${p.name}`;
      const active = this.#active.get(key);
      const silentMs = now - p.heardAtMs;
      if (active && silentMs < this.rules.pollerSilentMs) events.push({ type: 'cleared', alarm: this.close(active, now, p.heardAtMs) });
      else if (!active && silentMs >= this.rules.pollerSilentMs) {
        const names = p.givenSites.map((id) => this.topology.siteById.get(id)?.name ?? { zh: id, en: id });
        const impact: Impact = { circuits: [...p.circuits], sites: [...p.sites], devices: [...p.devices] };
        events.push({
          type: 'raised',
          alarm: this.open(
            'poller_silent',
            { type: 'poller', id: p.name },
            p.heardAtMs,
            now,
            'major',
            EVIDENCE.pollerSilent(p.name, names, Math.round(silentMs / 1000)),
            impact,
          ),
        });
      }
    }
  }

  // ---- reboots ----

  /** Events raised between evaluations (reboots are seen as they are observed). */
  readonly #pending: AlarmEvent[] = [];

  private raiseOnce(kind: AlarmKind, subject: AlarmSubject, since: number, now: number, severity: Severity, detail: LocalizedName): void {
    if (this.#active.has(`${kind}:${subject.id}`)) return;
    this.#pending.push({ type: 'raised', alarm: this.open(kind, subject, since, now, severity, detail, null) });
  }

  private expireReboots(now: number, events: AlarmEvent[]): void {
    for (const alarm of [...this.#active.values()]) {
      if (alarm.kind === 'device_rebooted' && now - alarm.raisedAtMs >= this.rules.rebootHoldMs)
        events.push({ type: 'cleared', alarm: this.close(alarm, now, alarm.startedAtMs) });
    }
  }

  // ---- life cycle ----

  private open(kind: AlarmKind, subject: AlarmSubject, since: number, now: number, severity: Severity, evidence: LocalizedName, impact: Impact | null): Alarm {
    const key = `${kind}:${subject.id}`;
    const alarm: Alarm = {
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
      maintenance: this.inMaintenance(subject, now),
    };
    this.#active.set(key, alarm);
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
