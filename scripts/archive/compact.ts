/**
 * Compaction of the batch-layer archive: closed gzip NDJSON parts → Parquet, one file per **day** of a
 * dataset (or per `targetBytes` of parts, see below), under `<archive>/parquet/` in a Hive layout down to
 * the day (`dataset=…/year=…/month=…/day=…/`, the hour a column; see `layout.ts`).
 *
 * Per day, with DuckDB and nothing passing through JavaScript but file names and counts:
 *  1. the parts to compact are the closed parts (`part-*.ndjson.gz`) of the day's hours that no Parquet
 *     file of the day covers yet (coverage is in each file's footer); open (hidden) parts are never read.
 *     A day is compacted once it is over: its end `settleMs` ago and no hour of it with an open part.
 *     Before that, its settled hours (ended `settleMs` ago, no open part) are compacted early only when
 *     they hold at least `targetBytes` of parts (a dense day becomes several files of about that size;
 *     a sparse day one file the day after). Parts of more than `targetBytes` are split into several
 *     files of whole parts, each at most `targetBytes` (unless one part alone is larger);
 *  2. one `COPY (SELECT … FROM read_json(<parts>, columns = <declared types>)) TO '<tmp>' (FORMAT parquet,
 *     COMPRESSION zstd …)` streams the parts into a hidden temporary file (`.compact-<hash>.parquet.tmp`)
 *     whose footer lists the parts: rows in archive order (hour by hour, each hour's parts in the order
 *     they were written, which is `@timestamp` order up to late and out-of-order events; not re-sorted),
 *     the `_source` fields as typed columns, `_id`, `_index` and `hour`, stored as `storage.ts` says (a
 *     field equal to the one it derives from as NULL, decimal-exact prices as DECIMAL; lossless, the SQL
 *     views read them back as declared). For a dataset with decimal fields (the ticks) one aggregate query
 *     over the parts decides their scales first;
 *  3. the file is read back: its row count must equal the lines read, and its distinct (`_index`, `_id`)
 *     count and its overlap with the day's existing Parquet files tell whether the parts held repeats
 *     (the archive is at-least-once: a replayed batch can be archived twice). Only then is a second file
 *     written from the first without them (first occurrence kept, order kept) and read back the same way;
 *  4. the file is fsynced, renamed to `compacted-<hash>.parquet` and the directory fsynced.
 * A SIGKILL before the rename leaves a temporary file (removed by the next run) and no coverage; after
 * it, the file and its coverage exist together. So a re-run redoes exactly what was not finished, and a
 * run with nothing new writes nothing. One compactor per archive at a time (`.compact.lock` with the pid;
 * a lock whose process is gone is taken over).
 *
 * A day whose parts cannot all be read (a damaged part, a value of another type) is narrowed down to its
 * hours: each hour that fails alone is reported in `failed` (as `…/day=DD/hour=HH`, with DuckDB's reason)
 * and left as it was, the day's other hours are compacted.
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
import { HIVE_TYPES, openDuckDb, sqlList, sqlString } from './duckdb.js';
import { hourLayoutDirs, PARQUET_SUBDIR, partKey, PARTS_KEY, scanArchive, type Partition } from './layout.js';
import { archiveDatasets, archiveLineColumns, type ArchiveDataset } from './schema.js';
import { MARKER, planStorage, storedSelect } from './storage.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Default NDJSON.gz bytes per Parquet file (see {@link CompactOptions.targetBytes}). */
export const DEFAULT_TARGET_BYTES = 128 * 1024 * 1024;
/** Default zstd level (see {@link CompactOptions.compressionLevel}; chosen by measurement, docs/archive.md). */
export const DEFAULT_ZSTD_LEVEL = 3;

/** Options of {@link compactArchive}. */
export interface CompactOptions {
  /** Archive root written by `npm run process -- --archive-dir`. */
  archiveDir: string;
  /** Parquet root (default `<archiveDir>/parquet`). */
  parquetDir?: string;
  /** Delete NDJSON parts once a durable, verified Parquet file covers them (default false). */
  deleteSource?: boolean;
  /** Compact a day only this long after it ended, an hour (early, see `targetBytes`) this long after it ended (ms, default 10 min; 0 = at once). */
  settleMs?: number;
  /**
   * NDJSON.gz bytes of parts per Parquet file (default 128 MiB, about 64 MiB of Parquet): a day with more is
   * split into files of whole parts of at most this size, and a day not over yet is compacted early
   * once its settled hours hold this much.
   */
  targetBytes?: number;
  /** Parquet compression codec (default `zstd`). */
  compression?: 'zstd' | 'snappy' | 'gzip' | 'uncompressed';
  /** zstd level, 1–22 (default {@link DEFAULT_ZSTD_LEVEL}); ignored for the other codecs. */
  compressionLevel?: number;
  /**
   * `plain` (default): every column with its declared type, every value as is, Parquet format v1: what
   * any reader expects (the Athena tables of athena.ts, Spark, a bare `read_parquet`). `compact`: derived
   * fields elided and decimal-exact prices as DECIMAL (storage.ts; the SQL views read them back as
   * declared), Parquet format v2: ~30 % smaller on sparse data, for archives only the SQL views read.
   */
  storage?: 'compact' | 'plain';
  /** DuckDB worker threads (default: cores). */
  threads?: number;
  /** Clock, for tests (ms). */
  now?: () => number;
  /** Stops between days; what is finished stays finished. */
  signal?: AbortSignal;
  /** Called after each day that got new files. */
  onPartition?: (e: PartitionResult & { done: number; total: number }) => void;
}

/** What happened to one day. */
export interface PartitionResult {
  /** `dataset=…/year=…/month=…/day=DD`. */
  rel: string;
  /** Parts compacted into the new files. */
  parts: number;
  /** Archive lines read from them. */
  lines: number;
  /** Rows written (lines minus repeats). */
  rows: number;
  /** The new `compacted-<hash>.parquet` files, absolute. */
  files: string[];
  /** Bytes of the new files, and of the parts they cover. */
  bytes: number;
  sourceBytes: number;
}

/** The JSON summary of a run. */
export interface CompactSummary {
  /** Days of a dataset seen (NDJSON or Parquet): the unit of compaction. */
  partitions: number;
  /** Days that got new Parquet files. */
  compacted: number;
  /** Days with nothing new. */
  upToDate: number;
  /** Days left (wholly) for a later run: not over yet (and less than `targetBytes` settled), or an open part. */
  waiting: number;
  /** Days of a dataset this version has no schema for (left as they are). */
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
  /** Hours that could not be compacted (e.g. a damaged part), `…/day=DD/hour=HH` with the first line of the error; left as they are. */
  failed: { partition: string; error: string }[];
  seconds: number;
  /** Lines read per second of the run. */
  linesPerSecond: number;
  /** CPU seconds of this process during the run (DuckDB's threads included). */
  cpuSeconds: number;
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

/** Removes the hidden temporary files an interrupted run left in a directory. */
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

const bigints = async (conn: DuckDBConnection, sql: string): Promise<number[]> => (await conn.runAndReadAll(sql)).getRowsJS()[0]!.map(Number);
/** The first number of a one-row result (`COPY` answers with the rows it wrote). */
const firstNumber = async (conn: DuckDBConnection, sql: string): Promise<number> => (await bigints(conn, sql))[0]!;

/** The parts' lines as rows: `_id`, `_index`, the `_source` fields as columns, `hour` (from the part's path). */
function readParts(schema: ArchiveDataset, parts: string[]): string {
  return `SELECT _id, _index, _source.*, hour FROM read_json(${sqlList(parts)}, format='newline_delimited', compression='gzip', ` +
    `hive_partitioning=true, hive_types=${HIVE_TYPES}, columns=${archiveLineColumns(schema)})`;
}

/** Row count, distinct (`_index`, `_id`) count of a Parquet file, and how many of its rows `existing` files hold already. */
async function census(conn: DuckDBConnection, file: string, existing: string[]): Promise<{ n: number; distinct: number; overlap: number }> {
  const overlap = existing.length
    ? `(SELECT count(*) FROM read_parquet(${sqlString(file)}) AS s WHERE EXISTS (SELECT 1 FROM read_parquet(${sqlList(existing)}, union_by_name=true) AS p WHERE p._index = s._index AND p._id = s._id))`
    : '0';
  const [n, distinct, o] = await bigints(conn, `SELECT count(*)::BIGINT, count(DISTINCT (_index, _id))::BIGINT, ${overlap}::BIGINT FROM read_parquet(${sqlString(file)})`);
  return { n: n!, distinct: distinct!, overlap: o! };
}

/** One new file of a day: the parts it covers and what it holds. */
interface ChunkResult {
  lines: number;
  rows: number;
  file: string;
  bytes: number;
  sourceBytes: number;
}

/**
 * Compacts `parts` (of day `p`) into one Parquet file, without the documents `existing` files of the day
 * hold (steps 2–4 of the module comment).
 * @throws CompactionError when a file read back does not hold the expected rows; DuckDB's error when a part cannot be read.
 */
async function compactChunk(conn: DuckDBConnection, p: Partition, parts: string[], existing: string[], schema: ArchiveDataset, parquetDir: string, format: string, plain: boolean): Promise<ChunkResult> {
  const dir = path.join(parquetDir, p.rel);
  const names = parts.map(partKey);
  const hash = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
  const tmp = path.join(dir, `.compact-${hash}.parquet.tmp`);
  const deduped = path.join(dir, `.compact-${hash}-deduplicated.parquet.tmp`);
  const final = path.join(dir, `compacted-${hash}.parquet`);
  const options = `${format}, KV_METADATA {${sqlString(PARTS_KEY)}: ${sqlString(JSON.stringify(names))}}`;
  await mkdirDurable(dir);
  const declared = readParts(schema, parts);
  const select = plain ? declared : storedSelect(schema, await planStorage(conn, schema, declared), declared);
  const lines = await firstNumber(conn, `COPY (${select}) TO ${sqlString(tmp)} (${options})`);
  const first = await census(conn, tmp, existing);
  if (first.n !== lines) {
    await rm(tmp, { force: true });
    throw new CompactionError(`${p.rel}: wrote ${first.n} rows of ${lines} lines read; nothing renamed`);
  }
  let file = tmp;
  let rows = lines;
  if (first.distinct !== first.n || first.overlap > 0) {
    // Repeats (rare): a second file from the first, each document once, in the same order.
    const notYet = existing.length
      ? `WHERE NOT EXISTS (SELECT 1 FROM read_parquet(${sqlList(existing)}, union_by_name=true) AS p WHERE p._index = s._index AND p._id = s._id)`
      : '';
    rows = await firstNumber(
      conn,
      `COPY (SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(tmp)}, file_row_number=true) AS s ${notYet} ` +
        `QUALIFY row_number() OVER (PARTITION BY _index, _id ORDER BY file_row_number) = 1 ORDER BY file_row_number) TO ${sqlString(deduped)} (${options})`,
    );
    await rm(tmp, { force: true });
    file = deduped;
    const second = await census(conn, deduped, existing);
    if (second.n !== rows || second.distinct !== rows || second.overlap !== 0 || rows !== first.distinct - first.overlap) {
      await rm(deduped, { force: true });
      throw new CompactionError(`${p.rel}: wrote ${second.n} rows (${second.distinct} distinct, ${second.overlap} already compacted), expected ${first.distinct - first.overlap}; nothing renamed`);
    }
  }
  await fsyncPath(file);
  await rename(file, final);
  await fsyncPath(dir);
  let sourceBytes = 0;
  for (const f of parts) sourceBytes += (await stat(f)).size;
  return { lines, rows, file: final, bytes: (await stat(final)).size, sourceBytes };
}

/** Splits parts (in order) into runs of at most `target` bytes (a part larger than that alone). */
function chunksOf(parts: { path: string; bytes: number }[], target: number): { paths: string[]; bytes: number }[] {
  const out: { paths: string[]; bytes: number }[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (last && last.bytes + part.bytes <= target) {
      last.paths.push(part.path);
      last.bytes += part.bytes;
    } else out.push({ paths: [part.path], bytes: part.bytes });
  }
  return out;
}

/** Deletes the day's closed parts that its Parquet files cover; resolves with how many. */
async function deleteCovered(p: Partition, newlyCovered: string[]): Promise<number> {
  const covered = new Set([...p.parquet.flatMap((f) => f.parts), ...newlyCovered]);
  let n = 0;
  for (const h of p.hours) {
    const victims = h.closedParts.filter((f) => covered.has(partKey(f)));
    for (const f of victims) await rm(f, { force: true });
    if (victims.length) await fsyncPath(path.dirname(victims[0]!));
    n += victims.length;
  }
  return n;
}

/** The first line of an error's message. */
const reason = (err: unknown): string => (err as Error).message.split('\n')[0]!;

/**
 * Compacts every day with closed parts not yet in Parquet that is ready (see the module comment).
 * A day that fails is narrowed down to the hours that fail alone; those are listed in `failed` with
 * their error and left as they were, the day's other hours and the other days go on.
 * @throws CompactionError when another compactor holds the lock.
 */
export async function compactArchive(opts: CompactOptions): Promise<CompactSummary> {
  const started = Date.now();
  const cpu = process.cpuUsage();
  const parquetDir = opts.parquetDir ?? path.join(opts.archiveDir, PARQUET_SUBDIR);
  const settleMs = opts.settleMs ?? 10 * 60_000;
  const target = opts.targetBytes ?? DEFAULT_TARGET_BYTES;
  const now = opts.now ?? Date.now;
  const compression = opts.compression ?? 'zstd';
  // No bloom filters: DuckDB writes one per dictionary-encoded column chunk, outside the column chunks
  // (4 KB of a 120 KB sparse day file of the access log, 2.4 % of the sparse archive); they only let a
  // reader skip a row group on an equality filter, and min/max statistics stay. Measured in docs/archive.md.
  // The compact storage form is for the SQL views (DuckDB) anyway: Parquet format v2 there (DELTA_BINARY_PACKED
  // timestamps, offsets and DECIMAL prices, DELTA_LENGTH_BYTE_ARRAY strings); the plain form stays v1 for
  // readers that may not read v2 data pages (Athena). Measured in docs/archive.md.
  const version = opts.storage === 'compact' ? ', PARQUET_VERSION V2' : '';
  const format = `FORMAT parquet, COMPRESSION ${compression}${compression === 'zstd' ? `, COMPRESSION_LEVEL ${opts.compressionLevel ?? DEFAULT_ZSTD_LEVEL}` : ''}, WRITE_BLOOM_FILTER false${version}`;
  await mkdir(parquetDir, { recursive: true });
  const release = await lock(parquetDir);
  const db = await openDuckDb({ ...(opts.threads ? { threads: opts.threads } : {}), tempDirectory: path.join(parquetDir, '.duckdb-tmp') });
  const summary: CompactSummary = {
    partitions: 0, compacted: 0, upToDate: 0, waiting: 0, unknownDataset: 0, parts: 0, lines: 0, rows: 0, repeats: 0, files: 0,
    sourceBytes: 0, parquetBytes: 0, deletedParts: 0, staleTemporaries: 0, failed: [], seconds: 0, linesPerSecond: 0, cpuSeconds: 0,
  };
  try {
    const schemas = archiveDatasets();
    for (const s of schemas.values()) {
      if (s.columns.some(([n]) => n === 'hour')) throw new CompactionError(`dataset ${s.dataset} has a top-level field "hour", which the Parquet files use for the hour of the partition`);
      if (s.columns.some(([n]) => n === MARKER)) throw new CompactionError(`dataset ${s.dataset} has a top-level field "${MARKER}", which the Parquet files use for elided fields (storage.ts)`);
    }
    const partitions = await scanArchive(db.conn, opts.archiveDir, parquetDir);
    summary.partitions = partitions.length;
    /** The parts of day `p` to compact now, in files of at most `target` bytes (see the module comment). */
    const plans = new Map<Partition, { paths: string[]; bytes: number }[]>();
    for (const p of partitions) {
      if (!schemas.has(p.dataset) || p.uncovered.length === 0) continue;
      const over = now() >= p.start + DAY + settleMs && p.hours.every((h) => h.openParts.length === 0);
      const settled = p.hours.filter((h) => h.uncovered.length > 0 && (over || (h.openParts.length === 0 && now() >= h.start + HOUR + settleMs)));
      const parts: { path: string; bytes: number }[] = [];
      for (const h of settled) for (const f of h.uncovered) parts.push({ path: f, bytes: (await stat(f)).size });
      let chunks = chunksOf(parts, target);
      // a day not over yet: only whole files' worth of its settled hours
      if (!over && (chunks[chunks.length - 1]?.bytes ?? 0) < target) chunks = chunks.slice(0, -1);
      if (chunks.length) plans.set(p, chunks);
    }
    const total = plans.size;
    let done = 0;
    for (const p of partitions) {
      summary.staleTemporaries += await removeStaleTemporaries(path.join(parquetDir, p.rel));
      for (const d of await hourLayoutDirs(parquetDir, p.rel)) summary.staleTemporaries += await removeStaleTemporaries(d);
      const schema = schemas.get(p.dataset);
      if (!schema) {
        summary.unknownDataset++;
        continue;
      }
      const chunks = plans.get(p);
      if (!chunks) {
        if (p.uncovered.length > 0 || p.hours.some((h) => h.openParts.length > 0)) summary.waiting++;
        else summary.upToDate++;
        if (opts.deleteSource) summary.deletedParts += await deleteCovered(p, []);
        continue;
      }
      opts.signal?.throwIfAborted();
      const existing = p.parquet.map((f) => f.path);
      const result: PartitionResult = { rel: p.rel, parts: 0, lines: 0, rows: 0, files: [], bytes: 0, sourceBytes: 0 };
      const covered: string[] = [];
      const compact = async (parts: string[]): Promise<void> => {
        const r = await compactChunk(db.conn, p, parts, existing, schema, parquetDir, format, opts.storage !== 'compact');
        existing.push(r.file);
        covered.push(...parts.map(partKey));
        result.parts += parts.length;
        result.lines += r.lines;
        result.rows += r.rows;
        result.files.push(r.file);
        result.bytes += r.bytes;
        result.sourceBytes += r.sourceBytes;
      };
      for (const chunk of chunks) {
        try {
          await compact(chunk.paths);
        } catch (err) {
          // A part that cannot be read with the declared types (damaged, or a field of another type) must
          // not block the rest: nothing of this chunk was renamed. Find the hours that fail alone, report
          // them, compact the others.
          await removeStaleTemporaries(path.join(parquetDir, p.rel));
          const byHour = new Map<string, string[]>();
          for (const f of chunk.paths) {
            const h = path.basename(path.dirname(f));
            byHour.set(h, [...(byHour.get(h) ?? []), f]);
          }
          const good: string[] = [];
          for (const [h, parts] of byHour) {
            try {
              // materialised, so every value is converted to its declared type
              await db.conn.run(`CREATE OR REPLACE TEMP TABLE probe AS ${readParts(schema, parts)}`);
              await db.conn.run('DROP TABLE probe');
              good.push(...parts);
            } catch (hourErr) {
              summary.failed.push({ partition: `${p.rel}/${h}`, error: reason(hourErr) });
            }
          }
          if (byHour.size === 1 && good.length > 0) summary.failed.push({ partition: `${p.rel}/${[...byHour.keys()][0]!}`, error: reason(err) });
          else if (good.length > 0) {
            try {
              await compact(good);
            } catch (again) {
              await removeStaleTemporaries(path.join(parquetDir, p.rel));
              for (const h of new Set(good.map((f) => path.basename(path.dirname(f))))) summary.failed.push({ partition: `${p.rel}/${h}`, error: reason(again) });
            }
          }
        }
      }
      if (result.files.length === 0) continue;
      summary.compacted++;
      summary.files += result.files.length;
      summary.parts += result.parts;
      summary.lines += result.lines;
      summary.rows += result.rows;
      summary.repeats += result.lines - result.rows;
      summary.sourceBytes += result.sourceBytes;
      summary.parquetBytes += result.bytes;
      if (opts.deleteSource) summary.deletedParts += await deleteCovered(p, covered);
      opts.onPartition?.({ ...result, done: ++done, total });
    }
  } finally {
    db.close();
    await rm(path.join(parquetDir, '.duckdb-tmp'), { recursive: true, force: true });
    await release();
  }
  summary.seconds = Number(((Date.now() - started) / 1000).toFixed(3));
  summary.linesPerSecond = summary.seconds > 0 ? Math.round(summary.lines / summary.seconds) : 0;
  const used = process.cpuUsage(cpu);
  summary.cpuSeconds = Number(((used.user + used.system) / 1e6).toFixed(3));
  return summary;
}
