/**
 * gzip files: lines and offsets of the decompressed stream, document ids equal to those of the same
 * content read as a plain file, continuation from the plain file's committed offset after rotation and
 * compression, a .gz still being written, and a .gz read once.
 */
import { appendFileSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { documentId } from '../../processor/pipeline/document-id.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { FileSource, type FileSourceOptions } from '../../processor/sources/file-source.js';
import { readGzipLines, readLines, type ByteLine } from '../../processor/sources/line-reader.js';
import { tempDir } from '../support/stack.js';
import { collect, untilRecords } from '../support/file-source.js';

const quiet = pino({ level: 'silent' });

/** `n` distinct access-log-like lines, starting at number `from` (about 100 bytes each). */
function lines(from: number, n: number): string {
  let s = '';
  for (let i = from; i < from + n; i++) s += `198.51.100.${i % 250} - - [10/Oct/2026:13:${String(i % 60).padStart(2, '0')}:00 +0000] "GET /page/${i} HTTP/1.1" 200 ${i}\n`;
  return s;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** One `--once` pass over `paths`, committing each chunk as it comes. */
async function readOnce(paths: string[], checkpointFile: string, extra: Partial<FileSourceOptions> = {}): Promise<SourceRecord[]> {
  const source = new FileSource({ input: { id: 'gz', dataset: 'weblogs', paths }, checkpointFile, once: true, log: quiet, ...extra });
  const records = await collect(source);
  await source.drained();
  await source.stop();
  await source.close();
  return records;
}

const ids = (records: SourceRecord[]): string[] => records.map((r) => documentId(r)).sort();

describe('readGzipLines', () => {
  it('gives the lines and offsets the plain file has, from any line start, across concatenated members', async () => {
    const dir = tempDir('gz-lines');
    const text = lines(0, 3000) + 'no newline at the end';
    const plain = path.join(dir, 'a.log');
    writeFileSync(plain, text);
    const gz = path.join(dir, 'a.log.gz');
    // Two gzip members, as `cat a.gz b.gz` or gzip --rsyncable style appends produce.
    const cut = Buffer.byteLength(lines(0, 1000));
    const bytes = Buffer.from(text);
    writeFileSync(gz, Buffer.concat([gzipSync(bytes.subarray(0, cut)), gzipSync(bytes.subarray(cut))]));
    const strip = (l: ByteLine): Omit<ByteLine, 'terminated'> => ({ text: l.text, offset: l.offset, nextOffset: l.nextOffset });
    const fromPlain = await all(readLines(plain, 0, bytes.length));
    const fromGz = await all(readGzipLines(gz, 0));
    expect(fromGz.length).toBe(3001);
    expect(fromGz.map(strip)).toEqual(fromPlain.map(strip));
    const mid = fromPlain[1234]!.offset;
    expect((await all(readGzipLines(gz, mid))).map(strip)).toEqual(fromPlain.slice(1234).map(strip));
    expect(await all(readGzipLines(gz, bytes.length))).toEqual([]);
  });

  it('cuts lines over maxBytes as the plain reader does', async () => {
    const dir = tempDir('gz-long');
    const text = `short\n${'x'.repeat(5000)}\nafter\n`;
    writeFileSync(path.join(dir, 'a.gz'), gzipSync(text));
    const got = await all(readGzipLines(path.join(dir, 'a.gz'), 0, 100));
    expect(got.map((l) => [l.text.length, l.originalBytes])).toEqual([
      [5, undefined],
      [100, 5000],
      [5, undefined],
    ]);
  });
});

describe('FileSource and gzip files', () => {
  it('a .gz gets the same document ids as the same content read as a plain file', async () => {
    const text = lines(0, 500);
    const plainDir = tempDir('gz-plain');
    writeFileSync(path.join(plainDir, 'access.log.1'), text);
    const gzDir = tempDir('gz-comp');
    writeFileSync(path.join(gzDir, 'access.log.2.gz'), gzipSync(text));
    const fromPlain = await readOnce([plainDir], path.join(tempDir('gz-d1'), 'cp.json'));
    const fromGz = await readOnce([gzDir], path.join(tempDir('gz-d2'), 'cp.json'));
    expect(fromGz.length).toBe(500);
    expect(ids(fromGz)).toEqual(ids(fromPlain));
    expect(fromGz.map((r) => r.raw)).toEqual(text.trimEnd().split('\n'));
    expect(fromGz.every((r) => r.position.kind === 'file' && r.position.path.endsWith('.gz'))).toBe(true);
  });

  it('continues from the plain file’s committed offset once it is rotated and compressed: lines appended before compression are read, none twice', async () => {
    const dir = tempDir('gz-rot');
    const cp = path.join(tempDir('gz-rot-data'), 'cp.json');
    const log = path.join(dir, 'access.log');
    writeFileSync(log, lines(0, 40));
    const first = await readOnce([`${dir}/access.log*`], cp);
    expect(first.length).toBe(40);
    // After the read: the writer appends, logrotate renames, and later compresses (delaycompress).
    appendFileSync(log, lines(40, 7));
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines(1000, 3));
    writeFileSync(`${log}.2.gz`, gzipSync(readFileSync(`${log}.1`)));
    unlinkSync(`${log}.1`);
    renameSync(log, `${log}.1`);
    const second = await readOnce([`${dir}/access.log*`], cp);
    expect(second.map((r) => r.raw).sort()).toEqual([...lines(40, 7).trimEnd().split('\n'), ...lines(1000, 3).trimEnd().split('\n')].sort());
    // The 7 lines from the .gz carry the ids the plain file would have given them.
    const plainDir = tempDir('gz-rot-ref');
    writeFileSync(path.join(plainDir, 'ref.log'), lines(0, 47));
    const reference = await readOnce([plainDir], path.join(tempDir('gz-rot-ref-data'), 'cp.json'));
    const fromGz = second.filter((r) => r.position.kind === 'file' && r.position.path.endsWith('.gz'));
    expect(fromGz.length).toBe(7);
    expect(ids(fromGz)).toEqual(ids(reference.slice(40)));
    // Read once: a third pass reads nothing.
    expect(await readOnce([`${dir}/access.log*`], cp)).toEqual([]);
    const store = JSON.parse(readFileSync(cp, 'utf8')) as { files: Record<string, { path: string; complete?: boolean }> };
    expect(Object.values(store.files).find((f) => f.path.endsWith('.gz'))).toMatchObject({ complete: true });
  });

  it('a rotated file and the .gz being made of it, both found at start: the lines after the checkpoint are read once', async () => {
    const dir = tempDir('gz-both');
    const cp = path.join(tempDir('gz-both-data'), 'cp.json');
    const log = path.join(dir, 'access.log');
    writeFileSync(log, lines(0, 40));
    expect((await readOnce([`${dir}/access.log*`], cp)).length).toBe(40);
    appendFileSync(log, lines(40, 7));
    renameSync(log, `${log}.2`);
    writeFileSync(`${log}.2.gz`, gzipSync(readFileSync(`${log}.2`))); // gzip has written it, not yet removed the plain file
    for (let run = 0; run < 3; run++) {
      const again = await readOnce([`${dir}/access.log*`], cp);
      expect(again.map((r) => r.raw)).toEqual(run === 0 ? lines(40, 7).trimEnd().split('\n') : []);
    }
  });

  it('a plain file replaced by gzip data under the same inode (an inode reused at once) is read as gzip, from its start (live)', async () => {
    const dir = tempDir('gz-reuse');
    const file = path.join(dir, 'access.log.1');
    writeFileSync(file, lines(0, 20));
    const source = new FileSource({
      input: { id: 'r', dataset: 'weblogs', paths: [dir] },
      checkpointFile: path.join(tempDir('gz-reuse-data'), 'cp.json'),
      once: false,
      rescanMs: 100,
      log: quiet,
    });
    const records = await collect(source);
    try {
      await untilRecords(records, 20, 10_000);
      writeFileSync(file, gzipSync(lines(500, 30))); // same inode, new content: gzip bytes
      await untilRecords(records, 50);
      await new Promise((r) => setTimeout(r, 400));
      expect(records.map((r) => r.raw)).toEqual([...lines(0, 20).trimEnd().split('\n'), ...lines(500, 30).trimEnd().split('\n')]);
    } finally {
      await source.stop();
      await source.close();
    }
  });

  it('a .gz with corrupt data: the lines before it are read, the rest skipped with one warning, the file not retried', async () => {
    const dir = tempDir('gz-corrupt');
    const gz = gzipSync(lines(0, 3000), { level: 1 });
    // Damage the deflate stream two thirds in (the header and the first blocks stay intact).
    for (let i = Math.floor(gz.length * 0.66); i < Math.floor(gz.length * 0.66) + 64; i++) gz[i] = 0xff;
    writeFileSync(path.join(dir, 'access.log.2.gz'), gz);
    const warnings: { msg: string }[] = [];
    const log = pino({ level: 'warn' }, { write: (s: string) => void warnings.push(JSON.parse(s)) });
    const source = new FileSource({ input: { id: 'c', dataset: 'weblogs', paths: [dir] }, checkpointFile: path.join(tempDir('gz-corrupt-data'), 'cp.json'), once: false, rescanMs: 50, log });
    const records = await collect(source);
    try {
      await new Promise((r) => setTimeout(r, 800));
      // Deflate cannot tell damage until it meets an invalid code (or the CRC at the end): a few lines
      // decoded from the damaged stretch may be garbage (the pipeline dead-letters them); all before it are intact.
      const expected = lines(0, 3000).trimEnd().split('\n');
      let intact = 0;
      while (intact < records.length && records[intact]!.raw === expected[intact]) intact++;
      expect(intact).toBeGreaterThan(1000);
      expect(records.length).toBeLessThan(3000);
      const count = records.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(records.length).toBe(count); // not read again
      expect(warnings.map((w) => w.msg)).toEqual([expect.stringContaining('corrupt gzip data')]);
    } finally {
      await source.stop();
      await source.close();
    }
  });

  it('a .gz still being written is read as far as it goes, then on to its end once complete (live)', async () => {
    const dir = tempDir('gz-partial');
    const text = lines(0, 4000);
    const gz = gzipSync(text);
    const file = path.join(dir, 'access.log.1.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const source = new FileSource({
      input: { id: 'p', dataset: 'weblogs', paths: [dir] },
      checkpointFile: path.join(tempDir('gz-partial-data'), 'cp.json'),
      once: false,
      rescanMs: 100,
      log: quiet,
    });
    const records = await collect(source);
    try {
      await untilRecords(records, 1, 10_000);
      const early = records.length;
      expect(early).toBeGreaterThan(0);
      expect(early).toBeLessThan(4000);
      writeFileSync(file, gz);
      await untilRecords(records, 4000);
      await new Promise((r) => setTimeout(r, 400));
      expect(records.map((r) => r.raw)).toEqual(text.trimEnd().split('\n'));
      expect(source.lagBytes()).toBe(0);
    } finally {
      await source.stop();
      await source.close();
    }
  });
});
