/**
 * Real nginx and Apache error logs (test/golden/errorlogs, written by the real servers) land in the
 * real Elasticsearch through the processor's file source: multi-line entries joined, no dead letters,
 * the strict template accepts every document, and the per-level counts equal those of the raw files.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor } from '../../processor/processor.js';
import { errorlogs } from '../../processor/datasets/errorlogs/index.js';
import { countDocs, es, esUrl, quietLog, repoRoot, tempDir, uniqueNamespace } from '../support/stack.js';

const namespace = uniqueNamespace();
const index = `logs-weblogs.error-${namespace}`;
const golden = path.join(repoRoot, 'test/golden/errorlogs');
const logDir = tempDir('errorlogs');
const files = ['nginx.log', 'apache.log'];
for (const f of files) copyFileSync(path.join(golden, f), path.join(logDir, f));

/** The entries of a raw log as the file source joins them (a line not starting an entry continues the one before). */
function entries(file: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n').filter((l) => l !== '')) {
    if (out.length > 0 && !errorlogs.multilineStart!.test(line)) out[out.length - 1] += '\n' + line;
    else out.push(line);
  }
  return out;
}
const all = files.flatMap((f) => entries(path.join(logDir, f)));
// The level of each raw entry: nginx `[level]`, Apache `[module:level]`.
const levelOf = (e: string): string => /^(?:\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[|\[[^\]]+\] \[(?:[^\]:]*:)?)([a-z]+\d?)\]/.exec(e)![1]!;

afterAll(async () => {
  await es.close();
});

describe('real error logs → logs-weblogs.error', () => {
  it('indexes every entry of both servers, dead-letters none', async () => {
    const handle = await startProcessor({ watch: [`errorlogs=${logDir}`], once: true, esUrl, namespace, dataDir: tempDir('errorlogs-data'), log: quietLog });
    const summary = await handle.done;
    expect(all.length).toBe(81);
    expect(summary).toMatchObject({ files: 2, indexed: all.length, rejected: 0, duplicates: 0 });
    expect(await countDocs(index)).toBe(all.length);
  });

  it('counts by log.level equal the counts taken from the raw files', async () => {
    const expected = new Map<string, number>();
    for (const e of all) expected.set(levelOf(e), (expected.get(levelOf(e)) ?? 0) + 1);
    const r = await es.search({ index, size: 0, aggs: { l: { terms: { field: 'log.level', size: 20 } } } });
    const buckets = (r.aggregations!.l as { buckets: { key: string; doc_count: number }[] }).buckets;
    expect(new Map(buckets.map((b) => [b.key, b.doc_count]))).toEqual(expected);
    expect(Object.fromEntries(expected)).toEqual({ notice: 16, info: 21, error: 17, debug: 27 });
    expect(await countDocs(index, { term: { 'log.level': 'error' } })).toBe(17);
  });

  it('the multi-line FastCGI entry is one document with its continuation lines', async () => {
    const r = await es.search<Record<string, any>>({ index, query: { term: { 'weblogs.error.upstream': 'fastcgi://127.0.0.1:19000' } } });
    expect(r.hits.hits).toHaveLength(1);
    const doc = r.hits.hits[0]!._source!;
    expect(doc.message.split('\n')).toHaveLength(5);
    expect(doc.message).toMatch(/^FastCGI sent in stderr: "PHP message: PHP Warning: {2}Undefined variable \$user/);
    expect(doc.tags).toEqual(['multiline']);
    expect(doc.url).toMatchObject({ domain: 'shop.example', path: '/php/index.php' });
    expect(doc.log).toMatchObject({ level: 'error', file: { path: path.join(logDir, 'nginx.log') } });
  });

  it('client addresses from X-Forwarded-For have geo fields; Apache ids and codes are searchable', async () => {
    const geo = await countDocs(index, { term: { 'source.geo.country_iso_code': 'GB' } });
    // nginx: 81.2.69.160 and ::ffff:81.2.69.160 (one entry each); Apache: 81.2.69.160 on six entries.
    expect(geo).toBe(8);
    expect(await countDocs(index, { term: { 'error.code': 'AH00128' } })).toBe(5);
    expect(await countDocs(index, { term: { 'log.logger': 'proxy_http' } })).toBe(1);
    expect(await countDocs(index, { term: { 'weblogs.error.errno': 111 } })).toBe(2);
  });
});
