/**
 * Batch-layer archive on the real Elasticsearch: the processor archives exactly the documents of the
 * data stream, partitioned by dataset and hour; a backfill of a time range into a fresh namespace
 * indexes exactly the archived documents of that range, and a second run adds nothing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor } from '../../processor/processor.js';
import type { ArchiveLine } from '../../processor/sinks/archive-sink.js';
import { backfill } from '../../scripts/backfill/backfill.js';
import { spawnTsx } from '../support/processes.js';
import { countDocs, es, esUrl, idsOf, quietLog, realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

describe('batch-layer archive', () => {
  it('archives what is indexed, by partition; backfills a range exactly and idempotently', async () => {
    const namespace = uniqueNamespace('arc');
    const watch = tempDir('arc-watch');
    const archiveDir = tempDir('arc-archive');
    // Every 5th line of the real sample: 2,000 lines spread over its 4 days (~90 hour partitions).
    const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter((l, i) => l && i % 5 === 0);
    expect(lines).toHaveLength(2000);
    writeFileSync(path.join(watch, 'access.log'), lines.join('\n') + '\n');

    const handle = await startProcessor({
      watch: [watch],
      once: true,
      esUrl,
      namespace,
      dataDir: tempDir('arc-data'),
      archiveDir,
      batchSize: 500,
      windows: false,
      log: quietLog,
    });
    const summary = await handle.done;
    expect(summary).toMatchObject({ lines: 2000, indexed: 2000, rejected: 0, duplicates: 0, archived: 2000 });

    // Layout: only closed parts under dataset=/year=/month=/day=/hour=, nothing hidden left after shutdown.
    const rel = (readdirSync(archiveDir, { recursive: true }) as string[]).filter((f) => f.includes('part-'));
    for (const f of rel) {
      expect(f).toMatch(/^dataset=weblogs\.access\/year=2015\/month=05\/day=(17|18|19|20)\/hour=\d\d\/part-\d{8}T\d{9}Z-\d{6}\.ndjson\.gz$/);
    }
    const partitions = new Set(rel.map((f) => path.dirname(f)));
    expect(partitions.size).toBeGreaterThan(80);
    expect(new Set(rel.map((f) => /day=(\d\d)/.exec(f)![1]))).toEqual(new Set(['17', '18', '19', '20']));

    // Each line sits in the partition of its own @timestamp.
    const archived: ArchiveLine[] = [];
    for (const f of rel) {
      const got = gunzipSync(readFileSync(path.join(archiveDir, f))).toString().trim().split('\n').map((l) => JSON.parse(l) as ArchiveLine);
      for (const l of got) {
        const t = new Date(l._source['@timestamp'] as string);
        expect(path.dirname(f)).toBe(
          `dataset=weblogs.access/year=${t.getUTCFullYear()}/month=${String(t.getUTCMonth() + 1).padStart(2, '0')}/day=${String(t.getUTCDate()).padStart(2, '0')}/hour=${String(t.getUTCHours()).padStart(2, '0')}`,
        );
        expect(l._index).toBe(`logs-weblogs.access-${namespace}`);
      }
      archived.push(...got);
    }
    // Exactly the documents of the data stream, by _id.
    const stream = `logs-weblogs.access-${namespace}`;
    expect(archived.map((l) => l._id).sort()).toEqual((await idsOf(stream)).sort());

    // Backfill a range that starts and ends mid-hour into a fresh namespace.
    const from = Date.parse('2015-05-18T06:30:00Z');
    const to = Date.parse('2015-05-19T17:45:00Z');
    const expected = new Set(
      archived.filter((l) => {
        const t = Date.parse(l._source['@timestamp'] as string);
        return t >= from && t < to;
      }).map((l) => l._id),
    );
    expect(expected.size).toBeGreaterThan(500);
    const target = uniqueNamespace('bf');
    const first = await backfill({ archiveDir, from, to, esUrl, namespace: target, log: quietLog });
    expect(first).toMatchObject({ documents: expected.size, indexed: expected.size, duplicates: 0, rejected: 0 });
    expect(first.files).toBeLessThan(rel.length);
    const backfilled = `logs-weblogs.access-${target}`;
    expect(await countDocs(backfilled)).toBe(expected.size);
    expect(new Set(await idsOf(backfilled))).toEqual(expected);
    const one = await es.search<{ data_stream: { namespace: string } }>({ index: backfilled, size: 1 });
    expect(one.hits.hits[0]!._source!.data_stream.namespace).toBe(target);

    // Again, through the CLI: nothing new, everything a duplicate.
    const cli = spawnTsx('scripts/backfill/cli.ts', [
      '--from-archive', archiveDir, '--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(),
      '--es-url', esUrl, '--namespace', target, '--quiet',
    ], { LOG_LEVEL: 'warn' });
    expect(await cli.exited).toBe(0);
    const second = JSON.parse(cli.stdout().trim().split('\n').pop()!) as Record<string, number>;
    expect(second).toMatchObject({ documents: expected.size, indexed: 0, duplicates: expected.size, rejected: 0 });
    expect(await countDocs(backfilled)).toBe(expected.size);
  });
});
