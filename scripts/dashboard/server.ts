/**
 * The dashboard HTTP server (`npm run dashboard`): serves the page and answers one JSON document per
 * view, built from Elasticsearch aggregations by the server (the browser never talks to
 * Elasticsearch).
 *
 * Routes (GET/HEAD only):
 * - `/`, `/app.js`, `/styles.css`, `/vendor/echarts.min.js`, `/geo/world.json` — the page ({@link loadAssets});
 * - `/api/config` — namespace, redacted Elasticsearch URL, views;
 * - `/api/views/web|news|markets?from=&to=[&symbol=]` — a view ({@link ViewName}); `from`/`to` as
 *   `now-15m` or ISO-8601 (default the last hour);
 * - `/healthz` — 200 `{"status":"ok"}` when Elasticsearch answers a search on the namespace's data
 *   streams, else 503 with the reason.
 *
 * Errors are JSON `{"error": "…"}`: 400 for a bad parameter (every problem named), 404, 405, 502 when
 * Elasticsearch fails or refuses. Credentials are never logged or sent to the page.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import type { ApiError, DashboardConfig, ViewName } from './api-types.js';
import { loadAssets, type Asset } from './assets.js';
import { redactUrl, type EsConnection } from '../../processor/elasticsearch/connection.js';
import { search, UpstreamError } from './elasticsearch.js';
import { ParamError, parseParams, symbolSchema, timeRangeSchema } from './params.js';
import { marketsView } from './queries/markets.js';
import { newsView } from './queries/news.js';
import { webView } from './queries/web.js';

/** Buckets a view's time axis aims at (the interval is the smallest nice one giving at most this many). */
export const TARGET_BUCKETS = 120;

/** Options of {@link startDashboardServer}. */
export interface DashboardServerOptions {
  /** The Elasticsearch client (see `createDashboardClient`). */
  es: Client;
  /** Elasticsearch URL, shown redacted on the page. */
  esUrl: string;
  /** The connection the client was made from, to explain TLS and credential errors (optional). */
  connection?: EsConnection;
  /** Data stream namespace to show (`default`). */
  namespace: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Listen address (default `127.0.0.1`). */
  host?: string;
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
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

const VIEWS: ViewName[] = ['web', 'news', 'markets'];

/**
 * Headers of the page's files: scripts, styles and data only from this server (ECharts and the page
 * set inline styles, hence `style-src 'unsafe-inline'`), no framing, no MIME sniffing.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': data.length, 'cache-control': 'no-store' });
  res.end(data);
}

function sendError(res: ServerResponse, status: number, error: string): void {
  sendJson(res, status, { error } satisfies ApiError);
}

/**
 * Starts the server once its assets are loaded and the port is bound.
 * @throws when the port is taken (`EADDRINUSE`, with the port in the message) or an asset is missing.
 */
export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const { es, namespace, log } = opts;
  const now = opts.now ?? Date.now;
  const assets = await loadAssets();
  const config: DashboardConfig = { namespace, elasticsearch: redactUrl(opts.esUrl), views: VIEWS };

  async function view(name: ViewName, params: URLSearchParams): Promise<unknown> {
    const ts = timeRangeSchema(now(), TARGET_BUCKETS);
    if (name === 'markets') {
      const allowed = ['from', 'to', 'symbol'];
      const { symbol } = parseParams(symbolSchema, params, allowed);
      return marketsView(es, namespace, parseParams(ts, params, allowed), symbol);
    }
    const range = parseParams(ts, params, ['from', 'to']);
    return name === 'web' ? webView(es, namespace, range) : newsView(es, namespace, range);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, 405, `method ${req.method} not allowed`);
    }
    const asset: Asset | undefined = assets.get(url.pathname === '/index.html' ? '/' : url.pathname);
    if (asset) {
      res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    if (url.pathname === '/api/config') return sendJson(res, 200, config);
    if (url.pathname === '/healthz') {
      try {
        await search(es, `logs-*-${namespace},metrics-*-${namespace}`, { size: 0 });
        return sendJson(res, 200, { status: 'ok' });
      } catch (err) {
        return sendJson(res, 503, { status: 'unavailable', error: err instanceof UpstreamError ? err.explain(opts.connection) : (err as Error).message });
      }
    }
    const m = /^\/api\/views\/([a-z]+)$/.exec(url.pathname);
    if (m) {
      const name = m[1] as ViewName;
      if (!VIEWS.includes(name)) return sendError(res, 404, `no view "${name}" (views: ${VIEWS.join(', ')})`);
      return sendJson(res, 200, await view(name, url.searchParams));
    }
    return sendError(res, 404, `not found: ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof ParamError) return sendError(res, 400, err.message);
      if (err instanceof UpstreamError) {
        const message = err.explain(opts.connection);
        log.warn({ path: req.url }, message);
        return sendError(res, 502, message);
      }
      log.error({ err, path: req.url }, 'dashboard request failed');
      if (!res.headersSent) sendError(res, 500, `internal error: ${(err as Error).message}`);
      else res.destroy();
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
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
