/**
 * The columnar schema of the archive: DuckDB (and so Parquet) column types derived from each dataset's
 * Elasticsearch index template, never inferred from the data.
 *
 * Why declared, not inferred: the templates are `dynamic: strict`, so they list every field a stored
 * document can have, and the archive holds only documents Elasticsearch accepted. Inference per file
 * drifts with the data — an hour whose ticks all lack `market.return` (first tick of each symbol) gets
 * no such column, a sentiment score that happens to be integral in one hour becomes BIGINT there and
 * DOUBLE elsewhere — and readers would then have to reconcile the files. With one declared type per
 * field, every Parquet file of a dataset has the same schema (modulo template changes over time, which
 * the SQL views absorb with `union_by_name`).
 *
 * Mapping (Elasticsearch field type → DuckDB type, which DuckDB writes as the Parquet logical type):
 * `date` → TIMESTAMPTZ (Parquet TIMESTAMP(MICROS, isAdjustedToUTC)); `long` → BIGINT; `integer` →
 * INTEGER; `short`/`byte` → SMALLINT/TINYINT; `double`/`float`/`half_float`/`scaled_float` → DOUBLE (the
 * `_source` number as written, not the 32-bit value Elasticsearch indexes); `boolean` → BOOLEAN;
 * `keyword`/`text`/`ip`/`wildcard` → VARCHAR; `geo_point` → STRUCT(lat DOUBLE, lon DOUBLE) (the
 * `{lat,lon}` object form the enrichment writes); `object`/`properties` → STRUCT of its fields; an
 * object without `properties` (the dynamic `labels`, the unindexed `weblogs.variables`: user-chosen keys,
 * string values) → MAP(VARCHAR, VARCHAR) (Athena `map<string,string>`).
 * Elasticsearch mappings do not say whether a field holds an array, so the array-valued fields are
 * declared in {@link ARRAY_FIELDS} (ECS defines `tags`, `event.category` and `event.type` as arrays).
 *
 * @module scripts/archive/schema
 */
import { datasets } from '../../processor/datasets/registry.js';
import type { Dataset } from '../../processor/datasets/types.js';

/**
 * Fields whose values are arrays, by dotted path. `tags`, `event.category`, `event.type`: ECS field
 * reference ("array" level); `news.tickers`, `news.sentiment.matched`: written as arrays by the news
 * enrichment. A unit test checks every array in the golden documents is declared here and vice versa.
 */
export const ARRAY_FIELDS: ReadonlySet<string> = new Set([
  'tags',
  'event.category',
  'event.type',
  'news.tickers',
  'news.sentiment.matched',
  // configured weblogs formats (processor/datasets/weblogs/formats/variables.ts): lists as logged
  'weblogs.forwarded_for',
  'weblogs.upstream.address',
  'weblogs.upstream.status_code',
]);

/** A leaf or struct of the declared schema. */
export type ColumnType =
  | { kind: 'scalar'; sql: string; athena: string; array: boolean }
  | { kind: 'struct'; fields: [string, ColumnType][]; array: boolean };

/** One dataset's columnar view: the view name used in SQL, the archive's `dataset=` value, the `_source` columns. */
export interface ArchiveDataset {
  /** View name in SQL (`weblogs`, `news`, `ticks`): the dataset's short name. */
  view: string;
  /** `data_stream.dataset`, the value of `dataset=` in the archive paths (`weblogs.access`). */
  dataset: string;
  /** Top-level `_source` fields in template order, each with its type. */
  columns: [string, ColumnType][];
}

const SCALARS: Record<string, { sql: string; athena: string }> = {
  date: { sql: 'TIMESTAMPTZ', athena: 'timestamp' },
  date_nanos: { sql: 'TIMESTAMPTZ', athena: 'timestamp' },
  long: { sql: 'BIGINT', athena: 'bigint' },
  unsigned_long: { sql: 'UBIGINT', athena: 'decimal(20,0)' },
  integer: { sql: 'INTEGER', athena: 'int' },
  short: { sql: 'SMALLINT', athena: 'smallint' },
  byte: { sql: 'TINYINT', athena: 'tinyint' },
  double: { sql: 'DOUBLE', athena: 'double' },
  float: { sql: 'DOUBLE', athena: 'double' },
  half_float: { sql: 'DOUBLE', athena: 'double' },
  scaled_float: { sql: 'DOUBLE', athena: 'double' },
  boolean: { sql: 'BOOLEAN', athena: 'boolean' },
  keyword: { sql: 'VARCHAR', athena: 'string' },
  constant_keyword: { sql: 'VARCHAR', athena: 'string' },
  wildcard: { sql: 'VARCHAR', athena: 'string' },
  text: { sql: 'VARCHAR', athena: 'string' },
  match_only_text: { sql: 'VARCHAR', athena: 'string' },
  ip: { sql: 'VARCHAR', athena: 'string' },
};

/**
 * The column types of a mapping's `properties`, recursively.
 * @throws on a field type this mapping does not know (add it to the table above).
 */
export function columnsOfProperties(properties: Record<string, unknown>, prefix = ''): [string, ColumnType][] {
  const out: [string, ColumnType][] = [];
  for (const [name, raw] of Object.entries(properties)) {
    const def = raw as { type?: string; properties?: Record<string, unknown> };
    const dotted = prefix ? `${prefix}.${name}` : name;
    const array = ARRAY_FIELDS.has(dotted);
    if (def.properties && (def.type === undefined || def.type === 'object')) {
      out.push([name, { kind: 'struct', fields: columnsOfProperties(def.properties, dotted), array }]);
    } else if (def.type === 'object') {
      out.push([name, { kind: 'scalar', sql: 'MAP(VARCHAR, VARCHAR)', athena: 'map<string,string>', array }]);
    } else if (def.type === 'geo_point') {
      const d = { kind: 'scalar', sql: 'DOUBLE', athena: 'double', array: false } as const;
      out.push([name, { kind: 'struct', fields: [['lat', d], ['lon', d]], array }]);
    } else {
      const s = def.type ? SCALARS[def.type] : undefined;
      if (!s) throw new Error(`field ${dotted}: no columnar type for Elasticsearch type "${String(def.type)}"`);
      out.push([name, { kind: 'scalar', ...s, array }]);
    }
  }
  return out;
}

/** `"name"` with `"` doubled: a DuckDB identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The DuckDB type of a column, e.g. `STRUCT("status_code" BIGINT, …)` or `VARCHAR[]`. */
export function duckdbType(t: ColumnType): string {
  const base = t.kind === 'scalar' ? t.sql : `STRUCT(${t.fields.map(([n, f]) => `${ident(n)} ${duckdbType(f)}`).join(', ')})`;
  return t.array ? `${base}[]` : base;
}

/** The Athena (Hive DDL) type of a column, e.g. `struct<status_code:bigint,…>` or `array<string>`. */
export function athenaType(t: ColumnType): string {
  const base = t.kind === 'scalar' ? t.athena : `struct<${t.fields.map(([n, f]) => `${n}:${athenaType(f)}`).join(',')}>`;
  return t.array ? `array<${base}>` : base;
}

/** The declared schema of one dataset, from its index template. */
export function archiveDataset(ds: Dataset<unknown>): ArchiveDataset {
  const mappings = ds.indexTemplate().body.template.mappings as { properties: Record<string, unknown> };
  return { view: ds.name, dataset: ds.dataStream.dataset, columns: columnsOfProperties(mappings.properties) };
}

/** Every registered dataset's schema, keyed by `data_stream.dataset` (the archive's `dataset=` value). */
export function archiveDatasets(): Map<string, ArchiveDataset> {
  return new Map([...datasets.values()].map((ds) => {
    const a = archiveDataset(ds);
    return [a.dataset, a];
  }));
}

/**
 * The `columns` argument of DuckDB's `read_json` for the archive lines of a dataset:
 * `{'_id': 'VARCHAR', '_index': 'VARCHAR', '_source': 'STRUCT(…)'}`.
 */
export function archiveLineColumns(a: ArchiveDataset): string {
  const source = `STRUCT(${a.columns.map(([n, t]) => `${ident(n)} ${duckdbType(t)}`).join(', ')})`;
  return `{'_id': 'VARCHAR', '_index': 'VARCHAR', '_source': '${source.replace(/'/g, "''")}'}`;
}
