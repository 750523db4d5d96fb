/**
 * GeoIP lookups of the addresses a dual-stack server logs: an IPv4-mapped IPv6 address
 * (`::ffff:81.2.69.160`, RFC 4291 §2.5.5.2) is located as the IPv4 address it carries, with the
 * bundled DB-IP database.
 */
import { describe, expect, it } from '@jest/globals';
import { geoIpFromDatabases, loadGeoIpDatabases } from '../../processor/enrich/geoip.js';

describe('GeoIP of IPv4-mapped IPv6 addresses', () => {
  it('finds the same location as for the IPv4 address', async () => {
    const geoip = geoIpFromDatabases(await loadGeoIpDatabases());
    const v4 = geoip.lookup('81.2.69.160');
    expect(v4?.country_iso_code).toBe('GB');
    expect(geoip.lookup('::ffff:81.2.69.160')).toEqual(v4);
    expect(geoip.lookup('::FFFF:81.2.69.160')).toEqual(v4);
    // not mapped: a private IPv4 address carried the same way has no location either
    expect(geoip.lookup('::ffff:10.0.0.5')).toBeUndefined();
  });
});
