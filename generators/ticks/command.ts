/**
 * The `ticks` subcommand of `npm run generate`: live GBM ticks, or fan-out of real daily candles.
 *
 * @module generators/ticks/command
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { addRunOptions, parseInteger } from '../common/cli.js';
import { addKafkaOptions, runGeneratorCommand } from '../kafka/cli.js';
import { COMPANIES } from '../news/companies.js';
import { readCandlesFile, selectCandles } from './candles.js';
import { createFanOutGenerator, defaultTimeZone, TICKS_PER_DAY } from './fanout.js';
import { createLiveTickGenerator, defaultSymbols, SYMBOL_PATTERN } from './live.js';
import { isValidTimeZone } from './session.js';

/** Default `--rate` of the ticks generator, lines per second (both modes). */
export const TICKS_DEFAULT_RATE = 100;
/** Default `--symbol-count` in live mode. */
export const TICKS_DEFAULT_SYMBOL_COUNT = 10;

interface TicksOptions {
  symbols?: string[];
  symbolCount?: number;
  fromCandles?: string;
  index?: string;
  from?: string;
  to?: string;
  days?: number;
  tz?: string;
  rebaseToNow?: boolean;
  start?: Date;
}

/** Parses `AAPL,MSFT,...` (upper-cased, de-duplicated check). @throws {InvalidArgumentError} */
export function parseSymbols(value: string): string[] {
  const list = value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('expected a comma-separated list of symbols');
  for (const s of list) if (!SYMBOL_PATTERN.test(s)) throw new InvalidArgumentError(`invalid symbol "${s}"`);
  if (new Set(list).size !== list.length) throw new InvalidArgumentError('duplicate symbols');
  return list;
}

/** Parses a `YYYY-MM-DD` calendar date. @throws {InvalidArgumentError} */
export function parseDay(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return value;
}

function parseTimeZone(value: string): string {
  if (!isValidTimeZone(value)) throw new InvalidArgumentError('expected an IANA time zone such as Asia/Hong_Kong or America/New_York');
  return value;
}

/** Builds the `ticks` subcommand. */
export function ticksCommand(): Command {
  const cmd = new Command('ticks')
    .summary('synthetic OHLCV market ticks (JSON lines): live random walk, or fan-out of daily candles')
    .description(
      [
        'Generate OHLCV ticks, one JSON object per line:',
        '  {"@timestamp":"<ISO-8601 UTC>","symbol":"AAPL","open":225.1,"high":225.34,',
        '   "low":224.98,"close":225.2,"volume":51234}',
        'Prices are rounded to the tick size 0.01; high >= max(open, close) and',
        'low <= min(open, close); volume is an integer.',
        '',
        'Live mode (default): symbols from --symbols, or the --symbol-count largest',
        `companies of the built-in table (${COMPANIES.length} US companies), tick in round-robin`,
        'order, so each symbol ticks every N/rate seconds of event time. Prices follow',
        'geometric Brownian motion per symbol: drift 7%/year, volatility per symbol',
        'from the table (e.g. AAPL 26%, TSLA 60%, KO 15%; 30% for symbols not in it);',
        'event time counts as trading time (1 year = 252 x 6.5 h). Each tick',
        'aggregates 4 GBM sub-steps since the symbol\'s previous tick and opens at its',
        'previous close. Volume follows the symbol\'s average daily volume with an',
        'intraday U-shape over 09:30-16:00 America/New_York (4x higher at the open and',
        'close than at midday; 3% outside the session and on weekends) and log-normal',
        'noise. Same --seed, --start, --rate and symbols => byte-identical output.',
        '',
        'Fan-out mode (--from-candles FILE): each daily candle of a CSV with columns',
        'Index, Date, Open, High, Low, Close, Volume (e.g. the Hang Seng file',
        'data/samples/market/hsi_daily.csv) becomes 390 one-minute ticks stamped',
        '09:30 ... 15:59 local time in --tz. Per day the first tick opens at the open,',
        'the last closes at the close, the ticks reach the high and the low and stay',
        'within them, and the integer volumes sum exactly to the day\'s volume',
        '(U-shaped; 0 stays 0). Candle prices are rounded to 0.01 first. Timestamps',
        'are the historical ones unless --rebase-to-now. The symbol is the Index',
        'column. A bad row (unparsable number or date, low/high not enclosing',
        'open/close, date not increasing) is an error naming its line. The run stops',
        'after the last candle (or at --count/--duration).',
        '',
        'Output goes to stdout unless --out, --out-dir or --kafka is given. Without',
        '--count or --duration live mode runs until SIGINT/SIGTERM, then flushes its',
        'output and exits 0. A one-line JSON summary (generator, seed, lines, seconds,',
        'linesPerSec, files, stoppedBy; with --kafka also topic, acks and send',
        'latencies) is always printed on stderr at exit.',
      ].join('\n'),
    );
  addRunOptions(cmd, { rate: TICKS_DEFAULT_RATE });
  cmd
    .addOption(new Option('--symbols <list>', 'live: comma-separated symbols, e.g. AAPL,MSFT,NVDA').argParser(parseSymbols).conflicts('symbolCount'))
    .addOption(
      new Option('--symbol-count <n>', `live: use the n largest companies of the table (1..${COMPANIES.length}; default ${TICKS_DEFAULT_SYMBOL_COUNT})`).argParser(
        parseInteger(1),
      ),
    )
    .addOption(new Option('--from-candles <file>', 'fan-out mode: daily candles CSV to fan out into one-minute ticks'))
    .addOption(new Option('--index <name>', 'fan-out: symbol to use when the CSV holds several Index values'))
    .addOption(new Option('--from <date>', 'fan-out: first day, YYYY-MM-DD (inclusive)').argParser(parseDay))
    .addOption(new Option('--to <date>', 'fan-out: last day, YYYY-MM-DD (inclusive)').argParser(parseDay))
    .addOption(new Option('--days <n>', 'fan-out: at most n days: the first n candles of the --from/--to range').argParser(parseInteger(1)))
    .addOption(
      new Option('--tz <zone>', 'fan-out: IANA time zone of the session (default: Asia/Hong_Kong when the Index is HSI, else America/New_York)').argParser(
        parseTimeZone,
      ),
    )
    .addOption(
      new Option('--rebase-to-now', 'fan-out: shift all timestamps so the first tick is stamped with the current time (gaps, nights included, are kept)'),
    );
  addKafkaOptions(cmd, 'ticks');
  cmd.addHelpText(
    'after',
    '\nExamples:\n' +
      '  npm run generate -- ticks --symbols AAPL,MSFT --count 10 --seed 1 --start 2025-06-02T13:30:00Z\n' +
      '  npm run generate -- ticks --symbol-count 50 --rate 500 --kafka            # topic market.ticks, key = symbol\n' +
      '  npm run generate -- ticks --from-candles data/samples/market/hsi_daily.csv --from 2009-01-01 --rate 0 --out .data/ticks/hsi.log\n',
  );
  cmd.action(async () => {
    const o = cmd.opts<TicksOptions>();
    const fail = (msg: string): never => cmd.error(`error: ${msg}`, { exitCode: 2, code: 'generate.invalidOptions' });
    if (o.fromCandles === undefined) {
      for (const [flag, v] of [['--index', o.index], ['--from', o.from], ['--to', o.to], ['--days', o.days], ['--tz', o.tz], ['--rebase-to-now', o.rebaseToNow]] as const) {
        if (v !== undefined) fail(`${flag} requires --from-candles`);
      }
      if (o.symbolCount !== undefined && o.symbolCount > COMPANIES.length) fail(`--symbol-count must be at most ${COMPANIES.length}`);
      const symbols = o.symbols ?? defaultSymbols(o.symbolCount ?? TICKS_DEFAULT_SYMBOL_COUNT);
      const rate = cmd.getOptionValue('rate') as number;
      // dt of each symbol's first tick = the round-robin interval (N symbols / rate); 1 ms per line unpaced.
      const firstIntervalMs = rate > 0 ? (symbols.length * 1000) / rate : symbols.length;
      await runGeneratorCommand(cmd, {
        name: 'ticks',
        dataset: 'ticks',
        create: (seed) => createLiveTickGenerator({ seed, symbols, firstIntervalMs }),
      });
      return;
    }
    if (o.symbols !== undefined || o.symbolCount !== undefined) fail('--symbols/--symbol-count are for live mode, not with --from-candles');
    if (o.start !== undefined) fail('--start is for live mode: fan-out timestamps are the candles\' (see --rebase-to-now)');
    if (o.from !== undefined && o.to !== undefined && o.from > o.to) fail('--from is after --to');
    const candles = selectCandles(await readCandlesFile(o.fromCandles), { symbol: o.index, from: o.from, to: o.to, days: o.days });
    if (candles.length === 0) throw new Error(`no candles in ${o.fromCandles} for the chosen range`);
    const timeZone = o.tz ?? defaultTimeZone((candles[0] as { symbol: string }).symbol);
    await runGeneratorCommand(cmd, {
      name: 'ticks',
      dataset: 'ticks',
      maxLines: candles.length * TICKS_PER_DAY,
      create: (seed) => createFanOutGenerator({ candles, seed, timeZone, rebaseToNow: o.rebaseToNow === true }),
    });
  });
  return cmd;
}
