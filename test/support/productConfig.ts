/**
 * nms.yaml for a whole product started by a test: the real topology, every
 * port on loopback picked by the system (the trap port by us, as net-snmp
 * cannot), a poll every second, and data in the test's own folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from '../../server/influx/embeddedInflux.ts';
import { udpFreePort } from './ports.ts';
import { runNms } from './runNms.ts';

export interface ProductConfigOptions {
  /** The network model (default: the repository's topology.yaml). */
  topology?: string;
  /** Where the product keeps its data (default: the folder itself). */
  dataDir?: string;
  /** An InfluxDB of the test's own, instead of a managed one on a free port. */
  influxUrl?: string;
  /** More lines under simulator: and alarms:, indented as they appear there. */
  simulator?: string[];
  alarms?: string[];
  collector?: string[];
  /** More top-level lines (role:, bus:, …). */
  top?: string[];
  /** A city poller's: without the topology and collector settings, which it is given by the centre. */
  givenByCentre?: boolean;
}

export async function writeProductConfig(dir: string, o: ProductConfigOptions = {}): Promise<void> {
  const lines = [
    ...(o.top ?? []),
    ...(o.givenByCentre ? [] : [`topology: ${resolve(o.topology ?? 'topology.yaml')}`]),
    `dataDir: ${o.dataDir ?? dir}`,
    'influx:',
    o.influxUrl ? `  url: ${o.influxUrl}` : `  embeddedPort: ${await freePort()}`,
    'simulator:',
    '  basePort: 0',
    '  controlPort: 0',
    // A month of history on every test's first start would cost a minute each; the first-run test asks for it.
    ...(o.simulator?.some((l) => l.trim().startsWith('history:')) ? [] : ['  history: 0']),
    ...(o.simulator ?? []),
    ...(o.givenByCentre ? [] : ['collector:', '  interval: 1s', ...(o.collector ?? [])]),
    'console:',
    '  port: 0',
    'alarms:',
    `  trapPort: ${await udpFreePort()}`,
    ...(o.alarms ?? []),
    '',
  ];
  await writeFile(join(dir, 'nms.yaml'), lines.join('\n'));
}

/**
 * topology.yaml and nms.yaml for `nms up` in production against a test's own
 * network namespaces: a console user whose hash `nms user hash` made, the
 * managed InfluxDB and the trap receiver on loopback.
 * @param extra more top-level lines (collector: …), and more keys for alarms: (as "key: value" flow pairs).
 */
export async function writeProductionConfig(
  dir: string,
  topologyYaml: string,
  env: NodeJS.ProcessEnv,
  extra: { lines?: string[]; alarms?: string[] } = {},
): Promise<void> {
  const hash = await runNms(['user', 'hash'], { stdin: `passphrase for ${dir}`, env });
  await writeFile(join(dir, 'topology.yaml'), topologyYaml);
  await writeFile(
    join(dir, 'nms.yaml'),
    `${[
      'production: true',
      'topology: topology.yaml',
      'dataDir: var',
      'influx: { embeddedPort: 0 }',
      ...(extra.lines ?? []),
      `console: { port: 0, users: [{ username: noc, role: operator, passwordHash: "${hash.stdout.trim()}" }] }`,
      `alarms: { ${[`trapPort: ${await udpFreePort()}`, 'trapAddress: 127.0.0.1', ...(extra.alarms ?? [])].join(', ')} }`,
    ].join('\n')}\n`,
  );
}

/** A city poller of a test: its share (in the centre's file), the bus it reaches, and with `hookUrl` its own pushes (localAlarms). */
export interface TestPoller {
  name: string;
  sites: string[];
  servers: string[];
  /** Its leaf node's JetStream domain. */
  domain?: string;
  hookUrl?: string;
  influxUrl?: string;
  /** Its folder under the test's (default poller-<name>). */
  folder?: string;
}

/**
 * nms.yaml for a centre and its city pollers, in `<dir>/centre` and a folder
 * each: the centre pushes to a local webhook receiver, each poller runs its
 * own simulated network.
 */
export async function writeCentreAndPollers(
  dir: string,
  o: {
    pollers: TestPoller[];
    centreServers: string[];
    replicas?: number;
    hookUrl: string;
    influxUrl?: string;
    /** centre.silentAfter and poller.heartbeat, e.g. "5s" and "1s". */
    silentAfter?: string;
    heartbeat?: string;
  },
): Promise<{ centreDir: string; pollerDirs: string[] }> {
  const centreDir = join(dir, 'centre');
  const pollerDirs = o.pollers.map((p) => join(dir, p.folder ?? `poller-${p.name}`));
  for (const d of [centreDir, ...pollerDirs]) await mkdir(d, { recursive: true });
  const servers = (list: string[]) => list.map((u) => JSON.stringify(u)).join(', ');
  const shares = o.pollers.map((p) => `{ name: ${p.name}, sites: [${p.sites.join(', ')}]${p.domain ? `, domain: ${p.domain}` : ''} }`);
  await writeProductConfig(centreDir, {
    ...(o.influxUrl ? { influxUrl: o.influxUrl } : {}),
    alarms: ['  clearAfter: 2s', '  channels:', `    - { name: noc-hook, kind: webhook, url: "${o.hookUrl}" }`],
    top: [
      'role: centre',
      `bus: { servers: [${servers(o.centreServers)}]${o.replicas ? `, replicas: ${o.replicas}` : ''} }`,
      `centre: { pollers: [${shares.join(', ')}]${o.silentAfter ? `, silentAfter: ${o.silentAfter}` : ''} }`,
    ],
  });
  // A poller's share, topology and rules are the centre's; its own file holds what is the city's.
  for (const [i, p] of o.pollers.entries()) {
    const options = [o.heartbeat ? `, heartbeat: ${o.heartbeat}` : '', p.hookUrl ? ', localAlarms: true' : ''].join('');
    await writeProductConfig(pollerDirs[i]!, {
      ...(p.influxUrl ? { influxUrl: p.influxUrl } : {}),
      simulator: ['  enabled: true'],
      ...(p.hookUrl ? { alarms: ['  channels:', `    - { name: city-hook, kind: webhook, url: "${p.hookUrl}" }`] } : {}),
      top: ['role: poller', `bus: { servers: [${servers(p.servers)}]${p.domain ? `, domain: ${p.domain}` : ''} }`, `poller: { name: ${p.name}${options} }`],
      givenByCentre: true,
    });
  }
  return { centreDir, pollerDirs };
}

/** One centre and one poller, in `<dir>/centre` and `<dir>/poller`. */
export async function writeCentreAndPoller(
  dir: string,
  o: {
    poller: string;
    sites: string[];
    centreServers: string[];
    pollerServers: string[];
    domain?: string;
    replicas?: number;
    hookUrl: string;
    influxUrl?: string;
    pollerInfluxUrl?: string;
    silentAfter?: string;
    heartbeat?: string;
    /** poller.localAlarms, pushing to this webhook. */
    pollerHookUrl?: string;
  },
): Promise<{ centreDir: string; pollerDir: string }> {
  const { poller, sites, pollerServers, domain, pollerHookUrl, pollerInfluxUrl, ...centre } = o;
  const p: TestPoller = {
    name: poller,
    sites,
    servers: pollerServers,
    folder: 'poller',
    ...(domain ? { domain } : {}),
    ...(pollerHookUrl ? { hookUrl: pollerHookUrl } : {}),
    ...(pollerInfluxUrl ? { influxUrl: pollerInfluxUrl } : {}),
  };
  const { centreDir, pollerDirs } = await writeCentreAndPollers(dir, { ...centre, pollers: [p] });
  return { centreDir, pollerDir: pollerDirs[0]! };
}
