/**
 * The wall screen: KPI tiles, the whole network, and the active alarms,
 * sized to the screen with nothing to click or scroll. It keeps itself
 * current over the WebSocket and keeps its session alive, so it can run
 * for days (start the browser in kiosk mode on #/wall).
 */
import { get } from '../api.ts';
import { el, formatDuration, formatTime } from '../dom.ts';
import { KIND_NAMES, SEVERITY_NAMES, t } from '../i18n.ts';
import { subjectLabel } from './alarmConsole.ts';
import { kpiTiles } from './kpiTiles.ts';
import { overviewMap } from './geoMap.ts';
import type { View, ViewContext } from './view.ts';

const WALL_ALARMS = 14;
const KEEP_ALIVE_MS = 10 * 60_000;

export function wallView(ctx: ViewContext): View {
  const { data, lang } = ctx;
  const tiles = kpiTiles(ctx);
  const clock = el('span', { class: 'clock' });
  const link = el('span', { class: 'link-state' });
  const mapBox = el('div', { id: 'wall-map', class: 'map' });
  const alarms = el('ol', { id: 'wall-alarms' });
  const drawAlarms = () => {
    const now = Date.now();
    const rank = { critical: 0, major: 1, minor: 2, warning: 3 } as const;
    const list = [...data.activeAlarms].sort((a, b) => rank[a.severity] - rank[b.severity] || b.startedAtMs - a.startedAtMs);
    alarms.replaceChildren(
      ...list
        .slice(0, WALL_ALARMS)
        .map((a) =>
          el(
            'li',
            { class: `sev-${a.severity}`, 'data-alarm': a.id },
            el('span', { class: 'sev' }, SEVERITY_NAMES[a.severity][lang]),
            ' ',
            subjectLabel(ctx, a, lang),
            ` ${KIND_NAMES[a.kind][lang]} · ${formatDuration((now - a.startedAtMs) / 1000, lang)}`,
            a.impactedCircuits.length ? ` · ${t(lang, 'impacted')} ${a.impactedCircuits.length}` : '',
            a.ack ? ` · ✔ ${a.ack.by}` : '',
          ),
        ),
      ...(list.length > WALL_ALARMS ? [el('li', { class: 'more' }, `+${list.length - WALL_ALARMS}`)] : []),
    );
  };
  // Over everything, so a wall that stopped updating can never pass for a quiet network.
  const staleAge = el('div', { class: 'stale-age' });
  const staleWhy = el('div', { class: 'stale-why' });
  const staleAt = el('div', { class: 'stale-at' });
  const stale = el('div', { id: 'wall-stale', role: 'alert', hidden: '' }, staleAge, staleWhy, staleAt);
  const drawStale = () => {
    const age = data.dataAgeS();
    stale.hidden = !data.stale();
    if (stale.hidden || age === null) return;
    staleAge.textContent = `${t(lang, 'staleData')} ${Math.round(age)} ${t(lang, 'staleSeconds')}`;
    staleWhy.textContent = t(lang, data.connected ? 'stalePollers' : 'staleConnection');
    staleAt.textContent = `${t(lang, 'lastData')} ${formatTime(Date.now() - age * 1000)}`;
  };
  const tick = () => {
    clock.textContent = formatTime(Date.now());
    link.textContent = data.connected ? '' : t(lang, 'reconnecting');
    drawAlarms();
    drawStale();
  };
  const node = el(
    'div',
    { class: 'wall' },
    el('div', { class: 'wall-head' }, el('h1', {}, data.topology.network.name[lang]), link, clock),
    tiles.node,
    el('div', { class: 'wall-body' }, mapBox, el('div', { class: 'wall-side' }, el('h2', {}, t(lang, 'activeAlarms')), alarms)),
    stale,
  );
  let map: ReturnType<typeof overviewMap> | null = null;
  queueMicrotask(() => (map = overviewMap(ctx, mapBox)));
  const clockTimer = setInterval(tick, 1000);
  const keepAlive = setInterval(() => void get('/api/session').catch(() => undefined), KEEP_ALIVE_MS);
  const off = data.on((change) => {
    if (change === 'status' || change === 'alarms') map?.update();
    tiles.update();
    tick();
  });
  tick();
  document.body.classList.add('wall-mode');
  return {
    node,
    dispose: () => {
      document.body.classList.remove('wall-mode');
      off();
      clearInterval(clockTimer);
      clearInterval(keepAlive);
      tiles.dispose();
      map?.dispose();
    },
  };
}
