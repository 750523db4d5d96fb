/**
 * Markets dashboard over `metrics-market.ticks-*`, the one-minute bars `metrics-market.bars_1m-*` and
 * the news sentiment windows `metrics-news.sentiment_5m-*`: price and volume per symbol, one-minute
 * bars, and for each featured ticker its VWAP and moving averages and its news sentiment beside its
 * price.
 */
import { marketBars, marketTicks, newsSentiment } from '../data-views.js';
import type { DashboardDef, LensDef, PanelDef } from '../model.js';

/**
 * Tickers with their own panels (price vs VWAP/SMA/EMA, price vs sentiment): the three largest
 * companies of the generators' table. Edit and run `npm run kibana:generate` to change them.
 */
export const FEATURED_TICKERS: readonly string[] = ['AAPL', 'MSFT', 'NVDA'];

/** Mean close per symbol. */
export const pricePerSymbol: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-market-price-per-symbol',
  title: 'Price per symbol',
  description: 'Mean market.close per interval for the 10 symbols with the most ticks.',
  chart: {
    type: 'xy',
    legend: 'right',
    layers: [
      {
        dataView: marketTicks,
        series: 'line',
        x: { agg: 'date_histogram', field: '@timestamp' },
        breakdown: { agg: 'terms', field: 'market.symbol', size: 10, rankBy: 'count', label: 'Symbol' },
        metrics: [{ agg: 'avg', field: 'market.close', label: 'Close', format: { id: 'number', decimals: 2 } }],
      },
    ],
  },
};

/** Traded volume per symbol. */
export const volumePerSymbol: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-market-volume-per-symbol',
  title: 'Volume per symbol',
  description: 'Sum of market.volume per interval, stacked by symbol (top 10 by volume).',
  chart: {
    type: 'xy',
    legend: 'right',
    layers: [
      {
        dataView: marketTicks,
        series: 'bar_stacked',
        x: { agg: 'date_histogram', field: '@timestamp' },
        breakdown: { agg: 'terms', field: 'market.symbol', size: 10, rankBy: 'metric', label: 'Symbol' },
        metrics: [{ agg: 'sum', field: 'market.volume', label: 'Volume', format: { id: 'number', decimals: 0 } }],
      },
    ],
  },
};

/**
 * One-minute bars as a table. Each (symbol, minute) bucket holds exactly one bar document, so max/min
 * of its fields are the bar's own open, high, low and close. The minute interval is fixed: over long
 * time ranges the table hits Elasticsearch's bucket limit, hence the dashboard's one-hour default.
 */
export const oneMinuteBars: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-market-bars-1m',
  title: 'One-minute bars',
  description: 'OHLCV bars of metrics-market.bars_1m-* per symbol and minute, newest first.',
  chart: {
    type: 'table',
    dataView: marketBars,
    rows: [
      { agg: 'terms', field: 'market.symbol', size: 20, rankBy: 'alphabetical', label: 'Symbol' },
      { agg: 'date_histogram', field: '@timestamp', interval: '1m' },
    ],
    metrics: [
      { agg: 'max', field: 'market.open', label: 'Open', format: { id: 'number', decimals: 2 } },
      { agg: 'max', field: 'market.high', label: 'High', format: { id: 'number', decimals: 2 } },
      { agg: 'min', field: 'market.low', label: 'Low', format: { id: 'number', decimals: 2 } },
      { agg: 'max', field: 'market.close', label: 'Close', format: { id: 'number', decimals: 2 } },
      { agg: 'sum', field: 'market.volume', label: 'Volume', format: { id: 'number', decimals: 0 } },
    ],
    sort: { by: 'row', index: 1, direction: 'desc' },
  },
};

/** Close, VWAP, SMA 20 and EMA 20 of one ticker. */
export function movingAverages(ticker: string): LensDef {
  return {
    kind: 'lens',
    id: `rtas-lens-market-moving-averages-${ticker.toLowerCase()}`,
    title: `${ticker}: price, VWAP and moving averages`,
    description: `market.close, market.vwap, market.sma_20 and market.ema_20 of ${ticker} (means per interval).`,
    query: `market.symbol : "${ticker}"`,
    chart: {
      type: 'xy',
      legend: 'bottom',
      layers: [
        {
          dataView: marketTicks,
          series: 'line',
          x: { agg: 'date_histogram', field: '@timestamp' },
          metrics: [
            { agg: 'avg', field: 'market.close', label: 'Close', format: { id: 'number', decimals: 2 } },
            { agg: 'avg', field: 'market.vwap', label: 'VWAP', format: { id: 'number', decimals: 2 } },
            { agg: 'avg', field: 'market.sma_20', label: 'SMA 20', format: { id: 'number', decimals: 2 } },
            { agg: 'avg', field: 'market.ema_20', label: 'EMA 20', format: { id: 'number', decimals: 2 } },
          ],
        },
      ],
    },
  };
}

/** Price of one ticker (left axis) beside its 5-minute news sentiment (right axis). */
export function priceAndSentiment(ticker: string): LensDef {
  return {
    kind: 'lens',
    id: `rtas-lens-market-price-sentiment-${ticker.toLowerCase()}`,
    title: `${ticker}: price and news sentiment`,
    description: `Mean market.close of ${ticker} (left) and the mean 5-minute news sentiment of ${ticker} (right, news.sentiment.avg_score).`,
    chart: {
      type: 'xy',
      legend: 'bottom',
      layers: [
        {
          dataView: marketTicks,
          series: 'line',
          axis: 'left',
          x: { agg: 'date_histogram', field: '@timestamp' },
          metrics: [{ agg: 'avg', field: 'market.close', label: `${ticker} close`, filter: `market.symbol : "${ticker}"`, format: { id: 'number', decimals: 2 } }],
        },
        {
          dataView: newsSentiment,
          series: 'bar',
          axis: 'right',
          x: { agg: 'date_histogram', field: '@timestamp' },
          metrics: [
            { agg: 'avg', field: 'news.sentiment.avg_score', label: `${ticker} sentiment`, filter: `news.ticker : "${ticker}"`, format: { id: 'number', decimals: 2 } },
          ],
        },
      ],
    },
  };
}

/** The markets dashboard. */
export const marketsDashboard: DashboardDef = {
  id: 'rtas-dashboard-markets',
  title: 'Markets',
  description: `Ticks and one-minute bars: price and volume per symbol; VWAP, moving averages and news sentiment beside price for ${FEATURED_TICKERS.join(', ')}.`,
  timeFrom: 'now-1h',
  timeTo: 'now',
  refreshIntervalMs: 10_000,
  panels: [
    { object: pricePerSymbol, w: 24, h: 13 },
    { object: volumePerSymbol, w: 24, h: 13 },
    ...FEATURED_TICKERS.flatMap((t): PanelDef[] => [
      { object: movingAverages(t), w: 24, h: 12 },
      { object: priceAndSentiment(t), w: 24, h: 12 },
    ]),
    { object: oneMinuteBars, w: 48, h: 16 },
  ],
};
