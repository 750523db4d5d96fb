#!/usr/bin/env node
import v8 from 'node:v8';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfigFile } from './config/load.js';
import { applyFlags, esConnectionOf, kafkaSecurityOf, printableConfig, processorOptionsOf, type ConfigFlags } from './config/resolve.js';
import { defaultConfig, type Config } from './config/schema.js';
import { parseByteSize, parseDuration } from './config/units.js';
import { EXIT, EXIT_CODES_HELP, onceExitCode } from './config/exit-codes.js';
import { datasets } from './datasets/registry.js';
import { addEsConnectionOptions } from './elasticsearch/connection.js';
import { retentionOption } from './elasticsearch/retention.js';
import { DiskFullError, isDiskFull } from './pipeline/disk-full.js';
import { addKafkaSecurityOptions, kafkaSslFromEnv } from './kafka/security.js';
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
/** A size flag: bytes, or with a unit (`64MiB`), at least 1. */
const size = (v: string): number => {
  try {
    const n = parseByteSize(/^\d+$/.test(v) ? Number(v) : v);
    if (n < 1) throw new Error('expected at least 1 byte');
    return n;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
/** A duration flag: ms, or with a unit (`30s`), at least `min`. */
const duration =
  (min: number) =>
  (v: string): number => {
    try {
      const n = parseDuration(/^\d+$/.test(v) ? Number(v) : v);
      if (n < min) throw new Error(`expected at least ${min} ms`);
      return n;
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
const list = (v: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...v.split(',').map((s) => s.trim()).filter(Boolean)];

// The defaults shown in --help come from the config schema, the one place they live.
const d = defaultConfig();
const dp = d.processor;
const def = (v: unknown): string => ` (default: ${String(v)})`;

const program = new Command('process')
  .description(
    'Read log files (inputs from a YAML config file and/or --watch) and/or consume Kafka topics; index every record, ' +
      'enriched, into Elasticsearch data streams. File and Kafka offsets are committed only after Elasticsearch acknowledged ' +
      'a batch; bad records go to a dead-letter file, which --replay-dead-letters indexes again once the input is fixed. ' +
      'Flags given on the command line (or through their environment variables) override the config file; see docs/configuration.md.',
  )
  .option('-c, --config <file>', 'YAML config file: inputs (paths, dataset, format, tags, fields…), elasticsearch, kafka, processor')
  .option('--print-config', 'print the effective configuration (file + flags + defaults) as YAML, secrets redacted, and exit')
  .option('--replay-dead-letters <file>', 'index the records of a dead-letter file again with the current input settings (a corrected format or dataset), keep only those that still fail in the file, print a JSON summary, exit')
  .option('-w, --watch <path...>', 'directories, files or globs to read, as path or dataset=path (e.g. news=/data/news); one input per dataset, id = the dataset name; hidden files are ignored')
  .addOption(new Option('-d, --dataset <name>', `dataset of --watch paths given without dataset=${def('weblogs')}`).choices([...datasets.keys()]))
  .option('--format <format>', 'format of the --watch inputs (weblogs: combined, common, vhost_combined, nginx:<log_format>, apache:<LogFormat>, json, auto); with --replay-dead-letters: the format of every replayed record')
  .option('--tags <tag...>', 'tags added to every event of the --watch inputs (space- or comma-separated)', list)
  .addOption(new Option('--start-at <where>', 'where the --watch inputs read a file without a checkpoint from (default: beginning)').choices(['beginning', 'end']))
  .option('--trusted-proxies <cidr...>', 'proxies whose X-Forwarded-For / X-Real-IP the --watch inputs trust (CIDRs or addresses)', list)
  .option('--kafka', 'consume the datasets\' Kafka topics as one consumer group (also: a kafka section in the config file)')
  .addOption(new Option('--brokers <list>', 'Kafka brokers, comma-separated (default: 127.0.0.1:9092)').env('KAFKA_BROKERS'))
  .option('--group-id <id>', `Kafka consumer group id${def('rtas-processor')}`)
  .option('--topics <topic...>', 'Kafka topics: a dataset\'s topic or topic=dataset (default: every dataset\'s topic)')
  .option('--once', 'process what is there (files: including an unterminated last line; Kafka: until the group has no lag), refresh the data streams so it is all searchable, print a JSON summary, exit')
  .option('--namespace <name>', `data stream namespace: {type}-{dataset}-{namespace}${def(dp.namespace)}`)
  .addOption(new Option('--data-dir <dir>', 'where checkpoints and dead letters live (default: .data)').env('RTAS_DATA_DIR'))
  .option('--checkpoint-file <file>', 'checkpoint file when there is exactly one input (default <data-dir>/checkpoints/files-<input id>.json)')
  .option('--dead-letter-file <file>', 'dead-letter NDJSON file (default <data-dir>/dead-letters.ndjson)')
  .option('--batch-size <records>', `close a micro-batch at this many records${def(dp.batch_size)}`, positiveInt)
  .option('--batch-interval-ms <ms>', `close a micro-batch this long after its first record at the latest${def(dp.batch_interval_ms)}`, duration(1))
  .option('--max-record-bytes <bytes>', `longer lines/messages are cut while reading and dead-lettered with their first <bytes> bytes and original length${def(dp.max_record_bytes)}`, size)
  .option('--no-windows', 'do not compute the event-time windows (traffic per minute, 1-minute bars, sentiment)')
  .option('--keep-original', 'keep each access-log line as read in event.original (off: every field is parsed out of it, and storing it costs Elasticsearch about 23 % more bytes per document and a little more CPU)')
  .option('--allowed-lateness-ms <ms>', `events older than the latest event time minus this are late for the windows${def(dp.allowed_lateness_ms)}`, duration(1))
  .option('--window-update-interval-ms <ms>', `with a backlog, update the windows (and commit) at most this often; 0 = after every batch${def(dp.window_update_interval_ms)}`, duration(0))
  .option('--archive-dir <dir>', 'also archive every indexed document as gzip NDJSON under <dir>/dataset=…/year=…/month=…/day=…/hour=…/ (fsynced before each commit)')
  .option('--archive-roll-bytes <bytes>', `close an archive part at this many uncompressed bytes${def(dp.archive_roll_bytes)}`, size)
  .option('--archive-roll-ms <ms>', `close an archive part this long after it was opened${def(dp.archive_roll_ms)}`, duration(1))
  .option('--metrics-port <port>', `serve /metrics and /healthz on 127.0.0.1:<port> (0 = any free port)${def(dp.metrics_port)}`, port)
  .option('--no-metrics', 'serve no /metrics or /healthz')
  .option('--transform-threads <n>', 'worker threads for decode/validate/enrich; 0 = the main thread (default: cores beyond two)', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('expected an integer 0-64');
    return n;
  })
  .option('--bulk-max-bytes <bytes>', `a batch is sent to Elasticsearch in _bulk requests of about this size${def(d.elasticsearch.bulk_max_bytes)}`, size)
  .option('--es-compression', 'gzip _bulk request bodies (worth it when Elasticsearch is across a network; off by default)')
  .addOption(
    retentionOption('how long Elasticsearch keeps the data streams (e.g. 30d, 12h; off removes it): data stream lifecycle or ILM, whichever the cluster has; with neither, a warning and ingest goes on (default: leave as it is)'),
  )
  .addHelpText('after', `\n${EXIT_CODES_HELP}`)
  .showHelpAfterError()
  // Usage errors exit with 2, as configuration errors do (help and --version with 0).
  .exitOverride();
addKafkaSecurityOptions(program);
addEsConnectionOptions(program);

const fail = (message: string, code: number = EXIT.config): never => {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
};

try {
  program.parse();
} catch (err) {
  process.exit(err instanceof CommanderError && err.exitCode === 0 ? 0 : EXIT.config);
}
const o = program.opts<ConfigFlags & { config?: string; printConfig?: boolean; replayDeadLetters?: string; once?: boolean }>();

/** The flags given on the command line or by their environment variable (not commander defaults). */
function explicitFlags(): ConfigFlags {
  const out: Record<string, unknown> = {};
  for (const opt of program.options) {
    const name = opt.attributeName();
    const source = program.getOptionValueSource(name);
    if (source === 'cli' || source === 'env') out[name] = (o as Record<string, unknown>)[name];
  }
  // KAFKA_SSL is read here, not by commander (which takes any value of a boolean flag's variable for true).
  if (out.kafkaSsl === undefined) {
    try {
      const ssl = kafkaSslFromEnv();
      if (ssl !== undefined) out.kafkaSsl = ssl;
    } catch (err) {
      fail((err as Error).message);
    }
  }
  return out as ConfigFlags;
}

const flags = explicitFlags();
const replayFile = o.replayDeadLetters;
const inputFlags = (['format', 'tags', 'startAt', 'trustedProxies'] as const).filter((k) => flags[k] !== undefined);
if (replayFile) {
  for (const f of ['watch', 'kafka', 'once', 'tags', 'startAt', 'trustedProxies'] as const) {
    if ((flags as Record<string, unknown>)[f] !== undefined) fail(`--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} does not go with --replay-dead-letters (set it on the input in the config file)`);
  }
} else if (inputFlags.length > 0 && !flags.watch?.length) {
  fail(`--${inputFlags[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to the inputs made from --watch; for the config file's inputs, set it in the input`);
}

let config: Config;
try {
  // In replay mode --format overrides the format of the replayed records' inputs (below), not --watch's.
  const { format: _format, ...rest } = flags;
  config = applyFlags(o.config ? loadConfigFile(o.config) : defaultConfig(), replayFile ? rest : flags);
  esConnectionOf(config);
  if (config.kafka?.enabled) kafkaSecurityOf(config);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

if (o.printConfig) {
  process.stdout.write(printableConfig(config));
  process.exit(0);
}

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

if (replayFile) {
  try {
    const { replayDeadLetters } = await import('./dead-letters/replay.js');
    const summary = await replayDeadLetters({ file: replayFile, config, format: flags.format, log });
    process.stdout.write(JSON.stringify(summary) + '\n');
    if (summary.stillFailing > 0) {
      process.stderr.write(`${summary.stillFailing} records still fail; they stay in ${replayFile} with their new reasons\n`);
    }
    process.exit(summary.replayed > 0 && summary.indexed + summary.duplicates === 0 ? EXIT.allRejected : EXIT.ok);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    log.fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(EXIT.failure);
  }
}

if (config.inputs.length === 0 && !config.kafka?.enabled) {
  program.outputHelp({ error: true });
  fail('nothing to read: give --watch <path...>, --kafka, or --config FILE with inputs (or a kafka section)');
}

// SIGTERM/SIGINT at any moment (start-up included): stop reading, commit everything already read, exit 0.
// A second signal exits at once (what was not committed is read again on the next start).
let stopRequested: string | undefined;
let requestStop: (() => void) | undefined;
const onSignal = (signal: string): void => {
  if (stopRequested) {
    log.warn({ signal }, 'second signal: exiting without waiting for the batches in flight (they are read again on the next start)');
    process.exit(EXIT.interrupted);
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
  const handle = await startProcessor(processorOptionsOf(config, { once: o.once, log }));
  requestStop = () => void handle.stop().catch(() => undefined);
  if (stopRequested) requestStop();
  const summary = await handle.done;
  process.stdout.write(JSON.stringify(summary) + '\n');
  const outcome = o.once && !stopRequested ? onceExitCode(summary, { fileInputs: handle.inputs.length, kafka: !!config.kafka?.enabled, unmatched: handle.unmatchedPaths(), deadLetterFile: handle.deadLetterFile }) : undefined;
  if (outcome) {
    process.stderr.write(`error: ${outcome.message}\n`);
    process.exit(outcome.code);
  }
  process.exit(EXIT.ok);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  if (isDiskFull(err)) {
    // One clear line (not only the JSON log): --once on a full data dir, or no space at start.
    const message = err instanceof DiskFullError ? err.message : `disk full: ${(err as Error).message}; free space under the data dir and run again`;
    log.fatal({ err }, message);
    fail(message, EXIT.diskFull);
  }
  log.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(EXIT.failure);
}
