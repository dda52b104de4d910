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
import { evidenceText } from '../../../shared/alarms/alarmWords.ts';
import { CARRIER_NAMES } from '../../../shared/model/types.ts';
import { formatRate } from '../../../shared/model/units.ts';
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
  if (a.subject.type === 'poller') return el('span', {}, `${t(lang, 'poller')} ${a.subject.id}`);
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
    select(
      'alarm-state',
      (['active', 'cleared', 'all'] as const).map((s) => [s, t(lang, s)]),
      filter.state,
      (v) => {
        filter.state = v;
        void refetch().then(draw);
      },
    ),
    select(
      'alarm-severity',
      [['', `${t(lang, 'severity')}: ${t(lang, 'all')}`], ...SEVERITIES.map((s): [string, string] => [s, SEVERITY_NAMES[s][lang]])],
      '',
      (v) => {
        filter.severity = v;
        draw();
      },
    ),
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
        return data
          .loadAlarms()
          .then(() => refetch())
          .then(draw);
      },
      (err: Error) => (message.textContent = err.message),
    );

  const draw = () => {
    const source = filter.state === 'active' ? data.activeAlarms : history;
    const shown = source.filter(
      (a) =>
        (!filter.severity || a.severity === filter.severity) &&
        (!filter.kind || a.kind === filter.kind) &&
        (!filter.text ||
          [a.subject.id, evidenceText(a, lang), ...a.impactedCircuits, data.circuits.get(a.subject.id)?.carrierCircuitId ?? ''].some((s) =>
            s.toLowerCase().includes(filter.text),
          )),
    );
    // A redraw (a new alarm arrives) must not lose a comment being typed.
    const typing = new Map(
      [...body.querySelectorAll<HTMLInputElement>('tr[data-alarm] .ack-comment')].map((i) => [
        i.closest('tr')!.dataset.alarm!,
        { value: i.value, focused: document.activeElement === i },
      ]),
    );
    body.replaceChildren(...shown.flatMap((a) => alarmRows(ctx, a, canAct ? act : null)));
    for (const [id, typed] of typing) {
      const input = [...body.querySelectorAll<HTMLTableRowElement>('tr[data-alarm]')]
        .find((r) => r.dataset.alarm === id)
        ?.querySelector<HTMLInputElement>('.ack-comment');
      if (!input) continue;
      input.value = typed.value;
      if (typed.focused) input.focus();
    }
    table.dataset.count = String(shown.length);
  };
  const table = el(
    'table',
    { class: 'alarms', id: 'alarm-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...(['severity', 'kind', 'subject', 'started', 'duration', 'acknowledged', 'impacted', 'actions'] as const).map((w) => el('th', {}, t(lang, w))),
      ),
    ),
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
  const ticking = setInterval(() => {
    const now = Date.now();
    for (const cell of body.querySelectorAll<HTMLElement>('td.duration[data-since]'))
      cell.textContent = formatDuration((now - Number(cell.dataset.since)) / 1000, lang);
  }, 1000);
  return {
    node,
    dispose: () => {
      off();
      clearInterval(ticking);
    },
  };
}

/** An alarm's row, the departments behind it if it is a root, and its detail (evidence, pushes, ticket). */
function alarmRows(ctx: ViewContext, a: Listed, act: ((what: Promise<unknown>) => unknown) | null): HTMLElement[] {
  const { lang } = ctx;
  const active = a.clearedAtMs === null;
  const now = Date.now();
  const shelved = a.shelvedUntilMs !== null && a.shelvedUntilMs > now;
  const actions = el('td', { class: 'actions' });
  if (act && active) {
    if (!a.ack) {
      const comment = el('input', { class: 'ack-comment', placeholder: t(lang, 'ackComment'), maxlength: '500' });
      actions.append(
        comment,
        button(t(lang, 'acknowledge'), () => void act(post(`/api/alarms/${encodeURIComponent(a.id)}/ack`, { comment: comment.value })), { class: 'ack' }),
      );
    }
    if (!shelved) {
      const minutes = select(
        `shelve-${a.id}`,
        SHELVE_MINUTES.map((m) => [String(m), formatDuration(m * 60, lang)]),
        '120',
        () => undefined,
      );
      minutes.className = 'shelve-minutes';
      actions.append(
        minutes,
        button(t(lang, 'shelve'), () => void act(post(`/api/alarms/${encodeURIComponent(a.id)}/shelve`, { minutes: Number(minutes.value) })), {
          class: 'shelve',
        }),
      );
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
    // Active alarms tick (see the timer below); an ended one keeps its length.
    el(
      'td',
      { class: 'duration', ...(a.endedAtMs === null ? { 'data-since': String(a.startedAtMs) } : {}) },
      formatDuration(((a.endedAtMs ?? now) - a.startedAtMs) / 1000, lang),
    ),
    el(
      'td',
      { class: 'ack-state' },
      a.ack ? `${t(lang, 'acknowledged')}: ${a.ack.by}${a.ack.comment ? ` · ${a.ack.comment}` : ''}` : '',
      shelved ? el('div', {}, `${t(lang, 'shelved')} ${formatTime(a.shelvedUntilMs, false)}`) : null,
    ),
    el('td', { class: 'num' }, impacted ? String(impacted) : ''),
    actions,
  );
  const out: HTMLElement[] = [tr];
  if (impacted) {
    // The departments behind a root alarm, under it: who the on-call person calls, and which carrier numbers they will be asked for.
    const list = el(
      'td',
      { colspan: '8' },
      el('span', { class: 'label' }, `${t(lang, 'impacted')} (${impacted}): `),
      el('ul', { class: 'impacted-list' }, ...a.impactedCircuits.map((id) => impactedLine(ctx, id))),
    );
    out.push(el('tr', { class: 'impacted', 'data-impacted-of': a.id }, list));
  }
  out.push(alarmDetailRow(ctx, a));
  return out;
}

/** The evidence, who was told, and a trouble ticket ready to copy. */
function alarmDetailRow(ctx: ViewContext, a: Listed): HTMLElement {
  const { lang } = ctx;
  // Who was told: a push a crash left uncertain (it may have arrived, and is not sent twice) is marked.
  const pushes = (a.pushes ?? []).map((p) =>
    el(
      'span',
      { class: `push push-${p.state}`, 'data-push-state': p.state },
      `${p.channel} ${t(lang, p.reason === 'cleared' ? 'pushCleared' : 'pushRaised')}: ${t(lang, `push_${p.state}`)}`,
    ),
  );
  const ticket = el('textarea', { class: 'ticket', readonly: '', rows: '6', 'aria-label': t(lang, 'ticket') });
  ticket.value = troubleTicket(ctx, a);
  const copy = button(
    t(lang, 'copyTicket'),
    () => {
      ticket.hidden = false;
      ticket.select();
      void navigator.clipboard?.writeText(ticket.value).catch(() => undefined);
    },
    { class: 'copy-ticket' },
  );
  ticket.hidden = true;
  return el(
    'tr',
    { class: 'detail' },
    el(
      'td',
      { colspan: '8' },
      el('span', { class: 'evidence' }, evidenceText(a, lang)),
      ' ',
      copy,
      pushes.length ? el('div', { class: 'pushes' }, `${t(lang, 'pushes')}: `, ...pushes.flatMap((p) => [p, ' '])) : null,
      ticket,
    ),
  );
}

/** One impacted circuit as the on-call person needs it: the department, its contact, the carrier and its circuit number. */
function impactedLine(ctx: ViewContext, circuitId: string): HTMLElement {
  const { data, lang } = ctx;
  const c = data.circuits.get(circuitId);
  const site = c ? data.sites.get(c.ownerSiteId) : undefined;
  return el(
    'li',
    { 'data-circuit': circuitId },
    el('a', { href: circuitRoute(circuitId) }, circuitId),
    site ? ` ${site.name[lang]}` : '',
    site?.contact ? el('span', { class: 'contact' }, ` ${site.contact.name} ${site.contact.phone}`) : '',
    c ? el('span', { class: 'carrier-no' }, ` · ${CARRIER_NAMES[c.carrier][lang]} ${c.carrierCircuitId}`) : '',
  );
}

/**
 * The alarm as a trouble ticket, in Chinese whatever the page's language:
 * what is pasted into the carrier's repair line or the duty log.
 */
export function troubleTicket(ctx: ViewContext, a: Alarm): string {
  const { data } = ctx;
  const lines = [`【故障工单】${SEVERITY_NAMES[a.severity].zh}告警`];
  if (a.subject.type === 'circuit') {
    const c = data.circuits.get(a.subject.id);
    lines.push(`故障电路：${a.subject.id}${c?.name ? ` ${c.name.zh}` : ''} ${KIND_NAMES[a.kind].zh}`);
    if (c) lines.push(`运营商：${CARRIER_NAMES[c.carrier].zh}　电路编号：${c.carrierCircuitId}　带宽：${formatRate(c.bandwidthBps)}`);
  } else if (a.subject.type === 'poller') {
    lines.push(`采集节点：${a.subject.id} ${KIND_NAMES[a.kind].zh}`);
  } else {
    const d = data.devices.get(a.subject.id);
    const site = d ? data.sites.get(d.siteId) : undefined;
    lines.push(`故障设备：${d?.name?.zh ?? a.subject.id}${site ? `（${site.name.zh}）` : ''} ${KIND_NAMES[a.kind].zh}`);
  }
  const ended = a.endedAtMs !== null;
  lines.push(
    `开始时间：${formatTime(a.startedAtMs)}${ended ? `　恢复时间：${formatTime(a.endedAtMs!)}` : ''}　${ended ? '历时' : '已持续'}：${formatDuration(((a.endedAtMs ?? Date.now()) - a.startedAtMs) / 1000, 'zh')}`,
  );
  lines.push(`告警依据：${evidenceText(a, 'zh')}`);
  if (a.impactedCircuits.length) {
    lines.push(`受影响电路（${a.impactedCircuits.length} 条）：`);
    for (const id of a.impactedCircuits) {
      const c = data.circuits.get(id);
      const site = c ? data.sites.get(c.ownerSiteId) : undefined;
      lines.push(
        `  ${id} ${site?.name.zh ?? ''}${site?.contact ? `（联系人 ${site.contact.name} ${site.contact.phone}）` : ''}${c ? `　${CARRIER_NAMES[c.carrier].zh} ${c.carrierCircuitId}` : ''}`,
      );
    }
  }
  if (a.ack) lines.push(`已确认：${a.ack.by}${a.ack.comment ? `　${a.ack.comment}` : ''}`);
  lines.push(`告警编号：${a.id}`);
  return lines.join('\n');
}
