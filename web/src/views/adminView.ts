/**
 * For admins: console users (add, change role or password, remove; those
 * from nms.yaml are shown but changed there) and the running configuration,
 * read only and without secrets.
 */
import { ROLES, type Role } from '../../../shared/auth/roles.ts';
import { del, get, put } from '../api.ts';
import { button, el } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View, ViewContext } from './view.ts';

interface UserEntry {
  username: string;
  role: Role;
  source: 'config' | 'demo' | 'console';
}

export function adminView(ctx: ViewContext): View {
  const { lang, session } = ctx;
  const body = el('tbody');
  const message = el('p', { class: 'error', role: 'alert', id: 'admin-message' });
  const config = el('pre', { id: 'config-summary' });
  const show = (err: Error) => (message.textContent = err.message);
  const roleName = (r: Role) => (r === 'admin' ? t(lang, 'admin') : t(lang, r));
  const load = async () => {
    const { users } = await get<{ users: UserEntry[] }>('/api/admin/users');
    body.replaceChildren(
      ...users.map((u) => {
        const cells = [
          el('td', {}, u.username),
          el('td', {}, roleName(u.role)),
          el('td', {}, t(lang, u.source === 'config' ? 'fromConfig' : u.source === 'demo' ? 'fromDemo' : 'fromConsole')),
        ];
        const actions = el('td');
        if (u.source === 'console' && u.username !== session.username)
          actions.append(button(t(lang, 'remove'), () => void del(`/api/admin/users/${encodeURIComponent(u.username)}`).then(load, show), { class: 'remove' }));
        return el('tr', { 'data-user': u.username }, ...cells, actions);
      }),
    );
  };
  const username = el('input', { name: 'username', required: '', placeholder: t(lang, 'username'), autocomplete: 'off' });
  const role = el('select', { name: 'role' }, ...ROLES.map((r) => el('option', { value: r }, roleName(r))));
  const password = el('input', { name: 'password', type: 'password', placeholder: t(lang, 'password'), autocomplete: 'new-password' });
  const form = el('form', { id: 'user-form', class: 'inline-form' }, username, role, password, el('button', { type: 'submit' }, t(lang, 'save')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    put(`/api/admin/users/${encodeURIComponent(username.value.trim())}`, { role: role.value, ...(password.value ? { password: password.value } : {}) }).then(
      () => {
        message.textContent = '';
        username.value = '';
        password.value = '';
        return load();
      },
      show,
    );
  });
  const node = el(
    'div',
    { class: 'page admin' },
    el('h2', {}, t(lang, 'users')),
    form,
    message,
    el(
      'table',
      { id: 'user-table' },
      el('thead', {}, el('tr', {}, ...(['username', 'role', 'source', 'actions'] as const).map((w) => el('th', {}, t(lang, w))))),
      body,
    ),
    el('h2', {}, t(lang, 'config')),
    config,
  );
  void load().catch(show);
  get<Record<string, unknown>>('/api/admin/config').then((c) => (config.textContent = JSON.stringify(c, null, 2)), show);
  return { node, dispose: () => undefined };
}
