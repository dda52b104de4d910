/**
 * What the circuit prober costs at province scale (1,100 circuits), beside
 * bare fping over the same targets in the same run: CPU per probe packet
 * (the prober's own process and its fping child together, against fping
 * alone) and the wall time of one round. Target: within 1.2× of bare
 * fping's CPU.
 *
 *   npx tsx bench/prober.ts [--circuits 1100] [--count 20] [--interval 60] [--repeat 2]
 *
 * Bounded: a fixed number of rounds; every target is a loopback address
 * (127.1.x.y, which the kernel answers itself).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CircuitProber } from '../collectors/probe/circuitProber.ts';
import { fpingArgs, fpingChunks } from '../collectors/probe/fpingProbe.ts';
import { probeTargetCheck } from '../collectors/snmp/targetPolicy.ts';
import type { Point } from '../collectors/write/lineProtocol.ts';
import { LiveState } from '../shared/live/liveState.ts';
import { memoryLogger } from '../shared/log.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { numberArg } from './benchArgs.ts';

const arg = numberArg;
const CIRCUITS = arg('circuits', 1100);
const COUNT = arg('count', 20);
const INTERVAL_S = arg('interval', 60);
const REPEAT = arg('repeat', 2);

const address = (i: number) => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;

function topologyYaml(): string {
  const lines = [
    'version: 1',
    'network: { id: bench, name: { zh: 基准, en: Bench }, timezone: Asia/Shanghai }',
    'snmpProfiles: { p: { version: 2c, community: { env: BENCH_COMMUNITY } } }',
    'slaTiers: { t: { availability: 99.9, utilizationWarn: 80, utilizationCritical: 95, latencyMs: 50, lossPct: 2, jitterMs: 10 } }',
    'sites: [{ id: c, level: city, name: { zh: 市, en: City }, location: [112.6, 26.9], contact: { name: 值班, phone: "0734-0" } }]',
    'devices:',
    '  - { id: core, site: c, role: core, vendor: generic, address: 127.0.0.1, snmp: p }',
    ...Array.from({ length: CIRCUITS }, (_, i) => `  - { id: d${i}, site: c, role: cpe, vendor: generic, managed: false, address: ${address(i)} }`),
    'circuits:',
    ...Array.from(
      { length: CIRCUITS },
      (_, i) =>
        `  - { id: C${i}, carrier: telecom, carrierCircuitId: X${i}, bandwidth: 2M, a: { device: core, ifName: s${i} }, z: { device: d${i} }, sla: t, owner: c }`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** CPU seconds of this process's children that have been waited for (the kernel's cutime + cstime). */
function childCpuS(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // fields 16 and 17 of stat(5), in clock ticks (USER_HZ = 100)
}

/** fping as a person would run it over the same targets, split the same way (one process when the period has room). */
async function bareFping(targets: string[]): Promise<{ cpuS: number; wallS: number; processes: number }> {
  const periodMs = (INTERVAL_S * 1000) / COUNT;
  const chunks = fpingChunks({ targets, count: COUNT, periodMs, timeoutMs: Math.min(periodMs * 0.9, 2000) });
  const before = childCpuS();
  const t0 = performance.now();
  await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('fping', fpingArgs(chunk), { stdio: ['ignore', 'ignore', 'pipe'] });
          child.stderr!.resume();
          child.once('error', reject);
          child.once('close', () => resolve());
        }),
    ),
  );
  return { cpuS: childCpuS() - before, wallS: (performance.now() - t0) / 1000, processes: chunks.length };
}

async function proberRound(): Promise<{ cpuS: number; wallS: number; points: number; lossPct: number }> {
  const topology = parseTopology(topologyYaml(), 'bench.yaml');
  const live = new LiveState();
  const points: Point[] = [];
  const prober = new CircuitProber({
    topology,
    live,
    sink: { write: (ps) => void points.push(...ps) },
    log: memoryLogger(),
    check: probeTargetCheck(topology, false),
    intervalMs: INTERVAL_S * 1000,
    // Nothing is polled here: give each verdict at once.
    verdictWaitMs: 0,
  });
  const cpu0 = process.cpuUsage();
  const child0 = childCpuS();
  prober.start();
  await new Promise<void>((resolve) => {
    const off = live.subscribe(() => {
      if (live.quality.size >= CIRCUITS) {
        off();
        resolve();
      }
    });
  });
  // The round itself, not the group's start offset before it.
  const rounds = [...live.quality.values()];
  const wallS = (Math.max(...rounds.map((q) => q.endedAtMs)) - Math.min(...rounds.map((q) => q.startedAtMs))) / 1000;
  await prober.stop();
  const cpu = process.cpuUsage(cpu0);
  const lost = [...live.quality.values()].reduce((n, q) => n + q.sent - q.received, 0);
  return { cpuS: (cpu.user + cpu.system) / 1e6 + (childCpuS() - child0), wallS, points: points.length, lossPct: (100 * lost) / (CIRCUITS * COUNT) };
}

/** This process's CPU while doing nothing for as long: tsx's loader alone costs some (about 10 ms a second here). */
async function idleFloorS(seconds: number): Promise<number> {
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const targets = Array.from({ length: CIRCUITS }, (_, i) => address(i));
const packets = CIRCUITS * COUNT;
console.log(
  `circuit prober: ${CIRCUITS} circuits, ${COUNT} echoes each over ${INTERVAL_S} s (${packets} packets a round), ${REPEAT} rounds of each, alternating`,
);
const bare: number[] = [];
const ours: number[] = [];
for (let r = 0; r < REPEAT; r++) {
  const b = await bareFping(targets);
  bare.push(b.cpuS);
  console.log(
    `  bare fping     round ${r + 1}: ${((b.cpuS * 1e6) / packets).toFixed(2)} µs CPU per packet (${b.cpuS.toFixed(3)} s, ${b.processes} process${b.processes > 1 ? 'es' : ''}), wall ${b.wallS.toFixed(1)} s`,
  );
  const p = await proberRound();
  const idle = await idleFloorS(p.wallS);
  ours.push(p.cpuS - idle);
  console.log(
    `  circuit prober round ${r + 1}: ${(((p.cpuS - idle) * 1e6) / packets).toFixed(2)} µs CPU per packet (${p.cpuS.toFixed(3)} s, fping and parsing and ${p.points} points, less ${idle.toFixed(3)} s this process spends idle as long), wall ${p.wallS.toFixed(1)} s, loss ${p.lossPct.toFixed(2)}%`,
  );
}
const min = (xs: number[]) => Math.min(...xs);
console.log(
  `best of ${REPEAT}: prober ${((min(ours) * 1e6) / packets).toFixed(2)} µs/packet, bare fping ${((min(bare) * 1e6) / packets).toFixed(2)} µs/packet: ${(min(ours) / min(bare)).toFixed(2)}× (target ≤ 1.2×)`,
);
