#!/usr/bin/env node
import v8 from 'node:v8';
import { Command, InvalidArgumentError, Option } from 'commander';
import { datasets } from './datasets/registry.js';
import { addEsConnectionOptions, esConnectionFromOptions, type EsConnectionOptionValues } from './elasticsearch/connection.js';
import { defaultBrokers } from './kafka/brokers.js';
import { createLogger } from './observability/logger.js';

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const nonNegativeInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return n;
};
const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port 0-65535');
  return n;
};

const program = new Command('process')
  .description(
    'Watch directories of log files and/or consume Kafka topics; index every record, enriched, into ' +
      'Elasticsearch data streams. File and Kafka offsets are committed only after Elasticsearch acknowledged ' +
      'a batch; bad records go to a dead-letter file.',
  )
  .option('-w, --watch <path...>', 'directories (or files) to watch, as path or dataset=path (e.g. news=/data/news); hidden files are ignored')
  .option('--kafka', 'consume the datasets\' Kafka topics as one consumer group')
  .option('--brokers <list>', 'Kafka brokers, comma-separated (env KAFKA_BROKERS)', defaultBrokers().join(','))
  .option('--group-id <id>', 'Kafka consumer group id', 'rtas-processor')
  .option('--topics <topic...>', 'Kafka topics: a dataset\'s topic or topic=dataset (default: every dataset\'s topic)')
  .addOption(new Option('-d, --dataset <name>', 'dataset of watched paths given without dataset=').choices([...datasets.keys()]).default('weblogs'))
  .option('--once', 'process what is there (files: including an unterminated last line; Kafka: until the group has no lag), refresh the data streams so it is all searchable, print a JSON summary, exit')
  .option('--namespace <name>', 'data stream namespace: {type}-{dataset}-{namespace}', 'default')
  .option('--data-dir <dir>', 'where checkpoints and dead letters live (env RTAS_DATA_DIR)', process.env.RTAS_DATA_DIR ?? '.data')
  .option('--checkpoint-file <file>', 'checkpoint file when one dataset is watched (default <data-dir>/checkpoints/files-<dataset>.json)')
  .option('--dead-letter-file <file>', 'dead-letter NDJSON file (default <data-dir>/dead-letters.ndjson)')
  .option('--batch-size <records>', 'close a micro-batch at this many records', positiveInt, 5000)
  .option('--batch-interval-ms <ms>', 'close a micro-batch this long after its first record at the latest', positiveInt, 1000)
  .option('--max-record-bytes <bytes>', 'longer lines/messages are cut while reading and dead-lettered with their first <bytes> bytes and original length', positiveInt, 1024 * 1024)
  .option('--no-windows', 'do not compute the event-time windows (traffic per minute, 1-minute bars, sentiment)')
  .option('--allowed-lateness-ms <ms>', 'events older than the latest event time minus this are late for the windows', positiveInt, 600_000)
  .option('--window-update-interval-ms <ms>', 'with a backlog, update the windows (and commit) at most this often; 0 = after every batch', nonNegativeInt, 5000)
  .option('--archive-dir <dir>', 'also archive every indexed document as gzip NDJSON under <dir>/dataset=…/year=…/month=…/day=…/hour=…/ (fsynced before each commit)')
  .option('--archive-roll-bytes <bytes>', 'close an archive part at this many uncompressed bytes', positiveInt, 64 * 1024 * 1024)
  .option('--archive-roll-ms <ms>', 'close an archive part this long after it was opened', positiveInt, 300_000)
  .option('--metrics-port <port>', 'serve /metrics and /healthz on 127.0.0.1:<port> (0 = any free port)', port, 9464)
  .option('--no-metrics', 'serve no /metrics or /healthz')
  .option('--transform-threads <n>', 'worker threads for decode/validate/enrich; 0 = the main thread (default: cores beyond two)', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('expected an integer 0-64');
    return n;
  })
  .option('--bulk-max-bytes <bytes>', 'a batch is sent to Elasticsearch in _bulk requests of about this size', positiveInt, 3 * 1024 * 1024)
  .option('--es-compression', 'gzip _bulk request bodies (worth it when Elasticsearch is across a network; off by default)')
  .showHelpAfterError();
addEsConnectionOptions(program);

program.parse();
if (!program.opts().watch && !program.opts().kafka) program.error('error: give --watch <dir...>, --kafka, or both');
const o = program.opts<EsConnectionOptionValues & {
  watch?: string[];
  kafka?: boolean;
  brokers: string;
  groupId: string;
  topics?: string[];
  dataset: string;
  once?: boolean;
  namespace: string;
  dataDir: string;
  checkpointFile?: string;
  deadLetterFile?: string;
  batchSize: number;
  batchIntervalMs: number;
  maxRecordBytes: number;
  metricsPort: number;
  metrics: boolean;
  windows: boolean;
  allowedLatenessMs: number;
  windowUpdateIntervalMs: number;
  archiveDir?: string;
  archiveRollBytes: number;
  archiveRollMs: number;
  transformThreads?: number;
  esCompression?: boolean;
  bulkMaxBytes: number;
}>();

// Memory: V8 lets the heap grow to several times the live data when allocation is fast (a 5,000-line
// batch is ~70 MB live, the heap reached 220+ MB). With a growing factor of 1.3 the compiled processor
// peaked at 234–248 MiB at full speed on IPv4 traffic (README, "Performance": Memory). Not a hard
// limit: unlike --max-old-space-size, a larger live set (huge lines) still fits. V8 reads this flag at
// every GC, so setting it here works; the semi-space size, by contrast, is fixed when the heap is
// created and must be given on the node command line (`node --max-semi-space-size=4 dist/process.js`,
// see the README's memory notes).
if (!/--heap-growing-percent/.test(process.execArgv.join(' '))) {
  v8.setFlagsFromString('--heap-growing-percent=30');
}

const log = createLogger('processor');
// SIGTERM/SIGINT at any moment (start-up included): stop reading, commit everything already read, exit 0.
// A second signal exits at once (what was not committed is read again on the next start).
let stopRequested: string | undefined;
let requestStop: (() => void) | undefined;
const onSignal = (signal: string): void => {
  if (stopRequested) {
    log.warn({ signal }, 'second signal: exiting without waiting for the batches in flight (they are read again on the next start)');
    process.exit(130);
  }
  stopRequested = signal;
  log.info({ signal }, 'stopping: no more reading; committing the batches in flight');
  requestStop?.();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  // Imported after the signal handlers are in place: loading the pipeline takes a while.
  const { startProcessor } = await import('./processor.js');
  const handle = await startProcessor({
    watch: o.watch,
    kafka: o.kafka ? { brokers: o.brokers.split(','), groupId: o.groupId, topics: o.topics } : undefined,
    dataset: o.dataset,
    once: o.once,
    es: esConnectionFromOptions(o),
    namespace: o.namespace,
    dataDir: o.dataDir,
    checkpointFile: o.checkpointFile,
    deadLetterFile: o.deadLetterFile,
    batchSize: o.batchSize,
    batchIntervalMs: o.batchIntervalMs,
    maxRecordBytes: o.maxRecordBytes,
    windows: o.windows,
    allowedLatenessMs: o.allowedLatenessMs,
    windowUpdateIntervalMs: o.windowUpdateIntervalMs,
    archiveDir: o.archiveDir,
    archiveRollBytes: o.archiveRollBytes,
    archiveRollMs: o.archiveRollMs,
    metricsPort: o.metrics ? o.metricsPort : undefined,
    transformThreads: o.transformThreads,
    esCompression: o.esCompression,
    bulkMaxBytes: o.bulkMaxBytes,
    log,
  });
  requestStop = () => void handle.stop().catch(() => undefined);
  if (stopRequested) requestStop();
  const summary = await handle.done;
  process.stdout.write(JSON.stringify(summary) + '\n');
  process.exit(0);
} catch (err) {
  log.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
}
