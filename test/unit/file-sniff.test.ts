/** Binary sniffing: gzip by its magic, other binary formats skipped with one warning, text (UTF-8, Latin-1, ANSI colours) read. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { FileSource } from '../../processor/sources/file-source.js';
import { sniffContent } from '../../processor/sources/sniff.js';
import { tempDir } from '../support/stack.js';

const accessLine = '203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326 "-" "curl/8.5"\n';

describe('sniffContent', () => {
  it('tells gzip, known binary formats, NUL bytes and control-heavy data from text', () => {
    expect(sniffContent(gzipSync('hello\n'))).toEqual({ kind: 'gzip' });
    expect(sniffContent(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00]))).toMatchObject({ kind: 'binary', reason: 'zstd data' });
    expect(sniffContent(Buffer.from('BZh91AY&SY\x01\x02', 'latin1'))).toMatchObject({ kind: 'binary', reason: 'bzip2 data' });
    expect(sniffContent(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toMatchObject({ kind: 'binary', reason: 'png data' });
    expect(sniffContent(Buffer.from('abc\0def'))).toMatchObject({ kind: 'binary', reason: 'NUL bytes' });
    expect(sniffContent(Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 2 ? 0x01 : 0x41))))).toMatchObject({ kind: 'binary' });
    expect(sniffContent(Buffer.from(accessLine.repeat(20)))).toEqual({ kind: 'text' });
    expect(sniffContent(Buffer.from('BZh is how my line starts\n'))).toEqual({ kind: 'text' });
    expect(sniffContent(Buffer.from('\x1b[32mINFO\x1b[0m started\tok\r\n'))).toEqual({ kind: 'text' });
    expect(sniffContent(Buffer.from('Zürich — 東京 ✓\n'.repeat(40)))).toEqual({ kind: 'text' });
    expect(sniffContent(Buffer.from('caf\xe9 cr\xe8me\n'.repeat(20), 'latin1'))).toEqual({ kind: 'text' });
    // UTF-8 cut in the middle of a character at the end of the sniffed KiB is still text.
    expect(sniffContent(Buffer.from('é'.repeat(600)).subarray(0, 1024 - 1))).toEqual({ kind: 'text' });
    expect(sniffContent(Buffer.alloc(0))).toEqual({ kind: 'text' });
  });
});

describe('FileSource and binary files', () => {
  it('skips a non-gzip binary file with one warning naming it, reads the rest, dead-letters nothing', async () => {
    const dir = tempDir('sniff');
    writeFileSync(path.join(dir, 'access.log'), accessLine.repeat(3));
    writeFileSync(path.join(dir, 'access.log.2.zst'), Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from(accessLine)]));
    writeFileSync(path.join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    writeFileSync(path.join(dir, 'core.dump'), Buffer.from('ab\0\0\0cd\n'.repeat(50)));
    writeFileSync(path.join(dir, 'archive.tar.gz'), gzipSync(Buffer.from('tar\0\0\0header'.repeat(30))));
    const warnings: { path?: string; msg?: string }[] = [];
    const log = pino({ level: 'warn' }, { write: (s: string) => void warnings.push(JSON.parse(s)) });
    const source = new FileSource({ input: { id: 'i', dataset: 'weblogs', paths: [dir] }, checkpointFile: path.join(tempDir('sniff-data'), 'cp.json'), once: true, log });
    const records: SourceRecord[] = [];
    await source.start(async (b) => void records.push(...b.records));
    await source.drained();
    await source.stop();
    expect(records.map((r) => r.raw)).toEqual([accessLine.trim(), accessLine.trim(), accessLine.trim()]);
    expect(warnings.map((w) => path.basename(w.path!)).sort()).toEqual(['access.log.2.zst', 'archive.tar.gz', 'core.dump', 'logo.png']);
    expect(warnings.every((w) => w.msg!.startsWith(`skipping ${w.path}`))).toBe(true);
    expect(source.fileCount()).toBe(1);
  });
});
