/**
 * A loopback HTTP proxy in front of a real Elasticsearch that misbehaves on `_bulk` requests the way
 * an overloaded or failing cluster does: answers 429 (rejected execution) or 503 (unavailable) without
 * forwarding, or resets the connection (before or after forwarding, so a request may have been applied
 * without its answer arriving). Every other request passes through untouched.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Fractions of `_bulk` requests to spoil (each 0..1; the rest pass). */
export interface FaultRates {
  tooManyRequests: number;
  unavailable: number;
  reset: number;
}

/** What the proxy did, by kind. */
export interface FaultCounts {
  bulk: number;
  tooManyRequests: number;
  unavailable: number;
  reset: number;
  passed: number;
}

/** A running proxy: its URL, its counts, and `close`. */
export interface FaultProxy {
  url: string;
  counts: FaultCounts;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 (a free port) in front of `target` (e.g. http://127.0.0.1:9200). */
export async function startFaultProxy(target: string, rates: FaultRates, rnd: () => number): Promise<FaultProxy> {
  const up = new URL(target);
  const counts: FaultCounts = { bulk: 0, tooManyRequests: 0, unavailable: 0, reset: 0, passed: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const server = http.createServer((req, res) => {
    const isBulk = /\/_bulk(\?|$)/.test(req.url ?? '');
    let fault: 'tooManyRequests' | 'unavailable' | 'reset' | 'resetAfter' | undefined;
    if (isBulk) {
      counts.bulk += 1;
      const r = rnd();
      if (r < rates.tooManyRequests) fault = 'tooManyRequests';
      else if (r < rates.tooManyRequests + rates.unavailable) fault = 'unavailable';
      else if (r < rates.tooManyRequests + rates.unavailable + rates.reset) fault = rnd() < 0.5 ? 'reset' : 'resetAfter';
    }
    if (fault === 'tooManyRequests' || fault === 'unavailable') {
      counts[fault] += 1;
      req.resume();
      req.on('end', () => {
        const status = fault === 'tooManyRequests' ? 429 : 503;
        const type = status === 429 ? 'es_rejected_execution_exception' : 'unavailable_shards_exception';
        res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
        res.end(JSON.stringify({ error: { type, reason: 'injected by the fault proxy' }, status }));
      });
      return;
    }
    if (fault === 'reset') {
      counts.reset += 1;
      req.socket.destroy();
      return;
    }
    const upstream = http.request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers, agent },
      (ures) => {
        if (fault === 'resetAfter') {
          // Elasticsearch applied the request; the client never hears so.
          counts.reset += 1;
          ures.resume();
          ures.on('end', () => req.socket.destroy());
          return;
        }
        if (isBulk) counts.passed += 1;
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
