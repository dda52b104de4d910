/**
 * The console API over real HTTP: sessions, roles, CSRF, the login rate
 * limit, validation (400, never 500), 404s, no credentials in any answer,
 * alarms acknowledged through it and written to the audit log, and the
 * WebSocket refused without a session.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { LiveState } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { AlarmJournal } from '../../server/alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES } from '../../server/alarms/alarmRules.ts';
import { AlarmService } from '../../server/alarms/alarmService.ts';
import { MaintenanceStore } from '../../server/alarms/maintenanceStore.ts';
import { createApiApp, startApiServer } from '../../server/http/apiServer.ts';
import { AuditLog } from '../../server/http/auditLog.ts';
import { LiveFeed } from '../../server/http/liveFeed.ts';
import { buildWebAssets } from '../../server/http/webAssets.ts';
import { hashPassword } from '../../server/http/users.ts';
import { UserDirectory } from '../../server/http/userDirectory.ts';
import { DeliveryQueue } from '../../server/notifiers/deliveryQueue.ts';
import { WebSocketHub } from '../../server/notifiers/websocketNotifier.ts';
import { TEST_ENV } from '../support/simSecrets.ts';
import { tempDir } from '../support/tempDir.ts';

describe('console API', function () {
  this.timeout(30_000);
  let topology: Topology;
  let dir: { path: string; remove(): Promise<void> };
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let live: LiveState;
  let service: AlarmService;
  let journal: AlarmJournal;
  let audit: AuditLog;
  let hub: WebSocketHub;
  let feed: LiveFeed;
  let maintenance: MaintenanceStore;
  let users: UserDirectory;

  before(async () => {
    topology = await loadTopology('topology.yaml');
    dir = await tempDir('api');
    journal = AlarmJournal.open(join(dir.path, 'alarms'), memoryLogger());
    live = new LiveState();
    service = new AlarmService({
      topology,
      rules: DEFAULT_ALARM_RULES,
      journal,
      delivery: new DeliveryQueue([], journal, memoryLogger()),
      live,
      log: memoryLogger(),
      notice: { language: 'zh', consoleUrl: 'http://nms.local' },
    });
    service.start();
    audit = new AuditLog(dir.path);
    hub = new WebSocketHub();
    users = new UserDirectory(
      [
        { username: 'noc', role: 'operator' as const, passwordHash: hashPassword('noc-password-1') },
        { username: 'manager', role: 'viewer' as const, passwordHash: hashPassword('manager-password-1') },
        { username: 'root', role: 'admin' as const, passwordHash: hashPassword('root-password-1') },
      ],
      join(dir.path, 'console-users.json'),
    );
    maintenance = MaintenanceStore.open(
      join(dir.path, 'alarms'),
      topology,
      [{ subjects: ['hy-hyx'], fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: Date.parse('2026-01-01T04:00:00Z'), reason: 'from nms.yaml' }],
      (all) => service.engine.setMaintenance(all),
    );
    feed = new LiveFeed(live, (b) => hub.broadcast(b), { pollIntervalMs: 10_000, flushMs: 50 });
    api = await startApiServer(
      { topology, live, alarms: service, users, audit, log: memoryLogger(), hub, feed, maintenance, configSummary: { collector: { intervalSeconds: 10 } } },
      { port: 0 },
    );
  });
  after(async () => {
    await api?.close();
    feed?.close();
    await hub?.close();
    service?.stop();
    journal?.close();
    audit?.close();
    await dir?.remove();
  });

  const login = async (username: string, password: string) => {
    const res = await fetch(`${api.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return {
      res,
      cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '',
      body: (await res.json()) as { csrfToken?: string; role?: string; error?: string },
    };
  };
  const get = (path: string, cookie = '') => fetch(`${api.url}${path}`, { headers: { cookie } });
  const send = (method: string) => (path: string, cookie: string, csrf: string | null, body?: unknown) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: { cookie, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const post = send('POST');
  const put = send('PUT');
  const del = send('DELETE');
  const audited = () =>
    readFileSync(join(dir.path, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user: string; action: string; target: string | null });

  it('asks for a session, answers unknown routes with 404, and bad input with 400, never a stack', async () => {
    expect((await get('/api/topology')).status).to.equal(401);
    const nope = await get('/api/nothing-here');
    expect(nope.status).to.equal(404);
    expect(await nope.json()).to.deep.equal({ error: 'no such API route' });
    const { cookie } = await login('manager', 'manager-password-1');
    const bad = await get('/api/alarms?limit=lots', cookie);
    expect(bad.status).to.equal(400);
    const text = await bad.text();
    expect(JSON.parse(text).error).to.match(/^query\.limit: /);
    expect(text).not.to.match(/\n\s+at /);
    const broken = await fetch(`${api.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    expect(broken.status).to.equal(400);
    expect(await broken.json()).to.deep.equal({ error: 'body: not valid JSON' });
  });

  it('sets a HttpOnly SameSite=Strict cookie, serves the whole model without a credential in it', async () => {
    const { res, cookie } = await login('noc', 'noc-password-1');
    expect(res.status).to.equal(200);
    expect(res.headers.get('set-cookie'))
      .to.match(/HttpOnly/i)
      .and.to.match(/SameSite=Strict/i);
    const t = (await (await get('/api/topology', cookie)).json()) as { circuits: unknown[]; devices: Array<Record<string, unknown>> };
    expect(t.circuits).to.have.length(topology.circuits.length);
    expect(t.devices[0]).not.to.have.property('snmpProfile');
    // The tree holds every site once, each under the parent topology.yaml gives it.
    const tree = (t as unknown as { tree: Array<{ id: string; children: unknown[] }> }).tree;
    const flat: Array<[string, string | null]> = [];
    const walk = (n: { id: string; children: unknown[] }, parent: string | null) => {
      flat.push([n.id, parent]);
      for (const c of n.children as Array<{ id: string; children: unknown[] }>) walk(c, n.id);
    };
    for (const root of tree) walk(root, null);
    expect(flat).to.have.deep.members(topology.sites.map((s) => [s.id, s.parentId]));
    const all = await Promise.all(['/api/topology', '/api/live', '/api/alarms?state=all', '/api/session'].map(async (p) => (await get(p, cookie)).text()));
    for (const secret of Object.values(TEST_ENV)) for (const body of all) expect(body).not.to.contain(secret);
    expect(all.join('')).not.to.match(/community|authKey|privKey/);
  });

  it('lets an operator acknowledge with the CSRF token, refuses a viewer and a forged request, and audits it', async () => {
    const t = Date.now();
    live.updateCircuit({
      circuitId: 'HY-HYX',
      status: 'down',
      statusSinceMs: t,
      inBps: null,
      outBps: null,
      inUtilPct: null,
      outUtilPct: null,
      errorsPerS: null,
      end: 'a',
      polledFromMs: t,
      updatedAtMs: t,
      note: null,
    });
    service.evaluate();
    const op = await login('noc', 'noc-password-1');
    const list = (await (await get('/api/alarms', op.cookie)).json()) as { alarms: Array<{ id: string; subject: { id: string } }> };
    const alarm = list.alarms.find((a) => a.subject.id === 'HY-HYX')!;
    const path = `/api/alarms/${encodeURIComponent(alarm.id)}/ack`;
    expect((await post(path, op.cookie, null, { comment: 'x' })).status, 'no CSRF token').to.equal(403);
    expect((await post(path, '', op.body.csrfToken!, { comment: 'x' })).status, 'no session').to.equal(401);
    const viewer = await login('manager', 'manager-password-1');
    const refused = await post(path, viewer.cookie, viewer.body.csrfToken!, { comment: 'x' });
    expect(refused.status).to.equal(403);
    expect(await refused.json()).to.deep.equal({ error: 'a viewer may not do this' });
    const ok = await post(path, op.cookie, op.body.csrfToken!, { comment: '已通知电信 <b>112</b>' });
    expect(ok.status).to.equal(200);
    expect(((await ok.json()) as { ack: { by: string; comment: string } }).ack).to.include({ by: 'noc', comment: '已通知电信 <b>112</b>' });
    const again = await post(path, op.cookie, op.body.csrfToken!, {});
    expect(again.status).to.equal(409);
    expect((await post('/api/alarms/no-such/ack', op.cookie, op.body.csrfToken!, {})).status).to.equal(404);
    expect(audited().some((e) => e.user === 'noc' && e.action === 'acknowledge' && e.target === alarm.id)).to.equal(true);
  });

  it('opens the WebSocket only with a session', async () => {
    const refused = await new Promise<string>((res) => {
      const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws`);
      ws.once('unexpected-response', (_req, r) => res(String(r.statusCode)));
      ws.once('open', () => res('open'));
      ws.once('error', () => undefined);
    });
    expect(refused).to.equal('401');
    const { cookie } = await login('manager', 'manager-password-1');
    const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws`, { headers: { cookie } });
    await new Promise((r) => ws.once('open', r));
    const got = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    hub.broadcast({ type: 'ping' });
    expect(JSON.parse(await got)).to.deep.equal({ type: 'ping' });
    ws.close();
  });

  it('keeps at most 8 WebSockets per session, closing the oldest first', async () => {
    const { cookie } = await login('manager', 'manager-password-1');
    const open = async () => {
      const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws`, { headers: { cookie } });
      await new Promise((r) => ws.once('open', r));
      return ws;
    };
    const sockets: WebSocket[] = [];
    for (let i = 0; i < 8; i++) sockets.push(await open());
    const closed = new Promise<number>((r) => sockets[0]!.once('close', (code) => r(code)));
    sockets.push(await open());
    expect(await closed, 'the oldest closed as a policy violation').to.equal(1008);
    await new Promise((r) => setTimeout(r, 200));
    expect(sockets.slice(1).every((w) => w.readyState === WebSocket.OPEN)).to.equal(true);
    for (const w of sockets) w.close();
  });

  /** A login sent from another loopback address, as another machine's would come. */
  const loginFrom = (localAddress: string, username: string, password: string) =>
    new Promise<{ status: number; retryAfter: number }>((resolve, reject) => {
      const body = JSON.stringify({ username, password });
      const req = httpRequest(
        `${api.url}/api/login`,
        { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 0) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('slows wrong passwords for a name from one address, and never refuses the right one from another', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await loginFrom('127.0.0.2', 'noc', `guess-${i}`)).status);
    expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429]);
    const slowed = await loginFrom('127.0.0.2', 'noc', 'noc-password-1');
    expect(slowed.status, 'the guessing address waits, even with the right password').to.equal(429);
    expect(slowed.retryAfter).to.be.within(1, 2);
    expect((await loginFrom('127.0.0.3', 'noc', 'noc-password-1')).status, 'the wall screen logs in from its own address').to.equal(200);
    await new Promise((r) => setTimeout(r, slowed.retryAfter * 1000 + 100));
    expect((await loginFrom('127.0.0.2', 'noc', 'noc-password-1')).status, 'back-off, not a lock').to.equal(200);
  });

  it('slows an address spraying names even when a valid login comes in between', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await loginFrom('127.0.0.4', `sprayed-${i}`, 'Winter2026!')).status).to.equal(401);
      if (i === 10) expect((await loginFrom('127.0.0.4', 'manager', 'manager-password-1')).status).to.equal(200);
    }
    const r = await loginFrom('127.0.0.4', 'sprayed-20', 'Winter2026!');
    expect(r.status).to.equal(429);
    expect(r.retryAfter).to.be.above(0);
  });

  it('refuses a WebSocket opened by a page from another origin, even with the session cookie', async () => {
    const { cookie } = await login('noc', 'noc-password-1');
    const host = new URL(api.url).host;
    const attempt = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws`, { headers: { cookie, origin } });
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => undefined);
      });
    expect(await attempt('https://evil.example')).to.equal(403);
    expect(await attempt(`http://${host}.evil.example`)).to.equal(403);
    expect(await attempt('null')).to.equal(403);
    expect(await attempt(`http://${host}`)).to.equal(101);
  });

  it('answers /api/live with the state as it is now, with its age, even right after another client loaded it', async () => {
    const { cookie } = await login('noc', 'noc-password-1');
    const t = Date.now();
    const base = { statusSinceMs: t, inBps: 1e6, outBps: 1e6, inUtilPct: 10, outUtilPct: 10, errorsPerS: 0, end: 'a' as const, note: null };
    live.updateCircuit({ ...base, circuitId: 'HY-LYS', status: 'up', polledFromMs: t, updatedAtMs: t });
    await get('/api/live', cookie);
    live.updateCircuit({ ...base, circuitId: 'HY-LYS', status: 'down', inBps: 0, outBps: 0, polledFromMs: t + 1, updatedAtMs: t + 1 });
    feed.flush();
    const r = (await (await get('/api/live', cookie)).json()) as {
      seq: number;
      asOfMs: number;
      lastUpdateMs: number;
      pollIntervalMs: number;
      circuits: Array<{ circuitId: string; status: string }>;
    };
    expect(r.circuits.find((c) => c.circuitId === 'HY-LYS')!.status).to.equal('down');
    expect(r.seq).to.equal(feed.seq);
    expect(r.asOfMs).to.be.within(t, Date.now());
    expect(r.lastUpdateMs).to.be.within(t, r.asOfMs);
    expect(r.pollIntervalMs).to.equal(10_000);
  });

  it('serves the console script under a content hash, compressed, cached for a year; the page itself never cached', async () => {
    const web = await buildWebAssets();
    const server = await startApiServer({ topology, live, alarms: service, users, audit, log: memoryLogger(), web }, { port: 0 });
    try {
      const page = await fetch(`${server.url}/`);
      expect(page.headers.get('cache-control')).to.equal('no-cache');
      const path = /<script type="module" src="(\/assets\/app-[\w-]{12}\.js)">/.exec(await page.text())?.[1];
      expect(path, 'the page names the hashed script').to.be.a('string');
      const fetchRaw = (encoding: string) =>
        new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
          httpRequest(`${server.url}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (b: Buffer) => parts.push(b));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
          })
            .on('error', reject)
            .end();
        });
      const br = await fetchRaw('gzip, deflate, br');
      expect(br.headers['content-encoding']).to.equal('br');
      expect(br.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
      const gz = await fetchRaw('gzip');
      expect(gz.headers['content-encoding']).to.equal('gzip');
      const plain = await fetchRaw('identity');
      expect(plain.headers['content-encoding']).to.equal(undefined);
      expect(brotliDecompressSync(br.body).equals(plain.body) && gunzipSync(gz.body).equals(plain.body), 'the same script in every encoding').to.equal(true);
      expect(br.body.length, 'brotli at most a third of the raw size').to.be.below(plain.body.length / 3);
      expect((await fetch(`${server.url}/app.js`)).status, 'no unhashed name to go stale in a cache').to.equal(404);
    } finally {
      await server.close();
    }
  });

  it('pushes status changes, not snapshots, over the WebSocket within a second, and lets a reconnect catch up', async () => {
    const { cookie } = await login('noc', 'noc-password-1');
    const start = (await (await get('/api/live', cookie)).json()) as { seq: number };
    const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws`, { headers: { cookie } });
    await new Promise((r) => ws.once('open', r));
    const batches: Array<{ type: string; seq: number; circuits: Array<{ circuitId: string; status: string }> }> = [];
    ws.on('message', (m) => batches.push(JSON.parse(m.toString())));
    const t = Date.now();
    const base = { statusSinceMs: t, inBps: 1e6, outBps: 1e6, inUtilPct: 10, outUtilPct: 10, errorsPerS: 0, end: 'a' as const, note: null };
    live.updateCircuit({ ...base, circuitId: 'HY-HSX', status: 'down', polledFromMs: t, updatedAtMs: t });
    live.updateCircuit({ ...base, circuitId: 'HY-QDX', status: 'up', polledFromMs: t, updatedAtMs: t });
    // A repeat of the same state, a moment later, is not news.
    live.updateCircuit({ ...base, circuitId: 'HY-QDX', status: 'up', polledFromMs: t + 1, updatedAtMs: t + 1 });
    const sent = Date.now();
    while (!batches.some((b) => b.type === 'status') && Date.now() - sent < 1000) await new Promise((r) => setTimeout(r, 10));
    const status = batches.filter((b) => b.type === 'status');
    expect(status, 'within a second').to.have.length(1);
    expect(status[0]!.circuits.map((c) => `${c.circuitId} ${c.status}`)).to.have.members(['HY-HSX down', 'HY-QDX up']);
    ws.close();
    // A browser that was away asks for what it missed since its last batch.
    const caught = (await (await get(`/api/live?since=${start.seq}`, cookie)).json()) as { seq: number; batches: Array<{ seq: number }> };
    // Every batch after the snapshot it had (which carries its own seq, and may be a second old).
    expect(caught.batches.map((b) => b.seq)).to.deep.equal(Array.from({ length: caught.seq - start.seq }, (_, i) => start.seq + 1 + i));
    expect(caught.batches.map((b) => b.seq)).to.include(status[0]!.seq);
    // Too far ahead to catch up from: the whole state instead (the copy may lag a rebuild behind).
    const whole = async () => (await (await get('/api/live?since=999999', cookie)).json()) as { seq: number; circuits: unknown[] };
    let snap = await whole();
    for (let i = 0; i < 20 && snap.circuits.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      snap = await whole();
    }
    expect(snap.circuits.length).to.be.at.least(2);
  });

  it('filters alarms by device and by acknowledgement', async () => {
    const { cookie } = await login('manager', 'manager-password-1');
    const acked = (await (await get('/api/alarms?state=all&acked=true', cookie)).json()) as { alarms: Array<{ ack: unknown }> };
    expect(acked.alarms.length).to.be.above(0);
    expect(acked.alarms.every((a) => a.ack !== null)).to.equal(true);
    const open = (await (await get('/api/alarms?state=all&acked=false', cookie)).json()) as { alarms: Array<{ ack: unknown }> };
    expect(open.alarms.every((a) => a.ack === null)).to.equal(true);
    const none = (await (await get('/api/alarms?device=hy-hyx', cookie)).json()) as { total: number };
    expect(none.total).to.equal(0);
    expect((await get('/api/alarms?acked=maybe', cookie)).status).to.equal(400);
    // "history" is what a person types for cleared alarms.
    const history = (await (await get('/api/alarms?state=history', cookie)).json()) as { total: number };
    const cleared = (await (await get('/api/alarms?state=cleared', cookie)).json()) as { total: number };
    expect(history.total).to.equal(cleared.total);
  });

  it('takes maintenance windows from an operator, keeps them across a reopen, and lets no viewer enter one', async () => {
    const op = await login('noc', 'noc-password-1');
    const viewer = await login('manager', 'manager-password-1');
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const body = { subjects: ['HY-D-GAJ'], from, to, reason: '电信割接 <i>工单 42</i>' };
    expect((await post('/api/maintenance', viewer.cookie, viewer.body.csrfToken!, body)).status).to.equal(403);
    expect((await post('/api/maintenance', op.cookie, null, body)).status).to.equal(403);
    const unknown = await post('/api/maintenance', op.cookie, op.body.csrfToken!, { ...body, subjects: ['HY-D-GAJ', 'NOPE'] });
    expect(unknown.status).to.equal(400);
    expect(await unknown.json()).to.deep.equal({ error: 'subjects: no circuit, device or site "NOPE"' });
    const backwards = await post('/api/maintenance', op.cookie, op.body.csrfToken!, { ...body, from: to, to: from });
    expect(backwards.status).to.equal(400);
    expect((await post('/api/maintenance', op.cookie, op.body.csrfToken!, { ...body, to: 'tomorrow' })).status).to.equal(400);
    const made = await post('/api/maintenance', op.cookie, op.body.csrfToken!, body);
    expect(made.status).to.equal(201);
    const w = (await made.json()) as { id: string; source: string; createdBy: string };
    expect(w).to.include({ source: 'console', createdBy: 'noc' });
    // An outage on the circuit inside the window is raised as maintenance: no push, no SLA debit.
    const t = Date.now();
    live.updateCircuit({
      circuitId: 'HY-D-GAJ',
      status: 'down',
      statusSinceMs: t,
      inBps: null,
      outBps: null,
      inUtilPct: null,
      outUtilPct: null,
      errorsPerS: null,
      end: 'a',
      polledFromMs: t,
      updatedAtMs: t,
      note: null,
    });
    service.evaluate();
    const alarms = (await (await get('/api/alarms?circuit=HY-D-GAJ', viewer.cookie)).json()) as { alarms: Array<{ maintenance: boolean }> };
    expect(alarms.alarms.map((a) => a.maintenance)).to.deep.equal([true]);
    // Written to disk: a store opened afresh on the same folder has it, beside the one from nms.yaml.
    const reopened = MaintenanceStore.open(join(dir.path, 'alarms'), topology, [], () => undefined);
    expect(reopened.list().map((x) => x.id)).to.include(w.id);
    const listed = (await (await get('/api/maintenance', viewer.cookie)).json()) as { windows: Array<{ id: string; source: string }> };
    expect(listed.windows.map((x) => x.source)).to.have.members(['config', 'console']);
    expect((await del('/api/maintenance/config-1', op.cookie, op.body.csrfToken!)).status, 'nms.yaml window').to.equal(400);
    const ended = await del(`/api/maintenance/${w.id}`, op.cookie, op.body.csrfToken!);
    expect(ended.status).to.equal(200);
    expect(((await ended.json()) as { toMs: number }).toMs).to.be.at.most(Date.now());
    expect((await del('/api/maintenance/no-such', op.cookie, op.body.csrfToken!)).status).to.equal(404);
    expect(
      audited()
        .filter((e) => e.user === 'noc' && e.target === w.id)
        .map((e) => e.action),
    ).to.deep.equal(['maintenance-add', 'maintenance-end']);
  });

  it('lets only an admin manage users: a new user logs in, a changed role ends their session, a removed one cannot log in', async () => {
    const viewer = await login('manager', 'manager-password-1');
    const op = await login('noc', 'noc-password-1');
    expect((await get('/api/admin/users', op.cookie)).status).to.equal(403);
    expect((await put('/api/admin/users/duty1', op.cookie, op.body.csrfToken!, { role: 'operator', password: 'a-long-password-1' })).status).to.equal(403);
    const root = await login('root', 'root-password-1');
    const csrf = root.body.csrfToken!;
    const short = await put('/api/admin/users/duty1', root.cookie, csrf, { role: 'operator', password: 'short' });
    expect(short.status).to.equal(400);
    expect(await short.json()).to.deep.equal({ error: 'password: at least 12 characters' });
    expect((await put('/api/admin/users/Bad%20Name', root.cookie, csrf, { role: 'operator', password: 'a-long-password-1' })).status).to.equal(400);
    expect((await put('/api/admin/users/noc', root.cookie, csrf, { role: 'viewer' })).status, 'a user from nms.yaml').to.equal(400);
    expect((await put('/api/admin/users/duty1', root.cookie, csrf, { role: 'operator', password: 'a-long-password-1' })).status).to.equal(200);
    const duty = await login('duty1', 'a-long-password-1');
    expect(duty.body.role).to.equal('operator');
    const listed = await (await get('/api/admin/users', root.cookie)).text();
    expect(JSON.parse(listed).users).to.deep.include({ username: 'duty1', role: 'operator', source: 'console' });
    expect(listed).not.to.match(/scrypt|passwordHash/);
    // Kept on disk, hashed, readable by the server's user only.
    const file = join(dir.path, 'console-users.json');
    expect(new UserDirectory([], file).list().map((u) => u.username)).to.deep.equal(['duty1']);
    expect(readFileSync(file, 'utf8')).not.to.contain('a-long-password-1');
    expect((await import('node:fs')).statSync(file).mode & 0o777).to.equal(0o600);
    expect((await put('/api/admin/users/duty1', root.cookie, csrf, { role: 'viewer' })).status).to.equal(200);
    expect((await get('/api/session', duty.cookie)).status, 'session ended by the role change').to.equal(401);
    expect((await login('duty1', 'a-long-password-1')).body.role).to.equal('viewer');
    expect((await del('/api/admin/users/duty1', root.cookie, csrf)).status).to.equal(200);
    expect((await login('duty1', 'a-long-password-1')).res.status).to.equal(401);
    expect((await del('/api/admin/users/root', root.cookie, csrf)).status).to.equal(400);
    expect((await get('/api/admin/config', viewer.cookie)).status).to.equal(403);
    expect(await (await get('/api/admin/config', root.cookie)).json()).to.deep.equal({ collector: { intervalSeconds: 10 } });
    expect(
      audited()
        .filter((e) => e.user === 'root')
        .map((e) => `${e.action} ${e.target}`),
    ).to.include.members(['user-put duty1', 'user-remove duty1']);
  });

  it('describes every route it answers, and only those, in its OpenAPI document', async () => {
    const doc = (await (await get('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).to.equal('3.1.0');
    const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const app = createApiApp({ topology, live, alarms: service, users: new UserDirectory([]), audit, log: memoryLogger() });
    const served = (app.router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>).flatMap((l) =>
      l.route?.path.startsWith('/api') ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`) : [],
    );
    expect(described).to.have.members(served);
  });
});
