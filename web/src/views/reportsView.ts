/**
 * Reports for managers: choose a period (month, ISO week, day or a range of
 * days, in the network's time zone) and a scope (the network, a county, a
 * carrier or a circuit); the report shows below as its own print-friendly
 * page, with downloads in every format. Below, the reports the schedules made.
 */
import { CARRIER_NAMES, CARRIERS } from '../../../shared/model/types.ts';
import { REPORT_FORMATS } from '../../../shared/reports/reportFormats.ts';
import { isoWeekLabel } from '../../../shared/time/reportPeriod.ts';
import { get } from '../api.ts';
import { el, formatTime } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View, ViewContext } from './view.ts';

interface Stored {
  schedule: string;
  file: string;
  format: string;
  sizeBytes: number;
  createdAtMs: number;
}

/** To download; the page itself is the HTML one. */
const DOWNLOADS = REPORT_FORMATS.filter((f) => f !== 'html');

/** Today in Shanghai, as yyyy-mm-dd. */
const today = () => formatTime(Date.now(), false).slice(0, 10);

export function reportsView(ctx: ViewContext): View {
  const { data, lang } = ctx;
  const kind = el('select', { id: 'report-kind' }, ...(['month', 'week', 'day', 'range'] as const).map((k) => el('option', { value: k }, t(lang, k))));
  const month = el('input', { type: 'month', id: 'report-month' });
  const week = el('input', { type: 'week', id: 'report-week' });
  const day = el('input', { type: 'date', id: 'report-day' });
  const rangeFrom = el('input', { type: 'date', id: 'report-from' });
  const rangeTo = el('input', { type: 'date', id: 'report-to' });
  // Last month by default: what a manager reads at the start of a month.
  const [y, m] = today().split('-').map(Number) as [number, number];
  month.value = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  day.value = today();
  week.value = isoWeekLabel(Date.now() - 7 * 86_400_000, data.topology.network.timezone);
  rangeFrom.value = `${today().slice(0, 8)}01`;
  rangeTo.value = today();
  const inputs = { month: [month], week: [week], day: [day], range: [rangeFrom, rangeTo] } as const;
  const showInputs = () => {
    for (const [k, list] of Object.entries(inputs)) for (const i of list) i.hidden = k !== kind.value;
  };
  kind.addEventListener('change', showInputs);
  showInputs();

  const counties = data.topology.sites.filter((s) => s.level === 'county');
  const scope = el(
    'select',
    { id: 'report-scope' },
    el('option', { value: 'network' }, t(lang, 'wholeNetwork')),
    el('optgroup', { label: t(lang, 'county') }, ...counties.map((s) => el('option', { value: `county:${s.id}` }, s.name[lang]))),
    el('optgroup', { label: t(lang, 'carrier') }, ...CARRIERS.map((c) => el('option', { value: `carrier:${c}` }, CARRIER_NAMES[c][lang]))),
    el(
      'optgroup',
      { label: t(lang, 'circuit') },
      ...data.topology.circuits.map((c) => el('option', { value: `circuit:${c.id}` }, `${c.id} ${c.carrierCircuitId}`)),
    ),
  );
  const message = el('p', { class: 'error', role: 'alert', id: 'report-message' });
  const frame = el('iframe', { id: 'report-frame', title: t(lang, 'reports'), hidden: '' });
  const downloads = el('div', { class: 'downloads', id: 'report-downloads' });
  const period = (): string | null => {
    const k = kind.value as keyof typeof inputs;
    const v = k === 'range' ? `${rangeFrom.value}..${rangeTo.value}` : inputs[k][0].value;
    return v && !v.startsWith('..') && !v.endsWith('..') ? v : null;
  };
  const url = (format: string) => `/api/reports?${new URLSearchParams({ period: period() ?? '', scope: scope.value, format, lang })}`;
  const form = el(
    'form',
    { id: 'report-form', class: 'inline-form' },
    kind,
    month,
    week,
    day,
    rangeFrom,
    rangeTo,
    scope,
    el('button', { type: 'submit' }, t(lang, 'makeReport')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!period()) {
      message.textContent = t(lang, 'choosePeriod');
      return;
    }
    message.textContent = '';
    frame.hidden = false;
    frame.src = url('html');
    downloads.replaceChildren(...DOWNLOADS.map((f) => el('a', { href: url(f), download: '', 'data-format': f }, f.toUpperCase())));
  });
  // The page itself says what went wrong (a 400 names the parameter); show it here rather than in the frame.
  frame.addEventListener('load', () => {
    const doc = frame.contentDocument;
    const text = doc?.body?.textContent ?? '';
    if (doc && doc.contentType === 'application/json') {
      message.textContent = (JSON.parse(text) as { error?: string }).error ?? text;
      frame.hidden = true;
    } else frame.dataset.loaded = 'true';
  });

  const stored = el('tbody');
  void get<{ reports: Stored[] }>('/api/reports/stored').then(
    ({ reports }) =>
      stored.replaceChildren(
        ...(reports.length
          ? reports.map((r) =>
              el(
                'tr',
                {},
                el('td', {}, r.schedule),
                el('td', {}, el('a', { href: `/api/reports/stored/${encodeURIComponent(r.schedule)}/${encodeURIComponent(r.file)}`, download: '' }, r.file)),
                el('td', { class: 'num' }, `${Math.ceil(r.sizeBytes / 1024)} KB`),
                el('td', {}, formatTime(r.createdAtMs, false)),
              ),
            )
          : [el('tr', {}, el('td', { colspan: '4' }, t(lang, 'none')))]),
      ),
    (err: Error) => (message.textContent = err.message),
  );

  const node = el(
    'div',
    { class: 'page reports' },
    el('h2', {}, t(lang, 'reports')),
    form,
    message,
    downloads,
    frame,
    el('h3', {}, t(lang, 'storedReports')),
    el('table', { id: 'stored-reports' }, stored),
  );
  return { node, dispose: () => undefined };
}
