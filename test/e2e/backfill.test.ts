/**
 * `nms backfill` as an operator runs it, against a real influxd holding two
 * days of raw samples the test wrote: the 5-minute and hourly rollups it
 * builds hold the means and maxima the test computes from those same
 * samples itself.
 */
import { expect } from 'chai';
import { ensureSchema } from '../../server/influx/schemaSetup.ts';
import { createInfluxClient } from '../../shared/influx/connection.ts';
import { localMidnight } from '../../shared/time/zonedTime.ts';
import { runNms } from '../support/runNms.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpQuery, httpWrite, startTestInflux, type TestInflux } from '../support/testInflux.ts';

describe('nms backfill (end to end)', function () {
  this.timeout(120_000);
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  // Two whole days in Shanghai, a week ago (raw data is kept 35 days).
  const today = new Date(Date.now() + 8 * 3_600_000);
  const day0 = localMidnight(today.getUTCFullYear(), today.getUTCMonth() + 1, today.getUTCDate() - 8, 'Asia/Shanghai');
  const label = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
  /** The raw sample of minute i: a saw-tooth, so every 5-minute mean and hourly max is different. */
  const inBps = (i: number) => 1_000_000 + (i % 7) * 10_000 + Math.floor(i / 60) * 100;

  before(async () => {
    influx = await startTestInflux();
    dir = await tempDir('backfill');
    await ensureSchema(createInfluxClient({ url: influx.influx.url, database: 'nms', username: null, password: null }), 'nms');
    const lines = Array.from(
      { length: 2 * 1440 },
      (_, i) => `circuit_traffic,circuit=HY-HYX,end=a in_bps=${inBps(i)},out_bps=500000,in_errors=1i,out_errors=0i ${(day0 + i * 60_000) / 1000}`,
    );
    for (let k = 0; k < lines.length; k += 1000) await httpWrite(influx.influx.url, 'nms', lines.slice(k, k + 1000).join('\n'), 'raw');
    await writeProductConfig(dir.path, { influxUrl: influx.influx.url });
  });
  after(async () => {
    await influx?.dispose();
    await dir?.remove();
  });

  it('rebuilds both rollups for the days asked, showing its progress', async () => {
    const r = await runNms(['backfill', '--from', label(day0), '--to', label(day0 + 86_400_000)], { cwd: dir.path });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/100% 2\/2 days/);
    expect(r.stdout).to.contain(`rollups rebuilt for ${label(day0)}..${label(day0 + 86_400_000)} (Asia/Shanghai), 2 days`);

    const five = await httpQuery(influx.influx.url, `SELECT in_bps, in_bps_max, in_errors FROM "nms"."rollup_5m"."circuit_traffic" WHERE circuit = 'HY-HYX'`);
    expect(five).to.have.length(2 * 288);
    five.forEach((row, b) => {
      const minutes = [0, 1, 2, 3, 4].map((k) => b * 5 + k);
      expect(row.in_bps, `bucket ${b}`).to.be.closeTo(minutes.reduce((n, i) => n + inBps(i), 0) / 5, 1e-6);
      expect(row.in_bps_max).to.equal(Math.max(...minutes.map(inBps)));
      expect(row.in_errors).to.equal(5);
    });
    const hourly = await httpQuery(influx.influx.url, `SELECT in_bps_max FROM "nms"."rollup_1h"."circuit_traffic" WHERE circuit = 'HY-HYX'`);
    expect(hourly.map((h) => h.in_bps_max)).to.deep.equal(
      Array.from({ length: 48 }, (_, h) => Math.max(...Array.from({ length: 60 }, (_, m) => inBps(h * 60 + m)))),
    );
  });

  it('says what is wrong with the days it was given', async () => {
    const r = await runNms(['backfill', '--from', '2026-13-01', '--to', '2026-10-01'], { cwd: dir.path });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('nms backfill: --from/--to: "2026-13-01" is not a calendar date');
    expect((await runNms(['backfill', '--from', '2026-10-01'], { cwd: dir.path })).stderr).to.contain('give --from and --to');
  });
});
