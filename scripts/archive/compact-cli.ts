/**
 * `npm run archive:compact -- --archive-dir DIR [--delete-source] [--settle-minutes N] [--target-bytes N] [--compression-level N] [--compact-storage]`: closed NDJSON
 * parts of the batch-layer archive → Parquet under `DIR/parquet/` (see scripts/archive/compact.ts).
 * Progress on stderr (a bar on a TTY, a line per partition otherwise), a JSON summary on stdout.
 *
 * Exit codes: 0 done, 1 error or a partition that could not be compacted (listed in `failed`; nothing
 * half-written is left visible), 2 invalid usage, 130 interrupted.
 *
 * @module scripts/archive/compact-cli
 */
import { stat } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseCommandLine } from '../../generators/common/command-line.js';
import { compactArchive, DEFAULT_TARGET_BYTES, DEFAULT_ZSTD_LEVEL, type CompactOptions } from './compact.js';

function nonNegative(what: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected ${what} as a number ≥ 0`);
    return n;
  };
}

export function buildProgram(): Command {
  return new Command('archive:compact')
    .description(
      'Compact the closed gzip NDJSON parts of the batch-layer archive into Parquet (ZSTD), one file per day of a ' +
        'dataset (a day is compacted once it is over; more than --target-bytes of parts: several files, and a day not ' +
        'over yet early), under <archive-dir>/parquet/dataset=…/year=…/month=…/day=…/ with the hour as a column and the ' +
        'columns typed from the datasets\' index templates. DuckDB reads the parts itself. Parts still open are never ' +
        'read; repeats of a document are dropped; each file is verified and renamed into place, and lists in its footer ' +
        'the parts it covers, so a re-run (also after a crash) compacts only what is not covered yet. Prints a JSON summary on stdout.',
    )
    .requiredOption('--archive-dir <dir>', 'archive root written by `npm run process -- --archive-dir <dir>`')
    .option('--parquet-dir <dir>', 'Parquet root (default <archive-dir>/parquet)')
    .option('--delete-source', 'delete NDJSON parts once a verified, fsynced Parquet file covers them (default: keep them; the backfill reads only NDJSON)')
    .option('--settle-minutes <n>', 'compact a day (or an hour, early) only this long after it ended, and never while it has an open part', nonNegative('--settle-minutes'), 10)
    .option('--target-bytes <n>', `NDJSON.gz bytes of parts per Parquet file (default ${DEFAULT_TARGET_BYTES}, 128 MiB)`, (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
      return n;
    })
    .option('--compression-level <n>', `zstd level 1–22 (default ${DEFAULT_ZSTD_LEVEL})`, (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 22) throw new InvalidArgumentError('expected an integer 1–22');
      return n;
    })
    .addOption(new Option('--compression <codec>', 'Parquet compression').choices(['zstd', 'snappy', 'gzip', 'uncompressed']).default('zstd'))
    .option('--compact-storage', 'store derived fields elided and decimal-exact prices as DECIMAL, Parquet format v2 (storage.ts): ~30 % smaller on sparse data, read back as declared by the SQL views (npm run sql) only; without it every column has its declared type, as Athena tables (--athena-ddl), Spark and other readers expect')
    .option('--threads <n>', 'DuckDB threads (default: cores)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
      return n;
    })
    .option('--quiet', 'no progress on stderr')
    .exitOverride()
    .showHelpAfterError();
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  const answered = parseCommandLine(program, argv);
  if (answered !== undefined) return answered;
  const o = program.opts<{ archiveDir: string; parquetDir?: string; deleteSource?: boolean; settleMinutes: number; targetBytes?: number; compressionLevel?: number; compression: CompactOptions['compression']; threads?: number; quiet?: boolean; compactStorage?: boolean }>();
  if (!(await stat(o.archiveDir).then((s) => s.isDirectory(), () => false))) {
    process.stderr.write(`error: --archive-dir ${o.archiveDir} is not a directory\n`);
    return 2;
  }
  const ac = new AbortController();
  const stop = (): void => ac.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let bar: cliProgress.SingleBar | undefined;
  let docs = 0;
  try {
    const summary = await compactArchive({
      archiveDir: o.archiveDir,
      ...(o.parquetDir ? { parquetDir: o.parquetDir } : {}),
      deleteSource: o.deleteSource ?? false,
      settleMs: o.settleMinutes * 60_000,
      ...(o.compression ? { compression: o.compression } : {}),
      ...(o.compressionLevel ? { compressionLevel: o.compressionLevel } : {}),
      ...(o.compactStorage ? { storage: 'compact' as const } : {}),
      ...(o.targetBytes ? { targetBytes: o.targetBytes } : {}),
      ...(o.threads ? { threads: o.threads } : {}),
      signal: ac.signal,
      ...(o.quiet
        ? {}
        : {
            onPartition: (e) => {
              if (process.stderr.isTTY) {
                if (!bar) {
                  bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'compact |{bar}| {value}/{total} partitions | {docs} docs | {duration_formatted}', hideCursor: false, fps: 5 }, cliProgress.Presets.shades_classic);
                  bar.start(e.total, 0, { docs: 0 });
                }
                docs += e.rows;
                bar.increment(1, { docs });
              } else {
                process.stderr.write(`[${e.done}/${e.total}] ${e.rel}: ${e.parts} parts, ${e.lines} lines → ${e.rows} rows in ${e.files.length} file${e.files.length === 1 ? '' : 's'}, ${e.sourceBytes} B → ${e.bytes} B\n`);
              }
            },
          }),
    });
    bar?.stop();
    for (const f of summary.failed) process.stderr.write(`error: ${f.partition} not compacted: ${f.error}\n`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.failed.length > 0 ? 1 : 0;
  } catch (err) {
    bar?.stop();
    if (ac.signal.aborted) {
      process.stderr.write('interrupted: the partitions finished so far are compacted; run again to go on\n');
      return 130;
    }
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/archive/compact-cli.ts')) {
  process.exitCode = await main();
}
