/**
 * The archive across a crash: the processor (a real child process) is killed with SIGKILL while batches
 * are in flight and its archive parts are open; the restart finishes the hidden parts it left, and the
 * archive then holds every document of the data stream (at least once), and only those. A backfill of
 * the whole archive stores each document exactly once and counts the archive's repeats as duplicates.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { ArchiveLine } from '../../processor/sinks/archive-sink.js';
import { backfill } from '../../scripts/backfill/backfill.js';
import { spawnTsx, type Child } from '../support/processes.js';
import { countDocs, es, esUrl, quietLog, realAccessLog, tempDir, uniqueNamespace, waitFor } from '../support/stack.js';

const children: Child[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await es.close();
});

describe('archive crash recovery', () => {
  it('SIGKILL with open parts, restart: archive = data stream by _id, backfill exact', async () => {
    const namespace = uniqueNamespace('arcx');
    const index = `logs-weblogs.access-${namespace}`;
    const watch = tempDir('arcx-watch');
    const dataDir = tempDir('arcx-data');
    const archiveDir = tempDir('arcx-archive');
    writeFileSync(path.join(watch, 'access.log'), readFileSync(realAccessLog));
    const args = ['--watch', watch, '--es-url', esUrl, '--namespace', namespace, '--data-dir', dataDir, '--archive-dir', archiveDir,
      '--batch-size', '200', '--batch-interval-ms', '100', '--no-metrics', '--no-windows'];

    const first = spawnTsx('processor/cli.ts', args, { LOG_LEVEL: 'warn' });
    children.push(first);
    await waitFor('some documents', async () => (await countDocs(index)) >= 3000, 90_000);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const all = (): string[] => readdirSync(archiveDir, { recursive: true }) as string[];
    expect(all().some((f) => path.basename(f).startsWith('.part-'))).toBe(true); // parts left open

    const second = spawnTsx('processor/cli.ts', [...args, '--once'], { LOG_LEVEL: 'warn' });
    children.push(second);
    expect(await second.exited).toBe(0);
    expect(await countDocs(index)).toBe(10_000);

    const parts = all().filter((f) => f.includes('part-'));
    expect(parts.every((f) => path.basename(f).startsWith('part-'))).toBe(true); // nothing hidden left
    const lines = parts.flatMap((f) =>
      gunzipSync(readFileSync(path.join(archiveDir, f))).toString().trim().split('\n').map((l) => (JSON.parse(l) as ArchiveLine)._id),
    );
    const unique = new Set(lines);
    expect(unique.size).toBe(10_000);
    expect(lines.length).toBeGreaterThanOrEqual(10_000);
    // Exactly the data stream's documents: each archived _id is there (10,000 distinct of 10,000).
    expect(await countDocs(index, { ids: { values: [...unique] } })).toBe(10_000);

    const target = uniqueNamespace('arcxbf');
    const r = await backfill({ archiveDir, from: Date.parse('2015-01-01T00:00:00Z'), to: Date.parse('2016-01-01T00:00:00Z'), esUrl, namespace: target, log: quietLog });
    expect(r).toMatchObject({ documents: lines.length, indexed: 10_000, duplicates: lines.length - 10_000, rejected: 0 });
    expect(await countDocs(`logs-weblogs.access-${target}`)).toBe(10_000);
    expect(await countDocs(`logs-weblogs.access-${target}`, { ids: { values: [...unique] } })).toBe(10_000);
  });
});
