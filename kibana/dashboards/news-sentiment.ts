/**
 * News sentiment dashboard over `logs-news.headlines-*` and the per-ticker window stream
 * `metrics-news.sentiment_5m-*`: sentiment trend per ticker, bullish vs bearish headlines, a
 * market-mood gauge and the latest negative headlines.
 */
import { newsHeadlines, newsSentiment } from '../data-views.js';
import type { DashboardDef, LensDef, SearchDef } from '../model.js';

/**
 * Bounds of the market-mood gauge, on the scale of `news.sentiment.score` (a sum of AFINN-165-scale
 * valences, see `processor/enrich/sentiment/score.ts`: unbounded, headlines mostly within −8…+8; the
 * mean over many headlines stays well inside ±5).
 */
export const MOOD_MIN = -5;
/** See `MOOD_MIN`. */
export const MOOD_MAX = 5;

/** Mean sentiment per ticker from the 5-minute windows, for the 10 tickers with the most windows. */
export const sentimentTrend: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-news-sentiment-trend',
  title: 'Sentiment per ticker (5-minute windows)',
  description:
    'news.sentiment.avg_score of metrics-news.sentiment_5m-* per news.ticker: each point is the mean score of the ' +
    "ticker's headlines in the 5 minutes before it (windows slide every minute). Top 10 tickers by number of windows.",
  chart: {
    type: 'xy',
    legend: 'right',
    layers: [
      {
        dataView: newsSentiment,
        series: 'line',
        x: { agg: 'date_histogram', field: '@timestamp' },
        breakdown: { agg: 'terms', field: 'news.ticker', size: 10, rankBy: 'count', label: 'Ticker' },
        metrics: [{ agg: 'avg', field: 'news.sentiment.avg_score', label: 'Mean sentiment score', format: { id: 'number', decimals: 2 } }],
      },
    ],
  },
};

/** Bullish (positive) vs bearish (negative) headlines per ticker. */
export const bullishVsBearish: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-news-bullish-vs-bearish',
  title: 'Bullish vs bearish headlines by ticker',
  description: 'Headlines labelled positive (bullish) and negative (bearish) per ticker (news.tickers, news.sentiment.label).',
  chart: {
    type: 'xy',
    legend: 'bottom',
    layers: [
      {
        dataView: newsHeadlines,
        series: 'bar',
        x: { agg: 'terms', field: 'news.tickers', size: 12, rankBy: 'metric', label: 'Ticker' },
        breakdown: {
          agg: 'filters',
          label: 'Sentiment',
          filters: [
            { label: 'Bullish', kql: 'news.sentiment.label : "positive"' },
            { label: 'Bearish', kql: 'news.sentiment.label : "negative"' },
          ],
        },
        metrics: [{ agg: 'count', label: 'Headlines' }],
      },
    ],
  },
};

/** Market mood: mean sentiment score of all headlines in the time range. */
export const marketMood: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-news-market-mood',
  title: 'Market mood',
  description: `Mean news.sentiment.score of the headlines in the time range, on a ${MOOD_MIN}…+${MOOD_MAX} gauge (0 = neutral).`,
  chart: {
    type: 'gauge',
    dataView: newsHeadlines,
    metric: { agg: 'avg', field: 'news.sentiment.score', label: 'Mean sentiment score', format: { id: 'number', decimals: 2 } },
    min: MOOD_MIN,
    max: MOOD_MAX,
    shape: 'arc',
  },
};

/** Headlines per interval by label (context for the gauge). */
export const headlinesByLabel: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-news-headlines-by-label',
  title: 'Headlines by sentiment',
  description: 'Headlines per interval, stacked by news.sentiment.label.',
  chart: {
    type: 'xy',
    legend: 'bottom',
    layers: [
      {
        dataView: newsHeadlines,
        series: 'bar_stacked',
        x: { agg: 'date_histogram', field: '@timestamp' },
        breakdown: { agg: 'terms', field: 'news.sentiment.label', size: 3, rankBy: 'alphabetical', label: 'Sentiment' },
        metrics: [{ agg: 'count', label: 'Headlines' }],
      },
    ],
  },
};

/** The latest negative headlines (saved search, newest first). */
export const negativeHeadlines: SearchDef = {
  kind: 'search',
  id: 'rtas-search-news-negative-headlines',
  title: 'Latest negative headlines',
  description: 'Headlines labelled negative (news.sentiment.label : "negative"), newest first.',
  dataView: newsHeadlines,
  columns: ['news.headline', 'news.tickers', 'news.sentiment.score', 'news.sentiment.matched', 'news.source'],
  sort: [{ field: '@timestamp', direction: 'desc' }],
  query: 'news.sentiment.label : "negative"',
};

/** The news sentiment dashboard. */
export const newsSentimentDashboard: DashboardDef = {
  id: 'rtas-dashboard-news-sentiment',
  title: 'News sentiment',
  description: 'Financial headlines scored as they arrive: sentiment per ticker, bullish vs bearish, the overall mood and the latest bad news.',
  timeFrom: 'now-24h',
  timeTo: 'now',
  refreshIntervalMs: 10_000,
  panels: [
    { object: sentimentTrend, w: 32, h: 14 },
    { object: marketMood, w: 16, h: 14 },
    { object: bullishVsBearish, w: 24, h: 13 },
    { object: headlinesByLabel, w: 24, h: 13 },
    { object: negativeHeadlines, w: 48, h: 16 },
  ],
};
