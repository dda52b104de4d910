/**
 * The report's tables, defined once for every format: each column's header
 * word, its kind (a number stays a number in CSV and XLSX) and its value.
 */
import { CARRIER_NAMES } from '../../../shared/model/types.ts';
import type { CircuitFigures, OutageRow, Report } from '../../../shared/reports/reportModel.ts';
import { utcOffsetSeconds } from '../../../shared/time/zonedTime.ts';
import { causeText, chargeText, w, type Lang, type WordKey } from '../reportWords.ts';

const wallClock = (ms: number, timeZone: string) => new Date(ms + utcOffsetSeconds(timeZone, new Date(ms)) * 1000);

/** How a cell reads on a page: a wall-clock time as "YYYY-MM-DD HH:MM:SS". */
export const cellText = (v: Cell): string => (v === null ? '–' : v instanceof Date ? v.toISOString().slice(0, 19).replace('T', ' ') : String(v));

/** A time is a Date holding the report zone's wall-clock time in its UTC fields: what a spreadsheet date is. */
export type Cell = string | number | Date | null;

export interface Column<T> {
  header: WordKey;
  kind: 'text' | 'number' | 'percent' | 'bps' | 'time';
  value(row: T, lang: Lang): Cell;
}

const round = (v: number | null, digits: number) => (v === null ? null : Number(v.toFixed(digits)));
const trendPct = (c: CircuitFigures) => {
  const now = c.in.p95Bps === null && c.out.p95Bps === null ? null : Math.max(c.in.p95Bps ?? 0, c.out.p95Bps ?? 0);
  return now === null || !c.previous.p95Bps ? null : round((100 * (now - c.previous.p95Bps)) / c.previous.p95Bps, 1);
};

export const CIRCUIT_COLUMNS: ReadonlyArray<Column<CircuitFigures>> = [
  { header: 'circuit', kind: 'text', value: (c) => c.circuitId },
  { header: 'name', kind: 'text', value: (c, l) => c.name?.[l] ?? '' },
  { header: 'carrier', kind: 'text', value: (c, l) => CARRIER_NAMES[c.carrier][l] },
  { header: 'carrierNo', kind: 'text', value: (c) => c.carrierCircuitId },
  { header: 'contract', kind: 'bps', value: (c) => c.contractBps },
  { header: 'inMean', kind: 'bps', value: (c) => round(c.in.meanBps, 0) },
  { header: 'inPeak', kind: 'bps', value: (c) => round(c.in.peakBps, 0) },
  { header: 'inP95', kind: 'bps', value: (c) => round(c.in.p95Bps, 0) },
  { header: 'outMean', kind: 'bps', value: (c) => round(c.out.meanBps, 0) },
  { header: 'outPeak', kind: 'bps', value: (c) => round(c.out.peakBps, 0) },
  { header: 'outP95', kind: 'bps', value: (c) => round(c.out.p95Bps, 0) },
  { header: 'utilMean', kind: 'percent', value: (c) => round(c.utilization.meanPct, 2) },
  { header: 'utilPeak', kind: 'percent', value: (c) => round(c.utilization.peakPct, 2) },
  { header: 'utilP95', kind: 'percent', value: (c) => round(c.utilization.p95Pct, 2) },
  { header: 'coverage', kind: 'percent', value: (c) => round(c.coveragePct, 2) },
  { header: 'availability', kind: 'percent', value: (c) => round(c.availability.pct, 4) },
  { header: 'target', kind: 'percent', value: (c) => c.availability.targetPct },
  { header: 'met', kind: 'text', value: (c, l) => (c.availability.met === null ? w(l, 'unknown') : w(l, c.availability.met ? 'yes' : 'no')) },
  { header: 'downtime', kind: 'number', value: (c) => Math.round(c.availability.downS) },
  { header: 'upstreamDown', kind: 'number', value: (c) => Math.round(c.availability.upstreamDownS) },
  { header: 'servicePct', kind: 'percent', value: (c) => round(c.availability.servicePct, 4) },
  { header: 'unknownTime', kind: 'number', value: (c) => Math.round(c.availability.unknownS) },
  { header: 'outages', kind: 'number', value: (c) => c.availability.outageCount },
  { header: 'mttr', kind: 'number', value: (c) => (c.availability.mttrS === null ? null : Math.round(c.availability.mttrS)) },
  { header: 'rttMedian', kind: 'number', value: (c) => round(c.quality?.rttMedianMs ?? null, 1) },
  { header: 'rttP95', kind: 'number', value: (c) => round(c.quality?.rttP95Ms ?? null, 1) },
  { header: 'lossPct', kind: 'percent', value: (c) => round(c.quality?.lossPct ?? null, 2) },
  { header: 'jitterMedian', kind: 'number', value: (c) => round(c.quality?.jitterMedianMs ?? null, 1) },
  { header: 'qualityMet', kind: 'text', value: (c, l) => (c.quality?.met == null ? w(l, 'unknown') : w(l, c.quality.met ? 'yes' : 'no')) },
  { header: 'degradedMin', kind: 'number', value: (c) => (c.quality ? round(c.quality.degradedS / 60, 1) : null) },
  { header: 'advice', kind: 'text', value: (c, l) => (c.advice ? w(l, c.advice) : '') },
  { header: 'previousMean', kind: 'bps', value: (c) => round(c.previous.meanBps, 0) },
  { header: 'previousP95', kind: 'bps', value: (c) => round(c.previous.p95Bps, 0) },
  { header: 'trend', kind: 'percent', value: trendPct },
];

export const outageColumns = (r: Report): ReadonlyArray<Column<OutageRow>> => {
  const byId = new Map(r.circuits.map((c) => [c.circuitId, c]));
  return [
    { header: 'circuit', kind: 'text', value: (o) => o.circuitId },
    {
      header: 'carrier',
      kind: 'text',
      value: (o, l) => {
        const c = byId.get(o.circuitId);
        return c ? CARRIER_NAMES[c.carrier][l] : '';
      },
    },
    { header: 'carrierNo', kind: 'text', value: (o) => byId.get(o.circuitId)?.carrierCircuitId ?? '' },
    { header: 'start', kind: 'time', value: (o) => wallClock(o.startMs, r.period.timeZone) },
    { header: 'end', kind: 'time', value: (o, l) => (o.endMs === null ? w(l, 'ongoing') : wallClock(o.endMs, r.period.timeZone)) },
    { header: 'durationMin', kind: 'number', value: (o) => round(o.durationS / 60, 1) },
    { header: 'cause', kind: 'text', value: (o, l) => causeText(o, l) },
    { header: 'chargedTo', kind: 'text', value: (o, l) => chargeText(o.chargedTo, l) },
  ];
};
