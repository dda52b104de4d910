import type { LocalizedName } from '../model/types.ts';
/**
 * Alarms as every part of the product sees them: the engine decides them,
 * notifiers push them, the API and the console show them. Subjects are ids
 * from the network model; texts for people are built from these, in Chinese
 * or English, by whoever shows them.
 */

export const ALARM_KINDS = [
  'circuit_down',
  'device_unreachable',
  'device_rebooted',
  'utilization',
  'errors',
  'flapping',
  'sla_budget',
  'circuit_degraded',
  'poller_silent',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** 紧急 / 重要 / 次要 / 提示 */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A poller is a subject at a province's centre: the city poller it no longer hears. */
export type AlarmSubject = { type: 'circuit'; id: string } | { type: 'device'; id: string } | { type: 'poller'; id: string };

export interface Acknowledgement {
  by: string;
  atMs: number;
  comment: string;
}

export interface Alarm {
  /** Unique for this occurrence: `${key}@${startedAtMs}`. */
  id: string;
  /** One active alarm per key: `${kind}:${subject id}`. */
  key: string;
  kind: AlarmKind;
  severity: Severity;
  subject: AlarmSubject;
  /** When the condition began, as best known (a trap's time, ifLastChange, or the first poll that saw it). */
  startedAtMs: number;
  raisedAtMs: number;
  clearedAtMs: number | null;
  /** When the condition ended, for outage durations; null while active. */
  endedAtMs: number | null;
  ack: Acknowledgement | null;
  /** Shelved alarms stay active but push nothing until this time. */
  shelvedUntilMs: number | null;
  /** Circuits whose service this fault takes down, its own subject excluded (root alarms only). */
  impactedCircuits: string[];
  /** Departments and other sites that own the impacted circuits. */
  impactedSites: string[];
  /** Why, for people: the evidence (oper status, poll error, rate, transitions), in English for logs and the journal. */
  detail: string;
  /** The same evidence in both languages (absent from alarms journaled before it existed): see evidenceText. */
  evidence?: LocalizedName;
  /** Raised during a maintenance window on its subject: no pushes, excluded from SLA. */
  maintenance: boolean;
  /** Raised by a trap that the confirming poll contradicted: not an outage, never in the SLA ledger. */
  spurious?: true;
}

export type AlarmState = 'active' | 'cleared';

export const alarmState = (a: Alarm): AlarmState => (a.clearedAtMs === null ? 'active' : 'cleared');

/** What the engine tells the shell happened; notifiers push raised and cleared. */
export type AlarmEvent =
  | { type: 'raised'; alarm: Alarm }
  | { type: 'cleared'; alarm: Alarm }
  /** A later root cause explains an alarm already raised: it is closed into the root's impact, with no push. */
  | { type: 'absorbed'; alarm: Alarm; rootId: string }
  | { type: 'impact_changed'; alarm: Alarm }
  | { type: 'acknowledged'; alarm: Alarm }
  | { type: 'shelved'; alarm: Alarm };

/** Planned work (维护窗口): alarms on these subjects push nothing and their outages are excluded from SLA. */
export interface MaintenanceWindow {
  /** Circuit, device or site ids; a site covers everything it owns or holds, and below it. */
  subjects: string[];
  fromMs: number;
  toMs: number;
  reason: string;
}

/** A maintenance window as the console lists it: from nms.yaml (fixed) or entered in the console. */
export interface PlannedWork extends MaintenanceWindow {
  id: string;
  source: 'config' | 'console';
  createdBy: string | null;
  createdAtMs: number | null;
}

/** A trap, already mapped to the model by the receiver. */
export interface TrapObservation {
  kind: 'linkDown' | 'linkUp' | 'coldStart' | 'warmStart';
  deviceId: string;
  /** For link traps: the circuit whose end the trap's interface is. */
  circuitId: string | null;
  atMs: number;
}
