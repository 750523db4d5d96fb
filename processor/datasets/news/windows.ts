import type { WindowDefinition } from '../../windows/types.js';
import { windowTemplate } from '../../windows/template.js';

const MINUTE = 60_000;
type LabelBuckets = { buckets: { key: string; doc_count: number }[] };

/**
 * Sentiment per ticker over 5 minutes sliding every minute into `metrics-news.sentiment_5m-*`:
 * `news.ticker`, `news.headline_count`, `news.sentiment.avg_score` (mean of the headlines' scores,
 * see `processor/enrich/sentiment`), and `news.sentiment.{bullish,bearish,neutral}` (counts of
 * positive, negative and neutral labels). A headline naming two tickers counts for both.
 */
export const sentimentPerTicker: WindowDefinition = {
  name: 'news.sentiment_5m',
  sourceDataset: 'news',
  sizeMs: 5 * MINUTE,
  slideMs: MINUTE,
  keyField: 'news.tickers',
  keysOf: (doc) => ((doc.news as { tickers?: string[] }).tickers ?? []).map(String),
  bucketAggs: {
    score: { sum: { field: 'news.sentiment.score' } },
    labels: { terms: { field: 'news.sentiment.label', size: 3 } },
  },
  result(key, buckets) {
    const count = buckets.reduce((n, b) => n + b.docCount, 0);
    const sum = buckets.reduce((n, b) => n + (b.aggs.score as { value: number }).value, 0);
    const label = (l: string): number =>
      buckets.reduce((n, b) => n + ((b.aggs.labels as LabelBuckets).buckets.find((x) => x.key === l)?.doc_count ?? 0), 0);
    return {
      news: {
        ticker: key,
        headline_count: count,
        sentiment: {
          avg_score: Math.round((sum / count) * 1e4) / 1e4,
          bullish: label('positive'),
          bearish: label('negative'),
          neutral: label('neutral'),
        },
      },
    };
  },
  template: () =>
    windowTemplate('news.sentiment_5m', {
      news: {
        properties: {
          ticker: { type: 'keyword' },
          headline_count: { type: 'long' },
          sentiment: {
            properties: {
              avg_score: { type: 'double' },
              bullish: { type: 'long' },
              bearish: { type: 'long' },
              neutral: { type: 'long' },
            },
          },
        },
      },
    }),
};
