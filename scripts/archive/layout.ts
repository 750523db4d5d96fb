/**
 * Where the archive's files are and which NDJSON parts each Parquet file covers.
 *
 * NDJSON parts (written by `processor/sinks/archive-sink.ts`), one directory per UTC hour:
 *   `<archive>/dataset=<ds>/year=YYYY/month=MM/day=DD/hour=HH/part-<start>-<seq>.ndjson.gz` (closed),
 *   `.part-<start>-<seq>.ndjson.gz.tmp` (open: never read here).
 * Parquet files (written by `scripts/archive/compact.ts`), one directory per UTC **day** under `<archive>/parquet`:
 *   `<archive>/parquet/dataset=<ds>/year=YYYY/month=MM/day=DD/compacted-<hash>.parquet`,
 *   the hour a column (`hour` INTEGER, from the part's path) instead of a directory, and in the footer
 *   (key-value metadata {@link PARTS_KEY}) the parts of that day the file was made from, as
 *   `hour=HH/<part name>`. The footer is written with the file and the file appears under its final
 *   name by one rename, so "which parts are compacted" can never disagree with what is readable.
 * Files of the earlier hour layout (`…/day=DD/hour=HH/compacted-<hash>.parquet`, footer listing part
 * names of that hour, no `hour` column) are still recognised: they keep covering their parts and the
 * SQL views read them; new files are never written there.
 *
 * @module scripts/archive/layout
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from './duckdb.js';

/** Footer key: JSON array of the NDJSON parts the Parquet file covers (`hour=HH/<name>` relative to the day; a bare name in hour-layout files). */
export const PARTS_KEY = 'rtas.source_parts';

/** Sub-directory of the archive root holding the Parquet tree. */
export const PARQUET_SUBDIR = 'parquet';

const CLOSED_PART = /^part-.+\.ndjson\.gz$/;
const OPEN_PART = /^\.part-.+\.ndjson\.gz\.tmp$/;
const DAY = /^dataset=([^/]+)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})$/;
const HOUR_DIR = /^hour=(\d{2})$/;

/** One Parquet file and the parts it covers (`hour=HH/<name>`, relative to its day). */
export interface ParquetFile {
  path: string;
  parts: string[];
  /** True for a file of the earlier one-directory-per-hour layout (partition column `hour` in its path). */
  hourLayout: boolean;
}

/** One hour directory of a day's NDJSON parts. */
export interface HourPartition {
  /** `hour=HH`. */
  name: string;
  /** Start of the hour, ms since the epoch (UTC). */
  start: number;
  /** Closed NDJSON parts (absolute paths), sorted (so in the order they were opened). */
  closedParts: string[];
  /** Names of parts still open (hidden), which nobody may read yet. */
  openParts: string[];
  /** Closed parts no Parquet file covers (absolute paths), sorted. */
  uncovered: string[];
}

/** One day of one dataset (the unit of compaction), as found on disk. */
export interface Partition {
  /** `dataset=weblogs.access/year=2015/month=05/day=17` (always `/`). */
  rel: string;
  /** `data_stream.dataset` from the path. */
  dataset: string;
  /** Start of the day, ms since the epoch (UTC). */
  start: number;
  /** Its hour directories with NDJSON parts, sorted. */
  hours: HourPartition[];
  /** Parquet files of this day (day files and hour-layout files), sorted by path. */
  parquet: ParquetFile[];
  /** Closed parts no Parquet file covers (absolute paths), in hour then name order. */
  uncovered: string[];
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Relative day paths (`dataset=…/year=…/month=…/day=DD`) found under `root`, sorted. */
async function dayDirs(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const names = await listDir(path.join(root, rel));
    const want = ['dataset=', 'year=', 'month=', 'day='][depth]!;
    for (const n of names) {
      if (!n.startsWith(want)) continue;
      const r = rel ? `${rel}/${n}` : n;
      if (depth === 3) {
        if (DAY.test(r)) out.push(r);
      } else await walk(r, depth + 1);
    }
  };
  await walk('', 0);
  return out.sort();
}

/** `hour=HH/<name>`: how a part is named in a day file's footer. */
export function partKey(partPath: string): string {
  return `${path.basename(path.dirname(partPath))}/${path.basename(partPath)}`;
}

/**
 * The footers of Parquet files: the parts each covers, from their key-value metadata, as `hour=HH/<name>`
 * (a bare name in an hour-layout file is prefixed with its directory). Files without the
 * {@link PARTS_KEY} key (not written by the compactor) cover nothing.
 */
export async function readCoverage(conn: DuckDBConnection, files: { path: string; hourLayout: boolean }[]): Promise<Map<string, ParquetFile>> {
  const out = new Map<string, ParquetFile>(files.map((f) => [f.path, { path: f.path, parts: [], hourLayout: f.hourLayout }]));
  if (files.length === 0) return out;
  const r = await conn.runAndReadAll(
    `SELECT file_name, decode(value) AS v FROM parquet_kv_metadata([${files.map((f) => sqlString(f.path)).join(', ')}]) WHERE decode(key) = ${sqlString(PARTS_KEY)}`,
  );
  for (const row of r.getRowObjectsJS() as { file_name: string; v: string }[]) {
    const f = out.get(row.file_name);
    if (!f) continue;
    const names = JSON.parse(row.v) as string[];
    f.parts = f.hourLayout ? names.map((n) => `${path.basename(path.dirname(f.path))}/${n}`) : names;
  }
  return out;
}

const isParquet = (n: string): boolean => n.endsWith('.parquet') && !n.startsWith('.');

/**
 * Every day of every dataset found in the NDJSON tree or the Parquet tree, with its hours' closed, open
 * and uncovered parts and its Parquet files (footers read through `conn`).
 */
export async function scanArchive(conn: DuckDBConnection, archiveDir: string, parquetDir = path.join(archiveDir, PARQUET_SUBDIR)): Promise<Partition[]> {
  const rels = [...new Set([...(await dayDirs(archiveDir)), ...(await dayDirs(parquetDir))])].sort();
  const partitions: Partition[] = [];
  const allParquet: { path: string; hourLayout: boolean }[] = [];
  for (const rel of rels) {
    const m = DAY.exec(rel)!;
    const start = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]));
    const hours: HourPartition[] = [];
    for (const h of (await listDir(path.join(archiveDir, rel))).filter((n) => HOUR_DIR.test(n)).sort()) {
      const names = await listDir(path.join(archiveDir, rel, h));
      hours.push({
        name: h,
        start: start + Number(HOUR_DIR.exec(h)![1]) * 3_600_000,
        closedParts: names.filter((n) => CLOSED_PART.test(n)).sort().map((n) => path.join(archiveDir, rel, h, n)),
        openParts: names.filter((n) => OPEN_PART.test(n)).sort(),
        uncovered: [],
      });
    }
    const parquet: { path: string; hourLayout: boolean }[] = [];
    for (const n of (await listDir(path.join(parquetDir, rel))).sort()) {
      if (isParquet(n)) parquet.push({ path: path.join(parquetDir, rel, n), hourLayout: false });
      else if (HOUR_DIR.test(n)) {
        for (const f of (await listDir(path.join(parquetDir, rel, n))).filter(isParquet).sort()) parquet.push({ path: path.join(parquetDir, rel, n, f), hourLayout: true });
      }
    }
    allParquet.push(...parquet);
    partitions.push({ rel, dataset: m[1]!, start, hours, parquet: parquet.map((f) => ({ ...f, parts: [] })), uncovered: [] });
  }
  const coverage = await readCoverage(conn, allParquet);
  for (const p of partitions) {
    p.parquet = p.parquet.map((f) => coverage.get(f.path)!);
    const covered = new Set(p.parquet.flatMap((f) => f.parts));
    for (const h of p.hours) {
      h.uncovered = h.closedParts.filter((f) => !covered.has(partKey(f)));
      p.uncovered.push(...h.uncovered);
    }
  }
  return partitions;
}

/** Relative paths of a day's hour-layout Parquet directories that exist (`…/day=DD/hour=HH`), for cleaning up temporaries. */
export async function hourLayoutDirs(parquetDir: string, rel: string): Promise<string[]> {
  return (await listDir(path.join(parquetDir, rel))).filter((n) => HOUR_DIR.test(n)).map((n) => path.join(parquetDir, rel, n));
}
