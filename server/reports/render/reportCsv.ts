/**
 * The report as CSV: one row per circuit, every figure a plain number (no
 * units, no thousands separators) so a spreadsheet can compute with it.
 * UTF-8 with a byte-order mark, which Excel needs to read Chinese headers.
 */
import type { Report } from '../../../shared/reports/reportModel.ts';
import { w, type Lang } from '../reportWords.ts';
import { cellText, CIRCUIT_COLUMNS, type Cell } from './reportColumns.ts';

const field = (v: Cell): string => {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return cellText(v);
  // Quoted when it holds a separator, a quote or a line break; a leading =, +, - or @ is made inert for spreadsheets.
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function reportCsv(r: Report, lang: Lang): string {
  const lines = [CIRCUIT_COLUMNS.map((c) => field(w(lang, c.header))).join(',')];
  for (const row of r.circuits) lines.push(CIRCUIT_COLUMNS.map((c) => field(c.value(row, lang))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
