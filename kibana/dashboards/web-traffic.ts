/**
 * Web traffic dashboard over `logs-weblogs.access-*`, the per-minute window stream
 * `metrics-weblogs.traffic_1m-*` and the servers' error logs `logs-weblogs.error-*`: requests by
 * status class, 5xx share, error-log entries per minute by level, clients on a map (GeoIP), top
 * countries, paths and referrers, browsers, operating systems, crawler share and bytes served.
 */
import { weblogsAccess, weblogsError, weblogsTraffic } from '../data-views.js';
import type { DashboardDef, LensDef, MapDef } from '../model.js';

const status = (from: number, to: number) => `http.response.status_code >= ${from} and http.response.status_code < ${to}`;

/** Requests per interval, stacked by HTTP status class (1xx/2xx/3xx/4xx/5xx filters on the status code). */
export const requestsByStatusClass: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-requests-by-status-class',
  title: 'Requests by status class',
  description: 'Requests over time, stacked by HTTP status class (logs-weblogs.access-*).',
  chart: {
    type: 'xy',
    legend: 'bottom',
    layers: [
      {
        dataView: weblogsAccess,
        series: 'bar_stacked',
        x: { agg: 'date_histogram', field: '@timestamp' },
        breakdown: {
          agg: 'filters',
          label: 'Status class',
          filters: [
            { label: '2xx', kql: status(200, 300) },
            { label: '3xx', kql: status(300, 400) },
            { label: '4xx', kql: status(400, 500) },
            { label: '5xx', kql: status(500, 600) },
            { label: '1xx', kql: status(100, 200) },
          ],
        },
        metrics: [{ agg: 'count', label: 'Requests' }],
      },
    ],
  },
};

/** 5xx share from the traffic_1m window stream (mean of the per-minute shares in each interval). */
export const errorShare: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-5xx-share',
  title: '5xx share per minute',
  description:
    'Share of 5xx responses per event-time minute (metrics-weblogs.traffic_1m-*, weblogs.traffic.error_5xx_share); ' +
    'when an interval spans several minutes, the mean of their shares.',
  chart: {
    type: 'xy',
    legend: 'bottom',
    layers: [
      {
        dataView: weblogsTraffic,
        series: 'line',
        x: { agg: 'date_histogram', field: '@timestamp' },
        metrics: [
          { agg: 'avg', field: 'weblogs.traffic.error_5xx_share', label: '5xx share', format: { id: 'percent', decimals: 1 } },
          { agg: 'max', field: 'weblogs.traffic.error_5xx_share', label: 'Worst minute', format: { id: 'percent', decimals: 1 } },
        ],
      },
    ],
  },
};

/** nginx/Apache error-log entries per minute, stacked by log.level. */
export const errorsByLevel: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-errors-by-level',
  title: 'Errors per minute by level',
  description:
    'nginx and Apache error-log entries per minute, stacked by log.level (logs-weblogs.error-*); ' +
    'Kibana widens the interval when a range holds too many minutes.',
  chart: {
    type: 'xy',
    legend: 'bottom',
    layers: [
      {
        dataView: weblogsError,
        series: 'bar_stacked',
        x: { agg: 'date_histogram', field: '@timestamp', interval: '1m' },
        breakdown: { agg: 'terms', field: 'log.level', size: 16, rankBy: 'count', label: 'Level' },
        metrics: [{ agg: 'count', label: 'Entries' }],
      },
    ],
  },
};

/** Clients clustered on a world map by their GeoIP location. */
export const clientsMap: MapDef = {
  kind: 'map',
  id: 'rtas-map-web-clients',
  title: 'Clients by GeoIP location',
  description: 'Requests clustered by source.geo.location (DB-IP City Lite GeoIP), sized and coloured by count.',
  dataView: weblogsAccess,
  geoField: 'source.geo.location',
  sumField: 'http.response.body.bytes',
  center: { lat: 30, lon: 10, zoom: 1.5 },
};

/** Top client countries. */
export const topCountries: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-top-countries',
  title: 'Top client countries',
  description: 'Requests by source.geo.country_name.',
  chart: {
    type: 'table',
    dataView: weblogsAccess,
    rows: [{ agg: 'terms', field: 'source.geo.country_name', size: 10, rankBy: 'metric', label: 'Country' }],
    metrics: [{ agg: 'count', label: 'Requests' }],
    sort: { by: 'metric', index: 0, direction: 'desc' },
  },
};

/** Most requested paths. */
export const topPaths: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-top-paths',
  title: 'Top paths',
  description: 'Most requested url.path, with bytes served.',
  chart: {
    type: 'table',
    dataView: weblogsAccess,
    rows: [{ agg: 'terms', field: 'url.path', size: 15, rankBy: 'metric', label: 'Path' }],
    metrics: [
      { agg: 'count', label: 'Requests' },
      { agg: 'sum', field: 'http.response.body.bytes', label: 'Bytes', format: { id: 'bytes', decimals: 1 } },
    ],
    sort: { by: 'metric', index: 0, direction: 'desc' },
  },
};

/** Most frequent referrers. */
export const topReferrers: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-top-referrers',
  title: 'Top referrers',
  description: 'Most frequent http.request.referrer (requests without a referrer are not counted).',
  chart: {
    type: 'table',
    dataView: weblogsAccess,
    rows: [{ agg: 'terms', field: 'http.request.referrer', size: 15, rankBy: 'metric', label: 'Referrer' }],
    metrics: [{ agg: 'count', label: 'Requests' }],
    sort: { by: 'metric', index: 0, direction: 'desc' },
  },
};

/** Browsers (user_agent.name). */
export const browsers: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-browsers',
  title: 'Browsers',
  description: 'Requests by user_agent.name (ua-parser-js).',
  chart: {
    type: 'pie',
    donut: true,
    dataView: weblogsAccess,
    slices: { agg: 'terms', field: 'user_agent.name', size: 8, rankBy: 'metric', label: 'Browser' },
    metric: { agg: 'count', label: 'Requests' },
  },
};

/** Operating systems (user_agent.os.name). */
export const operatingSystems: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-operating-systems',
  title: 'Operating systems',
  description: 'Requests by user_agent.os.name (ua-parser-js).',
  chart: {
    type: 'pie',
    donut: true,
    dataView: weblogsAccess,
    slices: { agg: 'terms', field: 'user_agent.os.name', size: 8, rankBy: 'metric', label: 'Operating system' },
    metric: { agg: 'count', label: 'Requests' },
  },
};

/** Crawlers vs people (weblogs.crawler from isbot). */
export const crawlerShare: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-crawler-share',
  title: 'Crawler share',
  description: 'Requests by weblogs.crawler (true: the user agent is a bot according to isbot).',
  chart: {
    type: 'pie',
    dataView: weblogsAccess,
    slices: { agg: 'terms', field: 'weblogs.crawler', size: 2, rankBy: 'metric', label: 'Crawler' },
    metric: { agg: 'count', label: 'Requests' },
  },
};

/** Bytes served over time. */
export const bytesServed: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-bytes-served',
  title: 'Bytes served',
  description: 'Sum of http.response.body.bytes per interval.',
  chart: {
    type: 'xy',
    legend: 'bottom',
    layers: [
      {
        dataView: weblogsAccess,
        series: 'area',
        x: { agg: 'date_histogram', field: '@timestamp' },
        metrics: [{ agg: 'sum', field: 'http.response.body.bytes', label: 'Bytes served', format: { id: 'bytes', decimals: 1 } }],
      },
    ],
  },
};

/** Total bytes served in the time range. */
export const bytesTotal: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-bytes-total',
  title: 'Bytes served (total)',
  description: 'Sum of http.response.body.bytes in the time range.',
  chart: {
    type: 'metric',
    dataView: weblogsAccess,
    metric: { agg: 'sum', field: 'http.response.body.bytes', label: 'Bytes served', format: { id: 'bytes', decimals: 1 } },
  },
};

/** 95th percentile of the response size. */
export const responseSizeP95: LensDef = {
  kind: 'lens',
  id: 'rtas-lens-web-response-size-p95',
  title: 'Response size, 95th percentile',
  description: '95th percentile of http.response.body.bytes in the time range.',
  chart: {
    type: 'metric',
    dataView: weblogsAccess,
    metric: { agg: 'percentiles', field: 'http.response.body.bytes', percentile: 95, label: 'p95 response size', format: { id: 'bytes', decimals: 1 } },
  },
};

/** The web traffic dashboard. */
export const webTrafficDashboard: DashboardDef = {
  id: 'rtas-dashboard-web-traffic',
  title: 'Web traffic',
  description:
    'Access logs as they arrive: status classes, 5xx share, where clients are, what they ask for, with which browsers; crawlers and bytes; the servers\' error-log entries by level.',
  timeFrom: 'now-24h',
  timeTo: 'now',
  refreshIntervalMs: 10_000,
  panels: [
    { object: requestsByStatusClass, w: 32, h: 12 },
    { object: bytesTotal, w: 8, h: 12 },
    { object: responseSizeP95, w: 8, h: 12 },
    { object: errorShare, w: 24, h: 11 },
    { object: bytesServed, w: 24, h: 11 },
    { object: errorsByLevel, w: 48, h: 11 },
    { object: clientsMap, w: 32, h: 18 },
    { object: topCountries, w: 16, h: 18 },
    { object: topPaths, w: 24, h: 15 },
    { object: topReferrers, w: 24, h: 15 },
    { object: browsers, w: 16, h: 12 },
    { object: operatingSystems, w: 16, h: 12 },
    { object: crawlerShare, w: 16, h: 12 },
  ],
};
