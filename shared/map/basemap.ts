/** The map's outlines as the console is sent them (GET /api/basemap): GeoJSON polygons, [longitude, latitude], each named. */
export interface BasemapGeoJson {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    properties: { name: string };
    geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
  }>;
}

/** The outlines' bounds: [west, south, east, north], in degrees. */
export function basemapBounds(map: Pick<BasemapGeoJson, 'features'>): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const [x, y] = c as [number, number];
      b[0] = Math.min(b[0], x);
      b[1] = Math.min(b[1], y);
      b[2] = Math.max(b[2], x);
      b[3] = Math.max(b[3], y);
    } else for (const inner of c as unknown[]) visit(inner);
  };
  for (const f of map.features) visit(f.geometry.coordinates);
  return b;
}
