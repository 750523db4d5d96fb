import type { Logger } from 'pino';
import type { EnrichContext } from '../datasets/types.js';
import type { ArchiveSink } from '../sinks/archive-sink.js';
import type { DeadLetterFile } from '../sinks/dead-letter-sink.js';
import type { Metrics } from '../observability/metrics.js';
import { mergeTouches, touchedWindowCount, type WindowOperator, type WindowTouches } from '../windows/window-operator.js';
import pRetry from 'p-retry';
import { whileDiskFull, type DiskFullPolicy } from './disk-full.js';
import { documentId, type DocumentIdScheme } from './document-id.js';
import { inlineTransformer, type Transformer } from './transform-pool.js';
import type { DeadLetter, OutputDocument, Sink, Source, SourceBatch, SourcePosition, SourceRecord } from './types.js';

/** Micro-batch tuning: sizes in records, times in ms. */
export interface PipelineOptions {
  /** A batch closes at this many records (default 5000). */
  batchSize?: number;
  /**
   * A batch closes at this many characters of raw text too (default 8 Mi), so memory stays bounded when
   * records are long: at most `maxInFlight` + 2 batches are held at once.
   */
  batchChars?: number;
  /** A batch closes at the latest this long after its first record arrived (default 1000). */
  batchIntervalMs?: number;
  /** Batches being transformed and indexed at once; commits still happen in order (default 2). */
  maxInFlight?: number;
  /** Data stream namespace, the last part of `{type}-{dataset}-{namespace}` (default `default`). */
  namespace?: string;
  /** Event-time windows, updated with the windows a batch touched before its positions are committed. */
  windows?: WindowOperator;
  /**
   * With a backlog, the windows are updated at most once per this many ms (default 5000): a batch that
   * finishes sooner after the last update while a later batch is already closed hands its touched
   * windows and its positions to that batch, which updates the windows of both and then commits both
   * in order. Each update forces a refresh of the source stream and aggregates; one per batch at full
   * speed (3–4/s) made a 200,000-line backlog 10–25 % slower than without windows, once per 100 s
   * made no measurable difference. A live stream below full speed (the next batch still filling) keeps
   * one update per batch. 0 = one update per batch always.
   */
  windowUpdateIntervalMs?: number;
  /**
   * Batch-layer archive: the documents Elasticsearch holds after a batch (indexed and duplicates) are
   * appended and fsynced there before the batch commits (see `ArchiveSink`).
   */
  archive?: ArchiveSink;
  /** Where decode → validate → enrich runs (default: the main thread, `inlineTransformer`). */
  transformer?: Transformer;
  /** The `_id` layout of a dataset's data stream (default `ordered`; the processor asks Elasticsearch: document-id.ts). */
  idLayout?: (dataset: string) => DocumentIdScheme;
  /**
   * A full disk under the dead-letter file or a checkpoint (`ENOSPC`, `EDQUOT`): `wait` (default) pauses
   * the batch — and by back-pressure the intake — and retries until the write succeeds; `fail` stops
   * the pipeline with a `DiskFullError` (`--once`). See disk-full.ts.
   */
  diskFull?: 'wait' | 'fail';
}

interface OpenBatch {
  records: SourceRecord[];
  chars: number;
  bySource: Map<Source, SourceRecord[]>;
}

/** Window updates and commits handed on to a later batch: the windows touched and, per source, the positions in batch order. */
interface DeferredCommit {
  touches: WindowTouches;
  positions: Map<Source, SourcePosition[]>;
}

/**
 * Batches stop handing their window updates on once this many windows are pending, so one update's
 * aggregation stays well inside Elasticsearch's `search.max_buckets` (65,536) and its write inside the
 * 10,000-hit search window.
 */
const MAX_DEFERRED_WINDOWS = 2000;

/** Running totals since start; `rejected` counts dead letters of every stage. */
export interface PipelineTotals {
  read: number;
  indexed: number;
  duplicates: number;
  rejected: number;
  batches: number;
  /** Documents written to the archive (indexed + duplicates), when archiving. */
  archived: number;
}

/**
 * The micro-batch loop between sources and sinks.
 *
 * Records from all sources gather into a batch that closes by size, by interval, or as soon as every
 * record so far came from a source that has caught up (so a trickle is not held for the interval).
 * Up to `maxInFlight` batches are transformed and indexed at once while the next fills, but they commit
 * strictly in order; a source's `emit` waits when every slot is taken and another batch is waiting
 * (back-pressure). For each batch: decode → validate → enrich; the documents go to the
 * primary sink (Elasticsearch), which resolves only when every document is indexed, a duplicate or
 * rejected; with an archive (`--archive-dir`), the indexed and duplicate documents are appended to it
 * and fsynced; rejects and bad records are appended to the dead-letter file (fsynced); the event-time windows
 * the batch touched are recomputed; only then are the batch's source positions committed. Under load the
 * last two steps may be handed to the next batch, which does them for both (at most one window update
 * per `windowUpdateIntervalMs`). A crash therefore replays at most the uncommitted batches, and their
 * documents come back as duplicates (same `_id`), never as copies.
 */
export class Pipeline {
  readonly totals: PipelineTotals = { read: 0, indexed: 0, duplicates: 0, rejected: 0, batches: 0, archived: 0 };
  private readonly batchSize: number;
  private readonly batchChars: number;
  private readonly batchIntervalMs: number;
  private readonly namespace: string;
  private readonly windows: WindowOperator | undefined;
  private readonly windowUpdateIntervalMs: number;
  /** When the windows were last updated (`performance.now()` ms). */
  private lastWindowUpdate = Number.NEGATIVE_INFINITY;
  /** Touched windows and source positions of earlier batches whose window update and commit a later batch does (see `updateWindowsAndCommit`). */
  private deferred: DeferredCommit | undefined;
  private readonly archive: ArchiveSink | undefined;
  private readonly maxInFlight: number;
  private readonly transformer: Transformer;
  private readonly idLayout: (dataset: string) => DocumentIdScheme;
  private readonly diskFull: DiskFullPolicy;
  /** Settles when the most recently started batch has been assessed by the windows. */
  private lastAssess: Promise<void> = Promise.resolve();
  private open: OpenBatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Closed batches not yet started. */
  private readonly waiting: OpenBatch[] = [];
  private inFlight = 0;
  /** Settles when the most recently started batch has committed (or failed). */
  private lastCommit: Promise<void> = Promise.resolve();
  private readonly spaceWaiters: (() => void)[] = [];
  private stopping = false;
  private failure: unknown;

  constructor(
    private readonly sources: Source[],
    private readonly sink: Sink,
    private readonly deadLetters: DeadLetterFile,
    private readonly ctx: EnrichContext,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    opts: PipelineOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 5000;
    this.batchChars = opts.batchChars ?? 8 * 1024 * 1024;
    this.batchIntervalMs = opts.batchIntervalMs ?? 1000;
    this.maxInFlight = opts.maxInFlight ?? 2;
    this.namespace = opts.namespace ?? 'default';
    this.windows = opts.windows;
    this.windowUpdateIntervalMs = opts.windowUpdateIntervalMs ?? 5000;
    this.archive = opts.archive;
    this.transformer = opts.transformer ?? inlineTransformer(ctx);
    this.idLayout = opts.idLayout ?? ((): DocumentIdScheme => 'ordered');
    this.diskFull = { mode: opts.diskFull ?? 'wait', log, onPause: (paused) => metrics.diskFullPaused.set(paused ? 1 : 0) };
    this.fatal = new Promise((_, reject) => (this.rejectFatal = reject));
    this.fatal.catch(() => undefined); // observed through `fatal` by the caller
  }

  /** Rejects with the first error that stopped batch processing (e.g. the disk refused a checkpoint). */
  readonly fatal: Promise<never>;
  private rejectFatal!: (err: unknown) => void;

  /** Starts every source. Rejects if a source cannot start (e.g. an unreadable checkpoint file). */
  async start(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.start((batch) => this.accept(s, batch))));
  }

  /** Resolves when every (bounded) source is drained and everything it emitted is committed. */
  async drain(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.drained()));
    this.closeBatch();
    await this.idle();
  }

  /**
   * A clean stop: the sources stop reading; every record already read (the open batch included) is
   * processed and committed while the sinks and the sources' commit paths are still open; then the
   * sources close (a Kafka consumer leaves its group). So a restart re-reads nothing. Rejects with the
   * processing error that stopped the pipeline, if any (the sources are closed all the same).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.spaceWaiters.splice(0)) wake();
    try {
      await Promise.all(this.sources.map((s) => s.stop()));
      this.closeBatch();
      await this.idle();
    } finally {
      await Promise.all(this.sources.map((s) => s.close().catch((err: unknown) => this.log.warn({ err, source: s.name }, 'closing a source failed'))));
    }
  }

  private async idle(): Promise<void> {
    while (this.busy && !this.failure) await this.lastCommit;
    if (this.failure) throw this.failure;
  }

  private async accept(source: Source, batch: SourceBatch): Promise<void> {
    if (this.failure) throw this.failure;
    // Records read while stopping are still taken: `stop` commits them, so a restart does not read them again.
    for (const r of batch.records) {
      r.id = documentId(r, this.idLayout(r.dataset));
      if (!this.open) {
        this.open = { records: [], chars: 0, bySource: new Map() };
        this.timer = setTimeout(() => this.closeBatch(), this.batchIntervalMs);
      }
      this.open.records.push(r);
      let list = this.open.bySource.get(source);
      if (!list) this.open.bySource.set(source, (list = []));
      list.push(r);
      this.open.chars += r.raw.length;
      if (this.open.records.length >= this.batchSize || this.open.chars >= this.batchChars) {
        this.closeBatch();
        // The rest of this source batch (a Kafka fetch of ~8,000 records) starts the next micro-batch only
        // once there is room for it: otherwise its interval timer ran while the source was held and closed
        // it part-filled (measured: 53 micro-batches instead of 40 for 200,000 Kafka events).
        await this.spaceForBatch();
        if (this.failure) throw this.failure;
      }
    }
    this.metrics.eventsIn.inc(batch.records.length);
    this.totals.read += batch.records.length;
    if (batch.caughtUp || this.stopping) this.closeBatch();
    await this.spaceForBatch();
    if (this.failure) throw this.failure;
  }

  /** Back-pressure: resolves once fewer than `maxInFlight` batches are in flight or none waits (or on stop/failure). */
  private async spaceForBatch(): Promise<void> {
    while (this.waiting.length > 0 && this.inFlight >= this.maxInFlight && !this.stopping && !this.failure) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  private closeBatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.open;
    this.open = undefined;
    if (!batch || batch.records.length === 0) return;
    this.waiting.push(batch);
    this.launch();
  }

  /** Starts waiting batches while slots are free; each commits only after the one before it. */
  private launch(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0 && !this.failure) {
      const batch = this.waiting.shift()!;
      this.inFlight += 1;
      const previous = this.lastCommit;
      const run = this.processBatch(batch.records, batch.bySource, previous).finally(() => {
        this.inFlight -= 1;
        for (const wake of this.spaceWaiters.splice(0)) wake();
        this.launch();
      });
      this.lastCommit = run.catch((err: unknown) => {
        if (!this.failure) {
          this.failure = err;
          this.rejectFatal(err);
          this.log.error({ err }, 'batch processing failed; stopping');
        }
      });
    }
  }

  /** True while a batch is waiting or in flight. */
  private get busy(): boolean {
    return this.inFlight > 0 || this.waiting.length > 0;
  }

  private async processBatch(
    records: SourceRecord[],
    bySource: Map<Source, SourceRecord[]>,
    previousCommit: Promise<void>,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    // A record cut at the maximum record size is not the event it was: dead-letter it with its prefix.
    const oversized = records.filter((r) => r.originalBytes !== undefined);
    const whole = oversized.length > 0 ? records.filter((r) => r.originalBytes === undefined) : records;
    // The transform may run on worker threads and finish out of order; lateness is still judged in
    // arrival order across batches in flight, because each batch is assessed after the one before it.
    const previousAssess = this.lastAssess;
    let assessed!: () => void;
    this.lastAssess = new Promise<void>((resolve) => (assessed = resolve));
    let docs: OutputDocument[];
    let deadLetters: DeadLetter[];
    let touches: ReturnType<WindowOperator['assess']> | undefined;
    try {
      ({ docs, deadLetters } = await this.transformer.transform(whole, this.namespace));
      if (oversized.length > 0) deadLetters = [...oversized.map(oversizeLetter), ...deadLetters];
      await previousAssess;
      touches = this.windows?.assess(docs);
    } finally {
      assessed();
    }
    const result = docs.length > 0 ? await this.sink.write(docs) : { indexed: [], duplicates: [], rejected: [] };
    // The archive gets exactly what Elasticsearch holds, durably, before the commit below. Batches in flight
    // may reach it out of order (its writes are serialised internally); a replay may repeat documents there.
    const archived = this.archive ? await this.archive.write([...result.indexed, ...result.duplicates]) : 0;
    // Commits stay in batch order: a checkpoint never passes a batch that is not yet acknowledged.
    await previousCommit;
    if (this.failure) throw this.failure;
    const rejected: DeadLetter[] = result.rejected.map(({ doc, reason }: { doc: OutputDocument; reason: string }) => ({
      record: doc.record,
      stage: 'index' as const,
      reason,
    }));
    const letters = [...deadLetters, ...rejected];
    await whileDiskFull(`dead letters (${this.deadLetters.filePath})`, () => this.deadLetters.write(letters), this.diskFull);
    await this.updateWindowsAndCommit(touches, bySource);

    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.totals.batches += 1;
    this.totals.indexed += result.indexed.length;
    this.totals.duplicates += result.duplicates.length;
    this.totals.rejected += letters.length;
    this.totals.archived += archived;
    this.metrics.recordBatch({
      seconds,
      indexed: result.indexed,
      duplicates: result.duplicates.length,
      deadLetters: letters,
      archived,
    });
    if (letters.length > 0) {
      this.log.warn({ count: letters.length, first: { stage: letters[0]!.stage, reason: letters[0]!.reason } }, 'records dead-lettered');
    }
    this.log.debug({ records: records.length, indexed: result.indexed.length, seconds }, 'batch done (committed, or handed to the next batch)');
  }

  /**
   * Updates the windows this batch (and deferred earlier batches) touched, then commits their source
   * positions in batch order. Called in commit order. With a backlog (the last update less than
   * `windowUpdateIntervalMs` ago and a later batch already closed) both steps are handed to the next
   * batch instead: its commit comes after this one's anyway, and no position is committed before the
   * windows its records touched are updated, so a crash still replays exactly the uncommitted records.
   */
  private async updateWindowsAndCommit(touches: WindowTouches | undefined, bySource: Map<Source, SourceRecord[]>): Promise<void> {
    const pending: DeferredCommit = this.deferred ?? { touches: new Map(), positions: new Map() };
    this.deferred = undefined;
    if (touches) mergeTouches(pending.touches, touches);
    for (const [source, list] of bySource) {
      let positions = pending.positions.get(source);
      if (!positions) pending.positions.set(source, (positions = []));
      for (const r of list) positions.push(r.position);
    }
    if (this.windows && pending.touches.size > 0) {
      // A backlog: a later batch is already closed (in flight or waiting). `inFlight` still counts this
      // batch (it drops when the batch settles, before the next one gets here). A batch still filling
      // does not count, so a live stream below full speed keeps one window update per batch.
      const laterBatch = this.inFlight > 1 || this.waiting.length > 0;
      const recent = performance.now() - this.lastWindowUpdate < this.windowUpdateIntervalMs;
      if (laterBatch && recent && !this.stopping && touchedWindowCount(pending.touches) < MAX_DEFERRED_WINDOWS) {
        this.deferred = pending;
        if (this.log.isLevelEnabled('debug')) this.log.debug({ inFlight: this.inFlight, waiting: this.waiting.length }, 'window update deferred to the next batch');
        return;
      }
      const windows = this.windows;
      const updateStarted = performance.now();
      await pRetry(() => windows.flush(pending.touches), {
        retries: 10,
        minTimeout: 500,
        maxTimeout: 30_000,
        onFailedAttempt: ({ error, attemptNumber }) =>
          this.log.warn({ attempt: attemptNumber, err: error.message }, 'window update will be retried'),
      });
      this.lastWindowUpdate = performance.now();
      if (this.log.isLevelEnabled('debug')) {
        this.log.debug(
          { windows: touchedWindowCount(pending.touches), ms: Math.round(this.lastWindowUpdate - updateStarted), inFlight: this.inFlight, waiting: this.waiting.length },
          'windows updated',
        );
      }
    }
    // One commit per source for all the batches (sources keep the latest position per file or partition).
    // A commit refused by a full disk (a checkpoint file) is retried as a whole: it only records positions.
    for (const [source, positions] of pending.positions) await whileDiskFull(`the checkpoint of ${source.name}`, () => source.commit(positions), this.diskFull);
  }
}

/** The dead letter of a record longer than the maximum record size (`raw` holds only its first bytes). */
function oversizeLetter(record: SourceRecord): DeadLetter {
  const kept = Buffer.byteLength(record.raw);
  return {
    record,
    stage: 'read',
    reason: `record of ${record.originalBytes} bytes exceeds the maximum record size; cut to its first ${kept} bytes (--max-record-bytes)`,
  };
}
