/**
 * Unit tests of the dashboard's parameter parsing and of the market computations done by the server
 * (candle returns, moving averages), against values worked out by hand.
 */
import { describe, expect, it } from '@jest/globals';
import { chooseInterval, esInterval, ParamError, parseParams, parseTimeExpression, symbolSchema, timeRangeSchema } from '../../scripts/dashboard/params.js';
import { movingAverages, returnDistribution } from '../../scripts/dashboard/queries/markets.js';
import type { Candle } from '../../scripts/dashboard/api-types.js';

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
