/**
 * The `Host`/`Origin` allow-list of the dashboard server, against DNS rebinding: a web page on
 * `http://evil.example:8088/` whose name the attacker re-points at 127.0.0.1 reaches this server,
 * but its requests carry `Host: evil.example:8088`, which is not on the list, so they get 403.
 * (The same defence as webpack-dev-server's `allowedHosts` and Vite's `server.allowedHosts`.)
 *
 * Allowed by default: `localhost`, `127.0.0.1` and `[::1]` with the bound port, and the listen
 * address itself when it is a specific IP (an IP literal cannot be rebound). `--allowed-hosts a,b`
 * adds names: `name` allows `name` with the bound port or with no port (behind a proxy on 80/443),
 * `name:port` allows exactly that. An `Origin` header, when sent, must be `http(s)://` + an allowed host.
 */
import { isIP } from 'node:net';

/** Lower case, IPv6 literals in brackets, a trailing dot of a fully qualified name removed. */
function normalizeName(name: string): string {
  let n = name.trim().toLowerCase();
  if (isIP(n) === 6) n = `[${n}]`;
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Splits `host[:port]` (`[::1]:8088`, `localhost`, or a bare IPv6 address `fe80::1`) into name and port; undefined when it is not such a value. */
export function splitHost(value: string): { name: string; port: number | undefined } | undefined {
  if (isIP(value.trim()) === 6) return { name: normalizeName(value), port: undefined }; // a bare IPv6 address (an --allowed-hosts entry)
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: normalizeName(m[1]!), port };
}

/** Which `Host` and `Origin` values the server answers. */
export class HostAllowList {
  /** name → allowed ports (`undefined` in the set: no port given). */
  private readonly allowed = new Map<string, Set<number | undefined>>();

  /**
   * @param port the bound port
   * @param listenHost the listen address (`127.0.0.1`, `::1`, `0.0.0.0` …); a specific IP is allowed too
   * @param extra `--allowed-hosts` entries, `name` or `name:port`
   * @throws {Error} naming an entry that is not a host name or address
   */
  constructor(
    readonly port: number,
    listenHost: string,
    extra: readonly string[] = [],
  ) {
    const loopbackPorts = port === 80 ? [port, undefined] : [port];
    for (const name of ['localhost', '127.0.0.1', '[::1]']) this.add(name, loopbackPorts);
    if (isIP(listenHost) && !['0.0.0.0', '::'].includes(listenHost)) this.add(normalizeName(listenHost), loopbackPorts);
    for (const entry of extra) {
      if (entry.trim() === '') continue;
      const h = splitHost(entry);
      if (!h) throw new Error(`--allowed-hosts: "${entry}" is not a host name, an address or name:port`);
      this.add(h.name, h.port === undefined ? [port, undefined] : [h.port]);
    }
  }

  private add(name: string, ports: (number | undefined)[]): void {
    const set = this.allowed.get(name) ?? new Set();
    for (const p of ports) set.add(p);
    this.allowed.set(name, set);
  }

  /** Whether a `Host` header value is allowed (a missing or malformed one is not). */
  allowsHost(host: string | undefined): boolean {
    if (!host) return false;
    const h = splitHost(host);
    return h !== undefined && (this.allowed.get(h.name)?.has(h.port) ?? false);
  }

  /** Whether an `Origin` header value is allowed: absent, or `http(s)://` + an allowed host (`null` is not). */
  allowsOrigin(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return this.allowsHost(url.host);
  }

  /** The allowed `host[:port]` values, for the log. */
  describe(): string[] {
    return [...this.allowed].flatMap(([name, ports]) => [...ports].map((p) => (p === undefined ? name : `${name}:${p}`)));
  }
}
