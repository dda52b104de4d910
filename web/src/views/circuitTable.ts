/**
 * Circuits as a table: id (a link to the circuit), carrier and its circuit
 * number, contract, owner, state and traffic. Rows are built once; a status
 * change rewrites only the cells that show it, so a province's 1,100 rows
 * stay cheap to keep live.
 */
import { CARRIER_NAMES, type Circuit } from '../../../shared/model/types.ts';
import { formatRate } from '../../../shared/model/units.ts';
import { el, formatTraffic } from '../dom.ts';
import { t } from '../i18n.ts';
import { circuitRoute, type ViewContext } from './view.ts';

export function circuitTable(ctx: ViewContext, circuits: readonly Circuit[]): { node: HTMLTableElement; update(): void } {
  const { data, lang } = ctx;
  const node = el('table', { class: 'circuits', id: 'circuits' });
  node.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...(['circuit', 'carrier', 'carrierNo', 'bandwidth', 'owner', 'status', 'inbound', 'outbound', 'utilization'] as const).map((w) =>
          el('th', {}, t(lang, w)),
        ),
      ),
    ),
  );
  const body = el('tbody');
  node.append(body);
  const rows = circuits.map((c) => {
    const status = el('td', { class: 'status' });
    const inCell = el('td', { class: 'num' });
    const outCell = el('td', { class: 'num' });
    const util = el('td', { class: 'num' });
    const owner = data.sites.get(c.ownerSiteId);
    const row = el(
      'tr',
      { 'data-circuit': c.id },
      el('td', {}, el('a', { href: circuitRoute(c.id) }, c.id), c.name ? el('div', { class: 'sub' }, c.name[lang]) : null),
      el('td', {}, CARRIER_NAMES[c.carrier][lang]),
      el('td', {}, c.carrierCircuitId),
      el('td', { class: 'num' }, formatRate(c.bandwidthBps)),
      el('td', {}, owner?.name[lang] ?? c.ownerSiteId),
      status,
      inCell,
      outCell,
      util,
    );
    return { c, row, status, inCell, outCell, util, shown: '' };
  });
  const update = () => {
    for (const r of rows) {
      const st = data.shownStatus(r.c.id);
      const l = data.trafficShown(r.c.id, st);
      const key = `${st}|${l?.inBps}|${l?.outBps}`;
      if (key === r.shown) continue;
      r.shown = key;
      r.row.dataset.status = st;
      r.status.textContent = t(lang, st);
      r.inCell.textContent = formatTraffic(l?.inBps);
      r.outCell.textContent = formatTraffic(l?.outBps);
      const u = l ? Math.max(l.inUtilPct ?? -1, l.outUtilPct ?? -1) : -1;
      r.util.textContent = u >= 0 ? `${u.toFixed(1)}%` : '–';
    }
    // Down first, then degraded, then unknown, so the rows that need someone are at the top.
    const rank = { down: 0, degraded: 1, unknown: 2, up: 3 } as const;
    const order = [...rows].sort(
      (a, b) => rank[(a.row.dataset.status ?? 'unknown') as keyof typeof rank] - rank[(b.row.dataset.status ?? 'unknown') as keyof typeof rank],
    );
    if (order.some((r, i) => body.children[i] !== r.row)) body.replaceChildren(...order.map((r) => r.row));
  };
  update();
  return { node, update };
}
