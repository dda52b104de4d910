/**
 * The managed InfluxDB against Debian's real influxd: it starts on loopback
 * only, takes the schema, stores and returns data, survives restarts and a
 * crash, refuses a second copy on its folder, and stops cleanly.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { memoryLogger } from '../../shared/log.ts';
import { createInfluxClient, execute } from '../../shared/influx/connection.ts';
import { continuousQueries, rollupBackfill } from '../../shared/schema/rollups.ts';
import { EmbeddedInflux } from '../../server/influx/embeddedInflux.ts';
import { ensureSchema } from '../../server/influx/schemaSetup.ts';
import { isAlive, listeningAddresses, waitFor } from '../support/processes.ts';
import { inTempDir } from '../support/tempDir.ts';
import { httpQuery, httpWrite, startTestInflux, type TestInflux } from '../support/testInflux.ts';

const DB = 'nms';

describe('managed InfluxDB (real influxd)', function () {
  this.timeout(60_000);
  let t: TestInflux;

  before(async () => {
    t = await startTestInflux();
  });
  after(() => t?.dispose());

  it('listens on loopback only, HTTP and RPC alike (per the kernel)', async () => {
    const addrs = await listeningAddresses(t.influx.pid!);
    expect(addrs.length).to.be.at.least(2);
    for (const a of addrs) expect(a).to.match(/^127\.0\.0\.1:\d+$/);
    expect(addrs).to.include(new URL(t.influx.url).host);
  });

  it('creates the database, retention policies and continuous queries', async () => {
    const report = await ensureSchema(createInfluxClient({ url: t.influx.url, database: DB, username: null, password: null }), DB);
    expect(report.created).to.include.members(['database nms', 'retention policy raw', 'retention policy rollup_5m', 'retention policy rollup_1h']);

    const dbs = (await httpQuery(t.influx.url, 'SHOW DATABASES')).map((r) => r.name);
    expect(dbs).to.include(DB);
    const rps = await httpQuery(t.influx.url, 'SHOW RETENTION POLICIES ON nms');
    const byName = Object.fromEntries(rps.map((r) => [r.name, r]));
    expect(byName.raw).to.include({ duration: '840h0m0s', shardGroupDuration: '24h0m0s', default: true });
    expect(byName.rollup_5m).to.include({ duration: '9600h0m0s', default: false });
    expect(byName.rollup_1h).to.include({ duration: '43920h0m0s', default: false });
    expect(Object.keys(byName)).not.to.include('autogen');

    const cqs = await fetch(`${t.influx.url}/query?q=SHOW+CONTINUOUS+QUERIES`).then(
      (r) => r.json() as Promise<{ results: Array<{ series: Array<{ name: string; values?: string[][] }> }> }>,
    );
    const ours = cqs.results[0]!.series.find((s) => s.name === DB)!.values!.map((v) => v[0]);
    expect(ours).to.have.members(continuousQueries(DB).map((c) => c.name));
  });

  it('is idempotent, and puts back what someone changed', async () => {
    const client = createInfluxClient({ url: t.influx.url, database: DB, username: null, password: null });
    expect(await ensureSchema(client, DB)).to.deep.equal({ created: [], altered: [] });
    await httpQuery(t.influx.url, 'ALTER RETENTION POLICY raw ON nms DURATION 7d');
    await httpQuery(t.influx.url, 'DROP CONTINUOUS QUERY cq_circuit_status_1h ON nms');
    const report = await ensureSchema(client, DB);
    expect(report).to.deep.equal({ created: ['continuous query cq_circuit_status_1h'], altered: ['retention policy raw'] });
    const raw = (await httpQuery(t.influx.url, 'SHOW RETENTION POLICIES ON nms')).find((r) => r.name === 'raw');
    expect(raw!.duration).to.equal('840h0m0s');
  });

  it('stores points written through the product client and returns them exactly', async () => {
    const client = createInfluxClient({ url: t.influx.url, database: DB, username: null, password: null });
    const when = new Date('2026-11-20T02:00:00Z');
    await client.writePoints(
      [
        {
          measurement: 'circuit_traffic',
          tags: { circuit: 'HY-HYX', carrier: 'telecom', bandwidth: '10M', level: 'county', site: 'hyx', county: 'hyx', city: 'hy', end: 'a' },
          fields: { in_bps: 1234567.5, out_bps: 7654321.25, in_errors: 3 },
          timestamp: when,
        },
      ],
      { precision: 's' },
    );
    const rows = await httpQuery(t.influx.url, `SELECT in_bps, out_bps, in_errors FROM circuit_traffic WHERE circuit = 'HY-HYX'`, DB);
    expect(rows).to.deep.equal([{ time: '2026-11-20T02:00:00Z', in_bps: 1234567.5, out_bps: 7654321.25, in_errors: 3 }]);
    const types = await httpQuery(t.influx.url, 'SHOW FIELD KEYS FROM circuit_traffic', DB);
    expect(types.find((r) => r.fieldKey === 'in_errors')!.fieldType).to.equal('integer');
  });

  it('refuses, before sending, a point with a tag or field the schema does not name', async () => {
    const client = createInfluxClient({ url: t.influx.url, database: DB, username: null, password: null });
    const tags = { circuit: 'HY-HYX' };
    const badField = await Promise.resolve()
      .then(() => client.writePoints([{ measurement: 'circuit_traffic', tags, fields: { in_mbps: 1 } }]))
      .catch((e: Error) => e);
    expect(String(badField)).to.match(/Extraneous fields/);
    const badTag = await Promise.resolve()
      .then(() => client.writePoints([{ measurement: 'circuit_traffic', tags: { ...tags, message: 'x' }, fields: { in_bps: 1 } }]))
      .catch((e: Error) => e);
    expect(String(badTag)).to.match(/Extraneous tags/);
    const rows = await httpQuery(t.influx.url, `SELECT * FROM circuit_traffic WHERE time > now() - 1h`, DB);
    expect(rows).to.deep.equal([]);
  });

  it('backfills the 5-minute and hourly rollups to the figures computed from the raw points', async () => {
    const client = createInfluxClient({ url: t.influx.url, database: DB, username: null, password: null });
    const start = Date.parse('2026-11-21T03:00:00Z') / 1000;
    const samples = Array.from({ length: 120 }, (_, i) => ({ t: start + i * 30, inBps: 100_000 + ((i * 7919) % 1_900_000), errors: i % 4 }));
    const lines = samples
      .map(
        (s) =>
          `circuit_traffic,circuit=HY-D-HBJ,carrier=telecom,bandwidth=2M,level=department,site=hy-hbj,city=hy,end=a in_bps=${s.inBps},out_bps=1000,in_util_pct=${s.inBps / 20000},out_util_pct=0.05,in_errors=${s.errors}i,out_errors=0i,in_discards=0i,out_discards=0i,interval_s=30 ${s.t}`,
      )
      .join('\n');
    await httpWrite(t.influx.url, DB, lines);

    for (const stmt of rollupBackfill(DB, new Date(start * 1000), new Date((start + 3600) * 1000))) await execute(client, stmt, DB);

    const fiveMin = await httpQuery(t.influx.url, `SELECT in_bps, in_bps_max, in_errors FROM rollup_5m.circuit_traffic WHERE circuit = 'HY-D-HBJ'`, DB);
    expect(fiveMin).to.have.length(12);
    fiveMin.forEach((row, b) => {
      const bucket = samples.slice(b * 10, b * 10 + 10);
      expect(row.time).to.equal(new Date((start + b * 300) * 1000).toISOString().replace('.000', ''));
      expect(row.in_bps).to.be.closeTo(bucket.reduce((s, x) => s + x.inBps, 0) / 10, 1e-6);
      expect(row.in_bps_max).to.equal(Math.max(...bucket.map((x) => x.inBps)));
      expect(row.in_errors).to.equal(bucket.reduce((s, x) => s + x.errors, 0));
    });
    const hour = await httpQuery(t.influx.url, `SELECT in_bps, in_bps_max, in_errors FROM rollup_1h.circuit_traffic WHERE circuit = 'HY-D-HBJ'`, DB);
    expect(hour).to.have.length(1);
    expect(hour[0]!.in_bps).to.be.closeTo(samples.reduce((s, x) => s + x.inBps, 0) / 120, 1e-6);
    expect(hour[0]!.in_bps_max).to.equal(Math.max(...samples.map((x) => x.inBps)));
    expect(hour[0]!.in_errors).to.equal(samples.reduce((s, x) => s + x.errors, 0));
  });

  it('restarts influxd when it dies, and the data is still there', async () => {
    const before = t.influx.pid!;
    process.kill(before, 'SIGKILL');
    await waitFor(
      'a new influxd',
      async () =>
        t.influx.pid !== before &&
        t.influx.pid !== undefined &&
        (await fetch(`${t.influx.url}/ping`).then(
          (r) => r.status === 204,
          () => false,
        )),
    );
    expect(t.influx.restarts).to.equal(1);
    expect(t.log.lines.some((l) => l.includes(`influxd ${before} exited unexpectedly`))).to.equal(true);
    const rows = await httpQuery(t.influx.url, `SELECT count(in_bps) FROM circuit_traffic WHERE circuit = 'HY-D-HBJ'`, DB);
    expect(rows[0]!.count).to.equal(120);
  });

  it('refuses to start a second influxd on the same folder', async () => {
    const second = new EmbeddedInflux({ dir: t.dir, port: 0, log: memoryLogger() });
    const err = await second.start().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.equal(`an influxd (pid ${t.influx.pid}) already runs on ${t.dir}; stop that one first (kill ${t.influx.pid})`);
  });

  it('takes over from a starter killed with SIGKILL: the orphaned influxd is stopped cleanly, and a new one starts on the same data', async () => {
    await inTempDir('orphan', async (dir) => {
      // A starter of its own, as nms up would be, killed as the OOM killer would.
      const program = `import { EmbeddedInflux } from ${JSON.stringify(resolve('server/influx/embeddedInflux.ts'))};
        import { memoryLogger } from ${JSON.stringify(resolve('shared/log.ts'))};
        const i = new EmbeddedInflux({ dir: ${JSON.stringify(dir.path)}, port: 0, log: memoryLogger() });
        await i.start();
        console.log('ready ' + i.pid + ' ' + i.url);
        setInterval(() => {}, 1000);`;
      const starter = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      starter.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await orphanAndTakeOver(dir.path, starter, () => out);
      } finally {
        // Whatever happened, the processes this test started end with it.
        if (starter.exitCode === null && starter.signalCode === null) starter.kill('SIGKILL');
        const pid = Number(/ready (\d+)/.exec(out)?.[1]);
        if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    });
  });

  async function orphanAndTakeOver(dirPath: string, starter: ReturnType<typeof spawn>, out: () => string): Promise<void> {
    {
      await waitFor('the first influxd', () => /ready \d+/.test(out()), 30_000);
      const [, pidText, url] = /ready (\d+) (\S+)/.exec(out())!;
      const orphan = Number(pidText);
      // The managed influxd makes no retention policy of its own accord.
      await httpQuery(url!, 'CREATE DATABASE orphan WITH DURATION 1d NAME probe');
      await httpWrite(url!, 'orphan', 'orphan_probe value=1', 'probe');
      starter.kill('SIGKILL');
      await new Promise((r) => starter.once('exit', r));
      expect(isAlive(orphan), 'influxd outlived its starter').to.equal(true);
      const log = memoryLogger();
      const next = new EmbeddedInflux({ dir: dirPath, port: 0, log });
      try {
        await next.start();
        expect(isAlive(orphan), 'the orphan was stopped').to.equal(false);
        expect(next.pid).to.not.equal(orphan);
        expect(log.lines.join('\n')).to.include(`influxd ${orphan} on ${dirPath} was left running by an nms that is gone`);
        // (The orphan's own log went to its dead starter's pipe; what it had written is what counts.)
        expect((await httpQuery(next.url, 'SELECT count(value) FROM orphan_probe', 'orphan'))[0]!.count).to.equal(1);
      } finally {
        await next.stop();
      }
    }
  }

  it('stops cleanly and keeps the data across a restart', async () => {
    const pid = t.influx.pid!;
    await t.influx.stop();
    expect(isAlive(pid)).to.equal(false);
    expect(existsSync(join(t.dir, 'influxd.pid'))).to.equal(false);
    expect(await readFile(t.influx.logFile, 'utf8')).to.match(/Signal received, initializing clean shutdown/);

    await t.influx.start();
    const rows = await httpQuery(t.influx.url, `SELECT count(in_bps) FROM circuit_traffic WHERE circuit = 'HY-D-HBJ'`, DB);
    expect(rows[0]!.count).to.equal(120);
  });
});

describe('managed InfluxDB without influxd', () => {
  it('says exactly how to install it', async () => {
    await inTempDir('noinflux', async (dir) => {
      const influx = new EmbeddedInflux({ dir: dir.path, port: 0, log: memoryLogger(), binary: join(dir.path, 'influxd') });
      const err = await influx.start().then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).to.equal(
        `${join(dir.path, 'influxd')} not found: install Debian's InfluxDB 1.x with "apt-get install influxdb" (npm start does this for you), ` +
          'or set influx.url in nms.yaml to use an InfluxDB server you already run',
      );
    });
  });
});
