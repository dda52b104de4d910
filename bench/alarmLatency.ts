/**
 * How long from a link going down in the simulated network to the webhook
 * receiving the push (issue 5's targets: ≤ 1 s with traps, ≤ one poll
 * interval + 1 s without). The whole product runs in this process as
 * `nms up` would, with a webhook channel to a local receiver; traps are then
 * switched off by closing the receiver, so the pollers alone must find it.
 *
 *   npx tsx bench/alarmLatency.ts [--rounds 3] [--interval 10]
 *
 * Bounded: a fixed number of incidents; everything on loopback.
 */
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProduct } from '../server/runtime.ts';
import { loadConfig } from '../shared/config/config.ts';
import { memoryLogger } from '../shared/log.ts';
import { numberArg } from './benchArgs.ts';
import { writeBenchConfig } from './benchProductConfig.ts';

const arg = numberArg;
const ROUNDS = arg('rounds', 3);
const INTERVAL_S = arg('interval', 10);
/** County uplinks, measured at the cores: each incident on its own circuit. */
const CIRCUITS = ['HY-HSX', 'HY-QDX', 'HY-CNS', 'HY-ZHQ', 'HY-SGQ', 'HY-NYQ', 'HY-YFQ', 'HY-ZXQ'];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nms-bench-latency-'));
  const arrivals: Array<{ atMs: number; body: { reason: string; alarm: { subject: { id: string } } } }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      arrivals.push({ atMs: Date.now(), body: JSON.parse(body) });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const hook = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  const trapPort = 20_000 + Math.floor(Math.random() * 30_000);
  await writeBenchConfig(dir, {
    intervalS: INTERVAL_S,
    trapPort,
    alarms: ['  clearAfter: 1s', '  channels:', `    - { name: bench-hook, kind: webhook, url: "${hook}", ratePerMinute: 600 }`],
  });
  const product = await startProduct(await loadConfig({ env: {}, cwd: dir }), {}, memoryLogger());
  try {
    // Two rounds of polls first, so the engine knows the network.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000 + 2000));
    const sim = product.simulation!.simulator;
    const incident = async (circuit: string, limitMs: number): Promise<number | null> => {
      const seen = arrivals.length;
      const t0 = Date.now();
      sim.inject({ fault: 'link-down', circuit });
      while (Date.now() - t0 < limitMs && !arrivals.slice(seen).some((a) => a.body.reason === 'raised' && a.body.alarm.subject.id === circuit))
        await new Promise((r) => setTimeout(r, 5));
      const got = arrivals.slice(seen).find((a) => a.body.reason === 'raised' && a.body.alarm.subject.id === circuit);
      sim.inject({ fault: 'link-up', circuit });
      await new Promise((r) => setTimeout(r, 3000));
      return got ? got.atMs - t0 : null;
    };
    const withTraps: Array<number | null> = [];
    for (let i = 0; i < ROUNDS; i++) withTraps.push(await incident(CIRCUITS[i % CIRCUITS.length]!, 10_000));
    await product.traps.close();
    const withoutTraps: Array<number | null> = [];
    for (let i = 0; i < ROUNDS; i++) withoutTraps.push(await incident(CIRCUITS[(ROUNDS + i) % CIRCUITS.length]!, (INTERVAL_S + 10) * 1000));
    const show = (xs: Array<number | null>) => xs.map((x) => (x === null ? 'none' : `${x} ms`)).join(', ');
    console.log(`Link down to webhook push, ${ROUNDS} incidents each (county uplinks, polled every ${INTERVAL_S} s):`);
    console.log(`  with traps:    ${show(withTraps)} (target ≤ 1,000 ms)`);
    console.log(`  without traps: ${show(withoutTraps)} (target ≤ ${(INTERVAL_S * 1000 + 1000).toLocaleString('en-US')} ms: one poll interval + 1 s)`);
  } finally {
    await product.stop();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/alarmLatency: ${err.message}`);
  process.exitCode = 1;
});
