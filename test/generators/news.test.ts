/**
 * The news generator: determinism, the exact JSON shape, tickers consistent with the text, known
 * polarity per template (and recoverable from the wording), and the `generate news` CLI.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  COMPANIES,
  companyByTicker,
  createNewsGenerator,
  NEWS_SOURCES,
  NEWS_TEMPLATES,
  type NewsEntry,
  type Polarity,
} from '../../generators/news/index.js';

const START = Date.parse('2025-06-01T00:00:00Z');
const N = 20_000;

function generate(n: number, seed: number, stepMs = 1000): NewsEntry[] {
  const g = createNewsGenerator({ seed });
  return Array.from({ length: n }, (_, i) => g.nextEntry(new Date(START + i * stepMs)));
}

const entries = generate(N, 42);

describe('determinism', () => {
  it('same seed and event times => same lines; other seed => other lines', () => {
    expect(generate(N, 42).map((e) => e.line)).toEqual(entries.map((e) => e.line));
    const other = generate(2_000, 43);
    const same = other.filter((e, i) => e.record.headline === entries[i]?.record.headline).length;
    expect(same / other.length).toBeLessThan(0.05);
  });

  it('next() returns the same line as nextEntry()', () => {
    const g = createNewsGenerator({ seed: 42 });
    expect(Array.from({ length: 100 }, (_, i) => g.next(new Date(START + i * 1000)))).toEqual(entries.slice(0, 100).map((e) => e.line));
  });
});

describe('line format', () => {
  it('is exactly {"@timestamp","id","headline","source","tickers"} with the event time and a unique id', () => {
    const ids = new Set<string>();
    const sources = new Set(NEWS_SOURCES.map(([s]) => s));
    const bad: string[] = [];
    entries.forEach((e, i) => {
      const o = JSON.parse(e.line) as Record<string, unknown>;
      const ok =
        Object.keys(o).join() === '@timestamp,id,headline,source,tickers' &&
        o['@timestamp'] === new Date(START + i * 1000).toISOString() &&
        o.id === `news-42-${String(i).padStart(8, '0')}` &&
        sources.has(o.source as string) &&
        typeof o.headline === 'string' &&
        o.headline !== '' &&
        Array.isArray(o.tickers) &&
        !e.line.includes('polarity');
      if (!ok) bad.push(e.line);
      ids.add(o.id as string);
    });
    expect(bad.slice(0, 5)).toEqual([]);
    expect(ids.size).toBe(N);
  });

  it('tickers are table companies named in the headline by name or cashtag; acquisitions name two', () => {
    let cashtags = 0;
    let names = 0;
    const bad: string[] = [];
    for (const e of entries) {
      const { headline, tickers } = e.record;
      expect(tickers.length).toBe(e.event === 'acquisition' ? 2 : 1);
      expect(new Set(tickers).size).toBe(tickers.length);
      for (const t of tickers) {
        const c = companyByTicker(t);
        const byTag = new RegExp(`\\$${t}\\b`).test(headline);
        const byName = c !== undefined && headline.includes(c.name);
        if (!c || !(byTag || byName)) bad.push(headline);
        if (byTag) cashtags++;
        if (byName) names++;
      }
      // Only the listed companies appear as cashtags.
      for (const m of headline.matchAll(/\$([A-Z]{1,5})\b/g)) if (!tickers.includes(m[1] as string)) bad.push(headline);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(cashtags / N).toBeGreaterThan(0.35);
    expect(names / N).toBeGreaterThan(0.55);
  });

  it('uses many companies, templates and phrasings', () => {
    expect(new Set(entries.map((e) => e.record.tickers[0])).size).toBe(COMPANIES.length);
    expect(new Set(entries.map((e) => e.event)).size).toBe(NEWS_TEMPLATES.length);
    expect(new Set(entries.map((e) => e.record.headline)).size / N).toBeGreaterThan(0.8);
  });
});

describe('polarity', () => {
  const POSITIVE = /\b(beats?|tops|raises|upgrades?|upgraded|record|surges?|soar|boosts?|jumps?|gains?|rise|climb|lifts|premium|hailed|hike|increases|strong|approves|approval|all-time high|improving|wins|rewards)\b/i;
  const NEGATIVE = /\b(miss(es)?|cuts?|downgrades?|downgraded|breach|lawsuit|sued|layoffs|lays off|recalls?|slump|plunges?|falls?|drop|weak|weakens|resigns|ousts|tumble|slashes|sink|slides?|disappointing|disappoint|lowers|suspends|damages|cyberattack|stole|short|abruptly|losses|scandal|probe|turmoil)\b/i;

  it('every event kind has one fixed polarity, and the mix is about 39/41/20 %', () => {
    const byKind = new Map<string, Set<Polarity>>();
    for (const e of entries) {
      if (!byKind.has(e.event)) byKind.set(e.event, new Set());
      byKind.get(e.event)?.add(e.polarity);
    }
    for (const [, set] of byKind) expect(set.size).toBe(1);
    const share = (p: Polarity): number => entries.filter((e) => e.polarity === p).length / N;
    expect(share('positive')).toBeGreaterThan(0.35);
    expect(share('positive')).toBeLessThan(0.43);
    expect(share('negative')).toBeGreaterThan(0.37);
    expect(share('negative')).toBeLessThan(0.45);
    expect(share('neutral')).toBeGreaterThan(0.17);
    expect(share('neutral')).toBeLessThan(0.23);
  });

  it('is visible in the wording: positive cue words only in positive headlines, negative only in negative ones', () => {
    const bad: string[] = [];
    for (const e of entries) {
      const h = e.record.headline;
      const pos = POSITIVE.test(h);
      const neg = NEGATIVE.test(h);
      const ok = e.polarity === 'positive' ? pos && !neg : e.polarity === 'negative' ? neg && !pos : !pos && !neg;
      if (!ok) bad.push(`${e.polarity}: ${h}`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('numbers follow the direction: beats above, misses below the estimate', () => {
    for (const e of entries) {
      const m = /EPS of \$(\d+\.\d\d) (beats|misses) estimates of \$(\d+\.\d\d)/.exec(e.record.headline);
      if (!m) continue;
      const [actual, estimate] = [Number(m[1]), Number(m[3])];
      if (m[2] === 'beats') expect(actual).toBeGreaterThan(estimate);
      else expect(actual).toBeLessThan(estimate);
    }
  });
});

describe('generate news (CLI)', () => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const run = (args: string[]) =>
    spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'generators', 'cli.ts'), ...args], { cwd: root, encoding: 'utf8' });

  it('prints the in-process lines with --seed/--start/--rate 0 and a JSON summary', () => {
    // --rate 0 with --start: 1 ms of event time per line.
    const r = run(['news', '--count', '500', '--seed', '42', '--start', '2025-06-01T00:00:00Z', '--rate', '0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(generate(500, 42, 1).map((e) => `${e.line}\n`).join(''));
    const summary = JSON.parse(r.stderr.trim().split('\n').pop() as string) as Record<string, unknown>;
    expect(summary).toMatchObject({ generator: 'news', seed: 42, lines: 500, files: 0, stoppedBy: 'count' });
  }, 30_000);

  it('documents its options', () => {
    const r = run(['news', '--help']);
    expect(r.status).toBe(0);
    for (const opt of ['--rate', '--count', '--duration', '--seed', '--start', '--out', '--out-dir', '--kafka', '--topic', '--brokers', 'news.headlines']) {
      expect(r.stdout).toContain(opt);
    }
  });
});
