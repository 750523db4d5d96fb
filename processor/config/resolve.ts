/**
 * From a config (file or defaults) and the command-line flags given explicitly to what runs: flags win
 * over the file, the file over the defaults (schema.ts); `--watch` entries add inputs. Also the
 * conversions to the processor's own option objects and the redacted YAML of `--print-config`.
 */
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { datasets, getDataset } from '../datasets/registry.js';
import { esConnectionFromOptions, type EsConnection } from '../elasticsearch/connection.js';
import type { InputSettings, StartAt } from '../inputs/settings.js';
import type { ProcessorOptions } from '../processor.js';
import { ConfigError, formatPath, type ConfigProblem } from './load.js';
import { kafkaSecurityFromOptions, type KafkaSecurity } from '../kafka/security.js';
import { inputSchema, kafkaSchema, type Config, type InputConfig, type KafkaConfig } from './schema.js';

/** Command-line values, each present only when given on the command line (or by its environment variable). */
export interface ConfigFlags {
  watch?: string[];
  dataset?: string;
  format?: string;
  tags?: string[];
  startAt?: StartAt;
  trustedProxies?: string[];
  kafka?: boolean;
  /** Comma-separated. */
  brokers?: string;
  groupId?: string;
  topics?: string[];
  kafkaSsl?: boolean;
  kafkaCa?: string;
  kafkaSaslMechanism?: string;
  kafkaUsername?: string;
  kafkaPassword?: string;
  namespace?: string;
  dataDir?: string;
  checkpointFile?: string;
  deadLetterFile?: string;
  batchSize?: number;
  batchIntervalMs?: number;
  maxRecordBytes?: number;
  windows?: boolean;
  keepOriginal?: boolean;
  allowedLatenessMs?: number;
  windowUpdateIntervalMs?: number;
  archiveDir?: string;
  archiveRollBytes?: number;
  archiveRollMs?: number;
  metrics?: boolean;
  metricsPort?: number;
  transformThreads?: number;
  esCompression?: boolean;
  bulkMaxBytes?: number;
  retention?: string;
  esUrl?: string;
  esSniff?: boolean;
  esCa?: string;
  esApiKey?: string;
  esUsername?: string;
  esPassword?: string;
}

/** Where command-line problems say they come from. */
const COMMAND_LINE = 'command line';

/** The schema key of an input a flag sets, for messages. */
const INPUT_FLAG: Record<string, string> = {
  paths: '--watch',
  dataset: '--dataset',
  format: '--format',
  tags: '--tags',
  start_at: '--start-at',
  trusted_proxies: '--trusted-proxies',
};

/**
 * Groups `--watch` entries by dataset: `news=/dir` reads /dir with the news dataset, a plain path uses
 * `fallback`. A prefix that is not a dataset name is part of the path.
 */
export function groupWatchPaths(entries: string[], fallback: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const named = eq > 0 && datasets.has(entry.slice(0, eq));
    const name = named ? entry.slice(0, eq) : fallback;
    groups.set(name, [...(groups.get(name) ?? []), named ? entry.slice(eq + 1) : entry]);
  }
  return groups;
}

/** What `--watch` inputs get from the other flags. */
export interface WatchInputFlags {
  /** Dataset of entries given without `dataset=` (default: the input schema's default, `weblogs`). */
  dataset?: string;
  format?: string;
  tags?: string[];
  startAt?: StartAt;
  trustedProxies?: string[];
}

/**
 * Inputs for `--watch` entries: one per dataset, with id = the dataset name (so its checkpoint file is
 * `files-<dataset>.json`, as before inputs existed), or `watch-<dataset>` when the config file already
 * has an input of that id. Defaults come from the input schema.
 * @throws ConfigError naming the flag for a value the schema or the dataset's `checkFormat` refuses.
 */
export function inputsFromWatch(entries: string[], flags: WatchInputFlags = {}, takenIds: Iterable<string> = []): InputConfig[] {
  const taken = new Set(takenIds);
  const fallback = flags.dataset ?? (inputSchema.shape.dataset.parse(undefined) as string);
  const inputs: InputConfig[] = [];
  for (const [dataset, paths] of groupWatchPaths(entries, fallback)) {
    let id = dataset;
    if (taken.has(id)) id = `watch-${dataset}`;
    if (taken.has(id)) throw new ConfigError([{ file: COMMAND_LINE, path: '--watch', message: `input id "${id}" is already used in the config file` }]);
    taken.add(id);
    const parsed = inputSchema.safeParse({
      id,
      dataset,
      paths,
      ...(flags.format !== undefined ? { format: flags.format } : {}),
      ...(flags.tags ? { tags: flags.tags } : {}),
      ...(flags.startAt ? { start_at: flags.startAt } : {}),
      ...(flags.trustedProxies ? { trusted_proxies: flags.trustedProxies } : {}),
    });
    if (!parsed.success) {
      throw new ConfigError(
        parsed.error.issues.map((i): ConfigProblem => ({
          file: COMMAND_LINE,
          path: INPUT_FLAG[String(i.path[0])] ?? formatPath(i.path as PropertyKey[]),
          message: i.message.replace(/^Invalid input: /, ''),
        })),
      );
    }
    const input = { ...parsed.data, id };
    checkFlagFormat(input);
    inputs.push(input);
  }
  return inputs;
}

/** Runs the dataset's `checkFormat` on a format given by `--format`. @throws ConfigError naming `--format`. */
export function checkFlagFormat(input: InputConfig): void {
  if (input.format === undefined) return;
  try {
    getDataset(input.dataset).checkFormat?.(input.format);
  } catch (err) {
    throw new ConfigError([{ file: COMMAND_LINE, path: '--format', message: `${input.dataset} format: ${(err as Error).message}` }]);
  }
}

/**
 * The effective config: `config` with every flag given applied over it (`--watch` adds inputs; the
 * input flags `--format`, `--tags`, `--start-at`, `--trusted-proxies`, `--dataset` apply to those).
 * @throws ConfigError for a flag value that is not valid.
 */
export function applyFlags(config: Config, f: ConfigFlags): Config {
  const set = <T>(v: T | undefined, fallback: T): T => (v === undefined ? fallback : v);
  const p = config.processor;
  const es = config.elasticsearch;
  let kafka = config.kafka;
  const kafkaSecurityFlags = [f.kafkaSsl, f.kafkaCa, f.kafkaSaslMechanism, f.kafkaUsername, f.kafkaPassword].some((v) => v !== undefined);
  if (f.kafka || f.brokers !== undefined || f.groupId !== undefined || f.topics !== undefined || kafkaSecurityFlags) {
    const base = kafka ?? kafkaSchema.parse({ enabled: false });
    kafka = {
      ...base,
      enabled: f.kafka ? true : base.enabled,
      ...(f.brokers !== undefined ? { brokers: f.brokers.split(',').map((b) => b.trim()).filter(Boolean) } : {}),
      ...(f.groupId !== undefined ? { group_id: f.groupId } : {}),
      ...(f.topics !== undefined ? { topics: f.topics } : {}),
      ...(f.kafkaSsl !== undefined ? { ssl: f.kafkaSsl } : {}),
      ...(f.kafkaCa !== undefined ? { ca: f.kafkaCa } : {}),
      ...(f.kafkaSaslMechanism !== undefined ? { sasl_mechanism: f.kafkaSaslMechanism as KafkaConfig['sasl_mechanism'] } : {}),
      ...(f.kafkaUsername !== undefined ? { username: f.kafkaUsername } : {}),
      ...(f.kafkaPassword !== undefined ? { password: f.kafkaPassword } : {}),
    };
  }
  const watched = f.watch?.length
    ? inputsFromWatch(f.watch, { dataset: f.dataset, format: f.format, tags: f.tags, startAt: f.startAt, trustedProxies: f.trustedProxies }, config.inputs.map((i) => i.id))
    : [];
  const inputs = [...config.inputs, ...watched];
  const checkpointFile = set(f.checkpointFile, p.checkpoint_file);
  if (checkpointFile !== undefined && inputs.length > 1) {
    throw new ConfigError([{ file: COMMAND_LINE, path: '--checkpoint-file', message: `only with exactly one input (there are ${inputs.length}: ${inputs.map((i) => i.id).join(', ')})` }]);
  }
  return {
    inputs,
    elasticsearch: {
      ...es,
      url: set(f.esUrl, es.url),
      sniff: set(f.esSniff, es.sniff),
      ca: set(f.esCa, es.ca),
      api_key: set(f.esApiKey, es.api_key),
      username: set(f.esUsername, es.username),
      password: set(f.esPassword, es.password),
      compression: set(f.esCompression, es.compression),
      bulk_max_bytes: set(f.bulkMaxBytes, es.bulk_max_bytes),
    },
    ...(kafka ? { kafka } : {}),
    processor: {
      ...p,
      namespace: set(f.namespace, p.namespace),
      data_dir: set(f.dataDir, p.data_dir),
      checkpoint_file: checkpointFile,
      dead_letter_file: set(f.deadLetterFile, p.dead_letter_file),
      batch_size: set(f.batchSize, p.batch_size),
      batch_interval_ms: set(f.batchIntervalMs, p.batch_interval_ms),
      max_record_bytes: set(f.maxRecordBytes, p.max_record_bytes),
      windows: set(f.windows, p.windows),
      keep_original: set(f.keepOriginal, p.keep_original),
      allowed_lateness_ms: set(f.allowedLatenessMs, p.allowed_lateness_ms),
      window_update_interval_ms: set(f.windowUpdateIntervalMs, p.window_update_interval_ms),
      archive_dir: set(f.archiveDir, p.archive_dir),
      archive_roll_bytes: set(f.archiveRollBytes, p.archive_roll_bytes),
      archive_roll_ms: set(f.archiveRollMs, p.archive_roll_ms),
      metrics: set(f.metrics, p.metrics),
      metrics_port: set(f.metricsPort, p.metrics_port),
      transform_threads: set(f.transformThreads, p.transform_threads),
      retention: set(f.retention, p.retention),
    },
  };
}

/** The `InputSettings` the processor and the transform step use for a config input. */
export function toInputSettings(i: InputConfig): InputSettings {
  return {
    id: i.id,
    dataset: i.dataset,
    paths: i.paths,
    ...(i.exclude.length > 0 ? { exclude: i.exclude } : {}),
    ...(i.format !== undefined ? { format: i.format } : {}),
    ...(i.tags.length > 0 ? { tags: i.tags } : {}),
    ...(Object.keys(i.fields).length > 0 ? { labels: i.fields } : {}),
    ...(i.service?.name ? { serviceName: i.service.name } : {}),
    hostName: i.host.name,
    startAt: i.start_at,
    ...(i.ignore_older !== undefined ? { ignoreOlderMs: i.ignore_older } : {}),
    ...(i.trusted_proxies.length > 0 ? { trustedProxies: i.trusted_proxies } : {}),
  };
}

/**
 * The Elasticsearch connection of the config; anything it leaves out still comes from the `ES_*`
 * variables (see `esConnectionFromOptions`).
 * @throws ConfigError when an API key and a username are both given, or a password without a user.
 */
export function esConnectionOf(c: Config): EsConnection {
  const es = c.elasticsearch;
  try {
    return esConnectionFromOptions({ esUrl: es.url, esSniff: es.sniff, esCa: es.ca, esApiKey: es.api_key, esUsername: es.username, esPassword: es.password });
  } catch (err) {
    throw new ConfigError([{ file: COMMAND_LINE, path: 'elasticsearch', message: (err as Error).message }]);
  }
}

/**
 * The Kafka TLS/SASL settings of the config's `kafka` section; anything it leaves out still comes
 * from the `KAFKA_SSL`, `KAFKA_CA_CERT`, `KAFKA_SASL_MECHANISM`, `KAFKA_USERNAME` and `KAFKA_PASSWORD`
 * variables (see `kafkaSecurityFromOptions`).
 * @throws ConfigError for a mechanism without user or password, or a user or password without a mechanism.
 */
export function kafkaSecurityOf(c: Config): KafkaSecurity {
  const k = c.kafka;
  try {
    return kafkaSecurityFromOptions({ kafkaSsl: k?.ssl, kafkaCa: k?.ca, kafkaSaslMechanism: k?.sasl_mechanism, kafkaUsername: k?.username, kafkaPassword: k?.password });
  } catch (err) {
    throw new ConfigError([{ file: COMMAND_LINE, path: 'kafka', message: (err as Error).message }]);
  }
}

function kafkaSecurityIfAny(c: Config): { security?: KafkaSecurity } {
  const security = kafkaSecurityOf(c);
  return Object.keys(security).length > 0 ? { security } : {};
}

/** `startProcessor`'s options for the config. */
export function processorOptionsOf(c: Config, run: { once?: boolean; log?: Logger } = {}): ProcessorOptions {
  const p = c.processor;
  return {
    inputs: c.inputs.map(toInputSettings),
    kafka: c.kafka?.enabled ? { brokers: c.kafka.brokers, groupId: c.kafka.group_id, topics: c.kafka.topics, ...kafkaSecurityIfAny(c) } : undefined,
    once: run.once,
    es: esConnectionOf(c),
    namespace: p.namespace,
    dataDir: p.data_dir,
    checkpointFile: p.checkpoint_file,
    deadLetterFile: p.dead_letter_file,
    batchSize: p.batch_size,
    batchIntervalMs: p.batch_interval_ms,
    maxRecordBytes: p.max_record_bytes,
    windows: p.windows,
    keepOriginal: p.keep_original,
    allowedLatenessMs: p.allowed_lateness_ms,
    windowUpdateIntervalMs: p.window_update_interval_ms,
    archiveDir: p.archive_dir,
    archiveRollBytes: p.archive_roll_bytes,
    archiveRollMs: p.archive_roll_ms,
    metricsPort: p.metrics ? p.metrics_port : undefined,
    transformThreads: p.transform_threads,
    esCompression: c.elasticsearch.compression,
    bulkMaxBytes: c.elasticsearch.bulk_max_bytes,
    ...(p.retention !== undefined ? { retention: p.retention } : {}),
    ...(run.log ? { log: run.log } : {}),
  };
}

/** A password inside a URL (or each URL of a comma-separated list) replaced by {@link REDACTED}. */
function redactUrlPassword(url: string): string {
  return url.replace(/(^|,\s*)([a-z]+:\/\/[^/@:,]*):[^/@,]*@/gi, `$1$2:${REDACTED}@`);
}

/** What secrets are replaced with in printed configs. */
export const REDACTED = '<redacted>';

/**
 * The effective config as YAML, a valid config file itself, with `password` (of Elasticsearch and of
 * Kafka), `api_key` and a password inside the URL replaced by `<redacted>`. A Kafka section appears only when Kafka is consumed.
 */
export function printableConfig(c: Config): string {
  const es = c.elasticsearch;
  const shown = {
    inputs: c.inputs,
    elasticsearch: {
      ...es,
      url: typeof es.url === 'string' ? redactUrlPassword(es.url) : es.url.map(redactUrlPassword),
      ...(es.api_key !== undefined ? { api_key: REDACTED } : {}),
      ...(es.password !== undefined ? { password: REDACTED } : {}),
    },
    ...(c.kafka?.enabled ? { kafka: c.kafka.password !== undefined ? { ...c.kafka, password: REDACTED } : c.kafka } : {}),
    processor: c.processor,
  };
  return (
    '# Effective configuration: command-line flags over the config file over the defaults; secrets redacted.\n' +
    stringify(shown, { lineWidth: 0 })
  );
}
