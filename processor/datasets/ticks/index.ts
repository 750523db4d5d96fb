import type { Dataset } from '../types.js';
import { decodeJsonObject } from '../json-line.js';
import { enrichTick } from './enrich.js';
import { tickSchema, type Tick } from './schema.js';
import { ticksTemplate } from './template.js';
import { barsPerMinute } from './windows.js';

/** Market ticks (OHLCV, JSON lines) into `metrics-market.ticks-*`, with per-symbol indicators. */
export const ticks: Dataset<Tick> = {
  name: 'ticks',
  dataStream: { type: 'metrics', dataset: 'market.ticks' },
  topic: 'market.ticks',
  decode: decodeJsonObject,
  schema: tickSchema as unknown as Dataset<Tick>['schema'],
  enrich: enrichTick,
  indexTemplate: ticksTemplate,
  windows: [barsPerMinute],
};
