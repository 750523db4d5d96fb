/** The archive's partition paths, rolling by size and time, and crash recovery of hidden parts. */
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import type { OutputDocument } from '../../processor/pipeline/types.js';
import { ArchiveSink, partitionPath, partitionStart, validGzipPrefix, type ArchiveLine } from '../../processor/sinks/archive-sink.js';
import { archiveFilesInRange, retarget } from '../../scripts/backfill/backfill.js';
import { tempDir } from '../support/stack.js';

const doc = (id: string, ts: string, dataset = 'weblogs.access'): OutputDocument => ({
  id,
  index: `logs-${dataset}-default`,
  body: { '@timestamp': ts, data_stream: { type: 'logs', dataset, namespace: 'default' }, message: `m${id}` },
  record: { dataset: 'weblogs', raw: '', position: { kind: 'kafka', topic: 't', partition: 0, offset: id } },
});

/** Every file under dir, relative, sorted. */
function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => path.basename(f).includes('part-')).sort();
}

const readPart = (file: string): ArchiveLine[] =>
  gunzipSync(readFileSync(file)).toString().trim().split('\n').map((l) => JSON.parse(l) as ArchiveLine);

describe('partition path', () => {
  it('is dataset and UTC hour from @timestamp', () => {
    expect(partitionPath(doc('a', '2015-05-17T10:05:03.000Z').body)).toBe('dataset=weblogs.access/year=2015/month=05/day=17/hour=10');
    // An offset timestamp lands in its UTC hour (23:30-02:00 is 01:30 UTC the next day).
    expect(partitionPath(doc('a', '2015-12-31T23:30:00-02:00').body)).toBe('dataset=weblogs.access/year=2016/month=01/day=01/hour=01');
    expect(partitionStart('dataset=x/year=2016/month=01/day=01/hour=01')).toBe(Date.UTC(2016, 0, 1, 1));
    expect(partitionStart('dataset=x/year=2016')).toBeUndefined();
  });
  it('refuses documents without a dataset or a timestamp', () => {
    expect(() => partitionPath({ '@timestamp': '2015-05-17T10:00:00Z' })).toThrow(/dataset/);
    expect(() => partitionPath({ data_stream: { dataset: 'x' }, '@timestamp': 'nope' })).toThrow(/@timestamp/);
  });
});

describe('rolling', () => {
  it('keeps one hidden part per partition open and renames it on close', async () => {
    const dir = tempDir('arch-unit');
    const a = new ArchiveSink(dir);
    await a.write([doc('1', '2015-05-17T10:00:00Z'), doc('2', '2015-05-17T11:00:00Z'), doc('3', '2015-05-17T10:59:59Z')]);
    await a.write([doc('4', '2015-05-17T10:30:00Z')]);
    const open = files(dir);
    expect(open).toHaveLength(2);
    expect(open.every((f) => path.basename(f).startsWith('.part-') && f.endsWith('.ndjson.gz.tmp'))).toBe(true);
    await a.close();
    const closed = files(dir);
    expect(closed).toHaveLength(2);
    expect(closed.every((f) => /^part-\d{8}T\d{9}Z-\d{6}\.ndjson\.gz$/.test(path.basename(f)))).toBe(true);
    const hour10 = closed.find((f) => f.includes('hour=10'))!;
    // Two batches = two gzip members, read back as one stream.
    expect(readPart(path.join(dir, hour10)).map((l) => l._id)).toEqual(['1', '3', '4']);
    expect(readPart(path.join(dir, hour10))[0]).toEqual({ _id: '1', _index: 'logs-weblogs.access-default', _source: doc('1', '2015-05-17T10:00:00Z').body });
  });

  it('rolls by uncompressed size and by age', async () => {
    const dir = tempDir('arch-unit');
    let now = 1_000_000;
    const a = new ArchiveSink(dir, { rollBytes: 500, rollMs: 60_000, now: () => now });
    for (let i = 0; i < 10; i++) await a.write([doc(`s${i}`, '2015-05-17T10:00:00Z'), doc(`t${i}`, '2015-05-17T10:00:01Z')]);
    // Each batch is ~2 x 130 bytes: a part is closed after the batch that takes it to 500 bytes or more.
    const bySize = files(dir).filter((f) => !path.basename(f).startsWith('.'));
    expect(bySize.length).toBeGreaterThanOrEqual(4);
    await a.close();
    const all = files(dir).map((f) => readPart(path.join(dir, f)).map((l) => l._id)).flat();
    expect(all.sort()).toEqual([...Array(10).keys()].flatMap((i) => [`s${i}`, `t${i}`]).sort());

    const dir2 = tempDir('arch-unit');
    const b = new ArchiveSink(dir2, { rollMs: 60_000, now: () => now });
    await b.write([doc('x', '2015-05-17T10:00:00Z')]);
    now += 30_000;
    await b.write([doc('y', '2015-05-17T10:00:00Z')]);
    expect(files(dir2).every((f) => path.basename(f).startsWith('.'))).toBe(true);
    now += 30_000;
    await b.write([doc('z', '2015-05-17T10:00:00Z')]); // the part is 60 s old after this write: closed
    expect(files(dir2).map((f) => path.basename(f).startsWith('.'))).toEqual([false]);
    await b.write([doc('w', '2015-05-17T10:00:00Z')]);
    await b.close();
    expect(files(dir2).map((f) => readPart(path.join(dir2, f)).map((l) => l._id))).toEqual([['x', 'y', 'z'], ['w']]);
  });
});

describe('crash recovery', () => {
  it('truncates a member cut short at the tail and finishes the part; drops a part with nothing complete', async () => {
    const dir = tempDir('arch-unit');
    const a = new ArchiveSink(dir);
    await a.write([doc('1', '2015-05-17T10:00:00Z')]);
    await a.write([doc('2', '2015-05-17T10:00:00Z')]);
    // Simulate a crash: no close; a third batch's member only half written.
    const hidden = path.join(dir, files(dir)[0]!);
    const member = gzipSync(Buffer.from(JSON.stringify({ _id: '3', _index: 'x', _source: {} }) + '\n'));
    appendFileSync(hidden, member.subarray(0, member.length - 5));
    expect(validGzipPrefix(readFileSync(hidden))).toBe(readFileSync(hidden).length - (member.length - 5));
    // A part whose only member is broken.
    const lone = path.join(path.dirname(hidden), '.part-20260101T000000000Z-000099.ndjson.gz.tmp');
    writeFileSync(lone, member.subarray(0, 10));

    // A part with one good member followed by a few header bytes, another followed by zeros (a crash
    // after the file grew but before its data reached the disk).
    const good = gzipSync(Buffer.from(JSON.stringify({ _id: 'g', _index: 'x', _source: {} }) + '\n'));
    for (const [name, tail] of [['000097', [0x1f]], ['000098', [0, 0, 0, 0]]] as const) {
      writeFileSync(path.join(path.dirname(hidden), `.part-20260101T000000000Z-${name}.ndjson.gz.tmp`), Buffer.concat([good, Buffer.from(tail)]));
    }
    expect(validGzipPrefix(Buffer.concat([good, Buffer.from([0x1f])]))).toBe(good.length);
    expect(validGzipPrefix(Buffer.concat([good, good]))).toBe(2 * good.length);
    expect(validGzipPrefix(Buffer.from([0x1f, 0x8b]))).toBe(0);

    const b = new ArchiveSink(dir);
    expect(await b.recover()).toEqual({ finished: 3, removed: 1 });
    await b.close();
    expect(existsSync(lone)).toBe(false);
    const left = files(dir);
    expect(left).toHaveLength(3);
    expect(left.every((f) => path.basename(f).startsWith('part-'))).toBe(true);
    expect(left.map((f) => readPart(path.join(dir, f)).map((l) => l._id))).toEqual([['g'], ['g'], ['1', '2']]);
  });
});

describe('backfill helpers', () => {
  it('prunes part files by the hour partition and skips hidden parts', async () => {
    const dir = tempDir('arch-unit');
    const a = new ArchiveSink(dir);
    await a.write(['08', '09', '10', '11'].map((h) => doc(h, `2015-05-17T${h}:30:00Z`)));
    await a.close();
    await a.write([]);
    const b = new ArchiveSink(dir);
    await b.write([doc('open', '2015-05-17T09:10:00Z')]); // stays hidden: not read by a backfill
    const got = await archiveFilesInRange(dir, Date.parse('2015-05-17T09:59:00Z'), Date.parse('2015-05-17T11:00:00Z'));
    expect(got.map((f) => /hour=(\d\d)/.exec(f)![1])).toEqual(['09', '10']);
    await b.close();
  });
  it('retargets to another namespace, keeping the _id', () => {
    const line: ArchiveLine = { _id: 'i', _index: 'logs-weblogs.access-default', _source: doc('i', '2015-05-17T10:00:00Z').body };
    const r = retarget(line, 'bf');
    expect(r.index).toBe('logs-weblogs.access-bf');
    expect((r.body.data_stream as { namespace: string }).namespace).toBe('bf');
    expect(retarget(line, undefined).index).toBe('logs-weblogs.access-default');
  });
});
