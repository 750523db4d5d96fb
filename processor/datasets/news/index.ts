import type { Dataset } from '../types.js';
import { sentimentModel } from '../../enrich/sentiment/index.js';
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
  // The sentiment model (~1.7 MB of JSON, ~5 MiB of heap) is loaded at the start of a processor that
  // reads news, so a missing or invalid model file stops that start; other processors never load it.
  prepare: () => void sentimentModel(),
  enrich: enrichNews,
  indexTemplate: newsTemplate,
  windows: [sentimentPerTicker],
};
