/**
 * Synthetic web access logs for the fixed site in {@link module:generators/weblogs/sitemap}.
 *
 * Traffic model (all numbers are tunable constants below, chosen to resemble
 * the real sample `apache_logs` — ~91 % 200, 4.5 % 304, 2 % 404, 1.6 % 301,
 * 0.5 % 206, ~0.1 % 403/416/500 — and common web-analytics figures):
 *
 * - Two pools of simulated sessions, each scheduled by "next due time" in a
 *   min-heap: humans (browsers, plus a few vulnerability scanners, staff using
 *   basic auth, and download tools) and crawlers. Each line first picks the pool
 *   (crawler with probability `crawlerShare`, default 0.2), then the session
 *   that is due first. If no session is due yet, a new one starts, so the
 *   number of concurrent sessions adapts to the line rate (capped by `maxSessions`;
 *   beyond the cap sessions are simply served early).
 * - A browser session: landing page chosen by traffic source (direct 36 %,
 *   search engine 34 %, social/external 15 %, dead or legacy external links 5 %,
 *   internal 10 %), then the page's subresources (shared CSS/JS/fonts once per
 *   session — 304 or skipped for returning visitors —, page images, XHR API
 *   calls, product videos with 206 range requests) with the page as Referer
 *   (fonts and sprite with the stylesheet as Referer), then a think time
 *   (exponential, mean 30 s) and the next page by a per-page-kind navigation
 *   model (search, add to cart, login with POST-redirect-GET, checkout, PDF downloads …).
 *   40 % of sessions bounce after one page. Returning visitors (30 %) reuse a
 *   client (IP + UA) from a pool.
 * - Crawlers (Googlebot, bingbot, AhrefsBot, YandexBot, Baiduspider,
 *   archive.org_bot): robots.txt, sitemap, pages, legacy URLs (301), dead
 *   URLs (404), conditional GETs (304), some HEAD, no Referer.
 * - Errors: every application request (HTML, API, form posts) fails with 500
 *   with probability 0.08 %; additionally "incidents" start on average every
 *   `errorBursts.meanIntervalSec` seconds of event time and last 3–12 s, during
 *   which 65 % of application requests get 503/502/504/500 (static files are
 *   still served). A failed HTML page loses its subresources.
 *
 * Determinism: the output depends only on `seed`, `start` and the sequence of
 * event times passed to `next()`; no wall-clock or global state is read.
 *
 * @module generators/weblogs/generator
 */
import { MinHeap } from '../common/heap.js';
import { createRandom, weightedTable, type WeightedTable } from '../common/random.js';
import type { LineGenerator } from '../common/run.js';
import { formatCombined, type WeblogEntry } from './format.js';
import { addressIn, randomPublicIPv4, randomPublicIPv6 } from './network.js';
import {
  ADMIN_PAGES,
  APPLE_TOUCH_ICON,
  APPLE_TOUCH_ICON_PRECOMPOSED,
  DEAD_LINKS,
  DOWNLOADS,
  FEED_XML,
  LEGACY_REDIRECTS,
  PAGES,
  POST_PRODUCT,
  PRODUCT_THUMBS,
  ROBOTS_TXT,
  SCANNER_PROBES,
  SEARCH_PAGE,
  SEARCH_TERMS,
  SHARED_ASSETS,
  SITEMAP_XML,
  page as pageAt,
  stableSize,
  type Asset,
  type Page,
  type PageKind,
} from './sitemap.js';
import { CRAWLER_TABLE, SCANNER_USER_AGENTS, TOOL_USER_AGENTS, randomBrowser, type CrawlerSpec } from './user-agents.js';

/** Incident ("5xx burst") settings; see the module documentation. */
export interface ErrorBurstOptions {
  /** Mean event-time seconds between the end of one burst and the start of the next (exponential). */
  meanIntervalSec: number;
  /** Burst length range in event-time seconds (uniform). */
  minDurationSec: number;
  maxDurationSec: number;
  /** Probability that an application request fails during a burst (0..1). */
  errorShare: number;
}

/** Default incident settings: on average one 3–12 s burst every 15 minutes of event time. */
export const DEFAULT_ERROR_BURSTS: Readonly<ErrorBurstOptions> = {
  meanIntervalSec: 900,
  minDurationSec: 3,
  maxDurationSec: 12,
  errorShare: 0.65,
};

/** Options of {@link createWeblogGenerator}. */
export interface WeblogGeneratorOptions {
  /** Unsigned 32-bit integer seed. */
  seed: number;
  /** Event-time origin for the incident schedule (default: the first event time seen). */
  start?: Date;
  /** Host name of the site, used in internal Referer URLs (default `www.example.com`). */
  host?: string;
  /** Share of lines from search/archive crawlers, 0..1 (default 0.2). */
  crawlerShare?: number;
  /** Share of new human clients using IPv6, 0..1 (default 0.09 ⇒ ≈ 10 % of all lines with crawlers' IPv6). */
  ipv6Share?: number;
  /** Incident settings, or `false` for none (default {@link DEFAULT_ERROR_BURSTS}). */
  errorBursts?: ErrorBurstOptions | false;
  /** Cap on concurrent sessions per pool (default 5,000). At the cap the earliest session is served before it is due (think times shrink) instead of starting new ones. */
  maxSessions?: number;
}

/** The web-log generator; see {@link createWeblogGenerator}. */
export interface WeblogGenerator extends LineGenerator {
  /** Next access-log line (combined format, no newline) with `%t` = `eventTime`. */
  next(eventTime: Date): string;
  /** Same as {@link next} but returns the structured record instead of the formatted line. */
  nextEntry(eventTime: Date): WeblogEntry;
  /** Currently active sessions (humans + crawlers); for diagnostics. */
  readonly activeSessions: number;
}

interface Client {
  ip: string;
  userAgent: string;
  protocol: string;
  ios: boolean;
  mobile: boolean;
  /** Completed sessions so far (> 0 ⇒ browser cache is warm). */
  visits: number;
  loggedIn: boolean;
}

interface Req {
  method: string;
  target: string;
  status: number;
  bytes: number;
  referrer: string | null;
  user: string | null;
  /** Milliseconds after the previous request of the same session. */
  gap: number;
  /** Served by the application (HTML, API, form posts): may fail with 5xx. */
  dynamic: boolean;
  /** The HTML document of a page view (if it fails, its subresources are dropped). */
  document: boolean;
}

type SessionKind = 'browser' | 'crawler' | 'scanner' | 'tool' | 'staff';

interface Session {
  kind: SessionKind;
  client: Client;
  queue: Req[];
  qi: number;
  nextAt: number;
  pagesLeft: number;
  current: Page | null;
  currentUrl: string | null;
  seen: Set<string>;
  sharedLoaded: boolean;
  crawler: CrawlerSpec | null;
  imageBot: boolean;
  user: string | null;
  requestsLeft: number;
}

interface Pool {
  heap: MinHeap<Session>;
  max: number;
  create: (now: number) => Session;
}

const CAMPAIGNS = ['autumn-2025', 'black-friday-2025', 'winter-gear-2025', 'newsletter-oct', 'restock-alert'] as const;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Cross-site referrers. Modern browsers default to Referrer-Policy
 * `strict-origin-when-cross-origin`, so most external referrers are bare origins.
 */
const EXTERNAL_REFERRERS = weightedTable<string>([
  ['https://www.reddit.com/', 10],
  ['https://old.reddit.com/', 2],
  ['https://news.ycombinator.com/', 3],
  ['https://t.co/', 5],
  ['https://l.facebook.com/', 6],
  ['https://lm.facebook.com/', 4],
  ['https://www.instagram.com/', 5],
  ['https://www.pinterest.com/', 3],
  ['https://www.youtube.com/', 4],
  ['android-app://com.google.android.gm/', 2],
  ['https://www.outdoorgearlab.com/', 4],
  ['https://www.backpacker.com/', 3],
  ['https://www.trailforks.com/', 1],
  ['https://forum.example.org/t/best-budget-backpacking-tent/4821', 2],
  ['https://chatgpt.com/', 3],
  ['https://www.perplexity.ai/', 1],
]);
const SOCIAL = new Set(['https://l.facebook.com/', 'https://lm.facebook.com/', 'https://www.instagram.com/', 'https://www.pinterest.com/', 'https://www.youtube.com/']);

type Engine = 'google' | 'bing' | 'duckduckgo';
const ENGINES = weightedTable<Engine>([
  ['google', 80],
  ['bing', 13],
  ['duckduckgo', 7],
]);
const GOOGLE_HOSTS = weightedTable<string>([
  ['www.google.com', 80],
  ['www.google.co.uk', 6],
  ['www.google.de', 5],
  ['www.google.ca', 5],
  ['www.google.com.au', 4],
]);

const FIVE_XX = weightedTable<number>([
  [503, 40],
  [502, 30],
  [504, 20],
  [500, 10],
]);

/** Body sizes of httpd's built-in error documents (Apache 2.4 defaults, as seen in real logs). */
function errorBytes(status: number, location = ''): number {
  switch (status) {
    case 301:
    case 302:
      return 209 + location.length; // "The document has moved <a href=...>here</a>."
    case 401:
      return 381;
    case 403:
      return 199;
    case 404:
      return 196;
    case 416:
      return 400;
    case 500:
      return 528;
    case 502:
      return 341;
    case 503:
      return 299;
    case 504:
      return 247;
    default:
      return 0;
  }
}

/** The site's own (application-rendered) 404 page, larger than httpd's default one. */
const APP_404_BYTES = stableSize('/404.html', 7_400, 0.02, 7_000, 8_000);

function encodeQuery(term: string): string {
  return encodeURIComponent(term).replace(/%20/g, '+');
}

function tableOf(pages: readonly Page[], weight: (p: Page) => number): WeightedTable<Page> {
  return weightedTable(pages.map((p) => [p, weight(p)] as const).filter(([, w]) => w > 0));
}

/**
 * Creates a deterministic web-log generator.
 *
 * @param options see {@link WeblogGeneratorOptions}; only `seed` is required.
 * @returns a {@link WeblogGenerator}; call `next(eventTime)` once per line with
 *   non-decreasing event times.
 * @throws {RangeError} for an invalid seed, share outside [0, 1], non-positive
 *   `maxSessions` or inconsistent burst settings.
 */
export function createWeblogGenerator(options: WeblogGeneratorOptions): WeblogGenerator {
  const rng = createRandom(options.seed);
  // Incidents use their own stream so the traffic itself does not shift when they are toggled.
  const burstRng = createRandom((options.seed ^ 0x5bd1e995) >>> 0);
  const host = options.host ?? 'www.example.com';
  const crawlerShare = options.crawlerShare ?? 0.2;
  const ipv6Share = options.ipv6Share ?? 0.09;
  const maxSessions = options.maxSessions ?? 5_000;
  const bursts = options.errorBursts === undefined ? DEFAULT_ERROR_BURSTS : options.errorBursts;
  for (const [name, v] of [['crawlerShare', crawlerShare], ['ipv6Share', ipv6Share]] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${v}`);
  }
  if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new RangeError(`maxSessions must be a positive integer`);
  if (bursts) {
    const { meanIntervalSec, minDurationSec, maxDurationSec, errorShare } = bursts;
    if (!(meanIntervalSec > 0) || !(minDurationSec > 0) || !(maxDurationSec >= minDurationSec) || !(errorShare >= 0 && errorShare <= 1)) {
      throw new RangeError('errorBursts: need meanIntervalSec > 0, 0 < minDurationSec <= maxDurationSec, errorShare in [0, 1]');
    }
  }
  const startMs = options.start?.getTime();
  if (startMs !== undefined && Number.isNaN(startMs)) throw new RangeError('start: invalid date');

  const siteUrl = (target: string): string => `https://${host}${target}`;
  const HOME = pageAt('/');
  const CART = pageAt('/cart/');
  const CHECKOUT = pageAt('/checkout/');
  const CONTACT = pageAt('/contact/');
  const LOGIN = pageAt('/login');
  const MAIN_CSS = SHARED_ASSETS[0] as Asset;
  const byKind = (...kinds: PageKind[]): Page[] => PAGES.filter((p) => kinds.includes(p.kind));
  const PRODUCTS = byKind('product');
  const allTable = tableOf(PAGES, (p) => p.weight);
  const productTable = tableOf(PRODUCTS, (p) => p.weight);
  const postTable = tableOf(byKind('blog-post'), (p) => p.weight);
  const categoryTable = tableOf(byKind('category', 'sale'), (p) => p.weight);
  const staticTable = tableOf(byKind('static'), (p) => p.weight);
  const searchableTable = tableOf(PAGES, (p) =>
    p.keywords === '' ? 0 : p.kind === 'blog-post' ? p.weight * 2.5 : p.kind === 'product' ? p.weight * 1.5 : p.kind === 'home' ? p.weight * 0.4 : p.weight,
  );
  const externalLandingTable = tableOf(PAGES, (p) => (p.kind === 'product' || p.kind === 'blog-post' ? p.weight : p.kind === 'home' ? 5 : 0));
  const crawlableTable = tableOf(PAGES, (p) => (p.requiresLogin || ['cart', 'checkout', 'login'].includes(p.kind) ? 0 : Math.sqrt(p.weight)));
  const productsByCategory = new Map<string, WeightedTable<Page>>();
  for (const p of PRODUCTS) {
    if (p.category && !productsByCategory.has(p.category)) {
      productsByCategory.set(p.category, tableOf(PRODUCTS.filter((q) => q.category === p.category), (q) => q.weight));
    }
  }
  const productImages: Asset[] = PRODUCTS.flatMap((p) => p.assets.filter((a) => a.type === 'jpg'));
  const staffUsers: string[] = Array.from({ length: 6 }, () =>
    rng.faker.internet
      .username()
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, ''),
  );
  const officeIps: string[] = Array.from({ length: 3 }, () => randomPublicIPv4(rng));
  const clientPool: Client[] = [];
  const CLIENT_POOL_SIZE = 10_000;
  let clientPoolNext = 0;

  // ---- incidents -------------------------------------------------------------------------
  let burstStart = -Infinity;
  let burstEnd = -Infinity;
  let nextBurstAt: number | null = null;
  const updateBursts = (now: number): boolean => {
    if (!bursts) return false;
    if (nextBurstAt === null) nextBurstAt = (startMs ?? now) + burstRng.exponential(bursts.meanIntervalSec) * 1000;
    while (now >= burstEnd && now >= nextBurstAt) {
      burstStart = nextBurstAt;
      const dur = bursts.minDurationSec + burstRng.float() * (bursts.maxDurationSec - bursts.minDurationSec);
      burstEnd = burstStart + dur * 1000;
      nextBurstAt = burstEnd + burstRng.exponential(bursts.meanIntervalSec) * 1000;
    }
    return now >= burstStart && now < burstEnd;
  };

  // ---- helpers ---------------------------------------------------------------------------
  const token = (len: number): string => {
    let s = '';
    for (let i = 0; i < len; i++) s += ALNUM[Math.floor(rng.float() * ALNUM.length)];
    return s;
  };
  const jsonBytes = (): number => Math.round(Math.min(20_000, Math.max(60, rng.logNormal(1_400, 0.8))));
  const htmlBytes = (p: Page): number => Math.max(1_000, Math.round(p.htmlBytes * (1 + 0.03 * rng.normal())));
  const think = (): number => Math.round(Math.min(600_000, Math.max(2_000, rng.exponential(30_000))));
  const soon = (): number => rng.int(20, 120);

  const push = (
    s: Session,
    method: string,
    target: string,
    status: number,
    bytes: number,
    referrer: string | null,
    gap: number,
    dynamic = false,
    document = false,
  ): void => {
    s.queue.push({ method, target, status, bytes, referrer, user: s.user, gap, dynamic, document });
  };

  const newSession = (kind: SessionKind, client: Client, now: number): Session => ({
    kind,
    client,
    queue: [],
    qi: 0,
    nextAt: now,
    pagesLeft: 0,
    current: null,
    currentUrl: null,
    seen: new Set(),
    sharedLoaded: false,
    crawler: null,
    imageBot: false,
    user: null,
    requestsLeft: 0,
  });

  const newClientAddress = (): string => (rng.chance(ipv6Share) ? randomPublicIPv6(rng) : randomPublicIPv4(rng));

  const browserClient = (): Client => {
    if (clientPool.length >= 200 && rng.chance(0.3)) {
      const c = clientPool[rng.int(0, clientPool.length - 1)] as Client;
      // Mobile clients often come back from another address (carrier NAT, Wi-Fi vs. cellular).
      if (c.mobile && rng.chance(0.5)) c.ip = newClientAddress();
      return c;
    }
    const b = randomBrowser(rng);
    const c: Client = {
      ip: newClientAddress(),
      userAgent: b.userAgent,
      protocol: rng.chance(0.25) ? 'HTTP/2.0' : 'HTTP/1.1',
      ios: b.ios,
      mobile: b.mobile,
      visits: 0,
      loggedIn: false,
    };
    if (clientPool.length < CLIENT_POOL_SIZE) clientPool.push(c);
    else {
      clientPool[clientPoolNext] = c;
      clientPoolNext = (clientPoolNext + 1) % CLIENT_POOL_SIZE;
    }
    return c;
  };

  const searchReferrer = (keywords: string): string => {
    let q = keywords;
    const v = rng.float();
    if (v < 0.15) q = `best ${q}`;
    else if (v < 0.25) q = `${q} review`;
    else if (v < 0.32) q = `${q} sale`;
    const enc = encodeQuery(q);
    switch (rng.weighted(ENGINES)) {
      case 'google': {
        const h = rng.weighted(GOOGLE_HOSTS);
        return rng.chance(0.5) ? `https://${h}/search?q=${enc}` : `https://${h}/`;
      }
      case 'bing':
        return rng.chance(0.7) ? `https://www.bing.com/search?q=${enc}&form=QBLH` : 'https://www.bing.com/';
      case 'duckduckgo':
        return rng.chance(0.4) ? `https://duckduckgo.com/?q=${enc}` : 'https://duckduckgo.com/';
    }
  };

  const externalReferrer = (): string => {
    const r = rng.weighted(EXTERNAL_REFERRERS);
    return r === 'https://t.co/' ? `https://t.co/${token(10)}` : r;
  };

  // ---- browser sessions ------------------------------------------------------------------
  /** Subresources of a page just pushed as the session's current page. */
  const planSubresources = (s: Session, p: Page): void => {
    const ref = s.currentUrl;
    const returning = s.client.visits > 0;
    let gap = rng.int(30, 250);
    if (!s.sharedLoaded) {
      s.sharedLoaded = true;
      const cssUrl = siteUrl(MAIN_CSS.path);
      for (const a of SHARED_ASSETS) {
        let status = 200;
        if (returning) {
          const u = rng.float();
          if (u < 0.7) continue; // still fresh in the browser cache: no request at all
          status = u < 0.95 ? 304 : 200;
        }
        const fromCss = a.type === 'woff' || a.type === 'woff2' || a.path.endsWith('sprite.png');
        push(s, 'GET', a.path, status, status === 304 ? 0 : a.bytes, fromCss ? cssUrl : ref, gap);
        gap = rng.int(1, 40);
      }
      if (s.client.ios && !returning) {
        push(s, 'GET', APPLE_TOUCH_ICON_PRECOMPOSED, 404, errorBytes(404), null, rng.int(100, 900));
        push(s, 'GET', APPLE_TOUCH_ICON.path, 200, APPLE_TOUCH_ICON.bytes, null, rng.int(5, 50));
        gap = rng.int(1, 40);
      }
    }
    for (const a of p.assets) {
      if (s.seen.has(a.path)) continue; // cached earlier in this session
      if (!rng.chance(0.85)) continue; // lazy-loaded below the fold, never scrolled to
      s.seen.add(a.path);
      const status = returning && rng.chance(0.2) ? 304 : 200;
      push(s, 'GET', a.path, status, status === 304 ? 0 : a.bytes, ref, gap);
      gap = rng.int(1, 60);
    }
    for (const api of p.api) {
      if (!rng.chance(0.75)) continue;
      push(s, 'GET', api, 200, api.startsWith('/api/stock') ? rng.int(60, 140) : jsonBytes(), ref, rng.int(50, 400), true);
    }
    if (p.video && rng.chance(0.3)) {
      // <video> element: range requests, each logged with the bytes actually sent before the next range.
      const parts = rng.int(1, 3);
      for (let i = 0; i < parts; i++) {
        const bytes = Math.min(p.video.bytes, Math.round(rng.logNormal(900_000, 0.6)));
        push(s, 'GET', p.video.path, 206, bytes, ref, i === 0 ? rng.int(100, 600) : rng.int(2_000, 15_000));
      }
    }
  };

  /** Login flow: GET /login?next=…, optional failed POST, POST → 302, then the target page. */
  const planLogin = (s: Session, next: Page, referrer: string | null): void => {
    const loginTarget = `/login?next=${encodeURIComponent(next.path)}`;
    const loginUrl = siteUrl(loginTarget);
    push(s, 'GET', loginTarget, 200, htmlBytes(LOGIN), referrer, soon(), true, true);
    if (rng.chance(0.12)) push(s, 'POST', loginTarget, 200, htmlBytes(LOGIN), loginUrl, rng.int(4_000, 25_000), true, true);
    push(s, 'POST', loginTarget, 302, 0, loginUrl, rng.int(4_000, 25_000), true);
    s.client.loggedIn = true;
    push(s, 'GET', next.path, 200, htmlBytes(next), loginUrl, soon(), true, true);
    s.current = next;
    s.currentUrl = siteUrl(next.path);
    planSubresources(s, next);
  };

  /** A page view (with redirects/login as needed) followed by its subresources. */
  const planPage = (s: Session, p: Page, referrer: string | null, query: string, gap: number): void => {
    s.pagesLeft--;
    const target = p.path + query;
    if (p.slashRedirect && query === '' && rng.chance(0.015)) {
      const bare = p.path.slice(0, -1);
      push(s, 'GET', bare, 301, errorBytes(301, siteUrl(p.path)), referrer, gap);
      gap = soon();
    }
    if (p.requiresLogin && !s.client.loggedIn) {
      push(s, 'GET', target, 302, 0, referrer, gap, true);
      planLogin(s, p, referrer);
      return;
    }
    push(s, 'GET', target, 200, htmlBytes(p), referrer, gap, true, true);
    s.current = p;
    s.currentUrl = siteUrl(target);
    planSubresources(s, p);
  };

  const planSearch = (s: Session, gap: number): void => {
    s.pagesLeft--;
    const ref = s.currentUrl;
    const term = rng.chance(0.75)
      ? rng.pick(SEARCH_TERMS)
      : rng.chance(0.5)
        ? rng.faker.commerce.product().toLowerCase()
        : `${rng.faker.commerce.productAdjective()} ${rng.faker.commerce.product()}`.toLowerCase();
    // Autocomplete XHRs while typing.
    for (let n = 2; n <= Math.min(4, term.length - 1); n += rng.int(1, 2)) {
      push(s, 'GET', `/api/search/suggest?q=${encodeQuery(term.slice(0, n))}`, 200, rng.int(80, 900), ref, gap, true);
      gap = rng.int(150, 700);
    }
    const target = `/search?q=${encodeQuery(term)}${rng.chance(0.08) ? '&page=2' : ''}`;
    push(s, 'GET', target, 200, Math.round(Math.min(50_000, Math.max(6_000, rng.logNormal(22_000, 0.3)))), ref, gap, true, true);
    s.current = SEARCH_PAGE;
    s.currentUrl = siteUrl(target);
    const results = rng.int(0, 8);
    let g = rng.int(30, 250);
    for (let i = 0; i < results; i++) {
      const a = PRODUCT_THUMBS.get(rng.weighted(productTable).path);
      if (!a || s.seen.has(a.path)) continue;
      s.seen.add(a.path);
      push(s, 'GET', a.path, 200, a.bytes, s.currentUrl, g);
      g = rng.int(1, 60);
    }
  };

  const planDownload = (s: Session, gap: number): void => {
    const d = rng.pick(DOWNLOADS);
    if (rng.chance(0.5)) {
      push(s, 'GET', d.path, 200, d.bytes, s.currentUrl, gap);
    } else {
      // In-browser PDF viewer: range requests of 64 KiB multiples (as in real logs).
      const n = rng.int(2, 6);
      for (let i = 0; i < n; i++) push(s, 'GET', d.path, 206, 65_536 * rng.int(1, 3), s.currentUrl, i === 0 ? gap : rng.int(20, 400));
    }
  };

  /** Plans the next step of a browser session; false when the session ends. */
  const planNextBrowser = (s: Session): boolean => {
    if (s.pagesLeft <= 0) return false;
    const gap = think();
    const cur = s.current;
    const ref = s.currentUrl;
    const u = rng.float();
    const go = (p: Page): void => planPage(s, p, ref, '', gap);
    switch (cur?.kind) {
      case undefined:
        go(HOME);
        return true;
      case 'home':
        if (u < 0.35) go(rng.weighted(categoryTable));
        else if (u < 0.6) go(rng.weighted(productTable));
        else if (u < 0.7) go(rng.weighted(postTable));
        else if (u < 0.82) planSearch(s, gap);
        else if (u < 0.84) push(s, 'POST', '/api/newsletter', 200, rng.int(30, 60), ref, gap, true);
        else go(rng.weighted(allTable));
        return true;
      case 'category':
      case 'sale': {
        const t = cur.category ? productsByCategory.get(cur.category) : undefined;
        if (u < 0.6) go(rng.weighted(t ?? productTable));
        else if (u < 0.75) go(rng.weighted(categoryTable));
        else if (u < 0.85) planSearch(s, gap);
        else if (u < 0.9) planPage(s, cur, ref, `?page=${rng.int(2, 3)}`, gap);
        else go(rng.weighted(allTable));
        return true;
      }
      case 'product': {
        const t = cur.category ? productsByCategory.get(cur.category) : undefined;
        if (u < 0.3) go(rng.weighted(t ?? productTable));
        else if (u < 0.45) go(rng.weighted(categoryTable));
        else if (u < 0.65) {
          push(s, 'POST', '/api/cart', 200, rng.int(250, 700), ref, gap, true);
          if (rng.chance(0.5)) planPage(s, CART, ref, '', rng.int(800, 4_000));
        } else if (u < 0.75) planSearch(s, gap);
        else if (u < 0.78) planDownload(s, gap);
        else go(rng.weighted(allTable));
        return true;
      }
      case 'cart':
        if (u < 0.5) go(CHECKOUT);
        else if (u < 0.8) go(rng.weighted(productTable));
        else go(HOME);
        return true;
      case 'checkout':
        if (u < 0.6) {
          const order = `/checkout/confirmation/?order=${rng.int(100_000, 999_999)}`;
          push(s, 'POST', '/checkout/', 302, 0, ref, gap, true);
          push(s, 'GET', order, 200, htmlBytes(CHECKOUT), ref, soon(), true, true);
          s.currentUrl = siteUrl(order);
          s.pagesLeft = 0;
        } else go(CART);
        return true;
      case 'login':
      case 'account':
        if (u < 0.5) go(pageAt('/account/orders/'));
        else go(HOME);
        return true;
      case 'blog-post': {
        if (u < 0.4) go(rng.weighted(postTable));
        else if (u < 0.55) go(pageAt('/blog/'));
        else if (u < 0.8) go(POST_PRODUCT.get(cur.path) ?? rng.weighted(productTable));
        else if (u < 0.85 && cur.category) go(pageAt(`/blog/tag/${cur.category}/`));
        else if (u < 0.87) push(s, 'POST', '/api/newsletter', 200, rng.int(30, 60), ref, gap, true);
        else go(HOME);
        return true;
      }
      case 'blog-index':
      case 'blog-tag':
        if (u < 0.8) go(rng.weighted(postTable));
        else go(HOME);
        return true;
      case 'search':
        if (u < 0.65) go(rng.weighted(productTable));
        else if (u < 0.85) planSearch(s, gap);
        else go(rng.weighted(categoryTable));
        return true;
      case 'static':
        if (cur === CONTACT && u < 0.3) {
          push(s, 'POST', '/contact/', 302, 0, ref, gap, true);
          push(s, 'GET', '/contact/?sent=1', 200, htmlBytes(CONTACT), ref, soon(), true, true);
          s.currentUrl = siteUrl('/contact/?sent=1');
          s.pagesLeft--;
        } else if (u < 0.05) planDownload(s, gap);
        else if (u < 0.5) go(HOME);
        else if (u < 0.8) go(rng.weighted(categoryTable));
        else go(rng.weighted(staticTable));
        return true;
    }
  };

  const newBrowserSession = (now: number): Session => {
    const s = newSession('browser', browserClient(), now);
    s.pagesLeft = rng.chance(0.4) ? 1 : 2 + rng.geometric(3);
    const u = rng.float();
    if (u < 0.36) {
      // Direct: typed, bookmark, app, e-mail client (no Referer).
      const p = rng.chance(0.55) ? HOME : rng.weighted(allTable);
      const query = rng.chance(0.08) ? `?utm_source=newsletter&utm_medium=email&utm_campaign=${rng.pick(CAMPAIGNS)}` : '';
      planPage(s, p.requiresLogin ? HOME : p, null, query, 0);
    } else if (u < 0.7) {
      const p = rng.weighted(searchableTable);
      const ref = searchReferrer(p.keywords);
      const query = ref.includes('google.') && rng.chance(0.1) ? `?gclid=${token(24)}` : '';
      planPage(s, p, ref, query, 0);
    } else if (u < 0.85) {
      const ref = externalReferrer();
      let query = '';
      if (SOCIAL.has(ref) && rng.chance(0.4)) {
        query = ref.includes('facebook') || ref.includes('instagram')
          ? `?fbclid=IwAR${token(40)}`
          : `?utm_source=${new URL(ref).hostname.replace(/^www\./, '').split('.')[0]}&utm_medium=social&utm_campaign=${rng.pick(CAMPAIGNS)}`;
      }
      planPage(s, rng.weighted(externalLandingTable), ref, query, 0);
    } else if (u < 0.88) {
      // Stale link on another site.
      const dead = rng.pick(DEAD_LINKS);
      const isFile = /\.(jpg|pdf)$/.test(dead);
      push(s, 'GET', dead, 404, isFile ? errorBytes(404) : APP_404_BYTES, externalReferrer(), 0, !isFile, !isFile);
      s.pagesLeft--;
      s.currentUrl = siteUrl(dead);
      if (rng.chance(0.5)) s.pagesLeft = 0;
      else if (!isFile) planSubresources(s, { ...HOME, assets: [], api: [] });
    } else if (u < 0.9) {
      const [old, target] = rng.pick(LEGACY_REDIRECTS);
      const ref = rng.chance(0.5) ? externalReferrer() : null;
      push(s, 'GET', old, 301, errorBytes(301, siteUrl(target)), ref, 0);
      planPage(s, pageAt(target), ref, '', soon());
    } else {
      // Internal referrer: restored tab, back/forward, link opened in a new tab.
      const p = rng.weighted(allTable);
      planPage(s, p.requiresLogin ? HOME : p, siteUrl(rng.weighted(allTable).path), '', 0);
    }
    return s;
  };

  // ---- other human-pool sessions ---------------------------------------------------------
  const newScannerSession = (now: number): Session => {
    const client: Client = {
      ip: rng.chance(0.05) ? randomPublicIPv6(rng) : randomPublicIPv4(rng),
      userAgent: rng.pick(SCANNER_USER_AGENTS),
      protocol: rng.chance(0.25) ? 'HTTP/1.0' : 'HTTP/1.1',
      ios: false,
      mobile: false,
      visits: 0,
      loggedIn: false,
    };
    const s = newSession('scanner', client, now);
    s.requestsLeft = 2 + rng.geometric(12);
    if (rng.chance(0.5)) push(s, 'GET', '/', 200, htmlBytes(HOME), null, 0, true, true);
    else planScannerProbe(s, 0);
    return s;
  };
  const planScannerProbe = (s: Session, gap: number): void => {
    const [method, path, status] = rng.pick(SCANNER_PROBES);
    push(s, method, path, status, errorBytes(status), null, gap);
  };

  const newToolSession = (now: number): Session => {
    const client: Client = {
      ip: randomPublicIPv4(rng),
      userAgent: rng.pick(TOOL_USER_AGENTS),
      protocol: 'HTTP/1.1',
      ios: false,
      mobile: false,
      visits: 0,
      loggedIn: false,
    };
    const s = newSession('tool', client, now);
    const u = rng.float();
    if (u < 0.5) {
      const d = rng.pick(DOWNLOADS);
      const v = rng.float();
      if (v < 0.5) push(s, 'GET', d.path, 200, d.bytes, null, 0);
      else if (v < 0.75) {
        // Interrupted download resumed with a Range request.
        const got = rng.int(1, d.bytes - 1);
        push(s, 'GET', d.path, 200, got, null, 0);
        push(s, 'GET', d.path, 206, d.bytes - got, null, rng.int(5_000, 60_000));
      } else {
        // `wget -c` of a file that is already complete.
        push(s, 'GET', d.path, 200, d.bytes, null, 0);
        push(s, 'GET', d.path, 416, errorBytes(416), null, rng.int(5_000, 60_000));
      }
    } else if (u < 0.8) {
      push(s, 'HEAD', rng.chance(0.7) ? '/' : rng.weighted(allTable).path, 200, 0, null, 0, true);
    } else {
      push(s, 'GET', FEED_XML.path, 200, FEED_XML.bytes, null, 0, true);
    }
    return s;
  };

  const newStaffSession = (now: number): Session => {
    let b = randomBrowser(rng);
    for (let i = 0; i < 10 && b.mobile; i++) b = randomBrowser(rng);
    const client: Client = { ip: rng.pick(officeIps), userAgent: b.userAgent, protocol: 'HTTP/2.0', ios: false, mobile: false, visits: 1, loggedIn: true };
    const s = newSession('staff', client, now);
    // HTTP basic auth: the first request is challenged (401, no user), then every request carries the user.
    push(s, 'GET', '/admin/', 401, errorBytes(401), null, 0);
    s.user = rng.pick(staffUsers);
    push(s, 'GET', '/admin/', 200, rng.int(20_000, 60_000), null, rng.int(2_000, 9_000), true, true);
    s.currentUrl = siteUrl('/admin/');
    push(s, 'GET', '/admin/static/admin.css', rng.chance(0.7) ? 304 : 200, 0, s.currentUrl, rng.int(30, 200));
    const last = s.queue[s.queue.length - 1] as Req;
    if (last.status === 200) last.bytes = 18_220;
    s.requestsLeft = 1 + rng.geometric(6);
    return s;
  };
  const planStaff = (s: Session): void => {
    const path = rng.pick(ADMIN_PAGES);
    const bytes = path.endsWith('.csv') ? rng.int(40_000, 400_000) : rng.int(20_000, 60_000);
    push(s, 'GET', path, 200, bytes, s.currentUrl, think(), true, true);
    s.currentUrl = siteUrl(path);
  };

  const newHumanSession = (now: number): Session => {
    const u = rng.float();
    if (u < 0.012) return newScannerSession(now);
    if (u < 0.018) return newStaffSession(now);
    if (u < 0.026) return newToolSession(now);
    return newBrowserSession(now);
  };

  // ---- crawler sessions ------------------------------------------------------------------
  const newCrawlerSession = (now: number): Session => {
    const spec = rng.weighted(CRAWLER_TABLE);
    const ua = rng.pick(spec.userAgents);
    const v6 = spec.ipv6Prefixes.length > 0 && rng.chance(spec.ipv6Share);
    const client: Client = {
      ip: v6 ? addressIn(rng, '', rng.pick(spec.ipv6Prefixes)) : addressIn(rng, rng.pick(spec.ipv4Prefixes)),
      userAgent: ua,
      protocol: spec.token === 'Googlebot' && rng.chance(0.3) ? 'HTTP/2.0' : 'HTTP/1.1',
      ios: false,
      mobile: false,
      visits: 0,
      loggedIn: false,
    };
    const s = newSession('crawler', client, now);
    s.crawler = spec;
    s.imageBot = ua.startsWith('Googlebot-Image');
    s.requestsLeft = 5 + rng.geometric(40);
    if (!s.imageBot && rng.chance(0.35)) push(s, 'GET', ROBOTS_TXT.path, 200, ROBOTS_TXT.bytes, null, 0);
    else planCrawl(s, 0);
    return s;
  };

  const planCrawl = (s: Session, gap: number): void => {
    const spec = s.crawler as CrawlerSpec;
    const u = rng.float();
    const conditional = spec.conditional && rng.chance(0.15);
    const head = rng.chance(0.03);
    const ok = (path: string, bytes: number, dynamic: boolean, document: boolean): void => {
      const status = conditional ? 304 : 200;
      push(s, head ? 'HEAD' : 'GET', path, status, head || conditional ? 0 : bytes, null, gap, dynamic, document);
    };
    if (s.imageBot) {
      const img = rng.pick(productImages);
      ok(img.path, img.bytes, false, false);
    } else if (u < 0.04) ok(SITEMAP_XML.path, SITEMAP_XML.bytes, false, false);
    else if (u < 0.06) ok(FEED_XML.path, FEED_XML.bytes, true, false);
    else if (u < 0.11) {
      const [old, target] = rng.pick(LEGACY_REDIRECTS);
      push(s, head ? 'HEAD' : 'GET', old, 301, head ? 0 : errorBytes(301, siteUrl(target)), null, gap);
    } else if (u < 0.14) {
      const dead = rng.pick(DEAD_LINKS);
      const isFile = /\.(jpg|pdf)$/.test(dead);
      push(s, head ? 'HEAD' : 'GET', dead, 404, head ? 0 : isFile ? errorBytes(404) : APP_404_BYTES, null, gap, !isFile);
    } else if (spec.renders && u < 0.24) {
      const a = rng.pick(SHARED_ASSETS.slice(0, 3));
      ok(a.path, a.bytes, false, false);
    } else if (u < 0.27) {
      const p = rng.weighted(categoryTable);
      ok(`${p.path}?page=${rng.int(2, 4)}`, htmlBytes(p), true, true);
    } else {
      const p = rng.weighted(crawlableTable);
      ok(p.path, htmlBytes(p), true, true);
    }
  };

  // ---- scheduling ------------------------------------------------------------------------
  const makePool = (create: (now: number) => Session): Pool => ({
    heap: new MinHeap<Session>((s) => s.nextAt),
    max: maxSessions,
    create,
  });
  const humans = makePool(newHumanSession);
  const crawlers = makePool(newCrawlerSession);

  /** Refills an exhausted session queue; false when the session is over. */
  const planMore = (s: Session): boolean => {
    switch (s.kind) {
      case 'browser':
        return planNextBrowser(s);
      case 'crawler':
        if (--s.requestsLeft <= 0) return false;
        planCrawl(s, Math.max(100, Math.round(rng.exponential((s.crawler as CrawlerSpec).meanGapSec * 1000))));
        return true;
      case 'scanner':
        if (--s.requestsLeft <= 0) return false;
        planScannerProbe(s, Math.round(rng.exponential(400)));
        return true;
      case 'staff':
        if (--s.requestsLeft <= 0) return false;
        planStaff(s);
        return true;
      case 'tool':
        return false;
    }
  };

  const nextEntry = (eventTime: Date): WeblogEntry => {
    const now = eventTime.getTime();
    if (Number.isNaN(now)) throw new RangeError('next: invalid event time');
    const inBurst = updateBursts(now);
    const pool = rng.float() < crawlerShare ? crawlers : humans;
    let s = pool.heap.peek();
    if (s === undefined || (s.nextAt > now && pool.heap.size < pool.max)) {
      s = pool.create(now);
      pool.heap.push(s); // due now, hence the new heap top
    }
    const req = s.queue[s.qi++] as Req;
    let { status, bytes } = req;
    if (req.dynamic && status < 500) {
      if (inBurst && burstRng.float() < (bursts ? bursts.errorShare : 0)) status = burstRng.weighted(FIVE_XX);
      else if (rng.float() < 0.0008) status = 500;
      if (status >= 500) {
        bytes = req.method === 'HEAD' ? 0 : errorBytes(status);
        if (req.document) {
          s.queue.length = s.qi; // the page failed: no subresources
          if (rng.chance(0.5)) s.pagesLeft = 0;
        }
      }
    }
    const entry: WeblogEntry = {
      remoteHost: s.client.ip,
      user: req.user,
      time: eventTime,
      method: req.method,
      target: req.target,
      protocol: s.client.protocol,
      status,
      bytes,
      referrer: req.referrer,
      userAgent: s.client.userAgent,
    };
    if (s.qi >= s.queue.length) {
      s.queue = [];
      s.qi = 0;
      if (!planMore(s) || s.queue.length === 0) {
        pool.heap.pop();
        s.client.visits++;
        return entry;
      }
    }
    s.nextAt = Math.max(s.nextAt, now) + (s.queue[s.qi] as Req).gap;
    pool.heap.updateTop();
    return entry;
  };

  return {
    next: (eventTime) => formatCombined(nextEntry(eventTime)),
    nextEntry,
    get activeSessions() {
      return humans.heap.size + crawlers.heap.size;
    },
  };
}
