/**
 * The Grafana files, checked as strictly as we can without Grafana (it is
 * not in Debian): provisioning that takes its URL, database and path from
 * the environment; dashboards Grafana's provisioning accepts; every query
 * naming only what the schema contract holds; and every query, its template
 * variables expanded to real values, run against the real InfluxDB after the
 * product has polled the simulated network, returning data.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../shared/config/config.ts';
import { execute } from '../../shared/influx/connection.ts';
import { memoryLogger } from '../../shared/log.ts';
import { MEASUREMENTS, RETENTION_POLICIES } from '../../shared/schema/measurements.ts';
import { rollupBackfill } from '../../shared/schema/rollups.ts';
import { startProduct, type RunningProduct } from '../../server/runtime.ts';
import { waitFor } from '../support/processes.ts';
import { writeProductConfig } from '../support/productConfig.ts';
import { tempDir } from '../support/tempDir.ts';

const GRAFANA = resolve('grafana');
const DASHBOARDS = join(GRAFANA, 'dashboards');

interface Target {
  refId: string;
  query: string;
  rawQuery: boolean;
  datasource: { uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description: string;
  gridPos: object;
  targets: Target[];
  datasource: { uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  description: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string }> };
  annotations: { list: Array<{ query: string }> };
}

const dashboards = readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, d: JSON.parse(readFileSync(join(DASHBOARDS, f), 'utf8')) as Dashboard }));
/** Every InfluxQL text the dashboards send: panel targets, template variables, annotations. */
const queries = dashboards.flatMap(({ file, d }) => [
  ...d.panels.flatMap((p) => p.targets.map((t) => ({ where: `${file} panel ${p.id} "${p.title}" ${t.refId}`, q: t.query }))),
  ...d.templating.list.filter((v) => v.type === 'query').map((v) => ({ where: `${file} variable $${v.name}`, q: v.query })),
  ...d.annotations.list.map((a, i) => ({ where: `${file} annotation ${i}`, q: a.query })),
]);
const HAN = /\p{Script=Han}/u;

describe('Grafana provisioning and dashboards', function () {
  this.timeout(180_000);

  it('provisions the datasource and the dashboards from environment variables', () => {
    const ds = parse(readFileSync(join(GRAFANA, 'provisioning/datasources/nms.yaml'), 'utf8')) as {
      apiVersion: number;
      datasources: Array<Record<string, unknown> & { jsonData: Record<string, unknown> }>;
    };
    expect(ds.apiVersion).to.equal(1);
    expect(ds.datasources[0]).to.include({ uid: 'nms-influxdb', type: 'influxdb', url: '$NMS_INFLUX_URL' });
    expect(ds.datasources[0]!.jsonData.dbName).to.equal('$NMS_INFLUX_DB');
    const provider = parse(readFileSync(join(GRAFANA, 'provisioning/dashboards/nms.yaml'), 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    const path = provider.providers[0]!.options.path;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable, as the file has it
    expect(path).to.equal('${GF_PATHS_PROVISIONING}/../dashboards');
    // Expanded as Grafana expands it, it is the folder the dashboards are in.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable, as the file has it
    expect(resolve(path.replace('${GF_PATHS_PROVISIONING}', join(GRAFANA, 'provisioning')))).to.equal(DASHBOARDS);
  });

  it('holds dashboards that provisioning accepts: schema version, unique uids and panel ids, Chinese titles and English descriptions', () => {
    expect(dashboards.map((x) => x.file).sort()).to.deep.equal([
      'carrier-sla.json',
      'circuit-detail.json',
      'county-view.json',
      'noc-overview.json',
      'poller-health.json',
    ]);
    expect(new Set(dashboards.map((x) => x.d.uid)).size).to.equal(dashboards.length);
    for (const { file, d } of dashboards) {
      expect(d.schemaVersion, file).to.be.at.least(36);
      expect(d.uid, file).to.match(/^[a-z0-9-]{1,40}$/);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: panel ids`).to.equal(ids.length);
      for (const text of [d.title, ...d.panels.map((p) => p.title)]) expect(text, `${file}: title "${text}"`).to.match(HAN);
      for (const text of [d.description, ...d.panels.map((p) => p.description)]) {
        expect(text, `${file}: description`).to.match(/^[A-Z][\x20-\x7e→÷×—–]+$/);
      }
      for (const p of d.panels) {
        expect(p.datasource.uid, `${file} panel ${p.id}`).to.equal('nms-influxdb');
        expect(p.targets.length, `${file} panel ${p.id}`).to.be.above(0);
        for (const t of p.targets) expect(t.rawQuery && t.datasource.uid === 'nms-influxdb', `${file} panel ${p.id}`).to.equal(true);
      }
    }
  });

  it('names only measurements, fields and tags of the schema contract', () => {
    const rps = new Set<string>([...RETENTION_POLICIES.map((r) => r.name), '$rp']);
    for (const { where, q } of queries) {
      const measurements = [...q.matchAll(/FROM\s+(?:"([^"]+)"\.)?"([^"]+)"/g)].map((m) => m[2]!).filter((m) => !rps.has(m));
      expect(measurements.length, where).to.be.above(0);
      const known = new Set<string>();
      for (const name of measurements) {
        const spec = MEASUREMENTS[name as keyof typeof MEASUREMENTS];
        expect(spec, `${where}: measurement "${name}"`).to.not.equal(undefined);
        for (const k of [...Object.keys(spec.fields), ...Object.keys(spec.tags), ...('rollup' in spec ? spec.rollup.map((r) => r.field) : [])]) known.add(k);
      }
      const aliases = new Set([...q.matchAll(/AS\s+"([^"]+)"/g)].map((m) => m[1]!));
      const named = [...q.matchAll(/"([^"]+)"/g)].map((m) => m[1]!).filter((n) => !rps.has(n) && !measurements.includes(n) && !aliases.has(n));
      for (const n of named) expect(known.has(n), `${where}: "${n}" is in no measurement it reads`).to.equal(true);
    }
  });

  describe('against the real InfluxDB, after the product polled the simulated network', () => {
    let dir: { path: string; remove(): Promise<void> };
    let product: RunningProduct;
    const ask = async (q: string) => {
      const url = product.store.embedded!.url;
      const res = await fetch(`${url}/query?${new URLSearchParams({ db: 'nms', q })}`);
      return (await res.json()) as { results: Array<{ error?: string; series?: Array<{ name: string; columns: string[]; values: unknown[][] }> }> };
    };

    before(async () => {
      dir = await tempDir('grafana');
      await writeProductConfig(dir.path, { alarms: ['  clearAfter: 2s'], collector: ['  probeInterval: 10s'] });
      product = await startProduct(await loadConfig({ env: {}, cwd: dir.path }), {}, memoryLogger());
      // A probe round for every circuit, for the quality panels.
      await waitFor('a probe round of every circuit', async () => product.live.quality.size >= product.prober.probedCount, 40_000);
      let polls = 0;
      product.collector.onPoll(() => polls++);
      await waitFor('two rounds of polls', async () => polls >= 2 * product.collector.pollers.size, 30_000);
      // An outage on a county uplink, for the alarm and outage panels.
      product.simulation!.simulator.inject({ fault: 'link-down', circuit: 'HY-HYX' });
      await waitFor('the alarm', async () => product.alarms.engine.active().some((a) => a.subject.id === 'HY-HYX'), 20_000);
      product.simulation!.simulator.inject({ fault: 'link-up', circuit: 'HY-HYX' });
      // The poller's own figures are written once a minute; one now, by the same code.
      product.writer.write([product.collector.statsPoint(Date.now(), product.writer.stats.spooledPoints)]);
      await new Promise((r) => setTimeout(r, 5000));
      const now = Date.now();
      for (const statement of rollupBackfill('nms', new Date(now - 2 * 3_600_000), new Date(now + 3_600_000)))
        await execute(product.store.v1!.client, statement, 'nms');
    });
    after(async () => {
      await product?.stop();
      await dir?.remove();
    });

    it('answers every template variable with real values', async () => {
      for (const { where, q } of queries.filter((x) => x.where.includes('variable'))) {
        const r = await ask(q.replace('$county', 'hyx'));
        const values = r.results[0]?.series?.flatMap((s) => s.values.map((v) => v[1])) ?? [];
        expect(values.length, `${where}: ${r.results[0]?.error ?? 'no values'}`).to.be.above(0);
      }
      const counties = (await ask('SHOW TAG VALUES FROM "circuit_status" WITH KEY = "county"')).results[0]!.series![0]!.values.map((v) => v[1]);
      expect(counties).to.include('hyx');
    });

    it('gets data for every panel query and annotation, variables expanded, from each retention policy', async () => {
      const expand = (q: string, rp: string) =>
        q
          .replaceAll('$timeFilter', 'time > now() - 1h')
          .replaceAll('$__interval', '10s')
          .replaceAll('$county', 'hyx')
          .replaceAll('$circuit', 'HY-HYX')
          .replaceAll('$carrier', 'telecom')
          .replaceAll('$rp', rp);
      let ran = 0;
      for (const { where, q } of queries.filter((x) => !x.where.includes('variable'))) {
        for (const rp of q.includes('$rp') ? ['raw', 'rollup_5m', 'rollup_1h'] : ['raw']) {
          const r = await ask(expand(q, rp));
          expect(r.results[0]?.error, `${where} (${rp})`).to.equal(undefined);
          const values = (r.results[0]?.series ?? []).flatMap((s) => s.values.flatMap((v) => v.slice(1))).filter((v) => v !== null);
          expect(values.length, `${where} (${rp}): no data`).to.be.above(0);
          ran++;
        }
      }
      expect(ran).to.be.above(40);
    });
  });
});
