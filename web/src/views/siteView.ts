/**
 * A county (or the city) close up: the sites above it on the left, the site
 * in the middle, the departments it serves on the right, with every circuit
 * between them; then its circuits and its devices' health.
 */
import type { Site } from '../../../shared/model/types.ts';
import type { DeviceInventory } from '../../../shared/live/deviceInventory.ts';
import { get } from '../api.ts';
import { button, el } from '../dom.ts';
import { t } from '../i18n.ts';
import { circuitTable } from './circuitTable.ts';
import { networkMap } from './networkMap.ts';
import { deviceCharts } from './deviceCharts.ts';
import { circuitRoute, deviceRoute, siteRoute, type View, type ViewContext } from './view.ts';

export function siteView(ctx: ViewContext, siteId: string): View {
  const { data, lang } = ctx;
  const site = data.sites.get(siteId);
  if (!site) return { node: el('div', { class: 'page' }, el('p', { class: 'error' }, `${t(lang, 'noResults')}: ${siteId}`)), dispose: () => undefined };
  const children = data.topology.sites.filter((s) => s.parentId === site.id);
  const inScope = new Set([site.id, ...children.map((s) => s.id)]);
  const circuits = data.topology.circuits.filter((c) => data.endSites(c).some((s) => s && inScope.has(s.id)));
  const upstream = new Map<string, Site>();
  for (const c of circuits) for (const s of data.endSites(c)) if (s && !inScope.has(s.id)) upstream.set(s.id, s);
  const spread = (list: readonly Site[], i: number) => (list.length <= 1 ? 0 : (i / (list.length - 1) - 0.5) * Math.max(1, list.length / 6));
  // A city has ~90 sites below it: one column of them is a stack of unreadable labels, so they wrap into columns of at most 16.
  const perColumn = 16;
  const childColumns = Array.from({ length: Math.ceil(children.length / perColumn) }, (_, k) => children.slice(k * perColumn, (k + 1) * perColumn));
  const columns: Array<readonly Site[]> = [[...upstream.values()], [site], ...childColumns];
  const position = new Map<string, { x: number; y: number }>();
  columns.forEach((col, x) => {
    col.forEach((s, i) => {
      position.set(s.id, { x: x * 1.2, y: spread(col, i) });
    });
  });

  const mapBox = el('div', {
    id: 'site-map',
    class: 'map',
    'data-columns': String(columns.length),
    'data-tallest': String(Math.max(...columns.map((c) => c.length))),
  });
  const table = circuitTable(ctx, circuits);
  const devices = data.topology.devices.filter((d) => d.siteId === site.id);
  const deviceRows = el('tbody');
  const opened = new Map<string, HTMLElement>();
  // A device's charts, opened under its row; disposed when closed or when the page goes.
  const charted = new Map<string, ReturnType<typeof deviceCharts>>();
  const drawDevices = () =>
    deviceRows.replaceChildren(
      ...devices.flatMap((d) => {
        const h = data.deviceStatus.get(d.id);
        const toggle = button(
          t(lang, 'interfaces'),
          () => {
            if (opened.has(d.id)) opened.delete(d.id);
            else opened.set(d.id, inventoryPanel(ctx, d.id));
            drawDevices();
          },
          { class: 'inventory-toggle' },
        );
        const chartToggle = button(
          t(lang, 'charts'),
          () => {
            const open = charted.get(d.id);
            if (open) {
              open.dispose();
              charted.delete(d.id);
            } else charted.set(d.id, deviceCharts(ctx, d.id));
            drawDevices();
          },
          { class: 'charts-toggle' },
        );
        const row = el(
          'tr',
          { 'data-device': d.id, 'data-reachable': h ? String(h.reachable) : 'unknown' },
          el('td', {}, el('a', { href: deviceRoute(d.id) }, d.name?.[lang] ?? d.id), ' ', d.managed ? toggle : null, ' ', d.managed ? chartToggle : null),
          el('td', {}, d.model ?? d.vendor),
          // Why a device cannot be polled (a timeout, a send the kernel refused) is shown here, not only in an alarm.
          el(
            'td',
            h && !h.reachable ? { class: 'error' } : {},
            h ? t(lang, h.reachable ? 'reachable' : 'unreachable') : t(lang, 'unknown'),
            h?.error ? el('div', { class: 'device-error' }, h.error) : null,
          ),
          el('td', { class: 'num' }, h?.cpuPct != null ? `${h.cpuPct.toFixed(0)}%` : '–'),
          el('td', { class: 'num' }, h?.memPct != null ? `${h.memPct.toFixed(0)}%` : '–'),
        );
        const panel = opened.get(d.id);
        const charts = charted.get(d.id);
        return [
          row,
          ...(panel ? [el('tr', { class: 'inventory' }, el('td', { colspan: '5' }, panel))] : []),
          ...(charts ? [el('tr', { class: 'device-charts-row' }, el('td', { colspan: '5' }, charts.node))] : []),
        ];
      }),
    );
  drawDevices();
  const parent = site.parentId ? data.sites.get(site.parentId) : undefined;
  const node = el(
    'div',
    { class: 'page site', 'data-site': site.id },
    el('h2', {}, site.name[lang], parent ? el('a', { href: siteRoute(parent.id), class: 'up-link' }, `↑ ${parent.name[lang]}`) : null),
    site.contact ? el('p', { class: 'contact' }, `${site.contact.name} ${site.contact.phone}`) : null,
    mapBox,
    table.node,
    devices.length
      ? el(
          'table',
          { class: 'devices' },
          el('thead', {}, el('tr', {}, ...(['devices', 'detail', 'status', 'cpu', 'memory'] as const).map((w) => el('th', {}, t(lang, w))))),
          deviceRows,
        )
      : null,
  );
  let map: ReturnType<typeof networkMap> | null = null;
  queueMicrotask(() => (map = networkMap(ctx, mapBox, { sites: columns.flat(), circuits, position: (s) => position.get(s.id)!, labelled: () => true })));
  const off = data.on((change) => {
    // An alarm can colour a line too (degraded).
    if (change !== 'status' && change !== 'alarms') return;
    map?.update();
    table.update();
    drawDevices();
  });
  return {
    node,
    dispose: () => {
      off();
      map?.dispose();
      for (const c of charted.values()) c.dispose();
    },
  };
}

/** What the device says of itself, read when asked. Its strings (ifAlias, sysDescr) are the device's: text only. */
function inventoryPanel(ctx: ViewContext, deviceId: string): HTMLElement {
  const { lang } = ctx;
  const panel = el('div', { class: 'inventory-panel', 'data-inventory': deviceId }, t(lang, 'loading'));
  get<DeviceInventory>(`/api/devices/${encodeURIComponent(deviceId)}/interfaces`).then(
    (inv) => {
      panel.replaceChildren(
        el('p', { class: 'sub' }, `${inv.sysName ?? ''} · ${inv.sysDescr ?? ''}`),
        el(
          'table',
          { class: 'interfaces' },
          el(
            'thead',
            {},
            el('tr', {}, ...['ifIndex', 'ifName', t(lang, 'description'), t(lang, 'status'), t(lang, 'speed'), t(lang, 'circuit')].map((h) => el('th', {}, h))),
          ),
          el(
            'tbody',
            {},
            ...inv.interfaces.map((i) =>
              el(
                'tr',
                { 'data-ifindex': String(i.ifIndex) },
                el('td', { class: 'num' }, String(i.ifIndex)),
                el('td', {}, i.ifName ?? ''),
                el('td', { class: 'if-alias' }, i.ifAlias ?? ''),
                el('td', {}, i.adminUp === false ? t(lang, 'adminDown') : i.operUp === null ? t(lang, 'unknown') : t(lang, i.operUp ? 'up' : 'down')),
                el('td', { class: 'num' }, i.speedMbps ? `${i.speedMbps}M` : ''),
                el('td', {}, i.circuitId ? el('a', { href: circuitRoute(i.circuitId) }, i.circuitId) : ''),
              ),
            ),
          ),
        ),
      );
      panel.dataset.loaded = 'true';
    },
    (err: Error) => panel.replaceChildren(el('p', { class: 'error' }, err.message)),
  );
  return panel;
}
