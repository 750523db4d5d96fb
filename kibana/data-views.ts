/**
 * One data view per data stream pattern the processor writes (see `processor/datasets/*` and their
 * window definitions). Ids are fixed strings so a re-import overwrites rather than duplicates.
 */
import type { DataViewDef } from './model.js';

/** `logs-weblogs.access-*`: one document per access-log line (ECS web fields). */
export const weblogsAccess: DataViewDef = {
  id: 'rtas-dv-logs-weblogs.access',
  name: 'Web access logs (logs-weblogs.access-*)',
  stream: { type: 'logs', dataset: 'weblogs.access' },
  timeField: '@timestamp',
  fieldFormats: { 'http.response.body.bytes': { id: 'bytes' } },
};

/** `metrics-weblogs.traffic_1m-*`: requests, 5xx errors, 5xx share (0–1) and bytes per event-time minute. */
export const weblogsTraffic: DataViewDef = {
  id: 'rtas-dv-metrics-weblogs.traffic_1m',
  name: 'Web traffic per minute (metrics-weblogs.traffic_1m-*)',
  stream: { type: 'metrics', dataset: 'weblogs.traffic_1m' },
  timeField: '@timestamp',
  fieldFormats: {
    'weblogs.traffic.error_5xx_share': { id: 'percent', decimals: 2 },
    'weblogs.traffic.bytes': { id: 'bytes' },
  },
};

/** `logs-weblogs.error-*`: one document per nginx or Apache error-log entry (log.level, message, client, request). */
export const weblogsError: DataViewDef = {
  id: 'rtas-dv-logs-weblogs.error',
  name: 'Web server error logs (logs-weblogs.error-*)',
  stream: { type: 'logs', dataset: 'weblogs.error' },
  timeField: '@timestamp',
};

/** `logs-news.headlines-*`: one document per headline with tickers and sentiment. */
export const newsHeadlines: DataViewDef = {
  id: 'rtas-dv-logs-news.headlines',
  name: 'News headlines (logs-news.headlines-*)',
  stream: { type: 'logs', dataset: 'news.headlines' },
  timeField: '@timestamp',
};

/** `metrics-news.sentiment_5m-*`: per ticker, 5-minute windows sliding every minute. */
export const newsSentiment: DataViewDef = {
  id: 'rtas-dv-metrics-news.sentiment_5m',
  name: 'News sentiment per ticker, 5 min (metrics-news.sentiment_5m-*)',
  stream: { type: 'metrics', dataset: 'news.sentiment_5m' },
  timeField: '@timestamp',
};

/** `metrics-market.ticks-*`: one document per tick with prices, volume, VWAP and moving averages. */
export const marketTicks: DataViewDef = {
  id: 'rtas-dv-metrics-market.ticks',
  name: 'Market ticks (metrics-market.ticks-*)',
  stream: { type: 'metrics', dataset: 'market.ticks' },
  timeField: '@timestamp',
};

/** `metrics-market.bars_1m-*`: one-minute OHLCV bars per symbol. */
export const marketBars: DataViewDef = {
  id: 'rtas-dv-metrics-market.bars_1m',
  name: 'Market bars, 1 min (metrics-market.bars_1m-*)',
  stream: { type: 'metrics', dataset: 'market.bars_1m' },
  timeField: '@timestamp',
};

/** Every data view, in NDJSON order. */
export const dataViews: readonly DataViewDef[] = [weblogsAccess, weblogsTraffic, weblogsError, newsHeadlines, newsSentiment, marketTicks, marketBars];
