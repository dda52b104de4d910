/**
 * A device's health over a chosen range: CPU (mean and peak), memory,
 * response time (mean and peak) and reachability (the share of polls it
 * answered), from /api/devices/:id/series. Shown on the device's page and
 * under its row in the county view.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { get } from '../api.ts';
import { el } from '../dom.ts';
import { t } from '../i18n.ts';
import { chartOptions, mountCharts, rangePicker } from './timeChart.ts';
import type { ViewContext } from './view.ts';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

interface HealthPoint {
  timeMs: number;
  cpuPct: number | null;
  cpuPeakPct: number | null;
  memPct: number | null;
  reachablePct: number | null;
  responseMs: number | null;
  responsePeakMs: number | null;
}

const pct = (v: number) => `${+v.toFixed(1)}%`;
const ms = (v: number) => `${+v.toFixed(1)} ms`;

export function deviceCharts(ctx: ViewContext, deviceId: string): { node: HTMLElement; dispose(): void } {
  const { lang } = ctx;
  const boxes = {
    cpu: el('div', { class: 'chart small', 'data-chart': 'cpu' }),
    memory: el('div', { class: 'chart small', 'data-chart': 'memory' }),
    response: el('div', { class: 'chart small', 'data-chart': 'response' }),
    reachability: el('div', { class: 'chart small', 'data-chart': 'reachability' }),
  };
  const ranges = rangePicker(() => load());
  const node = el(
    'div',
    { class: 'device-charts', 'data-device-charts': deviceId },
    ranges.node,
    el('h3', {}, t(lang, 'cpu')),
    boxes.cpu,
    el('h3', {}, t(lang, 'memory')),
    boxes.memory,
    el('h3', {}, t(lang, 'responseTime')),
    boxes.response,
    el('h3', {}, t(lang, 'reachability')),
    boxes.reachability,
  );
  const mounted = mountCharts(Object.values(boxes), () => ranges.start());
  const load = async () => {
    delete node.dataset.loaded;
    const { name, fromMs, toMs } = ranges.current();
    const series = await get<{ points: HealthPoint[] }>(`/api/devices/${encodeURIComponent(deviceId)}/series?from=${fromMs}&to=${toMs}&points=600`).catch(
      () => null,
    );
    if (mounted.disposed) return;
    const points = series?.points ?? [];
    const line = (f: (p: HealthPoint) => number | null) => points.map((p): [number, number | null] => [p.timeMs, f(p)]);
    const [cpu, memory, response, reachability] = mounted.charts;
    cpu?.setOption(
      chartOptions(
        fromMs,
        toMs,
        [
          { name: t(lang, 'mean'), data: line((p) => p.cpuPct), colour: '#4fc3f7' },
          { name: t(lang, 'peak'), data: line((p) => p.cpuPeakPct), colour: '#f29d12' },
        ],
        pct,
        [],
        { atLeast: 100 },
      ),
      true,
    );
    memory?.setOption(
      chartOptions(fromMs, toMs, [{ name: t(lang, 'memory'), data: line((p) => p.memPct), colour: '#9575cd' }], pct, [], { atLeast: 100 }),
      true,
    );
    response?.setOption(
      chartOptions(
        fromMs,
        toMs,
        [
          { name: t(lang, 'mean'), data: line((p) => p.responseMs), colour: '#4fc3f7' },
          { name: t(lang, 'peak'), data: line((p) => p.responsePeakMs), colour: '#f29d12' },
        ],
        ms,
        [],
      ),
      true,
    );
    reachability?.setOption(
      chartOptions(fromMs, toMs, [{ name: t(lang, 'pollsAnswered'), data: line((p) => p.reachablePct), type: 'bar', colour: '#2e9d4f' }], pct, [], {
        atLeast: 100,
      }),
      true,
    );
    for (const b of Object.values(boxes)) {
      b.dataset.points = String(points.length);
      b.classList.toggle('empty', points.length === 0);
    }
    node.dataset.loaded = name;
  };
  return {
    node,
    dispose: () => {
      ranges.dispose();
      mounted.dispose();
    },
  };
}
