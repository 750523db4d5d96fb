import { BlockList, isIP } from 'node:net';
import { detached } from './detached-string.js';

/**
 * Which addresses are trusted proxies, from a list of CIDRs or single addresses (`10.0.0.0/8`,
 * `127.0.0.1`, `::1`, `2001:db8::/32`). IPv4-mapped IPv6 addresses (`::ffff:10.0.0.5`) are checked as
 * the IPv4 address they carry. Built on node:net's `BlockList`.
 * @throws Error naming an entry that is not an address or CIDR.
 */
export function trustedProxies(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    const family = isIP(addr ?? '');
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new Error(`trusted proxy "${entry}" is not an IP address or CIDR`);
    }
    list.addSubnet(addr!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  // BlockList.check builds a SocketAddress per call; proxies and clients repeat, so answers are cached.
  const seen = new Map<string, boolean>();
  return (address: string): boolean => {
    let trusted = seen.get(address);
    if (trusted === undefined) {
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
      const a = mapped ? mapped[1]! : address;
      const family = isIP(a);
      trusted = family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
      if (seen.size >= 10_000) seen.clear();
      seen.set(detached(address), trusted); // a copy: the address is cut from a log line
    }
    return trusted;
  };
}

/**
 * The real client of a request that may have passed proxies, the way nginx's realip module finds it
 * with `real_ip_recursive on` (https://nginx.org/en/docs/http/ngx_http_realip_module.html): when the
 * peer is trusted, walk the `X-Forwarded-For` chain from right to left past trusted addresses; the
 * first address that is not trusted is the client (all trusted: the left-most). An untrusted peer is
 * the client itself, whatever the header says (anyone can send one). Without `X-Forwarded-For`,
 * `X-Real-IP` is the one-entry chain.
 *
 * @param peer the TCP peer (`$remote_addr` without realip).
 * @param chain addresses of `X-Forwarded-For`, left (origin) to right (last proxy).
 * @returns the client address (may equal `peer`).
 */
export function realClient(peer: string, chain: readonly string[], trusted: (address: string) => boolean): string {
  let client = peer;
  for (let i = chain.length - 1; i >= 0 && trusted(client); i--) client = chain[i]!;
  return client;
}
