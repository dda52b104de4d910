/**
 * What the collector costs, beside peers run on the same machine in the same
 * run: its poll cycle over the simulated network against Debian's snmpbulkget
 * reading the same agents, and its writer against raw line protocol posted
 * straight to influxd.
 *
 *   npx tsx bench/collector.ts [--cycles N] [--points N]
 *
 * Bounded: a fixed number of cycles and points; it sends only to 127.0.0.1.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { Collector } from '../collectors/collector.ts';
import { credentialsFor, publishedEndpoints } from '../collectors/collectionSetup.ts';
import { InfluxV1Sink } from '../collectors/write/influxV1Sink.ts';
import { formatPoint, type Point } from '../collectors/write/lineProtocol.ts';
import { SpoolingWriter } from '../collectors/write/spoolingWriter.ts';
import { createInfluxClient } from '../shared/influx/connection.ts';
import { LiveState } from '../shared/live/liveState.ts';
import { memoryLogger } from '../shared/log.ts';
import { loadTopology } from '../shared/model/loader.ts';
import { EmbeddedInflux } from '../server/influx/embeddedInflux.ts';
import { ensureSchema } from '../server/influx/schemaSetup.ts';
import { numberArg } from './benchArgs.ts';

const run = promisify(execFile);
const arg = numberArg;
// Enough cycles that start-up (module loading, first resolution) does not count as steady-state cost.
const CYCLES = arg('cycles', 60);
const POINTS = arg('points', 200_000);

async function pollerFigures(dir: string): Promise<void> {
  const sim = spawn(process.execPath, [resolve('bin/nms.js'), 'sim', '--base-port', '0', '--control-port', '0'], {
    env: { ...process.env, NMS_DATA_DIR: dir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    let out = '';
    sim.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 600 && !out.includes('Press Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 100));
    const topology = await loadTopology('topology.yaml');
    const demo = parse(await readFile(join(dir, 'demo-secrets.yaml'), 'utf8')) as Record<string, string>;
    const endpoints = (await publishedEndpoints(join(dir, 'sim', 'sim.json')))!;
    const collector = new Collector({
      topology,
      endpoints: new Map(Object.entries(endpoints)),
      credentials: credentialsFor(topology, { env: {}, demo }),
      production: false,
      sink: null,
      live: new LiveState(),
      log: memoryLogger(),
    });
    await collector.pollAll(); // resolve names once, as a running collector would have
    const cpu0 = process.cpuUsage();
    const v0 = collector.stats.varbinds;
    const r0 = collector.stats.requests;
    let wall = 0;
    for (let i = 0; i < CYCLES; i++) wall += await collector.pollAll();
    const cpu = process.cpuUsage(cpu0);
    const varbinds = collector.stats.varbinds - v0;
    const requests = collector.stats.requests - r0;
    const cpuUs = cpu.user + cpu.system;
    console.log(`Poller, ${collector.pollers.size} devices (${topology.circuits.length} circuits), ${CYCLES} cycles:`);
    console.log(
      `  cycle wall time ${(wall / CYCLES).toFixed(0)} ms; ${(varbinds / CYCLES).toFixed(0)} varbinds in ${(requests / CYCLES).toFixed(0)} requests per cycle`,
    );
    console.log(
      `  poller CPU ${(cpuUs / varbinds).toFixed(2)} µs per varbind over v1, v2c and SNMPv3 authPriv devices (the ≤ 3 µs target is for 2,500 agents: npm run bench:scale); RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
    );
    await collector.stop();

    // Peer: Debian's snmpbulkget reading the same interface columns of every v2c device, 8 at a time.
    const community = demo['env:NMS_SNMP_CPE_COMMUNITY']!;
    const v2c = topology.devices.filter((d) => d.managed && d.snmpProfile === 'cpe-v2c').map((d) => endpoints[d.id]!);
    const columns = ['1.3.6.1.2.1.31.1.1.1.6', '1.3.6.1.2.1.31.1.1.1.10', '1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.2.2.1.14'];
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < v2c.length) {
          const e = v2c[next++]!;
          await run('snmpbulkget', ['-m', '', '-v2c', '-c', community, '-Cr10', '-On', `${e.host}:${e.port}`, ...columns]);
        }
      }),
    );
    console.log(`Peer, Debian snmpbulkget, the same columns of the ${v2c.length} v2c devices, 8 at a time: ${Date.now() - t0} ms`);
  } finally {
    sim.kill('SIGTERM');
  }
}

async function writerFigures(dir: string): Promise<void> {
  const influx = new EmbeddedInflux({ dir: join(dir, 'influx'), port: 0, log: memoryLogger() });
  await influx.start();
  try {
    const target = { url: influx.url, database: 'nms', username: null, password: null };
    await ensureSchema(createInfluxClient(target), 'nms');
    const t = Date.parse('2026-11-23T00:00:00Z');
    const points: Point[] = Array.from({ length: POINTS }, (_, i) => ({
      measurement: 'circuit_traffic',
      tags: { circuit: `C${i % 1000}`, carrier: 'telecom', bandwidth: '2M', level: 'department', site: `s${i % 1000}`, city: 'hy', end: 'a' },
      fields: { in_bps: i, out_bps: i * 2, in_util_pct: 1.5, out_util_pct: 2.5, in_errors: 0, interval_s: 60 },
      timeMs: t + Math.floor(i / 1000) * 60_000,
    }));
    const writer = await SpoolingWriter.open({ sink: new InfluxV1Sink(target, 60_000), spoolDir: join(dir, 'spool'), log: memoryLogger() });
    let t0 = Date.now();
    for (let i = 0; i < points.length; i += 1000) writer.write(points.slice(i, i + 1000));
    await writer.close();
    const ours = (POINTS / (Date.now() - t0)) * 1000;
    // Ceiling: the same points as line protocol, posted straight to influxd in 5,000-point batches.
    const lines = points.map((p) => formatPoint({ ...p, measurement: 'circuit_traffic', tags: { ...p.tags, circuit: `R${p.tags.circuit}` } }));
    const sink = new InfluxV1Sink(target, 60_000);
    t0 = Date.now();
    for (let i = 0; i < lines.length; i += 5000) await sink.write(lines.slice(i, i + 5000));
    const raw = (POINTS / (Date.now() - t0)) * 1000;
    console.log(
      `Writer, ${POINTS} points into the managed influxd: ${ours.toFixed(0)} points/s (target ≥ 100,000); raw line protocol posted to influxd: ${raw.toFixed(0)} points/s; spooled: ${writer.stats.spooledPoints}`,
    );
  } finally {
    await influx.stop();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nms-bench-collector-'));
  try {
    await pollerFigures(dir);
    await writerFigures(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/collector: ${err.message}`);
  process.exitCode = 1;
});
