/**
 * Gets each push through its channel: recorded as owed in the journal before
 * the first try, retried with back-off, spaced to the channel's rate limit,
 * and recorded as sent the moment it is. One push at a time per channel, so
 * a raise never overtakes its own clear. A push still owed after a restart is
 * resumed; one recorded as sent is never sent again. A push a crash caught in
 * flight (journaled "sending") is sent again only to a channel whose receiver
 * can drop a repeat by its id; to any other it is marked uncertain, since it
 * may have arrived and a second copy would be a second message.
 */
import type { Logger } from '../../shared/log.ts';
import type { AlarmJournal, PushRecord } from '../alarms/alarmJournal.ts';
import type { AlarmNotice } from './notifier.ts';
import type { Channel } from './notifierRegistry.ts';

export interface DeliveryOptions {
  now?: () => number;
  /** Wait before retry n (1-based); default 2 s doubling up to 5 min. */
  backoffMs?: (attempt: number) => number;
}

interface Lane {
  channel: Channel;
  queue: Array<{ push: PushRecord; notice: AlarmNotice }>;
  busy: boolean;
  lastSentMs: number;
}

export class DeliveryQueue {
  readonly #lanes = new Map<string, Lane>();
  readonly #now: () => number;
  readonly #backoff: (attempt: number) => number;
  #idle: Array<() => void> = [];
  #closed = false;
  readonly stats = { sent: 0, failedAttempts: 0, gaveUp: 0 };

  constructor(
    channels: readonly Channel[],
    private readonly journal: AlarmJournal,
    private readonly log: Logger,
    options: DeliveryOptions = {},
  ) {
    for (const c of channels) this.#lanes.set(c.settings.name, { channel: c, queue: [], busy: false, lastSentMs: 0 });
    this.#now = options.now ?? Date.now;
    this.#backoff = options.backoffMs ?? ((n) => Math.min(300_000, 2000 * 2 ** (n - 1)));
  }

  get channelNames(): string[] {
    return [...this.#lanes.keys()];
  }

  /** Whether a push caught in flight by a crash may be sent again on this channel. */
  resendable(channel: string): boolean {
    return this.#lanes.get(channel)?.channel.resendableById ?? false;
  }

  /** Records the push as owed (durably) and starts on it; a push already recorded is not sent twice. */
  enqueue(notice: AlarmNotice, channel: string): void {
    const lane = this.#lanes.get(channel);
    if (!lane) throw new Error(`no notification channel named ${channel}`);
    const known = this.journal.pushes.get(notice.id);
    // Sent, given up or uncertain: never again. Owed, or caught in flight on a resendable channel: go on.
    if (known && known.state !== 'pending' && known.state !== 'sending') return;
    const push: PushRecord = known ?? {
      id: notice.id,
      alarmId: notice.alarm.id,
      reason: notice.reason,
      channel,
      state: 'pending',
      createdAtMs: this.#now(),
      attempts: 0,
      lastAttemptMs: null,
      error: null,
    };
    if (!known) this.journal.append([{ t: 'push', push }]);
    lane.queue.push({ push, notice });
    void this.pump(lane);
  }

  /** Resolves once nothing is queued or in flight (for tests and shutdown). */
  idle(): Promise<void> {
    if ([...this.#lanes.values()].every((l) => !l.busy && l.queue.length === 0)) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  close(): void {
    this.#closed = true;
  }

  private async pump(lane: Lane): Promise<void> {
    if (lane.busy) return;
    lane.busy = true;
    try {
      while (lane.queue.length && !this.#closed) {
        const { push, notice } = lane.queue[0]!;
        const spacing = 60_000 / lane.channel.settings.ratePerMinute - (this.#now() - lane.lastSentMs);
        if (spacing > 0) await sleep(spacing);
        // Closed meanwhile, its journal with it: what is in flight stays "sending" there, as after a crash (sent again by its id).
        if (this.#closed) return;
        try {
          push.attempts++;
          push.lastAttemptMs = this.#now();
          // On disk before the request leaves: after a crash, a push left "sending" may have arrived.
          this.journal.append([{ t: 'push', push: { ...push, state: 'sending' } }]);
          await lane.channel.notifier.send(notice);
          if (this.#closed) return;
          lane.lastSentMs = this.#now();
          lane.queue.shift();
          this.journal.append([{ t: 'push', push: { ...push, state: 'sent', error: null } }]);
          this.stats.sent++;
        } catch (err) {
          if (this.#closed) return;
          this.stats.failedAttempts++;
          const message = (err as Error).message;
          const giveUp = push.attempts > lane.channel.settings.retries;
          this.journal.append([{ t: 'push', push: { ...push, state: giveUp ? 'failed' : 'pending', error: message } }]);
          if (giveUp) {
            this.stats.gaveUp++;
            this.log.error(`push ${push.id}: gave up after ${push.attempts} tries: ${message}`);
            lane.queue.shift();
          } else {
            this.log.warn(`push ${push.id}: try ${push.attempts} failed, retrying: ${message}`);
            await sleep(this.#backoff(push.attempts));
          }
        }
      }
    } finally {
      lane.busy = false;
      if ([...this.#lanes.values()].every((l) => !l.busy && l.queue.length === 0)) for (const r of this.#idle.splice(0)) r();
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
