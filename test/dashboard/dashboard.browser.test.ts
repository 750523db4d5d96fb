/**
 * The dashboard in a real browser: the samples (real access log, generated headlines, real HSI
 * candles fanned out to ticks plus generated US ticks) are ingested by the real processor into a
 * fresh namespace of the real Elasticsearch, the dashboard server runs against it, and headless
 * Chromium (the distribution's `chromium`, driven by playwright-core) loads the page:
 *
 * - every panel of the three views renders with data (`data-state="ready"`, points > 0), the KPIs
 *   equal counts taken from Elasticsearch directly, and the page logs no console error;
 * - the time-range controls change the data: a custom range shows that range's count, a relative
 *   preset with no data shows the out-of-range empty state, "Fit to data" brings all of it back;
 * - clicking a symbol draws its candles;
 * - opened without parameters, the page shows the last hour of live data and refreshes every 10 s
 *   (never faster than the server's minimum, 5 s);
 * - a namespace with nothing ingested shows the explanatory empty state on every view, not an error;
 * - the API rejects bad parameters with 400 and a message naming them.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { ViewName } from '../../scripts/dashboard/api-types.js';
import { launchChromium, newDashboardPage, openView, waitForLoad } from '../../scripts/dashboard/browser.js';
import { DEMO_VIEWS, ingestDemoData } from '../../scripts/dashboard/demo-data.js';
import { createWeblogGenerator } from '../../generators/weblogs/index.js';
import { esConnectionFromOptions } from '../../processor/elasticsearch/connection.js';
import { startProcessor } from '../../processor/processor.js';
import { createDashboardClient } from '../../scripts/dashboard/elasticsearch.js';
import { startDashboardServer, type DashboardServer } from '../../scripts/dashboard/server.js';
import { countDocs, es, esUrl, quietLog, tempDir, uniqueNamespace } from '../support/stack.js';

const namespace = uniqueNamespace('dash');
const emptyNamespace = uniqueNamespace('dashempty');
let server: DashboardServer;
let emptyServer: DashboardServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  const summaries = await ingestDemoData({ es: esConnectionFromOptions({ esUrl }), namespace, workDir: tempDir('dashboard-demo'), log: quietLog });
  expect(summaries.weblogs).toMatchObject({ lines: 10_000, indexed: 10_000, rejected: 0 });
  expect(summaries.news.rejected).toBe(0);
  expect(summaries.ticks.rejected).toBe(0);
  // The demo error log: one Apache entry per 404 (213), 403 (2) and 500 (3) of the access log.
  expect(summaries.errorlogs).toMatchObject({ indexed: 218, rejected: 0 });
  server = await startDashboardServer({ es, esUrl, namespace, port: 0, log: quietLog });
  emptyServer = await startDashboardServer({ es, esUrl, namespace: emptyNamespace, port: 0, log: quietLog });
  browser = await launchChromium();
  page = await newDashboardPage(browser);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await emptyServer?.close();
  await es.close();
});

const demo = (view: ViewName) => DEMO_VIEWS.find((v) => v.view === view)!;

/** The KPI tiles of the visible view as label → number (`10,000` → 10000, `0.03 %` → 0.03). */
async function kpis(p: Page): Promise<Record<string, number>> {
  return p.$$eval('.grid.active .kpi', (tiles) =>
    Object.fromEntries(tiles.map((t) => [t.querySelector('.kpi-label')!.textContent!.trim(), Number(t.querySelector('.kpi-value')!.textContent!.replace(/[^0-9.+-]/g, ''))])),
  );
}

/** State and point count of every panel of `view`. */
async function panels(p: Page, view: ViewName): Promise<{ id: string; state: string; points: number }[]> {
  return p.$$eval(`.grid[data-view="${view}"] [data-panel]`, (els) =>
    els.map((e) => ({ id: (e as HTMLElement).dataset.panel!, state: (e as HTMLElement).dataset.state!, points: Number((e as HTMLElement).dataset.points ?? 0) })),
  );
}

const range = (from: string, to: string) => ({ range: { '@timestamp': { gte: from, lt: to } } });

describe('dashboard in headless Chromium', () => {
  it.each(['web', 'news', 'markets'] as const)('%s: every panel renders with data, no console error', async (view) => {
    const d = demo(view);
    await openView(page, server.url, view, d.from, d.to, d.params);
    expect(await page.isHidden('#error')).toBe(true);
    expect(await page.isHidden('#empty')).toBe(true);
    const ps = await panels(page, view);
    expect(ps.length).toBeGreaterThanOrEqual(4);
    expect(ps.filter((p) => p.state !== 'ready' || p.points <= 0)).toEqual([]);
    // Charts are really drawn: each chart panel holds a canvas of non-zero size.
    const charts = await page.$$eval(`.grid[data-view="${view}"] .body.chart`, (bs) => bs.map((b) => (b.querySelector('canvas')?.width ?? 0) > 0));
    expect(charts.length).toBeGreaterThanOrEqual(3);
    expect(charts.every(Boolean)).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('web: the errors-per-minute panel counts the error-log entries by level', async () => {
    const d = demo('web');
    await openView(page, server.url, 'web', d.from, d.to);
    const p = (await panels(page, 'web')).find((x) => x.id === 'web-errors-per-minute')!;
    expect(p).toMatchObject({ state: 'ready', points: await countDocs(`logs-weblogs.error-${namespace}`, range(d.from, d.to)) });
    expect(p.points).toBe(218);
    const r = (await (await fetch(`${server.url}api/views/web?from=${d.from}&to=${d.to}`)).json()) as {
      range: { intervalMs: number };
      errorsPerMinute: { levels: string[]; series: Record<string, number[]> };
    };
    expect(r.errorsPerMinute.levels).toEqual(['error', 'info']);
    // Per-minute rates × minutes per bucket add up to the counts (5 errors: 2 × 403, 3 × 500; 213 × 404).
    const sum = (l: string) => Math.round(r.errorsPerMinute.series[l]!.reduce((a, b) => a + b, 0) * (r.range.intervalMs / 60_000));
    expect([sum('error'), sum('info')]).toEqual([5, 213]);
  });

  it('web KPIs equal counts taken from Elasticsearch directly', async () => {
    const d = demo('web');
    await openView(page, server.url, 'web', d.from, d.to);
    const k = await kpis(page);
    const stream = `logs-weblogs.access-${namespace}`;
    expect(k.Requests).toBe(await countDocs(stream, range(d.from, d.to)));
    expect(k.Requests).toBe(10_000);
    expect(k.Clients).toBeGreaterThan(1_000);
    const crawlers = await countDocs(stream, { bool: { filter: [range(d.from, d.to), { term: { 'weblogs.crawler': true } }] } });
    expect(k.Crawlers).toBeCloseTo((crawlers / 10_000) * 100, 1);
    // The world map and the countries table cover the GeoIP countries.
    const rows = await page.$$eval('[data-panel="web-top-countries"] tbody tr', (r) => r.length);
    expect(rows).toBeGreaterThan(5);
  });

  it('the time-range control changes the data: custom range, relative preset, fit to data', async () => {
    const d = demo('web');
    await openView(page, server.url, 'web', d.from, d.to);
    expect((await kpis(page)).Requests).toBe(10_000);

    // A custom range of one day, typed into the controls (the page runs in UTC).
    const loads = Number(await page.evaluate(() => document.body.dataset.loaded));
    await page.fill('#from', '2015-05-18T00:00');
    await page.fill('#to', '2015-05-19T00:00');
    await page.click('#apply');
    await waitForLoad(page, 'web', loads);
    const day = await countDocs(`logs-weblogs.access-${namespace}`, range('2015-05-18T00:00:00Z', '2015-05-19T00:00:00Z'));
    expect(day).toBeGreaterThan(0);
    expect(day).toBeLessThan(10_000);
    expect((await kpis(page)).Requests).toBe(day);
    expect(page.url()).toContain(encodeURIComponent('2015-05-18T00:00:00.000Z'));
    const bars = (await panels(page, 'web')).find((p) => p.id === 'web-requests-per-minute')!;
    expect(bars.points).toBe(96); // one day in 15-minute buckets (at most 120 buckets)

    // A relative preset: the sample is from 2015, so the last hour holds nothing → out-of-range state.
    const loads2 = Number(await page.evaluate(() => document.body.dataset.loaded));
    await page.selectOption('#range', 'now-1h');
    await waitForLoad(page, 'web', loads2);
    expect(await page.isVisible('#empty')).toBe(true);
    expect(await page.getAttribute('#empty', 'data-kind')).toBe('out-of-range');
    expect(await page.textContent('#empty-message')).toContain('2015-05-17T10:05:00Z');

    // Fit to data: the whole sample again.
    const loads3 = Number(await page.evaluate(() => document.body.dataset.loaded));
    await page.click('#empty-fit');
    await waitForLoad(page, 'web', loads3);
    expect(await page.isHidden('#empty')).toBe(true);
    expect((await kpis(page)).Requests).toBe(10_000);
    expect(consoleErrors).toEqual([]);
  });

  it('refreshes by itself: 10 s by default, and at the interval chosen', async () => {
    const d = demo('news');
    await page.goto(`${server.url}#/news?from=${d.from}&to=${d.to}`);
    await waitForLoad(page, 'news', 0);
    expect(await page.inputValue('#refresh')).toBe('10');
    // A 1-second interval asked in the URL is raised to the server's minimum (5 s), and the page loads
    // the view again without any input.
    const loads = Number(await page.evaluate(() => document.body.dataset.loaded));
    await page.goto(`${server.url}#/news?from=${d.from}&to=${d.to}&refresh=1`);
    await waitForLoad(page, 'news', loads);
    expect(await page.inputValue('#refresh')).toBe('5');
    expect(await page.$$eval('#refresh option', (o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(['0', '5', '10', '30', '60', '300']);
    const loaded = Number(await page.evaluate(() => document.body.dataset.loaded));
    await waitForLoad(page, 'news', loaded);
    expect(await page.isHidden('#error')).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('markets: clicking a symbol draws its candles', async () => {
    const d = demo('markets');
    await openView(page, server.url, 'markets', d.from, d.to, d.params);
    expect(await page.textContent('[data-panel="markets-candles"] h2')).toContain('HSI');
    const symbols = await page.$$eval('[data-symbol]', (b) => b.map((x) => (x as HTMLElement).dataset.symbol));
    expect(symbols.sort()).toEqual(['AAPL', 'HSI', 'MSFT', 'NVDA']);
    const loads = Number(await page.evaluate(() => document.body.dataset.loaded));
    await page.click('[data-symbol="AAPL"]');
    await waitForLoad(page, 'markets', loads);
    expect(await page.textContent('[data-panel="markets-candles"] h2')).toContain('AAPL');
    expect(await page.getAttribute('[data-symbol="AAPL"]', 'class')).toContain('selected');
    const candles = (await panels(page, 'markets')).find((p) => p.id === 'markets-candles')!;
    // Two New York sessions of 6.5 hours in 30-minute candles.
    expect(candles.points).toBe(26);
    expect(consoleErrors).toEqual([]);
  });

  it('opened without parameters: the web view over the last hour, refreshing every 10 s, shows live data', async () => {
    // 240 generated lines over the last 30 minutes, indexed by the processor into their own namespace.
    const live = uniqueNamespace('dashlive');
    const dir = tempDir('dashboard-live');
    const gen = createWeblogGenerator({ seed: 11 });
    const now = Date.now();
    writeFileSync(path.join(dir, 'access.log'), Array.from({ length: 240 }, (_, i) => gen.next(new Date(now - 30 * 60_000 + i * 7_500))).join('\n') + '\n');
    const handle = await startProcessor({ watch: [dir], once: true, es: esConnectionFromOptions({ esUrl }), namespace: live, dataDir: tempDir('dashboard-live-data'), log: quietLog });
    expect((await handle.done).indexed).toBe(240);
    // And 12 nginx error-log entries over the same half hour, for the errors-per-minute panel.
    const errDir = tempDir('dashboard-live-errors');
    const stamp = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/');
    writeFileSync(
      path.join(errDir, 'error.log'),
      Array.from({ length: 12 }, (_, i) => `${stamp(now - 30 * 60_000 + i * 150_000)} [${i % 3 ? 'error' : 'warn'}] 7#7: *${i + 1} open() "/srv/www/x${i}" failed (2: No such file or directory), client: 81.2.69.160, server: live, request: "GET /x${i} HTTP/1.1", host: "live"`).join('\n') + '\n',
    );
    const errHandle = await startProcessor({ watch: [`errorlogs=${errDir}`], once: true, es: esConnectionFromOptions({ esUrl }), namespace: live, dataDir: tempDir('dashboard-live-errors-data'), log: quietLog });
    expect(await errHandle.done).toMatchObject({ indexed: 12, rejected: 0 });
    // The per-minute windows are indexed after the raw lines: make them searchable before the page asks.
    await es.indices.refresh({ index: `logs-*-${live},metrics-*-${live}` });
    const liveServer = await startDashboardServer({ es, esUrl, namespace: live, port: 0, log: quietLog });
    try {
      await page.goto(liveServer.url);
      await waitForLoad(page, 'web', 0);
      expect(page.url()).toBe(liveServer.url);
      expect(await page.inputValue('#range')).toBe('now-1h');
      expect(await page.inputValue('#refresh')).toBe('10');
      expect((await kpis(page)).Requests).toBe(240);
      expect((await panels(page, 'web')).filter((p) => p.state !== 'ready')).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await liveServer.close();
    }
  });

  it.each(['web', 'news', 'markets'] as const)('%s on an empty namespace: an explanatory empty state, not an error', async (view) => {
    await openView(page, emptyServer.url, view, 'now-1h', 'now');
    expect(await page.isHidden('#error')).toBe(true);
    expect(await page.isVisible('#empty')).toBe(true);
    expect(await page.getAttribute('#empty', 'data-kind')).toBe('no-data');
    expect(await page.textContent('#empty-message')).toContain(emptyNamespace);
    expect(await page.textContent('#empty-message')).toContain('npm start');
    expect(await page.isVisible(`.grid[data-view="${view}"]`)).toBe(false);
    expect(consoleErrors).toEqual([]);
  });
});

describe('dashboard API', () => {
  it('Elasticsearch unreachable: 502 with the reason, health 503, no credentials in any answer', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const url = 'http://elastic:not-a-real-secret@127.0.0.1:9';
    const down = createDashboardClient(url);
    const s = await startDashboardServer({ es: down, esUrl: url, namespace, port: 0, log: quietLog });
    try {
      const r = await fetch(`${s.url}api/views/web`);
      expect(r.status).toBe(502);
      const text = await r.text();
      expect(text).toContain('Elasticsearch is unreachable');
      expect(text).not.toContain('not-a-real-secret');
      expect((await fetch(`${s.url}healthz`)).status).toBe(503);
      expect(await (await fetch(`${s.url}api/config`)).text()).not.toContain('not-a-real-secret');
    } finally {
      await s.close();
      await down.close();
    }
  });

  it('rejects bad parameters with 400 naming each problem, unknown views with 404', async () => {
    const bad = await fetch(`${server.url}api/views/web?from=yesterday&to=now&color=red`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string };
    expect(body.error).toContain('from: "yesterday" is not a time');
    expect(body.error).toContain('unknown parameter "color"');
    const reversed = await fetch(`${server.url}api/views/news?from=now&to=now-1h`);
    expect(reversed.status).toBe(400);
    expect(((await reversed.json()) as { error: string }).error).toContain('must be before');
    const symbol = await fetch(`${server.url}api/views/markets?symbol=${encodeURIComponent('a b')}`);
    expect(symbol.status).toBe(400);
    expect((await fetch(`${server.url}api/views/sales`)).status).toBe(404);
    expect((await fetch(`${server.url}api/views/web`, { method: 'POST' })).status).toBe(405);
  });

  it('answers health, config without credentials, a page with a CSP, and serves ECharts and the map from the server', async () => {
    expect((await fetch(`${server.url}healthz`)).status).toBe(200);
    const page0 = await fetch(server.url);
    expect(page0.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cfg = (await (await fetch(`${server.url}api/config`)).json()) as { namespace: string; elasticsearch: string };
    expect(cfg.namespace).toBe(namespace);
    expect(cfg.elasticsearch).not.toMatch(/@/);
    const echartsJs = await fetch(`${server.url}vendor/echarts.min.js`);
    expect(echartsJs.status).toBe(200);
    expect((await echartsJs.text()).length).toBeGreaterThan(500_000);
    const world = (await (await fetch(`${server.url}geo/world.json`)).json()) as { features: { properties: { iso2: string } }[] };
    expect(world.features.map((f) => f.properties.iso2)).toEqual(expect.arrayContaining(['US', 'FR', 'DE', 'CN', 'BR']));
  });
});
