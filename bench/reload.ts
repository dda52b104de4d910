/**
 * What `nms reload` costs a running product, on the demo city polled every
 * 2 s: how long a reload takes from the signal to the result, how long it
 * holds the event loop (during which no poll is sent or answered), and
 * whether polling carried on. Each reload takes a department's line out or
 * puts it back, so the core router's poller is rebuilt every time.
 *
 * Beside the figures, the same run's peers: parsing the same topology.yaml
 * alone (what `nms validate` does; the floor under the check), and the same
 * kept line's intervals over a span with no reload at all.
 *
 *   npx tsx bench/reload.ts [--reloads N]
 *
 * Bounded by --reloads; it sends only to 127.0.0.1.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { influxQueryOf } from '../server/influx/store.ts';
import { startProduct } from '../server/runtime.ts';
import { loadConfig } from '../shared/config/config.ts';
import { memoryLogger } from '../shared/log.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { numberArg } from './benchArgs.ts';
import { writeBenchConfig } from './benchProductConfig.ts';

const RELOADS = numberArg('reloads', 10);
const POLL_S = 2;
const KEPT = 'HY-UP-DX';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Doc {
  devices: Array<{ id: string }>;
  circuits: Array<{ id: string; a: { device: string }; z: { device?: string } }>;
}

const dir = await mkdtemp(join(tmpdir(), 'bench-reload-'));
try {
  const file = join(dir, 'topology.yaml');
  await copyFile('topology.yaml', file);
  await writeBenchConfig(dir, { topology: file, intervalS: POLL_S });
  const full = await readFile(resolve('topology.yaml'), 'utf8');
  const doc = parse(full) as Doc;
  const ends = doc.circuits.flatMap((c) => [c.a.device, c.z.device]);
  const leaf = doc.circuits.find((c) => c.a.device === 'hy-core-1' && c.z.device && ends.filter((e) => e === c.z.device).length === 1)!;
  const without = stringify({
    ...doc,
    circuits: doc.circuits.filter((c) => c !== leaf),
    devices: doc.devices.filter((d) => d.id !== leaf.z.device),
  });

  const product = await startProduct(await loadConfig({ env: {}, cwd: dir }), {}, memoryLogger());
  const query = influxQueryOf(product.store)!;
  try {
    await sleep(10_000);
    const quietFrom = Date.now();
    await sleep(20_000);
    const quietTo = Date.now();
    const took: number[] = [];
    const held: number[] = [];
    const windows: Array<[number, number]> = [];
    for (let i = 0; i < RELOADS; i++) {
      await writeFile(file, i % 2 === 0 ? without : full);
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const at = Date.now();
      const result = await product.reload();
      loop.disable();
      if (result.outcome !== 'applied') throw new Error(`reload ${i + 1}: ${result.outcome}: ${result.problems.join('; ')}`);
      took.push(result.tookMs);
      held.push(loop.max / 1e6);
      windows.push([at - POLL_S * 1000, at + 3 * POLL_S * 1000]);
      await sleep(3 * POLL_S * 1000);
    }
    await sleep(2 * POLL_S * 1000);

    const rows = (await query.query(`SELECT in_bps, interval_s FROM circuit_traffic WHERE circuit = '${KEPT}' AND time >= ${quietFrom}ms`)) as Array<{
      time: string | Date;
      in_bps: number | null;
      interval_s: number | null;
    }>;
    const points = rows.map((r) => ({ t: new Date(r.time).getTime(), i: r.interval_s }));
    const joins = (from: number, to: number) => {
      const inSpan = points.filter((p) => p.t >= from && p.t <= to);
      const off = inSpan.slice(1).map((p, k) => (p.i === null ? Infinity : Math.abs(p.t - p.i * 1000 - inSpan[k]!.t)));
      return { points: inSpan.length, worstJoinMs: Math.max(0, ...off), widestS: Math.max(...inSpan.map((p) => p.i ?? Infinity)) };
    };
    const quiet = joins(quietFrom, quietTo);
    const across = windows.map(([from, to]) => joins(from, to));

    const parseRuns = Array.from({ length: 5 }, () => {
      const started = performance.now();
      parseTopology(full, file);
      return performance.now() - started;
    });
    const t = product.topology;
    console.log(`nms reload on the demo city (${t.devices.length} devices, ${t.circuits.length} circuits), polled every ${POLL_S} s, ${RELOADS} reloads:`);
    console.log(`  a reload, signal to result: median ${median(took)} ms, worst ${Math.max(...took)} ms`);
    console.log(`  peer, parsing the same topology.yaml alone: median ${median(parseRuns).toFixed(0)} ms`);
    console.log(`  the event loop held during a reload: median ${median(held).toFixed(0)} ms, worst ${Math.max(...held).toFixed(0)} ms`);
    console.log(
      `  ${KEPT}'s intervals around each reload: worst join ${Math.max(...across.map((a) => a.worstJoinMs)).toFixed(0)} ms, widest ${Math.max(...across.map((a) => a.widestS)).toFixed(1)} s, ${across.reduce((s, a) => s + a.points, 0)} rates`,
    );
    console.log(
      `  peer, the same line over ${((quietTo - quietFrom) / 1000).toFixed(0)} s with no reload: worst join ${quiet.worstJoinMs.toFixed(0)} ms, widest ${quiet.widestS.toFixed(1)} s, ${quiet.points} rates`,
    );
  } finally {
    await product.stop();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
