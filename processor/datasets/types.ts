import type { z } from 'zod';
import type { SourcePosition } from '../pipeline/types.js';
import type { GeoIpLookup } from '../enrich/geoip.js';
import type { UserAgentParser } from '../enrich/user-agent.js';
import type { WindowDefinition } from '../windows/types.js';
import type { InputSettings } from '../inputs/settings.js';

/** Thrown by a dataset's `decode` when a raw line does not have the dataset's shape. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/** Shared, expensive enrichment resources and the ingest clock, created once per process. */
export interface EnrichContext {
  geoip: GeoIpLookup;
  userAgents: UserAgentParser;
  /** Ingest time (`event.ingested`); tests pass a fixed clock for golden output. */
  now: () => Date;
  /** Per-dataset state kept across batches (e.g. per-symbol indicators); see `datasetState`. */
  state: Map<string, unknown>;
  /**
   * Keep each access-log line as read in `event.original` (`--keep-original`; default off). Every
   * field is parsed out of it, and storing it costs Elasticsearch 28 more bytes per document after a
   * force-merge (121.7 → 149.7 on the real log) and a few µs of CPU (docs/performance.md, 2026-12-07).
   */
  keepOriginal?: boolean;
}

/** The state of dataset `name` in `ctx`, created with `init` on first use. */
export function datasetState<T>(ctx: EnrichContext, name: string, init: () => T): T {
  let s = ctx.state.get(name) as T | undefined;
  if (s === undefined) {
    s = init();
    ctx.state.set(name, s);
  }
  return s;
}

/** What `Dataset.enrich` is told about a record besides its parsed form. */
export interface EnrichMeta {
  raw: string;
  position: SourcePosition;
  dataStream: DataStreamName;
  /** The input it was read through, if any (trusted proxies, tags: see inputs/settings.ts). */
  input?: InputSettings;
}

/** The three parts of a data stream name, `{type}-{dataset}-{namespace}`. */
export interface DataStreamName {
  type: 'logs' | 'metrics';
  dataset: string;
  namespace: string;
}

/**
 * A dataset is the unit of domain knowledge: its raw schema, parser, enrichment and index template.
 * Nothing in a dataset knows where a record came from beyond the position it is handed.
 *
 * @typeParam Raw the validated, parsed form of one raw record.
 */
export interface Dataset<Raw> {
  /** Short name used on the command line and in `SourceRecord.dataset` (e.g. `weblogs`). */
  readonly name: string;
  /** `type` and `dataset` parts of the data stream name; the namespace is chosen at run time. */
  readonly dataStream: Omit<DataStreamName, 'namespace'>;
  /** Kafka topic that carries this dataset's raw records. */
  readonly topic: string;
  /**
   * Where a multi-line entry starts: a line matching starts a new entry; others are continuation lines
   * joined to the previous entry (with `\n`) by the file source. None: every line is an entry.
   */
  readonly multilineStart?: RegExp;
  /**
   * Parse one raw line; throws `DecodeError` with a reason when the line has no recognisable shape.
   * `input` is the input the line was read through (its `format` selects the parser; none: the default).
   */
  decode(raw: string, input?: InputSettings): unknown;
  /**
   * Checks an input's `format` for this dataset at start (compiling it), so a bad format stops the
   * processor with a clear error instead of dead-lettering every line. @throws Error naming the problem.
   */
  checkFormat?(format: string | undefined): void;
  /** The zod schema every decoded record must pass before enrichment. */
  readonly schema: z.ZodType<Raw>;
  /**
   * Optional hand-written equivalent of `schema` for the hot path: the dead-letter reason, or
   * `undefined` when the decoded record is valid (and then is a `Raw`). When given, the pipeline uses it
   * instead of `schema.safeParse`; the dataset's tests must show the two agree.
   */
  validate?(decoded: unknown): string | undefined;
  /**
   * True when `enrich` keeps no state across records (nothing in `ctx.state`), so batches of this
   * dataset may be transformed on worker threads in any order. Stateful datasets stay on the main thread.
   */
  readonly stateless?: boolean;
  /**
   * Loads and checks what `enrich` needs beyond code (e.g. a model file), so that a missing or broken
   * resource stops the processor's start with its error instead of dead-lettering the first records.
   * The processor calls it at start for the datasets it reads (watched paths, consumed topics) only, so
   * a processor that reads none of this dataset never holds the resource. Without the call, `enrich`
   * loads it on first use. @throws the resource's error.
   */
  prepare?(): void;
  /** Build the output document body (ECS fields first, dataset fields under the dataset namespace). */
  enrich(raw: Raw, ctx: EnrichContext, meta: EnrichMeta): Record<string, unknown>;
  /**
   * Optional fast serialiser of `enrich`'s output for the `_bulk` body: must return exactly
   * `JSON.stringify(body)` (the dataset's tests compare them); without it the sink uses `JSON.stringify`.
   */
  serialize?(body: Record<string, unknown>): string;
  /** The composable index template for `{type}-{dataset}-*`. */
  indexTemplate(): IndexTemplate;
  /** Event-time windows computed over this dataset's documents (each with its own data stream). */
  readonly windows?: WindowDefinition[];
}

/** The body of `PUT _index_template/<name>` with its name. */
export interface IndexTemplate {
  name: string;
  body: {
    index_patterns: string[];
    data_stream: Record<string, never>;
    priority: number;
    template: { settings: Record<string, unknown>; mappings: Record<string, unknown> };
    _meta?: Record<string, unknown>;
  };
}

/** Full data stream name, `{type}-{dataset}-{namespace}` (Elastic's data stream naming scheme). */
export function dataStreamIndex(ds: DataStreamName): string {
  return `${ds.type}-${ds.dataset}-${ds.namespace}`;
}
