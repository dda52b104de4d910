/**
 * Each local day's 5-minute means of every circuit, in and out, and the
 * day's peaks: what a report needs from the 5-minute rollup, read from
 * InfluxDB once per day and kept under the data folder. A month of a
 * province (1,100 circuits) is then 31 small files, not 20 million points
 * for InfluxDB to aggregate again for every report.
 *
 * A day is kept only once its rollups are final (two hours after it ends,
 * when the continuous queries stop resampling it); later days, and any day
 * whose rollups are rebuilt (backfill, a long outage replayed), are read
 * again. Files: a JSON header, then Float32 samples, circuit by circuit;
 * NaN where an interval has no data.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import cron from 'node-cron';
import type { Logger } from '../../shared/log.ts';
import { localMidnight, localParts } from '../../shared/time/zonedTime.ts';
import { writeFileAtomicSync } from '../storage/atomicFile.ts';
import type { InfluxQuery } from '../influx/store.ts';

export const SLOTS_PER_DAY = 288;
/** Under the data folder. */
export const DIGESTS_DIR = 'reports/digests';
const SLOT_MS = 300_000;
const DAY_MS = 86_400_000;
/** The continuous queries resample the last two hours; after that a day's rollup is final. */
const FINAL_AFTER_MS = 2 * 3_600_000;

export interface CircuitDay {
  in: Float32Array;
  out: Float32Array;
  inPeak: number;
  outPeak: number;
}

export interface DayDigest {
  dayStartMs: number;
  circuits: Map<string, CircuitDay>;
}

interface DayHeader {
  circuits: string[];
  peaks: Array<[number, number]>;
  index: Map<string, number>;
  base: number;
}

/**
 * What one report has read so far: days read from InfluxDB but not kept (not
 * final yet) and the headers of kept days, so its chunks of circuits read
 * each only once.
 */
export interface DigestReading {
  built: Map<number, DayDigest>;
  headers: Map<number, DayHeader>;
}

export const newReading = (): DigestReading => ({ built: new Map(), headers: new Map() });

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
/** The larger, where NaN means none. */
export const higher = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));

export class DailyDigests {
  /**
   * @param dir where finished days are kept; null keeps nothing (every day is read from InfluxDB).
   */
  constructor(
    private readonly influx: InfluxQuery,
    private readonly dir: string | null,
    private readonly now: () => number = Date.now,
  ) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  /**
   * Every local day starting in [fromMs, toMs); days are whole, as report periods are.
   * @param circuits the circuits wanted (a kept day reads only theirs), or null for all.
   * @param reading what the calls of one report have read already.
   */
  async days(fromMs: number, toMs: number, circuits: readonly string[] | null = null, reading = newReading()): Promise<DayDigest[]> {
    const out: DayDigest[] = [];
    for (let d = fromMs; d < toMs; d += DAY_MS) {
      const kept = this.load(d, circuits, reading.headers);
      if (kept) {
        out.push(kept);
        continue;
      }
      let day = reading.built.get(d);
      if (!day) {
        day = await this.build(d);
        reading.built.set(d, day);
      }
      out.push(only(day, circuits));
    }
    return out;
  }

  /**
   * Reads each finished day soon after it is final (02:30 local time), so the
   * first report of a month does not wait for thirty days to be read.
   * @returns the function that stops it.
   */
  keepCurrent(timeZone: string, log: Logger): () => void {
    const task = cron.schedule(
      '30 2 * * *',
      async () => {
        const today = localParts(this.now(), timeZone);
        const start = localMidnight(today.year, today.month, today.day, timeZone) - DAY_MS;
        await this.days(start, start + DAY_MS).catch((err: Error) => log.warn(`report digest of ${new Date(start).toISOString()}: ${err.message}`));
      },
      { timezone: timeZone, name: 'report-digests', noOverlap: true },
    );
    return () => void task.stop();
  }

  /** Forgets the kept days that overlap [fromMs, toMs): their rollups were rebuilt. */
  invalidate(fromMs: number, toMs: number): void {
    if (!this.dir) return;
    for (const f of readdirSync(this.dir)) {
      const start = Number(f.replace(/\.digest$/, ''));
      if (Number.isFinite(start) && start < toMs && start + DAY_MS > fromMs) rmSync(join(this.dir, f), { force: true });
    }
  }

  private file(dayStartMs: number): string | null {
    return this.dir ? join(this.dir, `${dayStartMs}.digest`) : null;
  }

  /** A kept day, reading only the wanted circuits' samples (one circuit of a province is 2 KB of a 2.5 MB file). */
  private load(dayStartMs: number, wanted: readonly string[] | null, headers: Map<number, DayHeader>): DayDigest | null {
    const file = this.file(dayStartMs);
    if (!file) return null;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return null;
    }
    try {
      const read = (bytes: number, at: number) => {
        const b = Buffer.alloc(bytes);
        readSync(fd, b, 0, bytes, at);
        return b;
      };
      let header = headers.get(dayStartMs);
      if (!header) {
        const headerLength = read(4, 0).readUInt32LE(0);
        const parsed = JSON.parse(read(headerLength, 4).toString('utf8')) as { circuits: string[]; peaks: Array<[number, number]> };
        header = { ...parsed, index: new Map(parsed.circuits.map((id, i) => [id, i])), base: 4 + headerLength };
        headers.set(dayStartMs, header);
      }
      const { base, index, peaks } = header;
      const block = 2 * SLOTS_PER_DAY * 4;
      const circuits = new Map<string, CircuitDay>();
      const take = (id: string, i: number, samples: Float32Array) =>
        circuits.set(id, {
          in: samples.subarray(0, SLOTS_PER_DAY),
          out: samples.subarray(SLOTS_PER_DAY, 2 * SLOTS_PER_DAY),
          inPeak: peaks[i]![0],
          outPeak: peaks[i]![1],
        });
      if (wanted === null) {
        // Copied into a fresh buffer, so the samples are aligned whatever the header's length.
        const all = new Float32Array(read(header.circuits.length * block, base).buffer.slice(0));
        header.circuits.forEach((id, i) => {
          take(id, i, all.subarray(i * 2 * SLOTS_PER_DAY, (i + 1) * 2 * SLOTS_PER_DAY));
        });
      } else {
        for (const id of wanted) {
          const i = index.get(id);
          if (i !== undefined) take(id, i, new Float32Array(read(block, base + i * block).buffer.slice(0)));
        }
      }
      return { dayStartMs, circuits };
    } finally {
      closeSync(fd);
    }
  }

  private async build(dayStartMs: number): Promise<DayDigest> {
    const end = dayStartMs + DAY_MS;
    const rows = await this.influx.query(
      `SELECT "in_bps", "out_bps", "in_bps_max", "out_bps_max" FROM "${this.influx.database}"."rollup_5m"."circuit_traffic" WHERE time >= ${dayStartMs}ms AND time < ${end}ms GROUP BY "circuit"`,
    );
    const circuits = new Map<string, CircuitDay>();
    for (const r of rows) {
      if (typeof r.circuit !== 'string') continue;
      let c = circuits.get(r.circuit);
      if (!c) {
        c = { in: new Float32Array(SLOTS_PER_DAY).fill(NaN), out: new Float32Array(SLOTS_PER_DAY).fill(NaN), inPeak: NaN, outPeak: NaN };
        circuits.set(r.circuit, c);
      }
      const slot = Math.floor((new Date(r.time as string).getTime() - dayStartMs) / SLOT_MS);
      if (slot < 0 || slot >= SLOTS_PER_DAY) continue;
      c.in[slot] = num(r.in_bps);
      c.out[slot] = num(r.out_bps);
      c.inPeak = higher(c.inPeak, num(r.in_bps_max));
      c.outPeak = higher(c.outPeak, num(r.out_bps_max));
    }
    const file = this.file(dayStartMs);
    if (file && this.now() >= end + FINAL_AFTER_MS) {
      const ids = [...circuits.keys()];
      const header = Buffer.from(JSON.stringify({ circuits: ids, peaks: ids.map((id) => [circuits.get(id)!.inPeak, circuits.get(id)!.outPeak]) }));
      const samples = new Float32Array(ids.length * 2 * SLOTS_PER_DAY);
      ids.forEach((id, i) => {
        samples.set(circuits.get(id)!.in, i * 2 * SLOTS_PER_DAY);
        samples.set(circuits.get(id)!.out, i * 2 * SLOTS_PER_DAY + SLOTS_PER_DAY);
      });
      const length = Buffer.alloc(4);
      length.writeUInt32LE(header.length);
      writeFileAtomicSync(file, Buffer.concat([length, header, Buffer.from(samples.buffer)]));
    }
    return { dayStartMs, circuits };
  }
}

/** A day with only the wanted circuits. */
function only(day: DayDigest, wanted: readonly string[] | null): DayDigest {
  return wanted === null
    ? day
    : { dayStartMs: day.dayStartMs, circuits: new Map(wanted.flatMap((id) => (day.circuits.has(id) ? [[id, day.circuits.get(id)!] as const] : []))) };
}
