import type { Dataset } from '../types.js';
import { decodeJsonObject } from '../json-line.js';
import { newsRecordSchema, type NewsRecord } from './schema.js';
import { enrichNews } from './enrich.js';
import { newsTemplate } from './template.js';
import { sentimentPerTicker } from './windows.js';

/**
 * Financial news headlines (one JSON object per line or Kafka message) into
 * `logs-news.headlines-*`, with tickers and a finance-corrected sentiment score.
 */
export const news: Dataset<NewsRecord> = {
  name: 'news',
  dataStream: { type: 'logs', dataset: 'news.headlines' },
  topic: 'news.headlines',
  decode: decodeJsonObject,
  schema: newsRecordSchema,
  enrich: enrichNews,
  indexTemplate: newsTemplate,
  windows: [sentimentPerTicker],
};
