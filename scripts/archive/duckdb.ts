/**
 * The embedded DuckDB used by the compactor and the SQL command (`@duckdb/node-api`, the native
 * binding comes from npm as `@duckdb/node-bindings-<platform>` with the `json` and `parquet`
 * extensions built in). Configured to never fetch an extension over the network and to show times
 * in UTC.
 *
 * @module scripts/archive/duckdb
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** Options of {@link openDuckDb}. */
export interface DuckDbOptions {
  /** Worker threads (default: DuckDB's, the number of cores). */
  threads?: number;
  /** Where DuckDB may spill when a partition does not fit in memory (default: its own `.tmp`). */
  tempDirectory?: string;
  /** DuckDB memory limit such as `1GB` (default: DuckDB's, 80 % of RAM). */
  memoryLimit?: string;
}

/** An in-memory DuckDB and one connection; `close()` releases both. */
export async function openDuckDb(opts: DuckDbOptions = {}): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const config: Record<string, string> = { autoinstall_known_extensions: 'false' };
  if (opts.threads) config.threads = String(opts.threads);
  if (opts.tempDirectory) config.temp_directory = opts.tempDirectory;
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  const instance = await DuckDBInstance.create(':memory:', config);
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'"); // icu is built in, but loads only after the instance exists
  await conn.run('SET parquet_metadata_cache = true'); // footers are read once per process (coverage, then the views)
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** `'text'` with `'` doubled: a SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `['a', 'b']`: a SQL list of string literals (file lists for `read_json` / `read_parquet`). */
export function sqlList(items: string[]): string {
  return `[${items.map(sqlString).join(', ')}]`;
}

/** The Hive partition columns of the NDJSON parts (and of hour-layout Parquet files) and their types (fixed, not guessed from the paths). */
export const HIVE_TYPES = "{'dataset': VARCHAR, 'year': INTEGER, 'month': INTEGER, 'day': INTEGER, 'hour': INTEGER}";
/** The Hive partition columns of the day-layout Parquet files (`hour` is a column inside them). */
export const HIVE_TYPES_DAY = "{'dataset': VARCHAR, 'year': INTEGER, 'month': INTEGER, 'day': INTEGER}";
