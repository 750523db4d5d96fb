import type { EnrichContext, DataStreamName } from '../types.js';
import type { SourcePosition } from '../../pipeline/types.js';
import { ECS_VERSION } from '../ecs-mappings.js';
import { scoreHeadline } from '../../enrich/sentiment/index.js';
import { extractTickers } from './tickers.js';
import type { NewsRecord } from './schema.js';

/**
 * Builds the ECS document for one validated news record.
 * Output shape: `@timestamp` (the record's instant in UTC), `message` (the headline), `ecs.version`,
 * `event.*` (kind `event`, type `["info"]`, no category: none of ECS's allowed categories fits a news
 * item), `url.original` (when given), `news.id`, `news.source`, `news.headline`, `news.tickers`
 * (cashtags ∪ company names ∪ the record's `tickers`, sorted), `news.sentiment.{score, comparative,
 * label, matched, probabilities.{negative,neutral,positive}, decided_by}` (`scoreHeadline`: `score`,
 * `comparative` and `matched` are the financial rules' on the AFINN scale, `probabilities` the trained
 * model's, `label` the combined decision and `decided_by` `model` or `rule`), `log.file.path`/`log.offset` (file sources),
 * `data_stream.*`.
 */
export function enrichNews(
  record: NewsRecord,
  ctx: EnrichContext,
  meta: { raw: string; position: SourcePosition; dataStream: DataStreamName },
): Record<string, unknown> {
  const sentiment = scoreHeadline(record.headline);
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(record['@timestamp']).toISOString(),
    message: record.headline,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      type: ['info'],
      dataset: meta.dataStream.dataset,
      module: 'news',
      ingested: ctx.now().toISOString(),
    },
  };
  if (record.url) doc.url = { original: record.url };
  doc.news = {
    id: record.id,
    source: record.source,
    headline: record.headline,
    tickers: extractTickers(record.headline, record.tickers),
    sentiment: {
      score: sentiment.score,
      comparative: sentiment.comparative,
      label: sentiment.label,
      matched: sentiment.matched,
      probabilities: sentiment.probabilities,
      decided_by: sentiment.decided_by,
    },
  };
  if (meta.position.kind === 'file') {
    doc.log = { file: { path: meta.position.path }, offset: meta.position.offset };
  }
  doc.data_stream = { ...meta.dataStream };
  return doc;
}
