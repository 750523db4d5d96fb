/**
 * Event-time windows equal a brute-force computation over the same input: per-minute web traffic
 * (with late events injected: they are stored raw, tagged, counted, and left out of the windows),
 * per-symbol one-minute OHLCV bars, and per-ticker sentiment over 5 minutes sliding every minute.
 * The processor runs with small batches so windows are recomputed across many batches.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createWeblogGenerator } from '../../generators/weblogs/index.js';
import { startProcessor } from '../../processor/processor.js';
import { allDocuments, countDocs, es, esUrl, quietLog, tempDir, uniqueNamespace } from '../support/stack.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T14:00:00.000Z');

afterAll(async () => {
  await es.close();
});

async function run(dataset: string, lines: string[], extra: { allowedLatenessMs?: number } = {}): Promise<string> {
  const namespace = uniqueNamespace('win');
  const dir = tempDir(`win-${dataset}`);
  writeFileSync(path.join(dir, `${dataset}.log`), lines.join('\n') + '\n');
  const handle = await startProcessor({
    watch: [dir], dataset, once: true, esUrl, namespace, dataDir: tempDir('win-data'), batchSize: 250, log: quietLog, ...extra,
  });
  const summary = await handle.done;
  expect(summary).toMatchObject({ lines: lines.length, indexed: lines.length, rejected: 0 });
  return namespace;
}

describe('event-time windows vs brute force', () => {
  it('web traffic per minute, late events left out and counted', async () => {
    const gen = createWeblogGenerator({ seed: 42 });
    const lateness = 2 * MINUTE;
    // 4000 events 150 ms apart (10 minutes), in order but with jitter; every 400th event is 3–5 minutes
    // behind (late), every 97th is 1 minute behind (out of order, on time).
    const times: number[] = [];
    for (let i = 0; i < 4000; i++) {
      let t = T0 + i * 150 + (i % 7) * 20;
      if (i % 400 === 399) t -= 3 * MINUTE + (i % 3) * MINUTE;
      else if (i % 97 === 96) t -= MINUTE;
      times.push(t);
    }
    const lines = times.map((t) => gen.next(new Date(t)));

    // Brute force, in arrival order.
    let max = Number.NEGATIVE_INFINITY;
    let late = 0;
    const expected = new Map<number, { requests: number; errors_5xx: number; bytes: number }>();
    lines.forEach((line, i) => {
      const t = times[i]!;
      if (t < max - lateness) {
        late++;
        return;
      }
      max = Math.max(max, t);
      const m = /" (\d{3}) (\d+|-) /.exec(line)!;
      const minute = Math.floor(t / MINUTE) * MINUTE;
      const w = expected.get(minute) ?? { requests: 0, errors_5xx: 0, bytes: 0 };
      w.requests++;
      if (Number(m[1]) >= 500) w.errors_5xx++;
      w.bytes += m[2] === '-' ? 0 : Number(m[2]);
      expected.set(minute, w);
    });
    expect(late).toBe(10);

    const ns = await run('weblogs', lines, { allowedLatenessMs: lateness });
    expect(await countDocs(`logs-weblogs.access-${ns}`)).toBe(4000);
    expect(await countDocs(`logs-weblogs.access-${ns}`, { term: { tags: 'late_event' } })).toBe(late);
    const windows = await allDocuments<{ window: { start: string; event_count: number }; weblogs: { traffic: { requests: number; errors_5xx: number; bytes: number; error_5xx_share: number } } }>(
      `metrics-weblogs.traffic_1m-${ns}`,
    );
    const actual = new Map(windows.map((w) => [Date.parse(w.window.start), { requests: w.weblogs.traffic.requests, errors_5xx: w.weblogs.traffic.errors_5xx, bytes: w.weblogs.traffic.bytes }]));
    expect(actual).toEqual(expected);
    for (const w of windows) expect(w.weblogs.traffic.error_5xx_share).toBeCloseTo(w.weblogs.traffic.errors_5xx / w.weblogs.traffic.requests, 12);
  });

  it('one-minute OHLCV bars per symbol', async () => {
    const symbols = ['AAA', 'BBB', 'CCC'];
    const lines: string[] = [];
    const price = new Map(symbols.map((s, i) => [s, 100 + i * 50]));
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      for (const [k, s] of symbols.entries()) {
        const t = T0 + i * 7000 + k * 1000; // one tick per symbol every 7 s, distinct timestamps
        const open = price.get(s)!;
        const close = Math.round(open * (1 + (rnd() - 0.5) / 100) * 100) / 100;
        const high = Math.round((Math.max(open, close) + rnd()) * 100) / 100;
        const low = Math.round((Math.min(open, close) - rnd()) * 100) / 100;
        price.set(s, close);
        lines.push(JSON.stringify({ '@timestamp': new Date(t).toISOString(), symbol: s, open, high, low, close, volume: Math.floor(rnd() * 1000) }));
      }
    }
    type Bar = { symbol: string; open: number; high: number; low: number; close: number; volume: number };
    const expected = new Map<string, Bar>();
    for (const l of lines) {
      const t = JSON.parse(l) as { '@timestamp': string; symbol: string; open: number; high: number; low: number; close: number; volume: number };
      const key = `${t.symbol}@${Math.floor(Date.parse(t['@timestamp']) / MINUTE) * MINUTE}`;
      const b = expected.get(key);
      if (!b) expected.set(key, { symbol: t.symbol, open: t.open, high: t.high, low: t.low, close: t.close, volume: t.volume });
      else Object.assign(b, { high: Math.max(b.high, t.high), low: Math.min(b.low, t.low), close: t.close, volume: b.volume + t.volume });
    }

    const ns = await run('ticks', lines);
    const bars = await allDocuments<{ window: { start: string }; market: Bar }>(`metrics-market.bars_1m-${ns}`);
    const actual = new Map(bars.map((b) => [`${b.market.symbol}@${Date.parse(b.window.start)}`, b.market]));
    expect(actual).toEqual(expected);
  });

  it('sentiment per ticker over 5 minutes sliding every minute', async () => {
    const headlines = [
      ['AAPL'], ['MSFT'], ['AAPL', 'MSFT'], ['NVDA'], ['AAPL'],
    ];
    const texts = [
      'beats quarterly earnings estimates and raises guidance',
      'misses revenue estimates as demand slumps',
      'announces date of annual shareholder meeting',
      'shares plunge after data breach and lawsuit',
      'wins analyst upgrade on record profit',
    ];
    const lines: string[] = [];
    for (let i = 0; i < 120; i++) {
      const tickers = headlines[i % headlines.length]!;
      lines.push(
        JSON.stringify({
          '@timestamp': new Date(T0 + i * 4500).toISOString(),
          id: `h${i}`,
          headline: `${tickers.map((t) => `$${t}`).join(' ')} ${texts[(i * 3) % texts.length]}`,
          source: 'Test Wire',
        }),
      );
    }
    const ns = await run('news', lines);
    // Brute force from the scored headlines as indexed (the window is under test, not the scorer).
    const raw = await allDocuments<{ '@timestamp': string; news: { tickers: string[]; sentiment: { score: number; label: string } } }>(`logs-news.headlines-${ns}`);
    expect(raw).toHaveLength(120);
    const expected = new Map<string, { headline_count: number; avg: number; bullish: number; bearish: number; neutral: number }>();
    const starts = new Set<number>();
    for (const d of raw) {
      const t = Date.parse(d['@timestamp']);
      for (let s = Math.floor(t / MINUTE) * MINUTE; s > t - 5 * MINUTE; s -= MINUTE) starts.add(s);
    }
    for (const s of starts) {
      for (const ticker of ['AAPL', 'MSFT', 'NVDA']) {
        const inWindow = raw.filter((d) => d.news.tickers.includes(ticker) && Date.parse(d['@timestamp']) >= s && Date.parse(d['@timestamp']) < s + 5 * MINUTE);
        if (inWindow.length === 0) continue;
        const count = (l: string): number => inWindow.filter((d) => d.news.sentiment.label === l).length;
        expected.set(`${ticker}@${s}`, {
          headline_count: inWindow.length,
          avg: Math.round((inWindow.reduce((n, d) => n + d.news.sentiment.score, 0) / inWindow.length) * 1e4) / 1e4,
          bullish: count('positive'),
          bearish: count('negative'),
          neutral: count('neutral'),
        });
      }
    }
    const windows = await allDocuments<{ window: { start: string }; news: { ticker: string; headline_count: number; sentiment: { avg_score: number; bullish: number; bearish: number; neutral: number } } }>(
      `metrics-news.sentiment_5m-${ns}`,
    );
    const actual = new Map(
      windows.map((w) => [
        `${w.news.ticker}@${Date.parse(w.window.start)}`,
        { headline_count: w.news.headline_count, avg: w.news.sentiment.avg_score, bullish: w.news.sentiment.bullish, bearish: w.news.sentiment.bearish, neutral: w.news.sentiment.neutral },
      ]),
    );
    expect(actual).toEqual(expected);
    // The labels really vary, so the comparison is not between empty or uniform counts.
    expect([...actual.values()].some((w) => w.bullish > 0 && w.bearish > 0)).toBe(true);
  });
});
