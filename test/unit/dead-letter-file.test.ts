/**
 * The dead-letter file on an ordinary disk: a letter already in the file (same `id`) is not written
 * again by a later writer (the restart after a batch whose checkpoint failed); a torn last line (a crash
 * mid-append) is cut off at open; every line parses. The full-disk half (ENOSPC mid-append on a real
 * 4 MiB tmpfs) is in test/faults/disk-full.test.ts.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { DeadLetter } from '../../processor/pipeline/types.js';
import { DeadLetterFile } from '../../processor/sinks/dead-letter-sink.js';

/** A letter for line `i` of a file (position and id derived from `i`). */
function letter(i: number, raw = `bad line ${i}`): DeadLetter {
  return {
    record: {
      dataset: 'weblogs',
      raw,
      id: `id-${String(i).padStart(6, '0')}`,
      position: { kind: 'file', path: '/x/access.log', fileId: '1:2', generation: 0, offset: i * 100, nextOffset: i * 100 + 99 },
    },
    stage: 'decode',
    reason: 'not an access-log line',
  };
}

/** Every line of `file` parsed (throws on a torn one), and how often each id occurs. */
function linesOf(file: string): { ids: string[]; perId: Map<string, number> } {
  const ids = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);
  const perId = new Map<string, number>();
  for (const id of ids) perId.set(id, (perId.get(id) ?? 0) + 1);
  return { ids, perId };
}

describe('DeadLetterFile', () => {
  it('does not write a letter again that an earlier writer already wrote', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dl-dedupe-')), 'dead-letters.ndjson');
    const first = new DeadLetterFile(file, 'default');
    expect(await first.write([0, 1, 2, 3].map((i) => letter(i)))).toBe(4);
    await first.close();
    // The restart: batches 2-3 were written but not committed, so they come again with 4-5.
    const second = new DeadLetterFile(file, 'default');
    expect(await second.write([2, 3, 4, 5].map((i) => letter(i)))).toBe(4);
    expect(second.skippedRepeats).toBe(2);
    await second.close();
    const { ids, perId } = linesOf(file);
    expect(ids).toEqual(['id-000000', 'id-000001', 'id-000002', 'id-000003', 'id-000004', 'id-000005']);
    expect([...perId.values()].every((n) => n === 1)).toBe(true);
  });

  it('finds every id of a file read in several chunks (lines across chunk boundaries, non-ASCII text)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dl-chunks-')), 'dead-letters.ndjson');
    const w = new DeadLetterFile(file);
    const letters = Array.from({ length: 3000 }, (_, i) => letter(i, `bad line ${i} ${'é€'.repeat(200 + (i % 37))}`));
    await w.write(letters);
    await w.close();
    expect(readFileSync(file).length).toBeGreaterThan(3 * 1024 * 1024);
    const again = new DeadLetterFile(file);
    await again.write([...letters, letter(5000)]);
    expect(again.skippedRepeats).toBe(3000);
    expect(again.repairedBytes).toBe(0);
    await again.close();
    expect(linesOf(file).ids.length).toBe(3001);
  });

  it('reads only its window of the file for ids: older letters beyond it are written again', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dl-window-')), 'dead-letters.ndjson');
    const w = new DeadLetterFile(file);
    await w.write(Array.from({ length: 100 }, (_, i) => letter(i)));
    await w.close();
    const lineBytes = readFileSync(file).length / 100;
    // A window of ~10 lines: ids 90-99 are known (less the first, cut mid-line), 0 is not.
    const small = new DeadLetterFile(file, undefined, Math.round(lineBytes * 10.5));
    await small.write([letter(0), letter(95), letter(99)]);
    expect(small.skippedRepeats).toBe(2);
    await small.close();
    expect(linesOf(file).perId.get('id-000000')).toBe(2);
  });

  it('cuts a torn last line off at open, then appends whole lines', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dl-torn-')), 'dead-letters.ndjson');
    const w = new DeadLetterFile(file);
    await w.write([letter(0), letter(1)]);
    await w.close();
    const torn = '{"@timestamp":"2026-12-07T00:00:00.000Z","id":"id-000002","dataset":"weblo';
    appendFileSync(file, torn);
    const again = new DeadLetterFile(file);
    await again.write([letter(2), letter(3)]);
    expect(again.repairedBytes).toBe(Buffer.byteLength(torn));
    await again.close();
    const { ids } = linesOf(file);
    expect(ids).toEqual(['id-000000', 'id-000001', 'id-000002', 'id-000003']);
  });

  it('a file that is one torn line is emptied', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dl-torn0-')), 'dead-letters.ndjson');
    writeFileSync(file, '{"@timestamp":"2026');
    const w = new DeadLetterFile(file);
    await w.write([letter(7)]);
    await w.close();
    expect(linesOf(file).ids).toEqual(['id-000007']);
  });
});
