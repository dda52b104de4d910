/**
 * The console's API at province scale (issue 6's targets): the live-status
 * API with 10,000 circuits under 50 concurrent clients (p99 ≤ 50 ms, measured
 * with autocannon), and one status change fanned out over the WebSocket to
 * 200 browsers (≤ 100 ms). Beside the first, the same server answering a
 * trivial route: the floor for express and HTTP on this machine.
 *
 *   npx tsx bench/consoleApi.ts [--devices 500] [--seconds 10] [--clients 200]
 *
 * Bounded by --seconds; everything on loopback.
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { AlarmJournal } from '../server/alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES } from '../server/alarms/alarmRules.ts';
import { AlarmService } from '../server/alarms/alarmService.ts';
import { startApiServer } from '../server/http/apiServer.ts';
import { AuditLog } from '../server/http/auditLog.ts';
import { LiveFeed } from '../server/http/liveFeed.ts';
import { hashPassword } from '../server/http/users.ts';
import { UserDirectory } from '../server/http/userDirectory.ts';
import { DeliveryQueue } from '../server/notifiers/deliveryQueue.ts';
import { WebSocketHub } from '../server/notifiers/websocketNotifier.ts';
import { LiveState } from '../shared/live/liveState.ts';
import { memoryLogger } from '../shared/log.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { topologyYaml } from './generatedNetwork.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const DEVICES = arg('devices', 500);
const SECONDS = arg('seconds', 10);
const CLIENTS = arg('clients', 200);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nms-bench-console-'));
  const topology = parseTopology(topologyYaml(DEVICES), 'generated.yaml');
  const live = new LiveState();
  const now = Date.now();
  for (const c of topology.circuits) live.updateCircuit({ circuitId: c.id, status: 'up', statusSinceMs: now - 3_600_000, inBps: 3.2e6, outBps: 1.1e6, inUtilPct: 32, outUtilPct: 11, errorsPerS: 0, end: 'a', updatedAtMs: now, note: null });
  for (const d of topology.devices) live.updateDevice({ deviceId: d.id, reachable: true, responseMs: 12, cpuPct: 14, memPct: 41, uptimeS: 86_400, polledFromMs: now - 12, updatedAtMs: now, error: null });
  const journal = AlarmJournal.open(join(dir, 'alarms'), memoryLogger());
  const alarms = new AlarmService({ topology, rules: DEFAULT_ALARM_RULES, journal, delivery: new DeliveryQueue([], journal, memoryLogger()), live, log: memoryLogger(), notice: { language: 'zh', consoleUrl: 'http://x' } });
  const audit = new AuditLog(dir);
  const hub = new WebSocketHub();
  const feed = new LiveFeed(live, (b) => hub.broadcast(b), 1);
  const api = await startApiServer({ topology, live, alarms, users: new UserDirectory([{ username: 'noc', role: 'operator', passwordHash: hashPassword('bench-password') }]), audit, log: memoryLogger(), hub, feed }, { port: 0 });
  try {
    const login = await fetch(`${api.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'noc', password: 'bench-password' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    // As a browser asks (with gzip); the load comes from a worker thread, not the server's own.
    const cannon = (path: string) => autocannon({ url: `${api.url}${path}`, connections: 50, duration: SECONDS, workers: 1, headers: { cookie, 'accept-encoding': 'gzip' } });
    const liveRun = await cannon('/api/live');
    const floorRun = await cannon('/api/session');

    // Fan-out: CLIENTS browsers connected, one change, until the last has it.
    const sockets = await Promise.all(Array.from({ length: CLIENTS }, () => new Promise<WebSocket>((res, rej) => {
      const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws`, { headers: { cookie } });
      ws.once('open', () => res(ws));
      ws.once('error', rej);
    })));
    const received = sockets.map((ws) => new Promise<number>((res) => ws.once('message', () => res(performance.now()))));
    const t0 = performance.now();
    live.updateCircuit({ circuitId: topology.circuits[0]!.id, status: 'down', statusSinceMs: Date.now(), inBps: null, outBps: null, inUtilPct: null, outUtilPct: null, errorsPerS: null, end: 'a', updatedAtMs: Date.now(), note: null });
    const last = Math.max(...(await Promise.all(received))) - t0;
    for (const ws of sockets) ws.close();

    const bytes = (await (await fetch(`${api.url}/api/live`, { headers: { cookie } })).text()).length;
    console.log(`Console API, ${topology.circuits.length} circuits and ${topology.devices.length} devices in the live state:`);
    console.log(`  GET /api/live (${(bytes / 1e6).toFixed(1)} MB), 50 connections for ${SECONDS} s: p50 ${liveRun.latency.p50} ms, p99 ${liveRun.latency.p99} ms (target ≤ 50), ${Math.round(liveRun.requests.average)} req/s, ${liveRun.errors} errors`);
    console.log(`  floor, GET /api/session on the same server: p50 ${floorRun.latency.p50} ms, p99 ${floorRun.latency.p99} ms, ${Math.round(floorRun.requests.average)} req/s`);
    console.log(`  one status change to ${CLIENTS} WebSocket clients: the last had it after ${last.toFixed(1)} ms (target ≤ 100)`);
  } finally {
    await api.close();
    feed.close();
    await hub.close();
    journal.close();
    audit.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/consoleApi: ${err.message}`);
  process.exitCode = 1;
});
