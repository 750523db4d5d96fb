#!/usr/bin/env node
/**
 * The main job (`npm start`): ensure the stack (local, or ES_URL), backfill the real Apache access log,
 * then run the web-log generator and the watching processor together with a live progress line, and
 * print the curl queries that show the data.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { AppendFileWriter, runGenerator, type LineGenerator, type RunSummary } from '../generators/common/index.js';
import {
  KAFKA_DATASETS,
  KafkaWriter,
  connectIdempotentProducer,
  createKafkaClient,
  createKafkaLogger,
  warmUpTopic,
  type DatasetName,
} from '../generators/kafka/index.js';
import { COMPANIES, createNewsGenerator } from '../generators/news/index.js';
import { createLiveTickGenerator } from '../generators/ticks/index.js';
import { createWeblogGenerator } from '../generators/weblogs/index.js';
import { createLogger } from '../processor/observability/logger.js';
import { startProcessor } from '../processor/processor.js';
import { addEsConnectionOptions, esConnectionFromOptions, esHttpAccess, redactUrl, type EsConnection, type EsConnectionOptionValues } from '../processor/elasticsearch/connection.js';
import { retentionOption } from '../processor/elasticsearch/retention.js';
import { createDashboardClient } from './dashboard/elasticsearch.js';
import { startDashboardServer, type DashboardServer } from './dashboard/server.js';
import { ensureStack } from './stack/stack.js';

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const program = new Command('start')
  .description(
    'Bring up Elasticsearch and Kafka (local stack, or ES_URL/KAFKA_BROKERS), backfill the real Apache access log, ' +
      'then generate live web traffic into a growing log file and financial headlines and market ticks into Kafka, ' +
      'which one processor indexes within a second, windows included. Ctrl-C stops cleanly.',
  )
  .option('--rate <lines/s>', 'live generator rate', positive, 200)
  .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)', positive)
  .option('--sample <file>', 'real access log to backfill', path.resolve(repoRoot, 'data/samples/weblogs/apache_logs'))
  .option('--no-backfill', 'skip the backfill of the real sample')
  .option('--no-markets', 'web logs only: no Kafka, no news or ticks')
  .option('--news-rate <headlines/s>', 'news generator rate (to topic news.headlines)', positive, 2)
  .option('--ticks-rate <ticks/s>', 'ticks generator rate over 10 symbols (to topic market.ticks)', positive, 20)
  .option('--data-dir <dir>', 'checkpoints, dead letters and the live log (env RTAS_DATA_DIR)', process.env.RTAS_DATA_DIR ?? '.data')
  .option('--metrics-port <port>', 'processor /metrics and /healthz port', positive, 9464)
  .option('--namespace <name>', 'data stream namespace, the last part of {type}-{dataset}-{namespace}', 'default')
  .addOption(
    retentionOption('how long Elasticsearch keeps the data streams (30d, 12h, off; see docs/configuration.md); default: leave as it is'),
  )
  .option('--dashboard-port <port>', 'port of the live dashboard page on 127.0.0.1', positive, 8088)
  .option('--no-dashboard', 'do not serve the dashboard page')
  .showHelpAfterError();
addEsConnectionOptions(program);
program.parse();
const o = program.opts<EsConnectionOptionValues & {
  rate: number;
  duration?: number;
  sample: string;
  backfill: boolean;
  markets: boolean;
  newsRate: number;
  ticksRate: number;
  dataDir: string;
  metricsPort: number;
  namespace: string;
  retention?: string;
  dashboardPort: number;
  dashboard: boolean;
}>();

const log = createLogger('start');
let es: EsConnection = { url: '' };
const say = (line: string): void => void process.stdout.write(line + '\n');

/** `curl -s` with the connection's CA and credentials as shell variables, never their values. */
function curlCommand(conn: EsConnection): string {
  const auth = conn.apiKey ? ` -H "Authorization: ApiKey $ES_API_KEY"` : conn.username ? ` -u "${conn.username}:$ES_PASSWORD"` : '';
  return `curl -s${auth}${conn.caFile ? ` --cacert '${conn.caFile}'` : ''}`;
}

function curlCookbook(esUrl: string): string {
  const idx = `${esUrl}/logs-weblogs.access-${o.namespace}`;
  const curl = curlCommand(es);
  const q = (body: object): string => `${curl} '${idx}/_search?pretty' -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  return [
    '# documents indexed',
    `${curl} '${idx}/_count?pretty'`,
    '# requests by status',
    q({ size: 0, aggs: { status: { terms: { field: 'http.response.status_code' } } } }),
    '# top paths',
    q({ size: 0, aggs: { paths: { terms: { field: 'url.path', size: 10 } } } }),
    '# requests per minute, last 15 minutes (live traffic)',
    q({ size: 0, query: { range: { '@timestamp': { gte: 'now-15m' } } }, aggs: { per_minute: { date_histogram: { field: '@timestamp', fixed_interval: '1m' } } } }),
    '# traffic per minute (window stream: requests, 5xx share, bytes)',
    `${curl} '${esUrl}/metrics-weblogs.traffic_1m-${o.namespace}/_search?pretty&size=3&sort=@timestamp:desc'`,
    ...(o.markets
      ? [
          '# latest headlines with sentiment; sentiment per ticker over 5 minutes; one-minute bars',
          `${curl} '${esUrl}/logs-news.headlines-${o.namespace}/_search?pretty&size=3&sort=@timestamp:desc&_source=news'`,
          `${curl} '${esUrl}/metrics-news.sentiment_5m-${o.namespace}/_search?pretty&size=3&sort=@timestamp:desc&_source=news,window'`,
          `${curl} '${esUrl}/metrics-market.bars_1m-${o.namespace}/_search?pretty&size=3&sort=@timestamp:desc&_source=market,window'`,
        ]
      : []),
  ].join('\n');
}

/** Paces `generator` into the dataset's Kafka topic with an idempotent producer until `signal` or `durationSec`. */
async function runToKafka(
  brokers: string[],
  dataset: DatasetName,
  generator: LineGenerator,
  rate: number,
  durationSec: number | undefined,
  signal: AbortSignal,
): Promise<RunSummary> {
  const { topic, key } = KAFKA_DATASETS[dataset];
  const producer = await connectIdempotentProducer(createKafkaClient({ clientId: `start-${dataset}`, brokers, log: createKafkaLogger(`start-${dataset}`) }));
  await warmUpTopic(producer, topic);
  return runGenerator({ generator, writer: new KafkaWriter({ producer, topic, key }), rate, durationSec, signal });
}

try {
  say(o.markets ? '▶ ensuring Elasticsearch and Kafka …' : '▶ ensuring Elasticsearch …');
  es = esConnectionFromOptions(o);
  const { headers, ca } = esHttpAccess(es);
  const stack = await ensureStack({ kafka: o.markets, log: (m) => say(`  ${m}`), esUrl: es.url, esAccess: { headers, ...(ca ? { ca } : {}) } });
  const esUrl = redactUrl(stack.esUrl);
  say(`  Elasticsearch: ${esUrl}${stack.startedEs ? ' (started)' : ' (already running)'}`);

  if (o.backfill) {
    say(`▶ backfilling ${o.sample} …`);
    const backfill = await startProcessor({
      watch: [o.sample],
      once: true,
      es,
      dataDir: path.join(o.dataDir, 'backfill'),
      namespace: o.namespace,
      ...(o.retention ? { retention: o.retention } : {}),
      log,
    });
    const s = await backfill.done;
    say(`  ${JSON.stringify(s)}  (a second run reads nothing: the file's offset is checkpointed)`);
  }

  const liveDir = path.join(o.dataDir, 'incoming', 'weblogs');
  say(`▶ live: generator → ${liveDir}/access.log at ${o.rate} lines/s → processor → logs-weblogs.access-${o.namespace}`);
  if (o.markets) {
    say(`        news ${o.newsRate}/s → news.headlines, ticks ${o.ticksRate}/s → market.ticks → processor (Kafka group rtas-processor)`);
  }
  await mkdir(liveDir, { recursive: true });
  const processor = await startProcessor({
    watch: [liveDir],
    kafka: o.markets ? { brokers: stack.kafkaBrokers } : undefined,
    es,
    dataDir: path.join(o.dataDir, 'live'),
    namespace: o.namespace,
    metricsPort: o.metricsPort,
    ...(o.retention ? { retention: o.retention } : {}),
    log,
  });
  say(`  metrics: http://127.0.0.1:${processor.metricsPort}/metrics   health: http://127.0.0.1:${processor.metricsPort}/healthz`);
  let dashboard: DashboardServer | undefined;
  if (o.dashboard) {
    // The page is a convenience: a taken port is reported, the ingest goes on.
    dashboard = await startDashboardServer({ es: createDashboardClient({ ...es, url: stack.esUrl }), esUrl: stack.esUrl, connection: { ...es, url: stack.esUrl }, namespace: o.namespace, port: o.dashboardPort, log }).catch((err: Error) => {
      say(`  dashboard not started: ${err.message}`);
      return undefined;
    });
    if (dashboard) say(`▶ dashboard: ${dashboard.url}  (web traffic, news sentiment, markets; refreshes every 10 s)`);
  }

  say('▶ query it:\n' + curlCookbook(esUrl));

  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  const writer = await AppendFileWriter.open(path.join(liveDir, 'access.log'), { rotateBytes: 64 * 1024 * 1024, rotateKeep: 3 });
  const generator = createWeblogGenerator({ seed: Date.now() % 2 ** 31 });
  let last = { t: Date.now(), indexed: 0 };
  const progress = setInterval(() => {
    const t = Date.now();
    const { indexed, rejected, read } = processor.totals;
    const rate = ((indexed - last.indexed) * 1000) / (t - last.t);
    last = { t, indexed };
    const line = `  live: ${rate.toFixed(0)} events/s  read ${read}  indexed ${indexed}  rejected ${rejected}  lag ${processor.lagBytes()} bytes`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line}\x1b[K`);
    else say(line);
  }, process.stdout.isTTY ? 1000 : 5000);
  const runs: Promise<RunSummary>[] = [runGenerator({ generator, writer, rate: o.rate, durationSec: o.duration, signal: stop.signal })];
  if (o.markets) {
    const symbols = COMPANIES.slice(0, 10).map((c) => c.ticker);
    const seed = Date.now() % 2 ** 31;
    runs.push(
      runToKafka(stack.kafkaBrokers, 'news', createNewsGenerator({ seed }), o.newsRate, o.duration, stop.signal),
      runToKafka(stack.kafkaBrokers, 'ticks', createLiveTickGenerator({ seed, symbols, firstIntervalMs: (symbols.length * 1000) / o.ticksRate }), o.ticksRate, o.duration, stop.signal),
    );
  }
  const [gen, ...market] = await Promise.all(runs);
  clearInterval(progress);
  if (process.stdout.isTTY) say('');
  // Let the last lines reach Elasticsearch before stopping: the processor commits what is in flight.
  await new Promise((r) => setTimeout(r, 2000));
  const s = await processor.stop();
  await dashboard?.close();
  say(`▶ stopped: generated ${gen!.lines} log lines${market.length ? `, ${market[0]!.lines} headlines, ${market[1]!.lines} ticks` : ''}; processor ${JSON.stringify(s)}`);
  say('▶ query it:\n' + curlCookbook(esUrl));
  process.exit(0);
} catch (err) {
  log.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
}
