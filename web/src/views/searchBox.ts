/**
 * Search from any page: circuit id, carrier circuit number, circuit name,
 * site or department name (Chinese or English), device. Enter opens the
 * first match.
 */
import { CARRIER_NAMES } from '../../../shared/model/types.ts';
import { el } from '../dom.ts';
import { t } from '../i18n.ts';
import { circuitRoute, siteRoute, type ViewContext } from './view.ts';

const MAX_RESULTS = 12;

interface Entry {
  haystack: string;
  label: string;
  route: string;
}

export function searchBox(ctx: ViewContext): HTMLElement {
  const { data, lang } = ctx;
  const entries: Entry[] = [
    ...data.topology.circuits.map((c) => ({
      haystack: [c.id, c.carrierCircuitId, c.name?.zh, c.name?.en].join('\n').toLowerCase(),
      label: `${c.id} · ${CARRIER_NAMES[c.carrier][lang]} ${c.carrierCircuitId}${c.name ? ` · ${c.name[lang]}` : ''}`,
      route: circuitRoute(c.id),
    })),
    ...data.topology.sites.map((s) => ({
      haystack: [s.id, s.name.zh, s.name.en].join('\n').toLowerCase(),
      label: s.name[lang],
      // A department is looked at through its county, where its circuit and devices are drawn.
      route: siteRoute(s.level === 'department' ? (s.countyId ?? s.cityId ?? s.id) : s.id),
    })),
    ...data.topology.devices.map((d) => ({
      haystack: [d.id, d.name?.zh ?? '', d.name?.en ?? ''].join('\n').toLowerCase(),
      label: `${d.name?.[lang] ?? d.id} (${data.sites.get(d.siteId)?.name[lang] ?? d.siteId})`,
      route: siteRoute(d.siteId),
    })),
  ];
  const input = el('input', { id: 'search', type: 'search', placeholder: t(lang, 'search'), autocomplete: 'off' });
  const results = el('ul', { id: 'search-results', hidden: '' });
  let first: Entry | undefined;
  const close = () => {
    results.hidden = true;
    input.value = '';
  };
  input.addEventListener('input', () => {
    const q = input.value.trim().toLowerCase();
    if (!q) {
      results.hidden = true;
      return;
    }
    // An exact id, number or name first, then those that start with it, then the rest.
    const rank = (e: Entry) => {
      const lines = e.haystack.split('\n');
      return lines.includes(q) ? 0 : lines.some((l) => l.startsWith(q)) ? 1 : 2;
    };
    const found = entries
      .filter((e) => e.haystack.includes(q))
      .map((e) => ({ e, r: rank(e) }))
      .sort((a, b) => a.r - b.r)
      .slice(0, MAX_RESULTS)
      .map(({ e }) => e);
    first = found[0];
    results.replaceChildren(
      ...(found.length ? found.map((e) => el('li', {}, el('a', { href: e.route }, e.label))) : [el('li', { class: 'none' }, t(lang, 'noResults'))]),
    );
    results.hidden = false;
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && first && !results.hidden) {
      ctx.go(first.route);
      close();
    } else if (ev.key === 'Escape') close();
  });
  results.addEventListener('click', (ev) => {
    if ((ev.target as HTMLElement).closest('a')) close();
  });
  return el('div', { class: 'search' }, input, results);
}
