/**
 * The figures a NOC reads first: circuits up, degraded, down and unknown, active alarms
 * by severity, and the network's availability so far this month (Asia/Shanghai
 * month, unknown time not counted as up).
 */
import { SEVERITIES } from '../../../shared/alarms/types.ts';
import { monthBounds } from '../../../shared/time/zonedTime.ts';
import { get } from '../api.ts';
import { el, TIME_ZONE } from '../dom.ts';
import { SEVERITY_NAMES, t } from '../i18n.ts';
import { SEVERITY_COLOURS, STATUS_COLOURS, type ViewContext } from './view.ts';

const AVAILABILITY_REFRESH_MS = 5 * 60_000;

export function kpiTiles(ctx: ViewContext): { node: HTMLElement; update(): void; dispose(): void } {
  const { data, lang } = ctx;
  const node = el('section', { id: 'kpi' });
  let availability: number | null | undefined;
  const fetchAvailability = () => {
    const { startMs } = monthBounds(Date.now(), TIME_ZONE);
    get<{ availabilityPct: number | null }>(`/api/sla?from=${startMs}&to=${Date.now()}`).then(
      (r) => {
        availability = r.availabilityPct;
        update();
      },
      () => undefined,
    );
  };
  const timer = setInterval(fetchAvailability, AVAILABILITY_REFRESH_MS);
  const tile = (id: string, label: string, value: string, colour?: string) =>
    el(
      'div',
      { class: 'tile', id, ...(colour ? { style: `border-color:${colour}` } : {}) },
      el('span', { class: 'label' }, label),
      ' ',
      el('span', { class: 'value' }, value),
    );

  const update = () => {
    const count = { up: 0, down: 0, unknown: 0, degraded: 0 };
    for (const id of data.circuits.keys()) count[data.shownStatus(id)]++;
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<(typeof SEVERITIES)[number], number>;
    for (const a of data.activeAlarms) bySeverity[a.severity]++;
    node.replaceChildren(
      tile('kpi-up', t(lang, 'circuitsUp'), String(count.up), STATUS_COLOURS.up),
      tile('kpi-down', t(lang, 'circuitsDown'), String(count.down), count.down ? STATUS_COLOURS.down : undefined),
      tile('kpi-degraded', t(lang, 'circuitsDegraded'), String(count.degraded), count.degraded ? STATUS_COLOURS.degraded : undefined),
      tile('kpi-unknown', t(lang, 'circuitsUnknown'), String(count.unknown)),
      tile('kpi-alarms', t(lang, 'activeAlarms'), String(data.activeAlarms.length), bySeverity.critical ? SEVERITY_COLOURS.critical : undefined),
      el(
        'div',
        { class: 'tile severities' },
        ...SEVERITIES.map((s) => el('span', { class: `sev sev-${s}`, 'data-severity': s }, `${SEVERITY_NAMES[s][lang]} ${bySeverity[s]}`)),
      ),
      tile('kpi-availability', t(lang, 'availabilityMtd'), availability === undefined ? '…' : availability === null ? '–' : `${availability.toFixed(3)}%`),
    );
  };
  fetchAvailability();
  update();
  return { node, update, dispose: () => clearInterval(timer) };
}
