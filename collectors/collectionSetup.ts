/**
 * What the long-running collector (nms up) and the diagnostic one (nms poll)
 * both need: credentials per device, the endpoints the simulator published,
 * and a spooling writer whose replays recompute the rollups they missed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InfluxDB } from 'influx';
import { execute, type InfluxTarget } from '../shared/influx/connection.ts';
import type { Logger } from '../shared/log.ts';
import type { Topology } from '../shared/model/topology.ts';
import type { Device } from '../shared/model/types.ts';
import { rollupBackfill } from '../shared/schema/rollups.ts';
import type { SecretSources } from '../shared/secret.ts';
import { resolveCredentials, type SnmpCredentials } from '../shared/snmp/credentials.ts';
import type { Endpoint } from './snmp/targetPolicy.ts';
import type { LineSink } from './write/influxV1Sink.ts';
import { SpoolingWriter } from './write/spoolingWriter.ts';

/** @throws Error (per device, when called) naming the profile reference that is not set. */
export function credentialsFor(topology: Topology, sources: SecretSources): (device: Device) => SnmpCredentials {
  return (device) => resolveCredentials(topology.snmpProfiles.get(device.snmpProfile!)!, sources);
}

/** Endpoints from a simulator's sim.json (or a file of the same shape), or null if there is none. */
export async function publishedEndpoints(file: string): Promise<Record<string, Endpoint> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const parsed = JSON.parse(text) as { devices?: Record<string, { host?: unknown; port?: unknown }> };
  const out: Record<string, Endpoint> = {};
  for (const [id, e] of Object.entries(parsed.devices ?? {})) {
    if (typeof e.host !== 'string' || typeof e.port !== 'number') throw new Error(`${file}: device ${id} has no host and port`);
    out[id] = { host: e.host, port: e.port };
  }
  return out;
}

/**
 * The writer for a sink, spooling under the data folder. On InfluxDB 1.x a
 * replay triggers a rollup backfill: continuous queries only look back a few
 * hours, and the outage may have been longer.
 */
export async function openWriter(
  sink: LineSink,
  v1: { target: InfluxTarget; client: InfluxDB } | null,
  dataDir: string,
  log: Logger,
  /** Spool folder under the data folder; each writing process needs its own. */
  spoolName = 'spool',
  /** Told which stretch had its rollups recomputed (report digests of those days are stale). */
  onRollupsRebuilt: (fromMs: number, toMs: number) => void = () => undefined,
): Promise<SpoolingWriter> {
  return SpoolingWriter.open({
    sink,
    spoolDir: join(dataDir, spoolName),
    log,
    ...(v1
      ? {
          onReplayed: async ({ fromMs, toMs }: { fromMs: number; toMs: number }) => {
            const db = v1.target.database;
            for (const statement of rollupBackfill(db, new Date(fromMs), new Date(toMs + 1))) await execute(v1.client, statement, db);
            onRollupsRebuilt(fromMs, toMs + 1);
            log.info(`rollups recomputed for ${new Date(fromMs).toISOString()} – ${new Date(toMs).toISOString()}`);
          },
        }
      : {}),
  });
}
