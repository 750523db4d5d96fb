/**
 * Parquet compaction on the real stack: the real access log (all 10,000 lines), three days of the real
 * Hang Seng candles fanned out into minute ticks, and generated headlines are processed into
 * Elasticsearch with `--archive-dir`; `archive:compact` is SIGKILLed mid-run and run again. SQL over the
 * archive — mixed NDJSON and Parquet after the kill, Parquet only at the end — must give the same counts
 * per hour, per status, per day and per sentiment label as Elasticsearch's aggregations, exactly the
 * data streams' `_id` sets; the daily OHLC from the ticks equals the real candles; a third run changes nothing.
 */
import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor } from '../../processor/processor.js';
import { queryArchive } from '../../scripts/archive/sql.js';
import { spawnTsx } from '../support/processes.js';
import { es, esUrl, idsOf, quietLog, realAccessLog, repoRoot, tempDir, uniqueNamespace, waitFor } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

/** Bucket key → doc count of a one-level aggregation (terms or date_histogram). */
async function esBuckets(index: string, agg: Record<string, unknown>): Promise<Record<string, number>> {
  const r = await es.search({ index, size: 0, aggs: { a: agg } });
  const buckets = (r.aggregations!.a as { buckets: { key: string | number; key_as_string?: string; doc_count: number }[] }).buckets;
  return Object.fromEntries(buckets.filter((b) => b.doc_count > 0).map((b) => [String(b.key_as_string ?? b.key), b.doc_count]));
}

/** Two-column SQL result (key, n) → record. */
async function sqlBuckets(archiveDir: string, sql: string): Promise<Record<string, number>> {
  const r = await queryArchive(archiveDir, sql);
  return Object.fromEntries(r.rows.map((row) => [String(row.k), Number(row.n)]));
}

function parquetFiles(dir: string): { file: string; mtimeMs: number; size: number }[] {
  return (readdirSync(path.join(dir, 'parquet'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => ({ file: f, mtimeMs: statSync(path.join(dir, 'parquet', f)).mtimeMs, size: statSync(path.join(dir, 'parquet', f)).size }));
}

describe('archive:compact and sql on the real samples', () => {
  it('SQL equals Elasticsearch before, across a SIGKILL of the compactor and after; a second run changes nothing', async () => {
    const namespace = uniqueNamespace('pq');
    const archiveDir = tempDir('pq-archive');
    const weblogsDir = tempDir('pq-weblogs');
    const ticksDir = tempDir('pq-ticks');
    const newsDir = tempDir('pq-news');
    copyFileSync(realAccessLog, path.join(weblogsDir, 'access.log'));
    const gen = async (args: string[]): Promise<void> => {
      const c = spawnTsx('generators/cli.ts', args);
      expect(await c.exited).toBe(0);
    };
    await gen(['ticks', '--from-candles', path.join(repoRoot, 'data/samples/market/hsi_daily.csv'), '--from', '2009-06-01', '--days', '3', '--rate', '0', '--out', path.join(ticksDir, 'hsi.log')]);
    await gen(['news', '--count', '300', '--seed', '11', '--rate', '0', '--start', '2026-11-20T09:00:00Z', '--out', path.join(newsDir, 'headlines.log')]);

    const handle = await startProcessor({
      watch: [`weblogs=${weblogsDir}`, `ticks=${ticksDir}`, `news=${newsDir}`],
      once: true,
      esUrl,
      namespace,
      dataDir: tempDir('pq-data'),
      archiveDir,
      windows: false,
      log: quietLog,
    });
    const summary = await handle.done;
    expect(summary).toMatchObject({ lines: 10_000 + 3 * 390 + 300, rejected: 0, archived: 10_000 + 3 * 390 + 300 });

    const streams = { weblogs: `logs-weblogs.access-${namespace}`, ticks: `metrics-market.ticks-${namespace}`, news: `logs-news.headlines-${namespace}` };
    const esIds = { weblogs: await idsOf(streams.weblogs), ticks: await idsOf(streams.ticks), news: await idsOf(streams.news) };
    expect([esIds.weblogs.length, esIds.ticks.length, esIds.news.length]).toEqual([10_000, 1170, 300]);
    const expected = {
      perHour: await esBuckets(streams.weblogs, { date_histogram: { field: '@timestamp', fixed_interval: '1h', format: 'yyyy-MM-dd HH' } }),
      perStatus: await esBuckets(streams.weblogs, { terms: { field: 'http.response.status_code', size: 100 } }),
      ticksPerDay: await esBuckets(streams.ticks, { date_histogram: { field: '@timestamp', calendar_interval: 'day', format: 'yyyy-MM-dd' } }),
      newsPerLabel: await esBuckets(streams.news, { terms: { field: 'news.sentiment.label', size: 10 } }),
    };
    expect(Object.keys(expected.perHour).length).toBeGreaterThan(80);

    const sqlState = async (): Promise<void> => {
      expect(await sqlBuckets(archiveDir, `SELECT strftime("@timestamp", '%Y-%m-%d %H') AS k, count(*) AS n FROM weblogs GROUP BY 1`)).toEqual(expected.perHour);
      expect(await sqlBuckets(archiveDir, 'SELECT http.response.status_code AS k, count(*) AS n FROM weblogs GROUP BY 1')).toEqual(expected.perStatus);
      expect(await sqlBuckets(archiveDir, `SELECT strftime("@timestamp", '%Y-%m-%d') AS k, count(*) AS n FROM ticks GROUP BY 1`)).toEqual(expected.ticksPerDay);
      expect(await sqlBuckets(archiveDir, 'SELECT news.sentiment.label AS k, count(*) AS n FROM news GROUP BY 1')).toEqual(expected.newsPerLabel);
      for (const view of ['weblogs', 'ticks', 'news'] as const) {
        const r = await queryArchive(archiveDir, `SELECT _id FROM ${view} ORDER BY _id`);
        expect(r.rows.map((x) => x._id)).toEqual(esIds[view]);
      }
    };
    await sqlState(); // NDJSON parts only

    // Compaction killed mid-run (after a few partitions), then run again to the end.
    const killed = spawnTsx('scripts/archive/compact-cli.ts', ['--archive-dir', archiveDir, '--threads', '1']);
    await waitFor('5 partitions compacted', async () => (killed.stderr().match(/^\[\d+\/\d+\]/gm) ?? []).length >= 5, 120_000);
    killed.proc.kill('SIGKILL');
    expect(await killed.exited).toBe('SIGKILL');
    const afterKill = parquetFiles(archiveDir).length;
    expect(afterKill).toBeGreaterThanOrEqual(5);
    await sqlState(); // Parquet + NDJSON

    const rerun = spawnTsx('scripts/archive/compact-cli.ts', ['--archive-dir', archiveDir, '--quiet']);
    expect(await rerun.exited).toBe(0);
    const second = JSON.parse(rerun.stdout().trim()) as Record<string, number>;
    const partitions = second.partitions!;
    expect(second).toMatchObject({ compacted: partitions - afterKill, upToDate: afterKill, waiting: 0 });
    const files = parquetFiles(archiveDir);
    expect(files).toHaveLength(partitions); // one file per day of a dataset: nothing written twice
    for (const view of ['weblogs', 'ticks', 'news'] as const) {
      const r = await queryArchive(archiveDir, `SELECT count(*) AS n FROM read_parquet('${archiveDir}/parquet/dataset=*/*/*/*/*.parquet', hive_partitioning=true) WHERE dataset = '${view === 'weblogs' ? 'weblogs.access' : view === 'ticks' ? 'market.ticks' : 'news.headlines'}'`);
      expect(Number(r.rows[0]!.n)).toBe(esIds[view].length);
    }
    const views = await queryArchive(archiveDir, 'SELECT 1');
    expect(views.sources.every((s) => s.ndjsonParts === 0)).toBe(true);
    await sqlState(); // Parquet only

    // Daily OHLC from the minute ticks gives back the real candles they were fanned out from (prices at 0.01).
    const ohlc = await queryArchive(
      archiveDir,
      `SELECT "@timestamp"::DATE AS date, arg_min(market.open, "@timestamp") AS open, max(market.high) AS high, min(market.low) AS low, ` +
        `arg_max(market.close, "@timestamp") AS close, sum(market.volume) AS volume FROM ticks GROUP BY 1 ORDER BY 1`,
    );
    const candles = readFileSync(path.join(repoRoot, 'data/samples/market/hsi_daily.csv'), 'utf8').split('\n').map((l) => l.split(',')).filter((c) => ['2009-06-01', '2009-06-02', '2009-06-03'].includes(c[1]!));
    const cent = (v: string): number => Math.round(Number(v) * 100) / 100;
    expect(ohlc.rows.map((r) => ({ ...r, volume: Number(r.volume) }))).toEqual(
      candles.map((c) => ({ date: c[1], open: cent(c[2]!), high: cent(c[3]!), low: cent(c[4]!), close: cent(c[5]!), volume: Number(c[7]) })),
    );

    const third = spawnTsx('scripts/archive/compact-cli.ts', ['--archive-dir', archiveDir, '--quiet']);
    expect(await third.exited).toBe(0);
    expect(JSON.parse(third.stdout().trim())).toMatchObject({ compacted: 0, files: 0, rows: 0, upToDate: partitions });
    expect(parquetFiles(archiveDir)).toEqual(files);
  });
});
