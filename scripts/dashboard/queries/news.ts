/**
 * The news sentiment view: label mix, labels over time, bullish/bearish/neutral per ticker and the
 * latest headlines from `logs-news.headlines-<ns>`; sentiment per ticker from the 5-minute sliding
 * windows `metrics-news.sentiment_5m-<ns>` (each window document is one ticker's headlines in
 * `[window.start, window.start + 5 min)`, stamped with its start).
 */
import type { Client } from '@elastic/elasticsearch';
import type { NewsView } from '../api-types.js';
import { search, streamName } from '../elasticsearch.js';
import type { TimeRange } from '../params.js';
import { EXTENT_AGG, emptyState, rangeHistogram, readExtent, round, timeFilter, type Bucket, type TermsBucket } from './common.js';

/** Tickers drawn in the sentiment chart: the ones with the most headlines in the windows. */
export const SENTIMENT_TICKERS = 6;

const newsHint = (ns: string): string => `Ingest headlines with \`npm start -- --namespace ${ns}\` (news generator → Kafka → processor).`;
type Label = 'positive' | 'negative' | 'neutral';
const LABELS: Label[] = ['positive', 'negative', 'neutral'];

interface HeadlineDoc {
  '@timestamp': string;
  url?: { original?: string };
  news: { headline: string; tickers?: string[]; source: string; sentiment: { score: number; label: Label } };
}

const labelCounts = (agg: { buckets: TermsBucket[] }): Record<Label, number> =>
  Object.fromEntries(LABELS.map((l) => [l, agg.buckets.find((b) => b.key === l)?.doc_count ?? 0])) as Record<Label, number>;

/** Builds the news sentiment view for `range` in `namespace`. @throws {UpstreamError} when Elasticsearch fails. */
export async function newsView(es: Client, namespace: string, range: TimeRange): Promise<NewsView> {
  const headlines = streamName('logs', 'news.headlines', namespace);
  const windows = streamName('metrics', 'news.sentiment_5m', namespace);
  const started = Date.now();
  const labelTerms = { terms: { field: 'news.sentiment.label', size: 3 } };
  const [main, latest, win] = await Promise.all([
    search(es, headlines, {
      size: 0,
      query: timeFilter(range),
      aggs: {
        extent: EXTENT_AGG,
        labels: labelTerms,
        score: { avg: { field: 'news.sentiment.score' } },
        timeline: rangeHistogram(range, { labels: labelTerms }),
        tickers: { terms: { field: 'news.tickers', size: 12 }, aggs: { labels: labelTerms } },
      },
    }),
    search<HeadlineDoc>(es, headlines, {
      size: 20,
      query: timeFilter(range),
      sort: [{ '@timestamp': 'desc' }],
      _source: ['@timestamp', 'url.original', 'news.headline', 'news.tickers', 'news.source', 'news.sentiment.score', 'news.sentiment.label'],
    }),
    search(es, windows, {
      size: 0,
      query: timeFilter(range),
      aggs: {
        tickers: {
          terms: { field: 'news.ticker', size: SENTIMENT_TICKERS, order: { headlines: 'desc' } },
          aggs: {
            headlines: { sum: { field: 'news.headline_count' } },
            timeline: rangeHistogram(range, {
              score: { weighted_avg: { value: { field: 'news.sentiment.avg_score' }, weight: { field: 'news.headline_count' } } },
            }),
          },
        },
      },
    }),
  ]);
  const count = main.hits.total.value;
  if (!main.aggregations) {
    return {
      streams: [headlines, windows],
      range: { from: range.fromMs, to: range.toMs, intervalMs: range.intervalMs },
      extent: null,
      empty: emptyState(null, 0, [headlines], newsHint(namespace)),
      tookMs: Date.now() - started,
      kpis: { headlines: 0, meanScore: null, positive: 0, negative: 0, neutral: 0 },
      sentimentByTicker: { t: [], tickers: [], series: {}, windowStream: windows, windowsEmpty: true },
      labelsOverTime: { t: [], positive: [], negative: [], neutral: [] },
      tickers: [],
      latest: [],
    };
  }
  const a = main.aggregations;
  const extent = readExtent(a.extent);
  const buckets = a.timeline.buckets as Bucket[];
  const t = buckets.map((b) => b.key);
  const perLabel = buckets.map((b) => labelCounts(b.labels as { buckets: TermsBucket[] }));
  const totals = labelCounts(a.labels);
  const tickerBuckets = (win.aggregations?.tickers?.buckets ?? []) as TermsBucket[];
  const series: Record<string, (number | null)[]> = {};
  for (const tb of tickerBuckets) {
    const tl = (tb.timeline as { buckets: Bucket[] }).buckets;
    series[String(tb.key)] = tl.map((b) => {
      const v = (b.score as { value: number | null }).value;
      return b.doc_count > 0 && v !== null ? round(v, 3) : null;
    });
  }
  const firstTicker = tickerBuckets[0];
  return {
    streams: [headlines, windows],
    range: { from: range.fromMs, to: range.toMs, intervalMs: range.intervalMs },
    extent,
    empty: emptyState(extent, count, [headlines], newsHint(namespace)),
    tookMs: Date.now() - started,
    kpis: { headlines: count, meanScore: a.score.value === null ? null : round(a.score.value, 3), ...totals },
    sentimentByTicker: {
      t: firstTicker ? (firstTicker.timeline as { buckets: Bucket[] }).buckets.map((b) => b.key) : t,
      tickers: tickerBuckets.map((b) => String(b.key)),
      series,
      windowStream: windows,
      windowsEmpty: win.hits.total.value === 0,
    },
    labelsOverTime: { t, positive: perLabel.map((p) => p.positive), negative: perLabel.map((p) => p.negative), neutral: perLabel.map((p) => p.neutral) },
    tickers: (a.tickers.buckets as TermsBucket[]).map((b) => ({ ticker: String(b.key), ...labelCounts(b.labels as { buckets: TermsBucket[] }) })),
    latest: latest.hits.hits.map(({ _source: d }) => ({
      time: Date.parse(d!['@timestamp']),
      headline: d!.news.headline,
      tickers: d!.news.tickers ?? [],
      label: d!.news.sentiment.label,
      score: d!.news.sentiment.score,
      source: d!.news.source,
      url: d!.url?.original ?? null,
    })),
  };
}
