/**
 * The report as an Excel workbook (exceljs): a summary sheet with the
 * period, zone, coverage and method notes; circuits; outages; the carrier
 * scorecard; the hour profile. Figures are numeric cells with number
 * formats, never text.
 */
import ExcelJS from 'exceljs';
import { CARRIER_NAMES } from '../../../shared/model/types.ts';
import type { Report } from '../../../shared/reports/reportModel.ts';
import { breachText, episodeText, knockOnText, methodNotes, w, type Lang } from '../reportWords.ts';
import { CIRCUIT_COLUMNS, outageColumns, type Column } from './reportColumns.ts';
import { formatLocalTime } from '../../../shared/time/zonedTime.ts';

const FORMAT: Record<Column<unknown>['kind'], string | undefined> = {
  text: undefined,
  number: '#,##0',
  percent: '0.00',
  bps: '#,##0',
  time: 'yyyy-mm-dd hh:mm:ss',
};

function table<T>(sheet: ExcelJS.Worksheet, columns: ReadonlyArray<Column<T>>, rows: readonly T[], lang: Lang): void {
  sheet.columns = columns.map((c) => ({
    header: w(lang, c.header),
    width: c.kind === 'text' ? 22 : c.kind === 'time' ? 20 : 16,
    style: FORMAT[c.kind] ? { numFmt: FORMAT[c.kind]! } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(columns.map((c) => c.value(row, lang)));
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
}

export async function reportXlsx(r: Report, lang: Lang): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'nms';
  book.created = new Date(r.generatedAtMs);
  const summary = book.addWorksheet(w(lang, 'summary'));
  summary.columns = [{ width: 28 }, { width: 60 }];
  const t = r.totals;
  const rows: Array<[string, string | number | null]> = [
    [w(lang, 'title'), `${r.network.name[lang]} · ${r.scopeName[lang]}`],
    [w(lang, 'period'), `${r.period.label} (${formatLocalTime(r.period.fromMs, r.period.timeZone)} – ${formatLocalTime(r.period.toMs, r.period.timeZone)})`],
    [w(lang, 'timeZone'), r.period.timeZone],
    [w(lang, 'generated'), formatLocalTime(r.generatedAtMs, r.period.timeZone)],
    [w(lang, 'source'), w(lang, r.source === 'raw' ? 'raw' : 'rollup')],
    [w(lang, 'circuits'), t.circuits],
    [w(lang, 'trafficCoverage'), t.trafficCoveragePct],
    [w(lang, 'availabilityCoverage'), t.availabilityCoveragePct],
    [w(lang, 'availability'), t.availabilityPct],
    [w(lang, 'outages'), t.outageCount],
    [w(lang, 'mttr'), t.mttrS],
    [w(lang, 'busiestHours'), r.busiestHours.map((h) => `${h}:00–${h + 1}:00`).join(', ')],
  ];
  for (const row of rows) summary.addRow(row);
  for (const k of [7, 8, 9]) summary.getCell(`B${k}`).numFmt = '0.000';
  summary.addRow([]);
  summary.addRow([w(lang, 'methods')]).font = { bold: true };
  for (const note of methodNotes(r, lang)) summary.addRow(['', note]).getCell(2).alignment = { wrapText: true };

  table(book.addWorksheet(w(lang, 'circuits')), CIRCUIT_COLUMNS, r.circuits, lang);
  table(
    book.addWorksheet(w(lang, 'outageList')),
    outageColumns(r),
    r.circuits.flatMap((c) => c.outages),
    lang,
  );

  const carriers = book.addWorksheet(w(lang, 'carriers'));
  carriers.columns = [
    w(lang, 'carrier'),
    w(lang, 'circuits'),
    w(lang, 'availability'),
    w(lang, 'outages'),
    w(lang, 'mttr'),
    w(lang, 'breaches'),
    w(lang, 'qualityBreaches'),
    w(lang, 'knockOn'),
  ].map((header, i) => ({ header, width: i >= 5 ? 60 : 18 }));
  carriers.getRow(1).font = { bold: true };
  for (const c of r.carriers)
    carriers.addRow([
      CARRIER_NAMES[c.carrier][lang],
      c.circuits,
      c.availabilityPct,
      c.outageCount,
      c.mttrS === null ? null : Math.round(c.mttrS),
      c.breaches.map((b) => breachText(b)).join('; '),
      c.qualityBreaches.map((e) => episodeText(e, r, lang)).join('; '),
      c.knockOn.map((k) => knockOnText(k, r, lang)).join('; '),
    ]);
  carriers.getColumn(3).numFmt = '0.000';

  const hours = book.addWorksheet(w(lang, 'busiestHours'));
  hours.columns = [
    { header: 'hour', width: 10 },
    { header: w(lang, 'totalTraffic'), width: 20, style: { numFmt: '#,##0' } },
  ];
  for (const h of r.hourProfile) hours.addRow([h.hour, h.bps === null ? null : Math.round(h.bps)]);
  return Buffer.from(await book.xlsx.writeBuffer());
}
