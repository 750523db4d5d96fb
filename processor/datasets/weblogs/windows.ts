import type { WindowDefinition } from '../../windows/types.js';
import { windowTemplate } from '../../windows/template.js';

const MINUTE = 60_000;

/**
 * Web traffic per event-time minute into `metrics-weblogs.traffic_1m-*`: `weblogs.traffic.requests`,
 * `.errors_5xx`, `.error_5xx_share` (errors ÷ requests, 0–1) and `.bytes` (sum of response bytes).
 */
export const trafficPerMinute: WindowDefinition = {
  name: 'weblogs.traffic_1m',
  sourceDataset: 'weblogs',
  sizeMs: MINUTE,
  slideMs: MINUTE,
  keysOf: () => [''],
  bucketAggs: {
    errors_5xx: { filter: { range: { 'http.response.status_code': { gte: 500, lte: 599 } } } },
    bytes: { sum: { field: 'http.response.body.bytes' } },
  },
  result(_key, buckets) {
    const requests = buckets.reduce((n, b) => n + b.docCount, 0);
    const errors = buckets.reduce((n, b) => n + (b.aggs.errors_5xx as { doc_count: number }).doc_count, 0);
    const bytes = buckets.reduce((n, b) => n + (b.aggs.bytes as { value: number }).value, 0);
    return { weblogs: { traffic: { requests, errors_5xx: errors, error_5xx_share: requests ? errors / requests : 0, bytes } } };
  },
  template: () =>
    windowTemplate('weblogs.traffic_1m', {
      weblogs: {
        properties: {
          traffic: {
            properties: {
              requests: { type: 'long' },
              errors_5xx: { type: 'long' },
              error_5xx_share: { type: 'double' },
              bytes: { type: 'long' },
            },
          },
        },
      },
    }),
};
