/**
 * The dashboard's only contact with Elasticsearch: one client (made in {@link createDashboardClient}
 * from the project's `createEsClient`, so its authentication and TLS options apply here too) and
 * read-only `_search` requests on the data streams of one namespace. Nothing else is called, so a
 * user with `read` and `view_index_metadata` on `logs-*`/`metrics-*` is enough on a secured cluster.
 */
import type { Client } from '@elastic/elasticsearch';
import { createEsClient } from '../../processor/elasticsearch/client.js';

/** The client the dashboard server uses for `url` (the one place it is created). */
export function createDashboardClient(url: string): Client {
  return createEsClient(url);
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

/** `url` without user information, for printing (`http://elastic:secret@h:9200` → `http://h:9200`). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** Elasticsearch failed or could not be reached; the server answers 502 with this message. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
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
  if (e.name === 'ConnectionError' || e.name === 'TimeoutError' || e.name === 'NoLivingConnectionsError') {
    return new UpstreamError(`Elasticsearch is unreachable (${e.message ?? e.name})`);
  }
  if (status === 401) return new UpstreamError('Elasticsearch refused the credentials (401): check ES_API_KEY or ES_USERNAME/ES_PASSWORD');
  if (status === 403) return new UpstreamError(`Elasticsearch denied reading ${index} (403): the user needs the read privilege on it`);
  const reason = e.meta?.body?.error?.root_cause?.[0]?.reason ?? e.meta?.body?.error?.reason ?? e.message ?? String(err);
  return new UpstreamError(`Elasticsearch error on ${index}${status ? ` (${status})` : ''}: ${reason}`);
}
