/**
 * Brings the product up on its configuration and takes it down again, in
 * order. Each later part (simulator, pollers, alarms, console) joins here, so
 * `nms up` and the tests start exactly the same thing.
 */
import type { NmsConfig } from '../shared/config/config.ts';
import { loadSecretSources } from '../shared/config/secretsFile.ts';
import type { Logger } from '../shared/log.ts';
import { loadTopology } from '../shared/model/loader.ts';
import type { Topology } from '../shared/model/topology.ts';
import { openInfluxStore, type InfluxStore } from './influx/store.ts';

export interface RunningProduct {
  topology: Topology;
  store: InfluxStore;
  stop(): Promise<void>;
}

/**
 * Validates the model first, so a bad topology.yaml stops start-up before any
 * process is started.
 * @throws InputFileError for a bad topology or config; Error when a part fails to start.
 */
export async function startProduct(config: NmsConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<RunningProduct> {
  const topology = await loadTopology(config.topologyFile);
  const secrets = await loadSecretSources(config.secretsFile, env);
  const store = await openInfluxStore(config.influx, config.dataDir, secrets, log.child('influx'));
  let stopped = false;
  return {
    topology,
    store,
    async stop() {
      if (stopped) return;
      stopped = true;
      await store.close();
    },
  };
}
