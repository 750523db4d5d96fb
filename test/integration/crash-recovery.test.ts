/**
 * Nothing lost, nothing doubled: the processor, a real child process, is killed with SIGKILL while a
 * writer is appending to the watched file and batches are in flight; a restarted processor resumes at
 * the committed offset and the data stream ends with exactly one document per line.
 */
import { appendFileSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { countDocs, es, esUrl, realAccessLog, tempDir, uniqueNamespace, waitFor } from '../support/stack.js';
import { spawnTsx, type Child } from '../support/processes.js';

const namespace = uniqueNamespace('crash');
const index = `logs-weblogs.access-${namespace}`;
const dataDir = tempDir('crash-data');
const watchDir = tempDir('crash-watch');
const logFile = path.join(watchDir, 'access.log');
const realLines = readFileSync(realAccessLog, 'utf8').split('\n').filter((l) => l !== '');
const children: Child[] = [];

function startProcessor(): Child {
  const child = spawnTsx('processor/cli.ts', [
    '--watch', watchDir, '--es-url', esUrl, '--namespace', namespace, '--data-dir', dataDir,
    '--batch-size', '500', '--batch-interval-ms', '200', '--no-metrics', '--keep-original',
  ]);
  children.push(child);
  return child;
}

/** Byte offset of every line start in `bytes` (a line is terminated by `\n`), with the line's text: computed from the file alone. */
function lineStarts(bytes: Buffer): { offset: number; text: string }[] {
  const out: { offset: number; text: string }[] = [];
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl === -1) throw new Error(`unterminated line at ${start}`);
    out.push({ offset: start, text: bytes.toString('utf8', start, nl) });
    start = nl + 1;
  }
  return out;
}

/** `log.offset` and `event.original` (the line, kept with `--keep-original`) of every document of `index`, sorted by offset (scroll, 5,000 at a time). */
async function storedLines(index: string): Promise<{ offset: number; text: string }[]> {
  await es.indices.refresh({ index });
  const out: { offset: number; text: string }[] = [];
  type Src = { log?: { offset?: number }; event?: { original?: string } };
  let r = await es.search<Src>({ index, size: 5000, scroll: '1m', _source: ['log.offset', 'event.original'], sort: ['_doc'] });
  while (r.hits.hits.length > 0) {
    for (const h of r.hits.hits) out.push({ offset: h._source?.log?.offset ?? -1, text: h._source?.event?.original ?? '' });
    r = await es.scroll<Src>({ scroll_id: r._scroll_id!, scroll: '1m' });
  }
  if (r._scroll_id) await es.clearScroll({ scroll_id: r._scroll_id });
  return out.sort((a, b) => a.offset - b.offset);
}

afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await es.close();
});

describe('crash recovery', () => {
  it('SIGKILL mid-stream, restart: exactly one document per line', async () => {
    const total = 20_000; // the real log twice: same text at different offsets must stay two documents
    const all = [...realLines, ...realLines];
    let written = 0;
    const writeChunk = (n: number): void => {
      const chunk = all.slice(written, written + n);
      appendFileSync(logFile, chunk.join('\n') + '\n');
      written += chunk.length;
    };
    writeChunk(2000);
    const first = startProcessor();
    await waitFor('first documents', async () => (await countDocs(index)) > 0, 90_000);

    // Keep writing while batches are in flight, then kill without warning.
    const writer = setInterval(() => written < total && writeChunk(250), 20);
    await waitFor('more documents', async () => (await countDocs(index)) >= 3000, 60_000);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const atCrash = await countDocs(index);
    await waitFor('writer to finish', async () => written >= total, 60_000);
    clearInterval(writer);
    expect(atCrash).toBeLessThan(total);

    const second = startProcessor();
    await waitFor(`all ${total} documents`, async () => (await countDocs(index)) >= total, 120_000);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const summary = JSON.parse(second.stdout().trim().split('\n').pop()!);

    expect(await countDocs(index)).toBe(total);
    // Every line's offset is present once: the documents' offsets, in order, are exactly the line
    // starts found in the file's bytes (not only the first and the last), and each carries its line.
    const expected = lineStarts(readFileSync(logFile));
    expect(expected).toHaveLength(total);
    const stored = await storedLines(index);
    const offsets = stored.map((d) => d.offset);
    const seen = new Set<number>();
    const twice = offsets.filter((o) => seen.size === seen.add(o).size);
    expect(twice).toEqual([]); // no offset stored twice
    expect(offsets).toEqual(expected.map((l) => l.offset));
    expect(stored).toEqual(expected); // and each offset holds the text of the line that starts there
    // The restarted processor read from the committed offset: not from 0, and not past what was lost.
    expect(summary.lines).toBeLessThan(total);
    expect(summary.lines + atCrash).toBeGreaterThanOrEqual(total);
    expect(summary.rejected).toBe(0);
    expect(existsSync(path.join(dataDir, 'dead-letters.ndjson'))).toBe(false);
  });
});
