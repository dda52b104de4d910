/**
 * A province's centre: its city pollers, one row each, so the NOC sees at
 * once a city it can no longer hear (silent, red) or one catching up after
 * its uplink came back (a lag in minutes, falling). Empty, and hidden, for a
 * single-machine nms (role all).
 */
import type { PollerStatus } from '../../../shared/bus/pollerStatus.ts';
import { get } from '../api.ts';
import { el, formatDuration } from '../dom.ts';
import { t } from '../i18n.ts';
import { STATUS_COLOURS, type ViewContext } from './view.ts';

const REFRESH_MS = 5000;

export function pollerPanel(ctx: ViewContext): { node: HTMLElement; dispose(): void } {
  const { data, lang } = ctx;
  const node = el('section', { id: 'pollers', class: 'pollers', hidden: '' });
  const ago = (ms: number | null) =>
    ms === null
      ? t(lang, 'never')
      : lang === 'zh'
        ? `${formatDuration((Date.now() - ms) / 1000, lang)}${t(lang, 'ago')}`
        : `${formatDuration((Date.now() - ms) / 1000, lang)} ${t(lang, 'ago')}`;
  const render = (pollers: PollerStatus[]) => {
    if (pollers.length === 0) return;
    node.hidden = false;
    const head = (['poller', 'sites', 'devicesOwned', 'circuitsOwned', 'status', 'lastHeard', 'lag', 'waiting'] as const).map((w) => el('th', {}, t(lang, w)));
    const rows = pollers.map((p) => {
      // Waiting: what JetStream holds for the centre, and what the poller itself holds.
      const waiting = [p.backlog, p.heartbeat ? p.heartbeat.queued + p.heartbeat.spooledPoints : null].map((n) => (n === null ? '–' : String(n))).join(' / ');
      return el(
        'tr',
        { 'data-poller': p.name, 'data-silent': p.silent ? 'true' : 'false' },
        el('td', {}, p.name),
        el('td', {}, p.sites.map((id) => data.sites.get(id)?.name[lang] ?? id).join(lang === 'zh' ? '、' : ', ')),
        el('td', { class: 'num' }, String(p.devicesOwned)),
        el('td', { class: 'num' }, String(p.circuitsOwned)),
        el('td', { class: 'status', style: `color:${p.silent ? STATUS_COLOURS.down : STATUS_COLOURS.up}` }, t(lang, p.silent ? 'silent' : 'heard')),
        el('td', { class: 'last-heard' }, ago(p.lastHeardAtMs)),
        el('td', { class: 'num lag' }, p.lagMs === null ? '–' : formatDuration(p.lagMs / 1000, lang)),
        el('td', { class: 'num waiting' }, waiting),
      );
    });
    node.replaceChildren(
      el('h2', {}, t(lang, 'pollers')),
      el('table', { class: 'circuits' }, el('thead', {}, el('tr', {}, ...head)), el('tbody', {}, ...rows)),
    );
  };
  const refresh = () =>
    get<{ pollers: PollerStatus[] }>('/api/pollers').then(
      (r) => render(r.pollers),
      () => undefined,
    );
  void refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return { node, dispose: () => clearInterval(timer) };
}
