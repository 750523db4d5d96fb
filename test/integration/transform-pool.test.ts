/**
 * The worker pool (`--transform-threads`) produces exactly what the main thread produces: the same
 * `_id`s with the same documents, the same dead letters, and every record once. Runs the real CLI as
 * a child process (the workers load the TypeScript modules through tsx, as in production).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { spawnTsx } from '../support/processes.js';
import { comparableDocuments, esUrl, realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

async function runOnce(dir: string, ns: string, threads: number, dataDir: string): Promise<Record<string, unknown>> {
  const child = spawnTsx('processor/cli.ts', [
    '--watch', dir, '--once', '--es-url', esUrl, '--namespace', ns, '--data-dir', dataDir,
    '--batch-size', '700', '--no-metrics', '--no-windows', '--transform-threads', String(threads),
    '--keep-original', // reaches the workers too: every document below carries its line
  ]);
  const code = await child.exited;
  expect({ code, stderr: code === 0 ? '' : child.stderr() }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(child.stdout().trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('transform worker pool', () => {
  it('indexes the same documents and dead letters as the main thread', async () => {
    const dir = tempDir('pool-in');
    const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter(Boolean).slice(0, 3000);
    // Bad lines at known places: decode and validate failures must come out the same.
    lines.splice(100, 0, 'not a log line');
    lines.splice(2000, 0, '1.2.3.4 - - [31/Feb/2023:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"');
    mkdirSync(path.join(dir, 'in'));
    writeFileSync(path.join(dir, 'in', 'access.log'), lines.join('\n') + '\n');
    const nsMain = uniqueNamespace('pm');
    const nsPool = uniqueNamespace('pp');
    const main = await runOnce(path.join(dir, 'in'), nsMain, 0, path.join(dir, 'data-main'));
    const pool = await runOnce(path.join(dir, 'in'), nsPool, 2, path.join(dir, 'data-pool'));
    expect(pool).toMatchObject({ lines: lines.length, indexed: 3000, rejected: 2, duplicates: 0 });
    expect(main).toMatchObject({ lines: lines.length, indexed: 3000, rejected: 2, duplicates: 0 });
    const letters = (d: string): unknown[] =>
      readFileSync(path.join(dir, d, 'dead-letters.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => {
        const { stage, reason, raw, position } = JSON.parse(l);
        return { stage, reason, raw, offset: position.offset };
      });
    expect(letters('data-pool')).toEqual(letters('data-main'));
    const [a, b] = await Promise.all([comparableDocuments(`logs-weblogs.access-${nsMain}`), comparableDocuments(`logs-weblogs.access-${nsPool}`)]);
    expect(a.size).toBe(3000);
    const kept = new Set([...a.values()].map((d) => (d as { event: { original?: string } }).event.original));
    expect(lines.filter((l) => kept.has(l))).toHaveLength(3000);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [id, doc] of a) expect(b.get(id)).toEqual(doc);
  });
});
