/**
 * Pieces shared by the view queries: the time filter, the date histogram of a range, the all-time
 * extent of a stream (a `global` aggregation, so the same request tells "nothing ingested" from
 * "nothing in this range"), and the empty-state messages.
 */
import { esInterval, type TimeRange } from '../params.js';
import type { ViewMeta } from '../api-types.js';

/** `@timestamp` in `[from, to)`. */
export function timeFilter(r: TimeRange, fromMs = r.fromMs): Record<string, unknown> {
  return { range: { '@timestamp': { gte: fromMs, lt: r.toMs, format: 'epoch_millis' } } };
}

/** A `date_histogram` over the range with empty buckets filled (`min_doc_count: 0`), so series align. */
export function rangeHistogram(r: TimeRange, aggs?: Record<string, unknown>): Record<string, unknown> {
  return {
    date_histogram: {
      field: '@timestamp',
      fixed_interval: esInterval(r.intervalMs),
      min_doc_count: 0,
      extended_bounds: { min: r.fromMs, max: r.toMs - 1 },
      hard_bounds: { min: r.fromMs, max: r.toMs - 1 },
    },
    ...(aggs ? { aggs } : {}),
  };
}

/** Aggregation giving the earliest and latest `@timestamp` of the whole index, ignoring the query. */
export const EXTENT_AGG = {
  global: {},
  aggs: { min: { min: { field: '@timestamp' } }, max: { max: { field: '@timestamp' } } },
};

/** Reads {@link EXTENT_AGG}'s result: null when the stream holds no documents. */
export function readExtent(agg: { doc_count: number; min: { value: number | null }; max: { value: number | null } } | undefined): ViewMeta['extent'] {
  if (!agg || agg.doc_count === 0 || agg.min.value === null || agg.max.value === null) return null;
  return { min: agg.min.value, max: agg.max.value };
}

/** A histogram bucket as Elasticsearch returns it. */
export interface Bucket {
  key: number;
  doc_count: number;
  [agg: string]: unknown;
}

/** A terms bucket. */
export interface TermsBucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  [agg: string]: unknown;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The empty state of a view, or undefined when it has data in the range: `no-data` when `extent` is
 * null (nothing ingested into the namespace yet; `hint` says how to ingest), else `out-of-range`.
 */
export function emptyState(extent: ViewMeta['extent'], inRange: number, streams: string[], hint: string): ViewMeta['empty'] {
  if (extent === null) {
    return { kind: 'no-data', message: `No documents in ${streams.join(' or ')} yet. ${hint}` };
  }
  if (inRange === 0) {
    return {
      kind: 'out-of-range',
      message: `No documents in this time range. ${streams[0]} holds data from ${iso(extent.min)} to ${iso(extent.max)}: choose "Fit to data" or another range.`,
    };
  }
  return undefined;
}

/** Rounds to `d` decimals (JSON stays small and stable). */
export function round(n: number, d = 4): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}
