/**
 * The console in the browser: log in, then the overview of the whole network
 * drawn where its sites lie, circuits coloured by state, KPI tiles, and a
 * circuit table; live over the WebSocket. Every string from the network is
 * put in the page as text (textContent), never as HTML.
 */
import { GraphChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { get, login, session, type SessionInfo } from './api.ts';
import { t, type Lang } from './i18n.ts';

echarts.use([GraphChart, TooltipComponent, CanvasRenderer]);

interface Site { id: string; level: string; name: { zh: string; en: string }; location: [number, number] }
interface Device { id: string; siteId: string }
interface Circuit { id: string; carrier: string; carrierCircuitId: string; bandwidthBps: number; ownerSiteId: string; a: { deviceId: string }; z: { kind: string; deviceId?: string } }
interface CircuitLive { circuitId: string; status: 'up' | 'down' | 'unknown'; inUtilPct: number | null; outUtilPct: number | null }
interface Topology { network: { name: { zh: string; en: string } }; sites: Site[]; devices: Device[]; circuits: Circuit[] }

const COLOURS = { up: '#2e9d4f', down: '#d93025', unknown: '#9aa0a6' } as const;
const CARRIERS: Record<string, { zh: string; en: string }> = { telecom: { zh: '中国电信', en: 'China Telecom' }, unicom: { zh: '中国联通', en: 'China Unicom' }, mobile: { zh: '中国移动', en: 'China Mobile' } };

let lang: Lang = (localStorage.getItem('nms.lang') as Lang | null) ?? 'zh';
const root = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function rate(bps: number): string {
  return bps >= 1e9 ? `${bps / 1e9}G` : bps >= 1e6 ? `${bps / 1e6}M` : `${bps / 1e3}k`;
}

function showLogin(message = ''): void {
  root.replaceChildren();
  const form = el('form', { id: 'login' });
  form.append(el('h1', {}, t(lang, 'title')));
  const user = el('input', { name: 'username', autocomplete: 'username', placeholder: t(lang, 'username') });
  const pass = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', placeholder: t(lang, 'password') });
  const error = el('p', { class: 'error', role: 'alert' }, message);
  form.append(user, pass, el('button', { type: 'submit' }, t(lang, 'login')), error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    login(user.value, pass.value).then(
      (s) => void showOverview(s),
      (err: Error) => (error.textContent = `${t(lang, 'loginFailed')}: ${err.message}`),
    );
  });
  root.append(form);
}

async function showOverview(s: SessionInfo): Promise<void> {
  const topo = await get<Topology>('/api/topology');
  const live = await get<{ seq: number; circuits: CircuitLive[] }>('/api/live');
  const alarms = await get<{ total: number }>('/api/alarms');
  const status = new Map<string, CircuitLive>(live.circuits.map((c) => [c.circuitId, c]));
  const siteOf = new Map(topo.devices.map((d) => [d.id, d.siteId]));
  const sites = new Map(topo.sites.map((x) => [x.id, x]));

  root.replaceChildren();
  const header = el('header');
  header.append(el('h1', {}, topo.network.name[lang]), el('span', { id: 'user' }, `${s.username} (${s.role})`));
  const langButton = el('button', { id: 'lang' }, t(lang, 'language'));
  langButton.addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('nms.lang', lang);
    // This page's socket and chart go with it; the page is drawn again in the other language.
    stopped = true;
    socket?.close();
    chart.dispose();
    void showOverview(s);
  });
  header.append(langButton);
  let stopped = false;
  let socket: WebSocket | null = null;
  const tiles = el('section', { id: 'kpi' });
  const chartBox = el('div', { id: 'map' });
  const table = el('table', { id: 'circuits' });
  root.append(header, tiles, chartBox, table);

  const head = el('tr');
  for (const w of ['circuit', 'carrier', 'carrierNo', 'bandwidth', 'owner', 'status'] as const) head.append(el('th', {}, t(lang, w)));
  table.append(head);
  const rows = new Map<string, HTMLTableRowElement>();
  for (const c of topo.circuits) {
    const row = el('tr', { 'data-circuit': c.id });
    row.append(el('td', {}, c.id), el('td', {}, CARRIERS[c.carrier]?.[lang] ?? c.carrier), el('td', {}, c.carrierCircuitId), el('td', {}, rate(c.bandwidthBps)), el('td', {}, sites.get(c.ownerSiteId)?.name[lang] ?? c.ownerSiteId), el('td', { class: 'status' }));
    rows.set(c.id, row);
    table.append(row);
  }

  // The province's own site (and the exit to the outside) lie far from the city: drawn true to
  // scale they would shrink the city to a dot. Sites outside the box that holds most of them
  // are drawn on its edge, in their direction.
  const sorted = (k: 0 | 1) => topo.sites.map((x) => x.location[k]).sort((a, b) => a - b);
  const pick = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
  const [lons, lats] = [sorted(0), sorted(1)];
  const box = { lon: [pick(lons, 0.05), pick(lons, 0.95)], lat: [pick(lats, 0.05), pick(lats, 0.95)] };
  const margin = { lon: (box.lon[1]! - box.lon[0]!) * 0.1 || 0.05, lat: (box.lat[1]! - box.lat[0]!) * 0.1 || 0.05 };
  const clamp = (v: number, [lo, hi]: number[], m: number) => Math.min(hi! + m, Math.max(lo! - m, v));
  const position = (x: Site) => ({ x: clamp(x.location[0], box.lon, margin.lon), y: -clamp(x.location[1], box.lat, margin.lat) });
  const chart = echarts.init(chartBox);
  const render = () => {
    let up = 0;
    let down = 0;
    for (const c of topo.circuits) {
      const st = status.get(c.id)?.status ?? 'unknown';
      if (st === 'up') up++;
      if (st === 'down') down++;
      const row = rows.get(c.id)!;
      row.dataset.status = st;
      row.querySelector('.status')!.textContent = t(lang, st);
    }
    tiles.replaceChildren(
      el('div', { class: 'tile', id: 'kpi-up' }, `${t(lang, 'circuitsUp')} ${up}`),
      el('div', { class: 'tile', id: 'kpi-down' }, `${t(lang, 'circuitsDown')} ${down}`),
      el('div', { class: 'tile', id: 'kpi-alarms' }, `${t(lang, 'activeAlarms')} ${alarms.total}`),
    );
    chart.setOption({
      tooltip: {},
      series: [
        {
          type: 'graph',
          layout: 'none',
          roam: true,
          data: topo.sites.map((x) => ({ id: x.id, name: x.name[lang], ...position(x), symbolSize: x.level === 'city' ? 18 : x.level === 'county' ? 12 : 6, label: { show: x.level !== 'department', color: '#cfd8dc' } })),
          links: topo.circuits.flatMap((c) => {
            const from = siteOf.get(c.a.deviceId);
            const to = c.z.kind === 'device' && c.z.deviceId ? siteOf.get(c.z.deviceId) : c.ownerSiteId;
            if (!from || !to || from === to) return [];
            const l = status.get(c.id);
            const util = Math.max(l?.inUtilPct ?? 0, l?.outUtilPct ?? 0);
            return [{ source: from, target: to, lineStyle: { color: COLOURS[l?.status ?? 'unknown'], width: 1 + util / 25 } }];
          }),
        },
      ],
    });
  };
  render();

  // Live: change batches over the WebSocket; a reconnect catches up from the last batch seen.
  let seq = live.seq;
  const connect = () => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    socket = ws;
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as { type: string; seq?: number; circuits?: CircuitLive[] };
      if (msg.type === 'status' && msg.circuits && msg.seq! > seq) {
        seq = msg.seq!;
        for (const c of msg.circuits) status.set(c.circuitId, c);
        render();
      } else if (msg.type === 'alarm') {
        void get<{ total: number }>('/api/alarms').then((a) => {
          alarms.total = a.total;
          render();
        });
      }
    };
    ws.onclose = () => stopped || setTimeout(() => {
      void get<{ seq: number; batches?: Array<{ seq: number; circuits: CircuitLive[] }>; circuits?: CircuitLive[] }>(`/api/live?since=${seq}`).then((r) => {
        for (const b of r.batches ?? []) for (const c of b.circuits) status.set(c.circuitId, c);
        for (const c of r.circuits ?? []) status.set(c.circuitId, c);
        seq = r.seq;
        render();
        connect();
      }, () => showLogin());
    }, 1000);
  };
  connect();
  document.body.dataset.ready = `overview-${lang}`;
}

void session().then((s) => (s ? showOverview(s) : showLogin()));
