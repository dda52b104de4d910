import { EXIT, type Command } from '../command.ts';
import { ProgressBar } from '../render/progressBar.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { loadSecretSources } from '../../shared/config/secretsFile.ts';
import { execute } from '../../shared/influx/connection.ts';
import { consoleLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { rollupBackfill } from '../../shared/schema/rollups.ts';
import { parsePeriod } from '../../shared/time/reportPeriod.ts';
import { join } from 'node:path';
import { influxQueryOf, openInfluxStore } from '../../server/influx/store.ts';
import { DailyDigests, DIGESTS_DIR } from '../../server/reports/dailyDigests.ts';

const DAY_MS = 86_400_000;

export const backfillCommand: Command = {
  summary: 'rebuild the 5-minute and hourly rollups for a past range, from raw data',
  usage: `Usage: nms backfill --from DATE --to DATE [--config FILE]

Recomputes the rollups (rollup_5m, then rollup_1h) of every measurement for
the days from --from to --to, both included, in the network's time zone,
from the raw samples. Use it after importing old data, or when raw data came
in later than the continuous queries look back. Existing rollup points for
those days are overwritten with the same or better values; nothing is
deleted. Raw data is kept 35 days, so older days keep the rollups they have.

Works a day at a time and shows its progress. InfluxDB must be running
(nms up, or the server configured in nms.yaml).

Options:
  --from DATE      first day, e.g. 2026-10-01
  --to DATE        last day, e.g. 2026-10-31
  --config FILE    configuration file (default: nms.yaml if present)`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    config: { type: 'string' },
  },
  maxPositionals: 0,
  async run({ values }) {
    if (typeof values.from !== 'string' || typeof values.to !== 'string') {
      console.error('nms backfill: give --from and --to (days, e.g. --from 2026-10-01 --to 2026-10-31)');
      return EXIT.usage;
    }
    const config = await loadConfig({ explicitFile: values.config as string | undefined, env: process.env, cwd: process.cwd() });
    const log = consoleLogger('backfill');
    const timeZone = (await loadTopology(config.topologyFile)).network.timezone;
    let range: ReturnType<typeof parsePeriod>;
    try {
      range = parsePeriod(`${values.from}..${values.to}`, timeZone);
    } catch (err) {
      console.error(`nms backfill: --from/--to: ${(err as Error).message}`);
      return EXIT.usage;
    }
    const secrets = await loadSecretSources(config.secretsFile, process.env);
    const store = await openInfluxStore(config.influx, config.dataDir, secrets, log, { manageEmbedded: false });
    try {
      if (!store.v1) throw new Error('rollups live in InfluxDB 1.x (continuous queries); this config writes through the v2 API, which has none');
      const v1 = store.v1;
      const db = v1.target.database;
      const days = Math.round((range.toMs - range.fromMs) / DAY_MS);
      const bar = new ProgressBar(days, 'days');
      bar.update(0);
      for (let i = 0; i < days; i++) {
        const from = new Date(range.fromMs + i * DAY_MS);
        const to = new Date(range.fromMs + (i + 1) * DAY_MS);
        for (const statement of rollupBackfill(db, from, to)) await execute(v1.client, statement, db);
        bar.update(i + 1);
      }
      // Reports kept digests of these days; they are read again from the new rollups.
      new DailyDigests(influxQueryOf(store)!, join(config.dataDir, DIGESTS_DIR)).invalidate(range.fromMs, range.toMs);
      console.log(`rollups rebuilt for ${range.label} (${timeZone}), ${days} days`);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
