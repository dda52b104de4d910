/**
 * The whole pipeline through an InfluxDB outage: the product polls the
 * simulated network while its managed influxd is stopped and started again;
 * afterwards InfluxDB holds a device_health point for every poll made.
 */
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../shared/config/config.ts';
import { memoryLogger } from '../../shared/log.ts';
import { startProduct } from '../../server/runtime.ts';
import { freePort } from '../../server/influx/embeddedInflux.ts';
import { waitFor } from '../support/processes.ts';
import { tempDir } from '../support/tempDir.ts';
import { udpFreePort } from '../support/ports.ts';
import { httpQuery } from '../support/testInflux.ts';

describe('collection through an InfluxDB outage (real influxd, simulated network)', function () {
  this.timeout(120_000);

  it('loses no sample: every poll made during the outage is in InfluxDB afterwards', async () => {
    const dir = await tempDir('outage');
    const port = await freePort();
    const trapPort = await udpFreePort();
    await writeFile(
      join(dir.path, 'nms.yaml'),
      [`topology: ${resolve('topology.yaml')}`, `dataDir: ${dir.path}`, 'influx:', `  embeddedPort: ${port}`, 'simulator:', '  basePort: 0', '  controlPort: 0', '  speed: 60', 'collector:', '  interval: 1s', 'alarms:', `  trapPort: ${trapPort}`, 'console:', '  port: 0', ''].join('\n'),
    );
    const product = await startProduct(await loadConfig({ env: {}, cwd: dir.path }), {}, memoryLogger());
    try {
      await new Promise((r) => setTimeout(r, 2500));
      await product.store.embedded!.stop();
      await new Promise((r) => setTimeout(r, 3000));
      expect(product.writer.stats.spooledPoints, 'points waited in the spool').to.be.above(97);
      await product.store.embedded!.start();
      await new Promise((r) => setTimeout(r, 1500));
      await product.collector.stop();
      await waitFor('the spool to drain', async () => {
        await product.writer.flush();
        return product.writer.stats.spooledPoints === 0;
      }, 30_000);
      // Every poll since start-up, the first ones (before this test could listen) included.
      const polls = product.collector.stats.polls;
      const rows = await httpQuery(`http://127.0.0.1:${port}`, 'SELECT count(reachable) FROM device_health', 'nms');
      expect(rows[0]!.count).to.equal(polls);
      expect(polls).to.be.above(97 * 5);
      expect(product.writer.stats.droppedPoints + product.writer.stats.rejectedPoints).to.equal(0);
    } finally {
      await product.stop();
      await dir.remove();
    }
  });
});
