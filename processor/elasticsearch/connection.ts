/**
 * How every command reaches Elasticsearch: URL, CA certificate, API key or basic auth — one set of
 * command-line options (with the same environment variables) and one client factory, shared by the
 * processor, backfill, export, `npm start` and the dashboard, so a secured cluster works everywhere the
 * same way and no command prints a secret.
 *
 * | option | environment | meaning |
 * | --- | --- | --- |
 * | `--es-url <url>` | `ES_URL` | base URL, `http://` or `https://` (credentials in the URL are accepted and redacted in output); several nodes as a comma-separated list |
 * | `--es-sniff` | | also use the nodes the cluster lists (`_nodes/_all/http`): at start, on a connection fault and every 5 min |
 * | `--es-ca <file>` | `ES_CA_CERT` | PEM file of the CA (or CAs) that signed the server's HTTP certificate |
 * | `--es-api-key <key>` | `ES_API_KEY` | API key: the `encoded` value of `POST /_security/api_key`, or `id:api_key` |
 * | `--es-username <name>` | `ES_USERNAME` | basic auth user |
 * | `--es-password <password>` | `ES_PASSWORD` | basic auth password (prefer the variable: arguments are visible in `ps`) |
 *
 * An API key and a username are mutually exclusive. With several URLs the client keeps a pool of the nodes
 * (`ClusterConnectionPool`): requests go round-robin over the live ones; a node that fails a request
 * (connection error, 502/503/504) is marked dead and the request is retried on the next one; a dead node is
 * pinged again after 60 s (doubling up to 32 min while it stays dead). When every node is dead, requests
 * still go to them in turn, so a cluster that comes back is found. Wiring a CLI:
 *
 * ```ts
 * addEsConnectionOptions(program);                       // adds the five options
 * const client = createEsClient(esConnectionFromOptions(program.opts()));
 * ```
 */
import { Client, ClusterConnectionPool } from '@elastic/elasticsearch';
import { Option, type Command } from 'commander';
import { readPemCertificate } from '../config/pem.js';

/** Default Elasticsearch URL: the local stack (`npm run stack -- up`). */
export const DEFAULT_ES_URL = 'http://127.0.0.1:9200';

/** Where and how to connect. Secrets live only here and in the client's request headers. */
export interface EsConnection {
  /**
   * Base URL (`https://host:9200`); may carry `user:password@`, which the client turns into basic auth.
   * With several nodes, the first of {@link EsConnection.nodes} (what messages and single-URL tools use).
   */
  url: string;
  /** Every node's base URL when more than one is given (`url` is the first); absent for a single node. */
  nodes?: string[];
  /**
   * Sniff the cluster for its nodes (`--es-sniff`). Off by default: the addresses a cluster returns are
   * its nodes' `http.publish_address`, which behind Docker, Kubernetes, a load balancer or a cloud proxy
   * are internal addresses this machine often cannot reach (and they come back without the URL's
   * credentials or host name, which TLS verification needs); the given URLs are what is known to work.
   */
  sniff?: boolean;
  /** Path of a PEM file with the CA certificate(s) to trust for an `https://` URL. */
  caFile?: string;
  /** PEM text of the CA certificate(s); read from `caFile` when not given. */
  ca?: string;
  /** API key: base64 `encoded` form, or `id:api_key`. */
  apiKey?: string;
  username?: string;
  password?: string;
}

/** The option values {@link addEsConnectionOptions} adds to a commander program (camel-cased names). */
export interface EsConnectionOptionValues {
  /** One URL, a comma-separated list, or a list (from a config file). */
  esUrl?: string | string[];
  esSniff?: boolean;
  esCa?: string;
  esApiKey?: string;
  esUsername?: string;
  esPassword?: string;
}

/**
 * Elasticsearch URL from `ES_URL` or {@link DEFAULT_ES_URL}; when `ES_URL` lists several nodes, the first
 * (for tools that talk to one node directly; the client takes them all, see {@link defaultEsUrls}).
 */
export function defaultEsUrl(): string {
  return defaultEsUrls()[0]!;
}

/** Every node URL of `ES_URL` (comma-separated), or [{@link DEFAULT_ES_URL}]; without trailing `/`. */
export function defaultEsUrls(): string[] {
  const urls = splitEsUrls(process.env.ES_URL ?? '');
  return urls.length > 0 ? urls : [DEFAULT_ES_URL];
}

/**
 * The node URLs of `value`: a URL, a comma-separated list of URLs, or a list of either; trimmed, empty
 * items dropped, trailing `/` removed, order kept, repeats dropped. Does not validate (see {@link parseEsUrls}).
 */
export function splitEsUrls(value: string | readonly string[]): string[] {
  const items = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(',')).map((v) => v.trim().replace(/\/+$/, '')).filter(Boolean);
  return [...new Set(items)];
}

/**
 * {@link splitEsUrls}, and each must be an `http://` or `https://` URL with a host.
 * @returns at least one URL.
 * @throws Error naming the first item that is not such a URL (credentials redacted), or when the list is empty.
 */
export function parseEsUrls(value: string | readonly string[]): string[] {
  const urls = splitEsUrls(value);
  if (urls.length === 0) throw new Error('no Elasticsearch URL given (--es-url / ES_URL)');
  for (const u of urls) if (!/^https?:\/\/[^/,\s]/i.test(u) || safeUrl(u) === undefined) throw new Error(`not an http:// or https:// URL: ${redactUrl(u)} (--es-url / ES_URL takes one URL or a comma-separated list)`);
  return urls;
}

/** The node URLs of a connection: {@link EsConnection.nodes}, or its one `url`. */
export function esNodeUrls(conn: EsConnection): string[] {
  return conn.nodes && conn.nodes.length > 0 ? conn.nodes : [conn.url];
}

/** The connection's node URLs for messages, credentials redacted, comma-separated. */
export function redactedNodes(conn: EsConnection): string {
  return esNodeUrls(conn).map(redactUrl).join(',');
}

/**
 * Adds `--es-url`, `--es-ca`, `--es-api-key`, `--es-username` and `--es-password` (each also read from
 * its environment variable, which `--help` names; secret values are never shown as defaults).
 * @returns the same command, for chaining.
 */
export function addEsConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--es-url <url>', 'Elasticsearch URL, http:// or https://; several nodes as a comma-separated list (requests are spread over the live ones and fail over)')
        .env('ES_URL')
        .default(DEFAULT_ES_URL),
    )
    .addOption(new Option('--es-ca <file>', 'PEM file of the CA that signed Elasticsearch\'s HTTP certificate (https)').env('ES_CA_CERT'))
    .addOption(new Option('--es-api-key <key>', 'Elasticsearch API key (the "encoded" value, or id:api_key); prefer the variable').env('ES_API_KEY'))
    .addOption(new Option('--es-username <name>', 'Elasticsearch basic-auth user').env('ES_USERNAME'))
    .addOption(new Option('--es-password <password>', 'password of --es-username; prefer the variable (arguments show in ps)').env('ES_PASSWORD'))
    .addOption(
      new Option('--es-sniff', 'also use the nodes the cluster lists (their publish addresses: only where those are reachable from here, e.g. not behind Docker or a proxy)'),
    );
}

/**
 * The connection described by parsed option values, falling back to the environment for anything
 * not given (so a caller that did not add the options still honours `ES_*`). A URL list (comma-separated,
 * or an array from a config file) gives `nodes`; a single URL is taken as it is, as before.
 * @throws Error when both an API key and a username are given, a password without a username, or an
 *   item of a URL list is not an http(s) URL.
 */
export function esConnectionFromOptions(o: EsConnectionOptionValues = {}): EsConnection {
  const env = process.env;
  const given = o.esUrl === undefined ? [] : splitEsUrls(o.esUrl);
  const urls = given.length > 0 ? given : defaultEsUrls();
  if (urls.length > 1) parseEsUrls(urls);
  const conn: EsConnection = {
    url: urls[0]!,
    ...(urls.length > 1 ? { nodes: urls } : {}),
    ...(o.esSniff ? { sniff: true } : {}),
    ...pick('caFile', o.esCa ?? env.ES_CA_CERT),
    ...pick('apiKey', o.esApiKey ?? env.ES_API_KEY),
    ...pick('username', o.esUsername ?? env.ES_USERNAME),
    ...pick('password', o.esPassword ?? env.ES_PASSWORD),
  };
  if (conn.apiKey && conn.username) throw new Error('give either an API key (--es-api-key / ES_API_KEY) or a username (--es-username / ES_USERNAME), not both');
  if (conn.password !== undefined && !conn.username) throw new Error('--es-password / ES_PASSWORD needs --es-username / ES_USERNAME');
  return conn;
}

function pick<K extends keyof EsConnection>(key: K, value: string | undefined): Partial<EsConnection> {
  return value === undefined || value === '' ? {} : { [key]: value };
}

/** `https://elastic:secret@host:9200/` → `https://***:***@host:9200`; a URL without credentials unchanged (trailing `/` dropped). Never throws. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = u.username ? '***' : '';
      u.password = u.password ? '***' : '';
    }
    return u.href.replace(/\/+$/, '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}

/**
 * One line for logs: `https://127.0.0.1:9200 (basic auth as elastic, CA /etc/ca.pem)` — names, never
 * secrets; several nodes comma-separated, then `sniffing` when on.
 */
export function describeEsConnection(conn: EsConnection): string {
  const u = safeUrl(conn.url);
  const parts = [
    conn.apiKey ? 'API key' : conn.username ? `basic auth as ${conn.username}` : u?.username ? `basic auth as ${decodeURIComponent(u.username)} (from the URL)` : 'no credentials',
    ...(conn.caFile ? [`CA ${conn.caFile}`] : conn.ca ? ['CA given'] : []),
    ...(conn.sniff ? ['sniffing'] : []),
  ];
  return `${redactedNodes(conn)} (${parts.join(', ')})`;
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * PEM text of the connection's CA, if any.
 * @throws Error naming the file when it cannot be read or holds no PEM certificate.
 */
export function readCa(conn: EsConnection): string | undefined {
  if (conn.ca) return conn.ca;
  if (!conn.caFile) return undefined;
  return readPemCertificate(conn.caFile, 'CA certificate', '--es-ca / ES_CA_CERT');
}

/** The client's `auth` option: `{apiKey}` (an `id:key` pair becomes `{id, api_key}`) or `{username, password}`. */
function clientAuth(conn: EsConnection): { apiKey: string | { id: string; api_key: string } } | { username: string; password: string } | undefined {
  if (conn.apiKey) {
    const colon = conn.apiKey.indexOf(':');
    return { apiKey: colon > 0 ? { id: conn.apiKey.slice(0, colon), api_key: conn.apiKey.slice(colon + 1) } : conn.apiKey };
  }
  if (conn.username) return { username: conn.username, password: conn.password ?? '' };
  return undefined;
}

/**
 * HTTP headers and CA for code that talks to Elasticsearch without the client (fetch/undici):
 * `authorization: ApiKey …` or `Basic …` (also from credentials in the URL), and the URL without them.
 * With several nodes this is the first node only (such code does not fail over; use the client for that).
 * @throws Error from {@link readCa}.
 */
export function esHttpAccess(conn: EsConnection): { url: string; headers: Record<string, string>; ca?: string } {
  const u = new URL(conn.url);
  const headers: Record<string, string> = {};
  const auth = clientAuth(conn);
  if (auth && 'apiKey' in auth) {
    const k = auth.apiKey;
    headers.authorization = `ApiKey ${typeof k === 'string' ? k : Buffer.from(`${k.id}:${k.api_key}`).toString('base64')}`;
  } else if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  else if (u.username || u.password) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  const ca = readCa(conn);
  return { url: u.href.replace(/\/+$/, ''), headers, ...(ca ? { ca } : {}) };
}

/**
 * Creates the official client. A string is a URL (or a comma-separated list) whose credentials and CA come
 * from the environment (`ES_API_KEY` or `ES_USERNAME`/`ES_PASSWORD`, `ES_CA_CERT`). Connection errors are
 * retried by the client 3 times (on the next live node when there are several); the sink adds its own
 * unbounded backoff on top so an outage pauses ingest instead of losing data. The client redacts
 * `authorization` headers from the errors it throws.
 *
 * One node: `node: url` and the client's default pool, as before. Several nodes (or sniffing): `nodes` in a
 * `ClusterConnectionPool` — round-robin over live nodes, a failed node marked dead and the request retried
 * on another, resurrected by a ping after 60 s (see the module comment). With `sniff`: sniff on start, on
 * a connection fault and every 5 minutes (`_nodes/_all/http`; master-only nodes are left out).
 * @throws Error when the CA file cannot be read, or the options conflict ({@link esConnectionFromOptions}).
 */
export function createEsClient(conn: string | EsConnection = esConnectionFromOptions()): Client {
  const c = typeof conn === 'string' ? esConnectionFromOptions({ esUrl: conn }) : conn;
  const auth = clientAuth(c);
  const ca = readCa(c);
  const nodes = esNodeUrls(c);
  return new Client({
    ...(nodes.length > 1 || c.sniff ? { nodes, ConnectionPool: ClusterConnectionPool } : { node: c.url }),
    ...(c.sniff ? { sniffOnStart: true, sniffOnConnectionFault: true, sniffInterval: 300_000 } : {}),
    maxRetries: 3,
    requestTimeout: 60_000,
    ...(auth ? { auth } : {}),
    ...(ca ? { tls: { ca } } : {}),
  });
}

/** TLS error codes that mean the server's certificate is not trusted (retrying cannot help). */
const UNTRUSTED_CERT = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A clear, secret-free sentence for an error that retrying cannot fix — an untrusted certificate,
 * refused credentials, missing privileges, TLS spoken to a plain-HTTP port — or undefined for
 * anything else (connection refused, timeouts, 5xx: worth retrying).
 */
export function explainEsError(err: unknown, conn: EsConnection): string | undefined {
  const url = redactedNodes(conn);
  const e = err as { meta?: { statusCode?: number }; message?: string; code?: string; cause?: { code?: string } };
  const status = e.meta?.statusCode;
  const text = `${e.message ?? ''}`;
  const code = e.code ?? e.cause?.code ?? [...UNTRUSTED_CERT].find((c) => text.includes(c)) ?? (/self[- ]signed certificate|unable to verify|unable to get (local )?issuer/i.test(text) ? 'SELF_SIGNED_CERT_IN_CHAIN' : undefined);
  if (code && UNTRUSTED_CERT.has(code)) {
    return (
      `TLS: the certificate of Elasticsearch at ${url} is not trusted (${text.replace(/\s+/g, ' ').trim() || code}); ` +
      (conn.caFile || conn.ca ? `it is not signed by the CA in ${conn.caFile ?? 'the given CA'} (--es-ca / ES_CA_CERT)` : 'give the CA that signed it with --es-ca <file> / ES_CA_CERT')
    );
  }
  if (status === 401) {
    return conn.apiKey || conn.username || safeUrl(conn.url)?.username
      ? `Elasticsearch at ${url} refused the credentials (401): check --es-api-key / ES_API_KEY or --es-username/--es-password (ES_USERNAME/ES_PASSWORD)`
      : `Elasticsearch at ${url} needs credentials (401): give --es-api-key / ES_API_KEY or --es-username/--es-password (ES_USERNAME/ES_PASSWORD)`;
  }
  if (status === 403) return `Elasticsearch at ${url} denied the request (403): the user or API key lacks a privilege (${text.slice(0, 300)})`;
  if (/^http:/i.test(conn.url) && /socket hang up|ECONNRESET|other side closed/i.test(text)) {
    return `Elasticsearch at ${url} closed the connection: if it serves HTTPS, use an https:// URL (and --es-ca)`;
  }
  if (/^https:/i.test(conn.url) && /wrong version number|EPROTO|packet length too long/i.test(text)) return `Elasticsearch at ${url} does not speak TLS: use an http:// URL`;
  return undefined;
}

/** `err` replaced by an Error carrying {@link explainEsError}'s sentence when there is one, else `err` itself. */
export function explainedEsError(err: unknown, conn: EsConnection): unknown {
  const sentence = explainEsError(err, conn);
  return sentence ? new Error(sentence) : err;
}
