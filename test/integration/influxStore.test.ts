/**
 * The product's InfluxDB in external mode: it uses the server it is given,
 * starts none of its own, and says plainly when it cannot reach it.
 */
import { expect } from 'chai';
import { memoryLogger } from '../../shared/log.ts';
import { freePort } from '../../server/influx/embeddedInflux.ts';
import { openInfluxStore } from '../../server/influx/store.ts';
import { httpQuery, startTestInflux, type TestInflux } from '../support/testInflux.ts';

describe('InfluxDB store, external mode (real influxd)', function () {
  this.timeout(60_000);
  let other: TestInflux;
  before(async () => {
    other = await startTestInflux();
  });
  after(() => other?.dispose());

  it('uses the configured server, applies the schema there, and starts no influxd', async () => {
    const log = memoryLogger();
    const store = await openInfluxStore(
      { mode: 'external', api: 1, url: other.influx.url, database: 'nms_ext', username: 'nms', password: { env: 'TEST_INFLUX_PASSWORD' } },
      '/nonexistent-data-dir',
      { env: { TEST_INFLUX_PASSWORD: 'pa55-w0rd-value' } },
      log,
    );
    expect(store.embedded).to.equal(null);
    expect((await httpQuery(other.influx.url, 'SHOW DATABASES')).map((r) => r.name)).to.include('nms_ext');
    await store.close();
    expect((await fetch(`${other.influx.url}/ping`)).status).to.equal(204);
    expect(log.lines.join('\n')).to.include('nms_ext').and.not.include('pa55-w0rd-value');
  });

  it('says which server it could not reach', async () => {
    const port = await freePort();
    const err = await openInfluxStore(
      { mode: 'external', api: 1, url: `http://127.0.0.1:${port}`, database: 'nms', username: null, password: null },
      '/nonexistent-data-dir',
      { env: {} },
      memoryLogger(),
    ).catch((e: Error) => e);
    expect((err as Error).message).to.equal(`InfluxDB at http://127.0.0.1:${port} database "nms": no answer to /ping within 5 s`);
  });

  it('names a password reference that is not set, never a value', async () => {
    const err = await openInfluxStore(
      { mode: 'external', api: 1, url: other.influx.url, database: 'nms', username: 'nms', password: { env: 'NMS_INFLUX_PASSWORD' } },
      '/nonexistent-data-dir',
      { env: {} },
      memoryLogger(),
    ).catch((e: Error) => e);
    expect((err as Error).message).to.equal('environment variable NMS_INFLUX_PASSWORD is not set (export NMS_INFLUX_PASSWORD=...)');
  });
});
