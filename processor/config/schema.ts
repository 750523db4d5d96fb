/**
 * The processor's configuration: the shape of the YAML file given with `--config` (docs/configuration.md
 * documents every key) and the one place its defaults live. The command line builds the same object
 * (processor/config/resolve.ts), so a flag, a file key and a default can never disagree.
 *
 * Keys are snake_case, as in Filebeat and Vector. A duration is a number of ms or a string with a unit
 * (`"30s"`, `"24h"`); a size a number of bytes or a string with a unit (`"64MiB"`); see units.ts.
 */
import os from 'node:os';
import net from 'node:net';
import { z } from 'zod';
import { datasets } from '../datasets/registry.js';
import { DEFAULT_ES_URL } from '../elasticsearch/connection.js';
import { defaultBrokers } from '../kafka/brokers.js';
import { SASL_MECHANISMS } from '../kafka/security.js';
import { parseByteSize, parseDuration } from './units.js';

/** The closest of `known` to `word` by edit distance, when it is close enough to be a likely typo. */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** A duration in ms (see `parseDuration`), at least `min`. */
const duration = (min = 0) =>
  z.unknown().transform((v, ctx): number => {
    if (typeof v !== 'number' && typeof v !== 'string') {
      ctx.issues.push({ code: 'custom', input: v, message: `expected a duration (ms, or a string such as "500ms", "30s", "5m", "24h", "7d"), got ${typeName(v)}` });
      return z.NEVER;
    }
    try {
      const ms = parseDuration(v);
      if (ms < min) throw new Error(`must be at least ${min} ms`);
      return ms;
    } catch (err) {
      ctx.issues.push({ code: 'custom', input: v, message: (err as Error).message });
      return z.NEVER;
    }
  });

/** A size in bytes (see `parseByteSize`), at least `min`. */
const byteSize = (min = 0) =>
  z.unknown().transform((v, ctx): number => {
    if (typeof v !== 'number' && typeof v !== 'string') {
      ctx.issues.push({ code: 'custom', input: v, message: `expected a size (bytes, or a string such as "64MiB"), got ${typeName(v)}` });
      return z.NEVER;
    }
    try {
      const n = parseByteSize(v);
      if (n < min) throw new Error(`must be at least ${min} bytes`);
      return n;
    } catch (err) {
      ctx.issues.push({ code: 'custom', input: v, message: (err as Error).message });
      return z.NEVER;
    }
  });

/** How a value's type is named in messages: `null`, `array`, `string`, … */
export function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v;
}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address. */
function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const family = net.isIP(addr);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = s.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const datasetName = z.string().superRefine((name, ctx) => {
  if (datasets.has(name)) return;
  const near = didYouMean(name, datasets.keys());
  ctx.addIssue({ code: 'custom', message: `unknown dataset "${name}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${[...datasets.keys()].join(', ')}` });
});

/** Input ids name the checkpoint file (`files-<id>.json`), so they are file-name safe. */
const INPUT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** One entry of `inputs:` (Filebeat's `filestream` input, Vector's `file` source). */
export const inputSchema = z.strictObject({
  /** Unique id; default `input-<n>` (1-based position in the list). Names the checkpoint file. */
  id: z.string().regex(INPUT_ID, 'expected letters, digits, ".", "_" or "-", starting with a letter or digit').optional(),
  /** A registered dataset (processor/datasets/registry.ts). */
  dataset: datasetName.default('weblogs'),
  /** Files, directories or globs (`*`, `?`, `[…]`, `{a,b}`, `**`). */
  paths: z.array(z.string().min(1)).min(1, 'give at least one path or glob'),
  /** Globs or paths never read. */
  exclude: z.array(z.string().min(1)).default([]),
  /** The dataset's format string (weblogs: `combined`, `nginx:<log_format>`, `apache:<LogFormat>`, `json`, …). */
  format: z.string().min(1).optional(),
  /** Added to every event's `tags`. */
  tags: z.array(z.string().min(1)).default([]),
  /** User fields, written as ECS `labels.*`; numbers and booleans become strings. */
  fields: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }))
    .default({})
    .transform((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))),
  /** ECS `service.name` of every event (also `service.name:` as one key). */
  service: z.strictObject({ name: z.string().min(1).optional() }).optional(),
  /** ECS `host.name` of every event; default: this machine's host name. */
  host: z.strictObject({ name: z.string().min(1).default(() => os.hostname()) }).prefault({}),
  /** Where a file without a checkpoint is first read from. */
  start_at: z.enum(['beginning', 'end']).default('beginning'),
  /** Files not modified for this long are not read (duration; none: no limit). */
  ignore_older: duration(1).optional(),
  /** Proxies whose `X-Forwarded-For` / `X-Real-IP` are trusted (CIDRs or addresses). */
  trusted_proxies: z
    .array(z.string().refine(isCidr, { error: (i) => `not an IP address or CIDR: "${String(i.input)}"` }))
    .default([]),
});

/** True when `u` is an http(s) URL or a comma-separated list of them (empty items ignored, at least one). */
function isUrlList(u: string): boolean {
  const items = u.split(',').map((x) => x.trim()).filter(Boolean);
  return items.length > 0 && items.every((x) => /^https?:\/\/[^/]/i.test(x));
}

/** Elasticsearch connection and indexing; the names follow the `--es-*` flags (elasticsearch/connection.ts). */
export const elasticsearchSchema = z
  .strictObject({
    /**
     * `--es-url`: base URL, `http://` or `https://`; several nodes as a list (`[http://a:9200, http://b:9200]`)
     * or a comma-separated string. The client spreads requests over the live ones and fails over.
     */
    url: z
      .union([
        z.string().refine((u) => isUrlList(u), 'expected an http:// or https:// URL, or a comma-separated list of them'),
        z.array(z.string().refine((u) => isUrlList(u), 'expected an http:// or https:// URL')).min(1),
      ])
      .default(() => process.env.ES_URL?.trim() || DEFAULT_ES_URL),
    /** `--es-sniff`: also use the nodes the cluster lists (their publish addresses; see elasticsearch/connection.ts). */
    sniff: z.boolean().default(false),
    /** `--es-ca`: PEM file of the CA that signed the server's HTTP certificate. */
    ca: z.string().min(1).optional(),
    /** `--es-api-key`: the `encoded` value, or `id:api_key`. */
    api_key: z.string().min(1).optional(),
    /** `--es-username` / `--es-password`: basic auth. */
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** `--es-compression`: gzip `_bulk` request bodies. */
    compression: z.boolean().default(false),
    /** `--bulk-max-bytes`: approximate size of one `_bulk` request body. */
    bulk_max_bytes: byteSize(1).default(3 * 1024 * 1024),
  })
  .superRefine((es, ctx) => {
    if (es.api_key && es.username) ctx.addIssue({ code: 'custom', path: ['username'], message: 'give either api_key or username, not both' });
    if (es.password !== undefined && !es.username) ctx.addIssue({ code: 'custom', path: ['password'], message: 'password needs username' });
  });

/** Kafka consumption (present and `enabled`: the datasets' topics are consumed as one group). */
export const kafkaSchema = z.strictObject({
  /** Consume Kafka (default true when the section is there; `--kafka` turns it on without one). */
  enabled: z.boolean().default(true),
  /** `--brokers`: host:port list; default `KAFKA_BROKERS` or 127.0.0.1:9092. */
  brokers: z.array(z.string().min(1)).min(1).default(() => defaultBrokers()),
  /** `--group-id`. */
  group_id: z.string().min(1).default('rtas-processor'),
  /** `--topics`: a dataset's topic or `topic=dataset`; default every dataset's topic. */
  topics: z.array(z.string().min(1)).min(1).optional(),
  /** `--kafka-ssl` / `KAFKA_SSL`: TLS to the brokers (implied by `ca`). */
  ssl: z.boolean().optional(),
  /** `--kafka-ca` / `KAFKA_CA_CERT`: PEM file of the CA that signed the brokers' certificates. */
  ca: z.string().min(1).optional(),
  /** `--kafka-sasl-mechanism` / `KAFKA_SASL_MECHANISM`: `plain`, `scram-sha-256` or `scram-sha-512`. */
  sasl_mechanism: z.enum(SASL_MECHANISMS).optional(),
  /** `--kafka-username` / `KAFKA_USERNAME`: SASL user. */
  username: z.string().min(1).optional(),
  /** `--kafka-password` / `KAFKA_PASSWORD`: SASL password (better `${KAFKA_PASSWORD}` than the value). */
  password: z.string().optional(),
});

/** Data stream namespaces: lowercase, none of the characters Elasticsearch refuses in index names, no `-`. */
const NAMESPACE = /^[a-z0-9_.+]+$/;

/** Everything else the processor can be told (the command-line options that make sense in a file). */
export const processorSchema = z.strictObject({
  /** `--namespace`: the last part of `{type}-{dataset}-{namespace}`. */
  namespace: z.string().regex(NAMESPACE, 'expected lowercase letters, digits, "_", "." or "+" (no "-")').default('default'),
  /** `--data-dir`: checkpoints and dead letters; default `RTAS_DATA_DIR` or `.data`. */
  data_dir: z.string().min(1).default(() => process.env.RTAS_DATA_DIR || '.data'),
  /** `--checkpoint-file`: only with exactly one input (default `<data_dir>/checkpoints/files-<input id>.json`). */
  checkpoint_file: z.string().min(1).optional(),
  /** `--dead-letter-file` (default `<data_dir>/dead-letters.ndjson`). */
  dead_letter_file: z.string().min(1).optional(),
  /** `--batch-size`: a micro-batch closes at this many records. */
  batch_size: z.number().int().positive().default(5000),
  /** `--batch-interval-ms`: … or this long after its first record (duration). */
  batch_interval_ms: duration(1).default(1000),
  /** `--max-record-bytes`: longer lines are cut and dead-lettered (size). */
  max_record_bytes: byteSize(1).default(1024 * 1024),
  /** `--no-windows` when false: the event-time windows. */
  windows: z.boolean().default(true),
  /** `--keep-original`: keep each access-log line as read in `event.original`. */
  keep_original: z.boolean().default(false),
  /** `--allowed-lateness-ms` (duration). */
  allowed_lateness_ms: duration(1).default(600_000),
  /** `--window-update-interval-ms` (duration; 0 = after every batch). */
  window_update_interval_ms: duration(0).default(5000),
  /** `--archive-dir`: also archive every indexed document as gzip NDJSON. */
  archive_dir: z.string().min(1).optional(),
  /** `--archive-roll-bytes` (size). */
  archive_roll_bytes: byteSize(1).default(64 * 1024 * 1024),
  /** `--archive-roll-ms` (duration). */
  archive_roll_ms: duration(1).default(300_000),
  /** `--no-metrics` when false: serve `/metrics` and `/healthz`. */
  metrics: z.boolean().default(true),
  /** `--metrics-port` (0 = any free port), on 127.0.0.1. */
  metrics_port: z.number().int().min(0).max(65535).default(9464),
  /** `--transform-threads`; default: the cores beyond two. */
  transform_threads: z.number().int().min(0).max(64).optional(),
  /** `--retention`: how long Elasticsearch keeps the data streams (`30d`, `12h`, or `off`); unset: leave as it is (elasticsearch/retention.ts). */
  retention: z
    .string()
    .regex(/^(off|[1-9][0-9]*(d|h|m|s))$/, 'expected a whole number with a unit d, h, m or s (e.g. 30d), or off')
    .optional(),
});

/** The whole file. Every section is optional; `inputs` and `kafka` say what is read. */
export const configSchema = z
  .strictObject({
    inputs: z.array(inputSchema).default([]),
    elasticsearch: elasticsearchSchema.prefault({}),
    kafka: kafkaSchema.optional(),
    processor: processorSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.inputs.forEach((input, i) => {
      const id = input.id ?? defaultInputId(i);
      const first = seen.get(id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['inputs', i, ...(input.id ? ['id'] : [])], message: `input id "${id}" is already used by inputs[${first}]` });
      } else seen.set(id, i);
    });
    if (c.processor.checkpoint_file && c.inputs.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['processor', 'checkpoint_file'], message: 'only with exactly one input (each input has its own checkpoint file)' });
    }
  });

/** The default id of the input at `index` (0-based) in the file: `input-<index + 1>`. */
export function defaultInputId(index: number): string {
  return `input-${index + 1}`;
}

/** One input after validation, defaults applied and its id given. */
export type InputConfig = z.output<typeof inputSchema> & { id: string };
/** The effective configuration: defaults applied, every input with an id. */
export type Config = Omit<z.output<typeof configSchema>, 'inputs'> & { inputs: InputConfig[] };
export type ElasticsearchConfig = z.output<typeof elasticsearchSchema>;
export type KafkaConfig = z.output<typeof kafkaSchema>;
export type ProcessorConfig = z.output<typeof processorSchema>;

/** Gives every input its id (`input-<n>` when the file has none). */
export function withInputIds(c: z.output<typeof configSchema>): Config {
  return { ...c, inputs: c.inputs.map((input, i) => ({ ...input, id: input.id ?? defaultInputId(i) })) };
}

/** The configuration of an empty file: every default, no input. */
export function defaultConfig(): Config {
  return withInputIds(configSchema.parse({}));
}
