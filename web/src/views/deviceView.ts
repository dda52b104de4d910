/**
 * One device: where it is, what it is, its health now, and its CPU, memory,
 * response time and reachability over a chosen range, with the circuits it
 * ends.
 */
import { el, formatDuration } from '../dom.ts';
import { t } from '../i18n.ts';
import { deviceCharts } from './deviceCharts.ts';
import { circuitRoute, siteRoute, STATUS_COLOURS, type View, type ViewContext } from './view.ts';

export function deviceView(ctx: ViewContext, deviceId: string): View {
  const { data, lang } = ctx;
  const d = data.devices.get(deviceId);
  if (!d) return { node: el('div', { class: 'page' }, el('p', { class: 'error' }, `${t(lang, 'noResults')}: ${deviceId}`)), dispose: () => undefined };
  const site = data.sites.get(d.siteId);
  const badge = el('span', { class: 'badge', id: 'device-status' });
  const drawStatus = () => {
    const h = data.deviceStatus.get(d.id);
    const st = !h ? 'unknown' : h.reachable ? 'up' : 'down';
    badge.dataset.status = st;
    badge.style.background = STATUS_COLOURS[st];
    badge.textContent = !h
      ? t(lang, 'unknown')
      : [
          t(lang, h.reachable ? 'reachable' : 'unreachable'),
          h.cpuPct != null ? `${t(lang, 'cpu')} ${h.cpuPct.toFixed(0)}%` : null,
          h.memPct != null ? `${t(lang, 'memory')} ${h.memPct.toFixed(0)}%` : null,
          h.responseMs != null ? `${t(lang, 'responseTime')} ${h.responseMs.toFixed(0)} ms` : null,
          h.uptimeS != null ? `${t(lang, 'uptime')} ${formatDuration(h.uptimeS, lang)}` : null,
        ]
          .filter((x) => x !== null)
          .join(' · ');
  };
  const circuits = data.topology.circuits.filter((c) => c.a.deviceId === d.id || (c.z.kind === 'device' && c.z.deviceId === d.id));
  const fact = (label: string, value: Node | string) => [el('dt', {}, label), el('dd', {}, value)];
  const charts = d.managed ? deviceCharts(ctx, d.id) : null;
  const node = el(
    'div',
    { class: 'page device', 'data-device': d.id },
    el('h2', {}, d.name?.[lang] ?? d.id, ' ', badge),
    el(
      'dl',
      { class: 'facts' },
      ...fact(t(lang, 'siteOf'), site ? el('a', { href: siteRoute(site.id) }, site.name[lang]) : d.siteId),
      ...fact(t(lang, 'model'), [d.vendor, d.model].filter(Boolean).join(' ')),
      ...fact(t(lang, 'circuitsOf'), el('span', {}, ...circuits.flatMap((c, i) => [i ? ' ' : '', el('a', { href: circuitRoute(c.id) }, c.id)]))),
    ),
    charts ? charts.node : el('p', { class: 'sub' }, t(lang, 'notPolled')),
  );
  drawStatus();
  const off = data.on((change) => change === 'status' && drawStatus());
  return {
    node,
    dispose: () => {
      off();
      charts?.dispose();
    },
  };
}
