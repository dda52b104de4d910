/**
 * Brings the product up on its configuration and takes it down again, in
 * order. Each part (store, simulated network, and later pollers, alarms and
 * console) joins here, so `nms up` and the tests start exactly the same thing.
 */
import type { NmsConfig } from '../shared/config/config.ts';
import { loadSecretSources } from '../shared/config/secretsFile.ts';
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
  stop(): Promise<void>;
}

/**
 * Validates the model first, so a bad topology.yaml stops start-up before any
 * process is started; a part that fails to start stops the ones before it.
 * @throws InputFileError for a bad topology, config or scenario; Error when a part fails to start.
 */
export async function startProduct(config: NmsConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<RunningProduct> {
  const topology = await loadTopology(config.topologyFile);
  const secrets = await loadSecretSources(config.secretsFile, env);
  const store = await openInfluxStore(config.influx, config.dataDir, secrets, log.child('influx'));
  let simulation: RunningSimulation | null = null;
  try {
    if (config.simulator.enabled) simulation = await startSimulation(config.simulator, topology, secrets, config.dataDir, log.child('sim'));
  } catch (err) {
    await store.close();
    throw err;
  }
  let stopped = false;
  return {
    topology,
    store,
    simulation,
    async stop() {
      if (stopped) return;
      stopped = true;
      await simulation?.stop();
      await store.close();
    },
  };
}
