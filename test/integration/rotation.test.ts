/**
 * Rotated and truncated files are read correctly by a live (watching) processor: a renamed file is
 * finished from its offset, its successor is read from 0, and a truncated file is read again from 0
 * with new document ids — every line once, none lost, none doubled.
 */
import { appendFileSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor, type ProcessorHandle } from '../../processor/processor.js';
import { countDocs, es, esUrl, quietLog, realAccessLog, tempDir, uniqueNamespace, waitFor } from '../support/stack.js';

const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter((l) => l !== '');
const take = (() => {
  let next = 0;
  return (n: number): string => {
    const chunk = lines.slice(next, next + n);
    next += n;
    return chunk.join('\n') + '\n';
  };
})();

let handle: ProcessorHandle | undefined;
afterAll(async () => {
  await handle?.stop();
  await es.close();
});

describe('rotation and truncation (live)', () => {
  it('reads every line exactly once across rename-rotation and truncation', async () => {
    const namespace = uniqueNamespace('rot');
    const index = `logs-weblogs.access-${namespace}`;
    const dir = tempDir('rot-watch');
    const file = path.join(dir, 'access.log');
    writeFileSync(file, take(100));
    handle = await startProcessor({ watch: [dir], esUrl, namespace, dataDir: tempDir('rot-data'), batchIntervalMs: 200, log: quietLog });
    await waitFor('100 documents', async () => (await countDocs(index)) === 100);

    // The writer's last lines land in the old file just before logrotate renames it; a new file follows.
    appendFileSync(file, take(50));
    renameSync(file, `${file}.1`);
    writeFileSync(file, take(70));
    await waitFor('220 documents', async () => (await countDocs(index)) === 220);

    // copytruncate-style: the same inode is emptied and written again from the start.
    truncateSync(file, 0);
    writeFileSync(file, take(30));
    await waitFor('250 documents', async () => (await countDocs(index)) === 250);

    const summary = await handle.stop();
    handle = undefined;
    expect(summary).toMatchObject({ lines: 250, indexed: 250, duplicates: 0, rejected: 0 });
    expect(await countDocs(index)).toBe(250);
  });
});
