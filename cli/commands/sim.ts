import { EXIT, type Command } from '../command.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { demoCredentialSources } from '../../shared/config/demoCredentials.ts';
import { loadSecretSources } from '../../shared/config/secretsFile.ts';
import { consoleLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { parseLoopbackHostPort } from '../../shared/net/loopback.ts';
import { startSimulation } from '../../sim/startSimulation.ts';
import { waitForSignal } from '../signals.ts';

export const simCommand: Command = {
  summary: 'run the simulated network: one SNMP agent per device on loopback, with ground truth',
  usage: `Usage: nms sim [--topology FILE] [--speed N] [--scenario FILE] [options]

Runs every managed device of the topology as a live SNMP agent on 127.0.0.1,
carrying seeded office-hours traffic, and prints the device → endpoint map.
Faults come from the scenario's timeline or, while it runs, from
"nms fault" and the control API. What really happened is written as ground
truth under var/sim/truth. Runs until Ctrl-C.

Options:
  --topology FILE    topology file (default: the configured one, topology.yaml)
  --speed N          simulated seconds per real second (default 1; 1440 = a day in a minute)
  --scenario FILE    faults on a timeline, counter presets, start time (YAML)
  --start ISO        simulated time at start, e.g. 2026-11-23T08:00:00+08:00 (default: now)
  --seed N           traffic seed (default 734)
  --base-port N      first agent's UDP port; device i gets N+i (default 16100; 0 = any free)
  --control-port N   control API port (default 16000; 0 = any free)
  --trap-to H:P      send traps there (loopback only); repeat for more receivers
  --config FILE      configuration file (default: nms.yaml if present)`,
  options: {
    topology: { type: 'string' },
    speed: { type: 'string' },
    scenario: { type: 'string' },
    start: { type: 'string' },
    seed: { type: 'string' },
    'base-port': { type: 'string' },
    'control-port': { type: 'string' },
    'trap-to': { type: 'string', multiple: true },
    config: { type: 'string' },
  },
  maxPositionals: 0,
  async run({ values }) {
    const config = await loadConfig({ explicitFile: values.config as string | undefined, env: process.env, cwd: process.cwd() });
    const number = (name: string, min: number, max: number): number | undefined => {
      const raw = values[name] as string | undefined;
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
      return n;
    };
    let startMs: number | undefined;
    if (values.start !== undefined) {
      startMs = Date.parse(values.start as string);
      if (Number.isNaN(startMs)) throw new Error(`--start must be an ISO time like 2026-11-23T08:00:00+08:00, got "${values.start}"`);
    }
    const sim = {
      ...config.simulator,
      speed: number('speed', 0.001, 100_000) ?? config.simulator.speed,
      seed: number('seed', 0, 2 ** 32 - 1) ?? config.simulator.seed,
      basePort: number('base-port', 0, 65_535) ?? config.simulator.basePort,
      controlPort: number('control-port', 0, 65_535) ?? config.simulator.controlPort,
      scenarioFile: (values.scenario as string | undefined) ?? config.simulator.scenarioFile,
      trapTo: ((values['trap-to'] as string[] | undefined) ?? []).map((t) => parseLoopbackHostPort(t, '--trap-to')),
    };
    if (sim.trapTo.length === 0) sim.trapTo = config.simulator.trapTo;
    const log = consoleLogger('sim');
    const topology = await loadTopology((values.topology as string | undefined) ?? config.topologyFile);
    const secrets = await demoCredentialSources(topology, await loadSecretSources(config.secretsFile, process.env), config.dataDir, log);
    const running = await startSimulation(sim, topology, secrets, log, startMs === undefined ? {} : { startMs });
    const endpoints = running.simulator.endpoints();
    const width = Math.max(...Object.keys(endpoints).map((k) => k.length));
    console.log(
      `Simulated ${topology.network.name.zh} (${topology.network.name.en}): ${Object.keys(endpoints).length} devices, speed ${running.simulator.clock.speed}×`,
    );
    for (const [id, e] of Object.entries(endpoints)) console.log(`  ${id.padEnd(width)}  ${e.host}:${e.port}  v${e.snmpVersion}`);
    console.log(`Control API: ${running.control.url}  (nms fault --help)`);
    console.log(`Ground truth: ${running.simulator.truth.dir}`);
    console.log('Press Ctrl-C to stop.');
    const signal = await waitForSignal((again) => log.warn(`${again}: already stopping; waiting for the clean-up to finish`));
    log.info(`${signal}: stopping`);
    await running.stop();
    return EXIT.ok;
  },
};
