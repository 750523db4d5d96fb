import type { IndexTemplate } from '../types.js';
import { ecsBaseMappings } from '../ecs-mappings.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/**
 * Index template for `logs-news.headlines-*`: explicit ECS and `news.*` mappings, `dynamic: strict`
 * so a field the enrichment adds without a mapping is rejected (and dead-lettered) instead of guessed.
 */
export function newsTemplate(): IndexTemplate {
  return {
    name: 'logs-news.headlines',
    body: {
      index_patterns: ['logs-news.headlines-*'],
      data_stream: {},
      // Above Elasticsearch's built-in `logs-*-*` template (priority 100) when x-pack is present.
      priority: 200,
      _meta: { managed_by: 'realtime-analytics-stack', dataset: 'news.headlines' },
      template: {
        settings: { 'index.refresh_interval': '1s', 'index.auto_expand_replicas': '0-1' },
        mappings: {
          dynamic: 'strict',
          date_detection: false,
          properties: {
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
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
