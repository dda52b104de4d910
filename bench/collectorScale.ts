/**
 * The collector at province scale: N agents × 20 interfaces, against the
 * targets in issue 4 (2,500 agents, a cycle in ≤ 10 s, ≤ 3 µs CPU per
 * varbind, RSS ≤ 300 MB, under `ulimit -n 1024`).
 *
 *   npx tsx bench/collectorScale.ts [--devices 2500] [--cycles 3] [--agents snmpd|sim]
 *       [--agent-processes 2] [--in-flight 64] [--idle 30] [--pin]
 *
 * The agents: Debian's snmpd answering on one port per device (default), or
 * our simulator (--agents sim), which costs about 10x more per request and
 * bounds the cycle time. Either way they run as separate processes with a
 * raised descriptor limit (a socket per agent). The poller runs as a child
 * under `ulimit -n 1024`: one cycle to resolve names, then --cycles measured
 * ones, then a rest before its resting RSS is read.
 *
 * Beside its figures, the same run's ceiling and peer: the same GETs to the
 * same agents as raw node:dgram datagrams with nothing decoded (the floor for
 * this I/O in Node), and Debian's snmpbulkget on a sample of the agents.
 * Bounded by --cycles; it sends only to 127.0.0.1.
 *
 * Diagnostics, by environment: NMS_BENCH_NODE_FLAGS (extra node flags for the
 * poller), NMS_BENCH_PROFILE=dir (CPU profile), NMS_BENCH_ALLOC_PROFILE=file
 * (sampled allocations, collected ones included), NMS_BENCH_HEAP_SNAPSHOT=file,
 * NMS_BENCH_CHILD_OUT=file (the poller's raw output).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_COMMUNITY_ENV, INTERFACES_PER_DEVICE as PER_DEVICE, topologyYaml } from './generatedNetwork.ts';
import { numberArg } from './benchArgs.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const arg = numberArg;
const DEVICES = arg('devices', 2500);
const CYCLES = arg('cycles', 3);
const IN_FLIGHT = arg('in-flight', 64);
/** Agent processes: our simulator (default), or Debian's snmpd serving many ports each (--agents snmpd). */
const AGENT_PROCESSES = arg('agent-processes', 2);
/** Seconds the poller rests after the cycles before its resting RSS is read (a 60 s cycle rests ~58). */
const IDLE_S = arg('idle', 30);
const AGENTS = args.includes('--agents') ? args[args.indexOf('--agents') + 1] : 'snmpd';
/** Poller on CPU 0, simulators on CPU 1: the poller's figures without the agents' contention. */
const PIN = args.includes('--pin');
/** GETs per device per cycle in the poller (sysUpTime, health, then 3 interfaces of 11 OIDs each). */
const REQUESTS_PER_DEVICE = 7;
const COMMUNITY = 'bench-community';

/**
 * The floor under the poller: the same number of GETs of 33 OIDs to the same
 * agents, as raw node:dgram datagrams on 4 sockets, 64 devices in flight, with
 * nothing decoded. What is left between this and the poller is ours.
 */
async function rawFloorChild(dir: string): Promise<void> {
  const dgram = await import('node:dgram');
  const { peekRequestId, prepareGet } = await import('../collectors/snmp/communityGetCodec.ts');
  const endpoints = Object.values(JSON.parse(await readFile(join(dir, 'sim', 'sim.json'), 'utf8')).devices as Record<string, { port: number }>);
  const oids = ['1.3.6.1.2.1.1.3.0', ...Array.from({ length: 16 }, (_, i) => [`1.3.6.1.2.1.2.2.1.10.${i + 1}`, `1.3.6.1.2.1.2.2.1.16.${i + 1}`]).flat()];
  const template = prepareGet('2c', Buffer.from(COMMUNITY), oids);
  const sockets = Array.from({ length: 4 }, () => dgram.createSocket('udp4'));
  await Promise.all(sockets.map((sock) => new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))));
  const waiting = new Map<number, () => void>();
  for (const sock of sockets) sock.on('message', (m) => waiting.get(peekRequestId(m))?.());
  let id = 0x0100_0000;
  let lost = 0;
  const ask = (port: number) =>
    new Promise<void>((resolveAsk) => {
      const requestId = id++;
      const message = Buffer.from(template.buffer);
      message.writeUInt32BE(requestId, template.idOffset);
      const timer = setTimeout(() => {
        lost++;
        waiting.delete(requestId);
        resolveAsk();
      }, 5000);
      waiting.set(requestId, () => {
        clearTimeout(timer);
        waiting.delete(requestId);
        resolveAsk();
      });
      sockets[port % sockets.length]!.send(message, port, '127.0.0.1');
    });
  const pass = async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < endpoints.length) {
          const e = endpoints[next++]!;
          for (let r = 0; r < REQUESTS_PER_DEVICE; r++) await ask(e.port);
        }
      }),
    );
  };
  await pass(); // warm up, as the poller's first cycle does
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  for (let i = 0; i < CYCLES; i++) await pass();
  const cpu = process.cpuUsage(cpu0);
  const varbinds = CYCLES * endpoints.length * REQUESTS_PER_DEVICE * oids.length;
  for (const sock of sockets) sock.close();
  console.log(JSON.stringify({ cpuUsPerVarbind: (cpu.user + cpu.system) / varbinds, wallMs: (Date.now() - t0) / CYCLES, lost }));
}

/** One simulator process for the network in `dir`; ready once its agents answer. */
interface AgentProcess {
  ready: Promise<void>;
  stop(): Promise<void>;
  cpuS(): Promise<number>;
}

function startSimulator(dir: string, bin: string): AgentProcess {
  return supervise(dir, `"${process.execPath}" "${bin}" sim --topology topology.yaml --base-port 0 --control-port 0`, async (out) =>
    out.includes('Press Ctrl-C'),
  );
}

/**
 * Debian's snmpd answering on `ports`, each a device with the bench's 20
 * interfaces (ifTable and ifName by `override`, 32-bit counters; the real
 * interface modules left out). A real agent some 10x cheaper per request than
 * the simulator, so the poller's own wall time shows.
 */
async function startSnmpd(dir: string, ports: number[]): Promise<AgentProcess> {
  const conf = [`rocommunity ${COMMUNITY} 127.0.0.1`];
  const column = (table: string, col: number, i: number, type: string, value: string | number) => conf.push(`override .${table}.${col}.${i} ${type} ${value}`);
  for (let i = 1; i <= PER_DEVICE; i++) {
    column('1.3.6.1.2.1.31.1.1.1', 1, i, 'octet_str', `"GigabitEthernet0/0/${i - 1}"`);
    column('1.3.6.1.2.1.31.1.1.1', 19, i, 'uinteger', 0);
    for (const [col, type, value] of [
      [10, 'counter', 1000 * i],
      [16, 'counter', 2000 * i],
      [14, 'counter', 0],
      [20, 'counter', 0],
      [13, 'counter', 0],
      [19, 'counter', 0],
      [8, 'integer', 1],
      [7, 'integer', 1],
      [9, 'uinteger', 0],
    ] as const) {
      column('1.3.6.1.2.1.2.2.1', col, i, type, value);
    }
  }
  await writeFile(join(dir, 'snmpd.conf'), `${conf.join('\n')}\n`);
  const listen = ports.map((p) => `udp:127.0.0.1:${p}`).join(',');
  return supervise(dir, `snmpd -f -Lo -C -I -ifTable,-ifXTable,-interfaces -c snmpd.conf ${listen}`, async () => {
    const probe = await run('snmpget', ['-m', '', '-v2c', '-c', COMMUNITY, '-r0', '-t1', `127.0.0.1:${ports[ports.length - 1]}`, '1.3.6.1.2.1.1.3.0']).then(
      () => true,
      () => false,
    );
    return probe;
  });
}

/** A child under its own raised descriptor limit (a socket per agent), pinned to CPU 1 with --pin. */
function supervise(dir: string, command: string, isReady: (out: string) => Promise<boolean>): AgentProcess {
  const sim = spawn('bash', ['-c', `ulimit -n 16384 && exec ${PIN ? 'taskset -c 1 ' : ''}${command}`], {
    cwd: dir,
    env: { ...process.env, NMS_DATA_DIR: dir, [BENCH_COMMUNITY_ENV]: COMMUNITY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  sim.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  sim.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = (async () => {
    const t0 = Date.now();
    while (!(await isReady(out))) {
      if (sim.exitCode !== null || Date.now() - t0 > 300_000)
        throw new Error(`${command.slice(0, 60)}… in ${dir} did not start:\n${(err || out).slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  ready.catch(() => undefined); // awaited by the caller; never an unhandled rejection
  const stop = async () => {
    if (sim.exitCode !== null || sim.signalCode !== null) return;
    const exited = new Promise((res) => sim.once('exit', res));
    sim.kill('SIGTERM');
    await exited;
  };
  /** CPU seconds the simulator has used so far, from /proc. */
  const cpuS = async () => {
    const f = (await readFile(`/proc/${sim.pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  return { ready, stop, cpuS };
}

/** CPU per thread of this process, from /proc (clock ticks of 10 ms): which thread the poller's CPU goes to. */
async function threadCpu(): Promise<Map<string, { name: string; ms: number }>> {
  const { readdir } = await import('node:fs/promises');
  const out = new Map<string, { name: string; ms: number }>();
  for (const tid of await readdir('/proc/self/task')) {
    const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
    const m = /\((.*)\) (.*)/.exec(stat);
    if (!m) continue;
    const f = m[2]!.split(' ');
    out.set(tid, { name: m[1]!, ms: (Number(f[11]) + Number(f[12])) * 10 });
  }
  return out;
}

/** Samples every allocation, including what the GC has since collected: where the garbage comes from. */
async function startAllocationSampling(): Promise<() => Promise<unknown>> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((res, rej) => session.post(method, params ?? {}, (err, result) => (err ? rej(err) : res(result))));
  await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => ((await post('HeapProfiler.stopSampling')) as { profile: unknown }).profile;
}

/** The poller child: one cycle to resolve names, then CYCLES measured cycles. */
async function pollerChild(dir: string): Promise<void> {
  const { Collector } = await import('../collectors/collector.ts');
  const { credentialsFor, publishedEndpoints } = await import('../collectors/collectionSetup.ts');
  const { LiveState } = await import('../shared/live/liveState.ts');
  const { memoryLogger } = await import('../shared/log.ts');
  const { loadTopology } = await import('../shared/model/loader.ts');
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const heapMb = () => {
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const topology = await loadTopology(join(dir, 'topology.yaml'));
  const heapAfterModel = heapMb();
  const endpoints = (await publishedEndpoints(join(dir, 'sim', 'sim.json')))!;
  const collector = new Collector({
    topology,
    endpoints: new Map(Object.entries(endpoints)),
    credentials: credentialsFor(topology, { env: { [BENCH_COMMUNITY_ENV]: COMMUNITY } }),
    production: false,
    sink: null,
    live: new LiveState(),
    log: memoryLogger(),
    maxInFlight: IN_FLIGHT,
    client: { timeoutMs: 5000, retries: 1, maxVarbinds: 40, maxRepetitions: 25 },
  });
  const first = await collector.pollAll();
  const heapAfterFirstCycle = heapMb();
  const threads0 = await threadCpu();
  const cpu0 = process.cpuUsage();
  const v0 = collector.stats.varbinds;
  const r0 = collector.stats.requests;
  const failed0 = collector.stats.pollsFailed;
  const allocationProfile = process.env.NMS_BENCH_ALLOC_PROFILE ? await startAllocationSampling() : null;
  const walls: number[] = [];
  for (let i = 0; i < CYCLES; i++) walls.push(await collector.pollAll());
  if (allocationProfile) await writeFile(process.env.NMS_BENCH_ALLOC_PROFILE!, JSON.stringify(await allocationProfile()));
  const cpu = process.cpuUsage(cpu0);
  const threads1 = await threadCpu();
  const byThread: Record<string, number> = {};
  for (const [tid, t] of threads1) {
    const ms = t.ms - (threads0.get(tid)?.ms ?? 0);
    if (ms > 0) byThread[tid === String(process.pid) ? 'main' : `${t.name}:${tid}`] = ms;
  }
  const result = {
    devices: collector.pollers.size,
    interfaces: topology.circuits.length,
    firstCycleMs: first,
    wallMs: walls,
    varbinds: (collector.stats.varbinds - v0) / CYCLES,
    requests: (collector.stats.requests - r0) / CYCLES,
    failedPolls: collector.stats.pollsFailed - failed0,
    cpuUsPerVarbind: (cpu.user + cpu.system) / (collector.stats.varbinds - v0),
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
    threadMs: byThread,
    rssMb: process.memoryUsage().rss / 2 ** 20,
    rssRestingMb: 0,
    rssPeakMb: 0,
    heapAfterModelMb: heapAfterModel,
    heapAfterFirstCycleMb: heapAfterFirstCycle,
    heapSteadyMb: heapMb(),
  };
  // At a 60 s interval the poller rests most of the minute, and V8 hands memory back while it does.
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const status = await readFile('/proc/self/status', 'utf8');
  Object.assign(result, { rssRestingMb: process.memoryUsage().rss / 2 ** 20, rssPeakMb: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024 });
  if (process.env.NMS_BENCH_HEAP_SNAPSHOT) (await import('node:v8')).writeHeapSnapshot(process.env.NMS_BENCH_HEAP_SNAPSHOT);
  await collector.stop();
  console.log(JSON.stringify(result));
}

async function main(): Promise<void> {
  if (args.includes('--poller-child')) return pollerChild(args[args.indexOf('--poller-child') + 1]!);
  if (args.includes('--raw-child')) return rawFloorChild(args[args.indexOf('--raw-child') + 1]!);
  const dir = await mkdtemp(join(tmpdir(), 'nms-bench-scale-'));
  const bin = resolve('bin/nms.js');
  const sims: AgentProcess[] = [];
  try {
    await writeFile(join(dir, 'topology.yaml'), topologyYaml(DEVICES));
    console.log(`Generated ${DEVICES} devices × ${PER_DEVICE} interfaces = ${DEVICES * PER_DEVICE} polled interfaces.`);
    const t0 = Date.now();
    const merged: Record<string, { host: string; port: number }> = {};
    for (let i = 0; i < AGENT_PROCESSES; i++) {
      const part = join(dir, `agents-${i}`);
      await mkdir(part);
      const from = Math.round((i * DEVICES) / AGENT_PROCESSES);
      const to = Math.round(((i + 1) * DEVICES) / AGENT_PROCESSES);
      if (AGENTS === 'snmpd') {
        // A random block of ports; another block if one of them is taken.
        for (let attempt = 1; ; attempt++) {
          const base = 20_000 + Math.floor(Math.random() * 30_000);
          const ports = Array.from({ length: to - from }, (_, k) => base + k);
          const agent = await startSnmpd(part, ports);
          const started = await agent.ready.then(
            () => true,
            (e: Error) => (attempt < 5 ? false : Promise.reject(e)),
          );
          if (!started) continue;
          ports.forEach((port, k) => {
            merged[`r${from + k}`] = { host: '127.0.0.1', port };
          });
          sims.push(agent);
          break;
        }
      } else {
        // The simulator is single-threaded and slower per request than a real agent
        // (see bench/simulator.ts): each process runs a share of the devices.
        await writeFile(join(part, 'topology.yaml'), topologyYaml(to, from));
        sims.push(startSimulator(part, bin));
      }
    }
    for (let i = 0; i < AGENT_PROCESSES; i++) {
      await sims[i]!.ready;
      if (AGENTS !== 'snmpd') Object.assign(merged, JSON.parse(await readFile(join(dir, `agents-${i}`, 'sim', 'sim.json'), 'utf8')).devices);
    }
    await mkdir(join(dir, 'sim'));
    await writeFile(join(dir, 'sim', 'sim.json'), JSON.stringify({ devices: merged }));
    console.log(`${AGENT_PROCESSES} ${AGENTS === 'snmpd' ? 'Debian snmpd' : 'simulator'} processes up in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);

    const simCpu0 = await Promise.all(sims.map((sim) => sim.cpuS()));
    const child0 = Date.now();
    const child = await run(
      'bash',
      [
        '-c',
        `ulimit -n 1024 && exec ${PIN ? 'taskset -c 0 ' : ''}"${process.execPath}" --expose-gc ${process.env.NMS_BENCH_NODE_FLAGS ?? ''} ${process.env.NMS_BENCH_PROFILE ? `--cpu-prof --cpu-prof-dir=${process.env.NMS_BENCH_PROFILE}` : ''} --import tsx "${resolve('bench/collectorScale.ts')}" --poller-child "${dir}" --cycles ${CYCLES} --in-flight ${IN_FLIGHT} --idle ${IDLE_S}`,
      ],
      {
        maxBuffer: 16 * 2 ** 20,
        timeout: 600_000,
      },
    );
    const childS = (Date.now() - child0) / 1000;
    const simBusy = (await Promise.all(sims.map((sim) => sim.cpuS()))).map((cpu, i) => (cpu - simCpu0[i]!) / childS);
    if (process.env.NMS_BENCH_CHILD_OUT) await writeFile(process.env.NMS_BENCH_CHILD_OUT, child.stdout + child.stderr);
    const r = JSON.parse(
      child.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop()!,
    ) as {
      devices: number;
      interfaces: number;
      firstCycleMs: number;
      wallMs: number[];
      varbinds: number;
      requests: number;
      failedPolls: number;
      cpuUsPerVarbind: number;
      rssMb: number;
      rssRestingMb: number;
      rssPeakMb: number;
      userMs: number;
      systemMs: number;
      threadMs: Record<string, number>;
      heapAfterModelMb: number;
      heapAfterFirstCycleMb: number;
      heapSteadyMb: number;
    };
    console.log(`Poller under ulimit -n 1024: ${r.devices} devices, ${r.interfaces} interfaces`);
    console.log(`  first cycle (names resolved) ${r.firstCycleMs} ms; measured cycles ${r.wallMs.join(', ')} ms (target ≤ 10,000)`);
    console.log(`  ${r.varbinds.toFixed(0)} varbinds in ${r.requests.toFixed(0)} requests per cycle; failed polls ${r.failedPolls}`);
    console.log(`  poller CPU ${r.cpuUsPerVarbind.toFixed(2)} µs per varbind (target ≤ 3)`);
    console.log(
      `  RSS (target ≤ 300 MB): ${r.rssRestingMb.toFixed(0)} MB resting ${IDLE_S} s after the cycles; ${r.rssMb.toFixed(0)} MB straight after them; peak ${r.rssPeakMb.toFixed(0)} MB (loading the topology)`,
    );
    console.log(
      `  CPU over the measured cycles: user ${r.userMs.toFixed(0)} ms, system ${r.systemMs.toFixed(0)} ms; by thread ${Object.entries(r.threadMs)
        .map(([n, ms]) => `${n} ${ms}`)
        .join(', ')} ms`,
    );
    console.log(
      `  the ${AGENT_PROCESSES} agent processes were busy ${simBusy.map((b) => `${(b * 100).toFixed(0)}%`).join(' and ')} of a core during the poller's run`,
    );
    console.log(
      `  live heap after GC: ${r.heapAfterModelMb.toFixed(0)} MB with the model loaded, ${r.heapAfterFirstCycleMb.toFixed(0)} MB after the first cycle, ${r.heapSteadyMb.toFixed(0)} MB at the end`,
    );

    const raw = await run(
      'bash',
      [
        '-c',
        `ulimit -n 1024 && exec ${PIN ? 'taskset -c 0 ' : ''}"${process.execPath}" --import tsx "${resolve('bench/collectorScale.ts')}" --raw-child "${dir}" --cycles ${CYCLES}`,
      ],
      { maxBuffer: 2 ** 20, timeout: 600_000 },
    );
    const floor = JSON.parse(raw.stdout.trim().split('\n').pop()!) as { cpuUsPerVarbind: number; wallMs: number; lost: number };
    console.log(
      `Floor, raw node:dgram with the same GETs to the same agents, nothing decoded: ${floor.cpuUsPerVarbind.toFixed(2)} µs per varbind, ${floor.wallMs.toFixed(0)} ms per cycle (${floor.lost} lost)`,
    );

    // Peer: Debian's snmpbulkget reading the same columns from 100 of the agents, 8 at a time.
    const sample = Object.values(JSON.parse(await readFile(join(dir, 'sim', 'sim.json'), 'utf8')).devices as Record<string, { port: number }>).slice(0, 100);
    const columns = ['1.3.6.1.2.1.31.1.1.1.6', '1.3.6.1.2.1.31.1.1.1.10', '1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.2.2.1.14'];
    const p0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < sample.length) {
          const e = sample[next++]!;
          await run('snmpbulkget', ['-m', '', '-v2c', '-c', COMMUNITY, '-Cr25', '-On', `127.0.0.1:${e.port}`, ...columns]);
        }
      }),
    );
    const perDevice = (Date.now() - p0) / sample.length;
    console.log(
      `Peer, Debian snmpbulkget, same columns, 100 of the agents 8 at a time: ${perDevice.toFixed(1)} ms per device (≈ ${((perDevice * r.devices) / 1000).toFixed(1)} s for all)`,
    );
  } finally {
    await Promise.all(sims.map((sim) => sim.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/collectorScale: ${err.message}`);
  process.exitCode = 1;
});
