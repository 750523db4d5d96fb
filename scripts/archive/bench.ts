/**
 * `npm run archive:bench -- --archive-dir DIR [--runs N]`: the archive's figures, measured in one run
 * on a copy of its closed NDJSON parts (DIR is not touched):
 *  - size per dataset: NDJSON.gz parts vs the Parquet files compaction makes of them (ratio), with
 *    documents per hour partition (Parquet pays a per-file cost, so sparse hours compress worse);
 *  - compaction throughput (archive lines per second, whole run including the per-partition
 *    verification and fsyncs);
 *  - every cookbook query (cookbook.ts), median of `--runs` runs, over the NDJSON parts (before
 *    compaction) and over the Parquet files (after), including the view set-up a CLI call pays.
 * Human-readable lines on stderr, one JSON object on stdout.
 *
 * @module scripts/archive/bench
 */
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { compactArchive } from './compact.js';
import { COOKBOOK } from './cookbook.js';
import { queryArchive } from './sql.js';

const program = new Command('archive:bench')
  .description('Measure compression vs the NDJSON.gz parts, compaction throughput and the cookbook queries\' times on a copy of an archive')
  .requiredOption('--archive-dir <dir>', 'archive root (read only: its closed parts are copied to a temporary directory)')
  .option('--runs <n>', 'runs per query (median reported)', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
    return n;
  }, 3)
  .showHelpAfterError();
program.parse();
const o = program.opts<{ archiveDir: string; runs: number }>();

const work = await mkdtemp(path.join(os.tmpdir(), 'rtas-archive-bench-'));
try {
  // Closed parts only (hidden open parts and an existing Parquet tree are left behind).
  await cp(o.archiveDir, work, { recursive: true, filter: (src) => !path.basename(src).startsWith('.') && !src.startsWith(path.join(o.archiveDir, 'parquet')) });

  const sizes = async (root: string, suffix: string): Promise<Map<string, { bytes: number; files: number; partitions: Set<string> }>> => {
    const out = new Map<string, { bytes: number; files: number; partitions: Set<string> }>();
    for (const rel of (await readdir(root, { recursive: true })) as string[]) {
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
  };

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
  for (const [name, sql] of Object.entries(COOKBOOK)) before[name] = await time(sql);

  const summary = await compactArchive({ archiveDir: work, settleMs: 0 });
  const after: Record<string, number> = {};
  for (const [name, sql] of Object.entries(COOKBOOK)) after[name] = await time(sql);

  const ndjson = await sizes(work, '.ndjson.gz');
  const parquet = await sizes(path.join(work, 'parquet'), '.parquet');
  const docs = new Map<string, number>();
  for (const r of (await queryArchive(work, `SELECT dataset, count(*) AS n FROM read_parquet('${path.join(work, 'parquet')}/dataset=*/*/*/*/*/*.parquet', hive_partitioning=true) GROUP BY 1`)).rows) {
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
      ratio: Number((n.bytes / Math.max(1, p.bytes)).toFixed(2)),
    };
  });
  const result = {
    cpus: os.cpus().length,
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
    datasets,
    compaction: { lines: summary.lines, seconds: summary.seconds, linesPerSecond: summary.linesPerSecond, files: summary.files },
    queryMsBeforeCompaction: before,
    queryMsAfterCompaction: after,
  };
  for (const d of datasets) {
    process.stderr.write(`${d.dataset}: ${d.documents} docs in ${d.hourPartitions} hours (${d.documentsPerHour}/h): NDJSON.gz ${d.ndjsonGzBytes} B → Parquet ${d.parquetBytes} B (${d.ratio}×)\n`);
  }
  process.stderr.write(`compaction: ${summary.lines} lines in ${summary.seconds} s = ${summary.linesPerSecond} lines/s\n`);
  for (const name of Object.keys(COOKBOOK)) process.stderr.write(`${name}: ${before[name]} ms over NDJSON, ${after[name]} ms over Parquet\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
