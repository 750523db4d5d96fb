/**
 * Compaction of the batch-layer archive: closed gzip NDJSON parts → Parquet, one file per hour
 * partition and run (so one or a few per hour), under `<archive>/parquet/` in the same Hive layout.
 *
 * Per partition, with DuckDB:
 *  1. the parts to compact are the closed parts (`part-*.ndjson.gz`) that no Parquet file of the
 *     partition covers yet (coverage is in each Parquet file's footer, see `layout.ts`); open (hidden)
 *     parts are never read, and a partition that still has one, or whose hour ended less than
 *     `settleMs` ago, waits for a later run so that an hour usually becomes one file;
 *  2. they are read with the dataset's declared column types (`schema.ts`), repeats of a document
 *     (the archive is at-least-once: a replayed batch can be archived twice) are dropped by
 *     (`_index`, `_id`) within the parts and against the partition's existing Parquet files;
 *  3. the rows, sorted by `@timestamp`, are written as ZSTD Parquet to a hidden temporary file
 *     (`.compact-<hash>.parquet.tmp`) whose footer lists the parts; the file is read back and its row
 *     count and distinct (`_index`,`_id`) count must equal the expected rows (else it is removed and
 *     the run fails); then it is fsynced, renamed to `compacted-<hash>.parquet` and the directory fsynced.
 * A SIGKILL before the rename leaves a temporary file (removed by the next run) and no coverage; after
 * it, the file and its coverage exist together. So a re-run redoes exactly what was not finished, and a
 * run with nothing new writes nothing. One compactor per archive at a time (`.compact.lock` with the pid;
 * a lock whose process is gone is taken over).
 *
 * NDJSON parts are kept unless `deleteSource`: then parts covered by a Parquet file are deleted after
 * that file is durable. The backfill (`npm run backfill`) reads NDJSON parts only, so deleted hours can
 * no longer be backfilled into Elasticsearch from this archive.
 *
 * @module scripts/archive/compact
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb, sqlList, sqlString } from './duckdb.js';
import { LINES_KEY, PARQUET_SUBDIR, PARTS_KEY, ROWS_KEY, scanArchive, type Partition } from './layout.js';
import { archiveDatasets, archiveLineColumns, type ArchiveDataset } from './schema.js';

const HOUR = 3_600_000;

/** Options of {@link compactArchive}. */
export interface CompactOptions {
  /** Archive root written by `npm run process -- --archive-dir`. */
  archiveDir: string;
  /** Parquet root (default `<archiveDir>/parquet`). */
  parquetDir?: string;
  /** Delete NDJSON parts once a durable, verified Parquet file covers them (default false). */
  deleteSource?: boolean;
  /** Compact an hour partition only this long after its hour ended (ms, default 10 min; 0 = at once). */
  settleMs?: number;
  /** Parquet compression codec (default `zstd`). */
  compression?: 'zstd' | 'snappy' | 'gzip' | 'uncompressed';
  /** DuckDB worker threads (default: cores). */
  threads?: number;
  /** Clock, for tests (ms). */
  now?: () => number;
  /** Stops between partitions; what is finished stays finished. */
  signal?: AbortSignal;
  /** Called after each partition that had new parts. */
  onPartition?: (e: PartitionResult & { done: number; total: number }) => void;
}

/** What happened to one partition. */
export interface PartitionResult {
  rel: string;
  /** Parts compacted into the new file. */
  parts: number;
  /** Archive lines read from them. */
  lines: number;
  /** Rows written (lines minus repeats). */
  rows: number;
  /** `compacted-<hash>.parquet`, absolute. */
  file: string;
  bytes: number;
  sourceBytes: number;
}

/** The JSON summary of a run. */
export interface CompactSummary {
  /** Hour partitions seen (NDJSON or Parquet). */
  partitions: number;
  /** Partitions that got a new Parquet file. */
  compacted: number;
  /** Partitions with nothing new. */
  upToDate: number;
  /** Partitions left for a later run: an open part, or the hour ended less than `settleMs` ago. */
  waiting: number;
  /** Partitions of a dataset this version has no schema for (left as they are). */
  unknownDataset: number;
  /** NDJSON parts compacted in this run. */
  parts: number;
  /** Archive lines read from them. */
  lines: number;
  /** Rows written. */
  rows: number;
  /** Lines dropped as repeats of a document already read (at-least-once archive). */
  repeats: number;
  /** Parquet files written. */
  files: number;
  /** Bytes of the NDJSON.gz parts compacted, and of the Parquet files written. */
  sourceBytes: number;
  parquetBytes: number;
  /** NDJSON parts deleted (`deleteSource`). */
  deletedParts: number;
  /** Stale temporary files of an interrupted run removed. */
  staleTemporaries: number;
  /** Partitions that could not be compacted (e.g. a damaged part), with the first line of the error; left as they are. */
  failed: { partition: string; error: string }[];
  seconds: number;
  /** Lines read per second of the run. */
  linesPerSecond: number;
}

/** Why a run stopped: another compactor holds the lock, or a verification failed. */
export class CompactionError extends Error {
  override readonly name = 'CompactionError';
}

async function fsyncPath(p: string): Promise<void> {
  const h = await open(p, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** `mkdir -p` whose new directory entries survive a power loss (each changed parent fsynced). */
async function mkdirDurable(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (!created) return;
  const top = path.dirname(path.resolve(created));
  for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
    await fsyncPath(d);
    if (d === top || d === path.dirname(d)) break;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<parquetDir>/.compact.lock` (see the module comment); resolves with its release. */
async function lock(parquetDir: string): Promise<() => Promise<void>> {
  const file = path.join(parquetDir, '.compact.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const h = await open(file, 'wx');
      await h.writeFile(String(process.pid));
      await h.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid) {
        throw new CompactionError(`another compaction (pid ${pid}) is running on ${parquetDir} (lock ${file})`);
      }
      await rm(file, { force: true }); // its process is gone: an interrupted run
    }
  }
  throw new CompactionError(`could not take the lock ${file}`);
}

/** Removes the hidden temporary files an interrupted run left in a partition directory. */
async function removeStaleTemporaries(dir: string): Promise<number> {
  let n = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.compact-') && name.endsWith('.parquet.tmp')) {
      await unlink(path.join(dir, name));
      n++;
    }
  }
  return n;
}

const count = async (conn: DuckDBConnection, sql: string): Promise<number> => Number((await conn.runAndReadAll(sql)).getRowsJS()[0]![0]);

/**
 * Compacts one partition's uncovered parts into one Parquet file (steps 2–3 of the module comment).
 * @throws CompactionError when the file read back does not hold the expected rows.
 */
async function compactPartition(conn: DuckDBConnection, p: Partition, schema: ArchiveDataset, parquetDir: string, compression: string): Promise<PartitionResult> {
  const dir = path.join(parquetDir, p.rel);
  const names = p.uncovered.map((f) => path.basename(f));
  const hash = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
  const tmp = path.join(dir, `.compact-${hash}.parquet.tmp`);
  const final = path.join(dir, `compacted-${hash}.parquet`);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE src AS SELECT _id, _index, _source FROM read_json(${sqlList(p.uncovered)}, format='newline_delimited', ` +
      `compression='gzip', hive_partitioning=false, columns=${archiveLineColumns(schema)})`,
  );
  const lines = await count(conn, 'SELECT count(*) FROM src');
  const existing = p.parquet.map((f) => f.path);
  const notYet = existing.length
    ? `WHERE NOT EXISTS (SELECT 1 FROM read_parquet(${sqlList(existing)}) AS p WHERE p._index = s._index AND p._id = s._id)`
    : '';
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE batch AS SELECT * FROM (SELECT _id, _index, _source.* FROM (` +
      `SELECT * FROM src QUALIFY row_number() OVER (PARTITION BY _index, _id ORDER BY _id) = 1) AS s ${notYet}) ORDER BY "@timestamp", _id`,
  );
  await conn.run('DROP TABLE src');
  const rows = await count(conn, 'SELECT count(*) FROM batch');
  const meta = `{${sqlString(PARTS_KEY)}: ${sqlString(JSON.stringify(names))}, ${sqlString(LINES_KEY)}: ${sqlString(String(lines))}, ${sqlString(ROWS_KEY)}: ${sqlString(String(rows))}}`;
  await mkdirDurable(dir);
  await conn.run(`COPY batch TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION ${compression}, ROW_GROUP_SIZE 122880, KV_METADATA ${meta})`);
  await conn.run('DROP TABLE batch');
  const check = (await conn.runAndReadAll(`SELECT count(*)::BIGINT, count(DISTINCT (_index, _id))::BIGINT FROM read_parquet(${sqlString(tmp)})`)).getRowsJS()[0]!;
  if (Number(check[0]) !== rows || Number(check[1]) !== rows) {
    await rm(tmp, { force: true });
    throw new CompactionError(`${p.rel}: wrote ${String(check[0])} rows (${String(check[1])} distinct), expected ${rows}; nothing renamed`);
  }
  await fsyncPath(tmp);
  await rename(tmp, final);
  await fsyncPath(dir);
  let sourceBytes = 0;
  for (const f of p.uncovered) sourceBytes += (await stat(f)).size;
  return { rel: p.rel, parts: names.length, lines, rows, file: final, bytes: (await stat(final)).size, sourceBytes };
}

/** Deletes the partition's closed parts that its Parquet files cover; resolves with how many. */
async function deleteCovered(p: Partition, newlyCovered: string[]): Promise<number> {
  const covered = new Set([...p.parquet.flatMap((f) => f.parts), ...newlyCovered]);
  const victims = p.closedParts.filter((f) => covered.has(path.basename(f)));
  for (const f of victims) await rm(f, { force: true });
  if (victims.length) await fsyncPath(path.dirname(victims[0]!));
  return victims.length;
}

/**
 * Compacts every partition with closed parts not yet in Parquet (see the module comment).
 * A partition that fails (a part that cannot be read with the declared types, a file that fails
 * verification) is listed in `failed` with its error and left as it was; the other partitions go on.
 * @throws CompactionError when another compactor holds the lock.
 */
export async function compactArchive(opts: CompactOptions): Promise<CompactSummary> {
  const started = Date.now();
  const parquetDir = opts.parquetDir ?? path.join(opts.archiveDir, PARQUET_SUBDIR);
  const settleMs = opts.settleMs ?? 10 * 60_000;
  const now = opts.now ?? Date.now;
  const compression = opts.compression ?? 'zstd';
  await mkdir(parquetDir, { recursive: true });
  const release = await lock(parquetDir);
  const db = await openDuckDb({ ...(opts.threads ? { threads: opts.threads } : {}), tempDirectory: path.join(parquetDir, '.duckdb-tmp') });
  const summary: CompactSummary = {
    partitions: 0, compacted: 0, upToDate: 0, waiting: 0, unknownDataset: 0, parts: 0, lines: 0, rows: 0, repeats: 0,
    files: 0, sourceBytes: 0, parquetBytes: 0, deletedParts: 0, staleTemporaries: 0, failed: [], seconds: 0, linesPerSecond: 0,
  };
  try {
    const schemas = archiveDatasets();
    const partitions = await scanArchive(db.conn, opts.archiveDir, parquetDir);
    summary.partitions = partitions.length;
    const isWaiting = (p: Partition): boolean => p.openParts.length > 0 || now() < p.start + HOUR + settleMs;
    const total = partitions.filter((p) => p.uncovered.length > 0 && schemas.has(p.dataset) && !isWaiting(p)).length;
    let done = 0;
    for (const p of partitions) {
      summary.staleTemporaries += await removeStaleTemporaries(path.join(parquetDir, p.rel));
      const schema = schemas.get(p.dataset);
      if (!schema) {
        summary.unknownDataset++;
        continue;
      }
      if (p.uncovered.length > 0 && isWaiting(p)) {
        summary.waiting++;
        continue;
      }
      if (p.uncovered.length === 0) {
        if (p.openParts.length > 0) summary.waiting++;
        else summary.upToDate++;
        if (opts.deleteSource) summary.deletedParts += await deleteCovered(p, []);
        continue;
      }
      opts.signal?.throwIfAborted();
      let r: PartitionResult;
      try {
        r = await compactPartition(db.conn, p, schema, parquetDir, compression);
      } catch (err) {
        // A part that cannot be read with the declared types (damaged, or a field of another type) must
        // not block the other hours: nothing of this partition was renamed; report it and go on.
        await removeStaleTemporaries(path.join(parquetDir, p.rel));
        summary.failed.push({ partition: p.rel, error: (err as Error).message.split('\n')[0]! });
        continue;
      }
      summary.compacted++;
      summary.files++;
      summary.parts += r.parts;
      summary.lines += r.lines;
      summary.rows += r.rows;
      summary.repeats += r.lines - r.rows;
      summary.sourceBytes += r.sourceBytes;
      summary.parquetBytes += r.bytes;
      if (opts.deleteSource) summary.deletedParts += await deleteCovered(p, p.uncovered.map((f) => path.basename(f)));
      opts.onPartition?.({ ...r, done: ++done, total });
    }
  } finally {
    db.close();
    await rm(path.join(parquetDir, '.duckdb-tmp'), { recursive: true, force: true });
    await release();
  }
  summary.seconds = Number(((Date.now() - started) / 1000).toFixed(3));
  summary.linesPerSecond = summary.seconds > 0 ? Math.round(summary.lines / summary.seconds) : 0;
  return summary;
}
