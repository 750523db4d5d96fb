import type { Client } from '@elastic/elasticsearch';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { getDataset } from '../datasets/registry.js';
import { stringJson } from '../enrich/json-text.js';
import type { OutputDocument, Sink, SinkResult } from '../pipeline/types.js';

/** Tuning of the bulk indexing; sizes in bytes, times in ms. */
export interface ElasticsearchSinkOptions {
  /**
   * A `_bulk` request is closed at this many body bytes (default 3 MiB: a 5,000-line micro-batch of
   * access logs, ~6 MiB, goes out as two requests that Elasticsearch indexes in parallel; Elastic
   * advises requests of a few MiB to tens of MiB).
   */
  flushBytes?: number;
  /** `_bulk` requests in flight at once (default 2: one per core of the machines this runs on). */
  concurrency?: number;
  /**
   * gzip the request bodies (default off: measured on the 2-core machine, compressing a 3 MiB body
   * costs more CPU than the loopback saves; turn it on when Elasticsearch is across a real network).
   */
  compression?: boolean;
  /** Longest pause between retries of an unreachable or overloaded cluster (default 30 s). */
  maxBackoffMs?: number;
  /** Told of every retry round: `request` (the bulk request failed) or `items` (documents answered 429/5xx). */
  onRetry?: (reason: 'request' | 'items') => void;
}

/** Thrown inside the retry loop while documents are still unacknowledged for a transient reason. */
class TransientIndexingError extends Error {
  constructor(
    message: string,
    readonly reason: 'request' | 'items',
  ) {
    super(message);
  }
}

/** The part of a `_bulk` response kept by `filter_path` (one item per action, in request order). */
interface FilteredBulkResponse {
  errors: boolean;
  items?: { create?: { status: number; error?: { type?: string; reason?: string } } }[];
}

// Only what the sink reads: item statuses and error reasons (not _index, _id, _version, _shards, …).
const FILTER_PATH = 'errors,items.*.status,items.*.error.type,items.*.error.reason';

const actionPrefixes = new Map<string, string>();
// Spare request-body buffers kept per sink: requests in flight are `concurrency` × the pipeline's batches in flight.
const MAX_SPARE_BODIES = 4;

/**
 * The two NDJSON lines of one document in a `_bulk` body, `create` with its index and `_id`, ending in
 * `\n`. The body is serialised here, once, by its dataset's `serialize` when it has one (the same text
 * as `JSON.stringify`, faster: see `accessDocumentJson`), else by `JSON.stringify`; the action line's
 * index part is built once per index.
 */
export function bulkLine(doc: OutputDocument): string {
  let prefix = actionPrefixes.get(doc.index);
  if (prefix === undefined) {
    prefix = `{"create":{"_index":${JSON.stringify(doc.index)},"_id":`;
    if (actionPrefixes.size < 1000) actionPrefixes.set(doc.index, prefix);
  }
  // A backfill re-sends archived bodies without their source record: plain JSON.stringify.
  const serialize = (doc.record as OutputDocument['record'] | undefined) && getDataset(doc.record.dataset).serialize;
  const line = `${prefix}${stringJson(doc.id)}}}\n${serialize ? serialize(doc.body) : JSON.stringify(doc.body)}\n`;
  // Flatten the rope of pieces now (V8 does it on a character read): lines wait for their request, and a
  // rope of ~60 small strings surviving young-generation GC cost three times what one flat string does.
  line.charCodeAt(0);
  return line;
}

/**
 * Writes the `bulkLine` of `docs[i]` for every `i` in `indexes` into `into` as UTF-8, from byte 0.
 * Returns the filled part, `body`, and the buffer it lives in, `grown`: `into` itself, or a larger one
 * when `into` was too small, for the caller to reuse once the request is done. Writing lines straight into a reused
 * buffer replaces joining a multi-megabyte string that the HTTP client then re-encoded into a fresh
 * buffer (measured ~4.6 µs per 1,400-byte document: the copies and the page faults of new memory).
 */
export function encodeBulkBody(docs: OutputDocument[], indexes: readonly number[], into: Buffer): { body: Buffer; grown: Buffer } {
  let buf = into;
  let pos = 0;
  for (const i of indexes) {
    const line = bulkLine(docs[i]!);
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (buf.length - pos < line.length * 3) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, pos + line.length * 3));
      buf.copy(bigger, 0, 0, pos);
      buf = bigger;
    }
    pos += buf.write(line, pos);
  }
  return { body: buf.subarray(0, pos), grown: buf };
}

/**
 * A document's approximate NDJSON size in bytes without serialising it: a constant for the action line
 * and fixed fields plus its raw line's length times a factor, fitted on the real access log (236-byte
 * lines: 1,186 bytes per document, 1,442 with the line kept in `event.original`); 2,000 when the
 * document has no record.
 */
function estimateBytes(doc: OutputDocument): number {
  // A backfill re-sends archived documents without their source record: assume a typical size.
  const raw = (doc.record as OutputDocument['record'] | undefined)?.raw;
  if (raw === undefined) return 2000;
  const kept = (doc.body.event as { original?: unknown } | undefined)?.original !== undefined;
  return 600 + (kept ? 3.6 : 2.5) * raw.length;
}

/** `bulkLine` of every document, in order. */
export function bulkLines(docs: OutputDocument[]): string[] {
  const lines = new Array<string>(docs.length);
  for (let i = 0; i < docs.length; i++) lines[i] = bulkLine(docs[i]!);
  return lines;
}

/**
 * Indexes documents with `_bulk` `create` and each document's deterministic `_id`, into data streams
 * (which accept only `create`). Each document is serialised once into its NDJSON lines, written as UTF-8
 * into reused request-body buffers of about `flushBytes` (`encodeBulkBody`), sent `concurrency` at a time through the official
 * client's transport (connection pool, auth, optional gzip), and only item statuses and error reasons
 * come back (`filter_path`).
 *
 * Outcome per document: `indexed` (201), `duplicates` (409 version conflict: an earlier attempt
 * already stored it), `rejected` (any other 4xx/5xx item error, e.g. a mapping conflict: the caller
 * dead-letters it). 429/5xx items and failed requests (cluster down, timeouts) are retried with
 * exponential backoff, without limit, for the documents still unacknowledged: ingest pauses, nothing
 * is lost. `write` resolves only when every document has one of the three outcomes.
 */
export class ElasticsearchSink implements Sink {
  readonly name = 'elasticsearch';
  private readonly flushBytes: number;
  private readonly concurrency: number;
  private readonly compression: boolean;
  private readonly maxBackoffMs: number;
  private readonly onRetry: ((reason: 'request' | 'items') => void) | undefined;
  /** Request body buffers free for reuse (see `encodeBulkBody`). */
  private readonly bodyBuffers: Buffer[] = [];

  constructor(
    private readonly client: Client,
    private readonly log: Logger,
    opts: ElasticsearchSinkOptions = {},
  ) {
    this.flushBytes = opts.flushBytes ?? 3 * 1024 * 1024;
    this.concurrency = opts.concurrency ?? 2;
    this.compression = opts.compression ?? false;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.onRetry = opts.onRetry;
  }

  async write(docs: OutputDocument[]): Promise<SinkResult> {
    const result: SinkResult = { indexed: [], duplicates: [], rejected: [] };
    // Lengths only, to cut requests evenly: each request body is serialised just before it is sent and
    // dropped after, so a batch is never held twice (objects + NDJSON); a retry serialises again.
    let pending = docs.map((_, i) => i);
    let sizes: number[] | undefined;
    await pRetry(
      async () => {
        const retry: number[] = [];
        const chunks = this.chunk(pending, (sizes ??= docs.map(estimateBytes)));
        let failure: unknown;
        let next = 0;
        const worker = async (): Promise<void> => {
          for (let c = next++; c < chunks.length; c = next++) {
            const chunk = chunks[c]!;
            let res: FilteredBulkResponse;
            // A request body buffer is reused after its request has settled; one whose request failed is
            // dropped (the HTTP client or the error may still refer to it).
            const { body, grown } = encodeBulkBody(docs, chunk, this.bodyBuffers.pop() ?? Buffer.allocUnsafeSlow(this.flushBytes * 1.25));
            try {
              res = await this.send(body);
              if (this.bodyBuffers.length < MAX_SPARE_BODIES) this.bodyBuffers.push(grown);
            } catch (err) {
              failure ??= err;
              for (const i of chunk) retry.push(i); // the whole request failed: nothing in it is acknowledged
              continue;
            }
            if (!res.errors) {
              for (const i of chunk) result.indexed.push(docs[i]!);
              continue;
            }
            const items = res.items ?? [];
            for (let k = 0; k < chunk.length; k++) {
              const i = chunk[k]!;
              const item = items[k]?.create;
              const status = item?.status ?? 0;
              if (status === 200 || status === 201) result.indexed.push(docs[i]!);
              else if (status === 409) result.duplicates.push(docs[i]!);
              else if (status === 0 || status === 429 || status >= 500) retry.push(i); // overloaded, or a shard unavailable
              else {
                const e = item?.error;
                result.rejected.push({ doc: docs[i]!, reason: e ? `${e.type}: ${e.reason ?? ''}`.trim() : `status ${status}` });
              }
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(this.concurrency, chunks.length) }, worker));
        pending = retry.sort((a, b) => a - b);
        if (failure) throw new TransientIndexingError(`bulk request failed: ${failure instanceof Error ? failure.message : String(failure)}`, 'request');
        if (pending.length > 0) throw new TransientIndexingError(`${pending.length} documents rejected with 429/5xx`, 'items');
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 500,
        maxTimeout: this.maxBackoffMs,
        shouldRetry: ({ error }) => error instanceof TransientIndexingError,
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (error instanceof TransientIndexingError) this.onRetry?.(error.reason);
          this.log.warn({ attempt: attemptNumber, pending: pending.length, err: error.message }, 'bulk indexing will be retried');
        },
      },
    );
    // Callers (archive, dead letters, metrics) expect source order within each outcome.
    const order = new Map(docs.map((d, i) => [d, i]));
    const byOrder = (a: OutputDocument, b: OutputDocument): number => order.get(a)! - order.get(b)!;
    result.indexed.sort(byOrder);
    result.duplicates.sort(byOrder);
    result.rejected.sort((a, b) => byOrder(a.doc, b.doc));
    return result;
  }

  /** Splits document indexes into request bodies of about `flushBytes`, spread evenly over the requests. */
  private chunk(indexes: number[], sizes: number[]): number[][] {
    let total = 0;
    for (const i of indexes) total += sizes[i]!;
    const requests = Math.max(1, Math.ceil(total / this.flushBytes));
    const target = total / requests;
    const chunks: number[][] = [];
    let current: number[] = [];
    let size = 0;
    for (const i of indexes) {
      current.push(i);
      size += sizes[i]!;
      if (size >= target && chunks.length < requests - 1) {
        chunks.push(current);
        current = [];
        size = 0;
      }
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  private async send(body: Buffer): Promise<FilteredBulkResponse> {
    return (await this.client.transport.request(
      { method: 'POST', path: '/_bulk', querystring: { filter_path: FILTER_PATH }, bulkBody: body },
      { compression: this.compression, maxRetries: 0 },
    )) as FilteredBulkResponse;
  }

  async close(): Promise<void> {
    // The client is owned by the caller; nothing to flush here because `write` resolves only when done.
  }
}
