/**
 * What an alarm rule is, and what the engine gives it. A rule owns one kind
 * of fault (or two decided together, as an outage and its root are): its own
 * state, the observations it needs, and when it raises and clears. The
 * engine (alarmEngine.ts) keeps what every rule shares (the latest status of
 * each circuit and device, the active alarms, maintenance windows,
 * suppression by the impact tree) and calls each rule in turn. A new kind of
 * alarm is a new rule here and a line in the engine's list.
 */
import type { Alarm, AlarmEvent, AlarmKind, AlarmSubject, Severity } from '../../../shared/alarms/types.ts';
import type { LinkStatus } from '../../../shared/live/liveState.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import type { LocalizedName } from '../../../shared/model/types.ts';
import type { AlarmRules } from '../alarmRules.ts';
import type { Impact, ImpactTree } from '../impactTree.ts';

/** A circuit's latest status, as every rule sees it. */
export interface CircuitObs {
  status: LinkStatus;
  /** When the current status began, as best known. */
  sinceMs: number;
  observedAtMs: number;
  /** The polledFromMs of what was last applied: an older observation is ignored. */
  latestFromMs: number;
  /** Status changes seen, newest last, within the flap window. */
  transitions: number[];
  /** The higher direction's utilisation, percent; null until two readings exist. */
  utilPct: number | null;
  errorsPerS: number | null;
  /** A trap's change of status not yet confirmed by a poll, and the status it replaced. */
  unconfirmedTrap?: { atMs: number; deviceId: string; before: { status: LinkStatus; sinceMs: number } } | null;
}

/** A device's latest reachability, as every rule sees it. */
export interface DeviceObs {
  reachable: boolean;
  sinceMs: number;
  observedAtMs: number;
  /** When the last poll began: a silence found by a poll that began before its path came back proves nothing. */
  pollStartMs: number;
  uptimeS: number | null;
  error: string | null;
}

export interface RuleContext {
  readonly topology: Topology;
  readonly rules: AlarmRules;
  readonly tree: ImpactTree;
  readonly circuits: ReadonlyMap<string, CircuitObs>;
  readonly devices: ReadonlyMap<string, DeviceObs>;
  /** The active alarm of this key (`${kind}:${subject id}`). */
  active(key: string): Alarm | undefined;
  activeAlarms(): Alarm[];
  /** Raises an alarm: it is active from now, marked maintenance if planned work covers its subject. */
  open(kind: AlarmKind, subject: AlarmSubject, since: number, now: number, severity: Severity, evidence: LocalizedName, impact: Impact | null): Alarm;
  /** Clears an active alarm into the history; `endedAt` null when the condition did not end (absorbed, spurious). */
  close(alarm: Alarm, now: number, endedAt: number | null): Alarm;
  /** An event decided between evaluations (a reboot seen in a poll, an SLA verdict): the next evaluation returns it first. */
  emit(event: AlarmEvent): void;
}

export interface AlarmRule {
  /** The kinds it raises and clears. */
  readonly kinds: readonly AlarmKind[];
  /** After a circuit's observation is applied. */
  circuitObserved?(circuitId: string, o: CircuitObs, atMs: number): void;
  /** Decides its alarms on the state as it is now, adding what changed to `events`. */
  evaluate(nowMs: number, events: AlarmEvent[]): void;
}
