/**
 * User-agent catalogue for the web-log generator.
 *
 * Browser strings follow the formats the browsers actually send (late 2025):
 * Chromium-based browsers use the "reduced" UA (`Chrome/<major>.0.0.0`, frozen
 * `Windows NT 10.0`, `Intel Mac OS X 10_15_7`, `Android 10; K`) per
 * https://www.chromium.org/updates/ua-reduction/ ; Firefox uses
 * `rv:<v>.0) Gecko/20100101 Firefox/<v>.0` (https://developer.mozilla.org/docs/Web/HTTP/Headers/User-Agent/Firefox);
 * Safari on iOS/macOS uses `Version/<v> … Safari/604.1|605.1.15`.
 * Crawler strings are the ones documented by their operators:
 * Googlebot https://developers.google.com/search/docs/crawling-indexing/google-common-crawlers ,
 * bingbot https://www.bing.com/webmasters/help/which-crawlers-does-bing-use-8c184ec0 ,
 * Baiduspider https://www.baidu.com/search/spider.html , YandexBot https://yandex.com/support/webmaster/robot-workings/check-yandex-robots.html ,
 * archive.org_bot (as seen in real logs, e.g. the Elastic sample apache_logs), AhrefsBot https://ahrefs.com/robot .
 *
 * Shares are rough desktop+mobile market-share figures (StatCounter-like, 2025),
 * not measurements.
 *
 * @module generators/weblogs/user-agents
 */
import { weightedTable, type SeededRandom, type WeightedTable } from '../common/random.js';

/** Browser release numbers used in UA strings (newest first; older ones get less weight). */
const CHROME = [142, 141, 140, 139] as const;
const FIREFOX = [145, 144, 143, 140] as const; // 140 = ESR
const SAFARI = ['26.1', '26.0', '18.6', '18.5'] as const;
const IOS = ['18_6', '26_1', '26_0', '18_5', '17_7'] as const;
const SAMSUNG = [{ v: '28.0', chrome: 130 }, { v: '29.0', chrome: 136 }] as const;
const VERSION_WEIGHTS = [0.45, 0.3, 0.15, 0.1] as const;

function byRecency<T>(rng: SeededRandom, versions: readonly T[]): T {
  const u = rng.float();
  let acc = 0;
  for (let i = 0; i < versions.length; i++) {
    acc += VERSION_WEIGHTS[i] ?? 0.05;
    if (u < acc) return versions[i] as T;
  }
  return versions[versions.length - 1] as T;
}

/** A browser family on a platform, able to render a concrete UA string. */
interface BrowserKind {
  name: string;
  mobile: boolean;
  ios: boolean;
  make(rng: SeededRandom): string;
}

const ANDROID_DEVICES = ['SM-S921B', 'SM-A546B', 'SM-G991B', 'SM-S911U'] as const;
const IOS_VERSION_TO_SAFARI = (ios: string): string => {
  const [major, minor] = ios.split('_');
  return minor && minor !== '0' ? `${major}.${minor}` : `${major}.0`;
};

const BROWSERS: ReadonlyArray<readonly [BrowserKind, number]> = [
  [{ name: 'chrome-windows', mobile: false, ios: false, make: (r) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${byRecency(r, CHROME)}.0.0.0 Safari/537.36` }, 22],
  [{ name: 'chrome-mac', mobile: false, ios: false, make: (r) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${byRecency(r, CHROME)}.0.0.0 Safari/537.36` }, 7],
  [{ name: 'chrome-linux', mobile: false, ios: false, make: (r) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${byRecency(r, CHROME)}.0.0.0 Safari/537.36` }, 2],
  [{ name: 'chrome-android', mobile: true, ios: false, make: (r) => `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${byRecency(r, CHROME)}.0.0.0 Mobile Safari/537.36` }, 21],
  [{ name: 'edge-windows', mobile: false, ios: false, make: (r) => { const v = byRecency(r, CHROME); return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.0.0`; } }, 7],
  [{ name: 'firefox-windows', mobile: false, ios: false, make: (r) => { const v = byRecency(r, FIREFOX); return `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`; } }, 4],
  [{ name: 'firefox-mac', mobile: false, ios: false, make: (r) => { const v = byRecency(r, FIREFOX); return `Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`; } }, 1.5],
  [{ name: 'firefox-linux', mobile: false, ios: false, make: (r) => { const v = byRecency(r, FIREFOX); return r.chance(0.5) ? `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0` : `Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`; } }, 1.5],
  [{ name: 'firefox-android', mobile: true, ios: false, make: (r) => { const v = byRecency(r, FIREFOX); return `Mozilla/5.0 (Android 15; Mobile; rv:${v}.0) Gecko/${v}.0 Firefox/${v}.0`; } }, 0.8],
  [{ name: 'samsung-android', mobile: true, ios: false, make: (r) => { const s = r.pick(SAMSUNG); return `Mozilla/5.0 (Linux; Android 14; SAMSUNG ${r.pick(ANDROID_DEVICES)}) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/${s.v} Chrome/${s.chrome}.0.0.0 Mobile Safari/537.36`; } }, 3],
  [{ name: 'safari-mac', mobile: false, ios: false, make: (r) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${byRecency(r, SAFARI)} Safari/605.1.15` }, 6],
  [{ name: 'safari-iphone', mobile: true, ios: true, make: (r) => { const ios = byRecency(r, IOS); return `Mozilla/5.0 (iPhone; CPU iPhone OS ${ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${IOS_VERSION_TO_SAFARI(ios)} Mobile/15E148 Safari/604.1`; } }, 17],
  [{ name: 'safari-ipad', mobile: true, ios: true, make: (r) => { const ios = byRecency(r, IOS); return `Mozilla/5.0 (iPad; CPU OS ${ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${IOS_VERSION_TO_SAFARI(ios)} Mobile/15E148 Safari/604.1`; } }, 2],
  [{ name: 'chrome-iphone', mobile: true, ios: true, make: (r) => `Mozilla/5.0 (iPhone; CPU iPhone OS ${byRecency(r, IOS)} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/${byRecency(r, CHROME)}.0.7444.${r.int(40, 180)} Mobile/15E148 Safari/604.1` }, 3],
];

const BROWSER_TABLE: WeightedTable<BrowserKind> = weightedTable(BROWSERS);

/** A browser identity assigned to a human client. */
export interface BrowserIdentity {
  userAgent: string;
  mobile: boolean;
  /** iOS devices also request /apple-touch-icon*.png. */
  ios: boolean;
}

/** Draws a browser UA according to the market-share weights above. */
export function randomBrowser(rng: SeededRandom): BrowserIdentity {
  const kind = rng.weighted(BROWSER_TABLE);
  return { userAgent: kind.make(rng), mobile: kind.mobile, ios: kind.ios };
}

/** A search-engine or archive crawler with its documented UA strings and source networks. */
export interface CrawlerSpec {
  /** Token that identifies the crawler in the UA (e.g. `Googlebot`). */
  readonly token: string;
  readonly userAgents: readonly string[];
  /** IPv4 /24 prefixes (`a.b.c`) the crawler is typically seen from. */
  readonly ipv4Prefixes: readonly string[];
  /** IPv6 /64 prefixes (4 groups) or empty when the crawler uses IPv4 only. */
  readonly ipv6Prefixes: readonly string[];
  /** Share of this crawler's sessions coming over IPv6. */
  readonly ipv6Share: number;
  /** Sends conditional requests (If-Modified-Since ⇒ 304) for already-known URLs. */
  readonly conditional: boolean;
  /** Fetches CSS/JS to render pages (Googlebot and bingbot do). */
  readonly renders: boolean;
  /** Mean seconds between two requests of one crawler session. */
  readonly meanGapSec: number;
}

/**
 * The crawlers named in the brief with operator-documented UAs. IP prefixes are
 * inside the operators' published ranges (e.g. Googlebot 66.249.64.0/19 and
 * 2001:4860:4801::/48 from googlebot.json, bingbot 157.55.39.0/24 and
 * 40.77.167.0/24 from bingbot.json); they are illustrative, not exhaustive.
 */
export const CRAWLERS: ReadonlyArray<readonly [CrawlerSpec, number]> = [
  [{
    token: 'Googlebot',
    // Smartphone UA listed twice: with mobile-first indexing it is the most common one.
    userAgents: [
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.7444.59 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.7444.59 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/142.0.7444.59 Safari/537.36',
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Googlebot-Image/1.0',
    ],
    ipv4Prefixes: ['66.249.66', '66.249.68', '66.249.70', '66.249.72', '66.249.73', '66.249.75', '66.249.79'],
    ipv6Prefixes: ['2001:4860:4801:10', '2001:4860:4801:2c', '2001:4860:4801:41', '2001:4860:4801:69'],
    ipv6Share: 0.3,
    conditional: true,
    renders: true,
    meanGapSec: 2,
  }, 38],
  [{
    token: 'bingbot',
    userAgents: [
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36',
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.1938.76 Mobile Safari/537.36 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
      'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    ],
    ipv4Prefixes: ['157.55.39', '40.77.167', '207.46.13', '40.77.188', '52.167.144'],
    ipv6Prefixes: [],
    ipv6Share: 0,
    conditional: true,
    renders: true,
    meanGapSec: 3,
  }, 20],
  [{
    token: 'AhrefsBot',
    userAgents: ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)'],
    ipv4Prefixes: ['54.36.148', '54.36.149', '51.222.253', '5.39.1', '202.8.43'],
    ipv6Prefixes: [],
    ipv6Share: 0,
    conditional: false,
    renders: false,
    meanGapSec: 4,
  }, 16],
  [{
    token: 'YandexBot',
    userAgents: [
      'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 15_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.4 Mobile/15E148 Safari/604.1 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
    ],
    ipv4Prefixes: ['5.255.253', '5.255.231', '213.180.203', '87.250.224', '95.108.213'],
    ipv6Prefixes: ['2a02:6b8:c0e:500', '2a02:6b8:c0e:18'],
    ipv6Share: 0.2,
    conditional: true,
    renders: false,
    meanGapSec: 5,
  }, 10],
  [{
    token: 'Baiduspider',
    userAgents: [
      'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13B143 Safari/601.1 (compatible; Baiduspider-render/2.0; +http://www.baidu.com/search/spider.html)',
    ],
    ipv4Prefixes: ['220.181.108', '116.179.32', '116.179.37', '180.76.15'],
    ipv6Prefixes: [],
    ipv6Share: 0,
    conditional: false,
    renders: false,
    meanGapSec: 6,
  }, 9],
  [{
    token: 'archive.org_bot',
    userAgents: ['Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot) Zeno/b1d4c3a warc/v0.8.85'],
    ipv4Prefixes: ['207.241.225', '207.241.229', '207.241.232'],
    ipv6Prefixes: [],
    ipv6Share: 0,
    conditional: false,
    renders: false,
    meanGapSec: 1.5,
  }, 7],
];

/** Weighted table over {@link CRAWLERS} (weights = relative share of crawler sessions). */
export const CRAWLER_TABLE: WeightedTable<CrawlerSpec> = weightedTable(CRAWLERS);

/**
 * Case-insensitive pattern matching every crawler UA this module emits (one
 * alternative per {@link CRAWLERS} token). Tests and consumers can use it to
 * compute the crawler share of a log.
 */
export const CRAWLER_UA_PATTERN = /Googlebot|bingbot|AhrefsBot|YandexBot|Baiduspider|archive\.org_bot/i;

/**
 * UAs of vulnerability scanners probing for well-known admin/config paths. Mostly
 * spoofed browsers (as observed in real logs), plus a few honest tools.
 */
export const SCANNER_USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36',
  'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Safari/605.1.15',
  'Mozilla/5.0 zgrab/0.x',
  'python-requests/2.32.3',
];

/** UAs of command-line download tools (resumed downloads ⇒ 206 / 416). */
export const TOOL_USER_AGENTS: readonly string[] = ['Wget/1.21.4', 'curl/8.5.0', 'Wget/1.24.5', 'curl/8.11.1'];
