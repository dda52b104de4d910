/**
 * Starts the simulated network as configured: demo credentials, scenario,
 * agents, control API, and sim.json (the endpoint map and control URL) for
 * the other parts of the demo to read. Used by `nms sim` and `nms up` alike.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimulatorConfig } from '../shared/config/config.ts';
import type { Logger } from '../shared/log.ts';
import type { Topology } from '../shared/model/topology.ts';
import type { SecretSources } from '../shared/secret.ts';
import { ControlServer } from './control/controlServer.ts';
import { loadScenario } from './scenario/scenarioFile.ts';
import { Simulator } from './simulator.ts';

export interface RunningSimulation {
  simulator: Simulator;
  control: ControlServer;
  stop(): Promise<void>;
}

/** Where a running simulation publishes itself. */
export const SIM_STATE_FILE = 'sim.json';

export interface SimStateFile {
  network: string;
  control: string;
  truthDir: string;
  devices: ReturnType<Simulator['endpoints']>;
}

/**
 * @throws InputFileError for a bad scenario; Error when an agent or the control API cannot start.
 */
export async function startSimulation(
  config: SimulatorConfig,
  topology: Topology,
  /** Credentials, demo ones included (see demoCredentialSources). */
  sources: SecretSources,
  log: Logger,
  overrides: { startMs?: number; answering?: ReadonlySet<string> } = {},
): Promise<RunningSimulation> {
  const scenario = config.scenarioFile ? await loadScenario(config.scenarioFile, topology) : null;
  const truthDir = join(config.stateDir, 'truth');
  const simulator = await Simulator.start({
    topology,
    secrets: sources,
    log,
    truthDir,
    speed: scenario?.speed ?? config.speed,
    seed: scenario?.seed ?? config.seed,
    basePort: config.basePort,
    trapTargets: config.trapTo,
    scenario,
    ...(overrides.startMs !== undefined ? { startMs: overrides.startMs } : {}),
    ...(overrides.answering ? { answering: overrides.answering } : {}),
  });
  let control: ControlServer;
  try {
    control = await ControlServer.start(simulator, config.controlPort);
  } catch (err) {
    await simulator.stop();
    throw err;
  }
  const state: SimStateFile = { network: topology.network.id, control: control.url, truthDir, devices: simulator.endpoints() };
  await writeFile(join(config.stateDir, SIM_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  return {
    simulator,
    control,
    async stop() {
      await control.close();
      await simulator.stop();
    },
  };
}
