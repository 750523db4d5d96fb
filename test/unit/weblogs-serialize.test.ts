/**
 * `accessDocumentJson` must write exactly what `JSON.stringify` writes for every document
 * `enrichAccessLine` builds: checked over the real sample (10,000 lines), the golden inputs (escapes,
 * non-UTF-8 bytes, CONNECT, absolute-form targets, broken lines) and hostile lines written here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, beforeAll } from '@jest/globals';
import { createEnrichContext } from '../../processor/processor.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import { accessDocumentJson } from '../../processor/datasets/weblogs/serialize.js';
import { bulkLine } from '../../processor/sinks/elasticsearch-sink.js';
import type { EnrichContext } from '../../processor/datasets/types.js';
import { registerInputs } from '../../processor/inputs/settings.js';
import type { OutputDocument, SourceRecord } from '../../processor/pipeline/types.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const lines = (rel: string): string[] => readFileSync(path.join(repo, rel), 'utf8').split('\n').filter((l) => l !== '');

const NGINX_EXTRAS =
  '$remote_addr $remote_user $http_x_remote [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
  '"$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time" ua="$upstream_addr" us=$upstream_status h=$http_host s=$scheme rid=$request_id tls=$ssl_protocol x=$x';

const hostile = [
  // a quote and a backslash in the unquoted client and user fields
  'a"b\\c - us"er\\ [01/Jan/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8"',
  // control characters, a lone surrogate escape and non-BMP text in quoted fields
  '203.0.113.9 - - [01/Jan/2025:10:00:00 +0000] "GET /\u0001\u001f HTTP/1.1" 200 1 "http://x/\u2028" "ua \ud83d\ude00 \t"',
  '203.0.113.9 - - [01/Jan/2025:10:00:00 +0000] "GET /a?b#c HTTP/1.1" 500 1 "-" "\\xed\\xa0\\x80 broken"',
  // zone offsets (the ISO time is computed, not copied), absolute-form target with a port
  '198.51.100.7 - bob [31/Dec/2024:23:59:59 -0130] "POST http://Example.com:8080/p.JSON?x=1 HTTP/2.0" 404 - "-" "-"',
  '2001:db8::1 - - [29/Feb/2024:12:00:00 +1400] "OPTIONS * HTTP/1.1" 204 0',
  '192.0.2.1 - - [01/Jan/2025:10:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];

describe('accessDocumentJson: the same text as JSON.stringify', () => {
  let ctx: EnrichContext;
  let docs: OutputDocument[];
  beforeAll(async () => {
    ctx = await createEnrichContext();
    const raws = [
      ...lines('data/samples/weblogs/apache_logs'),
      ...lines('test/golden/weblogs/access.log'),
      ...lines('test/golden/weblogs/escapes.log'),
      ...lines('test/golden/weblogs/bad.log'),
      ...hostile,
    ];
    let offset = 0;
    const records: SourceRecord[] = raws.map((raw) => ({
      dataset: 'weblogs',
      raw,
      position: { kind: 'file', path: 'dir/"odd\\name".log', fileId: 'f', generation: 0, offset: (offset += raw.length + 1), nextOffset: offset + raw.length + 1 },
    }));
    docs = transformBatch(records, ctx, 'default').docs;
  });

  it('for every document of the sample, the golden inputs and the hostile lines', () => {
    expect(docs.length).toBeGreaterThan(10_000);
    const differing = docs.filter((d) => accessDocumentJson(d.body) !== JSON.stringify(d.body));
    expect(differing.map((d) => d.record.raw)).toEqual([]);
    // the hostile lines were all indexed, and their escapes came out
    const hostileDocs = docs.filter((d) => hostile.includes(d.record.raw));
    expect(hostileDocs).toHaveLength(hostile.length);
    expect(JSON.parse(accessDocumentJson(hostileDocs[0]!.body)).source.address).toBe('a"b\\c');
  });

  it('for documents of configured formats with their extras and an input\'s tags, labels, service and host', () => {
    registerInputs([
      {
        id: 'ser-nginx',
        dataset: 'weblogs',
        paths: [],
        format: `nginx:${NGINX_EXTRAS}`,
        trustedProxies: ['10.0.0.0/8'],
        tags: ['edge'],
        labels: { env: 'prod' },
        serviceName: 'shop',
        hostName: 'web-1',
      },
      { id: 'ser-apache', dataset: 'weblogs', paths: [], format: 'apache:%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D %{tid}P %P' },
    ]);
    const sample = lines('data/samples/weblogs/apache_logs').slice(0, 2000);
    const records: SourceRecord[] = sample.flatMap((raw, n) => {
      const m = /^(\S+) (.*)$/.exec(raw)!;
      const position = { kind: 'file' as const, path: 'p', fileId: 'f', generation: 0, offset: n, nextOffset: n + 1 };
      return [
        {
          dataset: 'weblogs',
          input: 'ser-nginx',
          raw: `10.0.0.5 ${m[2]} "${m[1]}, 10.0.0.7" rt=0.0${n % 10} uct="${n % 2 ? '0.001, -' : '0.004'}" urt="0.002 : 0.001" ua="10.0.1.${n % 3}:8080${n % 2 ? '' : ', 10.0.1.9:8080'}" us=${n % 2 ? '200' : '502, 200'} h=www.example.org:8443 s=https rid=r${n} tls=TLSv1.3 x=${n}`,
          position,
        },
        { dataset: 'weblogs', input: 'ser-apache', raw: `www.example.org:443 ${raw.replace(/"$/, '" 1532 140 7')}`, position },
      ];
    });
    const { docs: extended, deadLetters } = transformBatch(records, ctx, 'default');
    expect(deadLetters.length).toBeLessThan(5); // the sample's one truncated line has no closing quote for the added fields
    expect(extended.length).toBeGreaterThan(3990);
    expect(extended.filter((d) => accessDocumentJson(d.body) !== JSON.stringify(d.body)).map((d) => d.record.raw)).toEqual([]);
    const first = JSON.parse(accessDocumentJson(extended[0]!.body));
    expect(first.client.ip).toBe(sample[0]!.split(' ')[0]);
    expect(first.source.ip).toBe('10.0.0.5');
    expect(first.event.duration).toBe(0);
    expect(first.weblogs.upstream).toEqual({ address: ['10.0.1.0:8080', '10.0.1.9:8080'], status_code: [502, 200], connect: { duration: 4_000_000 }, response: { duration: 3_000_000 } });
    expect(JSON.parse(accessDocumentJson(extended[2]!.body)).weblogs.upstream).toEqual({ address: ['10.0.1.1:8080'], status_code: [200], connect: { duration: 1_000_000 }, response: { duration: 3_000_000 } });
    expect(first.tls).toEqual({ version_protocol: 'tls', version: '1.3' });
    expect(first.url.domain).toBe('www.example.org');
    expect(first.url.port).toBe(8443);
    expect([first.tags, first.labels, first.service, first.host]).toEqual([['edge'], { env: 'prod' }, { name: 'shop' }, { name: 'web-1' }]);
    expect(first.weblogs.variables).toEqual({ x: '0' });
    const apache = JSON.parse(accessDocumentJson(extended[1]!.body));
    expect([apache.event.duration, apache.process, apache.server]).toEqual([1_532_000, { pid: 7, thread: { id: 140 } }, { domain: 'www.example.org', port: 443 }]);
  });

  it('for a structured clone (worker threads: the cached JSON text does not travel)', () => {
    for (const d of docs.slice(0, 500)) {
      const clone = structuredClone(d.body);
      expect(accessDocumentJson(clone)).toBe(JSON.stringify(d.body));
    }
  });

  it('keeps a late tag added after enrichment, and falls back to JSON.stringify for unknown fields', () => {
    const late = { ...docs[0]!.body, tags: ['late'] };
    expect(accessDocumentJson(late)).toBe(JSON.stringify(late));
    const withHost = { ...docs[3]!.body, host: { name: 'web-1' }, labels: { env: 'x' } };
    expect(accessDocumentJson(withHost)).toBe(JSON.stringify(withHost));
    const extra = { ...docs[1]!.body, custom: { a: 1 } };
    expect(accessDocumentJson(extra)).toBe(JSON.stringify(extra));
    const missing = { ...docs[2]!.body };
    delete missing.http;
    expect(accessDocumentJson(missing)).toBe(JSON.stringify(missing));
  });

  it('writes every url key and never reuses the JSON of an event that differs', () => {
    const withUrl = docs.find((d) => d.body.url !== undefined)!.body;
    const extraUrlKey = { ...withUrl, url: { ...(withUrl.url as object), username: 'u' } };
    expect(accessDocumentJson(extraUrlKey)).toBe(JSON.stringify(extraUrlKey));
    const undefinedUrlKey = { ...withUrl, url: { ...(withUrl.url as object), query: undefined } };
    expect(accessDocumentJson(undefinedUrlKey)).toBe(JSON.stringify(undefinedUrlKey));
    // Consecutive documents whose events differ in one field each (the same `ingested`).
    const base = docs[4]!.body;
    const event = base.event as Record<string, unknown>;
    const variants = [
      base,
      { ...base, event: { ...event, timezone: '-05:00' } },
      { ...base, event: { ...event, outcome: 'failure' } },
      { ...base, event: { ...event, dataset: 'other.access' } },
      { ...base, event: { ...event, ingested: '2030-01-01T00:00:00.000Z' } },
      { ...base, event: { ...event, type: ['access', 'error'] } },
      base,
    ];
    for (const v of variants) expect(accessDocumentJson(v)).toBe(JSON.stringify(v));
    // url keys in another order than urlFields inserts them
    const reordered = { ...withUrl, url: { query: 'q=1', ...(withUrl.url as object) } };
    expect(accessDocumentJson(reordered)).toBe(JSON.stringify(reordered));
    // an event object changed in place after it was serialised, and an array changed in place
    const mutable = { ...base, event: { ...event, category: ['web'] } };
    expect(accessDocumentJson(mutable)).toBe(JSON.stringify(mutable));
    (mutable.event as Record<string, unknown>).timezone = '-03:00';
    expect(accessDocumentJson(mutable)).toBe(JSON.stringify(mutable));
    (mutable.event.category as string[]).push('network');
    expect(accessDocumentJson(mutable)).toBe(JSON.stringify(mutable));
    const sameObject = { ...base, event: { ...event } };
    expect(accessDocumentJson(sameObject)).toBe(JSON.stringify(sameObject));
    (sameObject.event as Record<string, unknown>).outcome = 'unknown';
    expect(accessDocumentJson(sameObject)).toBe(JSON.stringify(sameObject));
  });

  it('is what bulkLine sends for weblogs documents', () => {
    const d = docs[3]!;
    expect(bulkLine(d).split('\n')[1]).toBe(JSON.stringify(d.body));
  });
});
