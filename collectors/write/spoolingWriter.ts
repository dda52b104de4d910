/**
 * Gets every point into InfluxDB, in order, through outages and restarts.
 *
 * Points are batched (up to `batchSize`, or every `flushMs`). A batch that
 * cannot be written goes to an on-disk spool of line-protocol segment files;
 * while the spool holds anything, new batches join it too, so order is kept.
 * A replay loop sends the oldest segment whenever InfluxDB answers again, and
 * deletes it only once written. The spool survives a restart: a new writer
 * finds it and replays it. `onReplayed` hears the time span of replayed data,
 * so rollups computed while it was missing can be recomputed.
 *
 * Bound: the spool holds at most `maxSpoolBytes` (default 256 MiB, about
 * 2.5 million points, months of a city's samples). Past it the oldest
 * segment is dropped, counted and logged: the one loss there can be, and only
 * after an outage that long. A kill -9 loses the unflushed batch (≤ flushMs).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../shared/log.ts';
import { SinkError, type LineSink } from './influxV1Sink.ts';
import { formatPoint, timeSpan, type Point } from './lineProtocol.ts';

export interface SpoolingWriterOptions {
  sink: LineSink;
  spoolDir: string;
  log: Logger;
  batchSize?: number;
  flushMs?: number;
  retryMs?: number;
  maxSpoolBytes?: number;
  onReplayed?: (span: { fromMs: number; toMs: number }) => Promise<void>;
}

export interface WriterStats {
  written: number;
  spooledPoints: number;
  spoolBytes: number;
  spoolSegments: number;
  droppedPoints: number;
  rejectedPoints: number;
  lastError: string | null;
}

export const DEFAULT_MAX_SPOOL_BYTES = 256 * 2 ** 20;

export class SpoolingWriter {
  #buffer: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #chain: Promise<void> = Promise.resolve();
  #segments: Array<{ name: string; bytes: number; points: number }> = [];
  #nextSegment = 1;
  #closed = false;
  readonly stats: WriterStats = { written: 0, spooledPoints: 0, spoolBytes: 0, spoolSegments: 0, droppedPoints: 0, rejectedPoints: 0, lastError: null };
  readonly #batchSize: number;
  readonly #flushMs: number;
  readonly #retryMs: number;
  readonly #maxSpoolBytes: number;

  private constructor(private readonly o: SpoolingWriterOptions) {
    this.#batchSize = o.batchSize ?? 5000;
    this.#flushMs = o.flushMs ?? 1000;
    this.#retryMs = o.retryMs ?? 5000;
    this.#maxSpoolBytes = o.maxSpoolBytes ?? DEFAULT_MAX_SPOOL_BYTES;
  }

  /**
   * Opens the spool folder and schedules replay of anything a previous run left there.
   * @throws Error when another live process holds this spool: two writers would replay
   *   and delete each other's segments.
   */
  static async open(options: SpoolingWriterOptions): Promise<SpoolingWriter> {
    const w = new SpoolingWriter(options);
    await mkdir(options.spoolDir, { recursive: true });
    await lockSpool(options.spoolDir);
    const names = (await readdir(options.spoolDir)).filter((n) => /^\d{9}\.lp$/.test(n)).sort();
    for (const name of names) {
      const text = await readFile(join(options.spoolDir, name), 'utf8');
      w.#segments.push({ name, bytes: Buffer.byteLength(text), points: text.split('\n').filter(Boolean).length });
    }
    w.#nextSegment = names.length ? Number(names[names.length - 1]!.slice(0, 9)) + 1 : 1;
    w.refreshStats();
    if (w.#segments.length) {
      options.log.info(`spool holds ${w.stats.spooledPoints} points from an earlier run; replaying to ${options.sink.describe()}`);
      w.scheduleReplay(0);
    }
    return w;
  }

  /** Queues points. @throws Error if a point breaks the schema (a bug, not an outage). */
  write(points: readonly Point[]): void {
    if (this.#closed) throw new Error('writer is closed');
    for (const p of points) this.#buffer.push(formatPoint(p));
    if (this.#buffer.length >= this.#batchSize) this.flushSoon(0);
    else this.flushSoon(this.#flushMs);
  }

  /** Writes (or spools) everything queued so far. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#buffer;
    this.#buffer = [];
    if (batch.length) this.enqueue(() => this.deliver(batch));
    return this.#chain;
  }

  /** Flushes, tries the spool once more, and stops. Whatever is left stays in the spool for the next run. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#segments.length) await this.enqueue(() => this.replay());
    this.#closed = true;
    await rm(join(this.o.spoolDir, LOCK_FILE), { force: true });
  }

  private flushSoon(ms: number): void {
    if (this.#timer && ms > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), ms);
    this.#timer.unref();
  }

  /** Runs file and network work one step at a time, so order is kept. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(step).catch((err: Error) => this.o.log.error(`writer: ${err.message}`));
    return this.#chain;
  }

  private async deliver(batch: string[]): Promise<void> {
    if (this.#segments.length === 0) {
      try {
        await this.o.sink.write(batch);
        this.stats.written += batch.length;
        this.stats.lastError = null;
        return;
      } catch (err) {
        if (!this.handleRefusal(err, batch.length)) return;
        this.o.log.warn(`${(err as Error).message}; spooling to disk until it is back`);
      }
    }
    await this.spool(batch);
    this.scheduleReplay(this.#retryMs);
  }

  /** Records a write failure; returns true when the batch should be kept for a retry. */
  private handleRefusal(err: unknown, points: number): boolean {
    this.stats.lastError = (err as Error).message;
    if (err instanceof SinkError && !err.retryable) {
      this.stats.rejectedPoints += points;
      this.o.log.error(`${err.message}; the server refused these points, which no retry will mend: dropped`);
      return false;
    }
    return true;
  }

  private async spool(batch: string[]): Promise<void> {
    const name = `${String(this.#nextSegment++).padStart(9, '0')}.lp`;
    const body = `${batch.join('\n')}\n`;
    await writeFile(join(this.o.spoolDir, name), body);
    this.#segments.push({ name, bytes: Buffer.byteLength(body), points: batch.length });
    while (this.totalBytes() > this.#maxSpoolBytes && this.#segments.length > 1) {
      const oldest = this.#segments.shift()!;
      await rm(join(this.o.spoolDir, oldest.name), { force: true });
      this.stats.droppedPoints += oldest.points;
      this.o.log.error(`spool over ${this.#maxSpoolBytes} bytes: dropped its oldest ${oldest.points} points`);
    }
    this.refreshStats();
  }

  private scheduleReplay(ms: number): void {
    if (this.#retryTimer || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.enqueue(() => this.replay());
    }, ms);
    this.#retryTimer.unref();
  }

  /** Sends spooled segments oldest first; stops at the first failure and tries again later. */
  private async replay(): Promise<void> {
    let span: { fromMs: number; toMs: number } | null = null;
    while (this.#segments.length) {
      const segment = this.#segments[0]!;
      const file = join(this.o.spoolDir, segment.name);
      const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
      try {
        for (let i = 0; i < lines.length; i += this.#batchSize) await this.o.sink.write(lines.slice(i, i + this.#batchSize));
        this.stats.written += lines.length;
        this.stats.lastError = null;
      } catch (err) {
        if (this.handleRefusal(err, lines.length)) {
          this.scheduleReplay(this.#retryMs);
          break;
        }
      }
      await rm(file, { force: true });
      this.#segments.shift();
      this.refreshStats();
      const s = timeSpan(lines);
      if (s) span = span ? { fromMs: Math.min(span.fromMs, s.fromMs), toMs: Math.max(span.toMs, s.toMs) } : s;
    }
    if (span && this.o.onReplayed) await this.o.onReplayed(span);
    if (!this.#segments.length && span) this.o.log.info(`spool replayed to ${this.o.sink.describe()}; writing directly again`);
  }

  private totalBytes(): number {
    return this.#segments.reduce((s, x) => s + x.bytes, 0);
  }

  private refreshStats(): void {
    this.stats.spoolSegments = this.#segments.length;
    this.stats.spoolBytes = this.totalBytes();
    this.stats.spooledPoints = this.#segments.reduce((s, x) => s + x.points, 0);
  }
}

const LOCK_FILE = 'writer.pid';

/** Takes the spool for this process, unless another live process holds it. */
async function lockSpool(dir: string): Promise<void> {
  const file = join(dir, LOCK_FILE);
  try {
    await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
    return;
  } catch {
    // someone holds it, or held it and died
  }
  const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new Error(`spool ${dir} is in use by process ${holder}; one writer per spool`);
  }
  await writeFile(file, `${process.pid}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
