/**
 * InfluxDB line protocol for the measurement schema: every point is checked
 * against the contract (known tags and fields, numbers only, integer fields as
 * integers) before it is formatted, so no writer can drift from the schema.
 */
import { MEASUREMENTS, type MeasurementName } from '../../shared/schema/measurements.ts';

export interface Point {
  measurement: MeasurementName;
  tags: Readonly<Record<string, string | null | undefined>>;
  fields: Readonly<Record<string, number | null | undefined>>;
  /** Milliseconds since the epoch. */
  timeMs: number;
}

// Line protocol escaping: measurement names escape commas and spaces; tag keys and values also '='.
const escapeMeasurement = (s: string) => s.replace(/[, ]/g, (c) => `\\${c}`);
const escapeTag = (s: string) => s.replace(/[,= ]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');

/**
 * One line of line protocol, with millisecond precision. Empty tags and
 * null fields are left out (a gap stays a gap).
 * @throws Error naming the measurement and the tag or field that breaks the schema.
 */
export function formatPoint(p: Point): string {
  const spec = MEASUREMENTS[p.measurement];
  if (!spec) throw new Error(`measurement "${String(p.measurement)}" is not in the schema`);
  const tags = Object.entries(p.tags)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [k] of tags) if (!(k in spec.tags)) throw new Error(`${p.measurement}: tag "${k}" is not in the schema`);
  const fields: string[] = [];
  for (const [k, v] of Object.entries(p.fields)) {
    if (v === null || v === undefined) continue;
    const f = (spec.fields as Record<string, { type: string }>)[k];
    if (!f) throw new Error(`${p.measurement}: field "${k}" is not in the schema`);
    if (!Number.isFinite(v)) throw new Error(`${p.measurement}: field "${k}" is ${v}, not a finite number`);
    fields.push(f.type === 'integer' ? `${k}=${Math.round(v)}i` : `${k}=${v}`);
  }
  if (fields.length === 0) throw new Error(`${p.measurement}: a point needs at least one field`);
  const tagText = tags.map(([k, v]) => `,${escapeTag(k)}=${escapeTag(v)}`).join('');
  return `${escapeMeasurement(p.measurement)}${tagText} ${fields.join(',')} ${Math.round(p.timeMs)}`;
}

/** Earliest and latest timestamp (ms) in lines formatted by formatPoint. */
export function timeSpan(lines: readonly string[]): { fromMs: number; toMs: number } | null {
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const line of lines) {
    const t = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (t < fromMs) fromMs = t;
    if (t > toMs) toMs = t;
  }
  return Number.isFinite(fromMs) ? { fromMs, toMs } : null;
}
