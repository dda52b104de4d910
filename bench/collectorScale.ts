/**
 * The collector at province scale: N simulated agents × 20 interfaces, one
 * poll cycle, against the targets in issue 4 (2,500 agents, wall ≤ 10 s,
 * ≤ 3 µs CPU per varbind, RSS ≤ 300 MB, under `ulimit -n 1024`).
 *
 *   npx tsx bench/collectorScale.ts [--devices 2500] [--cycles 3]
 *
 * The simulator runs as its own process with a raised descriptor limit (it
 * needs a socket per agent); the poller runs as a child under `ulimit -n 1024`
 * and reports its own figures. Beside them: Debian's snmpbulkget reading the
 * same columns from a sample of the same agents. Bounded by --cycles; it sends
 * only to 127.0.0.1.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const DEVICES = arg('devices', 2500);
const CYCLES = arg('cycles', 3);
const IN_FLIGHT = arg('in-flight', 64);
const PER_DEVICE = 20;
const COMMUNITY = 'bench-community';

/** A generated network: one city, N department routers, 20 leased lines on each. */
function topologyYaml(devices: number): string {
  const out = [
    'version: 1',
    'network: { id: bench, name: { zh: 压测网, en: Bench network }, timezone: Asia/Shanghai }',
    'snmpProfiles:',
    '  v2c: { version: 2c, community: { env: BENCH_COMMUNITY } }',
    'slaTiers:',
    '  std: { availability: 99.0, utilizationWarn: 80, utilizationCritical: 95 }',
    'sites:',
    '  - { id: city, level: city, name: { zh: 市, en: City }, location: [112.5, 26.9], contact: { name: 值班, phone: "0" } }',
  ];
  for (let d = 0; d < devices; d++) out.push(`  - { id: s${d}, level: department, parent: city, name: { zh: 部门${d}, en: Dept ${d} }, location: [112.5, 26.9], contact: { name: 值班, phone: "0" } }`);
  out.push('devices:');
  for (let d = 0; d < devices; d++) out.push(`  - { id: r${d}, site: s${d}, role: cpe, vendor: huawei, address: 127.0.0.1, snmp: v2c }`);
  out.push('circuits:');
  for (let d = 0; d < devices; d++) {
    for (let k = 0; k < PER_DEVICE; k++) {
      out.push(`  - { id: C${d}-${k}, carrier: telecom, carrierCircuitId: B${d}-${k}, bandwidth: 10M, a: { device: r${d}, ifName: GigabitEthernet0/0/${k} }, z: { external: { zh: 外, en: Out } }, sla: std, owner: s${d} }`);
    }
  }
  return `${out.join('\n')}\n`;
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
  console.error(`rss after model ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
  const endpoints = (await publishedEndpoints(join(dir, 'sim', 'sim.json')))!;
  const collector = new Collector({
    topology,
    endpoints: new Map(Object.entries(endpoints)),
    credentials: credentialsFor(topology, { env: { BENCH_COMMUNITY: COMMUNITY } }),
    production: false,
    sink: null,
    live: new LiveState(),
    log: memoryLogger(),
    maxInFlight: IN_FLIGHT,
    client: { timeoutMs: 5000, retries: 1, maxVarbinds: 40, maxRepetitions: 25 },
  });
  const first = await collector.pollAll();
  const heapAfterFirstCycle = heapMb();
  console.error(`rss after first cycle ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
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
    if (ms > 0) byThread[tid === String(process.pid) ? "main" : `${t.name}:${tid}`] = ms;
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
    heapAfterModelMb: heapAfterModel,
    heapAfterFirstCycleMb: heapAfterFirstCycle,
    heapSteadyMb: heapMb(),
  };
  if (process.env.NMS_BENCH_HEAP_SNAPSHOT) (await import('node:v8')).writeHeapSnapshot(process.env.NMS_BENCH_HEAP_SNAPSHOT);
  await collector.stop();
  console.log(JSON.stringify(result));
}

async function main(): Promise<void> {
  if (args.includes('--poller-child')) return pollerChild(args[args.indexOf('--poller-child') + 1]!);
  const dir = await mkdtemp(join(tmpdir(), 'nms-bench-scale-'));
  const bin = resolve('bin/nms.js');
  let sim: ReturnType<typeof spawn> | null = null;
  try {
    await writeFile(join(dir, 'topology.yaml'), topologyYaml(DEVICES));
    console.log(`Generated ${DEVICES} devices × ${PER_DEVICE} interfaces = ${DEVICES * PER_DEVICE} polled interfaces.`);
    // The simulator needs a socket per agent: raise its own limit, not the poller's.
    sim = spawn('bash', ['-c', `ulimit -n 16384 && exec "${process.execPath}" "${bin}" sim --topology topology.yaml --base-port 0 --control-port 0`], {
      cwd: dir,
      env: { ...process.env, NMS_DATA_DIR: dir, BENCH_COMMUNITY: COMMUNITY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    sim.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    sim.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const t0 = Date.now();
    while (!out.includes('Press Ctrl-C')) {
      if (sim.exitCode !== null || Date.now() - t0 > 300_000) throw new Error(`the simulator did not start:\n${err.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`Simulator up in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);

    const child = await run('bash', ['-c', `ulimit -n 1024 && exec "${process.execPath}" --expose-gc ${process.env.NMS_BENCH_NODE_FLAGS ?? ""} ${process.env.NMS_BENCH_PROFILE ? `--cpu-prof --cpu-prof-dir=${process.env.NMS_BENCH_PROFILE}` : ''} --import tsx "${resolve('bench/collectorScale.ts')}" --poller-child "${dir}" --cycles ${CYCLES} --in-flight ${IN_FLIGHT}`], {
      maxBuffer: 16 * 2 ** 20,
      timeout: 600_000,
    });
    if (process.env.NMS_BENCH_CHILD_OUT) await writeFile(process.env.NMS_BENCH_CHILD_OUT, child.stdout + child.stderr);
    const r = JSON.parse(child.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop()!) as {
      devices: number; interfaces: number; firstCycleMs: number; wallMs: number[]; varbinds: number; requests: number; failedPolls: number; cpuUsPerVarbind: number; rssMb: number;
      userMs: number; systemMs: number; threadMs: Record<string, number>;
      heapAfterModelMb: number; heapAfterFirstCycleMb: number; heapSteadyMb: number;
    };
    console.log(`Poller under ulimit -n 1024: ${r.devices} devices, ${r.interfaces} interfaces`);
    console.log(`  first cycle (names resolved) ${r.firstCycleMs} ms; measured cycles ${r.wallMs.join(', ')} ms (target ≤ 10,000)`);
    console.log(`  ${r.varbinds.toFixed(0)} varbinds in ${r.requests.toFixed(0)} requests per cycle; failed polls ${r.failedPolls}`);
    console.log(`  poller CPU ${r.cpuUsPerVarbind.toFixed(2)} µs per varbind (target ≤ 3); RSS ${r.rssMb.toFixed(0)} MB (target ≤ 300)`);
    console.log(`  CPU over the measured cycles: user ${r.userMs.toFixed(0)} ms, system ${r.systemMs.toFixed(0)} ms; by thread ${Object.entries(r.threadMs).map(([n, ms]) => `${n} ${ms}`).join(', ')} ms`);
    console.log(`  live heap after GC: ${r.heapAfterModelMb.toFixed(0)} MB with the model loaded, ${r.heapAfterFirstCycleMb.toFixed(0)} MB after the first cycle, ${r.heapSteadyMb.toFixed(0)} MB at the end`);

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
    console.log(`Peer, Debian snmpbulkget, same columns, 100 of the agents 8 at a time: ${perDevice.toFixed(1)} ms per device (≈ ${((perDevice * r.devices) / 1000).toFixed(1)} s for all)`);
  } finally {
    if (sim && sim.exitCode === null) {
      const exited = new Promise((res) => sim!.once('exit', res));
      sim.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/collectorScale: ${err.message}`);
  process.exitCode = 1;
});
