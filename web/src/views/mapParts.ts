/**
 * What the console's two network maps share (the schematic one in
 * networkMap.ts and the one on outlines in geoMap.ts): how a line looks in
 * each state and in what order lines are drawn, a circuit's tooltip, and the
 * chart's life on the page (clicks open the circuit or the site, resized
 * with the window, gone with the page).
 */
import type * as echarts from 'echarts/core';
import { CARRIER_NAMES } from '../../../shared/model/types.ts';
import type { ShownStatus } from '../consoleData.ts';
import { escapeHtml, formatTraffic } from '../dom.ts';
import { t } from '../i18n.ts';
import { circuitRoute, siteRoute, STATUS_COLOURS, type ViewContext } from './view.ts';

/** Down lines are drawn last (on top), degraded ones just below them. */
export const DRAW_ORDER = { up: 0, unknown: 1, degraded: 2, down: 3 } as const;

/** Red and thick when down; amber and dotted when degraded (still carrying traffic); thicker with utilization when up. */
export function lineStyle(status: ShownStatus, utilPct: number) {
  return {
    color: STATUS_COLOURS[status],
    width: status === 'down' ? 3.5 : status === 'degraded' ? 3 : 1 + utilPct / 30,
    opacity: status === 'down' || status === 'degraded' ? 1 : 0.75,
    type: status === 'unknown' ? 'dashed' : status === 'degraded' ? 'dotted' : 'solid',
  };
}

/** The busier direction's utilization of a circuit as shown, 0–100. */
export function shownUtilPct(ctx: ViewContext, circuitId: string, status: ShownStatus): number {
  const l = ctx.data.trafficShown(circuitId, status);
  return Math.min(100, Math.max(l?.inUtilPct ?? 0, l?.outUtilPct ?? 0));
}

/** A circuit's tooltip, built from escaped text only. */
export function circuitTooltip(ctx: ViewContext, circuitId: string, status: ShownStatus): string {
  const { data, lang } = ctx;
  const c = data.circuits.get(circuitId);
  if (!c) return '';
  const l = data.trafficShown(c.id, status);
  return [
    `${c.id} ${c.name?.[lang] ?? ''}`,
    `${CARRIER_NAMES[c.carrier][lang]} ${c.carrierCircuitId}`,
    `${t(lang, 'status')}: ${t(lang, status)}`,
    `${t(lang, 'inbound')} ${formatTraffic(l?.inBps)} / ${t(lang, 'outbound')} ${formatTraffic(l?.outBps)}`,
  ]
    .map(escapeHtml)
    .join('<br>');
}

/**
 * Draws the map once and keeps it: a click on a line opens its circuit, on a
 * node the site `siteOf` names; resized with the window, gone with the page.
 */
export function keepMap(ctx: ViewContext, chart: echarts.ECharts, update: () => void, siteOf: (nodeId: string) => string | null | undefined) {
  chart.on('click', (p) => {
    const d = p.data as { circuitId?: string; id?: string };
    if (p.dataType === 'edge' && d.circuitId) ctx.go(circuitRoute(d.circuitId));
    else if (p.dataType === 'node' && d.id) {
      const target = siteOf(d.id);
      if (target) ctx.go(siteRoute(target));
    }
  });
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  update();
  return {
    update,
    dispose: () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    },
  };
}
