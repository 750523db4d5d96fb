/**
 * The world map of the web traffic view: country outlines from `world-atlas` (Natural Earth 1:110m
 * admin-0 countries as TopoJSON, ISC license; Natural Earth data is public domain), converted to
 * GeoJSON with `topojson-client` (ISC) once per process, each feature named by its ISO 3166-1
 * alpha-2 code (from the numeric id, via `i18n-iso-countries`, MIT) so it joins GeoIP's
 * `source.geo.country_iso_code`. Features without an ISO code in the atlas (N. Cyprus, Somaliland,
 * Kosovo) keep their atlas name.
 */
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

const require = createRequire(import.meta.url);

/** A GeoJSON FeatureCollection whose features carry `properties.iso2` and `properties.name`. */
export interface WorldGeoJson {
  type: 'FeatureCollection';
  features: { type: 'Feature'; id?: string; properties: { iso2: string; name: string }; geometry: unknown }[];
}

let cached: string | undefined;

type Ring = [number, number][];

/**
 * A ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps from +180 to −180 and would be
 * drawn across the whole map: its points on the minority side are moved onto the ±180 meridian.
 */
function unwrapRing(ring: Ring): Ring {
  const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1]![0]) > 180);
  if (!crosses) return ring;
  const east = ring.filter((p) => p[0] > 0).length >= ring.length / 2;
  return ring.map(([lon, lat]) => [east ? (lon < 0 ? 180 : lon) : lon > 0 ? -180 : lon, lat]);
}

function unwrap(geometry: { type: string; coordinates: unknown }): { type: string; coordinates: unknown } {
  if (geometry.type === 'Polygon') return { ...geometry, coordinates: (geometry.coordinates as Ring[]).map(unwrapRing) };
  if (geometry.type === 'MultiPolygon') return { ...geometry, coordinates: (geometry.coordinates as Ring[][]).map((poly) => poly.map(unwrapRing)) };
  return geometry;
}

/** The world map as a GeoJSON string (computed on first use, ≈ 160 kB; Antarctica left out). */
export function worldGeoJson(): string {
  if (cached) return cached;
  const topo = require('world-atlas/countries-110m.json') as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const fc = feature(topo, topo.objects.countries) as unknown as WorldGeoJson & { features: { id?: string | number; properties: { name: string } }[] };
  const out: WorldGeoJson = {
    type: 'FeatureCollection',
    features: fc.features
      .filter((f) => f.properties.name !== 'Antarctica')
      .map((f) => {
        const iso2 = f.id === undefined ? undefined : countries.numericToAlpha2(String(f.id));
        return { type: 'Feature' as const, properties: { iso2: iso2 ?? f.properties.name, name: f.properties.name }, geometry: unwrap((f as unknown as { geometry: { type: string; coordinates: unknown } }).geometry) };
      }),
  };
  // 0.01° (≈ 1 km) is finer than the 1:110m outlines; rounding halves the size.
  cached = JSON.stringify(out, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v));
  return cached;
}
