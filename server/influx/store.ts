/**
 * Opens the product's time-series store: the managed influxd when no URL is
 * configured, a configured InfluxDB 1.x, or a server behind the v2 write API
 * (InfluxDB 2.x/3.x, clusters). On 1.x the schema (database, retention
 * policies, rollups) is applied before anything writes; behind the v2 API,
 * retention and downsampling belong to the bucket and the server's own tasks.
 */
import { join } from 'node:path';
import type { InfluxDB } from 'influx';
import { InfluxV1Sink, type LineSink } from '../../collectors/write/influxV1Sink.ts';
import { InfluxV2Sink } from '../../collectors/write/influxV2Sink.ts';
import type { InfluxConfig } from '../../shared/config/config.ts';
import { createInfluxClient, describeTarget, type InfluxTarget } from '../../shared/influx/connection.ts';
import type { Logger } from '../../shared/log.ts';
import { resolveSecret, type SecretSources } from '../../shared/secret.ts';
import { EmbeddedInflux } from './embeddedInflux.ts';
import { ensureSchema } from './schemaSetup.ts';

export interface InfluxStore {
  mode: InfluxConfig['mode'];
  /** Where the data goes, for messages (never credentials). */
  description: string;
  sink: LineSink;
  /** InfluxQL access on InfluxDB 1.x (queries, schema, rollup backfill); null behind the v2 API. */
  v1: { target: InfluxTarget; client: InfluxDB } | null;
  /** The supervised influxd, when this store started one. */
  embedded: EmbeddedInflux | null;
  close(): Promise<void>;
}

/** InfluxQL reads against the product's database: what the console's series and the reports need. */
export interface InfluxQuery {
  database: string;
  query(q: string): Promise<Array<Record<string, unknown>>>;
}

/** The store's InfluxQL reads, or null behind the v2 API. */
export function influxQueryOf(store: Pick<InfluxStore, 'v1'>): InfluxQuery | null {
  const v1 = store.v1;
  return v1 ? { database: v1.target.database, query: (q) => v1.client.query(q) as Promise<Array<Record<string, unknown>>> } : null;
}

export interface OpenOptions {
  /**
   * False to use the managed influxd only if it is already running (nms poll),
   * never starting one.
   */
  manageEmbedded: boolean;
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
  options: OpenOptions = { manageEmbedded: true },
): Promise<InfluxStore> {
  if (config.mode === 'external' && config.api === 2) return openV2(config, secrets, log);
  let embedded: EmbeddedInflux | null = null;
  let target: InfluxTarget;
  if (config.mode === 'embedded') {
    if (options.manageEmbedded) {
      embedded = new EmbeddedInflux({ dir: join(dataDir, 'influxdb'), port: config.port, log: log.child('influxd') });
      await embedded.start();
      target = { url: embedded.url, database: config.database, username: null, password: null };
    } else {
      target = { url: `http://127.0.0.1:${config.port}`, database: config.database, username: null, password: null };
    }
  } else {
    const password = config.password ? resolveSecret(config.password, secrets) : null;
    target = { url: config.url, database: config.database, username: config.username, password };
  }
  const client = createInfluxClient(target);
  try {
    const hosts = await client.ping(5000);
    if (!hosts.some((h) => h.online)) {
      throw new Error(
        config.mode === 'embedded' && !options.manageEmbedded ? 'not running (start it with "npm start", or pass --no-store)' : 'no answer to /ping within 5 s',
      );
    }
    const report = await ensureSchema(client, target.database);
    const changes = [...report.created.map((c) => `created ${c}`), ...report.altered.map((a) => `altered ${a}`)];
    log.info(`InfluxDB ${describeTarget(target)}: ${changes.length ? changes.join(', ') : 'schema up to date'}`);
  } catch (err) {
    await embedded?.stop();
    throw new Error(`InfluxDB at ${describeTarget(target)}: ${(err as Error).message}`, { cause: err });
  }
  return {
    mode: config.mode,
    description: describeTarget(target),
    sink: new InfluxV1Sink(target),
    v1: { target, client },
    embedded,
    close: async () => embedded?.stop(),
  };
}

async function openV2(config: Extract<InfluxConfig, { api: 2 }>, secrets: SecretSources, log: Logger): Promise<InfluxStore> {
  const sink = new InfluxV2Sink({ url: config.url, org: config.org, bucket: config.bucket, token: resolveSecret(config.token, secrets) });
  try {
    const res = await fetch(`${config.url.replace(/\/$/, '')}/health`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`/health answered HTTP ${res.status}`);
  } catch (err) {
    const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
    throw new Error(`InfluxDB at ${sink.describe()}: ${cause}`, { cause: err });
  }
  log.info(`InfluxDB ${sink.describe()}: writing through the v2 API; retention and rollups are the bucket's and the server's tasks`);
  return { mode: 'external', description: sink.describe(), sink, v1: null, embedded: null, close: async () => undefined };
}
