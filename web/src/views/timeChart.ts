/**
 * What the console's time charts share: the ranges a user picks from (1 hour
 * to 1 year, short ones watched live), the charts' life on a page, and the
 * ECharts options of a chart over a range, the whole range on the axis so a
 * gap shows as a gap.
 */
import * as echarts from 'echarts/core';
import { el, escapeHtml, formatTime } from '../dom.ts';

/**
 * A chart in each box, made once the boxes are in the document (a chart
 * measures its box), after which `ready` runs; resized with the window, and
 * gone with the page.
 */
export function mountCharts(boxes: readonly HTMLElement[], ready: () => void) {
  const charts: echarts.ECharts[] = [];
  let disposed = false;
  const resize = () => {
    for (const ch of charts) ch.resize();
  };
  queueMicrotask(() => {
    if (disposed) return;
    charts.push(...boxes.map((b) => echarts.init(b)));
    window.addEventListener('resize', resize);
    ready();
  });
  return {
    charts,
    /** Whether the page has gone: an answer that comes after it draws nothing. */
    get disposed() {
      return disposed;
    },
    dispose(): void {
      disposed = true;
      window.removeEventListener('resize', resize);
      for (const ch of charts) ch.dispose();
    },
  };
}

export const RANGES = [
  ['1h', 3_600_000],
  ['6h', 6 * 3_600_000],
  ['24h', 86_400_000],
  ['7d', 7 * 86_400_000],
  ['30d', 30 * 86_400_000],
  ['90d', 90 * 86_400_000],
  ['1y', 365 * 86_400_000],
] as const;
export type RangeName = (typeof RANGES)[number][0];
/** Short ranges are watched live: fetched again this often. */
const LIVE_REFRESH_MS = 30_000;

export interface PickedRange {
  name: RangeName;
  fromMs: number;
  toMs: number;
}

/**
 * The range buttons. `load` is called on start, when the user picks a range,
 * and, while the range is a day or less, every LIVE_REFRESH_MS.
 */
export function rangePicker(load: () => Promise<void>, initial: RangeName = '24h') {
  let range: RangeName = initial;
  let timer: ReturnType<typeof setInterval> | null = null;
  const node = el('div', { class: 'ranges' });
  const spanOf = (name: RangeName) => RANGES.find(([n]) => n === name)![1];
  const setLive = () => {
    if (timer) clearInterval(timer);
    timer = spanOf(range) <= 86_400_000 ? setInterval(() => void load(), LIVE_REFRESH_MS) : null;
  };
  const draw = () =>
    node.replaceChildren(
      ...RANGES.map(([name]) => {
        const b = el('button', { type: 'button', 'data-range': name, class: name === range ? 'on' : '' }, name);
        b.addEventListener('click', () => {
          range = name;
          draw();
          setLive();
          void load();
        });
        return b;
      }),
    );
  draw();
  return {
    node,
    current(): PickedRange {
      const toMs = Date.now();
      return { name: range, fromMs: toMs - spanOf(range), toMs };
    },
    start(): void {
      setLive();
      void load();
    },
    dispose(): void {
      if (timer) clearInterval(timer);
    },
  };
}

export function chartOptions(
  fromMs: number,
  toMs: number,
  series: Array<{ name: string; data: Array<[number, number | null]>; type?: 'line' | 'bar'; colour: string }>,
  unit: (v: number) => string,
  lines: Array<{ name: string; value: number; colour: string }>,
  o: { integer?: boolean; atLeast?: number } = {},
) {
  const spanMs = toMs - fromMs;
  const axisTime = (v: number) =>
    spanMs <= 86_400_000 ? formatTime(v, false).slice(11) : spanMs <= 7 * 86_400_000 ? formatTime(v, false).slice(5) : formatTime(v, false).slice(0, 10);
  return {
    animation: false,
    grid: { left: 70, right: 45, top: 30, bottom: 30 },
    legend: { top: 0, right: 10, textStyle: { color: '#cfd8dc' } },
    tooltip: {
      trigger: 'axis',
      formatter: (ps: Array<{ seriesName: string; value: [number, number | null]; color: string }>) =>
        [formatTime(ps[0]?.value[0] ?? 0), ...ps.map((p) => `${p.seriesName}: ${p.value[1] === null ? '–' : unit(p.value[1])}`)].map(escapeHtml).join('<br>'),
    },
    // The whole range chosen, so a gap or a late start shows as empty space, not as a stretched line.
    xAxis: { type: 'time', min: fromMs, max: toMs, axisLabel: { formatter: axisTime, color: '#9aa5ad', hideOverlap: true } },
    yAxis: {
      type: 'value',
      minInterval: o.integer ? 1 : 0,
      ...(o.atLeast !== undefined ? { max: (v: { max: number }) => Math.max(o.atLeast!, v.max) } : {}),
      axisLabel: { formatter: unit, color: '#9aa5ad' },
      splitLine: { lineStyle: { color: '#23323f' } },
    },
    series: series.map((s, i) => ({
      name: s.name,
      type: s.type ?? 'line',
      showSymbol: false,
      data: s.data,
      itemStyle: { color: s.colour },
      lineStyle: { width: 1.5 },
      ...(i === 0 && lines.length
        ? {
            markLine: {
              symbol: 'none',
              silent: true,
              data: lines.map((l) => ({
                name: l.name,
                yAxis: l.value,
                lineStyle: { color: l.colour, type: 'dashed' },
                label: { formatter: l.name, color: l.colour },
              })),
            },
          }
        : {}),
    })),
  };
}
