import type { Client } from '@elastic/elasticsearch';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { OutputDocument, Sink, SinkResult } from '../pipeline/types.js';

/** Tuning of the bulk indexing; sizes in bytes, times in ms. */
export interface ElasticsearchSinkOptions {
  /** Bulk request body size at which the helper sends (default 5 MiB, Elastic's usual starting point). */
  flushBytes?: number;
  /** Bulk requests in flight at once (default 2: one per core of the machines this runs on). */
  concurrency?: number;
  /** Longest pause between retries of an unreachable or overloaded cluster (default 30 s). */
  maxBackoffMs?: number;
}

/** Thrown inside the retry loop while documents are still unacknowledged for a transient reason. */
class TransientIndexingError extends Error {}

/**
 * Indexes documents with the official client's bulk helper using `create` and the document's
 * deterministic `_id`, into data streams (which accept only `create`).
 *
 * Outcome per document: `indexed` (201), `duplicates` (409 version conflict: an earlier attempt
 * already stored it), `rejected` (any other 4xx/5xx item error, e.g. a mapping conflict: the caller
 * dead-letters it). 429s and request failures (cluster down, timeouts) are retried with exponential
 * backoff, without limit, for the documents still unacknowledged: ingest pauses, nothing is lost.
 */
export class ElasticsearchSink implements Sink {
  readonly name = 'elasticsearch';
  private readonly flushBytes: number;
  private readonly concurrency: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly client: Client,
    private readonly log: Logger,
    opts: ElasticsearchSinkOptions = {},
  ) {
    this.flushBytes = opts.flushBytes ?? 5 * 1024 * 1024;
    this.concurrency = opts.concurrency ?? 2;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  }

  async write(docs: OutputDocument[]): Promise<SinkResult> {
    const result: SinkResult = { indexed: [], duplicates: [], rejected: [] };
    let pending = new Map(docs.map((d) => [d.id, d]));
    await pRetry(
      async () => {
        const retry = new Map<string, OutputDocument>();
        const byId = (id: string | undefined | null): OutputDocument | undefined => (id ? pending.get(id) : undefined);
        const acked = new Set<string>();
        try {
          await this.client.helpers.bulk<OutputDocument>({
            datasource: [...pending.values()],
            onDocument: (doc) => [{ create: { _index: doc.index, _id: doc.id } }, doc.body] as never,
            flushBytes: this.flushBytes,
            concurrency: this.concurrency,
            retries: 3,
            wait: 1000,
            refreshOnCompletion: false,
            onSuccess: ({ result: item }) => {
              const doc = byId(item.create?._id);
              if (doc) {
                acked.add(doc.id);
                result.indexed.push(doc);
              }
            },
            onDrop: (drop) => {
              const doc = byId((drop.operation as { create?: { _id?: string } }).create?._id);
              if (!doc) return;
              if (drop.status === 429 || drop.status >= 500) {
                retry.set(doc.id, doc); // overloaded or a shard unavailable: try again later
                return;
              }
              acked.add(doc.id);
              if (drop.status === 409) {
                result.duplicates.push(doc);
              } else {
                const e = drop.error;
                result.rejected.push({ doc, reason: e ? `${e.type}: ${e.reason ?? ''}`.trim() : `status ${drop.status}` });
              }
            },
          });
        } catch (err) {
          // The whole request failed (cluster unreachable, timeout): everything not acknowledged is retried.
          for (const [id, doc] of pending) if (!acked.has(id)) retry.set(id, doc);
          pending = retry;
          throw new TransientIndexingError(`bulk request failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        pending = retry;
        if (pending.size > 0) throw new TransientIndexingError(`${pending.size} documents rejected with 429/5xx`);
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 500,
        maxTimeout: this.maxBackoffMs,
        shouldRetry: ({ error }) => error instanceof TransientIndexingError,
        onFailedAttempt: ({ error, attemptNumber }) => {
          this.log.warn({ attempt: attemptNumber, pending: pending.size, err: error.message }, 'bulk indexing will be retried');
        },
      },
    );
    return result;
  }

  async close(): Promise<void> {
    // The client is owned by the caller; nothing to flush here because `write` resolves only when done.
  }
}
