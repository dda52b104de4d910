import { EXIT, type Command } from '../command.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { readInputFile } from '../../shared/input/validatedYaml.ts';
import { parseTopology } from '../../shared/model/loader.ts';
import { formatRate } from '../../shared/model/units.ts';
import { topologyWarnings } from '../../server/storage/lastRunTopology.ts';

export const validateCommand: Command = {
  summary: 'check topology.yaml and report every problem with file:line:column',
  usage: `Usage: nms validate [FILE]

Checks a topology file (default: the configured one, topology.yaml) and prints every
problem, each as file:line:column, its YAML path and what is wrong. Exits 0
when the file is valid and 1 when it is not. Warns (still exit 0) when many
circuits nms last ran with are missing from it, or when it does not end with
a line break: signs of a file cut short.`,
  options: {},
  maxPositionals: 1,
  async run({ positionals }) {
    const config = await loadConfig({ env: process.env, cwd: process.cwd() });
    const file = positionals[0] ?? config.topologyFile;
    const text = await readInputFile(file, 'topology file');
    const topology = parseTopology(text, file);
    for (const warning of topologyWarnings(config.dataDir, topology, text)) console.error(`warning: ${warning}`);
    const total = topology.circuits.reduce((sum, c) => sum + c.bandwidthBps, 0);
    console.log(
      `${file}: valid: ${topology.sites.length} sites, ${topology.devices.length} devices, ` +
        `${topology.circuits.length} circuits (${formatRate(total)} contracted)`,
    );
    return EXIT.ok;
  },
};
