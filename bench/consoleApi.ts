/**
 * The console's API at province scale (issue 6's targets): the live-status
 * API with 10,000 circuits under 50 concurrent clients (p99 ≤ 50 ms, measured
 * with autocannon), and one status change fanned out over the WebSocket to
 * 200 browsers (≤ 100 ms). Beside the first, the same server answering a
 * trivial route: the floor for express and HTTP on this machine.
 *
 *   npx tsx bench/consoleApi.ts [--devices 500] [--seconds 10] [--clients 200]
 *
 * Bounded by --seconds; everything on loopback.
 */
import autocannon from 'autocannon';
import { WebSocket } from 'ws';
import { parseTopology } from '../shared/model/loader.ts';
import { startBenchConsole } from './benchConsole.ts';
import { topologyYaml } from './generatedNetwork.ts';
import { numberArg } from './benchArgs.ts';

const arg = numberArg;
const DEVICES = arg('devices', 500);
const SECONDS = arg('seconds', 10);
const CLIENTS = arg('clients', 200);

async function main(): Promise<void> {
  const topology = parseTopology(topologyYaml(DEVICES), 'generated.yaml');
  const server = await startBenchConsole(topology, { web: false });
  const { live, cookie } = server;
  try {
    // As a browser asks (with gzip); the load comes from a worker thread, not the server's own.
    const cannon = (path: string) =>
      autocannon({ url: `${server.url}${path}`, connections: 50, duration: SECONDS, workers: 1, headers: { cookie, 'accept-encoding': 'gzip' } });
    const liveRun = await cannon('/api/live');
    const floorRun = await cannon('/api/session');

    // Fan-out: CLIENTS browsers connected, one change, until the last has it.
    const sockets = await Promise.all(
      Array.from(
        { length: CLIENTS },
        () =>
          new Promise<WebSocket>((res, rej) => {
            const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers: { cookie } });
            ws.once('open', () => res(ws));
            ws.once('error', rej);
          }),
      ),
    );
    const received = sockets.map((ws) => new Promise<number>((res) => ws.once('message', () => res(performance.now()))));
    const t0 = performance.now();
    live.updateCircuit({
      circuitId: topology.circuits[0]!.id,
      status: 'down',
      statusSinceMs: Date.now(),
      inBps: null,
      outBps: null,
      inUtilPct: null,
      outUtilPct: null,
      errorsPerS: null,
      end: 'a',
      polledFromMs: Date.now(),
      updatedAtMs: Date.now(),
      note: null,
    });
    const last = Math.max(...(await Promise.all(received))) - t0;
    for (const ws of sockets) ws.close();

    const bytes = (await (await fetch(`${server.url}/api/live`, { headers: { cookie } })).text()).length;
    console.log(`Console API, ${topology.circuits.length} circuits and ${topology.devices.length} devices in the live state:`);
    console.log(
      `  GET /api/live (${(bytes / 1e6).toFixed(1)} MB), 50 connections for ${SECONDS} s: p50 ${liveRun.latency.p50} ms, p99 ${liveRun.latency.p99} ms (target ≤ 50), ${Math.round(liveRun.requests.average)} req/s, ${liveRun.errors} errors`,
    );
    console.log(
      `  floor, GET /api/session on the same server: p50 ${floorRun.latency.p50} ms, p99 ${floorRun.latency.p99} ms, ${Math.round(floorRun.requests.average)} req/s`,
    );
    console.log(`  one status change to ${CLIENTS} WebSocket clients: the last had it after ${last.toFixed(1)} ms (target ≤ 100)`);
  } finally {
    await server.close();
  }
}

main().catch((err: Error) => {
  console.error(`bench/consoleApi: ${err.message}`);
  process.exitCode = 1;
});
