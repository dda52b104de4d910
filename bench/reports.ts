/**
 * Report speed (issue 7's targets): a city's monthly report (Hengyang has 97
 * circuits; a generated city here has 78), a province's (1,099 circuits)
 * from the 5-minute rollup, and one circuit's month. Beside each, the same
 * report computed from raw samples, to show what the rollup buys. The raw
 * data here is one sample every 5 minutes, a fifth of what a 1-minute poll
 * writes, so the real raw figure is worse than the one printed.
 *
 * The rollup figures are given twice: the first report of a period, which
 * reads each day of the rollup from InfluxDB into a day digest kept under
 * the data folder, and the next ones, which read the digests. (The server
 * reads each finished day at 02:30, so a scheduled report finds them kept.)
 * The province from raw samples takes many minutes on a small machine: it
 * is run only with --raw-province.
 *
 *   npx tsx bench/reports.ts [--days 31] [--runs 3] [--raw-province]
 *
 * A managed influxd in a temporary folder on loopback; it stops by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutageLedger } from '../server/alarms/outageLedger.ts';
import { EmbeddedInflux } from '../server/influx/embeddedInflux.ts';
import { ensureSchema } from '../server/influx/schemaSetup.ts';
import { DailyDigests } from '../server/reports/dailyDigests.ts';
import { buildReport, type ReportSources } from '../server/reports/reportBuilder.ts';
import { resolveScope } from '../server/reports/reportScope.ts';
import type { TrafficSource } from '../server/reports/trafficFigures.ts';
import { createInfluxClient } from '../shared/influx/connection.ts';
import { memoryLogger } from '../shared/log.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { parsePeriod } from '../shared/time/reportPeriod.ts';
import { localMidnight } from '../shared/time/zonedTime.ts';
import { provinceYaml } from './generatedNetwork.ts';
import { numberArg } from './benchArgs.ts';

const args = process.argv.slice(2);
const arg = numberArg;
const DAYS = arg('days', 31);
const RUNS = arg('runs', 3);
const STEP = 300_000;
const BATCH = 50_000;
const RAW_PROVINCE = args.includes('--raw-province');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nms-bench-reports-'));
  const log = memoryLogger();
  const influx = new EmbeddedInflux({ dir: join(dir, 'influxdb'), port: 0, log });
  await influx.start();
  try {
    const topology = parseTopology(provinceYaml(14), 'generated-province.yaml');
    const client = createInfluxClient({ url: influx.url, database: 'nms', username: null, password: null }, 3_600_000);
    await ensureSchema(client, 'nms');
    // The days end three days ago, inside raw retention (35 days).
    const now = new Date(Date.now() + 8 * 3_600_000);
    const end = localMidnight(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate() - 3, 'Asia/Shanghai');
    const start = end - DAYS * 86_400_000;
    const write = async (rp: string, lines: string[]) => {
      const res = await fetch(`${influx.url}/write?db=nms&rp=${rp}&precision=s`, { method: 'POST', body: lines.join('\n') });
      if (res.status !== 204) throw new Error(`write ${rp}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    };
    const t0 = performance.now();
    let points = 0;
    for (const rp of ['rollup_5m', 'raw'] as const) {
      let lines: string[] = [];
      for (const [k, c] of topology.circuits.entries()) {
        for (let t = start, i = 0; t < end; t += STEP, i++) {
          // An office-day shape: busy from 08:00 to 18:00 local, quiet at night.
          const hour = ((t / 3_600_000 + 8) % 24) | 0;
          const level = (hour >= 8 && hour < 18 ? 0.5 : 0.08) * (0.6 + 0.4 * Math.abs(Math.sin(i * 0.37 + k)));
          const inBps = Math.round(c.bandwidthBps * level);
          const outBps = Math.round(inBps * 0.4);
          lines.push(
            rp === 'raw'
              ? `circuit_traffic,circuit=${c.id},end=a in_bps=${inBps},out_bps=${outBps} ${t / 1000}`
              : `circuit_traffic,circuit=${c.id},end=a in_bps=${inBps},out_bps=${outBps},in_bps_max=${Math.round(inBps * 1.2)},out_bps_max=${Math.round(outBps * 1.2)} ${t / 1000}`,
          );
          if (lines.length >= BATCH) {
            await write(rp, lines);
            points += lines.length;
            lines = [];
          }
        }
      }
      await write(rp, lines);
      points += lines.length;
    }
    console.log(
      `Wrote ${points.toLocaleString()} points (${topology.circuits.length} circuits × ${DAYS} days × 2 policies) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    const ledger = OutageLedger.open(join(dir, 'alarms'), topology, log);
    const query = { database: 'nms', query: (q: string) => client.query(q) as Promise<Array<Record<string, unknown>>> };
    const sources: ReportSources = {
      topology,
      influx: query,
      ledger,
      activeAlarms: () => [],
      now: Date.now,
      digests: new DailyDigests(query, join(dir, 'digests')),
    };
    const day = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
    const period = parsePeriod(`${day(start)}..${day(end - 86_400_000)}`, 'Asia/Shanghai');
    const once = async (scope: string, source: TrafficSource) => {
      const t = performance.now();
      await buildReport(sources, period, resolveScope(topology, scope), source);
      return performance.now() - t;
    };
    const median = async (scope: string, source: TrafficSource, runs: number) => {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) ms.push(await once(scope, source));
      return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
    };
    // The first report reads every day (and the period before, for the trend) into digests.
    const cold = await once('network', 'rollup_5m');
    console.log(
      `Report for ${DAYS} days (and the ${DAYS} before, for the trend); first report, reading ${2 * DAYS} days of the rollup into digests: ${(cold / 1000).toFixed(1)} s`,
    );
    console.log(`Then, median of ${RUNS} runs (5-minute rollup, from digests | the same report from raw samples in InfluxDB):`);
    for (const [label, scope, target] of [
      ['one circuit', 'circuit:P-1', '≤ 100 ms'],
      [`a city (${resolveScope(topology, 'city:c0').circuits.length} circuits)`, 'city:c0', '≤ 1 s'],
      [`the province (${topology.circuits.length} circuits)`, 'network', '≤ 10 s'],
    ] as const) {
      const rollup = await median(scope, 'rollup_5m', RUNS);
      const raw = scope === 'network' && !RAW_PROVINCE ? null : await median(scope, 'raw', 1);
      console.log(
        `  ${label.padEnd(28)} ${rollup.toFixed(0).padStart(6)} ms | raw ${raw === null ? 'not run (--raw-province)' : `${raw.toFixed(0).padStart(6)} ms`}   (target ${target})`,
      );
    }
    ledger.close();
  } finally {
    await influx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/reports: ${err.message}`);
  process.exitCode = 1;
});
