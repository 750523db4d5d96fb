/**
 * The compiled run path (`npm run build` → `node dist/process.js`, what `npm run process` and the
 * benchmarks run) behaves as the TypeScript sources do: the bundle is built, its `--help` answers, and
 * over the same input (real access-log lines with bad ones among them, and news headlines, whose
 * sentiment model the bundle must find beside its source) the compiled processor — with a worker
 * thread, so the compiled worker bundle is used — indexes exactly the `_id`s and documents, and writes
 * the dead letters, of the processor run from source under tsx on the main thread. Real Elasticsearch.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { buildDist } from '../../scripts/build/build.js';
import { spawnCompiled, spawnTsx, type Child } from '../support/processes.js';
import { comparableDocuments, esUrl, realAccessLog, repoRoot, tempDir, uniqueNamespace } from '../support/stack.js';

async function summaryOf(child: Child): Promise<Record<string, unknown>> {
  const code = await child.exited;
  expect({ code, stderr: code === 0 ? '' : child.stderr() }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(child.stdout().trim().split('\n').pop()!) as Record<string, unknown>;
}

beforeAll(async () => {
  await buildDist();
});

describe('the compiled processor (dist/process.js under plain node)', () => {
  it('answers --help', async () => {
    const child = spawnCompiled(['--help']);
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toContain('Usage: process [options]');
    expect(child.stdout()).toContain('--transform-threads <n>');
  });

  it('indexes the same _ids, documents and dead letters as the sources under tsx', async () => {
    const dir = tempDir('compiled');
    const weblogsDir = path.join(dir, 'weblogs');
    const newsDir = path.join(dir, 'news');
    mkdirSync(weblogsDir);
    mkdirSync(newsDir);
    const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter(Boolean).slice(0, 2000);
    lines.splice(500, 0, 'not a log line');
    writeFileSync(path.join(weblogsDir, 'access.log'), lines.join('\n') + '\n');
    copyFileSync(path.join(repoRoot, 'test/golden/news/headlines.log'), path.join(newsDir, 'headlines.log'));
    const headlines = readFileSync(path.join(newsDir, 'headlines.log'), 'utf8').split('\n').filter(Boolean).length;

    const args = (ns: string, dataDir: string): string[] => [
      '--watch', weblogsDir, `news=${newsDir}`, '--once', '--es-url', esUrl, '--namespace', ns, '--data-dir', dataDir,
      '--batch-size', '700', '--no-metrics', '--no-windows',
    ];
    const nsSrc = uniqueNamespace('cs');
    const nsDist = uniqueNamespace('cd');
    const fromSource = await summaryOf(spawnTsx('processor/cli.ts', [...args(nsSrc, path.join(dir, 'data-src')), '--transform-threads', '0']));
    const compiled = await summaryOf(spawnCompiled([...args(nsDist, path.join(dir, 'data-dist')), '--transform-threads', '1']));
    const expected = { files: 2, lines: lines.length + headlines, indexed: 2000 + headlines, rejected: 1, duplicates: 0 };
    expect(fromSource).toMatchObject(expected);
    expect(compiled).toMatchObject(expected);

    const letters = (d: string): unknown[] =>
      readFileSync(path.join(dir, d, 'dead-letters.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => {
        const { stage, reason, raw, position } = JSON.parse(l);
        return { stage, reason, raw, offset: position.offset };
      });
    expect(letters('data-dist')).toEqual(letters('data-src'));
    expect(letters('data-dist')).toHaveLength(1);

    for (const [dataset, n] of [['weblogs.access', 2000], ['news.headlines', headlines]] as const) {
      const [a, b] = await Promise.all([comparableDocuments(`logs-${dataset}-${nsSrc}`), comparableDocuments(`logs-${dataset}-${nsDist}`)]);
      expect(a.size).toBe(n);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [id, doc] of a) expect({ id, doc: b.get(id) }).toEqual({ id, doc });
    }
    // Enrichment really ran in the bundle: GeoIP and user agents on web logs, the model on headlines.
    const web = [...(await comparableDocuments(`logs-weblogs.access-${nsDist}`)).values()] as Record<string, any>[];
    expect(web.filter((d) => d.source?.geo?.country_iso_code).length).toBeGreaterThan(1000);
    expect(web.filter((d) => d.user_agent?.name).length).toBeGreaterThan(1000);
    const news = [...(await comparableDocuments(`logs-news.headlines-${nsDist}`)).values()] as Record<string, any>[];
    expect(news.every((d) => d.news?.sentiment?.probabilities && ['model', 'rule'].includes(d.news.sentiment.decided_by))).toBe(true);
  });
});
