/// <reference lib="dom" />
/**
 * Web traffic view: KPIs, requests per minute by status class, status mix, clients' countries on a
 * world map and as a table, bytes served, 5xx share (window stream), error-log entries per minute by
 * level (nginx/Apache error logs), top paths, crawlers vs people, recent error responses.
 */
import type { WebView } from '../../api-types.js';
import { barCell, categoryAxis, COLORS, kpiTiles, Panel, table, valueAxis } from '../charts.js';
import { axisTime, bytes, dateTime, esc, int, interval, pct, short } from '../format.js';

type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';
const CLASS_ORDER: StatusClass[] = ['2xx', '3xx', '4xx', '5xx', '1xx'];
const classOf = (code: number): StatusClass => `${Math.floor(code / 100)}xx` as StatusClass;

let worldLoaded: Promise<void> | undefined;
/** Registers the world map (GeoJSON from the server, features named by ISO alpha-2) once. */
function loadWorld(): Promise<void> {
  worldLoaded ??= fetch('/geo/world.json')
    .then((r) => {
      if (!r.ok) throw new Error(`world map: HTTP ${r.status}`);
      return r.json();
    })
    .then((geo) => echarts.registerMap('world', geo));
  return worldLoaded;
}

/** The view's panels; `render` redraws them all from one API answer. */
export function createWebView(root: HTMLElement): { panels: Panel[]; render(d: WebView): Promise<void> } {
  const p = {
    kpis: new Panel(root, { id: 'web-kpis', title: 'Traffic at a glance', span: 12, kind: 'html' }),
    rpm: new Panel(root, { id: 'web-requests-per-minute', title: 'Requests per minute by status class', hint: 'logs-weblogs.access: count per bucket ÷ minutes per bucket', span: 8, height: 280, kind: 'chart' }),
    status: new Panel(root, { id: 'web-status-mix', title: 'Status mix', hint: 'http.response.status_code', span: 4, height: 280, kind: 'chart' }),
    map: new Panel(root, { id: 'web-world-map', title: 'Where clients are', hint: 'source.geo.country_iso_code (GeoIP: DB-IP City Lite); drag to pan, scroll to zoom', span: 8, height: 360, kind: 'chart' }),
    countries: new Panel(root, { id: 'web-top-countries', title: 'Top countries', hint: 'requests by client country', span: 4, kind: 'html' }),
    bytes: new Panel(root, { id: 'web-bytes', title: 'Bytes served', hint: 'sum of http.response.body.bytes per bucket', span: 6, height: 220, kind: 'chart' }),
    errors: new Panel(root, { id: 'web-5xx-share', title: '5xx share', hint: 'metrics-weblogs.traffic_1m window stream: share per bucket and worst minute', span: 6, height: 220, kind: 'chart' }),
    levels: new Panel(root, { id: 'web-errors-per-minute', title: 'Errors per minute by level', hint: 'logs-weblogs.error (nginx/Apache error logs): entries per bucket ÷ minutes per bucket, by log.level', span: 12, height: 220, kind: 'chart' }),
    paths: new Panel(root, { id: 'web-top-paths', title: 'Top paths', hint: 'url.path by requests, with bytes served', span: 7, kind: 'html' }),
    crawlers: new Panel(root, { id: 'web-crawlers', title: 'Crawlers vs people', hint: 'weblogs.crawler (isbot) per bucket', span: 5, height: 260, kind: 'chart' }),
    recent: new Panel(root, { id: 'web-recent-errors', title: 'Recent errors', hint: 'latest responses with status ≥ 400', span: 12, kind: 'html' }),
  };

  async function render(d: WebView): Promise<void> {
    const span = d.range.to - d.range.from;
    const labels = d.requestsPerMinute.t.map((t) => axisTime(t, span));
    const k = d.kpis;
    const minutes = span / 60_000;
    p.kpis.setHtml(
      kpiTiles([
        { label: 'Requests', value: int(k.requests), sub: `${short(k.requests / minutes)} per minute on average` },
        { label: '5xx errors', value: pct(k.errorShare, 2), sub: `${int(k.errors5xx)} responses`, tone: k.errorShare > 0.01 ? 'bad' : 'good' },
        { label: 'Bytes served', value: bytes(k.bytes), sub: k.p95Bytes === null ? undefined : `p95 response ${bytes(k.p95Bytes)}` },
        { label: 'Clients', value: int(k.clients), sub: 'distinct source.ip' },
        { label: 'Crawlers', value: pct(k.crawlerShare), sub: `${int(d.crawlers.totalCrawlers)} requests by bots` },
      ]),
      k.requests,
    );

    const classSeries = CLASS_ORDER.filter((c) => c !== '1xx' || d.requestsPerMinute.classes['1xx'].some((v) => v > 0)).map((c) => ({
      name: c,
      type: 'bar' as const,
      stack: 'requests',
      barCategoryGap: '15%',
      itemStyle: { color: COLORS[c] },
      emphasis: { focus: 'series' as const },
      data: d.requestsPerMinute.classes[c],
    }));
    p.rpm.setChart(
      {
        legend: { ...legend(), data: classSeries.map((s) => s.name) },
        tooltip: { trigger: 'axis', valueFormatter: (v) => `${Number(v).toFixed(2)} req/min` },
        xAxis: categoryAxis(labels),
        yAxis: valueAxis(short, { name: `req/min (${interval(d.range.intervalMs)} buckets)`, nameTextStyle: { color: COLORS.muted, align: 'left' } }),
        series: classSeries,
      },
      d.requestsPerMinute.t.length,
    );

    p.status.setChart(
      {
        title: { text: short(k.requests), subtext: 'requests', left: 'center', top: '36%', textStyle: { color: COLORS.text, fontSize: 20, fontWeight: 'bold' }, subtextStyle: { color: COLORS.muted }, itemGap: 2 },
        tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
        legend: { show: true, bottom: 0, top: 'auto', textStyle: { color: COLORS.muted }, itemWidth: 8, itemHeight: 8 },
        series: [
          {
            type: 'pie',
            radius: ['46%', '72%'],
            center: ['50%', '45%'],
            itemStyle: { borderColor: '#121826', borderWidth: 2 },
            minShowLabelAngle: 25,
            label: { color: COLORS.text, formatter: '{b}\n{d}%', fontSize: 11 },
            labelLine: { lineStyle: { color: COLORS.axis } },
            data: d.statusCodes.map((s) => ({ name: String(s.code), value: s.count, itemStyle: { color: shade(COLORS[classOf(s.code)], s.code) } })),
          },
        ],
      },
      d.statusCodes.length,
    );

    await loadWorld();
    const maxLog = Math.log10(Math.max(1, ...d.countries.map((c) => c.requests)));
    p.map.setChart(
      {
        tooltip: {
          trigger: 'item',
          formatter: (x: unknown) => {
            const it = x as { data?: { country: string; requests: number }; name: string };
            return it.data ? `${esc(it.data.country)}<br/><b>${int(it.data.requests)}</b> requests` : `${esc(it.name)}: no requests`;
          },
        },
        visualMap: {
          type: 'continuous',
          min: 0,
          max: Math.max(maxLog, 1),
          left: 12,
          bottom: 12,
          itemHeight: 90,
          text: ['more', 'fewer'],
          textStyle: { color: COLORS.muted },
          calculable: false,
          inRange: { color: ['#1f3a5f', '#2f6db5', '#5b8def', '#9cc0ff'] },
        },
        series: [
          {
            type: 'map',
            map: 'world',
            nameProperty: 'iso2',
            roam: true,
            showLegendSymbol: false,
            zoom: 1.15,
            center: [10, 20],
            itemStyle: { areaColor: '#1b2232', borderColor: '#33405a', borderWidth: 0.5 },
            emphasis: { label: { show: false }, itemStyle: { areaColor: '#f2b84b' } },
            select: { disabled: true },
            data: d.countries.map((c) => ({ name: c.iso2, value: Math.log10(c.requests + 1), country: c.name, requests: c.requests })),
          } as never,
        ],
      },
      d.countries.length,
    );

    const topCountries = d.countries.slice(0, 12);
    const maxCountry = topCountries[0]?.requests ?? 1;
    p.countries.setHtml(
      table(
        ['Country', 'Requests'],
        topCountries.map((c) => [`<span class="ellipsis"><span class="cc">${esc(c.iso2)}</span>${esc(c.name)}</span>`, barCell(c.requests, maxCountry, int(c.requests))]),
        ['', '45%'],
      ) + (d.unknownCountry > 0 ? `<p class="foot">${int(d.unknownCountry)} requests without a GeoIP location</p>` : ''),
      topCountries.length,
    );

    p.bytes.setChart(
      {
        legend: { show: false },
        tooltip: { trigger: 'axis', valueFormatter: (v) => bytes(Number(v)) },
        xAxis: categoryAxis(labels, { boundaryGap: false }),
        yAxis: valueAxis(bytes),
        series: [
          {
            name: 'Bytes served',
            type: 'line',
            smooth: true,
            showSymbol: false,
            lineStyle: { width: 2, color: COLORS.series[0] },
            areaStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: 'rgba(91,141,239,0.45)' }, { offset: 1, color: 'rgba(91,141,239,0.02)' }]) },
            data: d.bytes.bytes,
          },
        ],
      },
      d.bytes.t.length,
    );

    const shareLabels = d.errorShare.t.map((t) => axisTime(t, span));
    const hasWindows = d.errorShare.mean.some((v) => v !== null);
    if (hasWindows) {
      p.errors.setChart(
        {
          legend: legend(),
          tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '–' : pct(Number(v), 2)) },
          xAxis: categoryAxis(shareLabels, { boundaryGap: false }),
          yAxis: valueAxis((v) => pct(v, 1)),
          series: [
            { name: '5xx share', type: 'line', showSymbol: false, connectNulls: false, lineStyle: { width: 2, color: COLORS['5xx'] }, areaStyle: { color: 'rgba(239,90,111,0.15)' }, data: d.errorShare.mean },
            { name: 'worst minute', type: 'line', showSymbol: false, lineStyle: { width: 1, type: 'dashed', color: COLORS['4xx'] }, data: d.errorShare.worst },
          ],
        },
        d.errorShare.mean.filter((v) => v !== null).length,
      );
    } else {
      p.errors.setEmpty(`No windows in ${d.streams[1]} for this range: the processor writes them unless it runs with --no-windows.`);
    }

    const e = d.errorsPerMinute;
    if (e.total > 0) {
      p.levels.setChart(
        {
          legend: { ...legend(), data: e.levels },
          tooltip: { trigger: 'axis', valueFormatter: (v) => `${Number(v).toFixed(2)} /min` },
          xAxis: categoryAxis(e.t.map((t) => axisTime(t, span))),
          // Error rates are often below one per minute: two decimals there, so tick labels stay distinct.
          yAxis: valueAxis((v) => (v < 1 ? v.toFixed(2) : short(v)), { name: `entries/min (${interval(d.range.intervalMs)} buckets)`, nameTextStyle: { color: COLORS.muted, align: 'left' } }),
          series: e.levels.map((level) => ({
            name: level,
            type: 'bar' as const,
            stack: 'levels',
            barCategoryGap: '15%',
            itemStyle: { color: LEVEL_COLORS[level] ?? LEVEL_COLORS.trace },
            emphasis: { focus: 'series' as const },
            data: e.series[level],
          })),
        },
        e.total,
      );
    } else {
      p.levels.setEmpty(`No error-log entries in ${d.streams[2]} for this range: read nginx or Apache error logs with --watch errorlogs=/var/log/nginx/error.log.`);
    }

    p.crawlers.setChart(
      {
        legend: legend(),
        tooltip: { trigger: 'axis' },
        xAxis: categoryAxis(labels, { boundaryGap: false }),
        yAxis: valueAxis(short),
        series: [
          { name: `People (${pct(1 - k.crawlerShare, 0)})`, type: 'line', stack: 'who', showSymbol: false, lineStyle: { width: 1 }, areaStyle: { opacity: 0.55 }, itemStyle: { color: COLORS.series[0] }, data: d.crawlers.people },
          { name: `Crawlers (${pct(k.crawlerShare, 0)})`, type: 'line', stack: 'who', showSymbol: false, lineStyle: { width: 1 }, areaStyle: { opacity: 0.55 }, itemStyle: { color: COLORS.series[3] }, data: d.crawlers.crawlers },
        ],
      },
      d.crawlers.t.length,
    );

    const maxPath = d.topPaths[0]?.requests ?? 1;
    p.paths.setHtml(
      table(
        ['Path', 'Requests', 'Bytes'],
        d.topPaths.map((x) => [`<span class="mono ellipsis" title="${esc(x.path)}">${esc(x.path)}</span>`, barCell(x.requests, maxPath, int(x.requests)), `<span class="num">${bytes(x.bytes)}</span>`]),
        ['', '30%', '90px'],
      ),
      d.topPaths.length,
    );

    if (d.recentErrors.length === 0) {
      p.recent.setEmpty('No responses with status ≥ 400 in this time range.');
    } else {
      p.recent.setHtml(
        table(
          ['Time', 'Status', 'Request', 'Client', 'Country', 'User agent'],
          d.recentErrors.map((e) => [
            `<span class="num">${dateTime(e.time)}</span>`,
            `<span class="badge s${esc(String(classOf(e.status)))}">${esc(String(e.status))}</span>`,
            `<span class="mono ellipsis" title="${esc(e.path)}"><b>${esc(e.method)}</b> ${esc(e.path)}</span>`,
            `<span class="mono">${esc(e.client)}</span>`,
            esc(e.country ?? '–'),
            `<span class="ellipsis">${esc(e.userAgent ?? '–')}</span>`,
          ]),
          ['165px', '74px', '', '130px', '150px', '22%'],
        ),
        d.recentErrors.length,
      );
    }
  }

  return { panels: Object.values(p), render };
}

/** Colours of the error-log levels: the most severe red, warnings amber, chatter grey. */
const LEVEL_COLORS: Record<string, string> = {
  emerg: '#8f1d33',
  alert: '#b3364a',
  crit: '#d6455d',
  error: COLORS['5xx'],
  warn: COLORS['4xx'],
  notice: COLORS.series[0],
  info: COLORS.series[5],
  debug: COLORS.muted,
  trace: '#5d6677',
};

function legend(): Record<string, unknown> {
  return { show: true, top: 0, right: 0, textStyle: { color: COLORS.muted } };
}

/** Lighter or darker variants of a class colour so codes of one class stay apart. */
function shade(hex: string, code: number): string {
  const k = [1, 0.8, 1.2, 0.65, 1.35][code % 5]!;
  const n = parseInt(hex.slice(1), 16);
  const ch = (s: number): number => Math.max(0, Math.min(255, Math.round(((n >> s) & 255) * k)));
  return `rgb(${ch(16)},${ch(8)},${ch(0)})`;
}
