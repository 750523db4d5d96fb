/**
 * Edge cases of the file source found in review: a file replaced by a directory (whose inode may be
 * the file's own, reused at once), an unreadable file among readable ones.
 */
import { appendFileSync, chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { InputSettings } from '../../processor/inputs/settings.js';
import { FileSource } from '../../processor/sources/file-source.js';
import { tempDir } from '../support/stack.js';
import { collect, untilRecords } from '../support/file-source.js';

function memoryLog(): { log: pino.Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void entries.push(JSON.parse(s)) });
  return { log, entries };
}

/** A live source committing each chunk as it comes. */
async function liveSource(input: Partial<InputSettings> & { paths: string[] }, extra: { rescanMs?: number } = {}) {
  const { log, entries } = memoryLog();
  const source = new FileSource({
    input: { id: 'edge', dataset: 'weblogs', ...input },
    checkpointFile: path.join(tempDir('fe-data'), 'cp.json'),
    once: false,
    rescanMs: extra.rescanMs ?? 100,
    log,
  });
  const records = await collect(source);
  const waitFor = (n: number, ms = 10_000): Promise<void> => untilRecords(records, n, ms);
  return { source, records, entries, waitFor };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FileSource edge cases (live)', () => {
  it('a file replaced by a directory: no error on each re-scan, the files put in the directory are read', async () => {
    const root = tempDir('fe-dir');
    const file = path.join(root, 'a.log');
    writeFileSync(file, 'a1\n');
    writeFileSync(path.join(root, 'b.log'), 'b1\n');
    const { source, records, entries, waitFor } = await liveSource({ paths: [root] });
    try {
      await waitFor(2);
      // On tmpfs and ext4 the directory usually gets the deleted file's inode at once.
      rmSync(file);
      mkdirSync(file);
      writeFileSync(path.join(file, 'inner.log'), 'i1\n');
      appendFileSync(path.join(root, 'b.log'), 'b2\n');
      await waitFor(4);
      await sleep(1000); // ten re-scans
      expect(records.map((r) => r.raw).sort()).toEqual(['a1', 'b1', 'b2', 'i1']);
      expect(entries.filter((e) => (e.level as number) >= 50)).toEqual([]);
    } finally {
      await source.stop();
      await source.close();
    }
  });
});

describe('FileSource and copies that grow on their own', () => {
  it('a copy written to after the copy is read on its own: no line of either file lost', async () => {
    const root = tempDir('fe-copy');
    const a = path.join(root, 'a.log');
    const head = Array.from({ length: 40 }, (_, i) => `shared line ${i} ${'x'.repeat(30)}`).join('\n') + '\n'; // > 1 KiB: same fingerprint
    writeFileSync(a, head);
    const { source, records, waitFor } = await liveSource({ paths: [root] });
    try {
      await waitFor(40);
      // a grows past the copy point before the copy shows up with its own new lines
      appendFileSync(a, 'a only 1\na only 2\na only 3\n');
      await waitFor(43);
      const b = path.join(root, 'b.log');
      writeFileSync(b, head + 'b only 1\n');
      appendFileSync(b, 'b only 2\n');
      await waitFor(45);
      await sleep(500); // a few re-scans
      const raws = records.map((r) => r.raw);
      for (const line of ['a only 1', 'a only 2', 'a only 3', 'b only 1', 'b only 2']) expect([line, raws.filter((x) => x === line).length]).toEqual([line, 1]);
      // the shared lines may be read again through b (same ids: duplicates in Elasticsearch), never lost
      expect(raws.filter((x) => x === 'shared line 0 ' + 'x'.repeat(30)).length).toBeGreaterThanOrEqual(1);
    } finally {
      await source.stop();
      await source.close();
    }
  });
});

describe('FileSource and unreadable files', () => {
  // Permission bits do not stop root: run as another user to see this one (e.g. `runuser -u nobody`).
  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)('a file that cannot be read is named once as an error, the others are read, no error per re-scan', async () => {
    const root = tempDir('fe-acc');
    writeFileSync(path.join(root, 'ok.log'), 'ok1\n');
    writeFileSync(path.join(root, 'secret.log'), 's1\n');
    chmodSync(path.join(root, 'secret.log'), 0o000);
    const { source, records, entries, waitFor } = await liveSource({ paths: [root] });
    try {
      await waitFor(1);
      appendFileSync(path.join(root, 'ok.log'), 'ok2\n');
      await waitFor(2);
      await sleep(1000); // ten re-scans
      expect(records.map((r) => r.raw)).toEqual(['ok1', 'ok2']);
      const errors = entries.filter((e) => (e.level as number) >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ path: path.join(root, 'secret.log') });
    } finally {
      await source.stop();
      await source.close();
    }
  });
});

describe('PathSelector and the processor’s own files', () => {
  it('never selects the temporary file a checkpoint is written through (a --checkpoint-file inside a watched folder)', async () => {
    const { PathSelector } = await import('../../processor/sources/file-paths.js');
    const root = tempDir('fe-cp');
    const cp = path.join(root, 'cp.json');
    const sel = new PathSelector([root], [], [cp]);
    expect(sel.selects(cp)).toBe(false);
    expect(sel.selects(`${cp}.12345.tmp`)).toBe(false);
    expect(sel.selects(`${cp}.old`)).toBe(true);
    expect(sel.selects(path.join(root, 'access.log'))).toBe(true);
  });
});
