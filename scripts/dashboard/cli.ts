#!/usr/bin/env node
/**
 * `npm run dashboard`: serves the live dashboard page (web traffic, news sentiment, markets) on
 * 127.0.0.1, reading the data streams of one namespace from Elasticsearch.
 */
import { Command, InvalidArgumentError } from 'commander';
import { addEsConnectionOptions, describeEsConnection, esConnectionFromOptions, type EsConnectionOptionValues } from '../../processor/elasticsearch/connection.js';
import { createLogger } from '../../processor/observability/logger.js';
import { createDashboardClient, NAMESPACE_PATTERN, search, UpstreamError } from './elasticsearch.js';
import { startDashboardServer } from './server.js';

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
const program = new Command('dashboard')
  .description(
    'Serve the live dashboard: web traffic, news sentiment and markets, drawn from Elasticsearch aggregations ' +
      'of the data streams {type}-{dataset}-<namespace> and their window streams. The browser talks only to this server.',
  )
  .option('--port <port>', 'HTTP port', port, DEFAULT_DASHBOARD_PORT)
  .option('--host <address>', 'listen address (loopback by default: the page has no login of its own)', '127.0.0.1')
  .option('--namespace <name>', 'data stream namespace to show', namespace, 'default')
  .showHelpAfterError();
addEsConnectionOptions(program);
program.parse();
const o = program.opts<EsConnectionOptionValues & { port: number; host: string; namespace: string }>();
const log = createLogger('dashboard');

try {
  const conn = esConnectionFromOptions(o);
  const es = createDashboardClient(conn);
  const server = await startDashboardServer({ es, esUrl: conn.url, connection: conn, namespace: o.namespace, port: o.port, host: o.host, log });
  process.stdout.write(`dashboard: ${server.url}  (namespace ${o.namespace}, Elasticsearch ${describeEsConnection(conn)}; Ctrl-C stops)\n`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(o.host)) {
    log.warn(`listening on ${o.host}: the page has no login of its own, so anyone who can reach this address can read the dashboards`);
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
