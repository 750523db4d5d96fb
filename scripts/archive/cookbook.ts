/**
 * The dashboards' questions in SQL over the archive views (README "SQL over the archive" shows the
 * same queries). The benchmark times them and a test runs every one, so they stay valid.
 *
 * @module scripts/archive/cookbook
 */

/** Name → query. */
export const COOKBOOK: Record<string, string> = {
  requestsPerHourByStatus: `SELECT date_trunc('hour', "@timestamp") AS hour_start, http.response.status_code AS status, count(*) AS requests
FROM weblogs GROUP BY ALL ORDER BY hour_start, status`,
  topPaths: `SELECT url.path, count(*) AS requests, sum(http.response.body.bytes) AS bytes
FROM weblogs GROUP BY url.path ORDER BY requests DESC LIMIT 10`,
  errorsAndCrawlersPerDay: `SELECT "@timestamp"::DATE AS date, count(*) AS requests,
  round(100 * avg((http.response.status_code >= 500)::INT), 2) AS pct_5xx,
  round(100 * avg(weblogs.crawler::INT), 1) AS pct_crawlers
FROM weblogs GROUP BY ALL ORDER BY date`,
  topCountries: `SELECT source.geo.country_name AS country, count(*) AS requests, count(DISTINCT source.ip) AS clients
FROM weblogs WHERE year = 2015 AND month = 5 AND day = 18 GROUP BY ALL ORDER BY requests DESC LIMIT 10`,
  sentimentPerTickerPerDay: `SELECT "@timestamp"::DATE AS date, ticker, count(*) AS headlines,
  round(avg(news.sentiment.score), 2) AS avg_score,
  count(*) FILTER (WHERE news.sentiment.label = 'positive') AS bullish,
  count(*) FILTER (WHERE news.sentiment.label = 'negative') AS bearish
FROM news, unnest(news.tickers) AS t(ticker) GROUP BY ALL ORDER BY date, headlines DESC`,
  dailyOhlc: `SELECT market.symbol AS symbol, "@timestamp"::DATE AS date,
  arg_min(market.open, "@timestamp") AS open, max(market.high) AS high, min(market.low) AS low,
  arg_max(market.close, "@timestamp") AS close, sum(market.volume) AS volume
FROM ticks GROUP BY ALL ORDER BY symbol, date`,
};
