/**
 * The second write path, InfluxDB's v2 API, against a real server that speaks
 * it (Debian's victoria-metrics), through the spooling writer and an outage.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { InfluxV2Sink } from '../../collectors/write/influxV2Sink.ts';
import type { Point } from '../../collectors/write/lineProtocol.ts';
import { SpoolingWriter } from '../../collectors/write/spoolingWriter.ts';
import { memoryLogger } from '../../shared/log.ts';
import { Secret } from '../../shared/secret.ts';
import { waitFor } from '../support/processes.ts';
import { tempDir } from '../support/tempDir.ts';
import { TestVictoriaMetrics } from '../support/victoriaMetrics.ts';

describe('InfluxDB v2 write path (real victoria-metrics)', function () {
  this.timeout(90_000);
  let dir: { path: string; remove(): Promise<void> };
  let vm: TestVictoriaMetrics;
  before(async () => {
    dir = await tempDir('vm');
    vm = await TestVictoriaMetrics.start(join(dir.path, 'data'));
  });
  after(async () => {
    await vm?.stop();
    await dir?.remove();
  });

  const t0 = Date.now() - 3_600_000;
  const point = (circuit: string, i: number): Point => ({
    measurement: 'circuit_traffic',
    tags: { circuit, carrier: 'unicom', bandwidth: '10M', level: 'county', site: 'hyx', county: 'hyx', city: 'hy', end: 'a' },
    fields: { in_bps: 5_000_000 + i, out_bps: 1_000_000 + i, in_errors: i % 2, interval_s: 60 },
    timeMs: t0 + i * 10_000,
  });

  it('writes points through /api/v2/write that read back exactly, across an outage of the server', async () => {
    const sink = new InfluxV2Sink({ url: vm.url, org: 'hunan', bucket: 'nms', token: new Secret('token-not-needed-by-victoria') }, 2000);
    expect(sink.describe()).to.equal(`http://127.0.0.1:${vm.port} bucket "nms" (org "hunan", v2 API)`);
    const writer = await SpoolingWriter.open({ sink, spoolDir: join(dir.path, 'spool'), log: memoryLogger(), flushMs: 50, retryMs: 300 });
    for (let i = 0; i < 50; i++) writer.write([point('HY-HYX', i)]);
    await writer.flush();
    await vm.stop();
    for (let i = 50; i < 120; i++) writer.write([point('HY-HYX', i)]);
    await writer.flush();
    expect(writer.stats.spooledPoints).to.equal(70);
    await vm.start();
    await waitFor(
      'the spool to drain',
      async () => {
        await writer.flush();
        return writer.stats.spooledPoints === 0;
      },
      20_000,
    );
    await writer.close();

    const series = await vm.export('circuit_traffic_in_bps');
    expect(series).to.have.length(1);
    expect(series[0]!.metric).to.include({ circuit: 'HY-HYX', carrier: 'unicom', county: 'hyx', end: 'a' });
    expect(series[0]!.timestamps).to.deep.equal(Array.from({ length: 120 }, (_, i) => t0 + i * 10_000));
    expect(series[0]!.values).to.deep.equal(Array.from({ length: 120 }, (_, i) => 5_000_000 + i));
    const errors = await vm.export('circuit_traffic_in_errors');
    expect(errors[0]!.values).to.deep.equal(Array.from({ length: 120 }, (_, i) => i % 2));
  });

  it('says which server refused a write, and that a retry may help', async () => {
    const sink = new InfluxV2Sink({ url: 'http://127.0.0.1:9', org: 'hunan', bucket: 'nms', token: null }, 1000);
    const err = await sink.write(['circuit_traffic,circuit=X in_bps=1 1']).catch((e: Error & { retryable?: boolean }) => e);
    expect(err?.message).to.match(/^writing 1 points to http:\/\/127\.0\.0\.1:9 bucket "nms" \(org "hunan", v2 API\): /);
    expect((err as { retryable?: boolean }).retryable).to.equal(true);
  });
});

describe('the product on the v2 write API, chosen by config (real victoria-metrics)', function () {
  this.timeout(90_000);

  it('polls the simulated network and writes every circuit through /api/v2/write', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { resolve } = await import('node:path');
    const { loadConfig } = await import('../../shared/config/config.ts');
    const { startProduct } = await import('../../server/runtime.ts');
    const dir = await tempDir('vmup');
    const vm = await TestVictoriaMetrics.start(join(dir.path, 'vm'));
    try {
      await writeFile(
        join(dir.path, 'nms.yaml'),
        [
          `topology: ${resolve('topology.yaml')}`,
          'influx:',
          '  api: 2',
          `  url: ${vm.url}`,
          '  org: hunan',
          '  bucket: nms',
          '  token: { env: NMS_INFLUX_TOKEN }',
          // The v2 API means an external store, so the demo network is asked for explicitly.
          'simulator:',
          '  enabled: true',
          '  basePort: 0',
          '  controlPort: 0',
          '  speed: 60',
          'collector:',
          '  interval: 1s',
          '',
        ].join('\n'),
      );
      const config = await loadConfig({ env: {}, cwd: dir.path });
      const product = await startProduct(config, { NMS_INFLUX_TOKEN: 'a-token' }, memoryLogger());
      try {
        expect(product.store.v1).to.equal(null);
        expect(product.store.description).to.equal(`http://127.0.0.1:${vm.port} bucket "nms" (org "hunan", v2 API)`);
        await waitFor(
          'rates for every circuit',
          async () => {
            await product.writer.flush();
            return new Set((await vm.export('circuit_traffic_in_bps')).map((s) => s.metric.circuit)).size === 97;
          },
          30_000,
        );
      } finally {
        await product.stop();
      }
      const health = await vm.export('device_health_reachable');
      expect(new Set(health.map((s) => s.metric.device)).size).to.equal(97);
    } finally {
      await vm.stop();
      await dir.remove();
    }
  });
});
