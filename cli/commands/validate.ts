import { EXIT, type Command } from '../command.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { formatRate } from '../../shared/model/units.ts';
import { configuredTopologyFile } from '../configuredTopology.ts';

export const validateCommand: Command = {
  summary: 'check topology.yaml and report every problem with file:line:column',
  usage: `Usage: nms validate [FILE]

Checks a topology file (default: the configured one, topology.yaml) and prints every
problem, each as file:line:column, its YAML path and what is wrong. Exits 0
when the file is valid and 1 when it is not.`,
  options: {},
  maxPositionals: 1,
  async run({ positionals }) {
    const file = positionals[0] ?? (await configuredTopologyFile());
    const topology = await loadTopology(file);
    const total = topology.circuits.reduce((sum, c) => sum + c.bandwidthBps, 0);
    console.log(
      `${file}: valid: ${topology.sites.length} sites, ${topology.devices.length} devices, ` +
        `${topology.circuits.length} circuits (${formatRate(total)} contracted)`,
    );
    return EXIT.ok;
  },
};
