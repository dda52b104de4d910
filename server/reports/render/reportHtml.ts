/**
 * The report as one self-contained HTML page: the console shows it, and
 * Chromium prints it to PDF. Charts are ECharts rendered on the server to
 * SVG, so the page needs no script and prints the same everywhere. Every
 * string is escaped; a light, print-friendly layout (A4 landscape).
 */
import { BarChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { CARRIER_NAMES } from '../../../shared/model/types.ts';
import { formatRate } from '../../../shared/model/units.ts';
import type { CircuitFigures, Report } from '../../../shared/reports/reportModel.ts';
import { escapeHtml as esc } from '../../../shared/text/escapeHtml.ts';
import { breachText, episodeText, knockOnText, methodNotes, w, type Lang, type WordKey } from '../reportWords.ts';
import { cellText, outageColumns, type Cell, type Column } from './reportColumns.ts';
import { formatLocalTime } from '../../../shared/time/zonedTime.ts';

echarts.use([BarChart, GridComponent, MarkLineComponent, SVGRenderer]);

function svgChart(width: number, height: number, option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: 'Noto Sans CJK SC, sans-serif' }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

const mbps = (bps: number | null) => (bps === null ? '–' : bps >= 1e6 ? `${(bps / 1e6).toFixed(2)}M` : `${(bps / 1e3).toFixed(1)}k`);
const pctText = (v: number | null, digits = 2) => (v === null ? '–' : `${v.toFixed(digits)}%`);

function table<T>(
  columns: ReadonlyArray<Column<T>>,
  rows: readonly T[],
  lang: Lang,
  format: (c: Column<T>, v: Cell) => string = (_c, v) => cellText(v),
): string {
  if (rows.length === 0) return `<p class="none">${esc(w(lang, 'none'))}</p>`;
  const head = columns.map((c) => `<th>${esc(w(lang, c.header))}</th>`).join('');
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td class="${c.kind}">${esc(format(c, c.value(r, lang)))}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The circuits table as printed: the figures a manager reads, formatted for reading. */
function circuitRows(r: Report, lang: Lang): string {
  const cols: Array<Column<CircuitFigures> & { show?: (c: CircuitFigures) => string }> = [
    { header: 'circuit', kind: 'text', value: (c) => c.circuitId },
    { header: 'carrier', kind: 'text', value: (c, l) => CARRIER_NAMES[c.carrier][l] },
    { header: 'carrierNo', kind: 'text', value: (c) => c.carrierCircuitId },
    { header: 'contract', kind: 'text', value: (c) => formatRate(c.contractBps) },
    { header: 'inMean', kind: 'text', value: (c) => mbps(c.in.meanBps) },
    { header: 'inP95', kind: 'text', value: (c) => mbps(c.in.p95Bps) },
    { header: 'outMean', kind: 'text', value: (c) => mbps(c.out.meanBps) },
    { header: 'outP95', kind: 'text', value: (c) => mbps(c.out.p95Bps) },
    { header: 'utilP95', kind: 'text', value: (c) => pctText(c.utilization.p95Pct, 1) },
    { header: 'utilPeak', kind: 'text', value: (c) => pctText(c.utilization.peakPct, 1) },
    { header: 'coverage', kind: 'text', value: (c) => pctText(c.coveragePct, 1) },
    { header: 'availability', kind: 'text', value: (c) => pctText(c.availability.pct, 3) },
    { header: 'target', kind: 'text', value: (c) => `${c.availability.targetPct}%` },
    { header: 'outages', kind: 'text', value: (c) => String(c.availability.outageCount) },
    { header: 'advice', kind: 'text', value: (c, l) => (c.advice ? w(l, c.advice) : '') },
  ];
  return table(cols, r.circuits, lang);
}

const STYLE = `
@page { size: A4 landscape; margin: 16mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #1b1f23; font-size: 10pt; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #999; page-break-after: avoid; }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2pt 12pt; margin: 6pt 0; } dl.meta dt { color: #555; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; page-break-inside: auto; } tr { page-break-inside: avoid; }
th, td { border-bottom: 1px solid #ddd; padding: 2pt 4pt; text-align: left; } th { background: #eef2f5; }
td.number, td.percent, td.bps { text-align: right; font-variant-numeric: tabular-nums; }
.kpis { display: flex; gap: 10pt; flex-wrap: wrap; margin: 6pt 0; } .kpi { border: 1px solid #ccc; border-radius: 4pt; padding: 4pt 8pt; } .kpi b { font-size: 13pt; display: block; }
.charts { display: flex; gap: 10pt; flex-wrap: wrap; } .charts figure { margin: 0; } figcaption { font-size: 9pt; color: #555; }
.breach { color: #b3261e; } .none { color: #777; } ol.notes { font-size: 8.5pt; color: #333; }
`;

export function reportHtml(r: Report, lang: Lang): string {
  const t = r.totals;
  const byId = new Map(r.circuits.map((c) => [c.circuitId, c]));
  const kpi = (label: WordKey, value: string) => `<div class="kpi">${esc(w(lang, label))}<b>${esc(value)}</b></div>`;
  const hourChart = svgChart(480, 220, {
    grid: { left: 60, right: 10, top: 10, bottom: 25 },
    xAxis: { type: 'category', data: r.hourProfile.map((h) => String(h.hour)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => mbps(v) } },
    series: [{ type: 'bar', data: r.hourProfile.map((h) => (h.bps === null ? null : Math.round(h.bps))), itemStyle: { color: '#3b7dd8' } }],
  });
  const top = r.topBusiest.map((id) => byId.get(id)!).reverse();
  const topChart = svgChart(480, 220, {
    grid: { left: 90, right: 20, top: 10, bottom: 25 },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: top.map((c) => c.circuitId) },
    series: [
      {
        type: 'bar',
        data: top.map((c) => Number((c.utilization.p95Pct ?? 0).toFixed(1))),
        itemStyle: { color: '#d8783b' },
        markLine: {
          symbol: 'none',
          silent: true,
          data: [{ xAxis: r.thresholds.upgradeP95Pct }],
          lineStyle: { color: '#b3261e', type: 'dashed' },
          label: { formatter: `${r.thresholds.upgradeP95Pct}%` },
        },
      },
    ],
  });
  const carrierRows = r.carriers
    .map((c) => {
      const breaches = c.breaches.length
        ? c.breaches.map((b) => `<div class="breach">${esc(breachText(b))}</div>${table(outageColumns(r), b.outages, lang)}`).join('')
        : esc(w(lang, 'none'));
      const knockOn = c.knockOn.length ? c.knockOn.map((k) => `<div class="knock-on">${esc(knockOnText(k, r, lang))}</div>`).join('') : esc(w(lang, 'none'));
      const quality = c.qualityBreaches.length
        ? c.qualityBreaches.map((e) => `<div class="quality-breach">${esc(episodeText(e, r, lang))}</div>`).join('')
        : esc(w(lang, 'none'));
      return `<tr><td>${esc(CARRIER_NAMES[c.carrier][lang])}</td><td class="number">${c.circuits}</td><td class="percent">${esc(pctText(c.availabilityPct, 3))}</td><td class="number">${c.outageCount}</td><td class="number">${c.mttrS === null ? '–' : Math.round(c.mttrS / 60)}</td><td>${breaches}</td><td>${quality}</td><td>${knockOn}</td></tr>`;
    })
    .join('');
  const list = (ids: string[], f: (c: CircuitFigures) => string) =>
    ids.length
      ? `<ol>${ids.map((id) => `<li>${esc(`${id} ${byId.get(id)!.carrierCircuitId} · ${f(byId.get(id)!)}`)}</li>`).join('')}</ol>`
      : `<p class="none">${esc(w(lang, 'none'))}</p>`;
  return `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${esc(`${w(lang, 'title')} ${r.period.label}`)}</title><style>${STYLE}</style></head><body>
<h1>${esc(`${r.network.name[lang]} · ${w(lang, 'title')}`)}</h1>
<dl class="meta">
<dt>${esc(w(lang, 'scope'))}</dt><dd>${esc(r.scopeName[lang])}</dd>
<dt>${esc(w(lang, 'period'))}</dt><dd>${esc(`${r.period.label}: ${formatLocalTime(r.period.fromMs, r.period.timeZone)} – ${formatLocalTime(r.period.toMs, r.period.timeZone)}`)}</dd>
<dt>${esc(w(lang, 'timeZone'))}</dt><dd>${esc(r.period.timeZone)}</dd>
<dt>${esc(w(lang, 'generated'))}</dt><dd>${esc(formatLocalTime(r.generatedAtMs, r.period.timeZone))}</dd>
<dt>${esc(w(lang, 'source'))}</dt><dd>${esc(w(lang, r.source === 'raw' ? 'raw' : 'rollup'))}</dd>
<dt>${esc(w(lang, 'trafficCoverage'))}</dt><dd id="traffic-coverage">${esc(pctText(t.trafficCoveragePct, 1))}</dd>
<dt>${esc(w(lang, 'availabilityCoverage'))}</dt><dd id="availability-coverage">${esc(pctText(t.availabilityCoveragePct, 1))}</dd>
</dl>
<div class="kpis">${kpi('circuits', String(t.circuits))}${kpi('availability', pctText(t.availabilityPct, 3))}${kpi('outages', String(t.outageCount))}${kpi('mttrMin', t.mttrS === null ? '–' : String(Math.round(t.mttrS / 60)))}${kpi('inMean', mbps(t.in.meanBps))}${kpi('outMean', mbps(t.out.meanBps))}${kpi('busiestHours', r.busiestHours.map((h) => `${h}:00`).join(' '))}</div>
<div class="charts"><figure>${hourChart}<figcaption>${esc(w(lang, 'hourProfile'))}</figcaption></figure><figure>${topChart}<figcaption>${esc(w(lang, 'topBusiest'))}</figcaption></figure></div>
<h2>${esc(w(lang, 'topBusiest'))}</h2>${list(r.topBusiest, (c) => pctText(c.utilization.p95Pct, 1))}
<h2>${esc(w(lang, 'leastUsed'))}</h2>${list(r.leastUsed, (c) => pctText(c.utilization.peakPct, 1))}
<h2>${esc(w(lang, 'circuits'))}</h2>${circuitRows(r, lang)}
<h2>${esc(w(lang, 'carriers'))}</h2><table><thead><tr><th>${esc(w(lang, 'carrier'))}</th><th>${esc(w(lang, 'circuits'))}</th><th>${esc(w(lang, 'availability'))}</th><th>${esc(w(lang, 'outages'))}</th><th>${esc(w(lang, 'mttrMin'))}</th><th>${esc(w(lang, 'breaches'))}</th><th>${esc(w(lang, 'qualityBreaches'))}</th><th>${esc(w(lang, 'knockOn'))}</th></tr></thead><tbody>${carrierRows}</tbody></table>
<h2>${esc(w(lang, 'outageList'))}</h2>${table(
    outageColumns(r),
    r.circuits.flatMap((c) => c.outages),
    lang,
  )}
<h2>${esc(w(lang, 'methods'))}</h2><ol class="notes">${methodNotes(r, lang)
    .map((n) => `<li>${esc(n)}</li>`)
    .join('')}</ol>
</body></html>`;
}
