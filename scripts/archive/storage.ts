/**
 * How the declared columns (`schema.ts`) are stored in the Parquet files of the compact form
 * (`--compact-storage`; the default, plain form stores them as declared), where that differs from the
 * declared type, and how the SQL views read them back. Lossless: every value comes back as it was
 * (checked by test/integration/archive-storage.test.ts), with its declared type.
 *
 * Two encodings, both measured on the sparse sample (docs/archive.md, 2026-12-07 afternoon):
 *
 *  - **Derived fields** ({@link DERIVED_FIELDS}): a string field that usually equals another field of the
 *    same document (a headline's `message` is its `news.headline`, `source.address` is `source.ip`, a
 *    `url.original` without a query is its `url.path`) is stored as NULL when it equals it. A field that
 *    is NULL while its source is not is flagged in the INTEGER column {@link MARKER} (bit `i` for the
 *    dataset's `i`-th derived field; 0 when nothing is flagged). The views restore
 *    `CASE WHEN marker IS NULL THEN f WHEN bit THEN NULL ELSE COALESCE(f, source) END`, so files of
 *    earlier versions (no marker column: values as written) and NDJSON parts read unchanged.
 *  - **Decimal-exact DOUBLEs** ({@link DECIMAL_FIELDS}): a DOUBLE field whose every value in a file equals
 *    `CAST(CAST(x AS DECIMAL(18,s)) AS DOUBLE)` for a scale `s` of {@link SCALES} (0–8) is stored as
 *    DECIMAL(18,s) with the least such `s` (prices at 0.01 as INT64 cents), otherwise as DOUBLE. A
 *    DECIMAL holds the number exactly and its cast to DOUBLE is the nearest double, which the check
 *    proved to be `x`. Files of one dataset may thus differ in a column's type; the views read them
 *    with `union_by_name` (which widens DECIMAL(18,2) and DECIMAL(18,8) to DECIMAL(24,8), exact while
 *    |x|·10^8 < 2^53, hence the bound {@link DECIMAL_BOUND}) and cast each column to its declared type.
 *    -0.0, NaN and infinities keep the file at DOUBLE.
 *
 * Readers other than the views (Athena tables of athena.ts, a plain `read_parquet` without
 * `union_by_name`) see the stored form: NULLs where a field was elided, DECIMAL columns.
 *
 * @module scripts/archive/storage
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, type ArchiveDataset, type ColumnType } from './schema.js';

/** The column of the flags of derived fields that were NULL while their source was not (INTEGER bit set). */
export const MARKER = '_rtas_null_derived';

/** `field` (dotted path) is stored as NULL when it equals `source` (dotted path) in the same document. */
export const DERIVED_FIELDS: readonly { field: string; source: string }[] = [
  { field: 'message', source: 'news.headline' },
  { field: 'source.address', source: 'source.ip' },
  { field: 'client.address', source: 'client.ip' },
  { field: 'url.original', source: 'url.path' },
];

/** DOUBLE fields (dotted paths) stored as DECIMAL in a file when all their values there are decimal-exact. */
export const DECIMAL_FIELDS: ReadonlySet<string> = new Set([
  'market.open', 'market.high', 'market.low', 'market.close', 'market.vwap', 'market.sma_20', 'market.ema_20',
  'market.return.simple', 'market.return.log',
  // the sentiment's figures, written rounded to 4 decimals (processor/datasets/news)
  'news.sentiment.score', 'news.sentiment.comparative',
  'news.sentiment.probabilities.negative', 'news.sentiment.probabilities.neutral', 'news.sentiment.probabilities.positive',
]);

/** The scales tried for {@link DECIMAL_FIELDS}, least first. */
export const SCALES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
/** Largest scale tried. */
export const MAX_SCALE = SCALES[SCALES.length - 1]!;
/** |x| must stay below this for DECIMAL storage: |x|·10^{@link MAX_SCALE} < 2^53, so a widened DECIMAL converts to DOUBLE exactly. */
export const DECIMAL_BOUND = 90_071_992;

/** The leaf type at a dotted path of a dataset, or undefined. */
function leafAt(a: ArchiveDataset, dotted: string): ColumnType | undefined {
  let fields = a.columns;
  let t: ColumnType | undefined;
  for (const name of dotted.split('.')) {
    t = fields.find(([n]) => n === name)?.[1];
    if (!t) return undefined;
    if (t.kind === 'struct') fields = t.fields;
  }
  return t;
}

/** `"a"."b"."c"`: a column path in SQL. */
const colPath = (dotted: string): string => dotted.split('.').map(ident).join('.');

/** The derived fields of a dataset (both paths VARCHAR leaves, not arrays), in bit order. */
export function derivedFields(a: ArchiveDataset): { field: string; source: string }[] {
  const isString = (t: ColumnType | undefined): boolean => t?.kind === 'scalar' && t.sql === 'VARCHAR' && !t.array;
  return DERIVED_FIELDS.filter((d) => isString(leafAt(a, d.field)) && isString(leafAt(a, d.source)));
}

/** The decimal candidates of a dataset (DOUBLE leaves, not arrays, outside arrays of structs). */
export function decimalFields(a: ArchiveDataset): string[] {
  return [...DECIMAL_FIELDS].filter((p) => {
    const t = leafAt(a, p);
    return t?.kind === 'scalar' && t.sql === 'DOUBLE' && !t.array && !p.split('.').slice(0, -1).some((_, i, parts) => leafAt(a, parts.slice(0, i + 1).join('.'))?.array);
  });
}

/**
 * `SELECT * REPLACE (…)` expressions that rebuild the top-level columns holding one of `leaves` (dotted
 * path → SQL expression of the new leaf value), a NULL struct staying NULL at every level.
 */
function replaceLeaves(a: ArchiveDataset, leaves: Map<string, string>): string[] {
  const build = (prefix: string, t: ColumnType): string => {
    if (leaves.has(prefix)) return leaves.get(prefix)!;
    if (t.kind !== 'struct') return colPath(prefix);
    const changed = t.fields.filter(([n]) => [...leaves.keys()].some((k) => k === `${prefix}.${n}` || k.startsWith(`${prefix}.${n}.`)));
    const updates = changed.map(([n, f]) => `${ident(n)} := ${build(`${prefix}.${n}`, f)}`).join(', ');
    return `CASE WHEN ${colPath(prefix)} IS NULL THEN NULL ELSE struct_update(${colPath(prefix)}, ${updates}) END`;
  };
  return a.columns
    .filter(([n]) => [...leaves.keys()].some((k) => k === n || k.startsWith(`${n}.`)))
    .map(([n, t]) => `${build(n, t)} AS ${ident(n)}`);
}

/** What a file stores: the scale of each decimal field stored as DECIMAL (absent: DOUBLE). */
export interface StoragePlan {
  scales: Map<string, number>;
}

/**
 * Decides the {@link StoragePlan} of the rows of `rowsSql` (a SELECT with the declared `_source` columns
 * at top level): one aggregate query over them when the dataset has decimal fields, none otherwise.
 * @throws DuckDB's error when the rows cannot be read.
 */
export async function planStorage(conn: DuckDBConnection, a: ArchiveDataset, rowsSql: string): Promise<StoragePlan> {
  const fields = decimalFields(a);
  const scales = new Map<string, number>();
  if (fields.length === 0) return { scales };
  // per field and row, a bit per scale at which the value comes back as the same double (in range and not
  // -0.0, which would come back as 0.0; NaN never does), and'ed over the rows: the scales every value allows
  const aggs = fields.map((f) => {
    const x = colPath(f);
    const bits = SCALES.map((s, b) => `(CASE WHEN CAST(TRY_CAST(${x} AS DECIMAL(18,${s})) AS DOUBLE) = ${x} THEN ${1 << b} ELSE 0 END)`).join(' | ');
    return `bit_and(CASE WHEN ${x} IS NULL THEN NULL WHEN coalesce(abs(${x}) < ${DECIMAL_BOUND} AND NOT (${x} = 0 AND signbit(${x})), false) THEN ${bits} ELSE 0 END)`;
  });
  const row = (await conn.runAndReadAll(`SELECT ${aggs.join(', ')} FROM (${rowsSql})`)).getRowsJS()[0]!;
  fields.forEach((f, i) => {
    // NULL: no value in these rows, nothing to store; keep DOUBLE
    const allowed = row[i] === null ? 0 : Number(row[i]);
    const b = SCALES.findIndex((_, i) => (allowed & (1 << i)) !== 0);
    if (b >= 0) scales.set(f, SCALES[b]!);
  });
  return { scales };
}

/**
 * The SELECT that turns declared rows (`rowsSql`: `_id`, `_index`, the `_source` columns, `hour`) into
 * stored rows: derived fields elided with {@link MARKER} appended (when the dataset has any), decimal
 * fields cast per `plan`.
 */
export function storedSelect(a: ArchiveDataset, plan: StoragePlan, rowsSql: string): string {
  const leaves = new Map<string, string>();
  const derived = derivedFields(a);
  for (const d of derived) leaves.set(d.field, `CASE WHEN ${colPath(d.field)} = ${colPath(d.source)} THEN NULL ELSE ${colPath(d.field)} END`);
  for (const [f, s] of plan.scales) leaves.set(f, `CAST(${colPath(f)} AS DECIMAL(18,${s}))`);
  const replace = replaceLeaves(a, leaves);
  const marker = derived.length
    ? `, (${derived.map((d, i) => `(CASE WHEN ${colPath(d.field)} IS NULL AND ${colPath(d.source)} IS NOT NULL THEN ${1 << i} ELSE 0 END)`).join(' + ')})::INTEGER AS ${ident(MARKER)}`
    : '';
  return `SELECT *${replace.length ? ` REPLACE (${replace.join(', ')})` : ''}${marker} FROM (${rowsSql})`;
}

/**
 * `SELECT * EXCLUDE/REPLACE` clauses that read stored rows back as declared rows: derived fields
 * restored (see the module comment), every column holding a decimal field cast to its declared type,
 * {@link MARKER} dropped. The rows read must have a {@link MARKER} column (NULL for rows not from a
 * file that elides: NDJSON parts, files of earlier versions).
 */
export function restoreClauses(a: ArchiveDataset, duckdbType: (t: ColumnType) => string): { exclude: string[]; replace: string[] } {
  const leaves = new Map<string, string>();
  const m = ident(MARKER);
  derivedFields(a).forEach((d, i) => {
    const f = colPath(d.field);
    leaves.set(d.field, `CASE WHEN ${m} IS NULL THEN ${f} WHEN (${m} & ${1 << i}) <> 0 THEN NULL ELSE coalesce(${f}, ${colPath(d.source)}) END`);
  });
  const replace = replaceLeaves(a, leaves);
  const restored = new Set(replace.map((r) => r.slice(r.lastIndexOf(' AS ') + 4)));
  const decimalTops = new Set(decimalFields(a).map((p) => p.split('.')[0]!));
  // a column with decimal fields: cast to its declared type (after the restore, if it has both)
  const out = replace.map((r) => {
    const name = r.slice(r.lastIndexOf(' AS ') + 4);
    const col = a.columns.find(([n]) => ident(n) === name)!;
    return decimalTops.has(col[0]) ? `CAST(${r.slice(0, r.lastIndexOf(' AS '))} AS ${duckdbType(col[1])}) AS ${name}` : r;
  });
  for (const top of decimalTops) {
    const col = a.columns.find(([n]) => n === top)!;
    if (!restored.has(ident(top))) out.push(`CAST(${ident(top)} AS ${duckdbType(col[1])}) AS ${ident(top)}`);
  }
  return { exclude: [m], replace: out };
}
