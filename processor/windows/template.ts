import type { IndexTemplate } from '../datasets/types.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/**
 * Index template of a window stream `metrics-{name}-*`: the common `window.*` fields plus the
 * window's own `properties`. `dynamic: strict` like the source streams.
 */
export function windowTemplate(name: string, properties: Record<string, unknown>): IndexTemplate {
  return {
    name: `metrics-${name}`,
    body: {
      index_patterns: [`metrics-${name}-*`],
      data_stream: {},
      priority: 200,
      _meta: { managed_by: 'realtime-analytics-stack', window: name },
      template: {
        settings: { 'index.refresh_interval': '1s', 'index.auto_expand_replicas': '0-1' },
        mappings: {
          dynamic: 'strict',
          date_detection: false,
          properties: {
            '@timestamp': { type: 'date' },
            event: { properties: { kind: keyword, dataset: keyword, module: keyword } },
            data_stream: { properties: { type: keyword, dataset: keyword, namespace: keyword } },
            window: {
              properties: {
                start: { type: 'date' },
                end: { type: 'date' },
                size_ms: { type: 'long' },
                slide_ms: { type: 'long' },
                event_count: { type: 'long' },
                key: keyword,
              },
            },
            ...properties,
          },
        },
      },
    },
  };
}
