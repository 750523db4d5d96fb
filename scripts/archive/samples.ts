/**
 * The two archives `npm run archive:bench` measures when no `--archive-dir` is given, built without
 * Elasticsearch: raw lines go through the processor's own transform (`transformBatch`, GeoIP and user
 * agents on) in 5,000-record batches (the processor's default) into the real `ArchiveSink`, so the
 * parts are what `npm run process -- --archive-dir` writes for the same input.
 *
 *  - **sparse**: the real samples — the 10,000-line real access log (`data/samples/weblogs/apache_logs`,
 *    ~119 documents per hour over 84 hours), minute ticks fanned out from 40 real HSI days (15,600
 *    documents, 56 per hour over 280 hours) and 3,000 generated headlines (seed 7, one hour);
 *  - **dense**: 60,000 generated web-log lines (seed 42, `--rate 0`: 1 ms apart) in one hour partition.
 *
 * The generators run as child processes (`tsx generators/cli.ts …`) with fixed seeds and start times,
 * so the input is byte-identical from run to run; the documents differ only in `event.ingested`.
 *
 * @module scripts/archive/samples
 */
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEnrichContext } from '../../processor/processor.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { ArchiveSink } from '../../processor/sinks/archive-sink.js';
import { readLines } from '../../processor/sources/line-reader.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BATCH = 5000;

/** Runs `tsx generators/cli.ts <args>`. @throws Error with its stderr when it exits non-zero. */
async function generate(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'generators/cli.ts', ...args, '--quiet'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`generators/cli.ts ${args.join(' ')} exited ${String(code)}: ${stderr.trim()}`);
}

/**
 * Archives every line of `file` as dataset `dataset`'s documents into `archiveDir` (5,000 per batch).
 * Resolves with the number of documents archived.
 * @throws Error when a line becomes a dead letter (the samples are all valid).
 */
async function archiveFile(archiveDir: string, dataset: string, file: string, ctx: Awaited<ReturnType<typeof createEnrichContext>>): Promise<number> {
  const sink = new ArchiveSink(archiveDir);
  let batch: SourceRecord[] = [];
  let n = 0;
  const flush = async (): Promise<void> => {
    const { docs, deadLetters } = transformBatch(batch, ctx, 'default');
    if (deadLetters.length) throw new Error(`${file}: ${deadLetters.length} dead letters (first: ${deadLetters[0]!.reason})`);
    await sink.write(docs);
    n += docs.length;
    batch = [];
  };
  try {
    for await (const line of readLines(file, 0, (await stat(file)).size)) {
      batch.push({ dataset, raw: line.text, position: { kind: 'file', path: file, fileId: 'sample', generation: 0, offset: line.offset, nextOffset: line.nextOffset } });
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length) await flush();
  } finally {
    await sink.close();
  }
  return n;
}

/** What {@link buildSampleArchives} made: two archive roots and their document counts. */
export interface SampleArchives {
  sparse: { dir: string; documents: number };
  dense: { dir: string; documents: number };
}

/**
 * Builds the sparse and the dense sample archive (see the module comment) under `root`
 * (`root/sparse`, `root/dense`; raw inputs under `root/input`). Takes ~30–60 s on 2 cores.
 * @throws Error when a generator fails or a sample line is rejected.
 */
export async function buildSampleArchives(root: string): Promise<SampleArchives> {
  const input = path.join(root, 'input');
  await mkdir(input, { recursive: true });
  const f = (n: string): string => path.join(input, n);
  await generate(['ticks', '--from-candles', path.join(repoRoot, 'data/samples/market/hsi_daily.csv'), '--from', '2009-06-01', '--days', '40', '--rate', '0', '--out', f('ticks.log')]);
  await generate(['news', '--count', '3000', '--seed', '7', '--rate', '0', '--start', '2026-11-20T09:00:00Z', '--out', f('news.log')]);
  await generate(['weblogs', '--count', '60000', '--seed', '42', '--rate', '0', '--start', '2026-11-21T10:00:00Z', '--out', f('dense.log')]);
  const ctx = await createEnrichContext();
  const sparse = path.join(root, 'sparse');
  const dense = path.join(root, 'dense');
  let sparseDocs = 0;
  sparseDocs += await archiveFile(sparse, 'weblogs', path.join(repoRoot, 'data/samples/weblogs/apache_logs'), ctx);
  sparseDocs += await archiveFile(sparse, 'ticks', f('ticks.log'), { ...ctx, state: new Map() });
  sparseDocs += await archiveFile(sparse, 'news', f('news.log'), { ...ctx, state: new Map() });
  const denseDocs = await archiveFile(dense, 'weblogs', f('dense.log'), { ...ctx, state: new Map() });
  return { sparse: { dir: sparse, documents: sparseDocs }, dense: { dir: dense, documents: denseDocs } };
}
