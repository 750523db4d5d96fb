import { datasetState, type DataStreamName, type EnrichContext } from '../types.js';
import type { SourcePosition } from '../../pipeline/types.js';
import { ECS_VERSION } from '../ecs-mappings.js';
import { IndicatorBook } from './indicators.js';
import type { Tick } from './schema.js';

/**
 * Builds the document of one tick: `@timestamp`, `event.*` (kind `metric`), `market.{symbol,
 * exchange,currency,open,high,low,close,volume}` and the indicators `market.return.{simple,log}`,
 * `market.vwap`, `market.sma_20`, `market.ema_20` (absent while warming up), `data_stream.*`.
 */
export function enrichTick(
  tick: Tick,
  ctx: EnrichContext,
  meta: { raw: string; position: SourcePosition; dataStream: DataStreamName },
): Record<string, unknown> {
  const book = datasetState(ctx, 'ticks', () => new IndicatorBook());
  const ind = book.update(tick);
  const market: Record<string, unknown> = { symbol: tick.symbol };
  if (tick.exchange) market.exchange = tick.exchange;
  if (tick.currency) market.currency = tick.currency;
  Object.assign(market, { open: tick.open, high: tick.high, low: tick.low, close: tick.close, volume: tick.volume });
  if (ind.return) market.return = ind.return;
  if (ind.vwap !== undefined) market.vwap = ind.vwap;
  if (ind.sma_20 !== undefined) market.sma_20 = ind.sma_20;
  if (ind.ema_20 !== undefined) market.ema_20 = ind.ema_20;
  const doc: Record<string, unknown> = {
    '@timestamp': tick['@timestamp'].toISOString(),
    ecs: { version: ECS_VERSION },
    event: { kind: 'metric', type: ['info'], dataset: meta.dataStream.dataset, module: 'market', ingested: ctx.now().toISOString() },
    market,
  };
  if (ind.outOfOrder) doc.tags = ['out_of_order'];
  if (meta.position.kind === 'file') doc.log = { file: { path: meta.position.path }, offset: meta.position.offset };
  doc.data_stream = { ...meta.dataStream };
  return doc;
}
