/**
 * A poller's side of the bus: every change of its live state, published in
 * order to its own JetStream stream. Each message has an id made of what it
 * says (circuit, and when it was observed), so a message published twice
 * (a retry after a lost acknowledgement) is stored once. Publishing never
 * holds up polling: changes wait in a bounded queue while the server is
 * away, and the oldest are dropped, counted and logged past the bound.
 * Traps the poller received go the same way.
 * A heartbeat goes the same way, in order, so the centre hears the poller's
 * health even in a city where nothing changes, and knows how far behind it is.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { LiveState } from '../../shared/live/liveState.ts';
import type { TrapObservation } from '../../shared/alarms/types.ts';
import type { Logger } from '../../shared/log.ts';
import {
  encodeObservation,
  observationSubject,
  POLLER_NAME,
  type Outgoing,
  type PollerHeartbeat,
  type PushedByPoller,
} from '../../shared/bus/observationMessages.ts';

export interface HeartbeatOptions {
  intervalMs: number;
  /** The poller's own figures, at the time of each beat. */
  health: () => Pick<PollerHeartbeat, 'upSinceMs' | 'devices' | 'circuits' | 'spooledPoints' | 'localAlarms'>;
  now?: () => number;
}

export interface PublisherStats {
  published: number;
  dropped: number;
  queued: number;
}

/** How many changes wait for the server: an hour of a city's polls. */
const DEFAULT_QUEUE_LIMIT = 200_000;
const RETRY_MS = 1000;

export function observationId(poller: string, e: Outgoing): string {
  if (e.kind === 'heartbeat') return `${poller}:h:${e.heartbeat.sentAtMs}`;
  if (e.kind === 'pushed') return `${poller}:p:${e.pushed.alarmKey}:${e.pushed.startedAtMs}`;
  if (e.kind === 'trap') return `${poller}:t:${e.trap.deviceId}:${e.trap.kind}:${e.trap.circuitId ?? ''}:${e.trap.atMs}`;
  if (e.kind === 'circuit') return `${poller}:c:${e.circuit.circuitId}:${e.circuit.polledFromMs}:${e.circuit.updatedAtMs}`;
  if (e.kind === 'device') return `${poller}:d:${e.device.deviceId}:${e.device.polledFromMs}:${e.device.updatedAtMs}`;
  return `${poller}:q:${e.quality.circuitId}:${e.quality.startedAtMs}`;
}

export class ObservationPublisher {
  readonly stats: PublisherStats = { published: 0, dropped: 0, queued: 0 };
  readonly #queue: Outgoing[] = [];
  #draining = false;
  #stopped = false;
  #retry: NodeJS.Timeout | null = null;
  #beat: NodeJS.Timeout | null = null;
  readonly #unsubscribe: () => void;

  /** @throws Error for a poller name that cannot be a subject token. */
  constructor(
    private readonly js: JetStreamClient,
    private readonly poller: string,
    live: LiveState,
    private readonly log: Logger,
    heartbeat: HeartbeatOptions | null = null,
    private readonly queueLimit = DEFAULT_QUEUE_LIMIT,
  ) {
    if (!POLLER_NAME.test(poller)) throw new Error(`poller name "${poller}": use letters, digits, "-" and "_" (it is part of the bus subjects)`);
    this.#unsubscribe = live.subscribe((e) => this.enqueue(e));
    if (heartbeat) {
      const now = heartbeat.now ?? Date.now;
      const beat = () =>
        this.enqueue({ kind: 'heartbeat', heartbeat: { sentAtMs: now(), queued: this.#queue.length, dropped: this.stats.dropped, ...heartbeat.health() } });
      beat();
      this.#beat = setInterval(beat, heartbeat.intervalMs);
    }
  }

  /** A trap the poller received, for the centre's alarm engine, in order with the polls that confirm it. */
  trap(t: TrapObservation): void {
    this.enqueue({ kind: 'trap', trap: t });
  }

  /** Tells the centre, in order with the observations, that this poller pushed an alarm itself. */
  pushed(p: PushedByPoller): void {
    this.enqueue({ kind: 'pushed', pushed: p });
  }

  /** Resolves once everything queued so far is stored by the server (or stop() was called). */
  async flushed(): Promise<void> {
    while (!this.#stopped && (this.#queue.length > 0 || this.#draining)) await new Promise((r) => setTimeout(r, 20));
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#beat) clearInterval(this.#beat);
  }

  private enqueue(e: Outgoing): void {
    this.#queue.push(e);
    if (this.#queue.length > this.queueLimit) {
      this.#queue.shift();
      if (this.stats.dropped++ % 10_000 === 0)
        this.log.error(`bus: ${this.stats.dropped} observations dropped, the server having been away for ${this.queueLimit} changes`);
    }
    this.stats.queued = this.#queue.length;
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.#draining || this.#stopped) return;
    this.#draining = true;
    try {
      while (this.#queue.length && !this.#stopped) {
        const e = this.#queue[0]!;
        try {
          await this.js.publish(observationSubject(this.poller, e.kind), JSON.stringify(encodeObservation(this.poller, e)), {
            msgID: observationId(this.poller, e),
          });
        } catch (err) {
          // Kept, in order, for the next try: the server (or the poller's own leaf node) is away.
          this.log.warn(`bus: publishing to JetStream: ${(err as Error).message}; retrying in ${RETRY_MS / 1000} s with ${this.#queue.length} waiting`);
          this.#retry = setTimeout(() => void this.drain(), RETRY_MS);
          return;
        }
        this.#queue.shift();
        this.stats.published++;
        this.stats.queued = this.#queue.length;
      }
    } finally {
      this.#draining = false;
    }
  }
}
