/**
 * The SLA ledger: for every circuit, the intervals it was out of service
 * (start, end, cause, whether planned work excludes it) and the intervals
 * nobody could see it (unknown: no data, NMS down). Availability, MTTR,
 * outage count and the month's remaining downtime budget come from these.
 *
 * An outage comes from a root alarm when it clears: its own circuit, and
 * every circuit it took down (impacted) with the root as cause: charged to
 * the root, so a department line's own figures (and its carrier's) leave
 * out the time its county uplink was down. Open
 * outages are the active alarms'. Unknown time is recorded by coverage: a
 * circuit not observed for three of its poll intervals (at least
 * `gapAfterMs`) has a gap, and so has
 * the time the NMS itself was down (a checkpoint is written every minute,
 * so the first observation after a restart knows when watching stopped).
 *
 * Durable: an fsynced JSON-lines file beside the alarm journal.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Alarm } from '../../shared/alarms/types.ts';
import type { Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { appendJsonLines, readJsonLines } from '../storage/jsonLines.ts';

export interface Outage {
  circuitId: string;
  startMs: number;
  /** Null while it lasts. */
  endMs: number | null;
  /** The alarm that says so: its own (circuit down, flapping) or an upstream root's. */
  alarmId: string;
  cause: string;
  maintenance: boolean;
}

export interface Availability {
  circuitId: string;
  fromMs: number;
  toMs: number;
  /** Null when nothing of the period is known. */
  availabilityPct: number | null;
  downS: number;
  /** Time with no data: not counted as up or down. */
  unknownS: number;
  /** Planned work, excluded from both. */
  maintenanceS: number;
  /**
   * Down because something upstream failed (the county uplink, the router
   * in front): charged to that circuit or device and its carrier, so left
   * out of this circuit's own figures like planned work.
   */
  upstreamDownS: number;
  knownS: number;
  /** The circuit's own outages: what its carrier answers for. */
  outageCount: number;
  upstreamOutageCount: number;
  mttrS: number | null;
  /** What the users behind it lived through: own and upstream downtime over all time known. */
  serviceAvailabilityPct: number | null;
  /** Own and upstream; `isOwnOutage` tells them apart. */
  outages: Outage[];
}

/** Whether an outage is the circuit's own (its carrier's to answer for) or came from upstream. */
export const isOwnOutage = (o: Outage) => causeOf(o.cause).subjectId === o.circuitId;

/** The ledger's cause, "<alarm kind> <subject id>", in its parts (ids hold no spaces). */
export function causeOf(cause: string): { kind: string; subjectId: string } {
  const at = cause.indexOf(' ');
  return at < 0 ? { kind: cause, subjectId: '' } : { kind: cause.slice(0, at), subjectId: cause.slice(at + 1) };
}

type LedgerRecord =
  | { t: 'outage'; outage: Outage }
  | { t: 'gap'; circuitId: string; startMs: number; endMs: number }
  | { t: 'first'; circuitId: string; atMs: number }
  | { t: 'checkpoint'; atMs: number };

const FILE = 'ledger.jsonl';
const OUTAGE_KINDS = new Set(['circuit_down', 'device_unreachable', 'flapping']);

export class OutageLedger {
  /** Closed outages per circuit. */
  readonly #outages = new Map<string, Outage[]>();
  /** Unknown spans per circuit (including the NMS's own downtime, found at the first observation after it). */
  readonly #gaps = new Map<string, Array<[number, number]>>();
  readonly #lastSeen = new Map<string, number>();
  /** When each circuit was first seen: before that, nothing is known. */
  readonly #firstSeen = new Map<string, number>();
  #lastCheckpoint: number | null = null;
  #fd: number;
  /** Per circuit: a silence longer than this is unknown time (three of its device's poll intervals, at least gapAfterMs). */
  readonly #gapAfter = new Map<string, number>();

  private constructor(
    readonly dir: string,
    private topology: Topology,
    private readonly log: Logger,
    /** A circuit unseen for longer than this has unknown time. */
    private readonly gapAfterMs: number,
  ) {
    mkdirSync(dir, { recursive: true });
    this.setModel(topology);
    this.load();
    this.#fd = openSync(join(dir, FILE), 'a');
  }

  /**
   * Judges circuits by a new model (`nms reload`). What is recorded stays,
   * by circuit id: a circuit taken out and put back has its history.
   */
  setModel(topology: Topology): void {
    this.topology = topology;
    this.#gapAfter.clear();
    for (const c of topology.circuits) {
      const intervals = [c.a.deviceId, c.z.kind === 'device' ? c.z.deviceId : null]
        .map((id) => (id ? topology.deviceById.get(id) : undefined))
        .filter((d) => d?.managed)
        .map((d) => d!.pollIntervalSeconds * 1000);
      this.#gapAfter.set(c.id, Math.max(this.gapAfterMs, 3 * (intervals.length ? Math.min(...intervals) : 0)));
    }
  }

  static open(dir: string, topology: Topology, log: Logger, gapAfterMs = 3 * 60_000): OutageLedger {
    return new OutageLedger(dir, topology, log, gapAfterMs);
  }

  /** The root alarm's outages, once it has cleared (with the moment service came back). */
  recordCleared(alarm: Alarm): void {
    if (!OUTAGE_KINDS.has(alarm.kind) || alarm.endedAtMs === null || alarm.spurious) return;
    this.append(this.outagesOf(alarm, alarm.endedAtMs).map((outage) => ({ t: 'outage' as const, outage })));
  }

  /** Notes that a circuit was seen; a long silence before it becomes unknown time. */
  observe(circuitId: string, atMs: number): void {
    if (!this.#firstSeen.has(circuitId)) this.append([{ t: 'first', circuitId, atMs }]);
    const last = this.#lastSeen.get(circuitId) ?? this.#lastCheckpoint;
    if (last !== null && last !== undefined && atMs - last > this.gapAfter(circuitId)) this.append([{ t: 'gap', circuitId, startMs: last, endMs: atMs }]);
    this.#lastSeen.set(circuitId, atMs);
  }

  /** Every minute or so: says the NMS was watching until now. */
  checkpoint(atMs: number): void {
    this.append([{ t: 'checkpoint', atMs }]);
  }

  /**
   * Availability of a circuit over [fromMs, toMs), with the outages of the
   * active alarms counted up to nowMs.
   */
  availability(circuitId: string, fromMs: number, toMs: number, active: readonly Alarm[], nowMs: number): Availability {
    const end = Math.min(toMs, nowMs);
    const outages = [...(this.#outages.get(circuitId) ?? []), ...(this.openOutages(active).get(circuitId) ?? [])].filter(
      (o) => o.startMs < end && (o.endMs ?? nowMs) > fromMs,
    );
    const clip = (s: number, e: number): [number, number] => [Math.max(s, fromMs), Math.min(e, end)];
    const unplanned = outages.filter((o) => !o.maintenance);
    const own = unplanned.filter(isOwnOutage);
    const down = merge(own.map((o) => clip(o.startMs, o.endMs ?? nowMs)));
    const upstream = subtract(merge(unplanned.filter((o) => !isOwnOutage(o)).map((o) => clip(o.startMs, o.endMs ?? nowMs))), down);
    const planned = merge(outages.filter((o) => o.maintenance).map((o) => clip(o.startMs, o.endMs ?? nowMs)));
    // Unknown time that an outage does not already explain (an upstream outage is known down).
    // Never seen before, and not seen since the last look (or since the NMS stopped): unknown too.
    const first = this.#firstSeen.get(circuitId) ?? Infinity;
    const last = this.#lastSeen.get(circuitId) ?? this.#lastCheckpoint;
    const unseen: Array<[number, number]> = [
      [fromMs, Math.min(first, end)],
      ...(last !== null && last !== undefined && end - last > this.gapAfter(circuitId) ? [[Math.max(last, fromMs), end] as [number, number]] : []),
    ];
    const gaps = subtract(merge([...(this.#gaps.get(circuitId) ?? []), ...unseen].map(([s, e]) => clip(s, e))), [...down, ...upstream, ...planned]);
    const span = Math.max(0, end - fromMs);
    const downMs = total(down);
    const unknownMs = total(gaps);
    const maintenanceMs = total(subtract(planned, [...down, ...upstream]));
    const upstreamMs = total(upstream);
    const knownMs = Math.max(0, span - unknownMs - maintenanceMs - upstreamMs);
    const closed = own.filter((o) => o.endMs !== null);
    return {
      circuitId,
      fromMs,
      toMs,
      availabilityPct: knownMs > 0 ? (100 * (knownMs - downMs)) / knownMs : null,
      downS: downMs / 1000,
      unknownS: unknownMs / 1000,
      maintenanceS: maintenanceMs / 1000,
      upstreamDownS: upstreamMs / 1000,
      knownS: knownMs / 1000,
      outageCount: own.length,
      upstreamOutageCount: unplanned.length - own.length,
      mttrS: closed.length ? closed.reduce((s, o) => s + (o.endMs! - o.startMs), 0) / closed.length / 1000 : null,
      serviceAvailabilityPct: knownMs + upstreamMs > 0 ? (100 * (knownMs - downMs)) / (knownMs + upstreamMs) : null,
      outages,
    };
  }

  /** What the month's SLA target still allows: the downtime budget left for the rest of the month. */
  budget(
    circuitId: string,
    monthStartMs: number,
    monthEndMs: number,
    active: readonly Alarm[],
    nowMs: number,
  ): { targetPct: number; allowedDownS: number; usedDownS: number; remainingS: number } {
    const tier = this.topology.slaTiers.get(this.topology.circuit(circuitId).slaTier)!;
    const a = this.availability(circuitId, monthStartMs, monthEndMs, active, nowMs);
    const allowed = ((100 - tier.availabilityPct) / 100) * ((monthEndMs - monthStartMs) / 1000 - a.maintenanceS);
    return { targetPct: tier.availabilityPct, allowedDownS: allowed, usedDownS: a.downS, remainingS: allowed - a.downS };
  }

  close(): void {
    closeSync(this.#fd);
  }

  private gapAfter(circuitId: string): number {
    return this.#gapAfter.get(circuitId) ?? this.gapAfterMs;
  }

  /** The active alarms' outages by circuit, worked out once per list (a budget check asks for every circuit). */
  private openOutages(active: readonly Alarm[]): Map<string, Outage[]> {
    let byCircuit = this.#openCache.get(active);
    if (!byCircuit) {
      byCircuit = new Map();
      for (const a of active) {
        if (!OUTAGE_KINDS.has(a.kind)) continue;
        for (const o of this.outagesOf(a, null)) byCircuit.set(o.circuitId, [...(byCircuit.get(o.circuitId) ?? []), o]);
      }
      this.#openCache.set(active, byCircuit);
    }
    return byCircuit;
  }

  readonly #openCache = new WeakMap<readonly Alarm[], Map<string, Outage[]>>();

  private outagesOf(alarm: Alarm, endMs: number | null): Outage[] {
    const own = alarm.subject.type === 'circuit' ? [alarm.subject.id] : [];
    const cause = `${alarm.kind} ${alarm.subject.id}`;
    // Enforced where the ledger writes: an outage never ends before it starts, whatever fed it.
    const end = endMs === null ? null : Math.max(endMs, alarm.startedAtMs);
    return [...own, ...alarm.impactedCircuits].map((circuitId) => ({
      circuitId,
      startMs: alarm.startedAtMs,
      endMs: end,
      alarmId: alarm.id,
      cause,
      maintenance: alarm.maintenance,
    }));
  }

  private append(records: LedgerRecord[]): void {
    if (!records.length) return;
    for (const r of records) this.apply(r);
    appendJsonLines(this.#fd, records);
  }

  private apply(r: LedgerRecord): void {
    if (r.t === 'outage') {
      const list = this.#outages.get(r.outage.circuitId) ?? [];
      list.push(r.outage);
      this.#outages.set(r.outage.circuitId, list);
    } else if (r.t === 'gap') {
      const list = this.#gaps.get(r.circuitId) ?? [];
      list.push([r.startMs, r.endMs]);
      this.#gaps.set(r.circuitId, list);
    } else if (r.t === 'first') this.#firstSeen.set(r.circuitId, r.atMs);
    else this.#lastCheckpoint = r.atMs;
  }

  private load(): void {
    readJsonLines<LedgerRecord>(join(this.dir, FILE), 'outage ledger', this.log, (r) => this.apply(r));
  }
}

function merge(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = spans.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function subtract(spans: Array<[number, number]>, minus: Array<[number, number]>): Array<[number, number]> {
  let out = merge(spans);
  for (const [ms, me] of merge(minus)) {
    out = out.flatMap(
      ([s, e]): Array<[number, number]> =>
        me <= s || ms >= e ? [[s, e]] : [...(ms > s ? [[s, ms] as [number, number]] : []), ...(me < e ? [[me, e] as [number, number]] : [])],
    );
  }
  return out;
}

const total = (spans: Array<[number, number]>) => spans.reduce((n, [s, e]) => n + (e - s), 0);
