/**
 * The console server as the benchmarks run it: a generated network's live
 * state (every circuit and device given a state, a few circuits down), the
 * alarm service, the API and (if asked) the browser pages, with one
 * operator logged in. Everything on loopback, in a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlarmJournal } from '../server/alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES } from '../server/alarms/alarmRules.ts';
import { AlarmService } from '../server/alarms/alarmService.ts';
import { startApiServer } from '../server/http/apiServer.ts';
import { AuditLog } from '../server/http/auditLog.ts';
import { LiveFeed } from '../server/http/liveFeed.ts';
import { hashPassword } from '../server/http/users.ts';
import { UserDirectory } from '../server/http/userDirectory.ts';
import { loadBasemap } from '../server/http/basemap.ts';
import { buildWebAssets } from '../server/http/webAssets.ts';
import { WebSocketHub } from '../server/notifiers/websocketNotifier.ts';
import { DeliveryQueue } from '../server/notifiers/deliveryQueue.ts';
import { LiveState } from '../shared/live/liveState.ts';
import { memoryLogger } from '../shared/log.ts';
import type { Topology } from '../shared/model/topology.ts';

export interface BenchConsole {
  url: string;
  live: LiveState;
  /** The operator's session cookie, "nms_session=…". */
  cookie: string;
  close(): Promise<void>;
}

/** @param downEvery every n-th circuit starts down (0: none). */
export async function startBenchConsole(topology: Topology, o: { web: boolean; downEvery?: number }): Promise<BenchConsole> {
  const dir = mkdtempSync(join(tmpdir(), 'nms-bench-console-'));
  const live = new LiveState();
  const now = Date.now();
  topology.circuits.forEach((c, i) => {
    const down = o.downEvery ? i % o.downEvery === 0 : false;
    live.updateCircuit({
      circuitId: c.id,
      status: down ? 'down' : 'up',
      statusSinceMs: now - 3_600_000,
      inBps: down ? 0 : 3.2e6,
      outBps: down ? 0 : 1.1e6,
      inUtilPct: down ? 0 : 32,
      outUtilPct: down ? 0 : 11,
      errorsPerS: 0,
      end: 'a',
      polledFromMs: now,
      updatedAtMs: now,
      note: null,
    });
  });
  for (const d of topology.devices)
    live.updateDevice({
      deviceId: d.id,
      reachable: true,
      responseMs: 12,
      cpuPct: 14,
      memPct: 41,
      uptimeS: 86_400,
      polledFromMs: now - 12,
      updatedAtMs: now,
      error: null,
    });
  const journal = AlarmJournal.open(join(dir, 'alarms'), memoryLogger());
  const alarms = new AlarmService({
    topology,
    rules: DEFAULT_ALARM_RULES,
    journal,
    delivery: new DeliveryQueue([], journal, memoryLogger()),
    live,
    log: memoryLogger(),
    notice: { language: 'zh', consoleUrl: 'http://x' },
  });
  const audit = new AuditLog(dir);
  const hub = new WebSocketHub();
  const feed = new LiveFeed(live, (b) => hub.broadcast(b), { pollIntervalMs: 60_000, flushMs: 1 });
  const users = new UserDirectory([{ username: 'noc', role: 'operator', passwordHash: hashPassword('bench-password') }]);
  const api = await startApiServer(
    {
      topology,
      live,
      alarms,
      users,
      audit,
      log: memoryLogger(),
      hub,
      feed,
      web: o.web ? await buildWebAssets() : null,
      // The outlines shipped for the network's scale, as `nms up` draws them.
      basemap: loadBasemap(null, topology, () => undefined),
    },
    { port: 0 },
  );
  const login = await fetch(`${api.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'noc', password: 'bench-password' }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return {
    url: api.url,
    live,
    cookie,
    close: async () => {
      await api.close();
      feed.close();
      await hub.close();
      journal.close();
      audit.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
