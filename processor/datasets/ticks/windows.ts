import type { WindowDefinition } from '../../windows/types.js';
import { windowTemplate } from '../../windows/template.js';

const MINUTE = 60_000;
type TopHit = { hits: { hits: { _source: { market: { open?: number; close?: number } } }[] } };

/**
 * One-minute OHLCV bars per symbol into `metrics-market.bars_1m-*`: open of the minute's first tick,
 * close of its last, highest high, lowest low, summed volume, and the tick count.
 * Ticks sharing a timestamp within a symbol have no defined order for open/close.
 */
export const barsPerMinute: WindowDefinition = {
  name: 'market.bars_1m',
  sourceDataset: 'ticks',
  sizeMs: MINUTE,
  slideMs: MINUTE,
  keyField: 'market.symbol',
  keysOf: (doc) => [String((doc.market as { symbol: string }).symbol)],
  bucketAggs: {
    first: { top_hits: { size: 1, sort: [{ '@timestamp': 'asc' }], _source: ['market.open'] } },
    last: { top_hits: { size: 1, sort: [{ '@timestamp': 'desc' }], _source: ['market.close'] } },
    high: { max: { field: 'market.high' } },
    low: { min: { field: 'market.low' } },
    volume: { sum: { field: 'market.volume' } },
  },
  result(key, buckets) {
    const first = buckets[0]!;
    const last = buckets[buckets.length - 1]!;
    return {
      market: {
        symbol: key,
        open: (first.aggs.first as TopHit).hits.hits[0]!._source.market.open,
        close: (last.aggs.last as TopHit).hits.hits[0]!._source.market.close,
        high: Math.max(...buckets.map((b) => (b.aggs.high as { value: number }).value)),
        low: Math.min(...buckets.map((b) => (b.aggs.low as { value: number }).value)),
        volume: buckets.reduce((n, b) => n + (b.aggs.volume as { value: number }).value, 0),
      },
    };
  },
  template: () =>
    windowTemplate('market.bars_1m', {
      market: {
        properties: {
          symbol: { type: 'keyword', time_series_dimension: true },
          open: { type: 'double', time_series_metric: 'gauge' },
          high: { type: 'double', time_series_metric: 'gauge' },
          low: { type: 'double', time_series_metric: 'gauge' },
          close: { type: 'double', time_series_metric: 'gauge' },
          volume: { type: 'long', time_series_metric: 'gauge' },
        },
      },
    }),
};
