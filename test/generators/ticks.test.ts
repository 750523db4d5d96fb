/**
 * Live ticks: consistent bars on the tick grid, continuity, determinism by seed, the documented
 * GBM volatility, the intraday U-shape of volume, and the `generate ticks` CLI (live mode, usage).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createLiveTickGenerator, instrumentFor, intradayVolumeShape, TRADING_SECONDS_PER_YEAR, type Tick } from '../../generators/ticks/index.js';

const SYMBOLS = ['AAPL', 'MSFT', 'TSLA', 'KO', 'ZZZT'];

function ticks(n: number, seed: number, stepMs: number, start = Date.parse('2025-06-02T13:30:00Z'), symbols = SYMBOLS): Tick[] {
  const g = createLiveTickGenerator({ seed, symbols, firstIntervalMs: stepMs * symbols.length });
  return Array.from({ length: n }, (_, i) => g.nextTick(new Date(start + i * stepMs)));
}

/** True if x is an exact multiple of 0.01 as printed in JSON (at most 2 decimals). */
function onCentGrid(x: number): boolean {
  return /^\d+(\.\d{1,2})?$/.test(JSON.stringify(x));
}

describe('live ticks', () => {
  const all = ticks(50_000, 7, 100);

  it('are consistent OHLCV bars on the 0.01 grid, round-robin over the symbols', () => {
    const bad: Tick[] = [];
    all.forEach((t, i) => {
      const ok =
        t.symbol === SYMBOLS[i % SYMBOLS.length] &&
        [t.open, t.high, t.low, t.close].every(onCentGrid) &&
        t.high >= Math.max(t.open, t.close) &&
        t.low <= Math.min(t.open, t.close) &&
        t.low > 0 &&
        Number.isInteger(t.volume) &&
        t.volume >= 0;
      if (!ok) bad.push(t);
    });
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it('open each symbol\'s tick at its previous close, starting from the table price', () => {
    const last = new Map<string, number>();
    for (const t of all) {
      const prev = last.get(t.symbol);
      expect(t.open).toBe(prev ?? instrumentFor(t.symbol).price);
      last.set(t.symbol, t.close);
    }
  });

  it('serialise as {"@timestamp","symbol","open","high","low","close","volume"} with the event time', () => {
    const g = createLiveTickGenerator({ seed: 1, symbols: ['AAPL'] });
    const line = g.next(new Date('2025-06-02T13:30:00.250Z'));
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['@timestamp', 'symbol', 'open', 'high', 'low', 'close', 'volume']);
    expect(line.startsWith('{"@timestamp":"2025-06-02T13:30:00.250Z","symbol":"AAPL",')).toBe(true);
  });

  it('are deterministic by seed', () => {
    expect(ticks(5_000, 7, 100)).toEqual(all.slice(0, 5_000));
    const other = ticks(5_000, 8, 100);
    expect(other.filter((t, i) => t.close === all[i]?.close && t.volume === all[i]?.volume).length).toBeLessThan(2_500);
  });

  it('move with the documented annualised volatility (GBM: realised σ of 1-minute returns within 5 % of the table\'s)', () => {
    // One tick per minute of trading time, 40,000 each. (Per-second returns would be dominated by the
    // rounding to whole cents: KO moves ~0.4 cent per second.)
    const n = 40_000;
    for (const symbol of ['TSLA', 'KO']) {
      const g = createLiveTickGenerator({ seed: 3, symbols: [symbol], firstIntervalMs: 60_000 });
      const t0 = Date.parse('2025-06-02T13:30:00Z');
      let prev = instrumentFor(symbol).price;
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < n; i++) {
        const t = g.nextTick(new Date(t0 + (i + 1) * 60_000));
        const r = Math.log(t.close / prev);
        prev = t.close;
        sum += r;
        sum2 += r * r;
      }
      const variance = sum2 / n - (sum / n) ** 2;
      const sigma = Math.sqrt(variance / (60 / TRADING_SECONDS_PER_YEAR));
      const expected = instrumentFor(symbol).volatility;
      expect(Math.abs(sigma - expected) / expected).toBeLessThan(0.05);
    }
  });

  it('trade volume in an intraday U over 09:30-16:00 New York, thin outside it', () => {
    // One AAPL tick per second over a whole June weekday (13:30Z = 09:30 EDT).
    const day = ticks(86_400, 11, 1000, Date.parse('2025-06-03T00:00:00Z'), ['AAPL']);
    const minuteOfDayNy = (t: Tick): number => {
      const ms = Date.parse(t['@timestamp']) - 4 * 3_600_000; // EDT
      return Math.floor((ms % 86_400_000) / 60_000);
    };
    const mean = (from: number, to: number): number => {
      const v = day.filter((t) => minuteOfDayNy(t) >= from && minuteOfDayNy(t) < to).map((t) => t.volume);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    const open = mean(570, 600); // 09:30-10:00
    const midday = mean(750, 810); // 12:30-13:30
    const close = mean(930, 960); // 15:30-16:00
    const night = mean(0, 240);
    expect(open / midday).toBeGreaterThan(2.5);
    expect(close / midday).toBeGreaterThan(2.5);
    expect(night / midday).toBeLessThan(0.1);
    // Per second in session: adv / 23,400 s × shape (mean 1) — AAPL adv 55 M.
    const session = mean(570, 960);
    expect(session).toBeGreaterThan((55e6 / 23_400) * 0.9);
    expect(session).toBeLessThan((55e6 / 23_400) * 1.1);
    expect(intradayVolumeShape(0) / intradayVolumeShape(0.5)).toBe(4);
  });

  it('reject bad options', () => {
    expect(() => createLiveTickGenerator({ seed: 1, symbols: [] })).toThrow(RangeError);
    expect(() => createLiveTickGenerator({ seed: 1, symbols: ['AAPL', 'AAPL'] })).toThrow(RangeError);
    expect(() => createLiveTickGenerator({ seed: 1, symbols: ['aapl'] })).toThrow(RangeError);
  });
});

describe('generate ticks (CLI, live)', () => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const run = (args: string[]) =>
    spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'generators', 'cli.ts'), 'ticks', ...args], { cwd: root, encoding: 'utf8' });

  it('is deterministic with --seed/--start and matches the in-process generator', () => {
    const fast = ['--symbols', 'AAPL,MSFT,TSLA,KO,ZZZT', '--count', '2000', '--seed', '7', '--start', '2025-06-02T13:30:00Z', '--rate', '0'];
    const a = run(fast);
    const b = run(fast);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    // --rate 0 => 1 ms of event time per line; each symbol's first tick covers 5 ms (5 symbols).
    expect(a.stdout).toBe(ticks(2000, 7, 1).map((t) => `${JSON.stringify(t)}\n`).join(''));
    expect(JSON.parse(a.stderr.trim().split('\n').pop() as string)).toMatchObject({ generator: 'ticks', seed: 7, lines: 2000, stoppedBy: 'count' });
  });

  it('uses the largest companies with --symbol-count', () => {
    const r = run(['--symbol-count', '3', '--count', '6', '--rate', '0', '--seed', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Tick).symbol)).toEqual(['AAPL', 'MSFT', 'NVDA', 'AAPL', 'MSFT', 'NVDA']);
  });

  it('rejects option mixes with exit code 2', () => {
    expect(run(['--from', '2001-01-01', '--count', '1']).status).toBe(2);
    expect(run(['--symbols', 'AAPL', '--symbol-count', '3', '--count', '1']).status).toBe(2);
    expect(run(['--symbols', 'not a symbol', '--count', '1']).status).toBe(2);
    const r = run(['--from-candles', 'x.csv', '--start', '2025-01-01T00:00:00Z', '--count', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--start is for live mode');
  });

  it('documents its options', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const opt of ['--symbols', '--symbol-count', '--from-candles', '--from', '--to', '--days', '--tz', '--rebase-to-now', '--kafka', '--topic', '--brokers', 'market.ticks', '--seed', '--start']) {
      expect(r.stdout).toContain(opt);
    }
  });
});
