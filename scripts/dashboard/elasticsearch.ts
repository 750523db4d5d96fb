/**
 * The dashboard's only contact with Elasticsearch: one client (made in {@link createDashboardClient}
 * from the project's shared connection — URL, CA, API key or basic auth from `--es-*` / `ES_*`) and
 * read-only `_search` requests on the data streams of one namespace. Nothing else is called, so a
 * user with `read` on `logs-*`/`metrics-*` is enough on a secured cluster.
 */
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

/** Elasticsearch failed or could not be reached; the server answers 502 with this message. `cause` is the client's error. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  /** A clearer sentence for what retrying cannot fix (untrusted certificate, refused credentials …) given the connection, else the message. */
  explain(conn: EsConnection | undefined): string {
    return (conn && explainEsError(this.cause, conn)) ?? this.message;
  }
}

/**
 * Runs a search on `index` with `ignore_unavailable` (a data stream not created yet counts as empty,
 * not as an error) and `track_total_hits`.
 * @throws {UpstreamError} with a message for people: unreachable, refused credentials, missing
 *   privileges, or Elasticsearch's own error reason (never the credentials).
 */
export async function search<T = unknown>(es: Client, index: string, body: Record<string, unknown>): Promise<SearchResult<T>> {
  try {
    const r = await es.search({ index, ignore_unavailable: true, allow_no_indices: true, track_total_hits: true, ...body });
    return r as unknown as SearchResult<T>;
  } catch (err) {
    throw toUpstreamError(err, index);
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
  if (e.name === 'ConnectionError' || e.name === 'TimeoutError' || e.name === 'NoLivingConnectionsError') {
    return new UpstreamError(`Elasticsearch is unreachable (${e.message ?? e.name})`, cause);
  }
  if (status === 401) return new UpstreamError('Elasticsearch refused the credentials (401): check --es-api-key / ES_API_KEY or --es-username/--es-password', cause);
  if (status === 403) return new UpstreamError(`Elasticsearch denied reading ${index} (403): the user needs the read privilege on it`, cause);
  const reason = e.meta?.body?.error?.root_cause?.[0]?.reason ?? e.meta?.body?.error?.reason ?? e.message ?? String(err);
  return new UpstreamError(`Elasticsearch error on ${index}${status ? ` (${status})` : ''}: ${reason}`, cause);
}
