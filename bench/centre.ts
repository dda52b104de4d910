/**
 * The province's centre under a province's load (issue 16): 14 simulated
 * cities (1,099 circuits) polled every 60 s by 14 city pollers, each a
 * separate `nms up` process with role poller over its own simulated city,
 * publishing to a leaf node of its own (Debian's nats-server, with its own
 * JetStream domain) linked to the centre's 3-node cluster; the centre a
 * separate `nms up` with role centre. Beside it, in the same run, the same network
 * under one single-process `nms up` (role all), the peer.
 *
 * Figures:
 * - CPU of each process over a steady window (from /proc, so of the process
 *   alone), as a share of one core; for the centre also per observation it
 *   consumed (every message the pollers published in the window, counted on
 *   the bus by this bench);
 * - fault to push: a county uplink taken down in a city's simulator, to the
 *   webhook push arriving here, traps on (the path on-call lives by); the
 *   province's figure less the single process's is the delay the bus adds;
 * - observation to alarm: the first word of the fault on the bus (the trap or
 *   the poll, as the poller published it) to the centre's alarm.
 *
 *   npx tsx bench/centre.ts [--cities 14] [--interval 60] [--window 180] [--incidents 7]
 *
 * Bounded: a fixed window and number of incidents; everything on loopback;
 * every process it starts is stopped by its process id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { createServer } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { decodeObservation, OBSERVATION_SUBJECT_PREFIX } from '../shared/bus/observationMessages.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { TestNatsCluster } from '../test/support/natsServer.ts';
import { stopChild } from '../test/support/processes.ts';
import { tempDir } from '../test/support/tempDir.ts';
import { startTestInflux } from '../test/support/testInflux.ts';
import { numberArg } from './benchArgs.ts';
import { BENCH_COMMUNITY_ENV, provinceYaml } from './generatedNetwork.ts';

const CITIES = numberArg('cities', 14);
const INTERVAL_S = numberArg('interval', 60);
const WINDOW_S = numberArg('window', 180);
const INCIDENTS = numberArg('incidents', 7);
const NMS_BIN = resolve('bin/nms.js');
const CLOCK_TICKS_PER_S = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Push {
  atMs: number;
  reason: string;
  alarm: { kind: string; subject: { id: string }; raisedAtMs: number };
}

/** utime + stime of a process, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

class NmsProcess {
  output = '';
  readonly child: ChildProcess;
  constructor(
    readonly name: string,
    config: string,
  ) {
    this.child = spawn(process.execPath, [NMS_BIN, 'up', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [BENCH_COMMUNITY_ENV]: 'bench-community' },
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.child.stderr!.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
  }

  async up(text: string, limitMs: number): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!this.output.includes(text)) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited (${this.child.exitCode}):\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} not up within ${limitMs / 1000} s:\n${this.output.slice(-3000)}`);
      await sleep(200);
    }
  }

  stop(): Promise<void> {
    return stopChild(this.child, 30_000);
  }
}

let nextTrapPort = 20_000 + Math.floor(Math.random() * 5000);

/**
 * A free UDP port below the ephemeral range: fifteen processes each open
 * hundreds of sockets on port 0, and one of them could take a trap port
 * picked from that range before its own poller binds it.
 */
async function trapPort(): Promise<number> {
  for (;;) {
    const port = nextTrapPort++;
    const free = await new Promise<boolean>((res) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => res(false));
      s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (free) return port;
  }
}

/** The lines every config of this bench shares: its own ports, InfluxDB, the simulated network (for those that poll), and pushes to our receiver. */
async function commonLines(dataDir: string, influxUrl: string, hook: string | null, simulated = true): Promise<string[]> {
  return [
    `dataDir: ${dataDir}`,
    `influx: { url: ${influxUrl} }`,
    `simulator: { enabled: ${simulated}, basePort: 0, controlPort: 0 }`,
    'console: { port: 0 }',
    'alarms:',
    `  trapPort: ${await trapPort()}`,
    ...(hook ? [`  channels: [{ name: bench-hook, kind: webhook, url: "${hook}", ratePerMinute: 600 }]`] : []),
  ];
}

async function main(): Promise<void> {
  const dir = await tempDir('bench-centre');
  const influx = await startTestInflux();
  const nats = await TestNatsCluster.start();
  const pushes: Push[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      pushes.push({ atMs: Date.now(), ...(JSON.parse(body) as Omit<Push, 'atMs'>) });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  const topologyFile = join(dir.path, 'province.yaml');
  const yaml = provinceYaml(CITIES);
  await writeFile(topologyFile, yaml);
  const topology = parseTopology(yaml, topologyFile);
  // One county uplink per city: measured at the city's core, the county router at the far end.
  const incidents = Array.from(
    { length: Math.min(INCIDENTS, CITIES) },
    (_, c) => topology.circuits.find((x) => x.a.deviceId === `c${c}-core` && x.z.kind === 'device' && x.z.deviceId === `c${c}k0-rtr`)!,
  );
  const started: NmsProcess[] = [];
  try {
    console.log(
      `Province: ${CITIES} cities, ${topology.devices.length} devices, ${topology.circuits.length} circuits, polled every ${INTERVAL_S} s; CPU over ${WINDOW_S} s; ${incidents.length} incidents each.`,
    );

    // ---- the peer: everything in one process ----
    const allDir = join(dir.path, 'all');
    await mkdir(allDir, { recursive: true });
    await writeFile(
      join(allDir, 'nms.yaml'),
      [
        `topology: ${topologyFile}`,
        `collector: { interval: ${INTERVAL_S}s }`,
        ...(await commonLines(allDir, influx.influx.url, hook)),
        '  clearAfter: 1s',
        '',
      ].join('\n'),
    );
    const all = new NmsProcess('nms up (role all)', join(allDir, 'nms.yaml'));
    started.push(all);
    await all.up('Press Ctrl-C', 180_000);
    await sleep(2 * INTERVAL_S * 1000);
    const allCpu = await cpuOver([all.child.pid!]);
    const allRss = await rssMb(all.child.pid!);
    const allSim = (JSON.parse(await readFile(join(allDir, 'sim', 'sim.json'), 'utf8')) as { control: string }).control;
    const allDelays = await runIncidents(
      incidents.map((c) => ({ circuit: c.id, control: allSim })),
      pushes,
    );
    await all.stop();

    // ---- the province: a centre, 14 pollers, the bus ----
    const centreDir = join(dir.path, 'centre');
    await mkdir(centreDir, { recursive: true });
    const cities = Array.from({ length: CITIES }, (_, c) => `c${c}`);
    await writeFile(
      join(centreDir, 'nms.yaml'),
      [
        'role: centre',
        `bus: { servers: [${nats.urls.map((u) => `"${u}"`).join(', ')}], replicas: 3 }`,
        `centre: { pollers: [${cities.map((c) => `{ name: ${c}, sites: [${c}], domain: ${c} }`).join(', ')}] }`,
        `topology: ${topologyFile}`,
        `collector: { interval: ${INTERVAL_S}s }`,
        ...(await commonLines(centreDir, influx.influx.url, hook, false)),
        '  clearAfter: 1s',
        '',
      ].join('\n'),
    );
    const centre = new NmsProcess('the centre', join(centreDir, 'nms.yaml'));
    started.push(centre);
    await centre.up('Press Ctrl-C', 120_000);
    const pollers: NmsProcess[] = [];
    for (const c of cities) {
      const pollerDir = join(dir.path, c);
      await mkdir(pollerDir, { recursive: true });
      const leaf = await nats.leaf(c);
      await writeFile(
        join(pollerDir, 'nms.yaml'),
        [
          'role: poller',
          `bus: { servers: ["${leaf}"], domain: ${c} }`,
          `poller: { name: ${c} }`,
          ...(await commonLines(pollerDir, influx.influx.url, null)),
          '',
        ].join('\n'),
      );
      const p = new NmsProcess(`poller ${c}`, join(pollerDir, 'nms.yaml'));
      started.push(p);
      pollers.push(p);
    }
    for (const p of pollers) await p.up('Press Ctrl-C', 300_000);

    // What the pollers publish, as the centre's stream receives it: counted, and the first word of each fault.
    const nc = await connect({ servers: nats.urls });
    let published = 0;
    const firstWord = new Map<string, number>();
    nc.subscribe(`${OBSERVATION_SUBJECT_PREFIX}.>`, {
      callback: (_err, msg) => {
        published++;
        const d = decodeObservation(msg.data);
        if (!d.ok) return;
        const m = d.message;
        const down =
          m.kind === 'trap' && m.trap.kind === 'linkDown' && m.trap.circuitId
            ? { id: m.trap.circuitId, atMs: m.trap.atMs }
            : m.kind === 'circuit' && m.circuit.status === 'down'
              ? { id: m.circuit.circuitId, atMs: m.circuit.updatedAtMs }
              : null;
        if (down && !firstWord.has(down.id)) firstWord.set(down.id, down.atMs);
      },
    });
    await sleep(2 * INTERVAL_S * 1000);
    const before = published;
    const pids = { centre: centre.child.pid!, nats: nats.pids, pollers: pollers.map((p) => p.child.pid!) };
    const [centreCpu, natsCpu, pollersCpu] = await Promise.all([cpuOver([pids.centre]), cpuOver(pids.nats), cpuOver(pids.pollers)]);
    const observations = published - before;
    const centreRss = await rssMb(pids.centre);
    const controls = new Map<string, string>();
    for (const c of cities) controls.set(c, (JSON.parse(await readFile(join(dir.path, c, 'sim', 'sim.json'), 'utf8')) as { control: string }).control);
    firstWord.clear();
    const provinceDelays = await runIncidents(
      incidents.map((c) => ({ circuit: c.id, control: controls.get(topology.device(c.a.deviceId).siteId)! })),
      pushes,
    );
    const wordToAlarm = provinceDelays.flatMap((d) => (d.push && firstWord.has(d.circuit) ? [d.push.alarm.raisedAtMs - firstWord.get(d.circuit)!] : []));
    await nc.close();

    const pct = (s: number) => `${((100 * s) / WINDOW_S).toFixed(1)}% of a core`;
    const ms = (xs: number[]) => (xs.length ? `median ${median(xs)} ms, max ${Math.max(...xs)} ms (${xs.length} of ${incidents.length})` : 'none arrived');
    const faultToPush = (ds: Incident[]) => ds.flatMap((d) => (d.push ? [d.push.atMs - d.injectedAtMs] : []));
    console.log('');
    console.log(`CPU over ${WINDOW_S} s of steady polling:`);
    console.log(
      `  centre (role centre)      ${pct(centreCpu)}; ${observations.toLocaleString('en-US')} observations consumed (${(observations / WINDOW_S).toFixed(1)}/s), ${((1e6 * centreCpu) / Math.max(1, observations)).toFixed(0)} µs CPU each; RSS ${centreRss} MB`,
    );
    console.log(`  ${CITIES} pollers, together   ${pct(pollersCpu)} (each polls and simulates its own city)`);
    console.log(`  nats-server, 3 + ${CITIES} leaves ${pct(natsCpu)}`);
    console.log(`  peer: nms up (role all)   ${pct(allCpu)} for the same network polled, probed, simulated and decided in one process; RSS ${allRss} MB`);
    console.log(`Fault to push (a county uplink down, traps on), ${incidents.length} incidents:`);
    console.log(`  province (poller → bus → centre)   ${ms(faultToPush(provinceDelays))}`);
    console.log(`  peer: nms up (role all)            ${ms(faultToPush(allDelays))}`);
    console.log(`  added by the bus: ${median(faultToPush(provinceDelays)) - median(faultToPush(allDelays))} ms at the median (target < 1,000 ms)`);
    console.log(`First word of the fault on the bus to the centre's alarm: ${ms(wordToAlarm)}`);
  } catch (err) {
    for (const p of started) if (p.child.exitCode !== null) console.error(`${p.name} had exited:\n${p.output.slice(-2000)}`);
    throw err;
  } finally {
    for (const p of started.reverse()) await p.stop();
    receiver.close();
    await nats.dispose();
    await influx.dispose();
    await dir.remove();
  }
}

/** CPU seconds the processes used over the window. */
async function cpuOver(pids: number[]): Promise<number> {
  const sum = async () => (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
  const from = await sum();
  await sleep(WINDOW_S * 1000);
  return (await sum()) - from;
}

interface Incident {
  circuit: string;
  injectedAtMs: number;
  push: Push | null;
}

/** Each circuit down in turn, through its simulator's control API, until its push arrives (≤ 15 s); then up again. */
async function runIncidents(list: Array<{ circuit: string; control: string }>, pushes: Push[]): Promise<Incident[]> {
  const out: Incident[] = [];
  const fault = async (control: string, body: object) => {
    const res = await fetch(`${control}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`simulator ${control}: ${res.status} ${await res.text()}`);
  };
  for (const { circuit, control } of list) {
    const seen = pushes.length;
    const raisedFor = () => pushes.slice(seen).find((p) => p.reason === 'raised' && p.alarm.subject.id === circuit) ?? null;
    const injectedAtMs = Date.now();
    await fault(control, { fault: 'link-down', circuit });
    while (!raisedFor() && Date.now() - injectedAtMs < 15_000) await sleep(5);
    out.push({ circuit, injectedAtMs, push: raisedFor() });
    await fault(control, { fault: 'link-up', circuit });
    await sleep(3000);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
}

main().catch((err: Error) => {
  console.error(`bench/centre: ${err.message}`);
  process.exitCode = 1;
});
