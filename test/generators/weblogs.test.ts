/**
 * The web-log generator: determinism, strict format, and plausible traffic shape.
 */
import { describe, expect, it } from '@jest/globals';
import { CRAWLER_UA_PATTERN, createWeblogGenerator, formatApacheTime, formatCombined } from '../../generators/weblogs/index.js';
import { generateLines, parseLine, share, START, type ParsedLine } from './helpers.js';

const N = 10_000;
const lines = generateLines(N, { seed: 42 });
const parsed = lines.map(parseLine);
const ok = parsed.filter((p): p is ParsedLine => p !== null);

describe('determinism', () => {
  it('produces identical output for the same seed and event times', () => {
    expect(generateLines(N, { seed: 42 })).toEqual(lines);
  });

  it('produces different output for different seeds', () => {
    const other = generateLines(N, { seed: 43 });
    const same = other.filter((l, i) => l === lines[i]).length;
    expect(same / N).toBeLessThan(0.05);
  });

  it('does not depend on the global faker instance or Math.random', async () => {
    const { faker } = await import('@faker-js/faker');
    faker.seed(999);
    const original = Math.random;
    Math.random = () => 0.5;
    try {
      expect(generateLines(2_000, { seed: 42 })).toEqual(lines.slice(0, 2_000));
    } finally {
      Math.random = original;
    }
  });
});

describe('format', () => {
  it('matches the strict combined format on every line', () => {
    const bad = lines.filter((l, i) => parsed[i] === null);
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('stamps each line with its event time (second precision, UTC)', () => {
    ok.forEach((p, i) => {
      expect(p.time.getTime()).toBe(Math.floor((START.getTime() + Math.floor((i * 1000) / 100)) / 1000) * 1000);
    });
  });

  it('formats the documented example exactly', () => {
    const line = formatCombined({
      remoteHost: '83.149.9.216',
      user: null,
      time: new Date('2015-05-17T10:05:03Z'),
      method: 'GET',
      target: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 203023,
      referrer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/',
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36',
    });
    expect(line).toBe(
      '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"',
    );
  });

  it('logs 0 bytes as "-" and escapes quotes like httpd', () => {
    const line = formatCombined({
      remoteHost: '2001:db8::1',
      user: 'alice',
      time: new Date('2025-01-02T03:04:05.999Z'),
      method: 'GET',
      target: '/a"b',
      protocol: 'HTTP/2.0',
      status: 304,
      bytes: 0,
      referrer: null,
      userAgent: 'x\\y',
    });
    expect(line).toBe('2001:db8::1 - alice [02/Jan/2025:03:04:05 +0000] "GET /a\\"b HTTP/2.0" 304 - "-" "x\\\\y"');
    expect(formatApacheTime(new Date('2024-02-29T23:59:59Z'))).toBe('29/Feb/2024:23:59:59 +0000');
  });

  it('never logs a body for 304 responses or HEAD requests', () => {
    for (const p of ok) {
      if (p.status === 304 || p.method === 'HEAD') expect(p.bytes).toBe(0);
    }
  });
});

describe('traffic shape over 10,000 lines (seed 42)', () => {
  const statusShare = (pred: (s: number) => boolean): number => share(ok, (p) => pred(p.status));

  it('has a plausible status mix', () => {
    // Real sample apache_logs: 91.3% 200, 4.5% 304, 2.1% 404, 1.6% 301, 0.45% 206, ~0.1% 403/416/500.
    expect(statusShare((s) => s === 200)).toBeGreaterThan(0.8);
    expect(statusShare((s) => s === 200)).toBeLessThan(0.95);
    expect(statusShare((s) => s === 304)).toBeGreaterThan(0.02);
    expect(statusShare((s) => s === 304)).toBeLessThan(0.1);
    expect(statusShare((s) => s === 404)).toBeGreaterThan(0.005);
    expect(statusShare((s) => s === 404)).toBeLessThan(0.05);
    expect(statusShare((s) => s === 301 || s === 302)).toBeGreaterThan(0.005);
    expect(statusShare((s) => s === 301 || s === 302)).toBeLessThan(0.04);
    expect(statusShare((s) => s === 206)).toBeGreaterThan(0.001);
    expect(statusShare((s) => s === 206)).toBeLessThan(0.02);
    expect(statusShare((s) => s === 403)).toBeLessThan(0.01);
    expect(statusShare((s) => s >= 500)).toBeLessThan(0.05);
    const allowed = new Set([200, 206, 301, 302, 304, 401, 403, 404, 416, 500, 502, 503, 504]);
    expect(ok.filter((p) => !allowed.has(p.status))).toEqual([]);
  });

  it('has a crawler share of 15–25 % of lines', () => {
    const crawlers = share(ok, (p) => CRAWLER_UA_PATTERN.test(p.ua));
    expect(crawlers).toBeGreaterThanOrEqual(0.15);
    expect(crawlers).toBeLessThanOrEqual(0.25);
    for (const token of ['Googlebot', 'bingbot', 'AhrefsBot', 'YandexBot', 'Baiduspider', 'archive.org_bot']) {
      expect(ok.some((p) => p.ua.includes(token))).toBe(true);
    }
  });

  it('has about 10 % IPv6 clients (5–15 % of lines)', () => {
    const v6 = share(ok, (p) => p.host.includes(':'));
    expect(v6).toBeGreaterThan(0.05);
    expect(v6).toBeLessThan(0.15);
  });

  it('uses mostly GET with some POST and HEAD, mostly HTTP/1.1 with some HTTP/2.0', () => {
    expect(share(ok, (p) => p.method === 'GET')).toBeGreaterThan(0.95);
    expect(ok.some((p) => p.method === 'POST')).toBe(true);
    expect(ok.some((p) => p.method === 'HEAD')).toBe(true);
    const h11 = share(ok, (p) => p.protocol === 'HTTP/1.1');
    const h2 = share(ok, (p) => p.protocol === 'HTTP/2.0');
    expect(h11).toBeGreaterThan(0.5);
    expect(h2).toBeGreaterThan(0.05);
  });

  it('requests page assets with the page as referrer and has search/external/internal referrers', () => {
    const assets = ok.filter((p) => /\.(css|js|png|jpg|woff2?)$/.test(p.target) && !CRAWLER_UA_PATTERN.test(p.ua));
    expect(assets.length).toBeGreaterThan(N * 0.3);
    expect(share(assets, (p) => p.referrer?.startsWith('https://www.example.com/') ?? false)).toBeGreaterThan(0.9);
    const refs = ok.map((p) => p.referrer ?? '-');
    expect(refs.some((r) => /^https:\/\/www\.google\.[a-z.]+\/search\?q=/.test(r))).toBe(true);
    expect(refs.some((r) => r.startsWith('https://www.bing.com/search?q='))).toBe(true);
    expect(refs.some((r) => r.startsWith('https://duckduckgo.com/'))).toBe(true);
    expect(share(refs, (r) => r === '-')).toBeGreaterThan(0.1);
  });

  it('has returning clients: the same IP makes many requests', () => {
    const perIp = new Map<string, number>();
    for (const p of ok) perIp.set(p.host, (perIp.get(p.host) ?? 0) + 1);
    const distinct = perIp.size;
    expect(distinct).toBeLessThan(N / 4);
    expect(Math.max(...perIp.values())).toBeGreaterThan(20);
  });

  it('has meaningful top paths from the fixed site map', () => {
    const pages = ok.filter((p) => !/\.\w+$/.test(p.target.split('?')[0] as string));
    const counts = new Map<string, number>();
    for (const p of pages) counts.set(p.target, (counts.get(p.target) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([t]) => t);
    expect(top).toContain('/');
    expect(ok.some((p) => p.target.startsWith('/search?q='))).toBe(true);
    expect(ok.some((p) => p.target.startsWith('/api/'))).toBe(true);
    expect(ok.some((p) => p.target.startsWith('/blog/'))).toBe(true);
    expect(ok.some((p) => p.target.startsWith('/products/'))).toBe(true);
  });

  it('sizes bodies by content type', () => {
    const html = ok.filter((p) => p.status === 200 && p.method === 'GET' && /^\/(products|blog|category)\/[^.?]*$/.test(p.target));
    for (const p of html) {
      expect(p.bytes).toBeGreaterThanOrEqual(4_000);
      expect(p.bytes).toBeLessThanOrEqual(55_000);
    }
    const images = ok.filter((p) => p.status === 200 && p.method === 'GET' && /\.(png|jpg)$/.test(p.target));
    expect(images.length).toBeGreaterThan(100);
    for (const p of images) {
      expect(p.bytes).toBeGreaterThanOrEqual(1_024);
      expect(p.bytes).toBeLessThanOrEqual(500_000);
    }
  });
});

describe('rarer features', () => {
  const many = generateLines(60_000, { seed: 7 }).map(parseLine);
  it('emits an occasional authenticated user and the rarer statuses', () => {
    expect(many.every((p) => p !== null)).toBe(true);
    const valid = many as ParsedLine[];
    const withUser = share(valid, (p) => p.user !== null);
    expect(withUser).toBeGreaterThan(0);
    expect(withUser).toBeLessThan(0.02);
    for (const s of [206, 301, 302, 403, 404]) expect(valid.some((p) => p.status === s)).toBe(true);
  });

  it('clusters 5xx errors into short bursts of event time', () => {
    const lines = generateLines(30_000, { seed: 11, errorBursts: { meanIntervalSec: 60, minDurationSec: 3, maxDurationSec: 8, errorShare: 0.65 } });
    const perSecond = new Map<number, number>();
    for (const l of lines) {
      const p = parseLine(l) as ParsedLine;
      if (p.status >= 500) perSecond.set(p.time.getTime(), (perSecond.get(p.time.getTime()) ?? 0) + 1);
    }
    const total = [...perSecond.values()].reduce((a, b) => a + b, 0);
    const busy = [...perSecond.values()].filter((c) => c >= 5).reduce((a, b) => a + b, 0);
    // 300 s of event time at 100 lines/s: several bursts; most 5xx fall into seconds with >= 5 errors.
    expect(total).toBeGreaterThan(50);
    expect(busy / total).toBeGreaterThan(0.8);
    expect(perSecond.size).toBeLessThan(80);
  });

  it('can switch bursts off and change the crawler share', () => {
    const g = createWeblogGenerator({ seed: 1, errorBursts: false, crawlerShare: 0 });
    const t0 = START.getTime();
    for (let i = 0; i < 3_000; i++) {
      const p = parseLine(g.next(new Date(t0 + i * 10))) as ParsedLine;
      expect(CRAWLER_UA_PATTERN.test(p.ua)).toBe(false);
    }
  });

  it('rejects invalid options', () => {
    expect(() => createWeblogGenerator({ seed: -1 })).toThrow(RangeError);
    expect(() => createWeblogGenerator({ seed: 1.5 })).toThrow(RangeError);
    expect(() => createWeblogGenerator({ seed: 1, crawlerShare: 2 })).toThrow(RangeError);
    expect(() => createWeblogGenerator({ seed: 1, errorBursts: { meanIntervalSec: 0, minDurationSec: 1, maxDurationSec: 2, errorShare: 0.5 } })).toThrow(
      RangeError,
    );
  });
});
