/**
 * The `news` dataset: decode, validation, enrichment and the index template's contract with the
 * documents it must accept under `dynamic: strict`.
 */
import { describe, expect, it } from '@jest/globals';
import { news } from '../../processor/datasets/news/index.js';
import { DecodeError, type EnrichContext } from '../../processor/datasets/types.js';
import type { NewsRecord } from '../../processor/datasets/news/schema.js';

const ctx = { now: () => new Date('2026-01-01T00:00:00.000Z') } as unknown as EnrichContext;
const dataStream = { ...news.dataStream, namespace: 'default' };
const good = {
  '@timestamp': '2026-11-21T15:03:00.000+01:00',
  id: 'a1',
  headline: 'Apple Inc. ($AAPL) beats Q3 earnings estimates',
  source: 'Reuters',
  url: 'https://example.com/a1',
  tickers: ['msft'],
};

describe('decode', () => {
  it('returns the parsed object', () => {
    expect(news.decode(JSON.stringify(good))).toEqual(good);
  });

  it.each([
    ['', 'empty line'],
    ['not json', 'not valid JSON'],
    ['{"headline": "cut off', 'not valid JSON'],
    ['[1,2]', 'not a JSON object (got an array)'],
    ['null', 'not a JSON object (got null)'],
    ['"text"', 'not a JSON object (got a string)'],
  ])('%j → DecodeError %s', (raw, reason) => {
    expect(() => news.decode(raw)).toThrow(DecodeError);
    expect(() => news.decode(raw)).toThrow(reason);
  });
});

describe('schema', () => {
  const check = (patch: Record<string, unknown>): string[] => {
    const r = news.schema.safeParse({ ...good, ...patch });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts a full record and one without the optional fields', () => {
    expect(check({})).toEqual([]);
    expect(check({ url: undefined, tickers: undefined })).toEqual([]);
  });

  it.each([
    ['a zone-less timestamp', { '@timestamp': '2026-11-21T14:03:00' }, '@timestamp'],
    ['a non-date timestamp', { '@timestamp': 'yesterday' }, '@timestamp'],
    ['a missing headline', { headline: undefined }, 'headline: headline missing'],
    ['a blank headline', { headline: '   ' }, 'headline: headline is empty'],
    ['a 1001-character headline', { headline: 'x'.repeat(1001) }, 'headline: headline longer than 1000 characters'],
    ['an empty id', { id: '' }, 'id: id is empty'],
    ['a numeric source', { source: 7 }, 'source'],
    ['a non-http url', { url: 'ftp://example.com/x' }, 'url'],
    ['a malformed ticker', { tickers: ['$$$'] }, 'tickers.0'],
  ])('rejects %s', (_name, patch, reason) => {
    expect(check(patch).join('; ')).toContain(reason);
  });
});

describe('enrich', () => {
  const record = news.schema.parse(good) as NewsRecord;
  const position = { kind: 'file' as const, path: 'news/a.log', fileId: '1:2', generation: 0, offset: 42, nextOffset: 99 };
  const doc = news.enrich(record, ctx, { raw: JSON.stringify(good), position, dataStream });

  it('builds the ECS document', () => {
    expect(doc).toEqual({
      '@timestamp': '2026-11-21T14:03:00.000Z',
      message: good.headline,
      ecs: { version: expect.any(String) },
      event: { kind: 'event', type: ['info'], dataset: 'news.headlines', module: 'news', ingested: '2026-01-01T00:00:00.000Z' },
      url: { original: 'https://example.com/a1' },
      news: {
        id: 'a1',
        source: 'Reuters',
        headline: good.headline,
        tickers: ['AAPL', 'MSFT'],
        sentiment: {
          score: 3,
          comparative: expect.any(Number),
          label: 'positive',
          matched: ['beats estimates'],
          probabilities: { negative: expect.any(Number), neutral: expect.any(Number), positive: expect.any(Number) },
          decided_by: expect.stringMatching(/^(model|rule)$/),
        },
      },
      log: { file: { path: 'news/a.log' }, offset: 42 },
      data_stream: { type: 'logs', dataset: 'news.headlines', namespace: 'default' },
    });
  });

  it('omits url and log for a Kafka record without url', () => {
    const r = news.schema.parse({ ...good, url: undefined }) as NewsRecord;
    const d = news.enrich(r, ctx, { raw: '', position: { kind: 'kafka', topic: 'news.headlines', partition: 0, offset: '7' }, dataStream });
    expect(d).not.toHaveProperty('url');
    expect(d).not.toHaveProperty('log');
  });
});

describe('index template', () => {
  const t = news.indexTemplate();

  it('targets the data stream with priority 200 and strict mappings', () => {
    expect(t.name).toBe('logs-news.headlines');
    expect(t.body.index_patterns).toEqual(['logs-news.headlines-*']);
    expect(t.body.priority).toBe(200);
    expect(t.body.template.mappings.dynamic).toBe('strict');
  });

  it('maps every field the enrichment writes (dynamic: strict would reject the rest)', () => {
    const record = news.schema.parse(good) as NewsRecord;
    const position = { kind: 'file' as const, path: 'p', fileId: 'f', generation: 0, offset: 0, nextOffset: 1 };
    const doc = news.enrich(record, ctx, { raw: '', position, dataStream });
    const leaves = (o: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === 'object' && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    const mapped = (p: string): boolean => {
      let node: Record<string, unknown> | undefined = t.body.template.mappings as Record<string, unknown>;
      for (const part of p.split('.')) {
        const props = node?.properties as Record<string, Record<string, unknown>> | undefined;
        node = props?.[part];
      }
      return typeof node?.type === 'string';
    };
    const fields = leaves(doc);
    expect(fields.length).toBeGreaterThan(15);
    expect(fields.filter((f) => !mapped(f))).toEqual([]);
  });
});
