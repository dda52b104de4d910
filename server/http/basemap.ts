/**
 * The outlines the console's map is drawn on: county and district polygons
 * for a city, city polygons for a province (see web/basemaps/README.md).
 * Read and checked once at start, compressed once, and served to the page as
 * it is; a file that is not what it should be stops the start with where and
 * what, and outlines of some other place are not drawn under this network.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { basemapBounds, type BasemapGeoJson } from '../../shared/map/basemap.ts';
import type { Topology } from '../../shared/model/topology.ts';

const SHIPPED = {
  city: fileURLToPath(new URL('../../web/basemaps/hengyang.geojson', import.meta.url)),
  province: fileURLToPath(new URL('../../web/basemaps/hunan.geojson', import.meta.url)),
};

/** Below this share of sites inside the outlines' bounds, the outlines are of another place. */
const MIN_SITES_INSIDE = 0.8;

export interface Basemap {
  file: string;
  /** The regions' names, in the file's order. */
  regions: string[];
  json: Buffer;
  gzip: Buffer;
}

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const ring = z.array(position).min(4);
const featureSchema = z.object({
  type: z.literal('Feature'),
  properties: z.object({ name: z.string().min(1).max(100) }),
  geometry: z.discriminatedUnion('type', [
    z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) }),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) }),
  ]),
});
const basemapSchema = z.object({ type: z.literal('FeatureCollection'), features: z.array(featureSchema).min(1).max(1000) });

export class BasemapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BasemapError';
  }
}

/**
 * The configured outlines, or the shipped ones for the network's scale.
 * @returns null when the shipped outlines are of another place (the reason is told to `note`).
 * @throws BasemapError naming the file and the first problems in it.
 */
export function loadBasemap(configured: string | null, topology: Topology, note: (message: string) => void): Basemap | null {
  const cities = topology.sites.filter((s) => s.level === 'city').length;
  const file = configured ?? (cities > 1 ? SHIPPED.province : SHIPPED.city);
  const what = configured ? `console.basemap ${file}` : `basemap ${file}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BasemapError(`${what}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const parsed = basemapSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new BasemapError(`${what}: not GeoJSON polygons with a name each: ${problems.join('; ')}`);
  }
  const features = parsed.data.features;
  const bounds = basemapBounds(parsed.data as BasemapGeoJson);
  // A province's own centre may lie outside a city's outline, and a few departments beyond its edge.
  const inside = topology.sites.filter(
    (s) => s.location[0] >= bounds[0] && s.location[0] <= bounds[2] && s.location[1] >= bounds[1] && s.location[1] <= bounds[3],
  );
  const share = inside.length / Math.max(1, topology.sites.length);
  if (share < MIN_SITES_INSIDE) {
    const message = `${what}: only ${inside.length} of ${topology.sites.length} sites lie within its outlines`;
    if (!configured) {
      note(`${message}; the map is drawn without outlines (name your own in console.basemap)`);
      return null;
    }
    note(`${message}; drawn all the same`);
  }
  const json = Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }));
  return { file, regions: features.map((f) => f.properties.name), json, gzip: gzipSync(json, { level: 9 }) };
}
