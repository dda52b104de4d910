/**
 * How every part of the product reaches InfluxDB 1.x: writes in line protocol
 * and reads in InfluxQL, through node-influx. The Debian package is 1.6, which
 * has no /api/v2 endpoints, so the v2 client cannot be used against it.
 */
import { FieldType, InfluxDB, type ISchemaOptions } from 'influx';
import { MEASUREMENTS } from '../schema/measurements.ts';
import type { Secret } from '../secret.ts';

export interface InfluxTarget {
  url: string;
  database: string;
  username: string | null;
  password: Secret | null;
}

/**
 * The measurement schema in node-influx's terms. With it, the client writes
 * integer fields as integers (a JS number is otherwise written as a float,
 * and InfluxDB then refuses the integer writes of every other part) and
 * refuses any tag or field the schema does not name. Note that writePoints
 * throws that refusal synchronously, not as a rejected promise.
 */
function clientSchema(database: string): ISchemaOptions[] {
  return Object.values(MEASUREMENTS).map((m) => ({
    database,
    measurement: m.name,
    tags: Object.keys(m.tags),
    fields: Object.fromEntries(Object.entries(m.fields).map(([name, f]) => [name, f.type === 'integer' ? FieldType.INTEGER : FieldType.FLOAT])),
  }));
}

export function createInfluxClient(target: InfluxTarget, requestTimeoutMs = 10_000): InfluxDB {
  const url = new URL(target.url);
  return new InfluxDB({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol === 'https:' ? ('https' as const) : ('http' as const),
    database: target.database,
    schema: clientSchema(target.database),
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password.reveal() } : {}),
    ...(url.pathname !== '/' ? { path: url.pathname.replace(/\/$/, '') } : {}),
    // Retrying is the writer's job (it spools); the client fails fast.
    pool: { requestTimeout: requestTimeoutMs, maxRetries: 0 },
  });
}

interface RawResults {
  results?: Array<{ error?: string; series?: Array<{ columns: string[]; values: unknown[][] }> }>;
  error?: string;
}

/**
 * Runs one InfluxQL statement that changes state (CREATE, ALTER, DROP,
 * SELECT INTO) and returns its rows.
 * @throws Error naming the statement's kind and InfluxDB's message.
 */
export async function execute(client: InfluxDB, statement: string, database?: string): Promise<unknown[][]> {
  const raw = (await client.queryRaw(statement, { method: 'POST', ...(database ? { database } : {}) })) as RawResults;
  const error = raw.error ?? raw.results?.find((r) => r.error)?.error;
  if (error) throw new Error(`InfluxDB refused "${statement.split(' ').slice(0, 3).join(' ')} …": ${error}`);
  return raw.results?.[0]?.series?.[0]?.values ?? [];
}

/** Host and port of a URL, for messages (never credentials). */
export function describeTarget(target: InfluxTarget): string {
  const url = new URL(target.url);
  return `${url.protocol}//${url.host} database "${target.database}"`;
}
