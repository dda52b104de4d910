/**
 * Brings the product up on its configuration and takes it down again, in
 * order. Each part (store, simulated network, collector, and later alarms and
 * console) joins here, so `nms up` and the tests start exactly the same thing.
 */
import { Collector } from '../collectors/collector.ts';
import { credentialsFor, openWriter } from '../collectors/collectionSetup.ts';
import { deviceEndpoints } from '../collectors/snmp/targetPolicy.ts';
import type { SpoolingWriter } from '../collectors/write/spoolingWriter.ts';
import type { NmsConfig } from '../shared/config/config.ts';
import { demoCredentialSources } from '../shared/config/demoCredentials.ts';
import { loadSecretSources } from '../shared/config/secretsFile.ts';
import { LiveState } from '../shared/live/liveState.ts';
import type { Logger } from '../shared/log.ts';
import { loadTopology } from '../shared/model/loader.ts';
import type { Topology } from '../shared/model/topology.ts';
import { startSimulation, type RunningSimulation } from '../sim/startSimulation.ts';
import { openInfluxStore, type InfluxStore } from './influx/store.ts';

export interface RunningProduct {
  topology: Topology;
  store: InfluxStore;
  /** The demo network, when the simulator is enabled. */
  simulation: RunningSimulation | null;
  collector: Collector;
  writer: SpoolingWriter;
  live: LiveState;
  stop(): Promise<void>;
}

/** How often the collector writes its own figures (collector_stats). */
const SELF_METRICS_MS = 60_000;

/**
 * Validates the model first, so a bad topology.yaml stops start-up before any
 * process is started; a part that fails to start stops the ones before it.
 * @throws InputFileError for a bad topology, config or scenario; Error when a part fails to start.
 */
export async function startProduct(config: NmsConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<RunningProduct> {
  const topology = await loadTopology(config.topologyFile);
  const secrets = await loadSecretSources(config.secretsFile, env);
  const store = await openInfluxStore(config.influx, config.dataDir, secrets, log.child('influx'));
  const stops: Array<() => Promise<void>> = [() => store.close()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    let simulation: RunningSimulation | null = null;
    let sources = secrets;
    if (config.simulator.enabled) {
      sources = await demoCredentialSources(topology, secrets, config.dataDir, log.child('sim'));
      simulation = await startSimulation(config.simulator, topology, sources, log.child('sim'));
      stops.push(() => simulation!.stop());
    }
    const writer = await openWriter(store.sink, store.v1, config.dataDir, log.child('writer'));
    stops.push(() => writer.close());
    const live = new LiveState();
    const collector = new Collector({
      topology,
      endpoints: deviceEndpoints(topology, simulation?.simulator.endpoints()),
      credentials: credentialsFor(topology, sources),
      production: config.production,
      sink: writer,
      live,
      log: log.child('collector'),
      maxInFlight: config.collector.maxInFlight,
      ...(config.collector.intervalSeconds ? { intervalMs: config.collector.intervalSeconds * 1000 } : {}),
    });
    collector.start();
    const selfMetrics = setInterval(() => writer.write([collector.statsPoint(Date.now(), writer.stats.spooledPoints)]), SELF_METRICS_MS);
    selfMetrics.unref();
    stops.push(async () => {
      clearInterval(selfMetrics);
      await collector.stop();
    });
    return { topology, store, simulation, collector, writer, live, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
