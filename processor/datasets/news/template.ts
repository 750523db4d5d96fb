import type { IndexTemplate } from '../types.js';
import { dataStreamTemplate, keyword } from '../index-template.js';
import { ecsBaseMappings } from '../ecs-mappings.js';

/**
 * Index template for `logs-news.headlines-*`: explicit ECS and `news.*` mappings, `dynamic: strict`
 * so a field the enrichment adds without a mapping is rejected (and dead-lettered) instead of guessed.
 */
export function newsTemplate(): IndexTemplate {
  return dataStreamTemplate('logs', 'news.headlines', {
    ...ecsBaseMappings(),
    url: { properties: { original: { ...keyword, ignore_above: 8191, fields: { text: { type: 'text' } } } } },
    news: {
      properties: {
        id: keyword,
        source: keyword,
        headline: { ...keyword, fields: { text: { type: 'text' } } },
        tickers: keyword,
        sentiment: {
          properties: {
            score: { type: 'float' },
            comparative: { type: 'float' },
            label: keyword,
            matched: keyword,
            probabilities: { properties: { negative: { type: 'float' }, neutral: { type: 'float' }, positive: { type: 'float' } } },
            decided_by: keyword,
          },
        },
      },
    },
  });
}
