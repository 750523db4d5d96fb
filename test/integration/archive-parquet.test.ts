/**
 * Parquet compaction and SQL over the archive, without Elasticsearch: the golden documents of every
 * dataset (exactly what the processor stores) are archived through the real ArchiveSink, compacted,
 * and must come back from SQL field for field, before compaction (NDJSON), after it (Parquet) and
 * mixed; repeats (an at-least-once archive) are counted once; open parts are never compacted; a stale
 * temporary file and a dead compactor's lock are cleaned up; a second run writes nothing;
 * `--delete-source` removes exactly the covered parts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { OutputDocument } from '../../processor/pipeline/types.js';
import { ArchiveSink, type ArchiveLine } from '../../processor/sinks/archive-sink.js';
import { compactArchive } from '../../scripts/archive/compact.js';
import { openDuckDb } from '../../scripts/archive/duckdb.js';
import { COOKBOOK } from '../../scripts/archive/cookbook.js';
import { ARRAY_FIELDS, archiveDatasets, archiveLineColumns } from '../../scripts/archive/schema.js';
import { jsonValue, queryArchive } from '../../scripts/archive/sql.js';
import { spawnTsx } from '../support/processes.js';
import { repoRoot, tempDir } from '../support/stack.js';

const golden = (rel: string): ArchiveLine[] =>
  readFileSync(path.join(repoRoot, 'test/golden', rel), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ArchiveLine);
// combined lines, and lines of configured formats with their extras (lists, labels, unindexed variables)
const weblogs = ['access', 'nginx-main', 'nginx-json', 'apache-vhost'].flatMap((f) => golden(`weblogs/${f}.expected.ndjson`));
// (generated.expected.ndjson reuses headlines' _ids: both golden inputs are read from offset 0 of the same path)
const news = golden('news/headlines.expected.ndjson');
const ticks = golden('ticks/ticks.expected.ndjson');
// The real-server golden lines are stamped with the hour they were made in (possibly today): compact as if
// their day were over (a day is compacted once it is over).
const afterTheirHour = (): number => Date.now() + 26 * 60 * 60_000;
const views: [string, ArchiveLine[]][] = [['weblogs', weblogs], ['news', news], ['ticks', ticks]];

const docs = (lines: ArchiveLine[]): OutputDocument[] => lines.map((l) => ({ id: l._id, index: l._index, body: l._source }) as unknown as OutputDocument);

async function archive(dir: string, lines: ArchiveLine[]): Promise<void> {
  const sink = new ArchiveSink(dir);
  await sink.write(docs(lines));
  await sink.close();
}

/** A SQL row back to the stored document: partition columns and NULLs dropped, values as JSON has them. */
function toDocument(row: Record<string, unknown>): ArchiveLine {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const out = Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, strip(x)] as const).filter(([, x]) => !(x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0));
      return Object.fromEntries(out);
    }
    return v;
  };
  const { _id, _index, dataset, year, month, day, hour, ...source } = jsonValue(row) as Record<string, unknown>;
  void dataset; void year; void month; void day; void hour;
  return { _id: _id as string, _index: _index as string, _source: strip(source) as Record<string, unknown> };
}

/** Every document of every view, sorted by _index and _id. */
async function everything(dir: string): Promise<Map<string, ArchiveLine[]>> {
  const out = new Map<string, ArchiveLine[]>();
  for (const [view] of views) {
    const r = await queryArchive(dir, `SELECT * FROM ${view} ORDER BY _index, _id`);
    out.set(view, r.rows.map(toDocument));
  }
  return out;
}

const sorted = (lines: ArchiveLine[]): ArchiveLine[] => [...lines].sort((a, b) => (a._index + a._id < b._index + b._id ? -1 : 1));
/** Field order differs between JSON and the template; compare canonically. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canonical(x)])) : v;

function parquetFiles(dir: string): string[] {
  return (readdirSync(path.join(dir, 'parquet'), { recursive: true }) as string[]).filter((f) => f.endsWith('.parquet')).sort();
}

describe('archive → Parquet → SQL', () => {
  it('declares every array field the documents have, and every field they have', () => {
    const schemas = archiveDatasets();
    const seenArrays = new Set<string>();
    for (const [, lines] of views) {
      for (const l of lines) {
        const schema = schemas.get((l._source.data_stream as { dataset: string }).dataset)!;
        const walk = (obj: Record<string, unknown>, cols: typeof schema.columns, prefix: string): void => {
          for (const [k, v] of Object.entries(obj)) {
            const dotted = prefix ? `${prefix}.${k}` : k;
            const col = cols.find(([n]) => n === k);
            expect([dotted, col !== undefined]).toEqual([dotted, true]);
            expect([dotted, Array.isArray(v)]).toEqual([dotted, col![1].array]);
            if (Array.isArray(v)) seenArrays.add(dotted);
            if (col![1].kind === 'struct' && v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, col![1].fields, dotted);
          }
        };
        walk(l._source, schema.columns, '');
      }
    }
    // every declared array field occurs as an array in the golden documents, except `tags` (only on odd lines)
    expect([...ARRAY_FIELDS].filter((f) => !seenArrays.has(f))).toEqual(seenArrays.has('tags') ? [] : ['tags']);
  });

  it('round-trips every document through NDJSON and Parquet, counts repeats once, a second run writes nothing', async () => {
    const dir = tempDir('pq-rt');
    for (const [, lines] of views) await archive(dir, lines);
    await archive(dir, weblogs.slice(0, 5)); // a replayed batch: the same 5 documents archived again, in new parts

    const expected = new Map(views.map(([v, lines]) => [v, sorted(lines).map((l) => canonical(l))]));
    const check = async (): Promise<void> => {
      const got = await everything(dir);
      for (const [v] of views) expect(got.get(v)!.map((l) => canonical(l))).toEqual(expected.get(v));
    };
    await check(); // NDJSON only

    const first = await compactArchive({ now: afterTheirHour, archiveDir: dir, settleMs: 0 });
    const total = weblogs.length + news.length + ticks.length;
    expect(first).toMatchObject({ rows: total, lines: total + 5, repeats: 5, upToDate: 0, waiting: 0, deletedParts: 0 });
    expect(first.files).toBe(first.partitions);
    await check(); // Parquet only
    const files = parquetFiles(dir);

    const second = await compactArchive({ now: afterTheirHour, archiveDir: dir, settleMs: 0 });
    expect(second).toMatchObject({ compacted: 0, files: 0, rows: 0, upToDate: first.partitions });
    expect(parquetFiles(dir)).toEqual(files);

    // Later parts: repeats of compacted documents plus one new document, still NDJSON → counted once.
    const extra: ArchiveLine = { ...weblogs[0]!, _id: 'extra-document-1' };
    await archive(dir, [...weblogs.slice(0, 3), extra]);
    expected.set('weblogs', sorted([...weblogs, extra]).map((l) => canonical(l)));
    await check(); // Parquet + NDJSON
    const third = await compactArchive({ now: afterTheirHour, archiveDir: dir, settleMs: 0 });
    expect(third).toMatchObject({ compacted: third.files, lines: 4, rows: 1, repeats: 3 });
    await check();
  });

  it('a day becomes one file once it is over; before that only --target-bytes of settled hours; files of the hour layout still count', async () => {
    const access = golden('weblogs/access.expected.ndjson');
    const onDay = (l: ArchiveLine, day: string): boolean => (l._source['@timestamp'] as string).startsWith(day);
    const may17 = access.filter((l) => onDay(l, '2015-05-17')); // hours 10, 11 and 14
    const may18 = access.filter((l) => onDay(l, '2015-05-18')); // hours 03 and 11
    expect([may17.length, may18.length]).toEqual([12, 2]);
    const dir = tempDir('pq-days');
    await archive(dir, access);
    const day17 = path.join(dir, 'parquet/dataset=weblogs.access/year=2015/month=05/day=17');
    const day18 = path.join(dir, 'parquet/dataset=weblogs.access/year=2015/month=05/day=18');
    const idsOn = async (day: number): Promise<string[]> =>
      (await queryArchive(dir, `SELECT _id FROM weblogs WHERE year = 2015 AND month = 5 AND day = ${day} ORDER BY _id`)).rows.map((r) => r._id as string);
    const expectedIds = (lines: ArchiveLine[]): string[] => lines.map((l) => l._id).sort();

    // An earlier version's file: 2015-05-18 hour 03 compacted into …/day=18/hour=03/, its footer naming the part.
    const hour03 = path.join(dir, 'dataset=weblogs.access/year=2015/month=05/day=18/hour=03');
    const [part03] = readdirSync(hour03);
    mkdirSync(path.join(day18, 'hour=03'), { recursive: true });
    const db = await openDuckDb();
    try {
      await db.conn.run(
        `COPY (SELECT _id, _index, _source.* FROM read_json('${path.join(hour03, part03!)}', format='newline_delimited', compression='gzip', ` +
          `columns=${archiveLineColumns(archiveDatasets().get('weblogs.access')!)})) TO '${path.join(day18, 'hour=03/compacted-0123456789abcdef.parquet')}' ` +
          `(FORMAT parquet, KV_METADATA {'rtas.source_parts': '${JSON.stringify([part03])}'})`,
      );
    } finally {
      db.close();
    }

    // 15:30 on 2015-05-17: its hours have ended, the day has not: it waits (as do the 6 later days); 2000-10-10 is compacted
    const afternoon = Date.parse('2015-05-17T15:30:00Z');
    const first = await compactArchive({ archiveDir: dir, settleMs: 0, now: () => afternoon });
    expect(first).toMatchObject({ partitions: 8, compacted: 1, rows: 1, waiting: 7 });
    expect(existsSync(day17) ? readdirSync(day17) : []).toEqual([]);
    expect(await idsOn(17)).toEqual(expectedIds(may17)); // from the NDJSON parts meanwhile

    // unless its settled hours hold --target-bytes: each part (one per hour here) is then a file of its own
    const early = await compactArchive({ archiveDir: dir, settleMs: 0, now: () => afternoon, targetBytes: 1 });
    expect(early).toMatchObject({ compacted: 1, files: 3, rows: may17.length, waiting: 6 });
    expect(readdirSync(day17).filter((f) => f.endsWith('.parquet'))).toHaveLength(3);
    expect(await idsOn(17)).toEqual(expectedIds(may17));

    // the hour-layout file still covers hour 03 of 2015-05-18: the day file holds hour 11 only, the view both
    const later = await compactArchive({ archiveDir: dir, settleMs: 0, now: afterTheirHour });
    expect(later).toMatchObject({ compacted: 6, files: 6, rows: access.length - 1 - may17.length - 1, upToDate: 2, waiting: 0 });
    const day18Files = readdirSync(day18).filter((f) => f.endsWith('.parquet'));
    expect(day18Files).toHaveLength(1);
    const inDayFile = await queryArchive(dir, `SELECT hour, count(*) AS n FROM read_parquet('${path.join(day18, day18Files[0]!)}') GROUP BY 1`);
    expect(inDayFile.rows).toEqual([{ hour: 11, n: 1n }]);
    expect(await idsOn(18)).toEqual(expectedIds(may18));
    expect((await queryArchive(dir, 'SELECT hour, count(*) AS n FROM weblogs WHERE day = 18 GROUP BY 1 ORDER BY 1')).rows).toEqual([{ hour: 3, n: 1n }, { hour: 11, n: 1n }]);
    expect((await queryArchive(dir, 'SELECT 1')).sources.find((x) => x.view === 'weblogs')).toMatchObject({ ndjsonParts: 0 });
  });

  it('a compactor SIGKILLed while it writes a file: the parts are still counted once, the next run finishes', async () => {
    const dir = tempDir('pq-kill');
    const base = golden('weblogs/access.expected.ndjson').find((l) => (l._source['@timestamp'] as string).startsWith('2015-05-17T10'))!;
    // 40,000 documents over 11 hours of one day: one file, long enough to be caught while it is written
    const many = Array.from({ length: 40_000 }, (_, i) => ({ ...base, _id: `kill-${i}`, _source: { ...base._source, '@timestamp': new Date(Date.UTC(2015, 4, 17, 10) + i * 1000).toISOString() } }));
    await archive(dir, many);
    const day = path.join(dir, 'parquet/dataset=weblogs.access/year=2015/month=05/day=17');
    const listing = (): string[] => (existsSync(day) ? readdirSync(day) : []);
    const count = async (): Promise<unknown> => (await queryArchive(dir, 'SELECT count(*) AS n, count(DISTINCT _id) AS d FROM weblogs')).rows[0];

    const cli = spawnTsx('scripts/archive/compact-cli.ts', ['--archive-dir', dir, '--settle-minutes', '0', '--threads', '1', '--quiet']);
    let sawTemporary = false;
    while (cli.proc.exitCode === null && !sawTemporary) {
      sawTemporary = listing().some((f) => f.startsWith('.compact-') && f.endsWith('.parquet.tmp'));
      if (!sawTemporary) await new Promise((r) => setTimeout(r, 5));
    }
    cli.proc.kill('SIGKILL');
    expect(await cli.exited).toBe('SIGKILL');
    expect(sawTemporary).toBe(true);
    const left = listing().filter((f) => f.endsWith('.parquet'));
    expect(left.length).toBeLessThanOrEqual(1); // the rename may just have happened: old parts or the new file
    expect(await count()).toEqual({ n: 40_000n, d: 40_000n }); // never both counted, never neither

    const rerun = spawnTsx('scripts/archive/compact-cli.ts', ['--archive-dir', dir, '--settle-minutes', '0', '--quiet']);
    expect(await rerun.exited).toBe(0);
    const summary = JSON.parse(rerun.stdout().trim()) as { files: number; staleTemporaries: number; rows: number };
    expect(summary).toMatchObject(left.length === 0 ? { files: 1, rows: 40_000, staleTemporaries: 1 } : { files: 0, rows: 0 });
    expect(listing().filter((f) => f.startsWith('.'))).toEqual([]);
    expect(listing().filter((f) => f.endsWith('.parquet'))).toHaveLength(1);
    expect(await count()).toEqual({ n: 40_000n, d: 40_000n });
    expect((await queryArchive(dir, 'SELECT 1')).sources.find((x) => x.view === 'weblogs')).toMatchObject({ ndjsonParts: 0, parquetFiles: 1 });
  });

  it('never reads an open part; an hour waits for its settle time; stale temporaries and a dead lock are cleaned', async () => {
    const dir = tempDir('pq-open');
    const sink = new ArchiveSink(dir);
    await sink.write(docs(ticks));
    const open = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => path.basename(f).startsWith('.part-'));
    expect(open.length).toBeGreaterThan(0);
    const whileOpen = await compactArchive({ now: afterTheirHour, archiveDir: dir, settleMs: 0 });
    expect(whileOpen).toMatchObject({ compacted: 0, waiting: whileOpen.partitions, rows: 0 });
    expect((await queryArchive(dir, 'SELECT count(*) AS n FROM ticks')).rows[0]!.n).toBe(0n);
    await sink.close();

    // with a clock at the first tick, no hour of the ticks has ended yet
    const firstTick = Math.min(...ticks.map((l) => Date.parse(l._source['@timestamp'] as string)));
    const early = await compactArchive({ archiveDir: dir, settleMs: 0, now: () => firstTick });
    expect(early).toMatchObject({ compacted: 0, waiting: early.partitions });

    // what a SIGKILLed compactor leaves: its lock (pid of a process that is gone) and a temporary file
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const rel = path.dirname(open[0]!);
    writeFileSync(path.join(dir, 'parquet', '.compact.lock'), String(gone));
    const tmp = path.join(dir, 'parquet', rel, '.compact-0000000000000000.parquet.tmp');
    mkdirSync(path.dirname(tmp), { recursive: true });
    writeFileSync(tmp, 'half a parquet file');
    const run = await compactArchive({ now: afterTheirHour, archiveDir: dir, settleMs: 0 });
    expect(run).toMatchObject({ rows: ticks.length, staleTemporaries: 1 });
    expect(existsSync(tmp)).toBe(false);
    expect(existsSync(path.join(dir, 'parquet', '.compact.lock'))).toBe(false);
    expect((await queryArchive(dir, 'SELECT count(*) AS n FROM ticks')).rows[0]!.n).toBe(BigInt(ticks.length));
  });

  it('a damaged part fails its own partition only, with the reason; the others are compacted', async () => {
    const dir = tempDir('pq-bad-part');
    await archive(dir, ticks);
    const rel = path.dirname((readdirSync(dir, { recursive: true }) as string[]).find((f) => f.endsWith('.ndjson.gz'))!);
    writeFileSync(path.join(dir, rel, 'part-20260101T000000000Z-999999.ndjson.gz'), 'not gzip at all');
    const cli = spawnTsx('scripts/archive/compact-cli.ts', ['--archive-dir', dir, '--settle-minutes', '0', '--quiet']);
    expect(await cli.exited).toBe(1);
    const summary = JSON.parse(cli.stdout().trim()) as { compacted: number; partitions: number; failed: { partition: string; error: string }[] };
    expect(summary.failed).toEqual([{ partition: rel, error: expect.any(String) }]);
    expect(summary.compacted).toBe(summary.partitions - 1);
    expect(cli.stderr()).toContain(`error: ${rel} not compacted:`);
    const out = path.join(dir, 'parquet', rel);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]); // nothing half-written
  });

  it('a damaged part in one hour of a day: that hour fails, the day file holds its other hours', async () => {
    const dir = tempDir('pq-bad-hour');
    const access = golden('weblogs/access.expected.ndjson');
    await archive(dir, access);
    const rel = 'dataset=weblogs.access/year=2015/month=05/day=17';
    writeFileSync(path.join(dir, rel, 'hour=11', 'part-20260101T000000000Z-999999.ndjson.gz'), 'not gzip at all');
    const run = await compactArchive({ archiveDir: dir, settleMs: 0, now: afterTheirHour });
    expect(run.failed).toEqual([{ partition: `${rel}/hour=11`, error: expect.any(String) }]);
    expect(run).toMatchObject({ compacted: run.partitions, rows: access.length - 2 }); // hour 11 holds 2 documents
    const files = readdirSync(path.join(dir, 'parquet', rel)).filter((f) => f.endsWith('.parquet'));
    expect(files).toHaveLength(1);
    const hours = await queryArchive(dir, `SELECT hour, count(*) AS n FROM read_parquet('${path.join(dir, 'parquet', rel, files[0]!)}') GROUP BY 1 ORDER BY 1`);
    expect(hours.rows).toEqual([{ hour: 10, n: 9n }, { hour: 14, n: 1n }]);
  });

  it('refuses to run beside a live compactor', async () => {
    const dir = tempDir('pq-lock');
    await archive(dir, news);
    mkdirSync(path.join(dir, 'parquet'), { recursive: true });
    writeFileSync(path.join(dir, 'parquet', '.compact.lock'), String(process.ppid)); // a process that is alive
    await expect(compactArchive({ now: afterTheirHour, archiveDir: dir, settleMs: 0 })).rejects.toThrow(/another compaction \(pid \d+\) is running/);
  });

  it('--delete-source removes exactly the covered parts, and the views still count everything once', async () => {
    const dir = tempDir('pq-del');
    await archive(dir, news);
    const parts = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ndjson.gz'));
    const cli = spawnTsx('scripts/archive/compact-cli.ts', ['--archive-dir', dir, '--settle-minutes', '0', '--delete-source']);
    expect(await cli.exited).toBe(0);
    const summary = JSON.parse(cli.stdout().trim()) as Record<string, number>;
    expect(summary).toMatchObject({ rows: news.length, deletedParts: parts.length });
    expect((readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ndjson.gz'))).toEqual([]);
    const sql = spawnTsx('scripts/archive/sql-cli.ts', ['--archive-dir', dir, '--json', 'SELECT news.sentiment.label AS label, count(*) AS n FROM news GROUP BY 1 ORDER BY 1']);
    expect(await sql.exited).toBe(0);
    const byLabel = new Map<string, number>();
    for (const l of news) {
      const label = (l._source.news as { sentiment: { label: string } }).sentiment.label;
      byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
    }
    expect(sql.stdout().trim().split('\n').map((l) => JSON.parse(l) as { label: string; n: number })).toEqual([...byLabel].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, n]) => ({ label, n })));
  });

  it('runs every cookbook query (README) over the views', async () => {
    const dir = tempDir('pq-cook');
    for (const [, lines] of views) await archive(dir, lines);
    for (const [name, sql] of Object.entries(COOKBOOK)) {
      const r = await queryArchive(dir, sql);
      expect([name, r.rows.length > 0]).toEqual([name, true]);
    }
    const ohlc = await queryArchive(dir, COOKBOOK.dailyOhlc!);
    const aapl = ticks.filter((l) => (l._source.market as { symbol: string }).symbol === 'AAPL' && !(l._source.tags as string[] | undefined)?.includes('out_of_order'));
    expect(ohlc.rows.find((r) => r.symbol === 'AAPL')).toMatchObject({ open: (aapl[0]!._source.market as { open: number }).open });
  });

  it('prints Athena tables with every column and partition projection over the uploaded layout', async () => {
    const cli = spawnTsx('scripts/archive/sql-cli.ts', ['--athena-ddl', 's3://bucket/archive/parquet/']);
    expect(await cli.exited).toBe(0);
    const ddl = cli.stdout().split('\n\n');
    expect(ddl).toHaveLength(archiveDatasets().size);
    for (const [i, a] of [...archiveDatasets().values()].entries()) {
      const table = ddl[i]!;
      expect(table).toContain(`CREATE EXTERNAL TABLE IF NOT EXISTS \`${a.view}\` (`);
      for (const [name] of a.columns) expect(table).toContain(`\n  \`${name}\` `);
      expect(table).toContain(`LOCATION 's3://bucket/archive/parquet/dataset=${a.dataset}/'`);
      expect(table).toContain(`'projection.dataset.values' = '${a.dataset}'`);
      expect(table).toContain("'storage.location.template' = 's3://bucket/archive/parquet/dataset=${dataset}/year=${year}/month=${month}/day=${day}/'"); // day files, the hour a column
      expect(table).toContain('\n  `hour` int\n)');
    }
    expect(ddl[0]).toContain(
      '`http` struct<version:string,request:struct<method:string,referrer:string,id:string,bytes:bigint,mime_type:string>,' +
        'response:struct<status_code:bigint,body:struct<bytes:bigint>,bytes:bigint,mime_type:string>>',
    );
    expect(ddl[0]).toContain('`labels` map<string,string>');
    expect(ddl[1]).toContain('tickers:array<string>');
  });

  it('the SQL command explains bad SQL and exits 1', async () => {
    const dir = tempDir('pq-bad');
    const cli = spawnTsx('scripts/archive/sql-cli.ts', ['--archive-dir', dir, 'SELECT status FROM weblogs']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/Binder Error: Referenced column "status" not found/);
    expect(cli.stdout()).toBe('');
  });
});
