/**
 * Maintenance windows (维护窗口): what is planned, from nms.yaml and from the
 * console, and for operators a form to enter one (times in Asia/Shanghai)
 * and a button to end one early.
 */
import { CAN } from '../../../shared/auth/roles.ts';
import type { PlannedWork } from '../../../shared/alarms/types.ts';
import { del, get, post } from '../api.ts';
import { button, el, formatTime, isoToShanghaiInput, shanghaiInputToIso } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View, ViewContext } from './view.ts';

export function maintenanceView(ctx: ViewContext): View {
  const { lang, session } = ctx;
  const canAct = CAN.act.includes(session.role);
  const body = el('tbody');
  const message = el('p', { class: 'error', role: 'alert', id: 'maintenance-message' });
  const load = async () => {
    const { windows } = await get<{ windows: PlannedWork[] }>('/api/maintenance');
    const now = Date.now();
    body.replaceChildren(
      ...windows.map((w) =>
        el(
          'tr',
          { 'data-window': w.id, 'data-source': w.source },
          el('td', {}, w.subjects.join(', ')),
          el('td', {}, formatTime(w.fromMs, false)),
          el('td', {}, formatTime(w.toMs, false)),
          el('td', {}, w.reason),
          el('td', {}, w.source === 'config' ? t(lang, 'fromConfig') : `${t(lang, 'fromConsole')} · ${w.createdBy ?? ''}`),
          el(
            'td',
            {},
            canAct && w.source === 'console' && w.toMs > now
              ? button(t(lang, 'end'), () => void del(`/api/maintenance/${encodeURIComponent(w.id)}`).then(load, show), { class: 'end' })
              : '',
          ),
        ),
      ),
    );
  };
  const show = (err: Error) => (message.textContent = err.message);
  const form = el('form', { id: 'maintenance-form', class: 'inline-form' });
  if (canAct) {
    const subjects = el('input', { name: 'subjects', required: '', placeholder: t(lang, 'subjects'), size: '40' });
    const from = el('input', { name: 'from', type: 'datetime-local', required: '', value: isoToShanghaiInput(Date.now()) });
    const to = el('input', { name: 'to', type: 'datetime-local', required: '', value: isoToShanghaiInput(Date.now() + 2 * 3_600_000) });
    const reason = el('input', { name: 'reason', required: '', placeholder: t(lang, 'reason'), maxlength: '300' });
    form.append(
      subjects,
      el('label', {}, `${t(lang, 'from')} `, from),
      el('label', {}, `${t(lang, 'to')} `, to),
      reason,
      el('button', { type: 'submit' }, t(lang, 'add')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = {
        subjects: subjects.value.split(/[,，\s]+/).filter(Boolean),
        from: shanghaiInputToIso(from.value),
        to: shanghaiInputToIso(to.value),
        reason: reason.value,
      };
      post('/api/maintenance', body).then(() => {
        message.textContent = '';
        subjects.value = '';
        reason.value = '';
        return load();
      }, show);
    });
  }
  const node = el(
    'div',
    { class: 'page maintenance' },
    el('h2', {}, t(lang, 'maintenance')),
    canAct ? form : null,
    message,
    el(
      'table',
      { id: 'maintenance-table' },
      el('thead', {}, el('tr', {}, ...(['subject', 'from', 'to', 'reason', 'source', 'actions'] as const).map((w) => el('th', {}, t(lang, w))))),
      body,
    ),
  );
  void load().catch(show);
  return { node, dispose: () => undefined };
}
