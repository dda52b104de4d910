/**
 * The console API over real HTTP: sessions, roles, CSRF, the login rate
 * limit, validation (400, never 500), 404s, no credentials in any answer,
 * alarms acknowledged through it and written to the audit log, and the
 * WebSocket refused without a session.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { LiveState } from '../../shared/live/liveState.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { AlarmJournal } from '../../server/alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES } from '../../server/alarms/alarmRules.ts';
import { AlarmService } from '../../server/alarms/alarmService.ts';
import { createApiApp, startApiServer } from '../../server/http/apiServer.ts';
import { AuditLog } from '../../server/http/auditLog.ts';
import { LiveFeed } from '../../server/http/liveFeed.ts';
import { hashPassword } from '../../server/http/users.ts';
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

  before(async () => {
    topology = await loadTopology('topology.yaml');
    dir = await tempDir('api');
    journal = AlarmJournal.open(join(dir.path, 'alarms'), memoryLogger());
    live = new LiveState();
    service = new AlarmService({ topology, rules: DEFAULT_ALARM_RULES, journal, delivery: new DeliveryQueue([], journal, memoryLogger()), live, log: memoryLogger(), notice: { language: 'zh', consoleUrl: 'http://nms.local' } });
    service.start();
    audit = new AuditLog(dir.path);
    hub = new WebSocketHub();
    const users = [
      { username: 'noc', role: 'operator' as const, passwordHash: hashPassword('noc-password-1') },
      { username: 'manager', role: 'viewer' as const, passwordHash: hashPassword('manager-password-1') },
    ];
    feed = new LiveFeed(live, (b) => hub.broadcast(b), 50);
    api = await startApiServer({ topology, live, alarms: service, users, audit, log: memoryLogger(), hub, feed }, { port: 0 });
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
    const res = await fetch(`${api.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return { res, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '', body: (await res.json()) as { csrfToken?: string; role?: string; error?: string } };
  };
  const get = (path: string, cookie = '') => fetch(`${api.url}${path}`, { headers: { cookie } });
  const post = (path: string, cookie: string, csrf: string | null, body: unknown) =>
    fetch(`${api.url}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: JSON.stringify(body) });

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
    expect(res.headers.get('set-cookie')).to.match(/HttpOnly/i).and.to.match(/SameSite=Strict/i);
    const t = (await (await get('/api/topology', cookie)).json()) as { circuits: unknown[]; devices: Array<Record<string, unknown>> };
    expect(t.circuits).to.have.length(topology.circuits.length);
    expect(t.devices[0]).not.to.have.property('snmpProfile');
    const all = await Promise.all(['/api/topology', '/api/live', '/api/alarms?state=all', '/api/session'].map(async (p) => (await get(p, cookie)).text()));
    for (const secret of Object.values(TEST_ENV)) for (const body of all) expect(body).not.to.contain(secret);
    expect(all.join('')).not.to.match(/community|authKey|privKey/);
  });

  it('lets an operator acknowledge with the CSRF token, refuses a viewer and a forged request, and audits it', async () => {
    const t = Date.now();
    live.updateCircuit({ circuitId: 'HY-HYX', status: 'down', statusSinceMs: t, inBps: null, outBps: null, inUtilPct: null, outUtilPct: null, errorsPerS: null, end: 'a', updatedAtMs: t, note: null });
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
    const entries = readFileSync(join(dir.path, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(entries.some((e) => e.user === 'noc' && e.action === 'acknowledge' && e.target === alarm.id)).to.equal(true);
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

  it('stops answering logins for a name after five wrong passwords', async () => {
    for (let i = 0; i < 5; i++) expect((await login('intruder', `guess-${i}`)).res.status).to.equal(401);
    const blocked = await login('intruder', 'guess-6');
    expect(blocked.res.status).to.equal(429);
    expect(Number(blocked.res.headers.get('retry-after'))).to.be.above(0);
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
    live.updateCircuit({ ...base, circuitId: 'HY-HSX', status: 'down', updatedAtMs: t });
    live.updateCircuit({ ...base, circuitId: 'HY-QDX', status: 'up', updatedAtMs: t });
    // A repeat of the same state, a moment later, is not news.
    live.updateCircuit({ ...base, circuitId: 'HY-QDX', status: 'up', updatedAtMs: t + 1 });
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
    for (let i = 0; i < 20 && snap.circuits.length < 2; i++) snap = (await new Promise((r) => setTimeout(r, 50)), await whole());
    expect(snap.circuits.length).to.be.at.least(2);
  });

  it('describes every route it answers, and only those, in its OpenAPI document', async () => {
    const doc = (await (await get('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).to.equal('3.1.0');
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    const app = createApiApp({ topology, live, alarms: service, users: [], audit, log: memoryLogger() });
    const served = (app.router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>).flatMap((l) => (l.route && l.route.path.startsWith('/api') ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`) : []));
    expect(described).to.have.members(served);
  });
});
