/**
 * The console in the browser: log in, then a page per hash route, under a
 * header with the pages, search, the user and the language switch. Chinese
 * by default; the choice is remembered in the browser.
 */
import { CAN } from '../../shared/auth/roles.ts';
import { login, post, session, type SessionInfo } from './api.ts';
import { ConsoleData } from './consoleData.ts';
import { button, el } from './dom.ts';
import { t, type Lang } from './i18n.ts';
import { adminView } from './views/adminView.ts';
import { alarmConsoleView } from './views/alarmConsole.ts';
import { circuitDetailView } from './views/circuitDetail.ts';
import { maintenanceView } from './views/maintenanceView.ts';
import { overviewView } from './views/overview.ts';
import { reportsView } from './views/reportsView.ts';
import { searchBox } from './views/searchBox.ts';
import { deviceView } from './views/deviceView.ts';
import { siteView } from './views/siteView.ts';
import type { View, ViewContext } from './views/view.ts';
import { wallView } from './views/wallView.ts';

let lang: Lang = localStorage.getItem('nms.lang') === 'en' ? 'en' : 'zh';
const root = document.getElementById('app')!;
let data: ConsoleData | null = null;
let current: View | null = null;

function showLogin(message = ''): void {
  current?.dispose();
  current = null;
  data?.stop();
  data = null;
  document.body.className = '';
  document.body.dataset.ready = 'login';
  performance.mark('nms:ready:login');
  const user = el('input', { name: 'username', autocomplete: 'username', placeholder: t(lang, 'username'), required: '' });
  const pass = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', placeholder: t(lang, 'password'), required: '' });
  const error = el('p', { class: 'error', role: 'alert' }, message);
  const form = el('form', { id: 'login' }, el('h1', {}, t(lang, 'title')), user, pass, el('button', { type: 'submit' }, t(lang, 'login')), error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    login(user.value, pass.value).then(
      (s) => void start(s),
      (err: Error) => (error.textContent = `${t(lang, 'loginFailed')}: ${err.message}`),
    );
  });
  root.replaceChildren(form);
}

type Route = { page: string; create: (ctx: ViewContext) => View };

function route(hash: string, s: SessionInfo): Route {
  const [, page = 'overview', arg = ''] = /^#\/([a-z]+)(?:\/(.+))?$/.exec(hash) ?? [];
  const id = decodeURIComponent(arg);
  switch (page) {
    case 'circuit':
      return { page, create: (ctx) => circuitDetailView(ctx, id) };
    case 'site':
      return { page, create: (ctx) => siteView(ctx, id) };
    case 'device':
      return { page, create: (ctx) => deviceView(ctx, id) };
    case 'alarms':
      return { page, create: alarmConsoleView };
    case 'maintenance':
      return { page, create: maintenanceView };
    case 'reports':
      return { page, create: reportsView };
    case 'wall':
      return { page, create: wallView };
    case 'admin':
      if (CAN.administer.includes(s.role)) return { page, create: adminView };
      return { page: 'overview', create: overviewView };
    default:
      return { page: 'overview', create: overviewView };
  }
}

function render(s: SessionInfo): void {
  if (!data) return;
  current?.dispose();
  const d = data;
  const go = (r: string) => {
    if (location.hash === r) render(s);
    else location.hash = r;
  };
  const ctx: ViewContext = { data: d, session: s, lang, go };
  const r = route(location.hash, s);
  const nav = el(
    'nav',
    {},
    ...(
      [
        ['overview', '#/overview'],
        ['alarms', '#/alarms'],
        ['maintenance', '#/maintenance'],
        ['reports', '#/reports'],
        ...(CAN.administer.includes(s.role) ? [['admin', '#/admin'] as const] : []),
        ['wall', '#/wall'],
      ] as const
    ).map(([w, href]) =>
      el(
        'a',
        { href, class: r.page === w ? 'on' : '', id: `nav-${w}` },
        t(lang, w),
        w === 'alarms' ? el('span', { class: d.activeAlarms.length ? 'count' : 'count zero', id: 'nav-alarm-count' }, String(d.activeAlarms.length)) : null,
      ),
    ),
  );
  const header = el(
    'header',
    {},
    el('h1', {}, d.topology.network.name[lang]),
    nav,
    searchBox(ctx),
    el('span', { id: 'user' }, `${s.username} (${s.role === 'admin' ? t(lang, 'admin') : t(lang, s.role)})`),
    button(
      t(lang, 'language'),
      () => {
        lang = lang === 'zh' ? 'en' : 'zh';
        localStorage.setItem('nms.lang', lang);
        document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
        render(s);
      },
      { id: 'lang' },
    ),
    button(t(lang, 'logout'), () => void post('/api/logout', {}).finally(() => showLogin())),
  );
  const main = el('main', { id: 'main' });
  root.replaceChildren(header, main);
  const view = r.create(ctx);
  current = view;
  main.append(view.node);
  document.body.dataset.ready = `${r.page}-${lang}`;
  // For the overview benchmark (and anyone profiling): when the page was drawn.
  performance.mark(`nms:ready:${r.page}`);
}

async function start(s: SessionInfo): Promise<void> {
  data?.stop();
  data = await ConsoleData.load();
  const count = () => {
    const c = document.getElementById('nav-alarm-count');
    if (!c) return;
    const n = data?.activeAlarms.length ?? 0;
    c.textContent = String(n);
    // Red means something to look at; nothing active is no alarm colour.
    c.classList.toggle('zero', n === 0);
  };
  data.on((change) => change === 'alarms' && count());
  window.onhashchange = () => render(s);
  render(s);
}

window.addEventListener('nms:logged-out', () => data && showLogin());
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
void session().then(
  (s) => (s ? start(s) : showLogin()),
  () => showLogin(),
);
