/**
 * Reads a ground-truth folder (see README.md) for tests and reports: the
 * segments of constant rates, and the events.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QUALITY_COLUMNS, TRUTH_FORMAT, type TruthColumn, type TruthEvent, type TruthMeta } from './truthWriter.ts';

export type TruthEventRecord = TruthEvent & { ms: number; at: string };

export class GroundTruth {
  private constructor(
    readonly meta: TruthMeta,
    /** Per segment: start ms, end ms. */
    readonly starts: Float64Array,
    readonly ends: Float64Array,
    /** Per segment, the row of rates in column order. */
    private readonly rows: Float64Array[],
    private readonly columnIndex: Map<string, number>,
    readonly events: TruthEventRecord[],
    /** quality.csv: per segment, each circuit's path quality (NaN where its Z device could not be reached). */
    private readonly qualityRows: Array<{ start: number; end: number; values: Float64Array }>,
    private readonly qualityIndex: Map<string, number>,
  ) {}

  /** @throws Error when the folder is not a ground-truth folder of this format. */
  static async read(dir: string): Promise<GroundTruth> {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as TruthMeta;
    if (meta.format !== TRUTH_FORMAT) throw new Error(`${dir}: format "${meta.format}", expected "${TRUTH_FORMAT}"`);
    const lines = (await readFile(join(dir, 'traffic.csv'), 'utf8')).split('\n').filter(Boolean);
    const header = lines[0]!.split(',').slice(2);
    const columnIndex = new Map(header.map((h, i) => [h, i]));
    const body = lines.slice(1);
    const starts = new Float64Array(body.length);
    const ends = new Float64Array(body.length);
    const rows = body.map((line, i) => {
      const v = line.split(',').map(Number);
      starts[i] = v[0]!;
      ends[i] = v[1]!;
      return Float64Array.from(v.slice(2));
    });
    const events = (await readFile(join(dir, 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TruthEventRecord);
    const qLines = (await readFile(join(dir, 'quality.csv'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const qualityIndex = new Map((qLines[0]?.split(',').slice(2) ?? []).map((h, i) => [h, i]));
    const qualityRows = qLines.slice(1).map((line) => {
      const v = line.split(',').map((x) => (x === '' ? NaN : Number(x)));
      return { start: v[0]!, end: v[1]!, values: Float64Array.from(v.slice(2)) };
    });
    return new GroundTruth(meta, starts, ends, rows, columnIndex, events, qualityRows, qualityIndex);
  }

  /**
   * The stretches of [fromMs, toMs) in which an echo to the circuit's Z device
   * met this quality, in order (null where it went unanswered).
   */
  quality(
    circuit: string,
    fromMs: number,
    toMs: number,
  ): Array<{ fromMs: number; toMs: number; quality: { rttMs: number; jitterMs: number; lossPct: number } | null }> {
    const col = this.qualityIndex.get(`${circuit}:${QUALITY_COLUMNS[0]}`);
    if (col === undefined) throw new Error(`ground truth has no quality for ${circuit}`);
    const out = [];
    for (const r of this.qualityRows) {
      if (r.end <= fromMs || r.start >= toMs) continue;
      const rtt = r.values[col]!;
      out.push({
        fromMs: Math.max(fromMs, r.start),
        toMs: Math.min(toMs, r.end),
        quality: Number.isNaN(rtt) ? null : { rttMs: rtt, jitterMs: r.values[col + 1]!, lossPct: r.values[col + 2]! },
      });
    }
    return out;
  }

  /** Simulated ms up to which the traffic is recorded. */
  get recordedUntil(): number {
    return this.ends.length ? this.ends[this.ends.length - 1]! : this.meta.simStartMs;
  }

  /**
   * Octets (or errors) that one circuit end's counter counted in [fromMs, toMs),
   * integrating the recorded rates.
   * @throws Error for an unknown circuit or a span the truth does not cover.
   */
  total(circuit: string, column: TruthColumn, fromMs: number, toMs: number): number {
    const col = this.columnIndex.get(`${circuit}:${column}`);
    if (col === undefined) throw new Error(`ground truth has no column ${circuit}:${column}`);
    if (toMs > this.recordedUntil) throw new Error(`ground truth ends at ${this.recordedUntil}, asked for ${toMs}`);
    let sum = 0;
    // Segments are in time order: start at the first that ends after fromMs (a month holds 260,000 of them).
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! <= fromMs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.rows.length && this.starts[i]! < toMs; i++) {
      const overlap = Math.min(toMs, this.ends[i]!) - Math.max(fromMs, this.starts[i]!);
      if (overlap > 0) sum += (this.rows[i]![col]! * overlap) / 1000;
    }
    return sum;
  }

  /** The constant rate of one column during the segment that holds `atMs`. */
  rateAt(circuit: string, column: TruthColumn, atMs: number): number {
    const col = this.columnIndex.get(`${circuit}:${column}`);
    if (col === undefined) throw new Error(`ground truth has no column ${circuit}:${column}`);
    for (let i = 0; i < this.rows.length; i++) {
      if (atMs >= this.starts[i]! && atMs < this.ends[i]!) return this.rows[i]![col]!;
    }
    throw new Error(`ground truth does not cover ${new Date(atMs).toISOString()}`);
  }

  eventsOf(kind: TruthEvent['kind']): TruthEventRecord[] {
    return this.events.filter((e) => e.kind === kind);
  }
}
