/**
 * `npm run sql -- --archive-dir DIR "SELECT …"`: SQL over the batch-layer archive (Parquet plus the
 * NDJSON parts not compacted yet) with the views `weblogs`, `news`, `ticks`; see scripts/archive/sql.ts.
 * A table when stdout is a terminal, JSON lines otherwise or with `--json`.
 *
 * Exit codes: 0 done, 1 SQL or read error, 2 invalid usage.
 *
 * @module scripts/archive/sql-cli
 */
import { readFile, stat } from 'node:fs/promises';
import Table from 'cli-table3';
import { Command } from 'commander';
import { parseCommandLine } from '../../generators/common/command-line.js';
import { athenaTableDdl } from './athena.js';
import { archiveDatasets } from './schema.js';
import { jsonValue, queryArchive, type QueryResult } from './sql.js';

const MAX_CELL = 80;

function cell(v: unknown): string {
  const j = jsonValue(v);
  const s = j === null || j === undefined ? '' : typeof j === 'object' ? JSON.stringify(j) : String(j);
  return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s;
}

/** The result as a box table, numbers right-aligned, long cells cut at 80 characters. */
export function renderTable(r: QueryResult): string {
  const numeric = r.columns.map((c) => r.rows.length > 0 && r.rows.every((row) => row[c] === null || typeof row[c] === 'number' || typeof row[c] === 'bigint'));
  const t = new Table({ head: r.columns, colAligns: numeric.map((n) => (n ? 'right' : 'left')), style: { head: [], border: [], compact: true } });
  for (const row of r.rows) t.push(r.columns.map((c) => cell(row[c])));
  return `${t.toString()}\n${r.rows.length} row${r.rows.length === 1 ? '' : 's'}\n`;
}

export function buildProgram(): Command {
  return new Command('sql')
    .description(
      'Run SQL (DuckDB dialect) over the batch-layer archive: views weblogs, news, ticks over the Parquet files and ' +
        'the closed NDJSON parts not compacted yet, each document once. Fields are struct columns addressed by their ' +
        'ECS path (http.response.status_code, "@timestamp"); partition columns dataset, year, month, day, hour prune ' +
        'files. `DESCRIBE weblogs` lists the columns.',
    )
    .argument('[sql]', 'the query (or --file)')
    .option('--archive-dir <dir>', 'archive root written by `npm run process -- --archive-dir <dir>`')
    .option('--parquet-dir <dir>', 'Parquet root (default <archive-dir>/parquet)')
    .option('-f, --file <file>', 'read the query from a file')
    .option('--json', 'JSON lines (one object per row) even on a terminal')
    .option('--table', 'a table even when stdout is not a terminal')
    .option('--athena-ddl <s3-uri>', 'print the Athena/Glue CREATE EXTERNAL TABLE of every dataset over the uploaded Parquet root (e.g. s3://bucket/archive/parquet) and exit')
    .exitOverride()
    .showHelpAfterError();
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  const answered = parseCommandLine(program, argv);
  if (answered !== undefined) return answered;
  const o = program.opts<{ archiveDir?: string; parquetDir?: string; file?: string; json?: boolean; table?: boolean; athenaDdl?: string }>();
  if (o.athenaDdl) {
    process.stdout.write(`${[...archiveDatasets().values()].map((a) => athenaTableDdl(a, o.athenaDdl!)).join('\n\n')}\n`);
    return 0;
  }
  if (!o.archiveDir) {
    process.stderr.write('error: required option --archive-dir <dir> not specified\n');
    return 2;
  }
  const sql = o.file ? await readFile(o.file, 'utf8').catch(() => undefined) : program.args[0];
  if (!sql || sql.trim() === '') {
    process.stderr.write(`error: ${o.file ? `cannot read ${o.file}` : 'no query given'}\n`);
    program.outputHelp({ error: true });
    return 2;
  }
  if (!(await stat(o.archiveDir).then((s) => s.isDirectory(), () => false))) {
    process.stderr.write(`error: --archive-dir ${o.archiveDir} is not a directory\n`);
    return 2;
  }
  let result: QueryResult;
  try {
    result = await queryArchive(o.archiveDir, sql, o.parquetDir ? { parquetDir: o.parquetDir } : {});
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n(views: weblogs, news, ticks; \`DESCRIBE weblogs\` lists the columns)\n`);
    return 1;
  }
  const table = o.table || (!o.json && process.stdout.isTTY);
  if (table) process.stdout.write(renderTable(result));
  else for (const row of result.rows) process.stdout.write(`${JSON.stringify(jsonValue(row))}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/archive/sql-cli.ts')) {
  process.exitCode = await main();
}
