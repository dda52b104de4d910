import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, type Command } from '../command.ts';
import { AlarmJournal } from '../../server/alarms/alarmJournal.ts';
import { OutageLedger } from '../../server/alarms/outageLedger.ts';
import { influxQueryOf, openInfluxStore } from '../../server/influx/store.ts';
import { DailyDigests, DIGESTS_DIR } from '../../server/reports/dailyDigests.ts';
import { buildReport } from '../../server/reports/reportBuilder.ts';
import { resolveScope, ScopeError } from '../../server/reports/reportScope.ts';
import { REPORT_FORMATS, type ReportFormat } from '../../shared/reports/reportFormats.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { loadSecretSources } from '../../shared/config/secretsFile.ts';
import { consoleLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { parsePeriod, PeriodError } from '../../shared/time/reportPeriod.ts';

export const reportCommand: Command = {
  summary: 'a bandwidth and SLA report for a period: JSON, CSV, XLSX or PDF',
  usage: `Usage: nms report --period PERIOD [--scope SCOPE] [--format FORMAT] [--out FILE] [options]

Builds the bandwidth and SLA report of a period from InfluxDB (the 5-minute
rollup) and the SLA ledger under the data folder, as the console and the
schedules do, and writes it to a file (or standard output for json and csv).

  --period PERIOD   2026-10 (month), 2026-W41 (ISO week), 2026-10-05 (day),
                    2026-10-01..2026-10-15 (days), in the network's time zone
  --scope SCOPE     network (default), circuit:HY-HYX, county:衡东县 (id or
                    name), city:衡阳市, carrier:telecom (or 电信, unicom, mobile)
  --format FORMAT   json (default), csv, xlsx, pdf, html
  --out FILE        where to write; default: a name that says what it holds
  --lang zh|en      language of headers and notes (default zh)
  --raw             compute from raw samples instead of the rollup (slower;
                    raw data is kept 35 days)
  --config FILE     configuration file (default: nms.yaml if present)

InfluxDB must be running (nms up, or the server configured in nms.yaml).`,
  options: {
    period: { type: 'string' },
    scope: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    lang: { type: 'string' },
    raw: { type: 'boolean' },
    config: { type: 'string' },
  },
  maxPositionals: 0,
  async run({ values }) {
    // The renderers (PDF, XLSX) are loaded only by the command that renders: nms itself starts in a fraction of the time.
    const { renderReport, reportFileName } = await import('../../server/reports/render/renderReport.ts');
    const usage = (message: string) => {
      console.error(`nms report: ${message}`);
      return EXIT.usage;
    };
    if (typeof values.period !== 'string') return usage('give --period (2026-10, 2026-W41, 2026-10-05 or 2026-10-01..2026-10-15)');
    const format = (values.format ?? 'json') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) return usage(`--format ${String(values.format)}: one of ${REPORT_FORMATS.join(', ')}`);
    const lang = values.lang ?? 'zh';
    if (lang !== 'zh' && lang !== 'en') return usage(`--lang ${String(lang)}: zh or en`);
    const config = await loadConfig({ explicitFile: values.config as string | undefined, env: process.env, cwd: process.cwd() });
    const topology = await loadTopology(config.topologyFile);
    let period: ReturnType<typeof parsePeriod>;
    let scope: ReturnType<typeof resolveScope>;
    try {
      period = parsePeriod(values.period, topology.network.timezone);
      scope = resolveScope(topology, (values.scope as string | undefined) ?? 'network');
    } catch (err) {
      if (err instanceof PeriodError) return usage(`--period: ${err.message}`);
      if (err instanceof ScopeError) return usage(`--scope: ${err.message}`);
      throw err;
    }
    const log = consoleLogger('report');
    const store = await openInfluxStore(config.influx, config.dataDir, await loadSecretSources(config.secretsFile, process.env), log, {
      manageEmbedded: false,
    });
    const alarmsDir = join(config.dataDir, 'alarms');
    const journal = AlarmJournal.open(alarmsDir, log);
    const ledger = OutageLedger.open(alarmsDir, topology, log);
    try {
      const influx = influxQueryOf(store);
      if (!influx) throw new Error('reports read InfluxDB 1.x with InfluxQL; this config writes through the v2 API only');
      const active = [...journal.alarms.values()].filter((a) => a.clearedAtMs === null);
      const report = await buildReport(
        {
          topology,
          influx,
          ledger,
          activeAlarms: () => active,
          now: Date.now,
          thresholds: config.reports.capacity,
          digests: new DailyDigests(influx, join(config.dataDir, DIGESTS_DIR)),
        },
        period,
        scope,
        values.raw ? 'raw' : 'rollup_5m',
      );
      const body = await renderReport(report, format, lang);
      const out = values.out as string | undefined;
      if (!out && (format === 'json' || format === 'csv')) process.stdout.write(body);
      else {
        const file = out ?? reportFileName(report, format);
        await writeFile(file, body);
        console.log(
          `${file}: ${report.circuits.length} circuits, ${report.period.label} (${report.period.timeZone}), traffic data coverage ${report.totals.trafficCoveragePct.toFixed(1)}%`,
        );
      }
      return EXIT.ok;
    } finally {
      journal.close();
      ledger.close();
      await store.close();
    }
  },
};
