import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import type { KafkaPosition, Source, SourceBatch, SourcePosition, SourceRecord } from '../pipeline/types.js';
import { DEFAULT_MAX_RECORD_BYTES } from './line-reader.js';

/** Options of the Kafka source; times in ms. */
export interface KafkaSourceOptions {
  kafka: Kafka;
  /** Consumer group id: instances with the same id split the partitions between them. */
  groupId: string;
  /** Topic → dataset name (e.g. `market.ticks` → `ticks`). */
  topics: ReadonlyMap<string, string>;
  /** Stop once the group has no lag left (for `--once`, tests and benchmarks). */
  once: boolean;
  /** Longer message values are cut to this many bytes and flagged with `originalBytes` (default 1 MiB). */
  maxRecordBytes?: number;
  /** Called with the consumer lag (messages) per `topic/partition` after each fetch and commit. */
  onLag?: (topic: string, partition: number, lag: number) => void;
  log: Logger;
}

/** A commit abandoned because the source was closed while it was being retried. */
class SourceClosedError extends Error {}

/** A commit whose records were fetched before the member's latest rejoin (see `KafkaSource.commit`). */
class StaleGenerationError extends Error {
  constructor() {
    super('records fetched in an earlier group generation');
  }
}

/** kafkajs error types that mean "this member no longer owns the partition": not fatal, see `commit`. */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR', 'NOT_COORDINATOR_FOR_GROUP']);

/**
 * True when a kafkajs error says this member no longer owns its partitions (a rebalance happened),
 * looking through kafkajs's non-retriable wrapper to the protocol error in `cause`.
 */
export function isRebalanceError(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type) return REBALANCE_ERRORS.has(e.type);
  }
  return false;
}

/** `a > b` for Kafka offsets as kafkajs gives them (decimal strings without leading zeros), without BigInt. */
function offsetAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/** True for kafkajs errors that may pass by themselves (connection lost, broker or coordinator not available). */
function isRetriable(err: unknown): boolean {
  for (let e = err as { retriable?: boolean; name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.retriable === true || e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError' || e.name === 'KafkaJSRequestTimeoutError') return true;
  }
  return false;
}

/**
 * Consumes topics as one consumer group with kafkajs. Offsets are never auto-committed: the pipeline
 * calls `commit` after every sink acknowledged a batch, and the committed offset is the next one to
 * read (last + 1), as Kafka expects.
 *
 * A rebalance neither loses nor doubles events: records handed to the pipeline by a member that then
 * loses the partition are indexed under ids derived from cluster/topic/partition/offset and the
 * message's timestamp and value (document-id.ts), so the new owner,
 * which resumes at the last committed offset, re-sends them as duplicates that Elasticsearch rejects
 * (409). The old owner's late commit is refused by the coordinator while its group generation is
 * stale, and ignored here. Once it has rejoined, kafkajs would send it with the new generation, and
 * the coordinator accepts a commit from any member of the current generation without checking the
 * assignment: the group's offset would move back behind what the new owner committed. So every record
 * is tagged with the generation this member had joined when it was fetched, and `commit` drops the
 * positions of earlier generations. Nothing is lost by that: after every rebalance kafkajs starts each
 * member's fetches at the committed offsets (a new OffsetManager per sync), so those records are read
 * again by the partition's owner, this member included, and committed then.
 *
 * The generation check must hold for every request that carries the offsets, retries included. So a
 * commit is sent as single attempts (the `commitOffsetsIfNecessary(offsets)` of kafkajs's eachBatch
 * payload: one OffsetCommit, no retry inside kafkajs), retried here, and each attempt first checks the
 * generation. `consumer.commitOffsets` would retry by itself (runner.js, the client's `retry`: 8 retries,
 * ~68 s of backoff), each attempt taking generation and member id from the offset manager of that
 * moment: after a rejoin during a broker outage its retry carried the new generation and moved the
 * group's offset back from 80 to 50 (test/integration/kafka-commit-outage.test.ts).
 */
export class KafkaSource implements Source {
  readonly name = 'kafka';
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private stopped = false;
  /** Set by `close`: a commit still retrying then gives up (the group's next owner re-reads those records). */
  private closed = false;
  private drainedPromise: Promise<void>;
  private resolveDrained!: () => void;
  private lagTimer: NodeJS.Timeout | undefined;
  /** Cluster id (from the metadata), part of every record's `_id`. */
  private clusterId = '';
  /** High watermark per `topic/partition`, from the last fetch. */
  private readonly highWatermarks = new Map<string, bigint>();
  /** Group generations this member has joined (kafkajs `GROUP_JOIN` events): 1 after the first join. */
  private generation = 0;
  /** The generation each fetched record's position was fetched in (see the class comment). */
  private readonly fetchedIn = new WeakMap<SourcePosition, number>();
  /**
   * One OffsetCommit request with the generation and member id kafkajs holds when it is called, no
   * retry (from the latest eachBatch payload; the runner it belongs to outlives the batch).
   */
  private commitOnce: EachBatchPayload['commitOffsetsIfNecessary'] | undefined;

  constructor(private readonly opts: KafkaSourceOptions) {
    this.drainedPromise = new Promise((resolve) => (this.resolveDrained = resolve));
  }

  async start(emit: (batch: SourceBatch) => Promise<void>): Promise<void> {
    const { kafka, groupId, topics, log } = this.opts;
    // A 10 s session: a member that died (SIGKILL) gives its partitions back within ~10 s.
    // maxWaitTimeInMs 500 (the Java consumer's `fetch.max.wait.ms`; kafkajs's default is 5,000): how long
    // an empty fetch waits at the broker, and how long kafkajs sleeps when every partition is paused.
    // `stop`/`close` wait for that fetch to end, so with 5,000 every `--once` run and every clean
    // stop took ~5 s longer than its work. New data still answers a waiting fetch at once (minBytes 1).
    // maxBytesPerPartition 1 MiB (~4,000 access-log lines per partition and fetch): 2 MiB held ~20 MiB
    // more (fetch buffers and kafkajs message objects) at the same CPU and rate (README, "Performance").
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 2_000,
      maxBytesPerPartition: 1024 * 1024,
      maxWaitTimeInMs: 500,
    });
    this.admin = kafka.admin();
    await Promise.all([this.consumer.connect(), this.admin.connect()]);
    this.clusterId = (await this.admin.describeCluster()).clusterId;
    const maxBytes = this.opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.generation += 1;
    });
    await this.consumer.subscribe({ topics: [...topics.keys()], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        if (!isRunning() || isStale() || this.stopped || batch.messages.length === 0) return;
        this.commitOnce = commitOffsetsIfNecessary;
        const dataset = topics.get(batch.topic);
        if (!dataset) return;
        const generation = this.generation;
        const records: SourceRecord[] = batch.messages.map((m) => {
          const length = m.value?.length ?? 0;
          const record: SourceRecord = {
            dataset,
            raw: m.value ? m.value.toString('utf8', 0, Math.min(length, maxBytes)) : '',
            position: { kind: 'kafka', topic: batch.topic, partition: batch.partition, offset: m.offset, cluster: this.clusterId, timestamp: m.timestamp },
          };
          if (length > maxBytes) record.originalBytes = length;
          this.fetchedIn.set(record.position, generation);
          return record;
        });
        const key = `${batch.topic}/${batch.partition}`;
        this.highWatermarks.set(key, BigInt(batch.highWatermark));
        this.opts.onLag?.(batch.topic, batch.partition, Number(batch.offsetLagLow()));
        // Keep the group membership alive while the pipeline applies back-pressure.
        const beat = setInterval(() => void heartbeat().catch(() => undefined), 3_000);
        try {
          await emit({ records, caughtUp: batch.offsetLag() === '0' });
        } finally {
          clearInterval(beat);
        }
        // Moves only the fetch position; the committed offset moves in `commit`.
        resolveOffset(batch.lastOffset());
      },
    });
    log.info({ groupId, topics: [...topics.keys()] }, 'kafka consumer running');
    if (this.opts.once) this.lagTimer = setInterval(() => void this.checkDrained(), 500);
  }

  /** `--once`: drained when every partition's committed offset has reached its end. */
  private async checkDrained(): Promise<void> {
    if (!this.admin || this.stopped) return;
    try {
      const lag = await this.groupLag();
      if (lag === 0) {
        if (this.lagTimer) clearInterval(this.lagTimer);
        this.resolveDrained();
      }
    } catch (err) {
      this.opts.log.debug({ err }, 'lag check failed; will try again');
    }
  }

  /**
   * Total messages not yet committed by the group across its topics (end offset minus committed
   * offset, or minus the start offset where the group has committed nothing).
   * @throws kafkajs errors when the brokers are unreachable.
   */
  async groupLag(): Promise<number> {
    const admin = this.admin!;
    let lag = 0;
    const committed = await admin.fetchOffsets({ groupId: this.opts.groupId, topics: [...this.opts.topics.keys()] });
    for (const { topic, partitions } of committed) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const c = partitions.find((p) => p.partition === end.partition);
        const from = c && c.offset !== '-1' ? BigInt(c.offset) : BigInt(end.low);
        lag += Number(BigInt(end.high) - from);
      }
    }
    return lag;
  }

  /**
   * Commits, per topic/partition, the offset after the last of `positions` (Kafka positions only; the
   * ones fetched before this member's latest rejoin are dropped, see the class comment). While the
   * broker is unreachable it retries without end (500 ms to 10 s apart), each attempt one OffsetCommit
   * request; a commit the coordinator refuses after a rebalance is logged and dropped.
   * @throws kafkajs errors that are neither retriable nor a rebalance (e.g. an authorization failure).
   */
  async commit(positions: SourcePosition[]): Promise<void> {
    const next = new Map<string, KafkaPosition>();
    let staleRecords = 0;
    for (const p of positions) {
      if (p.kind !== 'kafka') continue;
      const fetchedIn = this.fetchedIn.get(p);
      if (fetchedIn !== undefined && fetchedIn !== this.generation) {
        staleRecords += 1;
        continue;
      }
      const key = `${p.topic}/${p.partition}`;
      const prev = next.get(key);
      if (!prev || offsetAfter(p.offset, prev.offset)) next.set(key, p);
    }
    if (staleRecords > 0) {
      this.opts.log.info(
        { records: staleRecords, generation: this.generation },
        'not committing records fetched before a rebalance: the partition owner reads them again from the committed offset (deduplicated by _id)',
      );
    }
    const commitOnce = this.commitOnce;
    if (next.size === 0 || !this.consumer || !commitOnce) return;
    const offsets = [...next.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: (BigInt(p.offset) + 1n).toString() }));
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
    const request = { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
    const generation = this.generation;
    try {
      // A broker that is down or restarting (connection refused, no coordinator) is waited for, like an
      // unreachable Elasticsearch: the batch stays uncommitted until the broker is back. An outage longer
      // than the session makes the member rejoin meanwhile; the next attempt would then carry the new
      // generation, so every attempt first checks that the records are still of the current one. kafkajs
      // reads generation and member id synchronously when the attempt starts (offsetManager/index.js,
      // `commitOffsets`), and emits GROUP_JOIN a few microtasks after it installed the new generation's
      // offset manager (consumerGroup.js, `joinAndSync`): an attempt started by a timer (a retry) or by
      // another socket's answer (the pipeline commits after Elasticsearch's) cannot fall in between.
      await pRetry(
        () => {
          if (this.closed) throw new AbortError(new SourceClosedError());
          if (this.generation !== generation) throw new AbortError(new StaleGenerationError());
          return commitOnce(request);
        },
        {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: 500,
          maxTimeout: 10_000,
          shouldRetry: ({ error }) => !isRebalanceError(error) && isRetriable(error),
          onFailedAttempt: ({ error, attemptNumber }) => {
            if (!isRebalanceError(error) && isRetriable(error)) {
              this.opts.log.warn({ attempt: attemptNumber, err: error.message }, 'kafka offset commit will be retried');
            }
          },
        },
      );
    } catch (err) {
      if (err instanceof SourceClosedError) {
        this.opts.log.info({ offsets }, 'not committing: the Kafka source was closed while the commit was retried; the next owner reads these again (deduplicated by _id)');
        return;
      }
      if (err instanceof StaleGenerationError) {
        this.opts.log.info({ offsets }, 'not committing after a rebalance during the commit\'s retries: the partition owner reads these again (deduplicated by _id)');
        return;
      }
      if (!isRebalanceError(err)) throw err;
      this.opts.log.info({ err: (err as Error).message, offsets }, 'commit refused after a rebalance; the new owner re-reads these (deduplicated by _id)');
      return;
    }
    let atEnd = true;
    for (const o of offsets) {
      const hw = this.highWatermarks.get(`${o.topic}/${o.partition}`);
      if (hw !== undefined) this.opts.onLag?.(o.topic, o.partition, Number(hw - BigInt(o.offset)));
      if (hw === undefined || BigInt(o.offset) < hw) atEnd = false;
    }
    // `--once`: a commit that reached the end of what was fetched may be the last one; ask the broker
    // now instead of at the next tick of the 500 ms lag check.
    if (atEnd && this.opts.once) void this.checkDrained();
  }

  drained(): Promise<void> {
    return this.drainedPromise;
  }

  /**
   * Stops fetching (pauses every topic) but stays in the group, so the batches in flight can still
   * commit their offsets; `close` leaves the group.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.consumer?.pause([...this.opts.topics.keys()].map((topic) => ({ topic })));
  }

  /** Leaves the group and disconnects (after the last commit). */
  async close(): Promise<void> {
    this.stopped = true;
    this.closed = true; // a commit still retrying (broker away) stops instead of reconnecting after the disconnect
    this.commitOnce = undefined;
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
  }
}
