/**
 * SQL over the batch-layer archive with DuckDB: one view per dataset, named after its short name
 * (`weblogs`, `news`, `ticks`), with the `_source` fields as typed (struct) columns — so
 * `http.response.status_code` is a column path — plus `_id`, `_index` and the partition columns
 * `dataset`, `year`, `month`, `day` (from the paths, so filters on them skip whole files) and `hour`
 * (a column of the day files, whose row-group statistics let a filter on it skip row groups; from the
 * path for NDJSON parts and hour-layout Parquet files).
 *
 * A view reads the dataset's Parquet files (`union_by_name`, so files written before a template gained
 * a field still read) and the closed NDJSON parts no Parquet file covers yet, with the same declared
 * types. No document is counted twice: the NDJSON rows are reduced to one per (`_index`, `_id`) and
 * rows already in a Parquet file of the same day are left out; Parquet files hold each document
 * once (the compactor drops repeats). Open (hidden) parts are not read: their documents appear once
 * the part closes (by default within 5 minutes; they are in Elasticsearch already).
 *
 * @module scripts/archive/sql
 */
import path from 'node:path';
import { DuckDBTypeId, type DuckDBConnection, type DuckDBListType, type DuckDBMapType, type DuckDBStructType, type DuckDBType } from '@duckdb/node-api';
import { HIVE_TYPES, HIVE_TYPES_DAY, openDuckDb, sqlList, sqlString } from './duckdb.js';
import { PARQUET_SUBDIR, scanArchive } from './layout.js';
import { archiveDatasets, archiveLineColumns, duckdbType, ident, type ArchiveDataset } from './schema.js';
import { MARKER, restoreClauses } from './storage.js';

/** What a view reads, for `--explain`-style reporting and tests. */
export interface ViewSources {
  view: string;
  dataset: string;
  parquetFiles: number;
  ndjsonParts: number;
}

const PARTITION_COLUMNS = 'dataset, year, month, day, hour';

/**
 * The SELECT of a dataset's view (see the module comment): `dayFiles` (a list, or a glob when nothing
 * else is read), `hourFiles` (hour layout), the uncovered `ndjson` parts and the Parquet files of their days.
 */
function viewSql(a: ArchiveDataset, dayFiles: string[] | string, hourFiles: string[], ndjson: string[], parquetOfNdjsonDays: string[]): string {
  const selects: string[] = [];
  const files = (f: string[] | string): string => (typeof f === 'string' ? sqlString(f) : sqlList(f));
  if (dayFiles.length) selects.push(`SELECT * FROM read_parquet(${files(dayFiles)}, hive_partitioning=true, hive_types=${HIVE_TYPES_DAY}, union_by_name=true)`);
  if (hourFiles.length) selects.push(`SELECT * FROM read_parquet(${sqlList(hourFiles)}, hive_partitioning=true, hive_types=${HIVE_TYPES}, union_by_name=true)`);
  if (ndjson.length) {
    const antiJoin = parquetOfNdjsonDays.length
      ? `WHERE NOT EXISTS (SELECT 1 FROM read_parquet(${sqlList(parquetOfNdjsonDays)}, union_by_name=true) AS p WHERE p._index = n._index AND p._id = n._id)`
      : '';
    selects.push(
      `SELECT _id, _index, _source.*, ${PARTITION_COLUMNS} FROM (SELECT * FROM read_json(${sqlList(ndjson)}, format='newline_delimited', compression='gzip', ` +
        `hive_partitioning=true, hive_types=${HIVE_TYPES}, columns=${archiveLineColumns(a)}) QUALIFY row_number() OVER (PARTITION BY _index, _id ORDER BY _id) = 1) AS n ${antiJoin}`,
    );
  }
  if (selects.length === 0) {
    // No data yet: an empty view with the declared columns, so queries still bind.
    const cols = a.columns.map(([n, t]) => `NULL::${duckdbType(t)} AS ${ident(n)}`).join(', ');
    return `SELECT NULL::VARCHAR AS _id, NULL::VARCHAR AS _index, ${cols}, NULL::VARCHAR AS dataset, NULL::INTEGER AS year, NULL::INTEGER AS month, NULL::INTEGER AS day, NULL::INTEGER AS hour WHERE false`;
  }
  // Stored columns back to their declared form (storage.ts). The empty branch gives the union the marker
  // column when no file has it (NDJSON parts, files of earlier versions: NULL, so values are read as written).
  selects.push(`SELECT NULL::INTEGER AS ${ident(MARKER)} WHERE false`);
  const { exclude, replace } = restoreClauses(a, duckdbType);
  // the partition columns last, in path order, whichever files the rows come from
  return `SELECT * EXCLUDE (${PARTITION_COLUMNS}, ${exclude.join(', ')})${replace.length ? ` REPLACE (${replace.join(', ')})` : ''}, ${PARTITION_COLUMNS} ` +
    `FROM (${selects.join('\nUNION ALL BY NAME\n')})`;
}

/**
 * Creates the views `weblogs`, `news`, `ticks` (every registered dataset) over the archive in `conn`.
 * Resolves with what each view reads.
 */
export async function createArchiveViews(conn: DuckDBConnection, archiveDir: string, parquetDir = path.join(archiveDir, PARQUET_SUBDIR)): Promise<ViewSources[]> {
  const partitions = await scanArchive(conn, archiveDir, parquetDir);
  const out: ViewSources[] = [];
  for (const a of archiveDatasets().values()) {
    const mine = partitions.filter((p) => p.dataset === a.dataset);
    const dayFiles = mine.flatMap((p) => p.parquet.filter((f) => !f.hourLayout).map((f) => f.path));
    const hourFiles = mine.flatMap((p) => p.parquet.filter((f) => f.hourLayout).map((f) => f.path));
    const ndjson = mine.flatMap((p) => p.uncovered);
    const overlap = mine.filter((p) => p.uncovered.length > 0).flatMap((p) => p.parquet.map((f) => f.path));
    // Everything compacted into day files: a glob keeps the view's text short however many days there
    // are. (It may also see a file a concurrent compaction renamed since the scan, which is fine: there
    // is no NDJSON side that file could double. With NDJSON parts in the view, the scanned list is used.)
    const glob = path.join(parquetDir, `dataset=${a.dataset}`, 'year=*', 'month=*', 'day=*', '*.parquet');
    const useGlob = ndjson.length === 0 && hourFiles.length === 0 && dayFiles.length > 0;
    await conn.run(`CREATE OR REPLACE VIEW ${ident(a.view)} AS ${viewSql(a, useGlob ? glob : dayFiles, hourFiles, ndjson, overlap)}`);
    out.push({ view: a.view, dataset: a.dataset, parquetFiles: dayFiles.length + hourFiles.length, ndjsonParts: ndjson.length });
  }
  return out;
}

/** Column names and rows (plain JS values) of a query result. */
export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/**
 * Runs `sql` (one or more statements; the last one's result is returned) over the archive's views.
 * @throws DuckDB's error (parser, binder, catalog …) for bad SQL.
 */
export async function queryArchive(archiveDir: string, sql: string, opts: { parquetDir?: string; threads?: number } = {}): Promise<QueryResult & { sources: ViewSources[] }> {
  const db = await openDuckDb(opts.threads ? { threads: opts.threads } : {});
  try {
    const sources = await createArchiveViews(db.conn, archiveDir, opts.parquetDir);
    const reader = await db.conn.runAndReadAll(sql);
    const columns = reader.deduplicatedColumnNames();
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    // DATE comes back as a JS Date at midnight UTC: show it as the date it is
    const dates = columns.filter((_, i) => reader.columnTypes()[i]!.typeId === DuckDBTypeId.DATE);
    for (const row of rows) for (const c of dates) if (row[c] instanceof Date) row[c] = (row[c] as Date).toISOString().slice(0, 10);
    // MAP (labels, weblogs.variables) comes back as [{key, value}]: give it back the object it was
    const withMaps = columns.map((c, i) => [c, reader.columnTypes()[i]!] as const).filter(([, t]) => hasMap(t));
    for (const row of rows) for (const [c, t] of withMaps) row[c] = mapsAsObjects(row[c], t);
    return { columns, rows, sources };
  } finally {
    db.close();
  }
}

function hasMap(t: DuckDBType): boolean {
  if (t.typeId === DuckDBTypeId.MAP) return true;
  if (t.typeId === DuckDBTypeId.STRUCT) return (t as DuckDBStructType).entryTypes.some(hasMap);
  if (t.typeId === DuckDBTypeId.LIST) return hasMap((t as DuckDBListType).valueType);
  return false;
}

/** `v` (a value of type `t` from `getRowObjectsJS`) with every MAP, at any depth, as a plain object. */
function mapsAsObjects(v: unknown, t: DuckDBType): unknown {
  if (v === null || v === undefined) return v;
  if (t.typeId === DuckDBTypeId.MAP) {
    const m = t as DuckDBMapType;
    return Object.fromEntries((v as { key: unknown; value: unknown }[]).map((e) => [String(e.key), mapsAsObjects(e.value, m.valueType)]));
  }
  if (t.typeId === DuckDBTypeId.STRUCT) {
    const st = t as DuckDBStructType;
    const o = v as Record<string, unknown>;
    st.entryNames.forEach((n, i) => {
      if (n in o) o[n] = mapsAsObjects(o[n], st.entryTypes[i]!);
    });
    return o;
  }
  if (t.typeId === DuckDBTypeId.LIST) return (v as unknown[]).map((x) => mapsAsObjects(x, (t as DuckDBListType).valueType));
  return v;
}

/**
 * A value as JSON can carry it: bigint → number when safe (else string), Date → ISO 8601,
 * arrays and objects (lists, structs) recursively.
 */
export function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)]));
  return v;
}
