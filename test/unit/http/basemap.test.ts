import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BasemapError, loadBasemap } from '../../../server/http/basemap.ts';
import { loadTopology } from '../../../shared/model/loader.ts';
import type { Topology } from '../../../shared/model/topology.ts';
import { tempDir } from '../../support/tempDir.ts';

describe('the map’s outlines', () => {
  let city: Topology;
  let dir: { path: string; remove(): Promise<void> };
  before(async () => {
    city = await loadTopology('topology.yaml');
    dir = await tempDir('basemap');
  });
  after(() => dir.remove());

  it('are the city’s 12 counties and districts for the demo city, names only, compressed', () => {
    const notes: string[] = [];
    const map = loadBasemap(null, city, (n) => notes.push(n))!;
    expect(map.regions).to.have.members([
      '珠晖区',
      '雁峰区',
      '石鼓区',
      '蒸湘区',
      '南岳区',
      '衡南县',
      '衡山县',
      '衡阳县',
      '衡东县',
      '祁东县',
      '耒阳市',
      '常宁市',
    ]);
    expect(notes).to.deep.equal([]);
    const sent = JSON.parse(gunzipSync(map.gzip).toString()) as { features: Array<{ properties: Record<string, unknown> }> };
    expect(sent.features.map((f) => Object.keys(f.properties))).to.deep.equal(sent.features.map(() => ['name']));
  });

  it('are left out, with a note, when the network lies elsewhere', async () => {
    const text = (await import('node:fs')).readFileSync('topology.yaml', 'utf8');
    // The same network moved a thousand kilometres north.
    const moved = text.replace(/location: \[(\d+\.\d+), (\d+\.\d+)\]/g, (_m, x: string, y: string) => `location: [${x}, ${(Number(y) + 10).toFixed(4)}]`);
    const file = join(dir.path, 'moved.yaml');
    await writeFile(file, moved);
    const notes: string[] = [];
    expect(loadBasemap(null, await loadTopology(file), (n) => notes.push(n))).to.equal(null);
    expect(notes[0]).to.match(/hengyang\.geojson: only \d+ of \d+ sites lie within its outlines; the map is drawn without outlines/);
  });

  it('refuse a named file that is not named polygons, saying which file and where', async () => {
    const file = join(dir.path, 'bad.geojson');
    await writeFile(
      file,
      JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } }] }),
    );
    expect(() => loadBasemap(file, city, () => undefined)).to.throw(
      BasemapError,
      /console\.basemap .*bad\.geojson: not GeoJSON polygons with a name each: features\.0\./,
    );
    expect(() => loadBasemap(join(dir.path, 'none.geojson'), city, () => undefined)).to.throw(BasemapError, /none\.geojson: no such file/);
    await writeFile(file, '{ not json');
    expect(() => loadBasemap(file, city, () => undefined)).to.throw(BasemapError, /bad\.geojson: /);
  });
});
