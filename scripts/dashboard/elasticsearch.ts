/**
 * The dashboard's only contact with Elasticsearch: one client (made in {@link createDashboardClient}
 * from the project's shared connection — URL, CA, API key or basic auth from `--es-*` / `ES_*`) and
 * read-only `_search` requests on the data streams of one namespace. Nothing else is called, so a
 * user with `read` on `logs-*`/`metrics-*` is enough on a secured cluster.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@elastic/elasticsearch';
import { createEsClient, explainEsError, type EsConnection } from '../../processor/elasticsearch/connection.js';

/** The client the dashboard server uses (the one place it is created). @throws when the CA file cannot be read. */
export function createDashboardClient(conn: string | EsConnection): Client {
  return createEsClient(conn);
}

/** Data stream `{type}-{dataset}-{namespace}`. */
export function streamName(type: 'logs' | 'metrics', dataset: string, namespace: string): string {
  return `${type}-${dataset}-${namespace}`;
}

/**
 * Data stream namespace rule (Elastic's data stream naming scheme): lower case, no `-`, none of
 * `\ / * ? " < > | , # :` or spaces, at most 100 bytes. Leading `.`/`_`/`+` are refused as for index names.
 */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_.+]{0,99}$/;

/** What went wrong with Elasticsearch, in the categories the page is told about (never Elasticsearch's own text). */
export type UpstreamKind = 'unreachable' | 'credentials' | 'forbidden' | 'aborted' | 'failed';

/**
 * Elasticsearch failed or could not be reached. `message` and {@link explain} carry the details (for
 * the server's log only: they may hold Elasticsearch's error text, index names, the CA path);
 * {@link publicMessage} is what a browser may see. `cause` is the client's error.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  /** The category; `failed` when none fits. */
  kind: UpstreamKind = 'failed';
  /** Elasticsearch's HTTP status, when it answered. */
  status: number | undefined;

  /** A sentence for the browser naming only the category (and the status), without any text from Elasticsearch. */
  publicMessage(): string {
    switch (this.kind) {
      case 'unreachable':
        return 'Elasticsearch is unreachable';
      case 'credentials':
        return 'Elasticsearch refused the credentials (401): check --es-api-key / ES_API_KEY or --es-username/--es-password';
      case 'forbidden':
        return 'Elasticsearch denied reading the data streams (403): the user needs the read privilege on them';
      case 'aborted':
        return 'the search was cancelled';
      default:
        return `Elasticsearch could not answer${this.status ? ` (${this.status})` : ''}`;
    }
  }

  /** A clearer sentence for what retrying cannot fix (untrusted certificate, refused credentials …) given the connection, else the message. */
  explain(conn: EsConnection | undefined): string {
    return (conn && explainEsError(this.cause, conn)) ?? this.message;
  }
}

/** What a request of the dashboard gives every search it makes (see {@link withSearchContext}). */
export interface SearchContext {
  /** Aborted when nobody waits for the answer any more: the HTTP request to Elasticsearch is cancelled. */
  signal?: AbortSignal;
  /** Per-search limit, ms (the client's own `requestTimeout` otherwise). */
  timeoutMs?: number;
  /** Sent as `X-Opaque-Id` (after the client's `opaqueIdPrefix`), so the searches can be found in `_tasks`. */
  opaqueId?: string;
}

const context = new AsyncLocalStorage<SearchContext>();

/**
 * Runs `fn` so that every {@link search} it starts, however deep (the view queries do not take a
 * signal themselves), carries `ctx`: the abort signal, time limit and opaque id.
 */
export function withSearchContext<T>(ctx: SearchContext, fn: () => Promise<T>): Promise<T> {
  return context.run(ctx, fn);
}

let inFlight = 0;
let started = 0;

/** Searches sent to Elasticsearch whose answer (or abort) has not come back yet, in this process. */
export function searchesInFlight(): number {
  return inFlight;
}

/** Searches sent since the process started (tests compare it before and after). */
export function searchesStarted(): number {
  return started;
}

/**
 * Runs a search on `index` with `ignore_unavailable` (a data stream not created yet counts as empty,
 * not as an error) and `track_total_hits`, with the signal, time limit and opaque id of the
 * surrounding {@link withSearchContext}, if any.
 * @throws {UpstreamError} with a message for the log: unreachable, refused credentials, missing
 *   privileges, or Elasticsearch's own error reason (never the credentials); `kind` `aborted` when
 *   the signal fired.
 */
export async function search<T = unknown>(es: Client, index: string, body: Record<string, unknown>): Promise<SearchResult<T>> {
  const ctx = context.getStore();
  if (ctx?.signal?.aborted) throw toUpstreamError(Object.assign(new Error('aborted before it was sent'), { name: 'RequestAbortedError' }), index);
  const options = {
    ...(ctx?.signal ? { signal: ctx.signal } : {}),
    ...(ctx?.timeoutMs ? { requestTimeout: ctx.timeoutMs } : {}),
    ...(ctx?.opaqueId ? { opaqueId: ctx.opaqueId } : {}),
  };
  inFlight++;
  started++;
  try {
    const r = await es.search({ index, ignore_unavailable: true, allow_no_indices: true, track_total_hits: true, ...body }, options);
    return r as unknown as SearchResult<T>;
  } catch (err) {
    throw toUpstreamError(err, index);
  } finally {
    inFlight--;
  }
}

/** What {@link search} returns: the parts of a search response the queries read. */
export interface SearchResult<T> {
  took: number;
  hits: { total: { value: number }; hits: { _id: string; _source?: T }[] };
  /** Absent when no index matched; shapes depend on the request, each query module reads them with its own types. */
  aggregations?: Record<string, any>;
}

/** Maps a client error to an {@link UpstreamError} naming `index` and the cause. */
export function toUpstreamError(err: unknown, index: string): UpstreamError {
  const e = err as { name?: string; message?: string; meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string; root_cause?: { reason?: string }[] } } } };
  const status = e.meta?.statusCode;
  const cause = { cause: err };
  const make = (kind: UpstreamKind, message: string): UpstreamError => Object.assign(new UpstreamError(message, cause), { kind, status });
  if (e.name === 'RequestAbortedError') return make('aborted', `search on ${index} aborted (${e.message ?? 'no one waits for it'})`);
  if (e.name === 'ConnectionError' || e.name === 'TimeoutError' || e.name === 'NoLivingConnectionsError') {
    return make('unreachable', `Elasticsearch is unreachable (${e.message ?? e.name})`);
  }
  if (status === 401) return make('credentials', 'Elasticsearch refused the credentials (401): check --es-api-key / ES_API_KEY or --es-username/--es-password');
  if (status === 403) return make('forbidden', `Elasticsearch denied reading ${index} (403): the user needs the read privilege on it`);
  const reason = e.meta?.body?.error?.root_cause?.[0]?.reason ?? e.meta?.body?.error?.reason ?? e.message ?? String(err);
  return make('failed', `Elasticsearch error on ${index}${status ? ` (${status})` : ''}: ${reason}`);
}
