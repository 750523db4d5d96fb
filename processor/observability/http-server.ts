import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.js';

/** What `/healthz` reports; `ok` false answers 503. */
export interface Health {
  ok: boolean;
  [detail: string]: unknown;
}

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz` (JSON, 200 or 503) on
 * `host:port`. Port 0 picks a free port; the bound port is returned.
 * @throws the listen error (e.g. EADDRINUSE) when the port is taken.
 */
export async function startHttpServer(
  metrics: Metrics,
  health: () => Promise<Health>,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.url === '/metrics') {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(await metrics.registry.metrics());
        } else if (req.url === '/healthz') {
          const h = await health();
          res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(h));
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found: try /metrics or /healthz\n');
        }
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
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
