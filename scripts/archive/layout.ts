/**
 * Where the archive's files are and which NDJSON parts each Parquet file covers.
 *
 * NDJSON parts (written by `processor/sinks/archive-sink.ts`):
 *   `<archive>/dataset=<ds>/year=YYYY/month=MM/day=DD/hour=HH/part-<start>-<seq>.ndjson.gz` (closed),
 *   `.part-<start>-<seq>.ndjson.gz.tmp` (open: never read here).
 * Parquet files (written by `scripts/archive/compact.ts`), same partition path under `<archive>/parquet`:
 *   `<archive>/parquet/dataset=<ds>/year=YYYY/month=MM/day=DD/hour=HH/compacted-<hash>.parquet`,
 *   each holding in its footer (key-value metadata {@link PARTS_KEY}) the names of the NDJSON parts of
 *   that partition it was made from. The footer is written with the file and the file appears under its
 *   final name by one rename, so "which parts are compacted" can never disagree with what is readable.
 *
 * @module scripts/archive/layout
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from './duckdb.js';

/** Footer key: JSON array of the NDJSON part file names (basenames) the Parquet file covers. */
export const PARTS_KEY = 'rtas.source_parts';
/** Footer key: archive lines read from those parts (rows + repeats dropped). */
export const LINES_KEY = 'rtas.source_lines';
/** Footer key: rows in the file. */
export const ROWS_KEY = 'rtas.rows';

/** Sub-directory of the archive root holding the Parquet tree. */
export const PARQUET_SUBDIR = 'parquet';

const CLOSED_PART = /^part-.+\.ndjson\.gz$/;
const OPEN_PART = /^\.part-.+\.ndjson\.gz\.tmp$/;
const PARTITION = /^dataset=([^/]+)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})$/;

/** One Parquet file of a partition and the parts it covers. */
export interface ParquetFile {
  path: string;
  parts: string[];
  rows: number;
}

/** One hour partition of one dataset, as found on disk. */
export interface Partition {
  /** `dataset=weblogs.access/year=2015/month=05/day=17/hour=10` (always `/`). */
  rel: string;
  /** `data_stream.dataset` from the path. */
  dataset: string;
  /** Start of the hour, ms since the epoch (UTC). */
  start: number;
  /** Closed NDJSON parts (absolute paths), sorted. */
  closedParts: string[];
  /** Names of parts still open (hidden), which nobody may read yet. */
  openParts: string[];
  /** Parquet files of this partition, sorted by path. */
  parquet: ParquetFile[];
  /** Closed parts no Parquet file covers (absolute paths), sorted. */
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

/** Relative partition paths (`dataset=…/…/hour=HH`) found under `root`, sorted. */
async function partitionDirs(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const names = await listDir(path.join(root, rel));
    const want = ['dataset=', 'year=', 'month=', 'day=', 'hour='][depth]!;
    for (const n of names) {
      if (!n.startsWith(want)) continue;
      const r = rel ? `${rel}/${n}` : n;
      if (depth === 4) {
        if (PARTITION.test(r)) out.push(r);
      } else await walk(r, depth + 1);
    }
  };
  await walk('', 0);
  return out.sort();
}

/**
 * The footers of Parquet files: covered parts and row counts, from their key-value metadata.
 * Files without the {@link PARTS_KEY} key (not written by the compactor) cover nothing.
 */
export async function readCoverage(conn: DuckDBConnection, files: string[]): Promise<Map<string, ParquetFile>> {
  const out = new Map<string, ParquetFile>(files.map((f) => [f, { path: f, parts: [], rows: 0 }]));
  if (files.length === 0) return out;
  const r = await conn.runAndReadAll(
    `SELECT file_name, decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata([${files.map(sqlString).join(', ')}]) WHERE decode(key) IN (${sqlString(PARTS_KEY)}, ${sqlString(ROWS_KEY)})`,
  );
  for (const row of r.getRowObjectsJS() as { file_name: string; k: string; v: string }[]) {
    const f = out.get(row.file_name);
    if (!f) continue;
    if (row.k === PARTS_KEY) f.parts = JSON.parse(row.v) as string[];
    else f.rows = Number(row.v);
  }
  return out;
}

/**
 * Every hour partition found in the NDJSON tree or the Parquet tree, with its closed, open and
 * uncovered parts and its Parquet files (footers read through `conn`).
 */
export async function scanArchive(conn: DuckDBConnection, archiveDir: string, parquetDir = path.join(archiveDir, PARQUET_SUBDIR)): Promise<Partition[]> {
  const rels = [...new Set([...(await partitionDirs(archiveDir)), ...(await partitionDirs(parquetDir))])].sort();
  const partitions: Partition[] = [];
  const allParquet: string[] = [];
  for (const rel of rels) {
    const m = PARTITION.exec(rel)!;
    const ndjsonNames = await listDir(path.join(archiveDir, rel));
    const parquetNames = await listDir(path.join(parquetDir, rel));
    const parquet = parquetNames.filter((n) => n.endsWith('.parquet') && !n.startsWith('.')).sort().map((n) => path.join(parquetDir, rel, n));
    allParquet.push(...parquet);
    partitions.push({
      rel,
      dataset: m[1]!,
      start: Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5])),
      closedParts: ndjsonNames.filter((n) => CLOSED_PART.test(n)).sort().map((n) => path.join(archiveDir, rel, n)),
      openParts: ndjsonNames.filter((n) => OPEN_PART.test(n)).sort(),
      parquet: parquet.map((p) => ({ path: p, parts: [], rows: 0 })),
      uncovered: [],
    });
  }
  const coverage = await readCoverage(conn, allParquet);
  for (const p of partitions) {
    p.parquet = p.parquet.map((f) => coverage.get(f.path)!);
    const covered = new Set(p.parquet.flatMap((f) => f.parts));
    p.uncovered = p.closedParts.filter((f) => !covered.has(path.basename(f)));
  }
  return partitions;
}
