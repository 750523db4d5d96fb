#!/usr/bin/env node
/**
 * `npm run dashboard`: serves the live dashboard page (web traffic, news sentiment, markets) on
 * 127.0.0.1, reading the data streams of one namespace from Elasticsearch.
 */
import { Command, InvalidArgumentError } from 'commander';
import { addEsConnectionOptions, describeEsConnection, esConnectionFromOptions, type EsConnectionOptionValues } from '../../processor/elasticsearch/connection.js';
import { createLogger } from '../../processor/observability/logger.js';
import { createDashboardClient, NAMESPACE_PATTERN, search, UpstreamError } from './elasticsearch.js';
import { splitHost } from './host-guard.js';
import { DASHBOARD_LIMITS, startDashboardServer } from './server.js';

/** Default port: not Kibana's 5601, so both can run side by side. */
export const DEFAULT_DASHBOARD_PORT = 8088;

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535 (0 = any free port)');
  return n;
};
const namespace = (v: string): string => {
  if (!NAMESPACE_PATTERN.test(v)) throw new InvalidArgumentError('expected a data stream namespace: lower case letters, digits, _ . + (no -), at most 100');
  return v;
};
const hosts = (v: string): string[] => {
  const list = v.split(',').map((h) => h.trim()).filter(Boolean);
  const bad = list.filter((h) => !splitHost(h));
  if (bad.length > 0) throw new InvalidArgumentError(`not a host name, address or name:port: ${bad.join(', ')}`);
  return list;
};
const count = (min: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > 1000) throw new InvalidArgumentError(`expected a whole number ${min}-1000`);
  return n;
};
const program = new Command('dashboard')
  .description(
    'Serve the live dashboard: web traffic, news sentiment and markets, drawn from Elasticsearch aggregations ' +
      'of the data streams {type}-{dataset}-<namespace> and their window streams. The browser talks only to this server.',
  )
  .option('--port <port>', 'HTTP port', port, DEFAULT_DASHBOARD_PORT)
  .option('--host <address>', 'listen address (loopback by default: the page has no login of its own)', '127.0.0.1')
  .option('--namespace <name>', 'data stream namespace to show', namespace, 'default')
  .option('--allowed-hosts <hosts>', 'Host header values to answer besides localhost, 127.0.0.1 and [::1] on the port (comma-separated name or name:port; others get 403, against DNS rebinding)', hosts, [])
  .option('--min-refresh <seconds>', 'smallest auto-refresh interval the page accepts', count(1), DASHBOARD_LIMITS.minRefreshSeconds)
  .option('--max-concurrent <n>', 'view computations run at once (each is 2-4 Elasticsearch searches)', count(1), DASHBOARD_LIMITS.maxConcurrent)
  .option('--queue <n>', 'view computations waiting at most; beyond, 503 with Retry-After', count(0), DASHBOARD_LIMITS.queueSize)
  .showHelpAfterError();
addEsConnectionOptions(program);
program.parse();
const o = program.opts<EsConnectionOptionValues & { port: number; host: string; namespace: string; allowedHosts: string[]; minRefresh: number; maxConcurrent: number; queue: number }>();
const log = createLogger('dashboard');

try {
  const conn = esConnectionFromOptions(o);
  const es = createDashboardClient(conn);
  const server = await startDashboardServer({
    es, esUrl: conn.url, connection: conn, namespace: o.namespace, port: o.port, host: o.host, allowedHosts: o.allowedHosts,
    minRefreshSeconds: o.minRefresh, maxConcurrent: o.maxConcurrent, queueSize: o.queue, log,
  });
  process.stdout.write(`dashboard: ${server.url}  (namespace ${o.namespace}, Elasticsearch ${describeEsConnection(conn)}; Ctrl-C stops)\n`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(o.host)) {
    log.warn(`listening on ${o.host}: the page has no login of its own, so anyone who can reach this address can read the dashboards`);
    if (o.allowedHosts.length === 0) log.warn('only Host values localhost, 127.0.0.1, [::1] and the listen address are answered: add the names users type with --allowed-hosts');
  }
  // Say early when Elasticsearch cannot be read; the page shows the same message per view.
  search(es, `logs-*-${o.namespace},metrics-*-${o.namespace}`, { size: 0 }).catch((err: Error) => log.warn(err instanceof UpstreamError ? err.explain(conn) : err.message));
  const stop = (): void => {
    void server.close().then(() => es.close()).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  log.fatal(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
