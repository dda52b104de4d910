/**
 * Report periods as managers name them, in the network's zone: a day
 * (2026-10-05), an ISO week (2026-W41, Monday to Monday), a month (2026-10),
 * or a range of whole days (2026-10-01..2026-10-15, both days included).
 * Each knows the period before it of the same kind, for month-over-month
 * trends.
 */
import { Refusal } from '../errors/refusal.ts';
import { localMidnight, localParts } from './zonedTime.ts';

export type PeriodKind = 'day' | 'week' | 'month' | 'range';

export interface ReportPeriod {
  kind: PeriodKind;
  /** As given, normalised: 2026-10, 2026-W41, 2026-10-05, 2026-10-01..2026-10-15. */
  label: string;
  fromMs: number;
  toMs: number;
  timeZone: string;
}

export class PeriodError extends Refusal {}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAY_MS = 86_400_000;

function date(text: string, timeZone: string): { ms: number; y: number; m: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new PeriodError(`"${text}" is not a date like 2026-10-05`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) throw new PeriodError(`"${text}" is not a calendar date`);
  return { ms: localMidnight(y, mo, d, timeZone), y, m: mo, d };
}

/** Monday of ISO week 1 of a year: the week holding 4 January. */
function isoWeekOneMonday(year: number): { y: number; m: number; d: number } {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * DAY_MS);
  return { y: monday.getUTCFullYear(), m: monday.getUTCMonth() + 1, d: monday.getUTCDate() };
}

/** @throws PeriodError saying what a period looks like when `text` is none of them. */
export function parsePeriod(text: string, timeZone: string): ReportPeriod {
  const t = text.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})$/.exec(t))) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    if (mo < 1 || mo > 12) throw new PeriodError(`"${t}": no month ${mo}`);
    return {
      kind: 'month',
      label: t,
      fromMs: localMidnight(y, mo, 1, timeZone),
      toMs: localMidnight(mo === 12 ? y + 1 : y, mo === 12 ? 1 : mo + 1, 1, timeZone),
      timeZone,
    };
  }
  if ((m = /^(\d{4})-W(\d{2})$/.exec(t))) {
    const [y, w] = [Number(m[1]), Number(m[2])];
    const first = isoWeekOneMonday(y);
    const next = isoWeekOneMonday(y + 1);
    const weeks = Math.round((Date.UTC(next.y, next.m - 1, next.d) - Date.UTC(first.y, first.m - 1, first.d)) / (7 * DAY_MS));
    if (w < 1 || w > weeks) throw new PeriodError(`"${t}": ${y} has weeks 1 to ${weeks}`);
    const start = new Date(Date.UTC(first.y, first.m - 1, first.d) + (w - 1) * 7 * DAY_MS);
    const fromMs = localMidnight(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), timeZone);
    return { kind: 'week', label: t, fromMs, toMs: fromMs + 7 * DAY_MS, timeZone };
  }
  if ((m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(t))) {
    const from = date(m[1]!, timeZone);
    const last = date(m[2]!, timeZone);
    if (last.ms < from.ms) throw new PeriodError(`"${t}": the last day is before the first`);
    if (last.ms - from.ms > 366 * DAY_MS) throw new PeriodError(`"${t}": a range of at most a year`);
    return { kind: 'range', label: t, fromMs: from.ms, toMs: last.ms + DAY_MS, timeZone };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const d = date(t, timeZone);
    return { kind: 'day', label: t, fromMs: d.ms, toMs: d.ms + DAY_MS, timeZone };
  }
  throw new PeriodError(`"${t}" is not a period: give a month (2026-10), an ISO week (2026-W41), a day (2026-10-05) or days (2026-10-01..2026-10-15)`);
}

/** The period of the same kind just before: the previous month, week or day, or a range as long. */
export function previousPeriod(p: ReportPeriod): ReportPeriod {
  const before = localParts(p.fromMs - 1, p.timeZone);
  if (p.kind === 'month') return parsePeriod(`${before.year}-${pad(before.month)}`, p.timeZone);
  const fromMs = p.fromMs - (p.toMs - p.fromMs);
  const first = localParts(fromMs, p.timeZone);
  const label =
    p.kind === 'day'
      ? `${first.year}-${pad(first.month)}-${pad(first.day)}`
      : p.kind === 'week'
        ? isoWeekLabel(fromMs, p.timeZone)
        : `${first.year}-${pad(first.month)}-${pad(first.day)}..${before.year}-${pad(before.month)}-${pad(before.day)}`;
  return { ...p, label, fromMs, toMs: p.fromMs };
}

/** The ISO week (2026-W41) an instant falls in. */
export function isoWeekLabel(atMs: number, timeZone: string): string {
  const l = localParts(atMs, timeZone);
  const day = new Date(Date.UTC(l.year, l.month - 1, l.day));
  // The Thursday of this week decides its year.
  const thursday = new Date(day.getTime() + (3 - ((day.getUTCDay() + 6) % 7)) * DAY_MS);
  const y = thursday.getUTCFullYear();
  const w1 = isoWeekOneMonday(y);
  const week = Math.floor((thursday.getTime() - Date.UTC(w1.y, w1.m - 1, w1.d)) / (7 * DAY_MS)) + 1;
  return `${y}-W${pad(week)}`;
}

/** The last complete period of a kind before an instant: yesterday, last week, last month. */
export function lastComplete(kind: Exclude<PeriodKind, 'range'>, atMs: number, timeZone: string): ReportPeriod {
  const l = localParts(atMs, timeZone);
  if (kind === 'month') return previousPeriod(parsePeriod(`${l.year}-${pad(l.month)}`, timeZone));
  if (kind === 'week') return previousPeriod(parsePeriod(isoWeekLabel(atMs, timeZone), timeZone));
  return previousPeriod(parsePeriod(`${l.year}-${pad(l.month)}-${pad(l.day)}`, timeZone));
}
