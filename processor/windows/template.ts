import type { IndexTemplate } from '../datasets/types.js';
import { dataStreamTemplate, keyword } from '../datasets/index-template.js';

/**
 * Index template of a window stream `metrics-{name}-*`: the common `window.*` fields plus the
 * window's own `properties` (see `dataStreamTemplate`).
 */
export function windowTemplate(name: string, properties: Record<string, unknown>): IndexTemplate {
  return dataStreamTemplate('metrics', name, {
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
  });
}
