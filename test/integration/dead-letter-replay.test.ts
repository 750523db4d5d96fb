/**
 * `--replay-dead-letters` through the real CLI and real Elasticsearch: JSON access lines read with the
 * default `combined` format, and headlines read as web logs, are all dead-lettered (exit 3); once the
 * config says `format: json` and `dataset: news`, the replay indexes them into their data streams under
 * the `_id`s the dead letters recorded, keeps the cut line (stage `read`) as it was and a line that still
 * fails with its new reason; a second replay of the same letters (with `--format json`) finds only
 * duplicates. Old dead-letter lines without `input`/`namespace` are still read; a line that is not JSON is kept.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { DeadLetterEntry } from '../../processor/sinks/dead-letter-sink.js';
import { spawnTsx } from '../support/processes.js';
import { countDocs, es, esUrl, idsOf, repoRoot, tempDir, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

async function cli(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = spawnTsx('processor/cli.ts', args, { LOG_LEVEL: 'warn' });
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

const lastJson = (stdout: string): Record<string, any> => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, any>;
const entriesOf = (file: string): DeadLetterEntry[] =>
  readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as DeadLetterEntry);

/** nginx `log_format … escape=json` lines whose keys are the variables' names (the weblogs `json` format). */
function jsonAccessLines(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      time_iso8601: `2026-12-07T06:${String(i % 60).padStart(2, '0')}:00+00:00`,
      remote_addr: `203.0.113.${i + 1}`,
      request: `GET /products/${i} HTTP/1.1`,
      status: 200,
      body_bytes_sent: 100 + i,
      http_referer: '-',
      http_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0',
    }),
  );
}

describe('--replay-dead-letters', () => {
  it('indexes what a corrected format and dataset now parse, under the same _ids, and keeps the rest', async () => {
    const dir = tempDir('replay-dl');
    const namespace = uniqueNamespace('rdl');
    const json = jsonAccessLines(20);
    const cut = JSON.stringify({ remote_addr: '198.51.100.1', request: `GET /${'x'.repeat(600)} HTTP/1.1`, status: 200 });
    const broken = '{"remote_addr": "198.51.100.2", "status": 200';
    writeFileSync(path.join(dir, 'access.log'), [...json.slice(0, 10), cut, broken, ...json.slice(10)].join('\n') + '\n');
    const headlines = readFileSync(path.join(repoRoot, 'test/golden/news/headlines.log'), 'utf8');
    const n = headlines.split('\n').filter(Boolean).length;
    writeFileSync(path.join(dir, 'feed.log'), headlines);
    const deadLetters = path.join(dir, 'data', 'dead-letters.ndjson');
    const config = (fixed: boolean): string => {
      const file = path.join(dir, fixed ? 'fixed.yaml' : 'first.yaml');
      writeFileSync(
        file,
        `inputs:
  - id: shop-json
    paths: ["${dir}/access.log"]
    tags: [shop]${fixed ? '\n    format: json' : ''}
  - id: feed
    dataset: ${fixed ? 'news' : 'weblogs'}
    paths: ["${dir}/feed.log"]
elasticsearch:
  url: ${esUrl}
processor:
  namespace: ${namespace}
  data_dir: ${dir}/data
  max_record_bytes: 400
  windows: false
  metrics: false
`,
      );
      return file;
    };

    // 1. Everything is rejected: the JSON lines by `combined`, the headlines by the weblogs dataset.
    const first = await cli(['--config', config(false), '--once']);
    expect(first.code).toBe(3);
    expect(lastJson(first.stdout)).toMatchObject({ lines: 22 + n, indexed: 0, rejected: 22 + n });
    const letters = entriesOf(deadLetters);
    expect(letters).toHaveLength(22 + n);
    for (const l of letters) expect(l).toMatchObject({ namespace, input: expect.stringMatching(/^(shop-json|feed)$/), id: expect.any(String) });
    expect(letters.filter((l) => l.stage === 'read')).toHaveLength(1);
    const copy = path.join(dir, 'dead-letters.copy.ndjson');
    copyFileSync(deadLetters, copy);

    // 2. With the corrected config: 20 JSON lines and the headlines are indexed; the cut line is kept,
    // the broken JSON line fails again with the json format's reason.
    const replay = await cli(['--replay-dead-letters', deadLetters, '--config', config(true)]);
    expect({ code: replay.code, stderr: replay.code === 0 ? '' : replay.stderr }).toEqual({ code: 0, stderr: '' });
    expect(lastJson(replay.stdout)).toEqual({ replayed: 21 + n, indexed: 20 + n, duplicates: 0, stillFailing: 1, kept: 1 });
    const left = entriesOf(deadLetters);
    expect(left.map((l) => [l.stage, l.raw.slice(0, 40)])).toEqual([
      ['read', cut.slice(0, 40)],
      ['decode', broken.slice(0, 40)],
    ]);
    expect(left[1]!.reason).toMatch(/not a JSON access-log line/);
    expect(left[1]).toMatchObject({ input: 'shop-json', dataset: 'weblogs', namespace, id: letters.find((l) => l.raw === broken)!.id });

    const web = `logs-weblogs.access-${namespace}`;
    const news = `logs-news.headlines-${namespace}`;
    expect(await countDocs(web)).toBe(20);
    expect(await countDocs(news)).toBe(n);
    // The _ids are the ones the dead letters recorded (as the original run would have given them).
    const expectedIds = (ids: DeadLetterEntry[]): string[] => ids.map((l) => l.id).sort();
    expect(await idsOf(web)).toEqual(expectedIds(letters.filter((l) => l.input === 'shop-json' && l.stage === 'decode' && l.raw !== broken)));
    expect(await idsOf(news)).toEqual(expectedIds(letters.filter((l) => l.input === 'feed')));
    // The input's current settings applied: its tags.
    const doc = await es.search<Record<string, any>>({ index: web, size: 1, query: { term: { 'url.path': '/products/3' } } });
    expect(doc.hits.hits[0]!._source).toMatchObject({ tags: ['shop'], source: { ip: '203.0.113.4' }, http: { response: { status_code: 200 } } });

    // 3. The same letters again, the format given by --format (old config, where the feed input is
    // still weblogs: its headlines fail again): the JSON lines are duplicates, nothing is indexed twice.
    // Old files without input/namespace are read too: strip them from the copy.
    writeFileSync(
      copy,
      entriesOf(copy)
        .map(({ input: _i, namespace: _n, ...rest }) => JSON.stringify(rest))
        .join('\n') + '\nnot JSON: a line someone added by hand\n',
    );
    const again = await cli(['--replay-dead-letters', copy, '--config', config(false), '--format', 'json']);
    expect(again.code).toBe(0);
    // Without `input`, a letter goes through the input named after its dataset, else one made for
    // --format: the headlines fail as JSON access lines (they lack the access-log fields).
    expect(lastJson(again.stdout)).toEqual({ replayed: 21 + n, indexed: 0, duplicates: 20, stillFailing: 1 + n, kept: 2 });
    const rest = readFileSync(copy, 'utf8').split('\n').filter(Boolean);
    expect(rest).toHaveLength(2 + 1 + n);
    expect(rest[rest.length - 1]).toBe('not JSON: a line someone added by hand');
    // Every other line whole, in the replayed file's order: the cut line and the letters that failed
    // again. (That order is the first run's, where the two inputs' letters interleave as their files
    // were read: the cut line need not come first.)
    const parsed = rest.slice(0, -1).map((l) => JSON.parse(l) as DeadLetterEntry);
    expect(parsed.filter((l) => l.stage === 'read').map((l) => l.raw.slice(0, 40))).toEqual([cut.slice(0, 40)]);
    expect(parsed.map((l) => l.raw)).toEqual(letters.filter((l) => l.stage === 'read' || l.raw === broken || l.input === 'feed').map((l) => l.raw));
    expect(await countDocs(web)).toBe(20);
    expect(await idsOf(web)).toEqual(expectedIds(letters.filter((l) => l.input === 'shop-json' && l.stage === 'decode' && l.raw !== broken)));
  });
});
