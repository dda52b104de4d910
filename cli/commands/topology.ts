import { EXIT, type Command } from '../command.ts';
import { configuredTopologyFile } from '../configuredTopology.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { SITE_LEVELS, type SiteLevel } from '../../shared/model/types.ts';
import { renderSiteTree, type NameStyle } from '../render/siteTree.ts';

const NAME_STYLES = ['zh', 'en', 'both'] as const;

export const topologyCommand: Command = {
  summary: 'print the province → city → county → department tree with circuit counts and bandwidth',
  usage: `Usage: nms topology [FILE] [--level LEVEL] [--circuits] [--names zh|en|both]

Prints the site tree of a topology file (default: the configured one, topology.yaml). Each
site shows the circuits it and the sites below it own: how many, of which
contracted bandwidth, and their sum.

Options:
  --level LEVEL   deepest level to show: ${SITE_LEVELS.join(', ')} (default: department)
  --circuits      list each circuit (id, bandwidth, carrier, carrier's number) under its owner
  --names STYLE   site names in zh, en or both (default: both)`,
  options: {
    level: { type: 'string' },
    circuits: { type: 'boolean' },
    names: { type: 'string' },
  },
  maxPositionals: 1,
  async run({ positionals, values }) {
    const level = (values.level ?? 'department') as string;
    const names = (values.names ?? 'both') as string;
    if (!(SITE_LEVELS as readonly string[]).includes(level)) {
      console.error(`nms topology: --level must be one of ${SITE_LEVELS.join(', ')}, got "${level}"`);
      return EXIT.usage;
    }
    if (!(NAME_STYLES as readonly string[]).includes(names)) {
      console.error(`nms topology: --names must be one of ${NAME_STYLES.join(', ')}, got "${names}"`);
      return EXIT.usage;
    }
    const topology = await loadTopology(positionals[0] ?? (await configuredTopologyFile()));
    console.log(
      renderSiteTree(topology, {
        maxLevel: level as SiteLevel,
        names: names as NameStyle,
        listCircuits: values.circuits === true,
      }),
    );
    return EXIT.ok;
  },
};
