/**
 * The web traffic view: one aggregation request on `logs-weblogs.access-<ns>` (timeline by status
 * class, bytes and crawlers per bucket, status codes, top paths, countries, totals), the latest
 * error responses, the 5xx share from the per-minute window stream `metrics-weblogs.traffic_1m-<ns>`,
 * and the error-log entries per minute by level from `logs-weblogs.error-<ns>`.
 */
import type { Client } from '@elastic/elasticsearch';
import type { WebView } from '../api-types.js';
import { search, streamName } from '../elasticsearch.js';
import type { TimeRange } from '../params.js';
import { EXTENT_AGG, emptyState, rangeHistogram, readExtent, round, timeFilter, type Bucket, type TermsBucket } from './common.js';

/** Status classes by `http.response.status_code` range (RFC 9110 §15). */
const CLASSES = { '1xx': [100, 200], '2xx': [200, 300], '3xx': [300, 400], '4xx': [400, 500], '5xx': [500, 600] } as const;
type StatusClass = keyof typeof CLASSES;

const webHint = (ns: string): string =>
  `Ingest web logs with \`npm start -- --namespace ${ns}\`, or \`npm run process -- --watch data/samples/weblogs --once --namespace ${ns}\`.`;
const statusRange = (gte: number, lt: number) => ({ range: { 'http.response.status_code': { gte, lt } } });

interface ErrorDoc {
  '@timestamp': string;
  http?: { request?: { method?: string }; response?: { status_code?: number } };
  url?: { path?: string; original?: string };
  source?: { ip?: string; geo?: { country_name?: string } };
  user_agent?: { name?: string; original?: string };
}

/** Builds the web traffic view for `range` in `namespace`. @throws {UpstreamError} when Elasticsearch fails. */
export async function webView(es: Client, namespace: string, range: TimeRange): Promise<WebView> {
  const access = streamName('logs', 'weblogs.access', namespace);
  const traffic = streamName('metrics', 'weblogs.traffic_1m', namespace);
  const errorLog = streamName('logs', 'weblogs.error', namespace);
  const started = Date.now();
  const [main, errors, windows, errorEntries] = await Promise.all([
    search(es, access, {
      size: 0,
      query: timeFilter(range),
      aggs: {
        extent: EXTENT_AGG,
        timeline: rangeHistogram(range, {
          classes: { filters: { filters: Object.fromEntries(Object.entries(CLASSES).map(([k, [a, b]]) => [k, statusRange(a, b)])) } },
          bytes: { sum: { field: 'http.response.body.bytes' } },
          crawlers: { filter: { term: { 'weblogs.crawler': true } } },
        }),
        status: { terms: { field: 'http.response.status_code', size: 20 } },
        paths: { terms: { field: 'url.path', size: 12 }, aggs: { bytes: { sum: { field: 'http.response.body.bytes' } } } },
        countries: {
          terms: { field: 'source.geo.country_iso_code', size: 250, missing: '__none__' },
          aggs: { name: { terms: { field: 'source.geo.country_name', size: 1 } } },
        },
        bytes: { sum: { field: 'http.response.body.bytes' } },
        p95: { percentiles: { field: 'http.response.body.bytes', percents: [95] } },
        clients: { cardinality: { field: 'source.ip' } },
        crawlers: { filter: { term: { 'weblogs.crawler': true } } },
        errors5xx: { filter: statusRange(500, 600) },
      },
    }),
    search<ErrorDoc>(es, access, {
      size: 15,
      query: { bool: { filter: [timeFilter(range), { range: { 'http.response.status_code': { gte: 400 } } }] } },
      sort: [{ '@timestamp': 'desc' }],
      _source: ['@timestamp', 'http.request.method', 'http.response.status_code', 'url.path', 'url.original', 'source.ip', 'source.geo.country_name', 'user_agent.name', 'user_agent.original'],
    }),
    search(es, traffic, {
      size: 0,
      query: timeFilter(range),
      aggs: {
        timeline: rangeHistogram(range, {
          requests: { sum: { field: 'weblogs.traffic.requests' } },
          errors: { sum: { field: 'weblogs.traffic.errors_5xx' } },
          worst: { max: { field: 'weblogs.traffic.error_5xx_share' } },
        }),
      },
    }),
    search(es, errorLog, errorLevelsQuery(range)),
  ]);
  if (!main.aggregations) return blankWebView([access, traffic, errorLog], range, Date.now() - started, namespace);
  const a = main.aggregations;
  const requests = main.hits.total.value;
  const extent = readExtent(a.extent);
  const buckets = a.timeline.buckets as Bucket[];
  const t = buckets.map((b) => b.key);
  const perMinute = 60_000 / range.intervalMs;
  const classes = Object.fromEntries(
    (Object.keys(CLASSES) as StatusClass[]).map((k) => [k, buckets.map((b) => round((b.classes as { buckets: Record<string, { doc_count: number }> }).buckets[k]!.doc_count * perMinute, 3))]),
  ) as WebView['requestsPerMinute']['classes'];
  const crawlers = buckets.map((b) => (b.crawlers as { doc_count: number }).doc_count);
  const wBuckets = (windows.aggregations?.timeline?.buckets ?? []) as Bucket[];
  const totalCrawlers = a.crawlers.doc_count as number;
  const countryBuckets = a.countries.buckets as TermsBucket[];
  return {
    streams: [access, traffic, errorLog],
    range: { from: range.fromMs, to: range.toMs, intervalMs: range.intervalMs },
    extent,
    empty: emptyState(extent, requests, [access], webHint(namespace)),
    tookMs: Date.now() - started,
    kpis: {
      requests,
      errors5xx: a.errors5xx.doc_count,
      errorShare: requests ? round(a.errors5xx.doc_count / requests, 6) : 0,
      bytes: a.bytes.value ?? 0,
      p95Bytes: a.p95.values['95.0'] ?? null,
      clients: a.clients.value ?? 0,
      crawlerShare: requests ? round(totalCrawlers / requests, 6) : 0,
    },
    requestsPerMinute: { t, classes },
    errorShare: {
      t: wBuckets.map((b) => b.key),
      mean: wBuckets.map((b) => {
        const req = (b.requests as { value: number }).value;
        return b.doc_count > 0 && req > 0 ? round((b.errors as { value: number }).value / req, 6) : null;
      }),
      worst: wBuckets.map((b) => (b.doc_count > 0 ? round((b.worst as { value: number }).value, 6) : null)),
    },
    bytes: { t, bytes: buckets.map((b) => (b.bytes as { value: number }).value) },
    crawlers: { t, crawlers, people: buckets.map((b, i) => b.doc_count - crawlers[i]!), totalCrawlers, totalPeople: requests - totalCrawlers },
    statusCodes: (a.status.buckets as TermsBucket[]).map((b) => ({ code: Number(b.key), count: b.doc_count })),
    topPaths: (a.paths.buckets as TermsBucket[]).map((b) => ({ path: String(b.key), requests: b.doc_count, bytes: (b.bytes as { value: number }).value })),
    countries: countryBuckets
      .filter((b) => b.key !== '__none__')
      .map((b) => ({ iso2: String(b.key), name: String((b.name as { buckets: TermsBucket[] }).buckets[0]?.key ?? b.key), requests: b.doc_count })),
    unknownCountry: countryBuckets.find((b) => b.key === '__none__')?.doc_count ?? 0,
    recentErrors: errors.hits.hits.map(({ _source: d }) => ({
      time: Date.parse(d!['@timestamp']),
      status: d!.http?.response?.status_code ?? 0,
      method: d!.http?.request?.method ?? '',
      path: d!.url?.path ?? d!.url?.original ?? '',
      client: d!.source?.ip ?? '',
      country: d!.source?.geo?.country_name ?? null,
      userAgent: d!.user_agent?.name ?? d!.user_agent?.original ?? null,
    })),
    errorsPerMinute: readErrorLevels(errorEntries.aggregations?.timeline?.buckets as Bucket[] | undefined, range.intervalMs, errorEntries.hits.total.value),
  };
}

/** Severity order of `log.level` values (nginx and Apache), most severe first; unknown levels go last. */
export const LEVEL_ORDER = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug', 'trace1', 'trace2', 'trace3', 'trace4', 'trace5', 'trace6', 'trace7', 'trace8'];

/** The error-log request: a histogram of the range with the entries' `log.level` in each bucket. */
export function errorLevelsQuery(range: TimeRange): Record<string, unknown> {
  return { size: 0, query: timeFilter(range), aggs: { timeline: rangeHistogram(range, { levels: { terms: { field: 'log.level', size: 20 } } }) } };
}

/**
 * Reads {@link errorLevelsQuery}'s histogram into entries per minute by level (each bucket's count ÷
 * minutes per bucket, 3 decimals), levels in {@link LEVEL_ORDER}; an absent histogram (no stream) is empty.
 */
export function readErrorLevels(buckets: Bucket[] | undefined, intervalMs: number, total: number): WebView['errorsPerMinute'] {
  const bs = buckets ?? [];
  const perMinute = 60_000 / intervalMs;
  const seen = new Set<string>();
  for (const b of bs) for (const l of (b.levels as { buckets: TermsBucket[] }).buckets) seen.add(String(l.key));
  const rank = (l: string): number => (LEVEL_ORDER.includes(l) ? LEVEL_ORDER.indexOf(l) : LEVEL_ORDER.length);
  const levels = [...seen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const series = Object.fromEntries(
    levels.map((l) => [l, bs.map((b) => round(((b.levels as { buckets: TermsBucket[] }).buckets.find((x) => x.key === l)?.doc_count ?? 0) * perMinute, 3))]),
  );
  return { t: bs.map((b) => b.key), levels, series, total };
}

/** The view of a namespace whose data stream does not exist yet (Elasticsearch returns no aggregations). */
function blankWebView(streams: string[], range: TimeRange, tookMs: number, namespace: string): WebView {
  return {
    streams,
    range: { from: range.fromMs, to: range.toMs, intervalMs: range.intervalMs },
    extent: null,
    empty: emptyState(null, 0, [streams[0]!], webHint(namespace)),
    tookMs,
    kpis: { requests: 0, errors5xx: 0, errorShare: 0, bytes: 0, p95Bytes: null, clients: 0, crawlerShare: 0 },
    requestsPerMinute: { t: [], classes: { '1xx': [], '2xx': [], '3xx': [], '4xx': [], '5xx': [] } },
    errorShare: { t: [], mean: [], worst: [] },
    bytes: { t: [], bytes: [] },
    crawlers: { t: [], crawlers: [], people: [], totalCrawlers: 0, totalPeople: 0 },
    statusCodes: [],
    topPaths: [],
    countries: [],
    unknownCountry: 0,
    recentErrors: [],
    errorsPerMinute: { t: [], levels: [], series: {}, total: 0 },
  };
}
