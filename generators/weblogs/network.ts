/**
 * Client address generation: public unicast IPv4 and global-unicast IPv6.
 *
 * IPv4 avoids the special-purpose blocks of the IANA IPv4 Special-Purpose
 * Address Registry (RFC 6890 and successors: 0/8, 10/8, 100.64/10, 127/8,
 * 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24, 192.88.99/24, 192.168/16,
 * 198.18/15, 198.51.100/24, 203.0.113/24, 224/4 multicast, 240/4 reserved), so
 * every address is routable and will usually resolve in a GeoIP database.
 * IPv6 addresses use prefixes from real RIR allocations (RIPE 2a0x, ARIN 26xx,
 * APNIC 24xx, LACNIC 28xx) and are printed in the RFC 5952 canonical text form
 * (lower case, no leading zeros; with random groups a `::` run is rare and is
 * compressed when it occurs).
 *
 * @module generators/weblogs/network
 */
import type { SeededRandom } from '../common/random.js';

/** Returns true if `a.b` (first two octets) lies in a non-public IPv4 block. */
function isSpecialIPv4(a: number, b: number, c: number): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return true;
  if (a === 100 && b >= 64 && b <= 127) return true;
  if (a === 169 && b === 254) return true;
  if (a === 172 && b >= 16 && b <= 31) return true;
  if (a === 192 && b === 168) return true;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return true;
  if (a === 192 && b === 88 && c === 99) return true;
  if (a === 198 && (b === 18 || b === 19)) return true;
  if (a === 198 && b === 51 && c === 100) return true;
  if (a === 203 && b === 0 && c === 113) return true;
  return false;
}

/** Uniformly random public unicast IPv4 address, dotted quad. */
export function randomPublicIPv4(rng: SeededRandom): string {
  for (;;) {
    const a = rng.int(1, 223);
    const b = rng.int(0, 255);
    const c = rng.int(0, 255);
    if (isSpecialIPv4(a, b, c)) continue;
    return `${a}.${b}.${c}.${rng.int(1, 254)}`;
  }
}

/** First 16-bit groups of real ISP allocations (Deutsche Telekom, Orange, Comcast, Charter, China Telecom, NTT, Claro …). */
const IPV6_PREFIXES: readonly string[] = [
  '2003:e2', '2a01:cb1d', '2a02:8109', '2a02:a46c', '2a0a:a540', '2a00:23c7',
  '2601:646', '2600:1700', '2603:8001', '2605:a601', '2607:fb91',
  '2409:8a28', '240e:3b4', '2400:4051', '2405:201',
  '2804:14d', '2800:810',
];

function group16(rng: SeededRandom): string {
  return rng.int(0, 0xffff).toString(16);
}

/**
 * Canonical (RFC 5952) text form of 8 hex groups: leading zeros dropped and the
 * longest run of ≥ 2 zero groups replaced by `::`.
 */
export function compressIPv6(groups: readonly string[]): string {
  const g = groups.map((x) => x.replace(/^0+(?=.)/, '').toLowerCase());
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < g.length; ) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < g.length && g[j] === '0') j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return g.join(':');
  return `${g.slice(0, bestStart).join(':')}::${g.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Random global-unicast IPv6 address: a real ISP prefix, random subnet bits up
 * to /64 and a random (privacy-extension-like) interface identifier.
 */
export function randomPublicIPv6(rng: SeededRandom): string {
  const prefix = rng.pick(IPV6_PREFIXES).split(':');
  const groups = [...prefix];
  while (groups.length < 8) groups.push(group16(rng));
  return compressIPv6(groups);
}

/**
 * IPv4 address inside a crawler /24 (`a.b.c` + random host), or an IPv6 address
 * inside a crawler /64 (4 groups + `::` + host id) when `v6Prefix` is given.
 */
export function addressIn(rng: SeededRandom, v4Prefix: string, v6Prefix?: string): string {
  if (v6Prefix !== undefined) {
    const groups = v6Prefix.split(':');
    while (groups.length < 7) groups.push('0');
    groups.push(group16(rng));
    return compressIPv6(groups);
  }
  return `${v4Prefix}.${rng.int(1, 254)}`;
}
