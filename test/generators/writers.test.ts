/**
 * Output writers: batch directory (atomic publication, exact batch sizes) and
 * the appending file writer with logrotate-style rotation.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { simulatedClock } from '../../generators/common/clock.js';
import { runGenerator } from '../../generators/common/run.js';
import { AppendFileWriter, BatchDirWriter, StreamWriter, compactUtcStamp } from '../../generators/common/writers.js';
import { createWeblogGenerator } from '../../generators/weblogs/index.js';
import { generateLines, parseLine, START, tempDir, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const BATCH_NAME = /^weblogs-\d{8}T\d{6}-\d{6}\.log$/;

describe('BatchDirWriter', () => {
  it('publishes files of exactly N lines, never a partial file, total = count', async () => {
    const dir = tempDir('batch');
    const batchLines = 500;
    const count = 20_000;
    const seen = new Map<string, number>();
    const problems: string[] = [];
    // A watcher-like poller reads every visible *.log as soon as it appears.
    let polling = true;
    const poll = async (): Promise<void> => {
      while (polling) {
        for (const name of readdirSync(dir)) {
          if (name.startsWith('.')) continue;
          if (!BATCH_NAME.test(name)) problems.push(`unexpected visible file ${name}`);
          if (seen.has(name)) continue;
          const text = readFileSync(path.join(dir, name), 'utf8');
          const n = text.split('\n').length - 1;
          if (n !== batchLines || !text.endsWith('\n')) problems.push(`${name} had ${n} lines when first seen`);
          seen.set(name, n);
        }
        await new Promise((r) => setImmediate(r));
      }
    };
    const poller = poll();
    const writer = await BatchDirWriter.open(dir, { batchLines, prefix: 'weblogs' });
    const summary = await runGenerator({
      generator: createWeblogGenerator({ seed: 5, start: START }),
      writer,
      rate: 40_000,
      count,
      clock: simulatedClock(START, 40_000),
      maxChunk: 137, // chunks that do not align with batches
    });
    polling = false;
    await poller;

    expect(problems).toEqual([]);
    expect(seen.size).toBeGreaterThan(count / batchLines / 2); // the poller really watched the run
    expect(summary).toMatchObject({ lines: count, files: count / batchLines, stoppedBy: 'count' });
    const names = readdirSync(dir).sort();
    expect(names.every((n) => BATCH_NAME.test(n))).toBe(true); // no temp files left
    expect(names).toHaveLength(count / batchLines);
    expect(names.map((n) => n.slice(-10, -4))).toEqual(names.map((_, i) => String(i + 1).padStart(6, '0')));
    const all = names.flatMap((n) => readFileSync(path.join(dir, n), 'utf8').split('\n').slice(0, -1));
    expect(all).toHaveLength(count);
    for (const n of names) expect(readFileSync(path.join(dir, n), 'utf8').split('\n')).toHaveLength(batchLines + 1);
    // Batching does not change the content.
    expect(all).toEqual(generateLines(count, { seed: 5 }, 40_000));
  });

  it('flushes the remainder as a shorter last batch and continues numbering across runs', async () => {
    const dir = tempDir('batch-rest');
    const now = (): Date => new Date('2025-06-01T12:34:56Z');
    let w = await BatchDirWriter.open(dir, { batchLines: 3, prefix: 'weblogs', now });
    await w.write(['a', 'b', 'c', 'd']);
    expect(readdirSync(dir).filter((n) => !n.startsWith('.'))).toEqual(['weblogs-20250601T123456-000001.log']);
    await w.close();
    await w.close(); // idempotent
    w = await BatchDirWriter.open(dir, { batchLines: 3, prefix: 'weblogs', now });
    await w.write(['e', 'f', 'g']);
    await w.close();
    expect(readdirSync(dir).sort()).toEqual([
      'weblogs-20250601T123456-000001.log',
      'weblogs-20250601T123456-000002.log',
      'weblogs-20250601T123456-000003.log',
    ]);
    expect(readFileSync(path.join(dir, 'weblogs-20250601T123456-000002.log'), 'utf8')).toBe('d\n');
    expect(readFileSync(path.join(dir, 'weblogs-20250601T123456-000003.log'), 'utf8')).toBe('e\nf\ng\n');
  });

  it('formats stamps in UTC', () => {
    expect(compactUtcStamp(new Date('2025-01-02T03:04:05.678Z'))).toBe('20250102T030405');
  });
});

describe('AppendFileWriter rotation', () => {
  const lines = generateLines(6_000, { seed: 9 });
  const text = lines.join('\n') + '\n';

  it('rotates FILE → FILE.1 → FILE.2 … without losing or splitting a line', async () => {
    const dir = tempDir('rotate');
    const file = path.join(dir, 'logs', 'access.log');
    const limit = 100_000;
    const w = await AppendFileWriter.open(file, { rotateBytes: limit, rotateKeep: 100 });
    for (let i = 0; i < lines.length; i += 250) await w.write(lines.slice(i, i + 250));
    await w.close();

    const rotated = readdirSync(path.dirname(file))
      .filter((n) => /^access\.log\.\d+$/.test(n))
      .sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()));
    expect(rotated.length).toBeGreaterThan(5);
    expect(w.files).toBe(rotated.length + 1);
    const order = [...rotated.map((n) => path.join(path.dirname(file), n)), file]; // oldest first
    const contents = order.map((f) => readFileSync(f, 'utf8'));
    expect(contents.join('')).toBe(text);
    for (const [i, c] of contents.entries()) {
      expect(c.endsWith('\n')).toBe(true);
      expect(Buffer.byteLength(c)).toBeLessThanOrEqual(limit);
      if (i < contents.length - 1) expect(Buffer.byteLength(c)).toBeGreaterThan(limit - 1_000); // filled up to the limit
      for (const l of c.split('\n').slice(0, -1)) expect(parseLine(l)).not.toBeNull();
    }
  });

  it('keeps only --rotate-keep rotated files, the newest ones', async () => {
    const dir = tempDir('rotate-keep');
    const file = path.join(dir, 'access.log');
    const w = await AppendFileWriter.open(file, { rotateBytes: 50_000, rotateKeep: 2 });
    await w.write(lines);
    await w.close();
    expect(readdirSync(dir).sort()).toEqual(['access.log', 'access.log.1', 'access.log.2']);
    const tail = ['access.log.2', 'access.log.1', 'access.log'].map((n) => readFileSync(path.join(dir, n), 'utf8')).join('');
    expect(text.endsWith(tail)).toBe(true);
    expect(lines).toContain(tail.split('\n')[0]); // the oldest kept file starts at a line boundary
  });

  it('appends to an existing file and counts its size toward the limit', async () => {
    const dir = tempDir('rotate-existing');
    const file = path.join(dir, 'access.log');
    writeFileSync(file, 'x'.repeat(900) + '\n');
    const w = await AppendFileWriter.open(file, { rotateBytes: 1_000 });
    await w.write(['y'.repeat(50)]);
    await w.write(['z'.repeat(200)]);
    await w.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('x'.repeat(900) + '\n' + 'y'.repeat(50) + '\n');
    expect(readFileSync(file, 'utf8')).toBe('z'.repeat(200) + '\n');
  });

  it('without rotation just appends', async () => {
    const dir = tempDir('append');
    const file = path.join(dir, 'a.log');
    const w = await AppendFileWriter.open(file);
    await w.write(['1', '2']);
    await w.write(['3']);
    await w.close();
    expect(readFileSync(file, 'utf8')).toBe('1\n2\n3\n');
    expect(existsSync(`${file}.1`)).toBe(false);
    expect(statSync(file).size).toBe(6);
  });
});

describe('StreamWriter', () => {
  it('writes newline-terminated lines and reports a closed reader instead of throwing', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    let closed = 0;
    const w = new StreamWriter(stream, { onClosed: () => closed++ });
    await w.write(['a', 'b']);
    expect(chunks.join('')).toBe('a\nb\n');
    stream.destroy(Object.assign(new Error('EPIPE'), { code: 'EPIPE' }));
    await new Promise((r) => setImmediate(r));
    await w.write(['c']);
    expect(closed).toBe(1);
    await w.close();
  });
});
