/**
 * One circuit: who provides it (carrier, their circuit number), what was
 * bought (contract bandwidth, SLA tier), both ends, its state now, and over
 * a chosen range (1 hour to 1 year) its traffic and utilization against the
 * contract, its errors, its availability timeline, and its alarms.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Alarm } from '../../../shared/alarms/types.ts';
import { CARRIER_NAMES, type Circuit, type SlaTier } from '../../../shared/model/types.ts';
import { formatRate } from '../../../shared/model/units.ts';
import { get } from '../api.ts';
import { el, escapeHtml, formatDuration, formatTime, formatTraffic } from '../dom.ts';
import { KIND_NAMES, SEVERITY_NAMES, t, type Lang } from '../i18n.ts';
import { chartOptions, mountCharts, rangePicker } from './timeChart.ts';
import { siteRoute, STATUS_COLOURS, type View, type ViewContext } from './view.ts';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

interface SeriesPoint {
  timeMs: number;
  inBps: number | null;
  outBps: number | null;
  inPeakBps: number | null;
  outPeakBps: number | null;
  inErrors: number | null;
  outErrors: number | null;
}
interface QualityPoint {
  timeMs: number;
  rttMinMs: number | null;
  rttMedianMs: number | null;
  rttMaxMs: number | null;
  lossPct: number | null;
  jitterMs: number | null;
}
interface QualitySeries {
  probed: boolean;
  limits: { latencyMs: number | null; lossPct: number | null; jitterMs: number | null } | null;
  points: QualityPoint[];
}

/** Smokeping's loss colours: the median line is green with no loss, then blue, amber and red as loss grows. */
const LOSS_PIECES = [
  { lte: 0, color: '#2e9d4f' },
  { gt: 0, lte: 2, color: '#4fc3f7' },
  { gt: 2, lte: 10, color: '#f29d12' },
  { gt: 10, color: '#e8453c' },
];

/**
 * The latency chart as Smokeping draws it: the spread between the fastest and
 * slowest echo as a grey band, the median as a line coloured by the loss of
 * the same interval, and the SLA's limit dashed.
 */
function latencyOptions(fromMs: number, toMs: number, q: QualitySeries, lang: ViewContext['lang']) {
  const base = chartOptions(fromMs, toMs, [], (v) => `${+v.toFixed(1)} ms`, []);
  const limit = q.limits?.latencyMs ?? null;
  const ms = (v: number | null | undefined) => (v == null ? '–' : `${v.toFixed(1)} ms`);
  return {
    ...base,
    tooltip: {
      trigger: 'axis',
      formatter: (ps: Array<{ dataIndex: number }>) => {
        const p = q.points[ps[0]?.dataIndex ?? -1];
        if (!p) return '';
        return [
          formatTime(p.timeMs),
          `${t(lang, 'rttMedian')} ${ms(p.rttMedianMs)}`,
          `${t(lang, 'rttRange')} ${ms(p.rttMinMs)} – ${ms(p.rttMaxMs)}`,
          `${t(lang, 'loss')} ${p.lossPct === null ? '–' : `${p.lossPct.toFixed(1)}%`}`,
          `${t(lang, 'jitter')} ${ms(p.jitterMs)}`,
        ]
          .map(escapeHtml)
          .join('<br>');
      },
    },
    legend: { ...base.legend, data: [t(lang, 'rttRange'), t(lang, 'rttMedian')] },
    visualMap: { show: false, seriesIndex: 2, dimension: 2, pieces: LOSS_PIECES },
    series: [
      { name: 'min', type: 'line', stack: 'band', showSymbol: false, lineStyle: { opacity: 0 }, data: q.points.map((p) => [p.timeMs, p.rttMinMs]) },
      {
        name: t(lang, 'rttRange'),
        type: 'line',
        stack: 'band',
        showSymbol: false,
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(160,170,180,0.35)' },
        data: q.points.map((p) => [p.timeMs, p.rttMaxMs === null || p.rttMinMs === null ? null : p.rttMaxMs - p.rttMinMs]),
      },
      {
        name: t(lang, 'rttMedian'),
        type: 'line',
        showSymbol: false,
        lineStyle: { width: 2 },
        data: q.points.map((p) => [p.timeMs, p.rttMedianMs, p.lossPct ?? 0]),
        ...(limit !== null
          ? {
              markLine: {
                symbol: 'none',
                silent: true,
                data: [{ yAxis: limit, lineStyle: { color: '#e8453c', type: 'dashed' }, label: { formatter: `SLA ${limit} ms`, color: '#e8453c' } }],
              },
            }
          : {}),
      },
    ],
  };
}

interface Availability {
  availabilityPct: number | null;
  downS: number;
  unknownS: number;
  maintenanceS: number;
  outageCount: number;
  mttrS: number | null;
  outages: Array<{ startMs: number; endMs: number | null; cause: string; maintenance: boolean }>;
}

function endText(ctx: ViewContext, c: Circuit, end: 'a' | 'z'): Node {
  const { data, lang } = ctx;
  const e = c[end];
  if (e.kind === 'external') return document.createTextNode(e.name[lang]);
  const device = data.devices.get(e.deviceId);
  const site = data.sites.get(device?.siteId ?? '');
  return el(
    'span',
    {},
    site ? el('a', { href: siteRoute(site.id) }, site.name[lang]) : '',
    ` ${device?.name?.[lang] ?? e.deviceId}`,
    e.iface ? ` ${e.iface.value}` : '',
  );
}

export function circuitDetailView(ctx: ViewContext, circuitId: string): View {
  const { data, lang } = ctx;
  const c = data.circuits.get(circuitId);
  if (!c) return { node: el('div', { class: 'page' }, el('p', { class: 'error' }, `${t(lang, 'noResults')}: ${circuitId}`)), dispose: () => undefined };
  const tier = data.tiers.get(c.slaTier);
  const statusBadge = el('span', { class: 'badge', id: 'circuit-status' });
  const drawStatus = () => {
    const l = data.circuitStatus.get(c.id);
    const st = data.shownStatus(c.id);
    statusBadge.dataset.status = st;
    statusBadge.style.background = STATUS_COLOURS[st];
    // Degraded since its alarm began; otherwise since the link's status last changed.
    const since = st === 'degraded' ? (data.degradedAlarm(c.id)?.startedAtMs ?? null) : (l?.statusSinceMs ?? null);
    const traffic = data.trafficShown(c.id, st);
    statusBadge.textContent = `${t(lang, st)}${since ? ` · ${t(lang, 'since')} ${formatDuration((Date.now() - since) / 1000, lang)}` : ''} · ${t(lang, 'inbound')} ${formatTraffic(traffic?.inBps)} · ${t(lang, 'outbound')} ${formatTraffic(traffic?.outBps)}`;
  };
  const fact = (label: string, value: Node | string) => [el('dt', {}, label), el('dd', {}, value)];
  const facts = el(
    'dl',
    { class: 'facts' },
    ...fact(t(lang, 'carrier'), CARRIER_NAMES[c.carrier][lang]),
    ...fact(t(lang, 'carrierNo'), el('span', { id: 'carrier-no' }, c.carrierCircuitId)),
    ...fact(t(lang, 'contract'), formatRate(c.bandwidthBps)),
    ...fact(t(lang, 'slaTier'), tier ? `${tier.name} (${tier.availabilityPct}%)` : c.slaTier),
    ...fact(t(lang, 'aEnd'), endText(ctx, c, 'a')),
    ...fact(t(lang, 'zEnd'), endText(ctx, c, 'z')),
    ...fact(t(lang, 'owner'), el('a', { href: siteRoute(c.ownerSiteId) }, data.sites.get(c.ownerSiteId)?.name[lang] ?? c.ownerSiteId)),
  );
  const ranges = rangePicker(() => load());
  const trafficBox = el('div', { class: 'chart', id: 'traffic-chart' });
  const utilBox = el('div', { class: 'chart', id: 'util-chart' });
  const errorBox = el('div', { class: 'chart small', id: 'error-chart' });
  const latencyBox = el('div', { class: 'chart', id: 'latency-chart' });
  const lossBox = el('div', { class: 'chart small', id: 'loss-chart' });
  const qualityNote = el('p', { class: 'quality-note', id: 'quality-note' });
  const timeline = el('div', { class: 'timeline', id: 'availability-timeline' });
  const slaFigures = el('p', { class: 'sla-figures', id: 'sla-figures' });
  const alarmList = el('tbody');
  const node = el(
    'div',
    { class: 'page circuit', 'data-circuit': c.id },
    el('h2', {}, `${c.id} `, c.name ? c.name[lang] : '', ' ', statusBadge),
    facts,
    ranges.node,
    el('h3', {}, t(lang, 'traffic')),
    trafficBox,
    el('h3', {}, t(lang, 'utilization')),
    utilBox,
    el('h3', {}, t(lang, 'errors')),
    errorBox,
    el('h3', {}, t(lang, 'latency')),
    qualityNote,
    latencyBox,
    el('h3', {}, t(lang, 'loss')),
    lossBox,
    el('h3', {}, t(lang, 'availabilityTimeline')),
    slaFigures,
    timeline,
    el('h3', {}, t(lang, 'circuitAlarms')),
    el('table', { class: 'alarms' }, alarmList),
  );
  const mounted = mountCharts([trafficBox, utilBox, errorBox, latencyBox, lossBox], () => ranges.start());

  const load = async () => {
    delete node.dataset.loaded;
    const { name: range, fromMs: from, toMs: to } = ranges.current();
    const [series, sla, alarms, quality] = await Promise.all([
      get<{ bucketS: number; retentionPolicy: string; points: SeriesPoint[] }>(
        `/api/circuits/${encodeURIComponent(c.id)}/series?from=${from}&to=${to}&points=600`,
      ).catch(() => null),
      get<Availability>(`/api/circuits/${encodeURIComponent(c.id)}/sla?from=${from}&to=${to}`).catch(() => null),
      get<{ alarms: Array<Alarm & { state: string }> }>(`/api/alarms?state=all&circuit=${encodeURIComponent(c.id)}&limit=50`).catch(() => null),
      get<QualitySeries>(`/api/circuits/${encodeURIComponent(c.id)}/quality?from=${from}&to=${to}&points=600`).catch(() => null),
    ]);
    if (mounted.disposed) return;
    const q: QualitySeries = quality ?? { probed: false, limits: null, points: [] };
    const points = series?.points ?? [];
    drawCharts(mounted.charts, c, tier, points, q, from, to, lang);
    for (const box of [trafficBox, utilBox, errorBox]) box.dataset.points = String(points.length);
    for (const box of [latencyBox, lossBox]) box.dataset.points = String(q.points.length);
    qualityNote.textContent = qualityNoteText(q, lang);
    trafficBox.dataset.resolution = series ? `${series.retentionPolicy}/${series.bucketS}s` : 'none';
    trafficBox.classList.toggle('empty', points.length === 0);

    drawTimeline(timeline, sla?.outages ?? [], from, to);
    slaFigures.textContent = sla ? slaFiguresText(sla, lang) : '–';
    alarmList.replaceChildren(...alarmRows(alarms?.alarms ?? [], lang));
    node.dataset.loaded = range;
  };

  drawStatus();
  const off = data.on((change) => (change === 'status' || change === 'alarms') && drawStatus());
  return {
    node,
    dispose: () => {
      off();
      ranges.dispose();
      mounted.dispose();
    },
  };
}

/** The SLA limits the latency and loss charts are drawn against, in words. */
function qualityNoteText(q: QualitySeries, lang: Lang): string {
  const l = q.limits;
  if (!q.probed) return t(lang, 'notProbed');
  if (!l) return '';
  const parts = [
    l.latencyMs !== null ? `${t(lang, 'latency')} ≤ ${l.latencyMs} ms` : null,
    l.lossPct !== null ? `${t(lang, 'loss')} ≤ ${l.lossPct}%` : null,
    l.jitterMs !== null ? `${t(lang, 'jitter')} ≤ ${l.jitterMs} ms` : null,
  ];
  return `SLA: ${parts.filter(Boolean).join(' · ')}`;
}

/** The range as a strip, outages in red and planned work in blue where they fall. */
function drawTimeline(timeline: HTMLElement, outages: Availability['outages'], from: number, to: number): void {
  const span = to - from;
  timeline.replaceChildren();
  for (const o of outages) {
    const start = Math.max(o.startMs, from);
    const end = Math.min(o.endMs ?? to, to);
    if (end <= start) continue;
    const seg = el('span', {
      class: o.maintenance ? 'seg maintenance' : 'seg outage',
      title: `${formatTime(o.startMs)} – ${o.endMs ? formatTime(o.endMs) : '…'} ${o.cause}`,
    });
    seg.style.left = `${(100 * (start - from)) / span}%`;
    seg.style.width = `${Math.max(0.2, (100 * (end - start)) / span)}%`;
    timeline.append(seg);
  }
  timeline.append(el('span', { class: 'edge left' }, formatTime(from, false)), el('span', { class: 'edge right' }, formatTime(to, false)));
}

function slaFiguresText(sla: Availability, lang: Lang): string {
  return [
    `${t(lang, 'availability')} ${sla.availabilityPct === null ? '–' : `${sla.availabilityPct.toFixed(3)}%`}`,
    `${t(lang, 'outages')} ${sla.outageCount}`,
    `${t(lang, 'downtime')} ${formatDuration(sla.downS, lang)}`,
    `${t(lang, 'unknownTime')} ${formatDuration(sla.unknownS, lang)}`,
    `${t(lang, 'mttr')} ${sla.mttrS === null ? '–' : formatDuration(sla.mttrS, lang)}`,
  ].join(' · ');
}

/** The circuit's alarms, newest first as the API gives them, or a row saying there are none. */
function alarmRows(alarms: ReadonlyArray<Alarm & { state: string }>, lang: Lang): HTMLElement[] {
  if (alarms.length === 0) return [el('tr', {}, el('td', {}, t(lang, 'none')))];
  return alarms.map((a) =>
    el(
      'tr',
      { 'data-alarm': a.id, 'data-state': a.state },
      el('td', { class: `sev sev-${a.severity}` }, SEVERITY_NAMES[a.severity][lang]),
      el('td', {}, KIND_NAMES[a.kind][lang]),
      el('td', {}, formatTime(a.startedAtMs)),
      el('td', {}, a.clearedAtMs ? formatDuration(((a.endedAtMs ?? a.clearedAtMs) - a.startedAtMs) / 1000, lang) : t(lang, 'active')),
      el('td', {}, a.ack ? `${t(lang, 'acknowledged')}: ${a.ack.by} ${a.ack.comment}` : ''),
    ),
  );
}

/** Traffic, utilisation against the contract, errors, round trips and loss, over [from, to]. */
function drawCharts(
  charts: echarts.ECharts[],
  c: Circuit,
  tier: SlaTier | undefined,
  points: SeriesPoint[],
  q: QualitySeries,
  from: number,
  to: number,
  lang: Lang,
): void {
  const pts = (f: (p: SeriesPoint) => number | null) => points.map((p): [number, number | null] => [p.timeMs, f(p)]);
  const pct = (v: number | null) => (v === null ? null : (100 * v) / c.bandwidthBps);
  const [traffic, util, errors, latency, loss] = charts;
  traffic!.setOption(
    chartOptions(
      from,
      to,
      [
        { name: t(lang, 'inbound'), data: pts((p) => p.inBps), colour: '#4fc3f7' },
        { name: t(lang, 'outbound'), data: pts((p) => p.outBps), colour: '#aed581' },
      ],
      formatTraffic,
      [{ name: `${t(lang, 'contract')} ${formatRate(c.bandwidthBps)}`, value: c.bandwidthBps, colour: '#e8453c' }],
    ),
    true,
  );
  util!.setOption(
    chartOptions(
      from,
      to,
      [
        { name: t(lang, 'inbound'), data: pts((p) => pct(p.inBps)), colour: '#4fc3f7' },
        { name: t(lang, 'outbound'), data: pts((p) => pct(p.outBps)), colour: '#aed581' },
      ],
      (v) => `${v < 10 ? +v.toFixed(2) : v.toFixed(0)}%`,
      [
        { name: '100%', value: 100, colour: '#e8453c' },
        ...(tier ? [{ name: `${tier.utilizationWarnPct}%`, value: tier.utilizationWarnPct, colour: '#f2c230' }] : []),
      ],
      // Against the contract: the whole of it is on the chart, however little is used.
      { atLeast: 100 },
    ),
    true,
  );
  errors!.setOption(
    chartOptions(
      from,
      to,
      [{ name: t(lang, 'errors'), type: 'bar', data: pts((p) => (p.inErrors ?? 0) + (p.outErrors ?? 0)), colour: '#f28b30' }],
      (v) => String(Math.round(v)),
      [],
      { integer: true },
    ),
    true,
  );
  latency!.setOption(latencyOptions(from, to, q, lang), true);
  const lossLimit = q.limits?.lossPct ?? null;
  loss!.setOption(
    chartOptions(
      from,
      to,
      [{ name: t(lang, 'loss'), type: 'bar', data: q.points.map((p): [number, number | null] => [p.timeMs, p.lossPct]), colour: '#e8453c' }],
      (v) => `${+v.toFixed(1)}%`,
      lossLimit !== null ? [{ name: `SLA ${lossLimit}%`, value: lossLimit, colour: '#f29d12' }] : [],
    ),
    true,
  );
}
