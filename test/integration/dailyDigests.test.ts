/**
 * Report day digests against a real influxd: a finished day is read once
 * and kept, exactly as the rollup holds it (NaN where an interval has no
 * data); a day still open is read every time; a day whose rollups were
 * rebuilt is read again.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { ensureSchema } from '../../server/influx/schemaSetup.ts';
import { DailyDigests } from '../../server/reports/dailyDigests.ts';
import { createInfluxClient } from '../../shared/influx/connection.ts';
import { localMidnight } from '../../shared/time/zonedTime.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpWrite, startTestInflux, type TestInflux } from '../support/testInflux.ts';

describe('report day digests', function () {
  this.timeout(60_000);
  let influx: TestInflux;
  let dir: { path: string; remove(): Promise<void> };
  const DAY = 86_400_000;
  const day0 = localMidnight(2026, 11, 10, 'Asia/Shanghai');
  const query = () => {
    const client = createInfluxClient({ url: influx.influx.url, database: 'nms', username: null, password: null });
    return { database: 'nms', query: (q: string) => client.query(q) as Promise<Array<Record<string, unknown>>> };
  };
  const point = (circuit: string, slot: number, inBps: number) =>
    `circuit_traffic,circuit=${circuit},end=a in_bps=${inBps},out_bps=${inBps / 2},in_bps_max=${inBps * 2},out_bps_max=${inBps} ${(day0 + slot * 300_000) / 1000}`;

  before(async () => {
    influx = await startTestInflux();
    dir = await tempDir('digests');
    await ensureSchema(createInfluxClient({ url: influx.influx.url, database: 'nms', username: null, password: null }), 'nms');
    // Day 0: HY-HYX every interval but one; HY-HSX only the first hour. Day 1: HY-HYX's first interval.
    const lines = [
      ...Array.from({ length: 288 }, (_, s) => s)
        .filter((s) => s !== 100)
        .map((s) => point('HY-HYX', s, 1000 + s)),
      ...Array.from({ length: 12 }, (_, s) => point('HY-HSX', s, 50)),
      point('HY-HYX', 288, 7),
    ];
    await httpWrite(influx.influx.url, 'nms', lines.join('\n'), 'rollup_5m');
  });
  after(async () => {
    await influx?.dispose();
    await dir?.remove();
  });

  it('keeps a finished day exactly as the rollup holds it, and not a day still open', async () => {
    // Day 1 ended an hour ago: its rollups may still change.
    const digests = new DailyDigests(query(), dir.path, () => day0 + 2 * DAY + 3_600_000);
    const [d0, d1] = await digests.days(day0, day0 + 2 * DAY);
    expect(readdirSync(dir.path)).to.deep.equal([`${day0}.digest`]);
    const again = (
      await new DailyDigests({ database: 'nms', query: () => Promise.reject(new Error('read from disk, not InfluxDB')) }, dir.path).days(day0, day0 + DAY)
    )[0]!;
    for (const d of [d0!, again]) {
      const hyx = d.circuits.get('HY-HYX')!;
      expect(hyx.in[0]).to.equal(1000);
      expect(hyx.in[287]).to.equal(1287);
      expect(Number.isNaN(hyx.in[100]!)).to.equal(true);
      expect(hyx.out[10]).to.equal(505);
      expect(hyx.inPeak).to.equal(2 * 1287);
      expect([...d.circuits.get('HY-HSX')!.in].filter((v) => !Number.isNaN(v))).to.have.length(12);
    }
    expect(d1!.circuits.get('HY-HYX')!.in[0]).to.equal(7);
  });

  it('reads a day again once its rollups were rebuilt', async () => {
    const digests = new DailyDigests(query(), dir.path, () => day0 + 3 * DAY);
    await httpWrite(influx.influx.url, 'nms', point('HY-HYX', 100, 4242), 'rollup_5m');
    expect(Number.isNaN((await digests.days(day0, day0 + DAY))[0]!.circuits.get('HY-HYX')!.in[100]!), 'kept: not yet told').to.equal(true);
    digests.invalidate(day0 + 3_600_000, day0 + 2 * 3_600_000);
    expect((await digests.days(day0, day0 + DAY))[0]!.circuits.get('HY-HYX')!.in[100]).to.equal(4242);
  });
});
