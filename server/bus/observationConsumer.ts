/**
 * The centre's side of the bus: a durable JetStream consumer over the
 * pollers' observations. Each message is checked, applied to the centre's
 * live state (where the alarm engine and the ledger hear it), and
 * acknowledged only once `settled` says what it caused is on disk: a centre
 * that dies before that has the message delivered again. What is older than
 * the state the centre holds is acknowledged and not applied, so a
 * redelivery never puts an old state back.
 * A message that fails its checks is terminated with the reason logged, so
 * it is neither applied nor redelivered for ever.
 */
import type { Consumer, JetStreamClient } from '@nats-io/jetstream';
import { decodeObservation, liveEventOf, OBSERVATION_SUBJECT_PREFIX, type ObservationMessage } from '../../shared/bus/observationMessages.ts';
import type { LiveEvent, LiveState } from '../../shared/live/liveState.ts';
import type { Logger } from '../../shared/log.ts';
import type { TrapObservation } from '../../shared/alarms/types.ts';

export interface ConsumerStats {
  applied: number;
  refused: number;
  /** Older than what the centre already held (redelivered after newer ones): acknowledged, not applied. */
  stale: number;
}

export interface ObservationConsumerOptions {
  js: JetStreamClient;
  stream: string;
  durable: string;
  live: LiveState;
  log: Logger;
  /** Resolves when the effects of what was applied are journaled (the alarm service's evaluation). */
  settled: () => Promise<void>;
  /**
   * Called after each change of a circuit's status or a device's reachability.
   * A poller back from an uplink outage replays minutes at once: decided
   * message by message, a link that went down and came back in that time is
   * still an outage, with its own start and end, not nothing.
   */
  onChange?: () => void;
  /** Every message that passed its checks, heartbeats included: the poller was heard. */
  heard?: (m: ObservationMessage) => void;
  /** Why a poller may not say this (of a circuit or device outside its share), or null. */
  refuse?: (m: ObservationMessage) => string | null;
  /** A trap a poller received, after its checks, in order with the observations around it. */
  onTrap?: (t: TrapObservation) => void;
  batch?: number;
}

export class ObservationConsumer {
  readonly stats: ConsumerStats = { applied: 0, refused: 0, stale: 0 };
  #stopped = false;
  #loop: Promise<void> | null = null;

  constructor(private readonly o: ObservationConsumerOptions) {}

  start(): void {
    this.#loop = this.run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  private async run(): Promise<void> {
    let consumer: Consumer | null = null;
    while (!this.#stopped) {
      try {
        consumer ??= await this.o.js.consumers.get(this.o.stream, this.o.durable);
        const batch = await consumer.fetch({ max_messages: this.o.batch ?? 500, expires: 1000 });
        const taken = [];
        for await (const m of batch) {
          const decoded = decodeObservation(m.data);
          const event = decoded.ok ? liveEventOf(decoded.message) : null;
          // A poller speaks on its own subjects, of what it owns: anything else is refused, not believed.
          const error = !decoded.ok
            ? decoded.error
            : m.subject.split('.')[OBSERVATION_SUBJECT_PREFIX.split('.').length] !== decoded.message.poller
              ? `says it is from poller ${decoded.message.poller}`
              : (this.o.refuse?.(decoded.message) ?? null);
          if (!decoded.ok || error) {
            this.stats.refused++;
            this.o.log.error(`bus: ${m.subject} #${m.seq}: refused: ${error}`);
            m.term(error ?? undefined);
            continue;
          }
          this.o.heard?.(decoded.message);
          if (decoded.message.kind === 'trap') this.o.onTrap?.(decoded.message.trap);
          if (event === null || this.apply(event)) this.stats.applied++;
          else this.stats.stale++;
          taken.push(m);
        }
        if (taken.length === 0) continue;
        await this.o.settled();
        for (const m of taken) m.ack();
      } catch (err) {
        if (this.#stopped) return;
        consumer = null;
        this.o.log.warn(`bus: consuming ${this.o.stream}/${this.o.durable}: ${(err as Error).message}; trying again in 1 s`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /**
   * Applies what is newer than what the centre holds: a message redelivered
   * after later ones (its first taker died) must not put an old state back.
   */
  /** @returns false when it was older than what the centre holds, and so not applied. */
  private apply(e: LiveEvent): boolean {
    const live = this.o.live;
    if (e.kind === 'circuit') {
      const held = live.circuits.get(e.circuit.circuitId);
      if (held && held.polledFromMs > e.circuit.polledFromMs) return false;
      live.updateCircuit(e.circuit);
      // A centre that starts afresh and replays must decide on a line first seen down, too.
      if (held ? held.status !== e.circuit.status : e.circuit.status === 'down') this.o.onChange?.();
    } else if (e.kind === 'device') {
      const held = live.devices.get(e.device.deviceId);
      if (held && held.polledFromMs > e.device.polledFromMs) return false;
      live.updateDevice(e.device);
      if (held ? held.reachable !== e.device.reachable : !e.device.reachable) this.o.onChange?.();
    } else {
      const held = live.quality.get(e.quality.circuitId);
      if (held && held.startedAtMs > e.quality.startedAtMs) return false;
      live.updateQuality(e.quality);
    }
    return true;
  }
}
