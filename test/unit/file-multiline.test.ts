/**
 * Multi-line entries: joining continuation lines to their start line (MultilineJoiner) and the file
 * source holding an unfinished entry back in live mode (an entry split across two reads, the flush
 * timeout, `--once`, plain and gzip files, the size cap).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { FileSource } from '../../processor/sources/file-source.js';
import type { ByteLine } from '../../processor/sources/line-reader.js';
import { MultilineJoiner } from '../../processor/sources/multiline.js';
import { tempDir } from '../support/stack.js';
import { collect, untilRecords } from '../support/file-source.js';

const quiet = pino({ level: 'silent' });
const START = /^\d{4}-\d\d-\d\d /;

/** Byte lines of `text` as the line reader gives them. */
function byteLines(text: string): ByteLine[] {
  const out: ByteLine[] = [];
  let offset = 0;
  for (const l of text.split('\n').slice(0, -1)) {
    const next = offset + Buffer.byteLength(l) + 1;
    out.push({ text: l, offset, nextOffset: next, terminated: true });
    offset = next;
  }
  return out;
}

const javaLog =
  'Traceback first\n  continuation before any start\n' +
  '2026-12-07 10:00:00 ERROR boom\njava.lang.IllegalStateException: x\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)\n' +
  '2026-12-07 10:00:01 INFO ok\n' +
  '2026-12-07 10:00:02 WARN tail\n\tat g.h(I.java:3)\n';

describe('MultilineJoiner', () => {
  it('joins continuation lines to the entry before them, with first and last offsets', () => {
    const j = new MultilineJoiner(new RegExp(START.source, 'g'), 1024 * 1024);
    const entries = byteLines(javaLog).flatMap((l) => j.push(l) ?? []);
    const last = j.flush()!;
    expect([...entries, last].map((e) => [e.text, e.lines])).toEqual([
      ['Traceback first\n  continuation before any start', 2],
      ['2026-12-07 10:00:00 ERROR boom\njava.lang.IllegalStateException: x\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)', 4],
      ['2026-12-07 10:00:01 INFO ok', 1],
      ['2026-12-07 10:00:02 WARN tail\n\tat g.h(I.java:3)', 2],
    ]);
    const lines = byteLines(javaLog);
    expect(entries[1]).toMatchObject({ offset: lines[2]!.offset, nextOffset: lines[5]!.nextOffset });
    expect(last.nextOffset).toBe(Buffer.byteLength(javaLog));
    expect(j.pending()).toBeUndefined();
  });

  it('caps an entry at maxBytes and reports its full length', () => {
    const j = new MultilineJoiner(START, 40);
    const text = '2026-12-07 10:00:00 ERROR boom\n' + '\tat x.y(Z.java:1)\n'.repeat(100);
    for (const l of byteLines(text)) j.push(l);
    const e = j.flush()!;
    expect(Buffer.byteLength(e.text)).toBe(40);
    expect(e.originalBytes).toBe(Buffer.byteLength(text) - 1);
    expect(e.lines).toBe(101);
  });
});

/** A live source with `multilineStart`, collecting and committing what it emits. */
async function liveSource(paths: string[], flushMs: number) {
  const source = new FileSource({
    input: { id: 'ml', dataset: 'weblogs', paths },
    checkpointFile: path.join(tempDir('ml-data'), 'cp.json'),
    once: false,
    rescanMs: 100,
    multilineStart: START,
    multilineFlushMs: flushMs,
    log: quiet,
  });
  return { source, records: await collect(source) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('FileSource with multilineStart', () => {
  it('an entry split across two reads is emitted whole, once the next entry starts', async () => {
    const dir = tempDir('ml-split');
    const file = path.join(dir, 'app.log');
    writeFileSync(file, '2026-12-07 10:00:00 ERROR boom\njava.lang.IllegalStateException: x\n');
    const { source, records } = await liveSource([dir], 60_000);
    try {
      await sleep(500);
      expect(records).toEqual([]); // held: it may go on
      appendFileSync(file, '\tat a.b(C.java:1)\n');
      await sleep(500);
      expect(records).toEqual([]);
      appendFileSync(file, '2026-12-07 10:00:01 INFO next\n');
      await untilRecords(records, 1, 5000);
      expect(records.map((r) => r.raw)).toEqual(['2026-12-07 10:00:00 ERROR boom\njava.lang.IllegalStateException: x\n\tat a.b(C.java:1)']);
      expect(records[0]!.position).toMatchObject({ offset: 0, nextOffset: Buffer.byteLength('2026-12-07 10:00:00 ERROR boom\njava.lang.IllegalStateException: x\n\tat a.b(C.java:1)\n') });
      expect(source.lagBytes()).toBe(Buffer.byteLength('2026-12-07 10:00:01 INFO next\n'));
    } finally {
      await source.stop();
      await source.close();
    }
  });

  it('the last entry is emitted after multilineFlushMs without new lines', async () => {
    const dir = tempDir('ml-flush');
    const file = path.join(dir, 'app.log');
    writeFileSync(file, '2026-12-07 10:00:00 INFO one\n2026-12-07 10:00:01 ERROR two\n\tat x\n');
    const { source, records } = await liveSource([dir], 300);
    try {
      await untilRecords(records, 2, 5000);
      expect(records.map((r) => r.raw)).toEqual(['2026-12-07 10:00:00 INFO one', '2026-12-07 10:00:01 ERROR two\n\tat x']);
      // A continuation arriving after the flush is a record of its own.
      appendFileSync(file, '\tat late\n');
      await untilRecords(records, 3);
      expect(records[2]!.raw).toBe('\tat late');
      expect(source.lagBytes()).toBe(0);
    } finally {
      await source.stop();
      await source.close();
    }
  });

  it('--once flushes the last entry at the end of plain and gzip files alike', async () => {
    const dir = tempDir('ml-once');
    writeFileSync(path.join(dir, 'app.log'), javaLog);
    writeFileSync(path.join(dir, 'app.log.1.gz'), gzipSync(javaLog.replace(/2026-12-07/g, '2026-12-06')));
    const records: SourceRecord[] = [];
    const source = new FileSource({
      input: { id: 'ml', dataset: 'weblogs', paths: [dir] },
      checkpointFile: path.join(tempDir('ml-once-data'), 'cp.json'),
      once: true,
      multilineStart: START,
      log: quiet,
    });
    await source.start(async (b) => void records.push(...b.records));
    await source.drained();
    await source.stop();
    expect(records.length).toBe(8);
    expect(records.filter((r) => r.raw.endsWith('\tat g.h(I.java:3)')).length).toBe(2);
  });
});
