/** A report in the format asked for: what the CLI writes, the API sends and schedules store. */
import type { ReportFormat } from '../../../shared/reports/reportFormats.ts';
import type { Report } from '../../../shared/reports/reportModel.ts';
import { w, type Lang } from '../reportWords.ts';
import { reportCsv } from './reportCsv.ts';
import { reportHtml } from './reportHtml.ts';
import { htmlToPdf } from './reportPdf.ts';
import { reportXlsx } from './reportXlsx.ts';

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
};

export async function renderReport(r: Report, format: ReportFormat, lang: Lang): Promise<Buffer> {
  switch (format) {
    case 'json':
      return Buffer.from(`${JSON.stringify(r, null, 1)}\n`);
    case 'csv':
      return Buffer.from(reportCsv(r, lang));
    case 'xlsx':
      return reportXlsx(r, lang);
    case 'html':
      return Buffer.from(reportHtml(r, lang));
    case 'pdf':
      return htmlToPdf(reportHtml(r, lang), {
        issuer: `${w(lang, 'issuer')}: ${r.network.name[lang]}`,
        title: `${w(lang, 'title')} · ${r.scopeName[lang]} · ${r.period.label} (${r.period.timeZone})`,
        pageLabel: lang === 'zh' ? '第 {page} / {pages} 页' : `${w(lang, 'page')} {page} / {pages}`,
      });
  }
}

/** A file name that says what is in it: 衡东县 can stay, slashes and spaces cannot. */
export function reportFileName(r: Report, format: ReportFormat): string {
  const scope = r.scope.kind === 'network' ? 'network' : `${r.scope.kind}-${r.scope.id}`;
  return `nms-report_${scope}_${r.period.label}.${format}`.replace(/[\\/:*?"<>|\s]+/g, '_');
}
