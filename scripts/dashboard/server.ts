/**
 * The dashboard HTTP server (`npm run dashboard`): serves the page and answers one JSON document per
 * view, built from Elasticsearch aggregations by the server (the browser never talks to
 * Elasticsearch).
 *
 * Routes (GET/HEAD only):
 * - `/`, `/app.js`, `/styles.css`, `/vendor/echarts.min.js`, `/geo/world.json` — the page ({@link loadAssets});
 * - `/api/config` — namespace, redacted Elasticsearch URL, views, the smallest auto-refresh interval;
 * - `/api/views/web|news|markets?from=&to=[&symbol=]` — a view ({@link ViewName}); `from`/`to` as
 *   `now-15m` or ISO-8601 (default the last hour);
 * - `/healthz` — 200 `{"status":"ok"}` when Elasticsearch answers a search on the namespace's data
 *   streams, else 503 (the probe is shared and kept for a second).
 *
 * Hardening (docs/dashboard.md, "Hardening"):
 * - a `Host`/`Origin` allow-list ({@link HostAllowList}): anything else gets 403 (DNS rebinding);
 * - at most `maxConcurrent` view computations, `queueSize` waiting, 503 + `Retry-After` beyond; one
 *   computation per view + normalized parameters shared by every client asking at once and cached
 *   `cacheMs` ({@link SharedResults}); its searches are aborted when the last client has gone; while
 *   every slot is busy, a view answered in the last `staleMs` is served again at once with `Age`;
 * - Elasticsearch's error text is logged with an error id; the browser gets a generic sentence and the id;
 * - a malformed request target is a 400 (bad percent-encoding) or 404, never a 500 with a stack;
 * - every response carries `X-Content-Type-Options: nosniff` and the Content-Security-Policy;
 * - Node's `headersTimeout` and `requestTimeout` bound slow clients.
 *
 * Errors are JSON `{"error": "…"}`: 400 for a bad parameter (every problem named), 403, 404, 405,
 * 502 when Elasticsearch fails or refuses (with `"id"`), 503 when busy. Credentials are never logged
 * or sent to the page.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import type { ApiError, DashboardConfig, ViewName } from './api-types.js';
import { loadAssets, type Asset } from './assets.js';
import { redactUrl, type EsConnection } from '../../processor/elasticsearch/connection.js';
import { search, UpstreamError, withSearchContext } from './elasticsearch.js';
import { HostAllowList } from './host-guard.js';
import { AbortedError, BusyError, ConcurrencyLimit, SharedResults } from './limits.js';
import { ParamError, parseParams, symbolSchema, timeRangeSchema } from './params.js';
import { marketsView } from './queries/markets.js';
import { newsView } from './queries/news.js';
import { webView } from './queries/web.js';

/** Buckets a view's time axis aims at (the interval is the smallest nice one giving at most this many). */
export const TARGET_BUCKETS = 120;

/** Defaults of the limits in {@link DashboardServerOptions}. */
export const DASHBOARD_LIMITS = {
  /** View computations at once (each is two or three searches). */
  maxConcurrent: 4,
  /** View computations waiting for a slot; beyond, 503 + `Retry-After`. */
  queueSize: 8,
  /** How long a view answer is shared by every client asking for the same view and parameters, ms. */
  cacheMs: 1_000,
  /** How old a view's last answer may be to be served (with `Age`) while every computation slot is busy, ms. */
  staleMs: 30_000,
  /** The smallest auto-refresh interval the page offers and accepts, s. */
  minRefreshSeconds: 5,
  /** Limit of one search, ms (a view cannot hold a slot longer than this per search). */
  searchTimeoutMs: 20_000,
  /** Node's `headersTimeout`: time to receive a request's headers, ms. */
  headersTimeoutMs: 10_000,
  /** Node's `requestTimeout`: time to receive a whole request, ms. */
  requestTimeoutMs: 30_000,
  /** Longest request target accepted (414 beyond), characters. */
  maxUrlLength: 4_096,
} as const;

/** Options of {@link startDashboardServer}. */
export interface DashboardServerOptions {
  /** The Elasticsearch client (see `createDashboardClient`). */
  es: Client;
  /** Elasticsearch URL, shown redacted on the page. */
  esUrl: string;
  /** The connection the client was made from, to explain TLS and credential errors in the log (optional). */
  connection?: EsConnection;
  /** Data stream namespace to show (`default`). */
  namespace: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Listen address (default `127.0.0.1`). */
  host?: string;
  /** More `Host` values to answer besides the loopback names (`name` or `name:port`; see {@link HostAllowList}). */
  allowedHosts?: string[];
  /** View computations at once (default {@link DASHBOARD_LIMITS}`.maxConcurrent`). */
  maxConcurrent?: number;
  /** View computations queued at most (default {@link DASHBOARD_LIMITS}`.queueSize`). */
  queueSize?: number;
  /** Shared-answer cache per view + parameters, ms (default 1,000; 0 keeps only the in-flight sharing). */
  cacheMs?: number;
  /** How old a view's last answer may be to be served while every computation slot is busy, ms (0: never; default `DASHBOARD_LIMITS.staleMs`). */
  staleMs?: number;
  /** Smallest auto-refresh interval of the page, s (default 5). */
  minRefreshSeconds?: number;
  /** Limit of one search, ms (default 20,000). */
  searchTimeoutMs?: number;
  /** `X-Opaque-Id` of the searches (after the client's `opaqueIdPrefix`), to find them in `_tasks` (default `rtas-dashboard`). */
  opaqueId?: string;
  log: Logger;
  /** Clock for relative time ranges, ms (tests). */
  now?: () => number;
}

/** A running server. */
export interface DashboardServer {
  /** `http://host:port/`. */
  url: string;
  port: number;
  server: Server;
  /** View computations running or queued now (distinct keys), for tests and diagnostics. */
  computing(): number;
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

const VIEWS: ViewName[] = ['web', 'news', 'markets'];

/**
 * Headers of every response. The page loads only its own files: `/app.js` and
 * `/vendor/echarts.min.js` (no inline script), `/styles.css`, `/geo/world.json` and `/api/*` by
 * `fetch`, a `data:` favicon; ECharts and the tables set style attributes, hence
 * `style-src 'unsafe-inline'` (styles only, scripts stay `'self'`). No framing, no MIME sniffing.
 */
export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/** A request target that cannot be read: answered with `status` and `message` (no stack). */
class TargetError extends Error {
  constructor(
    readonly status: 400 | 414,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits a request target into its decoded path and its query parameters.
 * @throws {TargetError} 400 for a target not starting with `/` or with bad percent-encoding, 414 when too long.
 */
export function parseTarget(raw: string | undefined, maxLength: number = DASHBOARD_LIMITS.maxUrlLength): { path: string; params: URLSearchParams } {
  const target = raw ?? '/';
  if (target.length > maxLength) throw new TargetError(414, `request target longer than ${maxLength} characters`);
  if (!target.startsWith('/') || target.startsWith('//')) throw new TargetError(400, 'bad request target: expected a path starting with one /');
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
    // URLSearchParams decodes leniently (a bad %XY stays as it is): refuse it instead, as for the path.
    for (const part of rawQuery.split(/[&=]/)) decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new TargetError(400, 'bad percent-encoding in the request target');
  }
  if (path.includes('\0')) throw new TargetError(400, 'bad request target: NUL in the path');
  return { path, params: new URLSearchParams(rawQuery) };
}

/** A short random id naming one logged error, given to the browser in place of the details. */
function errorId(): string {
  return randomBytes(6).toString('hex');
}

function sendJson(res: ServerResponse, status: number, body: unknown, head = false): void {
  sendBody(res, status, Buffer.from(JSON.stringify(body)), head);
}

function sendBody(res: ServerResponse, status: number, data: Buffer, head = false): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': data.length, 'cache-control': 'no-store' });
  res.end(head ? undefined : data);
}

function sendError(res: ServerResponse, status: number, error: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { error, ...extra } satisfies ApiError);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * Starts the server once its assets are loaded and the port is bound.
 * @throws when the port is taken (`EADDRINUSE`, with the port in the message), an asset is missing,
 *   or an `allowedHosts` entry is not a host name.
 */
export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const { es, namespace, log } = opts;
  const now = opts.now ?? Date.now;
  const minRefreshSeconds = opts.minRefreshSeconds ?? DASHBOARD_LIMITS.minRefreshSeconds;
  const searchTimeoutMs = opts.searchTimeoutMs ?? DASHBOARD_LIMITS.searchTimeoutMs;
  const opaqueId = opts.opaqueId ?? 'rtas-dashboard';
  const assets = await loadAssets();
  const config: DashboardConfig & { minRefreshSeconds: number } = { namespace, elasticsearch: redactUrl(opts.esUrl), views: VIEWS, minRefreshSeconds };
  const limit = new ConcurrencyLimit(opts.maxConcurrent ?? DASHBOARD_LIMITS.maxConcurrent, opts.queueSize ?? DASHBOARD_LIMITS.queueSize);
  const cacheMs = opts.cacheMs ?? DASHBOARD_LIMITS.cacheMs;
  const views = new SharedResults<Buffer>({ ttlMs: cacheMs, limit, staleMs: opts.staleMs ?? DASHBOARD_LIMITS.staleMs });
  const health = new SharedResults<Buffer>({ ttlMs: Math.max(cacheMs, 1_000), maxEntries: 1 });
  let allow: HostAllowList | undefined; // set once the port is known

  /**
   * Validates a view's parameters (throws {@link ParamError}) and returns its cache key (view and
   * normalized parameters: defaults filled, trimmed, in a fixed order) and its computation.
   */
  function prepareView(name: ViewName, params: URLSearchParams): { key: string; run: () => Promise<unknown> } {
    const allowed = name === 'markets' ? ['from', 'to', 'symbol'] : ['from', 'to'];
    const ts = timeRangeSchema(now(), TARGET_BUCKETS);
    const range = parseParams(ts, params, allowed);
    const { symbol } = name === 'markets' ? parseParams(symbolSchema, params, allowed) : { symbol: undefined };
    const text = (k: string, d: string): string => (params.get(k) ?? d).trim();
    const key = JSON.stringify([name, text('from', 'now-1h'), text('to', 'now'), symbol ?? null]);
    const run = (): Promise<unknown> =>
      name === 'markets' ? marketsView(es, namespace, range, symbol) : name === 'web' ? webView(es, namespace, range) : newsView(es, namespace, range);
    return { key, run };
  }

  /** Aborted when the client goes away before its answer is written. */
  function clientSignal(res: ServerResponse): AbortSignal {
    const ac = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    return ac.signal;
  }

  /** Logs an Elasticsearch failure with an id and answers `status` with the generic sentence and the id. */
  function upstreamFailure(req: IncomingMessage, res: ServerResponse, err: UpstreamError, status: number, shape: (message: string, id: string) => unknown): void {
    const id = errorId();
    log.warn({ errorId: id, path: req.url, kind: err.kind, status: err.status }, err.explain(opts.connection));
    sendJson(res, status, shape(`${err.publicMessage()} (error id ${id}: the details are in the dashboard's log)`, id));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (!allow!.allowsHost(req.headers.host) || !allow!.allowsOrigin(req.headers.origin)) {
      log.warn({ host: req.headers.host, origin: req.headers.origin }, 'refused a request for a host or origin not on the allow-list (see --allowed-hosts)');
      return sendText(res, 403, 'forbidden: host not allowed\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, 405, 'method not allowed: use GET or HEAD');
    }
    const head = req.method === 'HEAD';
    const { path, params } = parseTarget(req.url);
    const asset: Asset | undefined = assets.get(path === '/index.html' ? '/' : path);
    if (asset) {
      res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': 'no-cache' });
      res.end(head ? undefined : asset.body);
      return;
    }
    if (path === '/api/config') return sendJson(res, 200, config, head);
    if (path === '/healthz') {
      try {
        const body = await health.get(
          'healthz',
          (signal) =>
            withSearchContext({ signal, timeoutMs: searchTimeoutMs, opaqueId }, () => search(es, `logs-*-${namespace},metrics-*-${namespace}`, { size: 0 })).then(() =>
              Buffer.from(JSON.stringify({ status: 'ok' })),
            ),
          clientSignal(res),
        );
        return sendBody(res, 200, body, head);
      } catch (err) {
        if (err instanceof UpstreamError) return upstreamFailure(req, res, err, 503, (error, id) => ({ status: 'unavailable', error, id }));
        throw err;
      }
    }
    const m = /^\/api\/views\/([^/]*)$/.exec(path);
    if (m) {
      const name = m[1] as ViewName;
      if (!VIEWS.includes(name)) return sendError(res, 404, `no such view (views: ${VIEWS.join(', ')})`);
      const { key, run } = prepareView(name, params);
      // Every slot busy: the view's last answer (at most `staleMs` old) now, with its age, instead of a wait or a 503.
      const stale = views.staleWhileBusy(key);
      if (stale) {
        res.setHeader('age', String(Math.floor(stale.ageMs / 1000)));
        res.setHeader('x-dashboard-stale-ms', String(stale.ageMs));
        return sendBody(res, 200, stale.value, head);
      }
      const body = await views.get(
        key,
        (signal) => withSearchContext({ signal, timeoutMs: searchTimeoutMs, opaqueId }, async () => Buffer.from(JSON.stringify(await run()))),
        clientSignal(res),
      );
      return sendBody(res, 200, body, head);
    }
    return sendError(res, 404, 'not found');
  }

  const server = createServer({ headersTimeout: DASHBOARD_LIMITS.headersTimeoutMs, requestTimeout: DASHBOARD_LIMITS.requestTimeoutMs, connectionsCheckingInterval: 2_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) {
        if (!res.writableEnded) res.destroy();
        return;
      }
      if (err instanceof TargetError) return sendError(res, err.status, err.message);
      if (err instanceof ParamError) return sendError(res, 400, err.message);
      if (err instanceof BusyError) {
        res.setHeader('retry-after', String(err.retryAfterSeconds));
        return sendError(res, 503, err.message);
      }
      // The client left (its computation was aborted, or it shared one that every client left).
      if (err instanceof AbortedError || (err instanceof UpstreamError && err.kind === 'aborted')) return sendError(res, 503, 'cancelled');
      if (err instanceof UpstreamError) return upstreamFailure(req, res, err, 502, (error, id) => ({ error, id }));
      const id = errorId();
      log.error({ err, errorId: id, path: req.url }, 'dashboard request failed');
      sendError(res, 500, `internal error (error id ${id}: the details are in the dashboard's log)`, { id });
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${opts.port} on ${host} is already in use: choose another with --port`) : err);
    server.once('error', onError);
    server.listen(opts.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  try {
    allow = new HostAllowList(port, host, opts.allowedHosts ?? []);
  } catch (err) {
    server.close();
    throw err;
  }
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    server,
    computing: () => views.computing,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
