import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.js';

/** What `/healthz` reports; `ok` false answers 503. */
export interface Health {
  ok: boolean;
  [detail: string]: unknown;
}

/** How long one health probe's answer is reused, ms: a probe per second at most, whatever the callers. */
export const HEALTH_CACHE_MS = 1_000;

/**
 * Wraps `probe` so that concurrent callers share one call and its answer is reused for `ttlMs`
 * (a failed call is not reused). `now` is the clock, ms (tests).
 */
export function sharedProbe<T>(probe: () => Promise<T>, ttlMs = HEALTH_CACHE_MS, now: () => number = () => performance.now()): () => Promise<T> {
  let current: { promise: Promise<T>; at: number } | undefined;
  return () => {
    if (current && now() - current.at < ttlMs) return current.promise;
    const entry = { promise: probe(), at: now() };
    current = entry;
    entry.promise.catch(() => {
      if (current === entry) current = undefined;
    });
    return entry.promise;
  };
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz` (JSON, 200 or 503) on
 * `host:port`; HEAD answers the same headers without a body, any other method 405 with
 * `Allow: GET, HEAD`, any other path 404. The health probe is called at most once per
 * {@link HEALTH_CACHE_MS} (concurrent requests share one call), so `/healthz` cannot multiply the
 * Elasticsearch calls behind it. A failing handler answers 500 without the error's text (logged by
 * the caller's probe, not here). Port 0 picks a free port; the bound port is returned.
 * @throws the listen error (e.g. EADDRINUSE) when the port is taken.
 */
export async function startHttpServer(
  metrics: Metrics,
  health: () => Promise<Health>,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; port: number }> {
  const probe = sharedProbe(health);
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    void (async () => {
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { ...TEXT, allow: 'GET, HEAD' });
          res.end('method not allowed: use GET or HEAD\n');
          return;
        }
        const head = req.method === 'HEAD';
        const path = (req.url ?? '/').split('?')[0];
        if (path === '/metrics') {
          const body = await metrics.registry.metrics();
          res.writeHead(200, { 'content-type': metrics.registry.contentType, 'x-content-type-options': 'nosniff' });
          res.end(head ? undefined : body);
        } else if (path === '/healthz') {
          const h = await probe();
          res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
          res.end(head ? undefined : JSON.stringify(h));
        } else {
          res.writeHead(404, TEXT);
          res.end(head ? undefined : 'not found: try /metrics or /healthz\n');
        }
      } catch {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, TEXT);
        res.end('internal error\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
