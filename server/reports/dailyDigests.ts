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
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import cron from 'node-cron';
import type { Logger } from '../../shared/log.ts';
import { localMidnight, localParts } from '../../shared/time/zonedTime.ts';
import { writeFileAtomicSync } from '../storage/atomicFile.ts';
import type { InfluxQuery } from './trafficFigures.ts';

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

  /** Every local day starting in [fromMs, toMs); days are whole, as report periods are. */
  async days(fromMs: number, toMs: number): Promise<DayDigest[]> {
    const out: DayDigest[] = [];
    for (let d = fromMs; d < toMs; d += DAY_MS) out.push(this.load(d) ?? (await this.build(d)));
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

  private load(dayStartMs: number): DayDigest | null {
    const file = this.file(dayStartMs);
    if (!file) return null;
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch {
      return null;
    }
    const headerLength = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8')) as { circuits: string[]; peaks: Array<[number, number]> };
    // Copied out, so the arrays are aligned whatever the header's length.
    const samples = new Float32Array(buf.buffer.slice(buf.byteOffset + 4 + headerLength, buf.byteOffset + buf.length));
    const circuits = new Map<string, CircuitDay>();
    header.circuits.forEach((id, i) => {
      const at = i * 2 * SLOTS_PER_DAY;
      circuits.set(id, { in: samples.subarray(at, at + SLOTS_PER_DAY), out: samples.subarray(at + SLOTS_PER_DAY, at + 2 * SLOTS_PER_DAY), inPeak: header.peaks[i]![0], outPeak: header.peaks[i]![1] });
    });
    return { dayStartMs, circuits };
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

/** The local hour (0–23) of a slot of a day that starts at local midnight. */
export const slotHour = (slot: number) => Math.floor(slot / 12);
