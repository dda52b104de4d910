/**
 * The alarm console: the live list (or history), filtered by state,
 * severity, kind and text; each root alarm with the circuits it takes down;
 * acknowledge with a comment and shelve for operators; an optional sound for
 * each new critical.
 */
import { CAN } from '../../../shared/auth/roles.ts';
import { ALARM_KINDS, SEVERITIES, type Alarm } from '../../../shared/alarms/types.ts';
import { get, post } from '../api.ts';
import { button, el, formatDuration, formatTime } from '../dom.ts';
import { KIND_NAMES, SEVERITY_NAMES, t, type Lang } from '../i18n.ts';
import { circuitRoute, siteRoute, type View, type ViewContext } from './view.ts';

type PushState = 'pending' | 'sending' | 'sent' | 'failed' | 'uncertain';
type Listed = Alarm & { state?: string; pushes?: Array<{ channel: string; reason: string; state: PushState; attempts: number }> };
const SOUND_KEY = 'nms.sound';
const SHELVE_MINUTES = [30, 120, 480] as const;

/** Two short tones: enough to turn a head in the NOC, built in the browser (no audio file to serve). */
function beep(): void {
  const audio = new AudioContext();
  for (const at of [0, 0.35]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start(audio.currentTime + at);
    osc.stop(audio.currentTime + at + 0.25);
  }
  setTimeout(() => void audio.close(), 1500);
}

function select(id: string, options: Array<[string, string]>, value: string, onChange: (v: string) => void): HTMLSelectElement {
  const s = el('select', { id }, ...options.map(([v, label]) => el('option', { value: v }, label)));
  s.value = value;
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

export function subjectLabel(ctx: ViewContext, a: Alarm, lang: Lang): Node {
  const { data } = ctx;
  if (a.subject.type === 'circuit') {
    const c = data.circuits.get(a.subject.id);
    return el('a', { href: circuitRoute(a.subject.id) }, `${a.subject.id}${c?.name ? ` ${c.name[lang]}` : ''}`);
  }
  const d = data.devices.get(a.subject.id);
  const site = d ? data.sites.get(d.siteId) : undefined;
  return el('span', {}, site ? el('a', { href: siteRoute(site.id) }, site.name[lang]) : '', ` ${d?.name?.[lang] ?? a.subject.id}`);
}

export function alarmConsoleView(ctx: ViewContext): View {
  const { data, lang, session } = ctx;
  const canAct = CAN.act.includes(session.role);
  const filter = { state: 'active', severity: '', kind: '', text: '' };
  let history: Listed[] = [];
  const body = el('tbody');
  const message = el('p', { class: 'error', role: 'alert', id: 'alarm-message' });
  const sound = el('input', { type: 'checkbox', id: 'sound' });
  sound.checked = localStorage.getItem(SOUND_KEY) === 'on';
  sound.addEventListener('change', () => localStorage.setItem(SOUND_KEY, sound.checked ? 'on' : 'off'));
  const text = el('input', { id: 'alarm-filter', type: 'search', placeholder: t(lang, 'filterText') });
  text.addEventListener('input', () => {
    filter.text = text.value.trim().toLowerCase();
    draw();
  });
  const refetch = async () => {
    if (filter.state === 'active') return;
    history = (await get<{ alarms: Listed[] }>(`/api/alarms?state=${filter.state}&limit=1000`)).alarms;
  };
  const filters = el(
    'div',
    { class: 'filters' },
    select('alarm-state', (['active', 'cleared', 'all'] as const).map((s) => [s, t(lang, s)]), filter.state, (v) => {
      filter.state = v;
      void refetch().then(draw);
    }),
    select('alarm-severity', [['', `${t(lang, 'severity')}: ${t(lang, 'all')}`], ...SEVERITIES.map((s): [string, string] => [s, SEVERITY_NAMES[s][lang]])], '', (v) => {
      filter.severity = v;
      draw();
    }),
    select('alarm-kind', [['', `${t(lang, 'kind')}: ${t(lang, 'all')}`], ...ALARM_KINDS.map((k): [string, string] => [k, KIND_NAMES[k][lang]])], '', (v) => {
      filter.kind = v;
      draw();
    }),
    text,
    el('label', {}, sound, ` ${t(lang, 'sound')}`),
  );

  const act = (what: Promise<unknown>) =>
    what.then(
      () => {
        message.textContent = '';
        return data.loadAlarms().then(() => refetch()).then(draw);
      },
      (err: Error) => (message.textContent = err.message),
    );

  const row = (a: Listed): HTMLElement[] => {
    const active = a.clearedAtMs === null;
    const now = Date.now();
    const shelved = a.shelvedUntilMs !== null && a.shelvedUntilMs > now;
    const actions = el('td', { class: 'actions' });
    if (canAct && active) {
      if (!a.ack) {
        const comment = el('input', { class: 'ack-comment', placeholder: t(lang, 'ackComment'), maxlength: '500' });
        actions.append(comment, button(t(lang, 'acknowledge'), () => void act(post(`/api/alarms/${encodeURIComponent(a.id)}/ack`, { comment: comment.value })), { class: 'ack' }));
      }
      if (!shelved) {
        const minutes = select(`shelve-${a.id}`, SHELVE_MINUTES.map((m) => [String(m), formatDuration(m * 60, lang)]), '120', () => undefined);
        minutes.className = 'shelve-minutes';
        actions.append(minutes, button(t(lang, 'shelve'), () => void act(post(`/api/alarms/${encodeURIComponent(a.id)}/shelve`, { minutes: Number(minutes.value) })), { class: 'shelve' }));
      }
    }
    const impacted = a.impactedCircuits.length;
    const tr = el(
      'tr',
      { 'data-alarm': a.id, 'data-severity': a.severity, 'data-acked': String(a.ack !== null), 'data-state': active ? 'active' : 'cleared' },
      el('td', { class: `sev sev-${a.severity}` }, SEVERITY_NAMES[a.severity][lang]),
      el('td', {}, KIND_NAMES[a.kind][lang], a.maintenance ? el('span', { class: 'tag' }, t(lang, 'inMaintenance')) : null),
      el('td', {}, subjectLabel(ctx, a, lang)),
      el('td', {}, formatTime(a.startedAtMs)),
      el('td', {}, formatDuration(((a.endedAtMs ?? now) - a.startedAtMs) / 1000, lang)),
      el('td', { class: 'ack-state' }, a.ack ? `${t(lang, 'acknowledged')}: ${a.ack.by}${a.ack.comment ? ` · ${a.ack.comment}` : ''}` : '', shelved ? el('div', {}, `${t(lang, 'shelved')} ${formatTime(a.shelvedUntilMs, false)}`) : null),
      el('td', { class: 'num' }, impacted ? String(impacted) : ''),
      actions,
    );
    const out: HTMLElement[] = [tr];
    if (impacted) {
      // The circuits behind a root alarm, under it: what the on-call person tells the departments.
      const list = el('td', { colspan: '8' }, el('span', { class: 'label' }, `${t(lang, 'impacted')}: `), ...a.impactedCircuits.flatMap((id) => [el('a', { href: circuitRoute(id) }, id), ' ']));
      out.push(el('tr', { class: 'impacted', 'data-impacted-of': a.id }, list));
    }
    // Who was told: a push a crash left uncertain (it may have arrived, and is not sent twice) is marked.
    const pushes = (a.pushes ?? []).map((p) => el('span', { class: `push push-${p.state}`, 'data-push-state': p.state }, `${p.channel} ${t(lang, p.reason === 'cleared' ? 'pushCleared' : 'pushRaised')}: ${t(lang, `push_${p.state}`)}`));
    const detail = el('tr', { class: 'detail' }, el('td', { colspan: '8' }, a.detail, pushes.length ? el('div', { class: 'pushes' }, `${t(lang, 'pushes')}: `, ...pushes.flatMap((p) => [p, ' '])) : null));
    out.push(detail);
    return out;
  };

  const draw = () => {
    const source = filter.state === 'active' ? data.activeAlarms : history;
    const shown = source.filter(
      (a) =>
        (!filter.severity || a.severity === filter.severity) &&
        (!filter.kind || a.kind === filter.kind) &&
        (!filter.text || [a.subject.id, a.detail, ...a.impactedCircuits, data.circuits.get(a.subject.id)?.carrierCircuitId ?? ''].some((s) => s.toLowerCase().includes(filter.text))),
    );
    // A redraw (a new alarm arrives) must not lose a comment being typed.
    const typing = new Map([...body.querySelectorAll<HTMLInputElement>('tr[data-alarm] .ack-comment')].map((i) => [i.closest('tr')!.dataset.alarm!, { value: i.value, focused: document.activeElement === i }]));
    body.replaceChildren(...shown.flatMap(row));
    for (const [id, typed] of typing) {
      const input = [...body.querySelectorAll<HTMLTableRowElement>('tr[data-alarm]')].find((r) => r.dataset.alarm === id)?.querySelector<HTMLInputElement>('.ack-comment');
      if (!input) continue;
      input.value = typed.value;
      if (typed.focused) input.focus();
    }
    table.dataset.count = String(shown.length);
  };
  const table = el(
    'table',
    { class: 'alarms', id: 'alarm-table' },
    el('thead', {}, el('tr', {}, ...(['severity', 'kind', 'subject', 'started', 'duration', 'acknowledged', 'impacted', 'actions'] as const).map((w) => el('th', {}, t(lang, w))))),
    body,
  );
  const node = el('div', { class: 'page alarm-console' }, filters, message, table);
  const off = data.on((change, detail) => {
    if (change !== 'alarms') return;
    const e = detail as { event?: string; alarm?: Alarm } | undefined;
    if (sound.checked && e?.event === 'raised' && e.alarm?.severity === 'critical') beep();
    void refetch().then(draw);
  });
  draw();
  return { node, dispose: off };
}
