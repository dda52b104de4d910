/**
 * The shell around the alarm engine: feeds it the live state and traps,
 * evaluates on a tick, writes every change to the journal before anyone hears
 * of it, and hands raises and clears to the delivery queue. On start-up it
 * takes the engine's alarms from the journal and resumes pushes still owed,
 * so a restart (kill -9 included) neither loses an incident nor repeats a push.
 */
import type { AlarmEvent } from '../../shared/alarms/types.ts';
import type { LiveState } from '../../shared/live/liveState.ts';
import type { Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { buildNotice, type NoticeOptions } from '../notifiers/alarmNotice.ts';
import type { DeliveryQueue } from '../notifiers/deliveryQueue.ts';
import { AlarmEngine, type TrapObservation } from './alarmEngine.ts';
import type { AlarmJournal, PushReason } from './alarmJournal.ts';
import type { AlarmRules } from './alarmRules.ts';

export interface AlarmServiceOptions {
  topology: Topology;
  rules: AlarmRules;
  journal: AlarmJournal;
  delivery: DeliveryQueue;
  live: LiveState;
  log: Logger;
  notice: Omit<NoticeOptions, 'nowMs'>;
  now?: () => number;
  /** How often the engine decides, in ms (it also decides right after a trap). */
  tickMs?: number;
  /** Hears every event after it is journaled (the console's WebSocket, InfluxDB history). */
  onEvent?: (event: AlarmEvent) => void;
}

export class AlarmService {
  readonly engine: AlarmEngine;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(private readonly o: AlarmServiceOptions) {
    this.#now = o.now ?? Date.now;
    const alarms = [...o.journal.alarms.values()];
    this.engine = new AlarmEngine(o.topology, o.rules, {
      circuits: [],
      devices: [],
      active: alarms.filter((a) => a.clearedAtMs === null),
      history: alarms.filter((a) => a.clearedAtMs !== null).sort((x, y) => x.clearedAtMs! - y.clearedAtMs!).slice(-o.rules.historyLimit),
    });
  }

  start(): void {
    this.resumeOwedPushes();
    this.#unsubscribe = this.o.live.subscribe((e) => {
      if (e.kind === 'circuit') this.engine.observeCircuit(e.circuit);
      else this.engine.observeDevice(e.device);
    });
    this.#timer = setInterval(() => this.evaluate(), this.o.tickMs ?? 1000);
    this.#timer.unref();
  }

  observeTrap(trap: TrapObservation): void {
    this.engine.observeTrap(trap);
    this.evaluate();
  }

  /** Decides now; returns what changed (after journaling and queueing pushes). */
  evaluate(): AlarmEvent[] {
    const now = this.#now();
    let events: AlarmEvent[];
    try {
      events = this.engine.evaluate(now);
    } catch (err) {
      // A bug in one decision must not stop alarms for good; it is logged with its stack for us.
      this.o.log.error(`alarm engine: evaluation failed: ${(err as Error).stack ?? err}`);
      return [];
    }
    this.apply(events, now);
    return events;
  }

  acknowledge(id: string, by: string, comment: string): AlarmEvent {
    const event = this.engine.acknowledge(id, by, comment, this.#now());
    this.apply([event], this.#now());
    return event;
  }

  shelve(id: string, untilMs: number): AlarmEvent {
    const event = this.engine.shelve(id, untilMs, this.#now());
    this.apply([event], this.#now());
    return event;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  private apply(events: AlarmEvent[], now: number): void {
    if (events.length === 0) return;
    this.o.journal.append(events.map((e) => ({ t: 'alarm' as const, alarm: e.alarm })));
    for (const e of events) {
      if ((e.type === 'raised' || e.type === 'cleared') && this.pushable(e.alarm, now)) this.push(e.alarm.id, e.type, now);
      this.o.onEvent?.(e);
    }
  }

  private pushable(alarm: AlarmEvent['alarm'], now: number): boolean {
    return !alarm.maintenance && !(alarm.shelvedUntilMs !== null && alarm.shelvedUntilMs > now);
  }

  private push(alarmId: string, reason: PushReason, now: number): void {
    const alarm = this.o.journal.alarms.get(alarmId);
    if (!alarm) return;
    for (const channel of this.o.delivery.channelNames) {
      this.o.delivery.enqueue(buildNotice(this.o.topology, alarm, reason, channel, { ...this.o.notice, nowMs: now }), channel);
    }
  }

  private resumeOwedPushes(): void {
    for (const p of this.o.journal.pushes.values()) {
      const alarm = this.o.journal.alarms.get(p.alarmId);
      if (p.state !== 'pending' || !alarm || !this.o.delivery.channelNames.includes(p.channel)) continue;
      this.o.log.info(`resuming push ${p.id}, owed since before the restart`);
      this.o.delivery.enqueue(buildNotice(this.o.topology, alarm, p.reason, p.channel, { ...this.o.notice, nowMs: this.#now() }), p.channel);
    }
  }
}
