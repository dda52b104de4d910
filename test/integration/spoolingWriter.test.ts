/**
 * The writer against Debian's influxd: an outage in the middle of writing, a
 * restart of the writer with points still spooled, a batch InfluxDB refuses,
 * and the spool's bound. Every expected point is counted in InfluxDB itself.
 */
import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import { InfluxV1Sink } from '../../collectors/write/influxV1Sink.ts';
import type { Point } from '../../collectors/write/lineProtocol.ts';
import { SpoolingWriter } from '../../collectors/write/spoolingWriter.ts';
import { createInfluxClient } from '../../shared/influx/connection.ts';
import { memoryLogger } from '../../shared/log.ts';
import { ensureSchema } from '../../server/influx/schemaSetup.ts';
import { waitFor } from '../support/processes.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpQuery, httpWrite, startTestInflux, type TestInflux } from '../support/testInflux.ts';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const point = (circuit: string, i: number): Point => ({
  measurement: 'circuit_traffic',
  tags: { circuit, carrier: 'telecom', bandwidth: '2M', level: 'department', site: 'hy-hbj', city: 'hy', end: 'a' },
  fields: { in_bps: 1000 + i, out_bps: 2000 + i, in_errors: i % 3, interval_s: 60 },
  timeMs: T0 + i * 60_000,
});

describe('spooling writer (real influxd)', function () {
  this.timeout(90_000);
  let influx: TestInflux;
  let spool: { path: string; remove(): Promise<void> };

  beforeEach(async () => {
    influx = await startTestInflux();
    await ensureSchema(createInfluxClient({ url: influx.influx.url, database: 'nms', username: null, password: null }), 'nms');
    spool = await tempDir('spool');
  });
  afterEach(async () => {
    await influx.dispose();
    await spool.remove();
  });

  const sink = () => new InfluxV1Sink({ url: influx.influx.url, database: 'nms', username: null, password: null }, 2000);
  const count = async (circuit: string) => {
    const rows = await httpQuery(influx.influx.url, `SELECT count(in_bps) FROM circuit_traffic WHERE circuit = '${circuit}'`, 'nms');
    return (rows[0]?.count as number | undefined) ?? 0;
  };

  it('loses nothing when InfluxDB stops in the middle, and replays in order when it is back', async () => {
    const replayed: Array<{ fromMs: number; toMs: number }> = [];
    const log = memoryLogger();
    const writer = await SpoolingWriter.open({
      sink: sink(),
      spoolDir: spool.path,
      log,
      flushMs: 50,
      retryMs: 300,
      onReplayed: async (s) => void replayed.push(s),
    });
    for (let i = 0; i < 100; i++) writer.write([point('OUTAGE', i)]);
    await writer.flush();
    expect(await count('OUTAGE')).to.equal(100);

    await influx.influx.stop();
    for (let i = 100; i < 250; i++) writer.write([point('OUTAGE', i)]);
    await writer.flush();
    expect(writer.stats.spooledPoints).to.equal(150);
    expect((await readdir(spool.path)).length).to.be.at.least(1);

    await influx.influx.start();
    for (let i = 250; i < 300; i++) writer.write([point('OUTAGE', i)]);
    await waitFor(
      'the spool to drain',
      async () => {
        await writer.flush();
        return writer.stats.spooledPoints === 0;
      },
      20_000,
    );
    await writer.close();

    expect(await count('OUTAGE')).to.equal(300);
    const rows = await httpQuery(influx.influx.url, `SELECT in_bps FROM circuit_traffic WHERE circuit = 'OUTAGE'`, 'nms');
    expect(rows.map((r) => r.in_bps)).to.deep.equal(Array.from({ length: 300 }, (_, i) => 1000 + i));
    expect(replayed.length).to.be.at.least(1);
    expect(Math.min(...replayed.map((r) => r.fromMs))).to.equal(T0 + 100 * 60_000);
    expect(writer.stats.droppedPoints).to.equal(0);
    expect(log.lines.join('\n')).to.match(/spooling to disk until it is back/);
  });

  it('keeps spooled points across a restart of the writer and replays them on start', async () => {
    await influx.influx.stop();
    const first = await SpoolingWriter.open({ sink: sink(), spoolDir: spool.path, log: memoryLogger(), flushMs: 50, retryMs: 60_000 });
    for (let i = 0; i < 40; i++) first.write([point('RESTART', i)]);
    await first.close();
    expect(first.stats.spooledPoints).to.equal(40);

    await influx.influx.start();
    const second = await SpoolingWriter.open({ sink: sink(), spoolDir: spool.path, log: memoryLogger(), flushMs: 50, retryMs: 300 });
    await waitFor('the old spool to be replayed', () => second.stats.spooledPoints === 0, 20_000);
    await second.close();
    expect(await count('RESTART')).to.equal(40);
    expect(await readdir(spool.path)).to.deep.equal([]);
  });

  it('drops a batch InfluxDB refuses, rather than retrying it forever', async () => {
    // Make in_errors a float field, so the writer's integer in_errors conflicts.
    await httpWrite(influx.influx.url, 'nms', `circuit_traffic,circuit=CONFLICT in_errors=1.5 ${Math.floor(T0 / 1000) - 60}`);
    const log = memoryLogger();
    const writer = await SpoolingWriter.open({ sink: sink(), spoolDir: spool.path, log, flushMs: 50, retryMs: 300 });
    writer.write([point('CONFLICT', 1)]);
    await writer.flush();
    writer.write([{ ...point('FINE', 2), fields: { in_bps: 5 } }]);
    await writer.close();
    expect(writer.stats.rejectedPoints).to.equal(1);
    expect(writer.stats.spooledPoints).to.equal(0);
    expect(await count('FINE')).to.equal(1);
    expect(log.lines.join('\n')).to.match(/HTTP 400 .*field type conflict.*dropped/);
  });

  it('refuses a second writer on a spool a live process holds, and takes over a dead one’s', async () => {
    const first = await SpoolingWriter.open({ sink: sink(), spoolDir: spool.path, log: memoryLogger() });
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    // Pretend another live process (this test's parent) holds it.
    await writeFile(join(spool.path, 'writer.pid'), `${process.ppid}\n`);
    const err = await SpoolingWriter.open({ sink: sink(), spoolDir: spool.path, log: memoryLogger() }).catch((e: Error) => e);
    expect((err as Error).message).to.equal(`spool ${spool.path} is in use by process ${process.ppid}; one writer per spool`);
    // A holder that has died does not block.
    await writeFile(join(spool.path, 'writer.pid'), '999999999\n');
    const second = await SpoolingWriter.open({ sink: sink(), spoolDir: spool.path, log: memoryLogger() });
    await second.close();
    await first.close();
    expect(await readdir(spool.path)).to.deep.equal([]);
  });

  it('keeps the spool within its bound, dropping the oldest points and saying so', async () => {
    await influx.influx.stop();
    const log = memoryLogger();
    const writer = await SpoolingWriter.open({ sink: sink(), spoolDir: spool.path, log, flushMs: 10, retryMs: 60_000, batchSize: 10, maxSpoolBytes: 4000 });
    for (let i = 0; i < 200; i++) {
      writer.write([point('BOUND', i)]);
      if (i % 10 === 9) await writer.flush();
    }
    await writer.flush();
    expect(writer.stats.spoolBytes).to.be.at.most(4000);
    expect(writer.stats.droppedPoints + writer.stats.spooledPoints).to.equal(200);
    expect(writer.stats.droppedPoints).to.be.above(0);
    expect(log.lines.join('\n')).to.match(/spool over 4000 bytes: dropped its oldest 10 points/);
    await writer.close();
  });
});
