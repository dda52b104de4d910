/**
 * The alarms' durable state: every alarm as it was after its last change,
 * and every push owed to on-call staff with whether it went out. An
 * append-only JSON-lines file, flushed to disk (fsync) before anyone is told
 * anything, so a kill -9 loses nothing that was announced; a snapshot file,
 * rewritten atomically (temporary file, fsync, rename), keeps it short.
 *
 * Why a local file and not InfluxDB: pushes must be recorded before they are
 * sent and marked once they are, with no dependence on InfluxDB being up;
 * InfluxDB gets the alarm history as alarm_event points for Grafana and
 * reports, written through the spooling writer like every other point.
 *
 * The engine's observations (timers for flapping, utilization) are not kept:
 * the pollers rebuild them within a cycle or two.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alarm } from '../../shared/alarms/types.ts';
import type { Logger } from '../../shared/log.ts';
import { writeFileAtomicSync } from '../storage/atomicFile.ts';
import { appendJsonLines, readJsonLines } from '../storage/jsonLines.ts';

/** What a push says about its alarm. */
export type PushReason = 'raised' | 'cleared' | 'escalated';

export interface PushRecord {
  /** See pushId(). */
  id: string;
  alarmId: string;
  reason: PushReason;
  /** The notifier instance's name from config. */
  channel: string;
  /**
   * pending: owed; sending: handed to the channel, no answer yet (journaled
   * before the request, so a crash leaves it so); sent; failed: given up;
   * uncertain: nms stopped while sending to a channel that cannot drop a
   * repeat, so it may have arrived and is not sent again.
   */
  state: 'pending' | 'sending' | 'sent' | 'failed' | 'uncertain';
  createdAtMs: number;
  attempts: number;
  lastAttemptMs: number | null;
  error: string | null;
}

/** The one id of a push: receivers can drop a repeat by it. Escalations carry their level. */
export function pushId(alarmId: string, reason: PushReason, channel: string, level = 1): string {
  return `${alarmId}/${reason}${reason === 'escalated' ? `#${level}` : ''}/${channel}`;
}

export type JournalRecord = { t: 'alarm'; alarm: Alarm } | { t: 'push'; push: PushRecord };

interface Snapshot {
  alarms: Alarm[];
  pushes: PushRecord[];
}

const JOURNAL = 'journal.jsonl';
const SNAPSHOT = 'snapshot.json';

export class AlarmJournal {
  readonly alarms = new Map<string, Alarm>();
  readonly pushes = new Map<string, PushRecord>();
  /** Alarms with at least one push, queued or sent. */
  readonly pushedAlarms = new Set<string>();
  #fd: number;
  #lines = 0;

  private constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly compactEvery: number,
    private readonly keepCleared: number,
  ) {
    mkdirSync(dir, { recursive: true });
    this.load();
    this.#fd = openSync(join(dir, JOURNAL), 'a');
  }

  /**
   * Opens (or creates) the journal in `dir` and reads back what it holds.
   * @throws Error naming the file when the snapshot cannot be read.
   */
  static open(dir: string, log: Logger, options: { compactEvery?: number; keepCleared?: number } = {}): AlarmJournal {
    return new AlarmJournal(dir, log, options.compactEvery ?? 5000, options.keepCleared ?? 5000);
  }

  /** Appends and flushes to disk before returning: call it before telling anyone. */
  append(records: readonly JournalRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) this.apply(r);
    appendJsonLines(this.#fd, records);
    this.#lines += records.length;
    if (this.#lines >= this.compactEvery) this.compact();
  }

  /**
   * Rewrites the snapshot from memory and empties the journal. It keeps the
   * active alarms, the newest `keepCleared` cleared ones (older history is
   * InfluxDB's alarm_event), and the pushes of the alarms it keeps.
   */
  compact(): void {
    const cleared = [...this.alarms.values()].filter((a) => a.clearedAtMs !== null).sort((x, y) => x.clearedAtMs! - y.clearedAtMs!);
    for (const old of cleared.slice(0, Math.max(0, cleared.length - this.keepCleared))) this.alarms.delete(old.id);
    for (const [id, p] of this.pushes) if (p.state !== 'pending' && p.state !== 'sending' && !this.alarms.has(p.alarmId)) this.pushes.delete(id);
    const snapshot: Snapshot = { alarms: [...this.alarms.values()], pushes: [...this.pushes.values()] };
    writeFileAtomicSync(join(this.dir, SNAPSHOT), JSON.stringify(snapshot));
    // Only now is the journal's content also in the snapshot; a crash before this line replays both, harmlessly.
    closeSync(this.#fd);
    this.#fd = openSync(join(this.dir, JOURNAL), 'w');
    fsyncSync(this.#fd);
    this.#lines = 0;
  }

  close(): void {
    closeSync(this.#fd);
  }

  private load(): void {
    let snapshotText: string | null = null;
    try {
      snapshotText = readFileSync(join(this.dir, SNAPSHOT), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`alarm journal ${join(this.dir, SNAPSHOT)}: ${(err as Error).message}`, { cause: err });
    }
    if (snapshotText !== null) {
      let snapshot: Snapshot;
      try {
        snapshot = JSON.parse(snapshotText) as Snapshot;
      } catch (err) {
        throw new Error(
          `alarm journal ${join(this.dir, SNAPSHOT)}: not valid JSON (${(err as Error).message}); it is written atomically, so the disk or someone else damaged it`,
          { cause: err },
        );
      }
      for (const a of snapshot.alarms) this.alarms.set(a.id, a);
      for (const p of snapshot.pushes) this.pushes.set(p.id, p);
    }
    this.#lines += readJsonLines<JournalRecord>(join(this.dir, JOURNAL), 'alarm journal', this.log, (r) => this.apply(r));
  }

  private apply(r: JournalRecord): void {
    if (r.t === 'alarm') this.alarms.set(r.alarm.id, r.alarm);
    else if (r.t === 'push') {
      this.pushes.set(r.push.id, r.push);
      this.pushedAlarms.add(r.push.alarmId);
    }
  }
}
