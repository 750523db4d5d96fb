import type { IndexTemplate } from '../types.js';
import { ecsBaseMappings } from '../ecs-mappings.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const gauge = { type: 'double', time_series_metric: 'gauge' } as const;

/**
 * Index template for `metrics-market.ticks-*`: the symbol is a time-series dimension and prices,
 * volume and indicators are gauges. The index mode stays `standard`: the `time_series` mode exists in
 * this Elasticsearch, but a time-series data stream only accepts documents within its backing index's
 * time bounds, which are advanced by the data streams module that the local distribution lacks (it
 * would refuse writes ~30 min after creation) and which would reject replays of historical candles.
 */
export function ticksTemplate(): IndexTemplate {
  return {
    name: 'metrics-market.ticks',
    body: {
      index_patterns: ['metrics-market.ticks-*'],
      data_stream: {},
      priority: 200,
      _meta: { managed_by: 'realtime-analytics-stack', dataset: 'market.ticks' },
      template: {
        settings: { 'index.refresh_interval': '1s', 'index.auto_expand_replicas': '0-1' },
        mappings: {
          dynamic: 'strict',
          date_detection: false,
          properties: {
            ...ecsBaseMappings(),
            market: {
              properties: {
                symbol: { ...keyword, time_series_dimension: true },
                exchange: keyword,
                currency: keyword,
                open: gauge,
                high: gauge,
                low: gauge,
                close: gauge,
                volume: { type: 'long', time_series_metric: 'gauge' },
                return: { properties: { simple: gauge, log: gauge } },
                vwap: gauge,
                sma_20: gauge,
                ema_20: gauge,
              },
            },
          },
        },
      },
    },
  };
}
