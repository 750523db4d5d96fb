/**
 * The markets view, from the one-minute bars `metrics-market.bars_1m-<ns>` (the processor's window
 * stream): the symbols traded in the range, candles of one symbol at the view's interval with volume,
 * SMA/EMA 20 over those candles, the distribution of candle-to-candle returns, and each symbol's
 * cumulative return.
 *
 * A candle of an interval is made from the bars in it: open of the first bar, close of the last
 * (`top_hits` sorted by time: `top_metrics` is in the analytics module, absent from the local
 * distribution), highest high, lowest low, summed volume. Intervals without bars (nights, weekends)
 * are skipped, as trading charts do.
 */
import type { Client } from '@elastic/elasticsearch';
import { EMA, SMA } from 'trading-signals';
import type { Candle, MarketsView } from '../api-types.js';
import { search, streamName } from '../elasticsearch.js';
import { esInterval, type TimeRange } from '../params.js';
import { EXTENT_AGG, emptyState, rangeHistogram, readExtent, round, timeFilter, type Bucket, type TermsBucket } from './common.js';

/** Moving-average length, candles (as `market.sma_20`/`market.ema_20` of the ticks dataset). */
export const MA_PERIOD = 20;
/** Candles fetched before the range to warm the averages up. */
export const WARMUP_CANDLES = 200;
/** Symbols listed and drawn in the cumulative-return chart. */
export const MAX_SYMBOLS = 12;
const CUMULATIVE_SYMBOLS = 8;
const RETURN_BINS = 24;

type Hit<T> = { hits: { hits: { _source: { market: T } }[] } };
const firstOpen = { top_hits: { size: 1, sort: [{ '@timestamp': 'asc' }], _source: ['market.open'] } };
const lastClose = { top_hits: { size: 1, sort: [{ '@timestamp': 'desc' }], _source: ['market.close'] } };
const ohlcv = {
  first: firstOpen,
  last: lastClose,
  high: { max: { field: 'market.high' } },
  low: { min: { field: 'market.low' } },
  volume: { sum: { field: 'market.volume' } },
};

function toCandle(b: Bucket): Candle {
  return {
    t: b.key,
    open: (b.first as Hit<{ open: number }>).hits.hits[0]!._source.market.open,
    close: (b.last as Hit<{ close: number }>).hits.hits[0]!._source.market.close,
    high: (b.high as { value: number }).value,
    low: (b.low as { value: number }).value,
    volume: (b.volume as { value: number }).value,
  };
}

/**
 * Simple returns between consecutive closes in equal-width bins over [min, max], with mean and
 * (sample) standard deviation; no bins for fewer than two candles.
 */
export function returnDistribution(candles: readonly Candle[], bins = RETURN_BINS): MarketsView['returns'] {
  const r: number[] = [];
  for (let i = 1; i < candles.length; i++) r.push(candles[i]!.close / candles[i - 1]!.close - 1);
  if (r.length === 0) return { bins: [], mean: null, stdev: null, count: 0 };
  const mean = r.reduce((s, x) => s + x, 0) / r.length;
  const stdev = r.length > 1 ? Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / (r.length - 1)) : 0;
  const lo = Math.min(...r);
  const hi = Math.max(...r);
  const width = (hi - lo) / bins || 1e-9;
  const out = Array.from({ length: bins }, (_, i) => ({ from: round(lo + i * width, 6), to: round(lo + (i + 1) * width, 6), count: 0 }));
  for (const x of r) out[Math.min(bins - 1, Math.floor((x - lo) / width))]!.count++;
  return { bins: out, mean: round(mean, 6), stdev: round(stdev, 6), count: r.length };
}

/**
 * SMA and EMA over `period` closes (trading-signals, as the ticks dataset's `market.sma_20`/`ema_20`),
 * aligned with `candles`; null for the first `period − 1` candles. The EMA starts from the first close
 * with k = 2 / (period + 1).
 */
export function movingAverages(candles: readonly Candle[], period = MA_PERIOD): { sma: (number | null)[]; ema: (number | null)[] } {
  const sma = new SMA(period);
  const ema = new EMA(period);
  const out = { sma: [] as (number | null)[], ema: [] as (number | null)[] };
  for (const c of candles) {
    const s = sma.add(c.close);
    const e = ema.add(c.close);
    out.sma.push(s !== null && sma.isStable ? round(Number(s), 4) : null);
    out.ema.push(e !== null && ema.isStable ? round(Number(e), 4) : null);
  }
  return out;
}

/**
 * Builds the markets view for `range` in `namespace`, drawing `symbol` (default: the symbol with the
 * most volume in the range). @throws {UpstreamError} when Elasticsearch fails.
 */
export async function marketsView(es: Client, namespace: string, range: TimeRange, symbol?: string): Promise<MarketsView> {
  const bars = streamName('metrics', 'market.bars_1m', namespace);
  const started = Date.now();
  const overview = await search(es, bars, {
    size: 0,
    query: timeFilter(range),
    aggs: {
      extent: EXTENT_AGG,
      symbols: { terms: { field: 'market.symbol', size: MAX_SYMBOLS, order: { volume: 'desc' } }, aggs: ohlcv },
    },
  });
  const a = overview.aggregations;
  const extent = readExtent(a?.extent);
  const symbols = ((a?.symbols?.buckets ?? []) as TermsBucket[]).map((b) => {
    const c = toCandle({ ...b, key: 0 });
    return { symbol: String(b.key), bars: b.doc_count, open: c.open, close: c.close, high: c.high, low: c.low, volume: c.volume, return: round(c.close / c.open - 1, 6) };
  });
  const chosen = symbol ?? symbols[0]?.symbol ?? null;
  const base = {
    streams: [bars],
    range: { from: range.fromMs, to: range.toMs, intervalMs: range.intervalMs },
    extent,
    empty: emptyState(extent, overview.hits.total.value, [bars], `Ingest ticks with \`npm start -- --namespace ${namespace}\` (ticks generator → Kafka → processor, which writes the one-minute bars).`),
  };
  if (chosen === null || base.empty) {
    return { ...base, tookMs: Date.now() - started, symbols, symbol: chosen, candles: [], sma20: [], ema20: [], returns: returnDistribution([]), cumulative: { t: [], series: {} } };
  }

  const warmupFrom = Math.max(0, range.fromMs - WARMUP_CANDLES * range.intervalMs);
  const [candleRes, cumRes] = await Promise.all([
    search(es, bars, {
      size: 0,
      query: { bool: { filter: [timeFilter(range, warmupFrom), { term: { 'market.symbol': chosen } }] } },
      aggs: { candles: { date_histogram: { field: '@timestamp', fixed_interval: esInterval(range.intervalMs), min_doc_count: 1 }, aggs: ohlcv } },
    }),
    search(es, bars, {
      size: 0,
      query: { bool: { filter: [timeFilter(range), { terms: { 'market.symbol': symbols.slice(0, CUMULATIVE_SYMBOLS).map((s) => s.symbol) } }] } },
      aggs: { timeline: rangeHistogram(range, { symbols: { terms: { field: 'market.symbol', size: CUMULATIVE_SYMBOLS }, aggs: { last: lastClose } } }) },
    }),
  ]);
  const all = ((candleRes.aggregations?.candles?.buckets ?? []) as Bucket[]).map(toCandle);
  const ma = movingAverages(all);
  const first = all.findIndex((c) => c.t >= range.fromMs);
  const from = first === -1 ? all.length : first;
  const candles = all.slice(from);

  const timeline = (cumRes.aggregations?.timeline?.buckets ?? []) as Bucket[];
  const series: Record<string, (number | null)[]> = {};
  for (const s of symbols.slice(0, CUMULATIVE_SYMBOLS)) {
    let base0: number | null = null;
    series[s.symbol] = timeline.map((b) => {
      const sb = (b.symbols as { buckets: TermsBucket[] }).buckets.find((x) => x.key === s.symbol);
      if (!sb) return null;
      const close = (sb.last as Hit<{ close: number }>).hits.hits[0]!._source.market.close;
      base0 ??= close;
      return round(close / base0 - 1, 6);
    });
  }
  return {
    ...base,
    tookMs: Date.now() - started,
    symbols,
    symbol: chosen,
    candles,
    sma20: ma.sma.slice(from),
    ema20: ma.ema.slice(from),
    returns: returnDistribution(candles),
    cumulative: { t: timeline.map((b) => b.key), series },
  };
}
