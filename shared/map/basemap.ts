/** The map's outlines as the console is sent them (GET /api/basemap): GeoJSON polygons, [longitude, latitude], each named. */
export interface BasemapGeoJson {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    properties: { name: string };
    geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
  }>;
}
