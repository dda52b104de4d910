/**
 * The shell around the alarm engine: feeds it the live state and traps,
 * evaluates on a tick, writes every change to the journal before anyone hears
 * of it, and hands raises and clears to the delivery queue. On start-up it
 * takes the engine's alarms from the journal and resumes pushes still owed,
 * so a restart (kill -9 included) neither loses an incident nor repeats a push.
 */
import { EVIDENCE } from '../../shared/alarms/alarmWords.ts';
import type { Alarm, AlarmEvent, AlarmSubject } from '../../shared/alarms/types.ts';
import type { LiveState } from '../../shared/live/liveState.ts';
import type { Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { monthBounds } from '../../shared/time/zonedTime.ts';
import { buildNotice, type NoticeOptions } from '../notifiers/alarmNotice.ts';
import type { DeliveryQueue } from '../notifiers/deliveryQueue.ts';
import { AlarmEngine } from './alarmEngine.ts';
import type { TrapObservation } from '../../shared/alarms/types.ts';
import { pushId, type AlarmJournal, type PushRecord } from './alarmJournal.ts';
import type { AlarmRules } from './alarmRules.ts';
import type { OutageLedger } from './outageLedger.ts';
import { escalationLevels, levelsDue, onDuty, quietUntil, type EscalationLevel, type OnCallConfig } from './onCall.ts';

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
  /** Hears every event after it is journaled (the console's WebSocket, InfluxDB history), with the model it was decided in. */
  onEvent?: (event: AlarmEvent, topology: Topology) => void;
  /** The rota, escalation and quiet hours; without it every channel hears every alarm at once. */
  onCall?: OnCallConfig | null;
  /** The SLA ledger: fed with cleared outages and with what is observed. */
  ledger?: OutageLedger | null;
  /**
   * Whether this side may start pushing an alarm now: a city poller with
   * localAlarms pushes only while its centre is away, and a centre leaves
   * to the poller an alarm the poller pushed. Asked again on every decision
   * until it says yes; once an alarm has a push, its escalations and its
   * clear follow. Without a gate every alarm is pushed.
   */
  pushGate?: ((alarm: Alarm, now: number) => boolean) | undefined;
}

/** How often the ledger is told the NMS is still watching, and SLA budgets are checked. */
const CHECKPOINT_MS = 60_000;
const PROJECT_AFTER_MS = 7 * 86_400_000;

export class AlarmService {
  #engine: AlarmEngine;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #checkpoint: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(private o: AlarmServiceOptions) {
    this.#now = o.now ?? Date.now;
    const alarms = [...o.journal.alarms.values()];
    this.#engine = new AlarmEngine(o.topology, o.rules, {
      circuits: [],
      devices: [],
      active: alarms.filter((a) => a.clearedAtMs === null),
      history: alarms
        .filter((a) => a.clearedAtMs !== null)
        .sort((x, y) => x.clearedAtMs! - y.clearedAtMs!)
        .slice(-o.rules.historyLimit),
    });
  }

  /** The engine deciding now; a reload replaces it, so it is asked for each time. */
  get engine(): AlarmEngine {
    return this.#engine;
  }

  /**
   * Decides over a new model from now on (`nms reload`), keeping every alarm,
   * acknowledgement and observation of what the model still has, as a
   * restart does from the journal. Alarms of circuits and devices taken out
   * are cleared first, journaled and told with the names they had.
   */
  setModel(topology: Topology, rules: AlarmRules): void {
    const now = this.#now();
    const keeps = (s: AlarmSubject) => (s.type === 'circuit' ? topology.circuitById.has(s.id) : s.type === 'device' ? topology.deviceById.has(s.id) : true);
    this.apply(this.#engine.retire(keeps, now), now);
    const snapshot = this.#engine.snapshot();
    const maintenance = this.#engine.maintenance;
    this.o = { ...this.o, topology, rules };
    this.#engine = new AlarmEngine(topology, rules, {
      ...snapshot,
      circuits: snapshot.circuits.filter(([id]) => topology.circuitById.has(id)),
      devices: snapshot.devices.filter(([id]) => topology.deviceById.has(id)),
    });
    this.#engine.setMaintenance(maintenance);
    this.checkSlaBudgets();
  }

  start(): void {
    this.resumeOwedPushes();
    this.#unsubscribe = this.o.live.subscribe((e) => {
      // A poll of the model before a reload, still in flight when it was applied, may tell of what is gone.
      const t = this.o.topology;
      if (e.kind === 'device' ? !t.deviceById.has(e.device.deviceId) : !t.circuitById.has(e.kind === 'circuit' ? e.circuit.circuitId : e.quality.circuitId))
        return;
      if (e.kind === 'circuit') {
        this.engine.observeCircuit(e.circuit);
        if (e.circuit.status !== 'unknown') this.o.ledger?.observe(e.circuit.circuitId, e.circuit.updatedAtMs);
      } else if (e.kind === 'device') this.engine.observeDevice(e.device);
      else this.engine.observeQuality(e.quality);
    });
    this.#timer = setInterval(() => this.evaluate(), this.o.tickMs ?? 1000);
    this.#timer.unref();
    if (this.o.ledger) {
      this.#checkpoint = setInterval(() => {
        this.o.ledger?.checkpoint(this.#now());
        this.checkSlaBudgets();
      }, CHECKPOINT_MS);
      this.#checkpoint.unref();
    }
  }

  /**
   * Each push of an alarm and how it stands, for the console: whether on-call
   * staff were told, and which pushes a crash left uncertain. Error texts stay
   * out (a vendor's answer may quote a robot URL with its token).
   */
  pushesOf(alarmId: string): Array<Pick<PushRecord, 'channel' | 'reason' | 'state' | 'attempts'>> {
    return [...this.o.journal.pushes.values()]
      .filter((p) => p.alarmId === alarmId)
      .map(({ channel, reason, state, attempts }) => ({ channel, reason, state, attempts }));
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
      // A bug in one decision must not stop alarms for good: logged, and the next tick tries again.
      this.o.log.error(`alarm engine: evaluation failed: ${(err as Error).message}`);
      return [];
    }
    this.apply(events, now);
    return events;
  }

  /**
   * Month to date, per circuit: breached when the downtime already used is
   * over the month's allowance at the SLA target, or heading there when the
   * month's pace would take it over by the month's end.
   */
  checkSlaBudgets(): void {
    const ledger = this.o.ledger;
    if (!ledger) return;
    const now = this.#now();
    const { startMs, endMs } = monthBounds(now, this.o.topology.network.timezone);
    const active = this.engine.active();
    const elapsed = Math.max(1, now - startMs);
    for (const c of this.o.topology.circuits) {
      const b = ledger.budget(c.id, startMs, endMs, active, now);
      const projected = (b.usedDownS * (endMs - startMs)) / elapsed;
      const minutes = (s: number) => Math.round(s / 60);
      const breach =
        b.remainingS < 0
          ? EVIDENCE.budgetSpent(minutes(b.usedDownS), minutes(b.allowedDownS), b.targetPct)
          : // A pace read from the first days of a month says little: project only after a week.
            elapsed >= PROJECT_AFTER_MS && b.usedDownS > 0 && projected > b.allowedDownS
            ? EVIDENCE.budgetPace(minutes(b.usedDownS), minutes(projected), minutes(b.allowedDownS), b.targetPct)
            : null;
      this.engine.setSlaBudget(c.id, breach, now);
    }
    this.evaluate();
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
    if (this.#checkpoint) clearInterval(this.#checkpoint);
    this.#timer = null;
    this.#checkpoint = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  private apply(events: AlarmEvent[], now: number): void {
    if (events.length) this.o.journal.append(events.map((e) => ({ t: 'alarm' as const, alarm: e.alarm })));
    for (const e of events) {
      if (e.type === 'cleared') {
        if (e.alarm.spurious)
          this.o.log.warn(
            `${e.alarm.key}: raised by a trap the poll did not confirm; cleared as spurious, no outage recorded (${[...this.engine.spuriousTraps].map(([d, n]) => `${d}: ${n}`).join(', ')} spurious so far)`,
          );
        this.o.ledger?.recordCleared(e.alarm);
        this.pushClear(e.alarm, now);
      }
      this.o.onEvent?.(e, this.o.topology);
    }
    this.reconcile(now);
  }

  /**
   * Queues every push now owed: the first level for each active alarm (once
   * quiet hours allow), and each later level it has gone unacknowledged long
   * enough for. Each push has one id, so nothing is queued twice.
   */
  private reconcile(now: number): void {
    for (const alarm of this.engine.active()) {
      if (alarm.maintenance || (alarm.shelvedUntilMs !== null && alarm.shelvedUntilMs > now)) continue;
      // Quiet hours hold every push of a non-critical alarm; when they end, whatever is due goes.
      if (this.o.onCall && quietUntil(this.o.onCall, alarm.severity, now, this.o.topology.network.timezone) !== null) continue;
      if (this.o.pushGate && !this.o.journal.pushedAlarms.has(alarm.id) && !this.o.pushGate(alarm, now)) continue;
      for (const level of this.levelsFor(alarm, now)) {
        const reason = level.level === 1 ? 'raised' : 'escalated';
        for (const channel of level.channels) {
          if (this.o.journal.pushes.has(pushId(alarm.id, reason, channel, level.level))) continue;
          this.enqueue(this.o.journal.alarms.get(alarm.id) ?? alarm, reason, channel, level, now);
        }
      }
    }
  }

  /** A clear goes to every channel that heard of the alarm, and to no one else. */
  private pushClear(alarm: Alarm, now: number): void {
    const told = new Set<string>();
    for (const p of this.o.journal.pushes.values()) if (p.alarmId === alarm.id && p.reason !== 'cleared') told.add(p.channel);
    for (const channel of told) this.enqueue(alarm, 'cleared', channel, null, now);
  }

  private levelsFor(alarm: Alarm, now: number): EscalationLevel[] {
    if (!this.o.onCall) return [{ level: 1, rotation: '', channels: this.o.delivery.channelNames, afterMs: 0 }];
    return levelsDue(this.o.onCall, alarm, now);
  }

  private enqueue(alarm: Alarm, reason: 'raised' | 'escalated' | 'cleared', channel: string, level: EscalationLevel | null, now: number): void {
    if (!this.o.delivery.channelNames.includes(channel)) return;
    const onCall = this.o.onCall;
    const mentions =
      onCall && level?.rotation
        ? [onDuty(onCall, level.rotation, now, this.o.topology.network.timezone)].map((p) => ({
            name: p.name,
            mobile: p.mobile ?? null,
            email: p.email ?? null,
          }))
        : [];
    this.o.delivery.enqueue(
      buildNotice(this.o.topology, alarm, reason, channel, { ...this.o.notice, nowMs: now, level: level?.level ?? 1, mentions }),
      channel,
    );
  }

  private resumeOwedPushes(): void {
    for (const p of [...this.o.journal.pushes.values()]) {
      const alarm = this.o.journal.alarms.get(p.alarmId);
      if (!alarm || !this.o.delivery.channelNames.includes(p.channel)) continue;
      if (p.state === 'sending' && !this.o.delivery.resendable(p.channel)) {
        const error = 'nms stopped while this push was being sent; it may have arrived, so it is not sent again';
        this.o.journal.append([{ t: 'push', push: { ...p, state: 'uncertain', error } }]);
        this.o.log.warn(`push ${p.id}: uncertain: ${error}`);
        continue;
      }
      if (p.state !== 'pending' && p.state !== 'sending') continue;
      this.o.log.info(`resuming push ${p.id}, owed since before the restart`);
      const level = Number(/#(\d+)\//.exec(p.id)?.[1] ?? 1);
      const rung = this.o.onCall ? (escalationLevels(this.o.onCall).find((l) => l.level === level) ?? null) : null;
      this.enqueue(alarm, p.reason, p.channel, rung, this.#now());
    }
  }
}
