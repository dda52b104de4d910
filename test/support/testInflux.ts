/**
 * A real influxd (Debian's 1.x) for a test, in its own temp folder on free
 * loopback ports, plus plain-HTTP helpers that read it without going through
 * the code under test.
 */
import { memoryLogger } from '../../shared/log.ts';
import { EmbeddedInflux } from '../../server/influx/embeddedInflux.ts';
import { tempDir } from './tempDir.ts';

export interface TestInflux {
  influx: EmbeddedInflux;
  dir: string;
  log: ReturnType<typeof memoryLogger>;
  /** Stops influxd and removes its folder. */
  dispose(): Promise<void>;
}

export async function startTestInflux(): Promise<TestInflux> {
  const dir = await tempDir('influx');
  const log = memoryLogger();
  const influx = new EmbeddedInflux({ dir: dir.path, port: 0, log });
  await influx.start();
  return {
    influx,
    dir: dir.path,
    log,
    async dispose() {
      await influx.stop();
      await dir.remove();
    },
  };
}

interface QueryResponse {
  results: Array<{ error?: string; series?: Array<{ name: string; columns: string[]; values: unknown[][] }> }>;
}

/** Runs InfluxQL over plain HTTP and returns the first series' rows as objects. */
export async function httpQuery(url: string, q: string, db?: string): Promise<Array<Record<string, unknown>>> {
  const params = new URLSearchParams({ q, ...(db ? { db } : {}) });
  const res = await fetch(`${url}/query?${params}`, { method: 'POST' });
  const body = (await res.json()) as QueryResponse;
  const r = body.results[0]!;
  if (r.error) throw new Error(`${q}: ${r.error}`);
  const series = r.series?.[0];
  if (!series) return [];
  return series.values.map((row) => Object.fromEntries(series.columns.map((c, i) => [c, row[i]])));
}

/** Writes line protocol over plain HTTP. */
export async function httpWrite(url: string, db: string, lines: string, rp?: string, precision: 's' | 'ms' = 's'): Promise<void> {
  const params = new URLSearchParams({ db, precision, ...(rp ? { rp } : {}) });
  const res = await fetch(`${url}/write?${params}`, { method: 'POST', body: lines });
  if (res.status !== 204) throw new Error(`write failed: ${res.status} ${(await res.text()).slice(0, 500)}`);
}
