/**
 * A live processor reading `access.log*` while logrotate rotates it with `compress` + `delaycompress`
 * (three cycles) and then without `delaycompress` (one cycle), as it does on a real server, while a
 * writer keeps appending (and, as nginx does until it reopens its log, writes its last lines into the
 * renamed file). Every line must be indexed exactly once: the set of `_id`s equals the ids computed
 * here from the bytes written (independently of the file source), the summary shows no duplicates (a
 * re-read of a .gz would, ids being deterministic) and the count equals the lines written.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, describe, expect, it } from '@jest/globals';
import { documentId } from '../../processor/pipeline/document-id.js';
import { startProcessor, type ProcessorHandle } from '../../processor/processor.js';
import { countDocs, es, esUrl, idsOf, quietLog, realAccessLog, tempDir, uniqueNamespace, waitFor } from '../support/stack.js';

const sample = readFileSync(realAccessLog, 'utf8').split('\n').filter((l) => l !== '');

/** The bytes written to each log file incarnation (one per `access.log` created), in order. */
class Writer {
  readonly incarnations: Buffer[][] = [];
  private fd: number;
  private current: Buffer[];
  private next = 0;
  written = 0;

  constructor(private readonly file: string) {
    this.current = [];
    this.incarnations.push(this.current);
    this.fd = openSync(file, 'a');
  }

  /** Appends `n` lines of the sample to the file the writer has open (renamed or not). */
  write(n: number): void {
    const text = Buffer.from(sample.slice(this.next, this.next + n).join('\n') + '\n');
    this.next += n;
    this.written += n;
    writeSync(this.fd, text);
    this.current.push(text);
  }

  /** nginx's reopen on USR1 (logrotate's postrotate): a new `access.log`, the old descriptor closed. */
  reopen(): void {
    closeSync(this.fd);
    this.current = [];
    this.incarnations.push(this.current);
    this.fd = openSync(this.file, 'a');
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** gzip(1) as logrotate runs it: writes `file.gz` progressively, then removes `file`. */
async function compress(file: string, target: string): Promise<void> {
  await pipeline(createReadStream(file), createGzip(), createWriteStream(target));
  unlinkSync(file);
}

/**
 * One logrotate run over `dir/access.log` with `rotate keep`, `compress`, `delaycompress` (or not),
 * `create` and a `postrotate` that makes the writer reopen; the writer appends `late` lines to the
 * renamed file before it reopens, as nginx workers do.
 */
async function logrotate(dir: string, writer: Writer, opts: { delaycompress: boolean; keep: number; late: number }): Promise<void> {
  const f = (n: number, gz = true): string => path.join(dir, n === 0 ? 'access.log' : `access.log.${n}${gz ? '.gz' : ''}`);
  if (existsSync(f(opts.keep))) unlinkSync(f(opts.keep));
  for (let n = opts.keep - 1; n >= 1; n--) if (existsSync(f(n))) renameSync(f(n), f(n + 1));
  // delaycompress left access.log.1 plain: it moves to access.log.2 (plain) and is compressed below.
  if (existsSync(f(1, false))) renameSync(f(1, false), f(2, false));
  renameSync(f(0), f(1, false));
  writer.write(opts.late);
  writer.reopen();
  if (opts.delaycompress) {
    if (existsSync(f(2, false))) await compress(f(2, false), f(2));
  } else {
    if (existsSync(f(2, false))) await compress(f(2, false), f(2));
    await compress(f(1, false), f(1));
  }
}

/** The `_id` of every line of every incarnation, computed from the bytes written (document-id.ts's rule). */
function expectedIds(incarnations: Buffer[][]): string[] {
  const ids: string[] = [];
  for (const parts of incarnations) {
    const content = Buffer.concat(parts);
    let offset = 0;
    while (offset < content.length) {
      const nl = content.indexOf(10, offset);
      const next = nl + 1;
      const fingerprint = createHash('sha1').update(content.subarray(0, Math.min(next, 1024))).digest('hex');
      const raw = content.toString('utf8', offset, nl);
      ids.push(documentId({ raw, position: { kind: 'file', path: '', fileId: '', generation: 0, offset, nextOffset: next, fingerprint } }));
      offset = next;
    }
  }
  return ids.sort();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let handle: ProcessorHandle | undefined;
afterAll(async () => {
  await handle?.stop();
  await es.close();
});

describe('logrotate with compress (live)', () => {
  it('indexes every line exactly once across three compress+delaycompress cycles and one compress cycle', async () => {
    const namespace = uniqueNamespace('lrot');
    const index = `logs-weblogs.access-${namespace}`;
    const dir = tempDir('lrot-log');
    const writer = new Writer(path.join(dir, 'access.log'));
    writer.write(200);
    handle = await startProcessor({
      inputs: [{ id: 'nginx', dataset: 'weblogs', paths: [`${dir}/access.log*`] }],
      esUrl,
      namespace,
      dataDir: tempDir('lrot-data'),
      batchIntervalMs: 200,
      log: quietLog,
    });

    let stopWriting = false;
    const writing = (async () => {
      while (!stopWriting) {
        writer.write(7);
        await sleep(15);
      }
    })();
    for (let cycle = 0; cycle < 4; cycle++) {
      await sleep(1200);
      await logrotate(dir, writer, { delaycompress: cycle < 3, keep: 4, late: 5 });
    }
    await sleep(800);
    stopWriting = true;
    await writing;
    writer.close();

    const total = writer.written;
    await waitFor(`${total} documents`, async () => (await countDocs(index)) >= total, 120_000);
    await sleep(1500); // a late re-read would show up now
    const summary = await handle.stop();
    handle = undefined;

    expect(summary).toMatchObject({ indexed: total, duplicates: 0, rejected: 0, lines: total });
    expect(await countDocs(index)).toBe(total);
    expect(await idsOf(index)).toEqual(expectedIds(writer.incarnations));
    // The compressed generations are on disk as logrotate leaves them.
    expect(['access.log', 'access.log.1.gz', 'access.log.2.gz', 'access.log.3.gz'].every((n) => existsSync(path.join(dir, n)))).toBe(true);
  });

  it('indexes every line once when rotations and compression happen while the processor is stopped', async () => {
    const namespace = uniqueNamespace('lrst');
    const index = `logs-weblogs.access-${namespace}`;
    const dir = tempDir('lrst-log');
    const dataDir = tempDir('lrst-data');
    const start = () =>
      startProcessor({
        inputs: [{ id: 'nginx', dataset: 'weblogs', paths: [`${dir}/access.log*`] }],
        esUrl,
        namespace,
        dataDir,
        batchIntervalMs: 200,
        log: quietLog,
      });
    const writer = new Writer(path.join(dir, 'access.log'));
    writer.write(300);
    handle = await start();
    await waitFor('300 documents', async () => (await countDocs(index)) === 300);
    writer.write(50); // maybe read, maybe not, before the stop
    const first = await handle.stop();
    handle = undefined;

    // While it is down: two logrotate runs (compress + delaycompress), lines before, between and after.
    await logrotate(dir, writer, { delaycompress: true, keep: 4, late: 5 });
    writer.write(40);
    await logrotate(dir, writer, { delaycompress: true, keep: 4, late: 5 });
    writer.write(30);
    expect(existsSync(path.join(dir, 'access.log.2.gz'))).toBe(true);

    handle = await start();
    writer.write(60);
    writer.close();
    const total = writer.written;
    await waitFor(`${total} documents`, async () => (await countDocs(index)) >= total, 120_000);
    await sleep(1500);
    const second = await handle.stop();
    handle = undefined;

    expect(first.duplicates + second.duplicates).toBe(0);
    expect(first.indexed + second.indexed).toBe(total);
    expect(await countDocs(index)).toBe(total);
    expect(await idsOf(index)).toEqual(expectedIds(writer.incarnations));
  });
});
