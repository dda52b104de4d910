/**
 * Circuit time series and SLA through the console API, over a real influxd
 * holding points written here over plain HTTP: the right retention policy for
 * the range, the values as written, and bad ranges refused with 400.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { LiveState } from '../../shared/live/liveState.ts';
import { createInfluxClient } from '../../shared/influx/connection.ts';
import { memoryLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { AlarmJournal } from '../../server/alarms/alarmJournal.ts';
import { DEFAULT_ALARM_RULES } from '../../server/alarms/alarmRules.ts';
import { AlarmService } from '../../server/alarms/alarmService.ts';
import { OutageLedger } from '../../server/alarms/outageLedger.ts';
import { startApiServer } from '../../server/http/apiServer.ts';
import { AuditLog } from '../../server/http/auditLog.ts';
import { hashPassword } from '../../server/http/users.ts';
import { UserDirectory } from '../../server/http/userDirectory.ts';
import { ensureSchema } from '../../server/influx/schemaSetup.ts';
import { DeliveryQueue } from '../../server/notifiers/deliveryQueue.ts';
import { httpWrite, startTestInflux, type TestInflux } from '../support/testInflux.ts';
import { tempDir } from '../support/tempDir.ts';

describe('console API: circuit series and SLA over real InfluxDB', function () {
  this.timeout(60_000);
  let topology: Topology;
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let cookie = '';
  const closers: Array<() => void> = [];
  const NOW = Math.floor(Date.now() / 3_600_000) * 3_600_000;

  before(async () => {
    topology = await loadTopology('topology.yaml');
    influx = await startTestInflux();
    dir = await tempDir('api-series');
    const client = createInfluxClient({ url: influx.influx.url, database: 'nms', username: null, password: null });
    await ensureSchema(client, 'nms');
    // The last hour, one raw point a minute; the last 90 days, one hourly rollup point an hour.
    const raw = Array.from(
      { length: 60 },
      (_, i) =>
        `circuit_traffic,circuit=HY-HYX,end=a in_bps=${1_000_000 + i * 1000},out_bps=${500_000 + i},in_errors=${i % 3}i,out_errors=0i ${(NOW - 3_600_000 + i * 60_000) / 1000}`,
    );
    await httpWrite(influx.influx.url, 'nms', raw.join('\n'), 'raw');
    const hourly = Array.from(
      { length: 90 * 24 },
      (_, i) =>
        `circuit_traffic,circuit=HY-HYX,end=a in_bps=${2_000_000 + (i % 24) * 10_000},out_bps=1000000,in_bps_max=${3_000_000 + i},out_bps_max=1500000,in_errors=0i,out_errors=0i ${(NOW - 90 * 86_400_000 + i * 3_600_000) / 1000}`,
    );
    const health = Array.from(
      { length: 50 },
      (_, i) =>
        `device_health,device=hy-core-1,site=hy-ncc cpu_pct=${10 + i},mem_pct=40,reachable=${i === 12 ? 0 : 1}i${i === 12 ? '' : `,response_ms=${5 + i}`} ${(NOW - 3_000_000 + i * 60_000) / 1000}`,
    );
    await httpWrite(influx.influx.url, 'nms', health.join('\n'), 'raw');
    for (let k = 0; k < hourly.length; k += 1000) await httpWrite(influx.influx.url, 'nms', hourly.slice(k, k + 1000).join('\n'), 'rollup_1h');

    const journal = AlarmJournal.open(join(dir.path, 'alarms'), memoryLogger());
    const ledger = OutageLedger.open(join(dir.path, 'alarms'), topology, memoryLogger());
    const alarms = new AlarmService({
      topology,
      rules: DEFAULT_ALARM_RULES,
      journal,
      delivery: new DeliveryQueue([], journal, memoryLogger()),
      live: new LiveState(),
      log: memoryLogger(),
      notice: { language: 'zh', consoleUrl: 'http://x' },
      ledger,
    });
    const audit = new AuditLog(dir.path);
    closers.push(
      () => journal.close(),
      () => ledger.close(),
      () => audit.close(),
    );
    api = await startApiServer(
      {
        topology,
        live: new LiveState(),
        alarms,
        users: new UserDirectory([{ username: 'manager', role: 'viewer', passwordHash: hashPassword('manager-password-1') }]),
        audit,
        log: memoryLogger(),
        ledger,
        influx: { database: 'nms', query: (q) => client.query(q) as Promise<Array<Record<string, unknown>>> },
      },
      { port: 0 },
    );
    const login = await fetch(`${api.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'manager', password: 'manager-password-1' }),
    });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  });
  after(async () => {
    await api?.close();
    for (const c of closers) c();
    await influx?.dispose();
    await dir?.remove();
  });

  const get = async (path: string) => {
    const res = await fetch(`${api.url}${path}`, { headers: { cookie } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('serves the last hour from raw samples, minute by minute, as written', async () => {
    const r = await get(`/api/circuits/HY-HYX/series?from=${NOW - 3_600_000}&to=${NOW}&points=60`);
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ retentionPolicy: 'raw', bucketS: 60, contractBps: topology.circuit('HY-HYX').bandwidthBps });
    const points = r.body.points as Array<{ timeMs: number; inBps: number; outBps: number; inErrors: number }>;
    expect(points).to.have.length(60);
    expect(points[7]).to.deep.include({ timeMs: NOW - 3_600_000 + 7 * 60_000, inBps: 1_007_000, outBps: 500_007, inErrors: 1 });
  });

  it('serves 90 days from the hourly rollup, with the peaks the rollup kept', async () => {
    const from = new Date(NOW - 90 * 86_400_000).toISOString();
    const r = await get(`/api/circuits/HY-HYX/series?from=${from}&to=${new Date(NOW).toISOString()}&points=500`);
    expect(r.status).to.equal(200);
    expect(r.body.retentionPolicy).to.equal('rollup_1h');
    const points = r.body.points as Array<{ inBps: number; inPeakBps: number }>;
    // 90 days in buckets of 5 hours (the smallest whole number of hours giving ≤ 500 points).
    expect(r.body.bucketS).to.equal(5 * 3600);
    expect(points.length).to.be.within(432, 434);
    expect(points[0]!.inPeakBps).to.be.at.least(3_000_000);
  });

  it("serves a device's CPU, memory, reachability and response time, five minutes to a bucket over 50 minutes", async () => {
    const r = await get(`/api/devices/hy-core-1/series?from=${NOW - 3_000_000}&to=${NOW}&points=10`);
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ device: 'hy-core-1', retentionPolicy: 'raw', bucketS: 300 });
    const points = r.body.points as Array<Record<string, number>>;
    expect(points).to.have.length(10);
    // Minutes 10–14 hold cpu 20..24 and the one missed poll (minute 12): 4 of 5 answered, in 15, 16, 18 and 19 ms.
    expect(points[2]).to.deep.equal({
      timeMs: NOW - 3_000_000 + 600_000,
      cpuPct: 22,
      cpuPeakPct: 24,
      memPct: 40,
      reachableMin: 0,
      reachablePct: 80,
      responseMs: 17,
      responsePeakMs: 19,
    });
    expect(await get(`/api/devices/nope/series?from=1&to=2`)).to.deep.equal({ status: 404, body: { error: 'no device "nope"' } });
  });

  it('refuses bad ranges and unknown circuits with a clear message', async () => {
    expect(await get(`/api/circuits/HY-HYX/series?from=${NOW}&to=${NOW - 1000}`)).to.deep.equal({
      status: 400,
      body: { error: 'query.to: must be after from' },
    });
    expect((await get(`/api/circuits/HY-HYX/series?from=yesterday&to=${NOW}`)).status).to.equal(400);
    expect(await get(`/api/circuits/NOPE/series?from=1&to=2`)).to.deep.equal({ status: 404, body: { error: 'no circuit "NOPE"' } });
    expect((await get(`/api/circuits/HY-HYX/series?from=1&to=${NOW}`)).status).to.equal(400);
  });

  it('reports SLA with no data as unknown, not as up', async () => {
    const r = await get(`/api/circuits/HY-HYX/sla?from=${NOW - 86_400_000}&to=${NOW}`);
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ circuitId: 'HY-HYX', availabilityPct: null, unknownS: 86_400, downS: 0, outageCount: 0 });
    const all = await get(`/api/sla?from=${NOW - 86_400_000}&to=${NOW}`);
    expect(all.body.availabilityPct).to.equal(null);
    expect(all.body.circuits).to.have.length(topology.circuits.length);
  });
});
