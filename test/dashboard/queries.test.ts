/**
 * Unit tests of the dashboard's parameter parsing, of the market computations done by the server
 * (candle returns, moving averages) and of the error-log panel's series, against values worked out by
 * hand, and of the demo error log derived from the access log (which the errorlogs dataset must accept).
 */
import { describe, expect, it } from '@jest/globals';
import { chooseInterval, esInterval, ParamError, parseParams, parseTimeExpression, symbolSchema, timeRangeSchema } from '../../scripts/dashboard/params.js';
import { movingAverages, returnDistribution } from '../../scripts/dashboard/queries/markets.js';
import type { Candle } from '../../scripts/dashboard/api-types.js';
import { errorLevelsQuery, readErrorLevels } from '../../scripts/dashboard/queries/web.js';
import { errorLogLines } from '../../scripts/dashboard/demo-data.js';
import { errorlogs } from '../../processor/datasets/errorlogs/index.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('time parameters', () => {
  it('reads now, now-<n><unit> and ISO-8601 instants; rejects anything else', () => {
    expect(parseTimeExpression('now', NOW)).toBe(NOW);
    expect(parseTimeExpression('now-15m', NOW)).toBe(NOW - 15 * 60_000);
    expect(parseTimeExpression('now-2d', NOW)).toBe(NOW - 2 * 86_400_000);
    expect(parseTimeExpression('2015-05-17T10:05:03Z', NOW)).toBe(Date.parse('2015-05-17T10:05:03Z'));
    expect(parseTimeExpression('2015-05-17T12:05:03+02:00', NOW)).toBe(Date.parse('2015-05-17T10:05:03Z'));
    expect(parseTimeExpression('2015-05-17', NOW)).toBe(Date.parse('2015-05-17T00:00:00Z'));
    for (const bad of ['yesterday', 'now-15', 'now+1h', '2015-05-17T10:05', '17/May/2015', '']) expect(parseTimeExpression(bad, NOW)).toBeUndefined();
  });

  it('chooses the smallest nice interval giving at most the target number of buckets', () => {
    expect(chooseInterval(0, 60 * 60_000, 120)).toBe(60_000); // 1 h → 60 one-minute buckets
    expect(chooseInterval(0, 86_400_000, 120)).toBe(15 * 60_000); // 24 h → 96 buckets of 15 min
    expect(chooseInterval(0, 4 * 86_400_000, 120)).toBe(3_600_000);
    expect(chooseInterval(0, 100 * 365 * 86_400_000, 120)).toBe(30 * 86_400_000); // beyond the table: the largest
    expect(esInterval(60_000)).toBe('1m');
    expect(esInterval(3 * 3_600_000)).toBe('3h');
    expect(esInterval(7 * 86_400_000)).toBe('7d');
  });

  it('validates a request: defaults, order, span, unknown keys, symbols', () => {
    const schema = timeRangeSchema(NOW, 120);
    expect(parseParams(schema, new URLSearchParams(), ['from', 'to'])).toEqual({ fromMs: NOW - 3_600_000, toMs: NOW, intervalMs: 60_000 });
    expect(() => parseParams(schema, new URLSearchParams('from=now&to=now-1h'), ['from', 'to'])).toThrow(/must be before/);
    expect(() => parseParams(schema, new URLSearchParams('from=1990-01-01&to=2026-01-01'), ['from', 'to'])).toThrow(/at most 20 years/);
    expect(() => parseParams(schema, new URLSearchParams('from=x&size=9'), ['from', 'to'])).toThrow(ParamError);
    expect(() => parseParams(schema, new URLSearchParams('from=x&size=9'), ['from', 'to'])).toThrow('unknown parameter "size" (allowed: from, to); from: "x" is not a time');
    expect(parseParams(symbolSchema, new URLSearchParams('symbol=BRK.B'), ['symbol'])).toEqual({ symbol: 'BRK.B' });
    expect(() => parseParams(symbolSchema, new URLSearchParams('symbol=aapl'), ['symbol'])).toThrow(/symbol/);
  });
});

const candle = (t: number, close: number): Candle => ({ t, open: close, high: close, low: close, close, volume: 1 });

describe('market computations', () => {
  it('returns between consecutive closes: bins, mean and sample standard deviation', () => {
    const r = returnDistribution([candle(0, 100), candle(1, 110), candle(2, 99), candle(3, 103.95)], 2);
    // returns +10 %, −10 %, +5 %: mean 1.6667 %, sample σ = sqrt(((8.3333)² + (11.6667)² + (3.3333)²) / 2) % = 10.4083 %
    expect(r.count).toBe(3);
    expect(r.mean).toBeCloseTo(0.016667, 6);
    expect(r.stdev).toBeCloseTo(0.104083, 6);
    expect(r.bins.map((b) => b.count)).toEqual([1, 2]);
    expect(r.bins[0]!.from).toBeCloseTo(-0.1, 6);
    expect(r.bins[1]!.to).toBeCloseTo(0.1, 6);
    expect(returnDistribution([candle(0, 1)])).toEqual({ bins: [], mean: null, stdev: null, count: 0 });
  });

  it('SMA and EMA over 20 closes start at the 20th candle and follow their formulas', () => {
    const closes = Array.from({ length: 25 }, (_, i) => 100 + i);
    const { sma, ema } = movingAverages(closes.map((c, i) => candle(i, c)));
    expect(sma.slice(0, 19).every((v) => v === null)).toBe(true);
    expect(sma[19]).toBeCloseTo(109.5, 6); // mean of 100..119
    expect(sma[24]).toBeCloseTo(114.5, 6);
    // trading-signals' EMA starts from the first close, k = 2 / (20 + 1), and is reported from the 20th.
    let e = closes[0]!;
    for (let i = 1; i < 25; i++) e = closes[i]! * (2 / 21) + e * (1 - 2 / 21);
    expect(ema.slice(0, 19).every((v) => v === null)).toBe(true);
    expect(ema[24]).toBeCloseTo(e, 3);
  });
});

describe('errors per minute by level', () => {
  const bucket = (key: number, levels: Record<string, number>) => ({
    key,
    doc_count: Object.values(levels).reduce((a, b) => a + b, 0),
    levels: { buckets: Object.entries(levels).map(([k, n]) => ({ key: k, doc_count: n })) },
  });

  it('asks for a histogram of the range with the log.level terms in each bucket', () => {
    const q = errorLevelsQuery({ fromMs: 0, toMs: 3_600_000, intervalMs: 300_000 }) as { size: number; aggs: { timeline: { date_histogram: { fixed_interval: string }; aggs: unknown } } };
    expect(q.size).toBe(0);
    expect(q.aggs.timeline.date_histogram.fixed_interval).toBe('5m');
    expect(q.aggs.timeline.aggs).toEqual({ levels: { terms: { field: 'log.level', size: 20 } } });
  });

  it('divides each bucket by its minutes and orders levels by severity, unknown ones last', () => {
    // 5-minute buckets: 10 errors → 2 per minute; 1 warn → 0.2; a level missing from a bucket is 0.
    const r = readErrorLevels([bucket(0, { info: 3, error: 10 }), bucket(300_000, { warn: 1, trace3: 5, custom: 1 }), bucket(600_000, {})], 300_000, 21);
    expect(r).toEqual({
      t: [0, 300_000, 600_000],
      levels: ['error', 'warn', 'info', 'trace3', 'custom'],
      series: { error: [2, 0, 0], warn: [0, 0.2, 0], info: [0.6, 0, 0], trace3: [0, 1, 0], custom: [0, 0.2, 0] },
      total: 21,
    });
  });

  it('no error-log stream: an empty panel, not an error', () => {
    expect(readErrorLevels(undefined, 60_000, 0)).toEqual({ t: [], levels: [], series: {}, total: 0 });
  });

  it('the demo error log: one Apache entry per 404, 403 and 500 of the access log, each accepted by the errorlogs dataset', () => {
    const access = [
      '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 203023 "-" "UA"',
      '83.149.9.216 - - [17/May/2015:10:05:04 +0000] "GET /missing?x=1 HTTP/1.1" 404 0 "http://r.example/" "UA"',
      '1.2.3.4 - - [18/May/2015:23:59:59 +0000] "GET /private HTTP/1.1" 403 0 "-" "UA"',
      '1.2.3.4 - - [20/May/2015:00:00:00 +0000] "POST /loop HTTP/1.1" 500 0 "-" "UA"',
    ];
    const lines = errorLogLines(access);
    expect(lines.map((l) => l.slice(0, l.indexOf(' [pid')))).toEqual([
      '[Sun May 17 10:05:04.000000 2015] [core:info]',
      '[Mon May 18 23:59:59.000000 2015] [authz_core:error]',
      '[Wed May 20 00:00:00.000000 2015] [core:error]',
    ]);
    const decoded = lines.map((l) => errorlogs.schema.parse(errorlogs.decode(l)));
    expect(decoded[0]).toMatchObject({ level: 'info', client: '83.149.9.216', errorCode: 'AH00128', referrer: 'http://r.example/', message: 'AH00128: File does not exist: /var/www/html/missing' });
    expect(decoded.map((d) => [d.timestampIso, d.level, d.errorCode])).toEqual([
      ['2015-05-17T10:05:04.000000Z', 'info', 'AH00128'],
      ['2015-05-18T23:59:59.000000Z', 'error', 'AH01630'],
      ['2015-05-20T00:00:00.000000Z', 'error', 'AH00124'],
    ]);
  });
});
