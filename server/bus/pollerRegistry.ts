/**
 * The centre's book of its city pollers: what each owns, when it was last
 * heard, how far behind it is, its latest heartbeat, and JetStream's count
 * of what it has not yet delivered. It also says what a poller may speak of:
 * a message about a circuit or device outside its share is refused, so one
 * misconfigured (or hostile) poller cannot raise or clear another city's
 * alarms.
 */
import { observedAtMs, type ObservationMessage, type PollerHeartbeat } from '../../shared/bus/observationMessages.ts';
import type { Alarm } from '../../shared/alarms/types.ts';
import type { PollerStatus } from '../../shared/bus/pollerStatus.ts';
import type { WatchedPoller } from '../alarms/rules/pollerSilentRule.ts';

interface Book {
  poller: WatchedPoller;
  devices: ReadonlySet<string>;
  circuits: ReadonlySet<string>;
  lastHeardAtMs: number | null;
  newestObservedAtMs: number | null;
  heartbeat: PollerHeartbeat | null;
  backlog: number | null;
  /** Alarms it pushed itself while alone: key → their starts. */
  pushed: Map<string, number[]>;
}

/** How long the centre holds a push for a localAlarms poller's share, to read word of the poller's own push after the observation. */
export const LOCAL_PUSH_HOLD_MS = 5000;
/** The same alarm on both sides: the same key, begun within this of each other. */
const SAME_START_MS = 2 * 60_000;
const PUSHED_KEPT = 2000;

export class PollerRegistry {
  readonly #books = new Map<string, Book>();

  constructor(
    pollers: readonly WatchedPoller[],
    /** The alarm engine's word on it: whether its poller_silent alarm stands. */
    private readonly isSilent: (poller: string) => boolean,
    private readonly now: () => number = Date.now,
  ) {
    for (const p of pollers) {
      this.#books.set(p.name, {
        poller: p,
        devices: new Set(p.devices),
        circuits: new Set(p.circuits),
        lastHeardAtMs: null,
        newestObservedAtMs: null,
        heartbeat: null,
        backlog: null,
        pushed: new Map(),
      });
    }
  }

  /** Why a message's poller may not say this (of a device or circuit outside its share), or null. */
  refuse(m: ObservationMessage): string | null {
    const book = this.#books.get(m.poller);
    if (!book) return `no poller ${m.poller} in centre.pollers`;
    const device = m.kind === 'device' ? m.device.deviceId : m.kind === 'trap' ? m.trap.deviceId : null;
    const circuit = m.kind === 'circuit' ? m.circuit.circuitId : m.kind === 'quality' ? m.quality.circuitId : m.kind === 'trap' ? m.trap.circuitId : null;
    if (device !== null && !book.devices.has(device)) return `device ${device} is not in the share of poller ${m.poller}`;
    if (circuit !== null && !book.circuits.has(circuit)) return `circuit ${circuit} is not in the share of poller ${m.poller}`;
    return null;
  }

  heard(m: ObservationMessage): void {
    const book = this.#books.get(m.poller);
    if (!book) return;
    book.lastHeardAtMs = this.now();
    book.newestObservedAtMs = Math.max(book.newestObservedAtMs ?? 0, observedAtMs(m));
    if (m.kind === 'heartbeat' && m.heartbeat.sentAtMs >= (book.heartbeat?.sentAtMs ?? 0)) book.heartbeat = m.heartbeat;
    if (m.kind === 'pushed') {
      const starts = book.pushed.get(m.pushed.alarmKey) ?? [];
      book.pushed.set(m.pushed.alarmKey, [...starts, m.pushed.startedAtMs]);
      if (book.pushed.size > PUSHED_KEPT) book.pushed.delete(book.pushed.keys().next().value!);
    }
  }

  /**
   * Whether the centre may push this alarm now. An alarm on the share of a
   * poller that pushes its own alarms when alone (or whose mind the centre
   * does not know yet) waits LOCAL_PUSH_HOLD_MS, so word of the poller's push,
   * which follows the observation on its stream, has been read; an alarm the
   * poller pushed is the poller's, and the centre pushes none of it.
   */
  mayPush(alarm: Alarm, now: number): boolean {
    const book = [...this.#books.values()].find((b) =>
      (alarm.subject.type === 'circuit' ? b.circuits : alarm.subject.type === 'device' ? b.devices : null)?.has(alarm.subject.id),
    );
    if (!book || book.heartbeat?.localAlarms === false) return true;
    if ((book.pushed.get(alarm.key) ?? []).some((start) => Math.abs(start - alarm.startedAtMs) <= SAME_START_MS)) return false;
    return now - alarm.raisedAtMs >= LOCAL_PUSH_HOLD_MS;
  }

  setBacklog(poller: string, messages: number | null): void {
    const book = this.#books.get(poller);
    if (book) book.backlog = messages;
  }

  statuses(): PollerStatus[] {
    const now = this.now();
    return [...this.#books.values()].map((b) => ({
      name: b.poller.name,
      sites: [...b.poller.givenSites],
      devicesOwned: b.devices.size,
      circuitsOwned: b.circuits.size,
      lastHeardAtMs: b.lastHeardAtMs,
      lagMs: b.newestObservedAtMs === null ? null : Math.max(0, now - b.newestObservedAtMs),
      heartbeat: b.heartbeat,
      backlog: b.backlog,
      silent: this.isSilent(b.poller.name),
    }));
  }
}
