/**
 * Sample data for the dashboard's browser test and screenshots, ingested through the real processor
 * into one namespace:
 *
 * - web logs: the real Apache access log `data/samples/weblogs/apache_logs` (10,000 lines,
 *   2015-05-17T10:05Z – 2015-05-20T21:05Z);
 * - error logs: what Apache 2.4 writes to its error log for that access log's error responses (an
 *   `AH00128: File does not exist` info entry per 404, `AH01630` per 403, `AH00124` per 500), at their
 *   times, derived by {@link errorLogLines} (the sample comes without its error log);
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
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
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

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const CLF_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ACCESS = /^(\S+) \S+ \S+ \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) [+-]\d{4}\] "\S+ (\S+)[^"]*" (\d{3}) \S+ "([^"]*)"/;

/**
 * Apache 2.4 error-log entries (default ErrorLogFormat) for the error responses of access-log `lines`:
 * 404 → `[core:info] … AH00128: File does not exist: /var/www/html<path>`, 403 → `[authz_core:error]
 * … AH01630: client denied by server configuration`, 500 → `[core:error] … AH00124: Request exceeded
 * the limit of 10 internal redirects`; the client, time and referer of the request. Other lines give none.
 */
export function errorLogLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const m = ACCESS.exec(line);
    if (!m) continue;
    const [, client, day, mon, year, time, target, status, referrer] = m;
    const month = CLF_MONTHS.indexOf(mon!);
    const weekday = WEEKDAYS[new Date(Date.UTC(Number(year), month, Number(day))).getUTCDay()];
    const head = `[${weekday} ${mon} ${day} ${time}.000000 ${year}]`;
    const path = `/var/www/html${target!.split('?')[0]}`;
    const ref = referrer && referrer !== '-' ? `, referer: ${referrer}` : '';
    const ids = `[pid 2317:tid 139872144406272] [client ${client}:0]`;
    if (status === '404') out.push(`${head} [core:info] ${ids} AH00128: File does not exist: ${path}${ref}`);
    else if (status === '403') out.push(`${head} [authz_core:error] ${ids} AH01630: client denied by server configuration: ${path}${ref}`);
    else if (status === '500') out.push(`${head} [core:error] ${ids} AH00124: Request exceeded the limit of 10 internal redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.${ref}`);
  }
  return out;
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
 * Ingests the four datasets into `namespace` through the processor (`--once` per dataset), refreshes
 * the namespace's data streams so all of it is searchable, and returns each run's summary.
 * @throws when a sample file is missing or the processor fails (Elasticsearch unreachable …).
 */
export async function ingestDemoData(opts: DemoDataOptions): Promise<Record<'weblogs' | 'news' | 'ticks' | 'errorlogs', RunSummary>> {
  const news = newsLines();
  const ticks = await tickLines();
  const summaries = {} as Record<'weblogs' | 'news' | 'ticks' | 'errorlogs', RunSummary>;
  for (const dataset of ['weblogs', 'news', 'ticks', 'errorlogs'] as const) {
    const dir = path.join(opts.workDir, 'input', dataset);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, dataset === 'weblogs' ? 'apache_logs' : dataset === 'errorlogs' ? 'error.log' : `${dataset}.log`);
    if (dataset === 'weblogs') {
      if (!(await stat(file).then(() => true, () => false))) await copyFile(ACCESS_LOG, file);
    } else if (dataset === 'errorlogs') {
      await writeOnce(file, async () => errorLogLines((await readFile(ACCESS_LOG, 'utf8')).split('\n')));
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
