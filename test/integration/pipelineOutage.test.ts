/**
 * The whole pipeline through an InfluxDB outage: the product polls the
 * simulated network while its managed influxd is stopped and started again;
 * afterwards InfluxDB holds a device_health point for every poll made.
 */
import { expect } from 'chai';
import { loadConfig } from '../../shared/config/config.ts';
import { memoryLogger } from '../../shared/log.ts';
import { startProduct } from '../../server/runtime.ts';
import { waitFor } from '../support/processes.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';
import { httpQuery } from '../support/testInflux.ts';

describe('collection through an InfluxDB outage (real influxd, simulated network)', function () {
  this.timeout(120_000);

  it('loses no sample: every poll made during the outage is in InfluxDB afterwards', async () => {
    const dir = await tempDir('outage');
    await writeProductConfig(dir.path, { simulator: ['  speed: 60'] });
    const product = await startProduct(await loadConfig({ env: {}, cwd: dir.path }), {}, memoryLogger());
    try {
      await new Promise((r) => setTimeout(r, 2500));
      await product.store.embedded!.stop();
      await new Promise((r) => setTimeout(r, 3000));
      expect(product.writer.stats.spooledPoints, 'points waited in the spool').to.be.above(97);
      await product.store.embedded!.start();
      await new Promise((r) => setTimeout(r, 1500));
      await product.collector.stop();
      await waitFor(
        'the spool to drain',
        async () => {
          await product.writer.flush();
          return product.writer.stats.spooledPoints === 0;
        },
        30_000,
      );
      // Every poll since start-up, the first ones (before this test could listen) included.
      const polls = product.collector.stats.polls;
      const rows = await httpQuery(product.store.embedded!.url, 'SELECT count(reachable) FROM device_health', 'nms');
      expect(rows[0]!.count).to.equal(polls);
      expect(polls).to.be.above(97 * 5);
      expect(product.writer.stats.droppedPoints + product.writer.stats.rejectedPoints).to.equal(0);
    } finally {
      await product.stop();
      await dir.remove();
    }
  });
});
