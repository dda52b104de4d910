/**
 * What the demo's first start costs: the month of history it writes before
 * going live (server/demo/demoHistory.ts), on the demo city, beside the same
 * run's peer: the same simulated network polled round by round over SNMP on
 * UDP, which is what the in-process reads replace.
 *
 *   npx tsx bench/firstRun.ts [--days N] [--rounds N]
 *
 * Bounded: N days of history and N rounds of polling; it sends only to 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector } from '../collectors/collector.ts';
import { credentialsFor } from '../collectors/collectionSetup.ts';
import { REAL_REFRESH_DETECTION } from '../collectors/poll/devicePoller.ts';
import { InProcessClient } from '../collectors/snmp/inProcessClient.ts';
import { DEFAULT_CLIENT_OPTIONS } from '../collectors/snmp/snmpClient.ts';
import { startProduct } from '../server/runtime.ts';
import { loadConfig } from '../shared/config/config.ts';
import { demoCredentialSources } from '../shared/config/demoCredentials.ts';
import { LiveState } from '../shared/live/liveState.ts';
import { memoryLogger } from '../shared/log.ts';
import { loadTopology } from '../shared/model/loader.ts';
import { ManualClock } from '../sim/clock.ts';
import { Simulator } from '../sim/simulator.ts';
import { numberArg } from './benchArgs.ts';
import { writeBenchConfig } from './benchProductConfig.ts';

const DAYS = numberArg('days', 3);
const ROUNDS = numberArg('rounds', 100);
const STEP = 300_000;

/** ms per five-minute round of every device, over UDP or in process, on a clock moved by hand. */
async function roundCost(dir: string, inProcess: boolean): Promise<number> {
  const topology = await loadTopology('topology.yaml');
  const sources = await demoCredentialSources(topology, { env: {}, file: {} }, dir, memoryLogger());
  const clock = new ManualClock(Date.now() - 30 * 86_400_000);
  const log = memoryLogger();
  const sim = await Simulator.start({ topology, secrets: sources, log, truthDir: join(dir, `truth-${inProcess}`), truthTraffic: false, basePort: 0, clock });
  const collector = new Collector({
    topology,
    endpoints: new Map(Object.entries(sim.endpoints()).map(([id, e]) => [id, { host: e.host, port: e.port }])),
    credentials: credentialsFor(topology, sources),
    production: false,
    sink: { write: () => undefined },
    live: new LiveState(),
    log,
    now: () => clock.current,
    intervalMs: STEP,
    refreshDetection: { ...REAL_REFRESH_DETECTION, enabled: false },
    client: { ...DEFAULT_CLIENT_OPTIONS, timeoutMs: 250, retries: 1 },
    ...(inProcess ? { clientFor: (id: string) => new InProcessClient(`device ${id}`, sim.agents.get(id)!) } : {}),
  });
  try {
    clock.current += STEP;
    await collector.pollAll();
    const started = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      clock.current += STEP;
      await collector.pollAll();
    }
    return (performance.now() - started) / ROUNDS;
  } finally {
    await collector.stop();
    await sim.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'bench-first-run-'));
try {
  await writeBenchConfig(dir, { historyDays: DAYS });
  const started = Date.now();
  let historyStarted = 0;
  const product = await startProduct(await loadConfig({ env: {}, cwd: dir }), {}, memoryLogger(), {
    historyProgress: () => {
      historyStarted ||= Date.now();
    },
  });
  const upS = (Date.now() - started) / 1000;
  const historyS = (Date.now() - historyStarted) / 1000;
  await product.stop();
  const udp = await roundCost(dir, false);
  const inProcess = await roundCost(dir, true);
  console.log(`first start, ${DAYS} days of history for ${product.topology.devices.length} devices, ${product.topology.circuits.length} circuits:`);
  console.log(
    `  history written in ${historyS.toFixed(1)} s (${(historyS / DAYS).toFixed(1)} s a simulated day); console up ${upS.toFixed(1)} s after the start`,
  );
  console.log(
    `  a round of every device, in process: ${inProcess.toFixed(1)} ms; peer, the same over SNMP on UDP: ${udp.toFixed(1)} ms (${(udp / inProcess).toFixed(1)}×)`,
  );
  console.log(
    `  so a month's ${30 * 288} rounds: ${((30 * 288 * inProcess) / 1000).toFixed(0)} s of polling in process, ${((30 * 288 * udp) / 1000).toFixed(0)} s over UDP`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
