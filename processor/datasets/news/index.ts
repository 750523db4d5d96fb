import type { Dataset } from '../types.js';
import { decodeNewsLine } from './decode.js';
import { newsRecordSchema, type NewsRecord } from './schema.js';
import { enrichNews } from './enrich.js';
import { newsTemplate } from './template.js';

/**
 * Financial news headlines (one JSON object per line or Kafka message) into
 * `logs-news.headlines-*`, with tickers and a finance-corrected sentiment score.
 */
export const news: Dataset<NewsRecord> = {
  name: 'news',
  dataStream: { type: 'logs', dataset: 'news.headlines' },
  topic: 'news.headlines',
  decode: decodeNewsLine,
  schema: newsRecordSchema,
  enrich: enrichNews,
  indexTemplate: newsTemplate,
};
