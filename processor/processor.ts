import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import { datasets, getDataset } from './datasets/registry.js';
import { dataStreamIndex, type EnrichContext } from './datasets/types.js';
import { geoIpFromDatabases, loadGeoIpDatabases, type GeoIpDatabases } from './enrich/geoip.js';
import { createUserAgentParser } from './enrich/user-agent.js';
import { createEsClient, waitForEs } from './elasticsearch/client.js';
import { esConnectionFromOptions, type EsConnection } from './elasticsearch/connection.js';
import { installIndexTemplates } from './elasticsearch/templates.js';
import { applyRetention } from './elasticsearch/retention.js';
import { startHttpServer } from './observability/http-server.js';
import { createLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { Pipeline, type PipelineTotals } from './pipeline/pipeline.js';
import { layoutOfWriteIndex, type DocumentIdScheme } from './pipeline/document-id.js';
import { createTransformPool, defaultTransformThreads, inlineTransformer } from './pipeline/transform-pool.js';
import { ArchiveSink } from './sinks/archive-sink.js';
import { DeadLetterFile } from './sinks/dead-letter-sink.js';
import { ElasticsearchSink } from './sinks/elasticsearch-sink.js';
import { FileSource } from './sources/file-source.js';
import { inputsFromWatch, toInputSettings } from './config/resolve.js';
import { registerInputs, type InputSettings } from './inputs/settings.js';
import { onAutoFormatChoice } from './datasets/weblogs/formats/index.js';
import type { DeadLetter, OutputDocument, Sink, Source, SourceBatch, SourcePosition } from './pipeline/types.js';
import { describeKafkaSecurity, type KafkaSecurity } from './kafka/security.js';
import { KafkaSource } from './sources/kafka-source.js';
import { WindowOperator, windowDataStream } from './windows/window-operator.js';

/** Kafka input: one consumer group over the datasets' topics. */
export interface KafkaInputOptions {
  brokers: string[];
  /** Consumer group id (default `rtas-processor`). */
  groupId?: string;
  /** Topics to consume, each a dataset's topic or `topic=dataset` (default: every dataset's topic). */
  topics?: string[];
  /** TLS and SASL (default PLAINTEXT); see processor/kafka/security.ts. */
  security?: KafkaSecurity;
}

/** Everything the processor can be told; times in ms, sizes in records. */
export interface ProcessorOptions {
  /**
   * Files to read: one file source per input, checkpointed in `<dataDir>/checkpoints/files-<id>.json`
   * (see processor/config/ for how the config file and the flags make them).
   */
  inputs?: InputSettings[];
  /**
   * Directories or files to watch, each `path` (read as `dataset`) or `dataset=path`: turned into one
   * input per dataset with id = the dataset's name (`inputsFromWatch`), added to `inputs`.
   */
  watch?: string[];
  /** Consume Kafka topics too (or only). */
  kafka?: KafkaInputOptions;
  /** Dataset of the watched paths given without `dataset=` (default `weblogs`). */
  dataset?: string;
  /** Process what is there and finish (see `ProcessorHandle.done`). */
  once?: boolean;
  /** Elasticsearch URL; credentials and CA then come from `ES_*` variables (see elasticsearch/connection.ts). Ignored when `es` is given. */
  esUrl?: string;
  /** Elasticsearch URL, CA and credentials (from the shared `--es-*` options); wins over `esUrl`. */
  es?: EsConnection;
  /** Data stream namespace (default `default`). */
  namespace?: string;
  /** Directory for checkpoints and dead letters unless given separately (default `.data`). */
  dataDir?: string;
  /** Checkpoint file of the only input (with more than one input: an error). */
  checkpointFile?: string;
  deadLetterFile?: string;
  batchSize?: number;
  batchIntervalMs?: number;
  /**
   * Maximum record size in bytes (default 1 MiB): a longer line or message is cut while reading, never
   * buffered whole, and dead-lettered (stage `read`) with its first bytes and its original length.
   */
  maxRecordBytes?: number;
  /**
   * Datasets with multi-line entries (error logs): in live mode the last entry of a file is emitted
   * after this long without new lines (ms, default 1000, like Filebeat's `multiline.timeout`).
   */
  multilineFlushMs?: number;
  /** Compute the datasets' event-time windows (default true). */
  windows?: boolean;
  /** Keep each access-log line as read in `event.original` (default false; see `EnrichContext.keepOriginal`). */
  keepOriginal?: boolean;
  /** Allowed lateness of events for the windows, ms (default 10 min). */
  allowedLatenessMs?: number;
  /** With a backlog, update the windows at most once per this many ms (default 5000; see `PipelineOptions`). */
  windowUpdateIntervalMs?: number;
  /**
   * Batch-layer archive root: every document in Elasticsearch is also written there as gzip NDJSON,
   * partitioned by dataset and UTC hour, durably before its batch commits (none by default).
   */
  archiveDir?: string;
  /** Roll an archive part at this many uncompressed bytes (default 64 MiB). */
  archiveRollBytes?: number;
  /** Roll an archive part this long after it was opened (default 5 min). */
  archiveRollMs?: number;
  /** Port for `/metrics` and `/healthz`; 0 picks a free one; `undefined` serves none. */
  metricsPort?: number;
  /**
   * Worker threads for decode → validate → enrich (default `defaultTransformThreads()`: the cores
   * beyond two, so 0 — the main thread — on a 2-core machine; see README, "Performance").
   */
  transformThreads?: number;
  /** gzip `_bulk` request bodies (default off; see `ElasticsearchSinkOptions.compression`). */
  esCompression?: boolean;
  /** Approximate size of one `_bulk` request body, bytes (see `ElasticsearchSinkOptions.flushBytes`). */
  bulkMaxBytes?: number;
  /**
   * How long Elasticsearch keeps the data streams' documents: `30d`, `12h`… or `off` (see
   * elasticsearch/retention.ts: data stream lifecycle or ILM, whichever the cluster has; with neither, a
   * warning and no retention). Undefined: whatever was set before stays.
   */
  retention?: string;
  log?: Logger;
}

/** The `--once` summary line: counts of records and the wall time in seconds. */
export interface RunSummary {
  files: number;
  lines: number;
  indexed: number;
  rejected: number;
  duplicates: number;
  seconds: number;
  /** Documents written to the archive (only with `archiveDir`). */
  archived?: number;
  /** Peak resident set size of this process so far, MiB (getrusage ru_maxrss). */
  peakRssMiB: number;
  /**
   * Where the memory went, MiB: peaks of V8's heap (`heapUsed`, `heapTotal`) and of memory outside it
   * (`external`, of which `arrayBuffers`), sampled every 250 ms, and the GeoIP databases (`geoip`,
   * part of `arrayBuffers`).
   */
  memoryMiB: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; geoip: number };
  /** Per file input: files followed and records read, indexed (duplicates apart) and dead-lettered. */
  inputs?: InputSummary[];
}

/** One input's part of the run (see `RunSummary.inputs`). */
export interface InputSummary {
  id: string;
  dataset: string;
  files: number;
  lines: number;
  indexed: number;
  duplicates: number;
  rejected: number;
}

/** A running processor. */
export interface ProcessorHandle {
  totals: PipelineTotals;
  /** Bound metrics port, when serving. */
  metricsPort: number | undefined;
  /** `--once`: resolves with the summary once everything is committed and searchable (`refreshForSearch`). Live: resolves after `stop()`. */
  done: Promise<RunSummary>;
  /** Stops reading, commits what is in flight, closes files; resolves with the summary. */
  stop(): Promise<RunSummary>;
  lagBytes(): number;
  deadLetterFile: string;
  /** One per input. */
  checkpointFiles: string[];
  /** The file inputs, as run. */
  inputs: InputSettings[];
  /** Per input, the paths and globs that have matched no file so far (inputs with none left out). */
  unmatchedPaths(): { input: string; paths: string[] }[];
}

/**
 * Makes what a `--once` run wrote searchable before it reports: one refresh of the namespace's event
 * data streams and, with `windowDefinitions`, of its window data streams — what the official client's
 * bulk helper does with `refreshOnCompletion`. Without it the last documents appear at the next
 * scheduled refresh (`index.refresh_interval`, 1 s in the templates), or, on a shard that has gone
 * search-idle, only when a search comes and waits for one. Streams that do not exist are skipped. A
 * failure or a 30 s timeout is logged, not thrown: everything is already indexed and committed.
 */
async function refreshForSearch(client: Client, namespace: string, windowDefinitions: { name: string }[], log: Logger): Promise<void> {
  const streams = [
    ...[...datasets.values()].map((d) => dataStreamIndex({ ...d.dataStream, namespace })),
    ...windowDefinitions.map((w) => dataStreamIndex(windowDataStream(w.name, namespace))),
  ];
  try {
    // Bounded: a frozen cluster must not hold the exit for the client's retries (4 × 60 s).
    await client.indices.refresh({ index: streams, ignore_unavailable: true, allow_no_indices: true }, { requestTimeout: 30_000, maxRetries: 0 });
  } catch (err) {
    log.warn({ err, streams }, 'refresh after --once failed; the data becomes searchable at the next scheduled refresh');
  }
}

/**
 * This process's peak resident set size, MiB: Linux's `VmHWM` (/proc/self/status, the high-water mark
 * of this process's own memory), else `getrusage`'s `ru_maxrss`. Not `ru_maxrss` on Linux: it is kept
 * across `execve(2)` (getrusage(2)), so a processor started by a large parent (a benchmark, a test
 * runner) reported the parent's size at fork — 1,026 MiB under Jest for a run whose heap was 50 MiB.
 */
export function peakRssMiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux: below
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/**
 * Opens GeoIP and user-agent resources once; the clock is the wall clock. Pass `dbs` to share GeoIP
 * databases already loaded (e.g. in SharedArrayBuffers also handed to worker threads).
 */
export async function createEnrichContext(dbs?: GeoIpDatabases, keepOriginal = false): Promise<EnrichContext> {
  return { geoip: geoIpFromDatabases(dbs ?? (await loadGeoIpDatabases())), userAgents: createUserAgentParser(), now: () => new Date(), state: new Map(), keepOriginal };
}

async function createKafkaSource(o: KafkaInputOptions, once: boolean, maxRecordBytes: number | undefined, metrics: Metrics, log: Logger): Promise<KafkaSource> {
  const byTopic = new Map([...datasets.values()].map((d) => [d.topic, d.name]));
  // `topic=dataset` reads a topic of another name (e.g. a load-test copy) with a dataset's parser.
  const mapping = new Map(
    (o.topics ?? [...byTopic.keys()]).map((entry) => {
      const [topic, dataset] = entry.includes('=') ? entry.split('=', 2) : [entry, byTopic.get(entry)];
      if (!topic || !dataset) throw new Error(`no dataset reads topic "${entry}" (known: ${[...byTopic.keys()].join(', ')}; or give topic=dataset)`);
      getDataset(dataset);
      return [topic, dataset] as const;
    }),
  );
  for (const name of new Set(mapping.values())) getDataset(name).prepare?.();
  const topics = [...mapping.keys()];
  // kafkajs is loaded only when Kafka is consumed (a file-only processor does not hold its code).
  const { checkKafkaAccess, createKafka, ensureTopics } = await import('./kafka/client.js');
  const security = o.security ?? {};
  const kafka = createKafka('rtas-processor', o.brokers, log, security);
  log.info({ brokers: o.brokers, security: describeKafkaSecurity(security) }, 'connecting to Kafka');
  await checkKafkaAccess(kafka, o.brokers, security);
  await ensureTopics(kafka, topics);
  return new KafkaSource({
    kafka,
    groupId: o.groupId ?? 'rtas-processor',
    topics: mapping,
    once,
    maxRecordBytes,
    onLag: (topic, partition, lag) => metrics.kafkaConsumerLag.set({ topic, partition: String(partition) }, lag),
    log,
  });
}

export { groupWatchPaths } from './config/resolve.js';

/**
 * The processor's file inputs: `opts.inputs`, then one input per dataset of `opts.watch`.
 * @throws Error for a repeated id, an unknown dataset or a format the dataset refuses (`checkFormat`).
 */
export function resolveInputs(opts: Pick<ProcessorOptions, 'inputs' | 'watch' | 'dataset'>): InputSettings[] {
  const given = opts.inputs ?? [];
  const inputs = [
    ...given,
    ...(opts.watch?.length ? inputsFromWatch(opts.watch, { dataset: opts.dataset }, given.map((i) => i.id)).map(toInputSettings) : []),
  ];
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.id)) throw new Error(`two inputs have the id "${input.id}"`);
    seen.add(input.id);
    const dataset = getDataset(input.dataset);
    try {
      dataset.checkFormat?.(input.format);
    } catch (err) {
      throw new Error(`input "${input.id}": ${dataset.name} format: ${(err as Error).message}`);
    }
  }
  return inputs;
}

/** Per-input counts kept beside the pipeline's totals (records carry their input's id). */
class InputCounters {
  private readonly byId = new Map<string, InputSummary>();

  constructor(inputs: InputSettings[]) {
    for (const i of inputs) this.byId.set(i.id, { id: i.id, dataset: i.dataset, files: 0, lines: 0, indexed: 0, duplicates: 0, rejected: 0 });
  }

  /** Adds 1 to `field` of the input of each item (`inputOf`); items of no input are not counted. */
  add<T>(field: 'lines' | 'indexed' | 'duplicates' | 'rejected', items: readonly T[], inputOf: (item: T) => string | undefined): void {
    // Records of one input come in runs: one map lookup per run, not per record.
    let lastId: string | undefined;
    let last: InputSummary | undefined;
    for (const item of items) {
      const id = inputOf(item);
      if (id !== lastId) {
        lastId = id;
        last = id === undefined ? undefined : this.byId.get(id);
      }
      if (last) last[field] += 1;
    }
  }

  all(): InputSummary[] {
    return [...this.byId.values()];
  }
}

/** A source whose emitted records are counted per input. */
class CountedSource implements Source {
  readonly name: string;
  constructor(
    private readonly inner: Source,
    private readonly counters: InputCounters,
  ) {
    this.name = inner.name;
  }
  start(emit: (batch: SourceBatch) => Promise<void>): Promise<void> {
    return this.inner.start((batch) => {
      this.counters.add('lines', batch.records, (r) => r.input);
      return emit(batch);
    });
  }
  commit(positions: SourcePosition[]): Promise<void> {
    return this.inner.commit(positions);
  }
  drained(): Promise<void> {
    return this.inner.drained();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The sink with its indexed and duplicate documents counted per input. */
function countedSink(sink: Sink, counters: InputCounters): Sink {
  return {
    name: sink.name,
    async write(docs: OutputDocument[]) {
      const result = await sink.write(docs);
      counters.add('indexed', result.indexed, (d) => d.record.input);
      counters.add('duplicates', result.duplicates, (d) => d.record.input);
      return result;
    },
    close: () => sink.close(),
  };
}

/** The dead-letter file with its letters counted per input. */
class CountedDeadLetterFile extends DeadLetterFile {
  constructor(
    filePath: string,
    namespace: string,
    private readonly counters: InputCounters,
  ) {
    super(filePath, namespace);
  }
  override async write(letters: DeadLetter[], now?: Date): Promise<number> {
    const n = await super.write(letters, now);
    this.counters.add('rejected', letters, (l) => l.record.input);
    return n;
  }
}

/**
 * The `_id` layout of each dataset's data stream in `namespace` (`layoutOfWriteIndex` of
 * `GET <stream>/_mapping`): `ordered` for a stream that does not exist yet or whose write index was made
 * from this version's templates, `sha1` for one made before. By dataset name.
 * @throws when Elasticsearch refuses the request for another reason than a missing stream.
 */
async function documentIdLayouts(client: Client, namespace: string): Promise<Map<string, DocumentIdScheme>> {
  // One request per stream, all at once (a few at start-up).
  const entries = await Promise.all(
    [...datasets.values()].map(async (d) => {
      const stream = dataStreamIndex({ ...d.dataStream, namespace });
      const mappings = (await client.indices.getMapping({ index: stream, allow_no_indices: true, ignore_unavailable: true, expand_wildcards: ['open', 'hidden'] })) as Record<
        string,
        { mappings?: { _meta?: Record<string, unknown> } }
      >;
      return [d.name, layoutOfWriteIndex(mappings)] as const;
    }),
  );
  return new Map(entries);
}

/**
 * Starts the processor: waits for Elasticsearch, installs index templates, then feeds watched files
 * and/or Kafka topics through the micro-batch pipeline into data streams.
 * @throws when Elasticsearch does not answer within 60 s, a template is refused, the metrics port is
 * taken, or the checkpoint file is unreadable.
 */
export async function startProcessor(opts: ProcessorOptions): Promise<ProcessorHandle> {
  const log = opts.log ?? createLogger('processor');
  const started = Date.now();
  const inputs = resolveInputs(opts);
  if (inputs.length === 0 && !opts.kafka) throw new Error('nothing to process: give inputs (files to read), Kafka, or both');
  if (opts.checkpointFile && inputs.length > 1) throw new Error(`a checkpoint file is only for exactly one input (there are ${inputs.length})`);
  // Resources of the datasets read from files (e.g. the news sentiment model), checked before anything starts.
  for (const name of new Set(inputs.map((i) => i.dataset))) getDataset(name).prepare?.();
  // Before the transformer is created: worker threads receive the registered inputs when they start.
  registerInputs(inputs);
  // `format: auto` says which format it found for an input's lines, and when that changes (main thread).
  onAutoFormatChoice((format, input) => log.info({ input, format }, `input ${input ?? '?'}: format auto reads its lines as ${format}`));
  const dataDir = opts.dataDir ?? '.data';
  const checkpointFileOf = (input: InputSettings): string =>
    opts.checkpointFile && inputs.length === 1 ? opts.checkpointFile : path.join(dataDir, 'checkpoints', `files-${input.id}.json`);
  const deadLetterFile = opts.deadLetterFile ?? path.join(dataDir, 'dead-letters.ndjson');

  const es = opts.es ?? esConnectionFromOptions({ esUrl: opts.esUrl });
  const client = createEsClient(es);
  await waitForEs(client, es);
  const templates = await installIndexTemplates(client, datasets.values());
  // Before any record gets an `_id`: the layout of each data stream's documents (its write index's).
  const idLayouts = await documentIdLayouts(client, opts.namespace ?? 'default');
  for (const o of templates.outdated) {
    log.warn(`existing data streams ${o.pattern} keep an older mapping until they roll over (${o.reason}); documents with new fields are dead-lettered there`);
  }
  if (opts.retention !== undefined) {
    const patterns = [...datasets.values()].flatMap((d) => [d.indexTemplate(), ...(d.windows ?? []).map((w) => w.template())]).flatMap((t) => t.body.index_patterns);
    const r = await applyRetention(client, opts.retention, patterns);
    if (r.applied === 'none') log.warn(r.message);
    else log.info({ existing: r.existing }, r.message);
    for (const e of r.existing.filter((x) => x.error)) log.warn(`retention ${opts.retention} not set on the existing data streams ${e.pattern}: ${e.error}`);
  }

  const transformThreads = opts.transformThreads ?? defaultTransformThreads();
  const dbs = await loadGeoIpDatabases(transformThreads > 0);
  const ctx = await createEnrichContext(dbs, opts.keepOriginal === true);
  const transformer = transformThreads > 0 ? createTransformPool(transformThreads, ctx, dbs) : inlineTransformer(ctx);
  const metrics = new Metrics();
  const counters = new InputCounters(inputs);
  const fileSources = inputs.map((input) => {
    const multilineStart = getDataset(input.dataset).multilineStart;
    return new FileSource({
      input,
      checkpointFile: checkpointFileOf(input),
      // The processor's own output must never become its input (a dead letter would loop forever).
      internalExclude: [dataDir, deadLetterFile, ...(opts.archiveDir ? [opts.archiveDir] : [])],
      once: !!opts.once,
      maxRecordBytes: opts.maxRecordBytes,
      ...(multilineStart ? { multilineStart } : {}),
      ...(opts.multilineFlushMs !== undefined ? { multilineFlushMs: opts.multilineFlushMs } : {}),
      log,
    });
  });
  let kafkaSource: KafkaSource | undefined;
  try {
    kafkaSource = opts.kafka ? await createKafkaSource(opts.kafka, !!opts.once, opts.maxRecordBytes, metrics, log) : undefined;
  } catch (err) {
    // Kafka refused (e.g. wrong password, untrusted certificate): release what was opened, so a caller
    // that carries on (a test, an embedding program) is not held open by worker threads or sockets.
    await transformer.close().catch(() => undefined);
    await client.close().catch(() => undefined);
    throw err;
  }
  const sources: Source[] = [...fileSources.map((f) => new CountedSource(f, counters)), ...(kafkaSource ? [kafkaSource] : [])];
  const deadLetters = new CountedDeadLetterFile(deadLetterFile, opts.namespace ?? 'default', counters);
  const esSink = new ElasticsearchSink(client, log, {
    compression: opts.esCompression,
    flushBytes: opts.bulkMaxBytes,
    onRetry: (reason) => metrics.elasticsearchRetries.inc({ reason }),
  });
  const archive = opts.archiveDir
    ? new ArchiveSink(opts.archiveDir, { rollBytes: opts.archiveRollBytes, rollMs: opts.archiveRollMs, log })
    : undefined;
  // Finish the parts a crashed run left behind before anything new is written.
  await archive?.recover();
  const windowDefinitions = [...datasets.values()].flatMap((d) => d.windows ?? []);
  const windows =
    opts.windows === false
      ? undefined
      : new WindowOperator({
          client,
          definitions: windowDefinitions,
          namespace: opts.namespace ?? 'default',
          allowedLatenessMs: opts.allowedLatenessMs,
          metrics,
          log,
        });
  const sink = countedSink(esSink, counters);
  const pipeline = new Pipeline(sources, sink, deadLetters, ctx, metrics, log, {
    batchSize: opts.batchSize,
    batchIntervalMs: opts.batchIntervalMs,
    namespace: opts.namespace,
    windows,
    windowUpdateIntervalMs: opts.windowUpdateIntervalMs,
    archive,
    transformer,
    idLayout: (dataset) => idLayouts.get(dataset) ?? 'ordered',
    // A full data dir: live runs pause and retry; --once ends with a DiskFullError (exit 4).
    diskFull: opts.once ? 'fail' : 'wait',
  });
  const lagBytes = (): number => fileSources.reduce((n, f) => n + f.lagBytes(), 0);
  metrics.lagBytes = lagBytes;

  let http: Awaited<ReturnType<typeof startHttpServer>> | undefined;
  if (opts.metricsPort !== undefined) {
    http = await startHttpServer(
      metrics,
      async () => {
        const es = await client.cluster.health({ timeout: '2s' }).then(
          (h) => h.status,
          () => 'unreachable',
        );
        return { ok: es !== 'unreachable' && es !== 'red', elasticsearch: es, ...pipeline.totals, lagBytes: lagBytes() };
      },
      opts.metricsPort,
    );
  }

  const mib = (n: number): number => Math.round(n / 2 ** 20);
  const memoryPeak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, geoip: 0 };
  const sampleMemory = (): void => {
    const m = process.memoryUsage();
    memoryPeak.heapUsed = Math.max(memoryPeak.heapUsed, mib(m.heapUsed));
    memoryPeak.heapTotal = Math.max(memoryPeak.heapTotal, mib(m.heapTotal));
    memoryPeak.external = Math.max(memoryPeak.external, mib(m.external));
    memoryPeak.arrayBuffers = Math.max(memoryPeak.arrayBuffers, mib(m.arrayBuffers));
    memoryPeak.geoip = mib(dbs.v4.byteLength + (dbs.v6Data?.byteLength ?? 0));
  };
  const memorySampler = setInterval(sampleMemory, 250);
  memorySampler.unref();
  const summary = (): RunSummary => ({
    files: fileSources.reduce((n, f) => n + f.fileCount(), 0),
    lines: pipeline.totals.read,
    indexed: pipeline.totals.indexed,
    rejected: pipeline.totals.rejected,
    duplicates: pipeline.totals.duplicates,
    ...(archive ? { archived: pipeline.totals.archived } : {}),
    seconds: Math.round((Date.now() - started) / 10) / 100,
    peakRssMiB: peakRssMiB(),
    memoryMiB: (sampleMemory(), { ...memoryPeak }),
    ...(inputs.length > 0 ? { inputs: inputSummaries() } : {}),
  });
  const inputSummaries = (): InputSummary[] => counters.all().map((c, i) => ({ ...c, files: fileSources[i]!.fileCount() }));
  const unmatchedPaths = (): { input: string; paths: string[] }[] =>
    inputs.map((input, i) => ({ input: input.id, paths: fileSources[i]!.unmatchedPaths() })).filter((u) => u.paths.length > 0);

  let closing: Promise<RunSummary> | undefined;
  const close = (finish: () => Promise<void>): Promise<RunSummary> =>
    (closing ??= (async () => {
      try {
        await finish();
      } finally {
        await deadLetters.close();
        // A part that cannot be closed stays hidden and is finished by the next start.
        await archive?.close().catch((err: unknown) => log.error({ err }, 'archive: could not close open parts'));
        await sink.close();
        await transformer.close();
        await client.close();
        await new Promise<void>((resolve) => (http ? http.server.close(() => resolve()) : resolve()));
        clearInterval(memorySampler);
      }
      return summary();
    })());

  await pipeline.start();
  log.info({ inputs: Object.fromEntries(inputs.map((i) => [i.id, { dataset: i.dataset, paths: i.paths }])), kafka: !!opts.kafka, once: !!opts.once, metricsPort: http?.port, documentIds: Object.fromEntries(idLayouts) }, 'processor started');

  let resolveDone!: (s: RunSummary) => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<RunSummary>((res, rej) => ((resolveDone = res), (rejectDone = rej)));
  pipeline.fatal.catch((err) => {
    close(() => pipeline.stop().catch(() => undefined)).finally(() => rejectDone(err));
  });
  if (opts.once) {
    pipeline
      .drain()
      .then(() =>
        close(async () => {
          await pipeline.stop();
          await refreshForSearch(client, opts.namespace ?? 'default', windows ? windowDefinitions : [], log);
        }),
      )
      .then(resolveDone, rejectDone);
  }

  return {
    totals: pipeline.totals,
    metricsPort: http?.port,
    done,
    stop: async () => {
      const s = await close(() => pipeline.stop());
      resolveDone(s);
      return s;
    },
    lagBytes,
    deadLetterFile,
    checkpointFiles: inputs.map(checkpointFileOf),
    inputs,
    unmatchedPaths,
  };
}
