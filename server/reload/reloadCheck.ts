/**
 * The first half of `nms reload`: nms.yaml and topology.yaml read again and
 * checked in full, as `nms up` would check them, before anything running is
 * touched. Every problem is collected, in both files, so one reload tells
 * the operator all there is to mend; none is applied while any remains.
 */
import { isDeepStrictEqual } from 'node:util';
import { credentialsFor } from '../../collectors/collectionSetup.ts';
import { loadConfig, type NmsConfig } from '../../shared/config/config.ts';
import { demoCredentialSources } from '../../shared/config/demoCredentials.ts';
import { loadSecretSources } from '../../shared/config/secretsFile.ts';
import { formatDiagnostic, InputFileError } from '../../shared/input/diagnostics.ts';
import { readInputFile } from '../../shared/input/validatedYaml.ts';
import type { Logger } from '../../shared/log.ts';
import { parseTopology } from '../../shared/model/loader.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { SecretSources } from '../../shared/secret.ts';
import { checkServing } from '../serving.ts';

/**
 * The settings a running nms takes on a reload. Everything else in nms.yaml
 * (ports, InfluxDB, the data folder, roles, channels, users) is bound at
 * start: a change to it is refused as taking a restart, rather than half
 * applied.
 */
const RELOADABLE_SETTINGS = [
  'topologyFile',
  'alarms.maintenance',
  'alarms.upstreamWaitSeconds',
  'alarms.clearAfterSeconds',
  'alarms.quality',
  'collector.intervalSeconds',
  'collector.probeIntervalSeconds',
] as const;

export interface RunningModel {
  config: NmsConfig;
  topology: Topology;
  topologyText: string;
  /** The credentials the running model resolved with (the demo's included). */
  sources: SecretSources;
}

export interface ReloadPlan {
  config: NmsConfig;
  topology: Topology;
  topologyText: string;
  sources: SecretSources;
  serving: ReturnType<typeof checkServing>;
}

export type ReloadCheck = { ok: true; plan: ReloadPlan; unchanged: boolean } | { ok: false; problems: string[] };

export async function checkReload(running: RunningModel, env: NodeJS.ProcessEnv, cwd: string, log: Logger): Promise<ReloadCheck> {
  const problems: string[] = [];
  const config = await collect(problems, () => loadConfig({ explicitFile: running.config.file ?? undefined, env, cwd }));
  if (config) problems.push(...restartChanges(running.config, config));
  const file = config?.topologyFile ?? running.config.topologyFile;
  const topologyText = await collect(problems, () => readInputFile(file, 'topology file'));
  const topology = topologyText === null ? null : await collect(problems, async () => parseTopology(topologyText, file));
  if (topology) problems.push(...networkChanges(running.topology, topology));
  if (!config || !topology || topologyText === null || problems.length) return { ok: false, problems };

  const secrets = await collect(problems, () => loadSecretSources(config.secretsFile, env));
  if (!secrets) return { ok: false, problems };
  const sources = config.simulator.enabled ? await demoCredentialSources(topology, secrets, config.dataDir, log.child('sim')) : secrets;
  problems.push(...credentialProblems(running, topology, sources));
  const serving = await collect(problems, async () => checkServing(config, topology, secrets));
  if (!serving || problems.length) return { ok: false, problems };
  const unchanged = topologyText === running.topologyText && isDeepStrictEqual(config, running.config);
  return { ok: true, plan: { config, topology, topologyText, sources, serving }, unchanged };
}

/** Runs a step; its failure becomes problems (each of a file's, with where), not an exception. */
async function collect<T>(problems: string[], step: () => Promise<T>): Promise<T | null> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof InputFileError) problems.push(...err.diagnostics.map(formatDiagnostic));
    else
      problems.push(
        ...(err as Error).message
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      );
    return null;
  }
}

/** The settings that differ and are not reloadable, by their place in nms.yaml. */
function restartChanges(running: NmsConfig, next: NmsConfig): string[] {
  const where = next.file ?? 'the embedded defaults';
  return changedPaths(running, next)
    .filter((p) => p !== 'file' && !RELOADABLE_SETTINGS.some((r) => p === r || p.startsWith(`${r}.`) || p.startsWith(`${r}[`)))
    .map((p) => `${where}: ${asWritten(p)}: changed; this setting takes a restart (nms up again), not a reload`);
}

/** A setting by the name nms.yaml gives it (the loaded config names durations in seconds and files as files). */
function asWritten(path: string): string {
  const renamed: Record<string, string> = { topologyFile: 'topology', basemapFile: 'basemap', historyDays: 'history', scenarioFile: 'scenario' };
  return path
    .split('.')
    .map((part) => renamed[part] ?? part.replace(/Seconds$/, ''))
    .join('.');
}

function changedPaths(a: unknown, b: unknown, path = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const plain = (v: unknown) => v !== null && typeof v === 'object' && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype);
  if (!plain(a) || !plain(b) || Array.isArray(a) !== Array.isArray(b)) return [path || '(the whole file)'];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  return [...keys].flatMap((k) => {
    const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    return changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub);
  });
}

/** The network's identity and clock are what stored history is kept by. */
function networkChanges(running: Topology, next: Topology): string[] {
  const out: string[] = [];
  if (next.network.id !== running.network.id)
    out.push(`${next.source}: network.id: "${running.network.id}" → "${next.network.id}"; another network takes a restart, not a reload`);
  if (next.network.timezone !== running.network.timezone)
    out.push(
      `${next.source}: network.timezone: "${running.network.timezone}" → "${next.network.timezone}"; days and months of the stored history are the old zone's; this takes a restart`,
    );
  return out;
}

/**
 * A managed device whose credentials do not resolve is refused, unless it
 * was already so in the running model (that one is reported by the
 * collector, and must not block every other change).
 */
function credentialProblems(running: RunningModel, topology: Topology, sources: SecretSources): string[] {
  const failing = (t: Topology, s: SecretSources, id: string): string | null => {
    const d = t.deviceById.get(id);
    if (!d?.managed || !d.snmpProfile) return null;
    try {
      credentialsFor(t, s)(d);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };
  return topology.devices.flatMap((d) => {
    const now = failing(topology, sources, d.id);
    if (!now || failing(running.topology, running.sources, d.id) === now) return [];
    return [`${topology.source}: device ${d.id}: ${now}`];
  });
}
