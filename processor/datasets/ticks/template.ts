import type { IndexTemplate } from '../types.js';
import { dataStreamTemplate, keyword } from '../index-template.js';
import { ecsBaseMappings } from '../ecs-mappings.js';

const gauge = { type: 'double', time_series_metric: 'gauge' } as const;

/**
 * Index template for `metrics-market.ticks-*`: the symbol is a time-series dimension and prices,
 * volume and indicators are gauges. The index mode stays `standard`: the `time_series` mode exists in
 * this Elasticsearch, but a time-series data stream only accepts documents within its backing index's
 * time bounds, which are advanced by the data streams module that the local distribution lacks (it
 * would refuse writes ~30 min after creation) and which would reject replays of historical candles.
 */
export function ticksTemplate(): IndexTemplate {
  return dataStreamTemplate('metrics', 'market.ticks', {
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
  });
}
