/**
 * Sample data for the dashboard's browser test and screenshots, ingested through the real processor
 * into one namespace:
 *
 * - web logs: the real Apache access log `data/samples/weblogs/apache_logs` (10,000 lines,
 *   2015-05-17T10:05Z – 2015-05-20T21:05Z);
 * - news: {@link NEWS_COUNT} generated headlines about {@link NEWS_COMPANIES} companies over the
 *   same days as the access log (seeded; exponential gaps, mean 3 minutes);
 * - ticks: the real Hang Seng Index daily candles of {@link HSI_DAYS} (`data/samples/market/hsi_daily.csv`)
 *   fanned out to one-minute ticks (HKT session), plus seeded live ticks, one per minute of the New
 *   York session, for {@link US_SYMBOLS} on the same days; all sorted by time so no tick is late.
 *
 * The processor also writes the window streams (traffic per minute, one-minute bars, 5-minute
 * sentiment). Every input is deterministic, and the input files and checkpoints live in `workDir`:
 * with the same `workDir`, a second run reads nothing (the files' offsets are committed).
 */
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { createRandom } from '../../generators/common/random.js';
import { COMPANIES, createNewsGenerator } from '../../generators/news/index.js';
import { createFanOutGenerator, createLiveTickGenerator, readCandlesFile, selectCandles, TICKS_PER_DAY } from '../../generators/ticks/index.js';
import { createEsClient, type EsConnection } from '../../processor/elasticsearch/connection.js';
import { startProcessor, type RunSummary } from '../../processor/processor.js';
import type { ViewName } from './api-types.js';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** The real access log. */
export const ACCESS_LOG = path.join(repoRoot, 'data/samples/weblogs/apache_logs');
/** The real Hang Seng Index candles. */
export const HSI_CSV = path.join(repoRoot, 'data/samples/market/hsi_daily.csv');
/** Trading days of the HSI file fanned out (the file's last five). */
export const HSI_DAYS = { from: '2010-01-05', to: '2010-01-11' } as const;
/** Generated US symbols, ticked on the same weekdays as the HSI days. */
export const US_SYMBOLS = ['AAPL', 'MSFT', 'NVDA'] as const;
/**
 * Each view over the range where this data lies, with the PNG it is saved to by
 * `npm run dashboard:screenshots` (markets: two days, so the candles are 30 minutes wide).
 */
export const DEMO_VIEWS: { view: ViewName; file: string; from: string; to: string; params?: Record<string, string> }[] = [
  { view: 'web', file: 'web-traffic.png', from: '2015-05-17T06:00:00Z', to: '2015-05-21T00:00:00Z' },
  { view: 'news', file: 'news-sentiment.png', from: '2015-05-17T06:00:00Z', to: '2015-05-21T00:00:00Z' },
  { view: 'markets', file: 'markets.png', from: '2010-01-07T00:00:00Z', to: '2010-01-09T00:00:00Z', params: { symbol: 'HSI' } },
];

/** Headlines generated, and the companies they name. */
export const NEWS_COUNT = 1_700;
export const NEWS_COMPANIES = 6;
/** First headline time: the access log's first hour. */
export const NEWS_START = Date.parse('2015-05-17T10:00:00Z');

/** The generated headlines. */
function newsLines(): string[] {
  const gen = createNewsGenerator({ seed: 20150517, companies: COMPANIES.slice(0, NEWS_COMPANIES) });
  const rng = createRandom(517);
  const lines: string[] = [];
  let t = NEWS_START;
  for (let i = 0; i < NEWS_COUNT; i++) {
    t += Math.round(rng.exponential(180_000));
    lines.push(gen.next(new Date(t)));
  }
  return lines;
}

/** HSI fan-out plus US live ticks, sorted by time. */
async function tickLines(): Promise<string[]> {
  const candles = selectCandles(await readCandlesFile(HSI_CSV), { symbol: 'HSI', from: HSI_DAYS.from, to: HSI_DAYS.to });
  const hsi = createFanOutGenerator({ candles, seed: 1 });
  const ticks: { t: number; line: string }[] = [];
  for (let i = 0; i < candles.length * TICKS_PER_DAY; i++) {
    const line = hsi.next();
    ticks.push({ t: Date.parse((JSON.parse(line) as { '@timestamp': string })['@timestamp']), line });
  }
  const us = createLiveTickGenerator({ seed: 2010, symbols: [...US_SYMBOLS], firstIntervalMs: 60_000 });
  for (const c of candles) {
    // 09:30 New York in January is 14:30 UTC (EST, UTC−5).
    const open = Date.parse(`${c.date}T14:30:00Z`);
    for (let m = 0; m < TICKS_PER_DAY; m++) {
      for (const [k] of US_SYMBOLS.entries()) {
        const t = open + m * 60_000 + k * 1_000;
        ticks.push({ t, line: us.next(new Date(t)) });
      }
    }
  }
  ticks.sort((a, b) => a.t - b.t);
  return ticks.map((x) => x.line);
}

async function writeOnce(file: string, make: () => Promise<string[]> | string[]): Promise<void> {
  if (await stat(file).then(() => true, () => false)) return;
  await writeFile(file, (await make()).join('\n') + '\n');
}

/** Options of {@link ingestDemoData}. */
export interface DemoDataOptions {
  /** Where to index (URL, CA, credentials). */
  es: EsConnection;
  namespace: string;
  /** Holds the input files and the processor's checkpoints; reuse it to make a re-run read nothing. */
  workDir: string;
  log: Logger;
  /** Called before each dataset is processed. */
  onDataset?: (dataset: string, file: string) => void;
}

/**
 * Ingests the three datasets into `namespace` through the processor (`--once` per dataset), refreshes
 * the namespace's data streams so all of it is searchable, and returns each run's summary.
 * @throws when a sample file is missing or the processor fails (Elasticsearch unreachable …).
 */
export async function ingestDemoData(opts: DemoDataOptions): Promise<Record<'weblogs' | 'news' | 'ticks', RunSummary>> {
  const news = newsLines();
  const ticks = await tickLines();
  const summaries = {} as Record<'weblogs' | 'news' | 'ticks', RunSummary>;
  for (const dataset of ['weblogs', 'news', 'ticks'] as const) {
    const dir = path.join(opts.workDir, 'input', dataset);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, dataset === 'weblogs' ? 'apache_logs' : `${dataset}.log`);
    if (dataset === 'weblogs') {
      if (!(await stat(file).then(() => true, () => false))) await copyFile(ACCESS_LOG, file);
    } else {
      await writeOnce(file, () => (dataset === 'news' ? news : ticks));
    }
    opts.onDataset?.(dataset, file);
    const handle = await startProcessor({
      watch: [dir],
      dataset,
      once: true,
      es: opts.es,
      namespace: opts.namespace,
      dataDir: path.join(opts.workDir, 'state', dataset),
      log: opts.log,
    });
    summaries[dataset] = await handle.done;
  }
  // Window results are indexed last in each batch: make everything searchable before views are drawn.
  const client = createEsClient(opts.es);
  try {
    await client.indices.refresh({ index: `logs-*-${opts.namespace},metrics-*-${opts.namespace}`, ignore_unavailable: true, allow_no_indices: true });
  } finally {
    await client.close();
  }
  return summaries;
}
