/**
 * Opens the product's InfluxDB: the managed influxd when no URL is
 * configured, or the configured server. Either way the schema is applied
 * before anything reads or writes.
 */
import { join } from 'node:path';
import type { InfluxDB } from 'influx';
import type { InfluxConfig } from '../../shared/config/config.ts';
import { createInfluxClient, describeTarget, type InfluxTarget } from '../../shared/influx/connection.ts';
import type { Logger } from '../../shared/log.ts';
import { resolveSecret, type SecretSources } from '../../shared/secret.ts';
import { EmbeddedInflux } from './embeddedInflux.ts';
import { ensureSchema } from './schemaSetup.ts';

export interface InfluxStore {
  mode: InfluxConfig['mode'];
  target: InfluxTarget;
  client: InfluxDB;
  /** The supervised influxd, in embedded mode. */
  embedded: EmbeddedInflux | null;
  close(): Promise<void>;
}

/**
 * @throws Error when influxd cannot start, the server cannot be reached, or
 *   the schema cannot be applied; the message says which and where.
 */
export async function openInfluxStore(
  config: InfluxConfig,
  dataDir: string,
  secrets: SecretSources,
  log: Logger,
): Promise<InfluxStore> {
  let embedded: EmbeddedInflux | null = null;
  let target: InfluxTarget;
  if (config.mode === 'embedded') {
    embedded = new EmbeddedInflux({ dir: join(dataDir, 'influxdb'), port: config.port, log: log.child('influxd') });
    await embedded.start();
    target = { url: embedded.url, database: config.database, username: null, password: null };
  } else {
    const password = config.password ? resolveSecret(config.password, secrets) : null;
    target = { url: config.url, database: config.database, username: config.username, password };
  }
  const client = createInfluxClient(target);
  try {
    const hosts = await client.ping(5000);
    if (!hosts.some((h) => h.online)) throw new Error('no answer to /ping within 5 s');
    const report = await ensureSchema(client, target.database);
    const changes = [...report.created.map((c) => `created ${c}`), ...report.altered.map((a) => `altered ${a}`)];
    log.info(`InfluxDB ${describeTarget(target)}: ${changes.length ? changes.join(', ') : 'schema up to date'}`);
  } catch (err) {
    await embedded?.stop();
    throw new Error(`InfluxDB at ${describeTarget(target)}: ${(err as Error).message}`, { cause: err });
  }
  return { mode: config.mode, target, client, embedded, close: async () => embedded?.stop() };
}
