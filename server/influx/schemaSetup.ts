/**
 * Makes an InfluxDB match the measurement schema: the database, its retention
 * policies and the rollup continuous queries. Safe to run on every start and
 * against a server someone else runs: it creates what is missing and corrects
 * what differs, and never drops data.
 */
import type { InfluxDB } from 'influx';
import { execute } from '../../shared/influx/connection.ts';
import { RETENTION_POLICIES } from '../../shared/schema/measurements.ts';
import { continuousQueries } from '../../shared/schema/rollups.ts';

export interface SchemaSetupReport {
  created: string[];
  altered: string[];
}

const q = (name: string) => `"${name.replace(/"/g, '\\"')}"`;

/** InfluxDB prints durations as "720h0m0s"; compare in hours. */
function hours(d: string): number {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m) return NaN;
  return Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0) + Number(m[3] ?? 0) / 60 + Number(m[4] ?? 0) / 3600;
}

/**
 * @throws Error naming the statement InfluxDB refused (for example, for lack of admin rights).
 */
export async function ensureSchema(client: InfluxDB, database: string): Promise<SchemaSetupReport> {
  const report: SchemaSetupReport = { created: [], altered: [] };
  const databases = await client.getDatabaseNames();
  if (!databases.includes(database)) {
    await execute(client, `CREATE DATABASE ${q(database)}`);
    report.created.push(`database ${database}`);
  }

  const existing = await client.showRetentionPolicies(database);
  for (const rp of RETENTION_POLICIES) {
    const found = existing.find((e) => e.name === rp.name);
    const settings = `DURATION ${rp.duration} REPLICATION 1 SHARD DURATION ${rp.shardGroupDuration}${rp.isDefault ? ' DEFAULT' : ''}`;
    if (!found) {
      await execute(client, `CREATE RETENTION POLICY ${q(rp.name)} ON ${q(database)} ${settings}`);
      report.created.push(`retention policy ${rp.name}`);
    } else if (
      hours(found.duration) !== hours(rp.duration) ||
      hours(found.shardGroupDuration) !== hours(rp.shardGroupDuration) ||
      found.default !== rp.isDefault
    ) {
      await execute(client, `ALTER RETENTION POLICY ${q(rp.name)} ON ${q(database)} ${settings}`);
      report.altered.push(`retention policy ${rp.name}`);
    }
  }

  const current = await showContinuousQueries(client, database);
  for (const cq of continuousQueries(database)) {
    const had = current.get(cq.name);
    if (had !== undefined && normalize(had) === normalize(cq.statement)) continue;
    // A continuous query cannot be altered; replacing it loses nothing, as the
    // next run (with RESAMPLE FOR) recomputes the recent buckets.
    if (had !== undefined) await execute(client, `DROP CONTINUOUS QUERY ${q(cq.name)} ON ${q(database)}`);
    await execute(client, cq.statement);
    (had === undefined ? report.created : report.altered).push(`continuous query ${cq.name}`);
  }
  return report;
}

/** Continuous queries of one database, by name, with the statement InfluxDB stored. */
async function showContinuousQueries(client: InfluxDB, database: string): Promise<Map<string, string>> {
  const raw = (await client.queryRaw('SHOW CONTINUOUS QUERIES')) as {
    results: Array<{ series?: Array<{ name: string; values?: string[][] }> }>;
  };
  const series = raw.results[0]?.series?.find((s) => s.name === database);
  return new Map((series?.values ?? []).map(([name, query]) => [name!, query!]));
}

/** InfluxDB stores a continuous query re-printed, quoting only where needed. */
function normalize(statement: string): string {
  return statement.replace(/"/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}
