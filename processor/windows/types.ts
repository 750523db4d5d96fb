import type { estypes } from '@elastic/elasticsearch';
import type { IndexTemplate } from '../datasets/types.js';

/** One slide-sized bucket of one key, as Elasticsearch aggregated it. */
export interface SlideBucket {
  /** Start of the slide interval, epoch ms. */
  start: number;
  docCount: number;
  /** The bucket's sub-aggregation results, as Elasticsearch returned them. */
  aggs: Record<string, unknown>;
}

/**
 * An event-time window over one dataset's documents, e.g. per-symbol 1-minute OHLCV bars (tumbling:
 * `sizeMs === slideMs`) or per-ticker sentiment over 5 minutes sliding every minute.
 *
 * Results are computed by Elasticsearch from the indexed source documents (a date histogram of
 * `slideMs` buckets per key, combined into windows here), so they are exact whatever crashed or was
 * replayed: the source data stream holds every event exactly once.
 */
export interface WindowDefinition {
  /** Name, also the `dataset` part of the output data stream (e.g. `market.bars_1m`). */
  name: string;
  /** Dataset whose documents feed the window. */
  sourceDataset: string;
  /** Window length and slide, ms; `sizeMs` must be a multiple of `slideMs`. */
  sizeMs: number;
  slideMs: number;
  /** Field the window is keyed by (terms), or undefined for one window over everything. */
  keyField?: string;
  /** The keys of one source document (several for a multi-valued field such as tickers). */
  keysOf(doc: Record<string, unknown>): string[];
  /** Sub-aggregations computed per key and slide bucket. */
  bucketAggs: Record<string, estypes.AggregationsAggregationContainer>;
  /** The window's own fields from its slide buckets (only non-empty buckets are passed). */
  result(key: string | undefined, buckets: SlideBucket[]): Record<string, unknown>;
  /** Index template of the output stream `metrics-{name}-*`. */
  template(): IndexTemplate;
}
