/**
 * The JSON the dashboard server sends to the page, one document per view (`GET /api/views/<view>`).
 * Shared by the server (which builds it from Elasticsearch aggregations) and the page (which draws
 * it). Times are epoch ms (UTC); bucket series are aligned with their `t` array; `null` marks a
 * bucket without data (a gap, not zero).
 */

/** The views of the page. */
export type ViewName = 'web' | 'news' | 'markets';

/** What every view answers besides its panels. */
export interface ViewMeta {
  /** The data streams queried, e.g. `logs-weblogs.access-default`. */
  streams: string[];
  /** The resolved range, epoch ms (`to` exclusive), and the bucket interval, ms. */
  range: { from: number; to: number; intervalMs: number };
  /** Earliest and latest `@timestamp` over all the view's main stream, whatever the range; null when it has none. */
  extent: { min: number; max: number } | null;
  /**
   * Set when there is nothing to draw: `no-data` (the data streams hold no documents at all: nothing
   * has been ingested into this namespace) or `out-of-range` (documents exist, none in the range).
   */
  empty?: { kind: 'no-data' | 'out-of-range'; message: string };
  /** Server-side time spent on the Elasticsearch queries, ms. */
  tookMs: number;
}

/** Web traffic view: `logs-weblogs.access-*`, `metrics-weblogs.traffic_1m-*` and `logs-weblogs.error-*`. */
export interface WebView extends ViewMeta {
  kpis: {
    requests: number;
    /** Responses with status ≥ 500, and their share of requests (0–1). */
    errors5xx: number;
    errorShare: number;
    bytes: number;
    /** 95th percentile of the response body size, bytes. */
    p95Bytes: number | null;
    /** Distinct client addresses (`cardinality`, approximate above 3,000). */
    clients: number;
    /** Share of requests from crawlers (0–1). */
    crawlerShare: number;
  };
  /** Requests per minute by status class: each bucket's count ÷ the interval in minutes. */
  requestsPerMinute: { t: number[]; classes: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number[]> };
  /** From the per-minute window stream: mean and worst 5xx share per bucket (0–1). */
  errorShare: { t: number[]; mean: (number | null)[]; worst: (number | null)[] };
  /** Bytes served per bucket, and requests by crawlers and people per bucket. */
  bytes: { t: number[]; bytes: number[] };
  crawlers: { t: number[]; crawlers: number[]; people: number[]; totalCrawlers: number; totalPeople: number };
  statusCodes: { code: number; count: number }[];
  topPaths: { path: string; requests: number; bytes: number }[];
  /** Requests per client country (ISO 3166-1 alpha-2 from GeoIP); `unknown` counts requests without a location. */
  countries: { iso2: string; name: string; requests: number }[];
  unknownCountry: number;
  recentErrors: { time: number; status: number; method: string; path: string; client: string; country: string | null; userAgent: string | null }[];
  /**
   * From `logs-weblogs.error-*` (nginx and Apache error logs): entries per minute by `log.level` per
   * bucket (count ÷ minutes per bucket), levels most severe first, and the entries in the range.
   */
  errorsPerMinute: { t: number[]; levels: string[]; series: Record<string, number[]>; total: number };
}

/** News sentiment view: `logs-news.headlines-*` and `metrics-news.sentiment_5m-*`. */
export interface NewsView extends ViewMeta {
  kpis: { headlines: number; meanScore: number | null; positive: number; negative: number; neutral: number };
  /**
   * Mean sentiment score per ticker per bucket from the 5-minute sliding windows, weighted by the
   * windows' headline counts; the tickers with the most headlines.
   */
  sentimentByTicker: { t: number[]; tickers: string[]; series: Record<string, (number | null)[]>; windowStream: string; windowsEmpty: boolean };
  labelsOverTime: { t: number[]; positive: number[]; negative: number[]; neutral: number[] };
  tickers: { ticker: string; positive: number; negative: number; neutral: number }[];
  latest: { time: number; headline: string; tickers: string[]; label: 'positive' | 'negative' | 'neutral'; score: number; source: string; url: string | null }[];
}

/** One candle: open, high, low, close, volume. */
export interface Candle {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Markets view: `metrics-market.bars_1m-*` (candles) and `metrics-market.ticks-*` (symbols, extent). */
export interface MarketsView extends ViewMeta {
  /** Symbols with bars in the range, by traded volume; return = last close ÷ first open − 1. */
  symbols: { symbol: string; bars: number; open: number; close: number; high: number; low: number; volume: number; return: number }[];
  /** The symbol drawn (the `symbol` parameter, else the first of `symbols`); null when there is none. */
  symbol: string | null;
  candles: Candle[];
  /**
   * SMA and EMA over 20 candles of the interval shown (computed by the server with trading-signals,
   * warmed up on up to 200 candles before the range); null while warming up. Aligned with `candles`.
   */
  sma20: (number | null)[];
  ema20: (number | null)[];
  /** Candle-to-candle simple returns of `symbol` in bins, and their mean and standard deviation. */
  returns: { bins: { from: number; to: number; count: number }[]; mean: number | null; stdev: number | null; count: number };
  /** Cumulative return of each symbol since its first close in the range, per bucket (0 = flat). */
  cumulative: { t: number[]; series: Record<string, (number | null)[]> };
}

/** Body of every error answer: `{ "error": "…" }` with status 400 (bad parameter), 404 or 502 (Elasticsearch). */
export interface ApiError {
  error: string;
}

/** `GET /api/config`: what the page needs to know about the server. */
export interface DashboardConfig {
  namespace: string;
  /** The Elasticsearch URL with any credentials removed. */
  elasticsearch: string;
  views: ViewName[];
}
