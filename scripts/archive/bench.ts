/**
 * `npm run archive:bench [-- --archive-dir DIR] [--runs N] [--compression-level N] [--storage plain|compact]`: the archive's figures,
 * measured in one run on copies of closed NDJSON parts (DIR is not touched).
 *
 * Without `--archive-dir`, the two sample archives of `samples.ts` are built first (no Elasticsearch:
 * the processor's own transform into the real archive sink): **sparse** (the real access log, minute
 * ticks from 40 real HSI days, 3,000 headlines: 56–119 documents per hour) and **dense** (60,000
 * generated web-log lines in one hour). With it, that archive alone.
 *
 * Per archive:
 *  - size per dataset and in all: NDJSON.gz parts vs the Parquet files compaction makes of them,
 *    `parquetToNdjsonGz` = Parquet bytes / NDJSON.gz bytes (smaller is better), with documents per hour;
 *  - compaction throughput: archive lines per wall-clock second of the whole `compactArchive` run (scan,
 *    DuckDB reading the parts, Parquet written, read back, fsyncs), and the CPU seconds it used (DuckDB's
 *    threads included), whose ratio to the lines does not depend on what else runs on the machine;
 *  - every cookbook query (cookbook.ts), median of `--runs` runs, over the NDJSON parts (before
 *    compaction) and over the Parquet files (after), including the view set-up a CLI call pays.
 * Human-readable lines on stderr, one JSON object on stdout.
 *
 * @module scripts/archive/bench
 */
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { compactArchive, DEFAULT_ZSTD_LEVEL } from './compact.js';
import { COOKBOOK } from './cookbook.js';
import { buildSampleArchives } from './samples.js';
import { queryArchive } from './sql.js';

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const program = new Command('archive:bench')
  .description('Measure Parquet size vs the NDJSON.gz parts, compaction throughput and the cookbook queries\' times on a copy of an archive (default: the sparse and the dense sample archive, built first)')
  .option('--archive-dir <dir>', 'archive root (read only: its closed parts are copied to a temporary directory); default: the two sample archives')
  .option('--runs <n>', 'runs per query (median reported)', positive, 3)
  .option('--compression-level <n>', `zstd level (default ${DEFAULT_ZSTD_LEVEL})`, positive)
  .addOption(new Option('--storage <form>', 'Parquet storage form (compact.ts): plain, the default, or compact (--compact-storage)').choices(['plain', 'compact']).default('plain'))
  .showHelpAfterError();
program.parse();
const o = program.opts<{ archiveDir?: string; runs: number; compressionLevel?: number; storage: 'plain' | 'compact' }>();

type Sizes = Map<string, { bytes: number; files: number; partitions: Set<string> }>;
/** Bytes, files and partition directories per dataset of the files ending in `suffix` under `root`. */
async function sizes(root: string, suffix: string): Promise<Sizes> {
  const out: Sizes = new Map();
  for (const rel of (await readdir(root, { recursive: true }).catch(() => [])) as string[]) {
    if (!rel.endsWith(suffix) || path.basename(rel).startsWith('.')) continue;
    const ds = /dataset=([^/]+)/.exec(rel)?.[1];
    if (!ds) continue;
    const e = out.get(ds) ?? { bytes: 0, files: 0, partitions: new Set<string>() };
    e.bytes += (await stat(path.join(root, rel))).size;
    e.files++;
    e.partitions.add(path.dirname(rel));
    out.set(ds, e);
  }
  return out;
}

const ratio = (parquet: number, ndjson: number): number => Number((parquet / Math.max(1, ndjson)).toFixed(3));

/** Copies the closed parts of `source` to `work`, queries, compacts, queries again; the figures. */
async function measure(name: string, source: string, work: string): Promise<Record<string, unknown>> {
  await cp(source, work, { recursive: true, filter: (src) => !path.basename(src).startsWith('.') && !src.startsWith(path.join(source, 'parquet')) });
  const time = async (sql: string): Promise<number> => {
    const ms: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t = performance.now();
      await queryArchive(work, sql);
      ms.push(performance.now() - t);
    }
    return Math.round(ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!);
  };
  const before: Record<string, number> = {};
  for (const [q, sql] of Object.entries(COOKBOOK)) before[q] = await time(sql);

  const load = os.loadavg()[0]!;
  // settle 0 and a clock a day ahead: every day of the copy counts as over
  const summary = await compactArchive({ archiveDir: work, settleMs: 0, now: () => Date.now() + 86_400_000, storage: o.storage, ...(o.compressionLevel ? { compressionLevel: o.compressionLevel } : {}) });
  const after: Record<string, number> = {};
  for (const [q, sql] of Object.entries(COOKBOOK)) after[q] = await time(sql);

  const ndjson = await sizes(work, '.ndjson.gz');
  const parquet = await sizes(path.join(work, 'parquet'), '.parquet');
  const docs = new Map<string, number>();
  for (const r of (await queryArchive(work, `SELECT dataset, count(*) AS n FROM read_parquet('${path.join(work, 'parquet')}/dataset=*/*/*/*/*.parquet', hive_partitioning=true) GROUP BY 1`)).rows) {
    docs.set(String(r.dataset), Number(r.n));
  }
  const datasets = [...ndjson].map(([ds, n]) => {
    const p = parquet.get(ds) ?? { bytes: 0, files: 0, partitions: new Set<string>() };
    const d = docs.get(ds) ?? 0;
    return {
      dataset: ds,
      documents: d,
      hourPartitions: n.partitions.size,
      documentsPerHour: Math.round(d / Math.max(1, n.partitions.size)),
      ndjsonGzBytes: n.bytes,
      parquetBytes: p.bytes,
      parquetFiles: p.files,
      parquetToNdjsonGz: ratio(p.bytes, n.bytes),
    };
  });
  const total = { ndjsonGzBytes: 0, parquetBytes: 0 };
  for (const d of datasets) {
    total.ndjsonGzBytes += d.ndjsonGzBytes;
    total.parquetBytes += d.parquetBytes;
  }
  const compaction = {
    lines: summary.lines,
    seconds: summary.seconds,
    linesPerSecond: summary.linesPerSecond,
    cpuSeconds: summary.cpuSeconds,
    linesPerCpuSecond: summary.cpuSeconds > 0 ? Math.round(summary.lines / summary.cpuSeconds) : 0,
    files: summary.files,
    loadAverage1mBefore: Number(load.toFixed(2)),
    storage: o.storage,
  };
  for (const d of datasets) {
    process.stderr.write(`${name} ${d.dataset}: ${d.documents} docs in ${d.hourPartitions} hours (${d.documentsPerHour}/h) → ${d.parquetFiles} files: NDJSON.gz ${d.ndjsonGzBytes} B → Parquet ${d.parquetBytes} B = ${d.parquetToNdjsonGz}×\n`);
  }
  process.stderr.write(`${name} all: NDJSON.gz ${total.ndjsonGzBytes} B → Parquet ${total.parquetBytes} B = ${ratio(total.parquetBytes, total.ndjsonGzBytes)}×\n`);
  process.stderr.write(
    `${name} compaction (${o.storage} storage): ${summary.lines} lines in ${summary.seconds} s = ${summary.linesPerSecond} docs/s; ${summary.cpuSeconds} CPU s = ${compaction.linesPerCpuSecond} docs per CPU second (load ${compaction.loadAverage1mBefore} on ${os.cpus().length} cores)\n`,
  );
  for (const q of Object.keys(COOKBOOK)) process.stderr.write(`${name} ${q}: ${before[q]} ms over NDJSON, ${after[q]} ms over Parquet\n`);
  return {
    archive: name,
    datasets,
    all: { ...total, parquetToNdjsonGz: ratio(total.parquetBytes, total.ndjsonGzBytes) },
    compaction,
    queryMsBeforeCompaction: before,
    queryMsAfterCompaction: after,
  };
}

const work = await mkdtemp(path.join(os.tmpdir(), 'rtas-archive-bench-'));
try {
  const archives: [string, string][] = [];
  if (o.archiveDir) archives.push([path.basename(path.resolve(o.archiveDir)), o.archiveDir]);
  else {
    process.stderr.write('building the sample archives (sparse: real samples; dense: 60,000 web-log lines in one hour)…\n');
    const samples = await buildSampleArchives(path.join(work, 'samples'));
    archives.push(['sparse', samples.sparse.dir], ['dense', samples.dense.dir]);
  }
  const results = [];
  for (const [name, dir] of archives) results.push(await measure(name, dir, path.join(work, `copy-${name}`)));
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, compressionLevel: o.compressionLevel ?? DEFAULT_ZSTD_LEVEL, archives: results })}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
