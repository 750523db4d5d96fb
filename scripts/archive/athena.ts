/**
 * Athena / Glue table definitions for the Parquet tree uploaded by `npm run export:s3 -- archive`:
 * one external table per dataset, columns from the same declared schema the compactor writes with
 * (`schema.ts`) plus `hour` (a column of the day files), partition projection on dataset/year/month/day
 * so no crawler or `MSCK REPAIR TABLE` is needed (https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html).
 * Files of the earlier hour layout (`…/day=DD/hour=HH/`, no `hour` column) are not meant for these tables:
 * re-compact such an archive (remove its `parquet/` tree and run `archive:compact` again) before uploading.
 * The tables declare the schema's types, which is what the compactor writes by default; the compact
 * storage form (`--compact-storage`, storage.ts) stores some DOUBLE columns as DECIMAL, elides derived
 * fields as NULL and uses Parquet format v2, which these tables do not undo (only the DuckDB views do):
 * do not use it for an archive meant for Athena.
 *
 * Athena's name rules (https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html):
 * names starting with `_` are backquoted in DDL; special characters other than `_` "are not supported"
 * and may fail later even when backquoted — that concerns `@timestamp`, kept under its ECS name in the
 * Parquet files for every other reader. Not run against AWS here (no account on the build machines).
 *
 * @module scripts/archive/athena
 */
import { athenaType, type ArchiveDataset } from './schema.js';

/**
 * `CREATE EXTERNAL TABLE` for one dataset over `<location>/dataset=<ds>/year=…/month=…/day=…/`.
 * @param location the S3 URI of the Parquet root, e.g. `s3://bucket/archive/parquet` (no trailing `/`).
 * @param years the `year` values partition projection enumerates (an integer range; queries should
 *   filter on year/month/day so Athena reads only the partitions asked for; `hour` narrows by row-group statistics).
 */
export function athenaTableDdl(a: ArchiveDataset, location: string, years: [number, number] = [2015, 2035]): string {
  const root = location.replace(/\/+$/, '');
  const cols = [['_id', 'string'], ['_index', 'string'], ...a.columns.map(([n, t]) => [n, athenaType(t)]), ['hour', 'int']].map(([n, t]) => `  \`${n}\` ${t}`);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${a.view}\` (`,
    cols.join(',\n'),
    ')',
    'PARTITIONED BY (`dataset` string, `year` int, `month` int, `day` int)',
    'STORED AS PARQUET',
    `LOCATION '${root}/dataset=${a.dataset}/'`,
    'TBLPROPERTIES (',
    "  'projection.enabled' = 'true',",
    `  'projection.dataset.type' = 'enum', 'projection.dataset.values' = '${a.dataset}',`,
    `  'projection.year.type' = 'integer', 'projection.year.range' = '${years[0]},${years[1]}',`,
    "  'projection.month.type' = 'integer', 'projection.month.range' = '1,12', 'projection.month.digits' = '2',",
    "  'projection.day.type' = 'integer', 'projection.day.range' = '1,31', 'projection.day.digits' = '2',",
    `  'storage.location.template' = '${root}/dataset=\${dataset}/year=\${year}/month=\${month}/day=\${day}/'`,
    ');',
  ].join('\n');
}
