/**
 * The real Apache access log (10,000 lines, data/samples/weblogs/apache_logs) lands completely in
 * the real Elasticsearch: exact counts, known lines field by field, aggregations equal to counts taken
 * from the raw file, and a second pass from scratch stores nothing twice.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor } from '../../processor/processor.js';
import { countDocs, es, esUrl, quietLog, realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

const namespace = uniqueNamespace();
const index = `logs-weblogs.access-${namespace}`;
const dataDir = tempDir('sample');
const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter((l) => l !== '');

afterAll(async () => {
  await es.close();
});

describe('real sample → logs-weblogs.access', () => {
  it('indexes all 10,000 lines, rejects none', async () => {
    const handle = await startProcessor({ watch: [path.dirname(realAccessLog)], once: true, esUrl, namespace, dataDir, log: quietLog });
    const summary = await handle.done;
    expect(lines).toHaveLength(10_000);
    expect(summary).toMatchObject({ files: 1, lines: 10_000, indexed: 10_000, rejected: 0, duplicates: 0 });
    expect(await countDocs(index)).toBe(10_000);
  });

  it('maps the first line of the file field by field', async () => {
    const r = await es.search<Record<string, any>>({ index, query: { term: { 'log.offset': 0 } } });
    expect(r.hits.hits).toHaveLength(1);
    const doc = r.hits.hits[0]!._source!;
    expect(doc['@timestamp']).toBe('2015-05-17T10:05:03.000Z');
    expect(doc.source).toMatchObject({ ip: '83.149.9.216', address: '83.149.9.216', geo: { country_iso_code: 'RU' } });
    expect(doc.source.geo.location).toEqual({ lat: expect.any(Number), lon: expect.any(Number) });
    expect(doc.http).toEqual({
      version: '1.1',
      request: { method: 'GET', referrer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/' },
      response: { status_code: 200, body: { bytes: 203023 } },
    });
    expect(doc.url).toEqual({
      original: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
      path: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
      extension: 'png',
    });
    expect(doc.user_agent).toMatchObject({ name: 'Chrome', version: '32.0.1700.77', os: { name: 'Mac OS X', version: '10.9.1' } });
    expect(doc.weblogs.crawler).toBe(false);
    expect(doc.data_stream).toEqual({ type: 'logs', dataset: 'weblogs.access', namespace });
    expect(doc.log).toEqual({ file: { path: realAccessLog }, offset: 0 });
    // The raw line is kept only with --keep-original (`event.original`); every field above came out of it.
    expect(doc.message).toBeUndefined();
    expect(doc.event.original).toBeUndefined();
  });

  it('keeps the line cut off inside its user-agent quote, tagged', async () => {
    const r = await es.search<Record<string, any>>({
      index,
      query: { bool: { filter: [{ term: { 'source.ip': '46.118.127.106' } }, { term: { tags: 'truncated_user_agent' } }] } },
    });
    expect(r.hits.hits).toHaveLength(1);
    const doc = r.hits.hits[0]!._source!;
    expect(doc['@timestamp']).toBe('2015-05-20T12:05:17.000Z');
    expect(doc.user_agent.original).toBe('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html');
    expect(doc.weblogs.crawler).toBe(true);
  });

  it('status aggregation equals the counts taken from the raw file', async () => {
    const expected = new Map<number, number>();
    for (const l of lines) {
      const status = Number(/" (\d{3}) /.exec(l)![1]);
      expected.set(status, (expected.get(status) ?? 0) + 1);
    }
    const r = await es.search({ index, size: 0, aggs: { s: { terms: { field: 'http.response.status_code', size: 50 } } } });
    const buckets = (r.aggregations!.s as { buckets: { key: number; doc_count: number }[] }).buckets;
    expect(new Map(buckets.map((b) => [b.key, b.doc_count]))).toEqual(expected);
    expect([...expected.keys()].sort()).toEqual([200, 206, 301, 304, 403, 404, 416, 500]);
  });

  it('a second run resumes at the checkpoint and reads nothing', async () => {
    const handle = await startProcessor({ watch: [path.dirname(realAccessLog)], once: true, esUrl, namespace, dataDir, log: quietLog });
    expect(await handle.done).toMatchObject({ lines: 0, indexed: 0 });
  });

  it('a replay from scratch (checkpoint lost) stores nothing twice', async () => {
    const handle = await startProcessor({
      watch: [path.dirname(realAccessLog)],
      once: true,
      esUrl,
      namespace,
      dataDir: tempDir('sample-replay'),
      log: quietLog,
    });
    expect(await handle.done).toMatchObject({ lines: 10_000, indexed: 0, duplicates: 10_000, rejected: 0 });
    expect(await countDocs(index)).toBe(10_000);
  });
});
