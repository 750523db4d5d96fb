/**
 * Daily candles from a CSV file such as `data/samples/market/hsi_daily.csv`
 * (header `Index,Date,Open,High,Low,Close,Adj Close,Volume,CloseUSD`).
 *
 * Parsing is lenient where the data allows and strict where it matters:
 * - columns are found by header name (case-insensitive): `Index` (the symbol), `Date`
 *   (`YYYY-MM-DD`), `Open`, `High`, `Low`, `Close`, `Volume`; other columns (`Adj Close`,
 *   `CloseUSD`) are ignored, so a damaged value there (the HSI file's last row ends in a cut-short
 *   `2913.` without newline) does not matter; CRLF and a missing final newline are fine; empty
 *   lines are skipped;
 * - volumes such as `1744637600.0` are accepted when they are whole numbers;
 * - a row that is unusable — too few fields, a non-numeric or non-positive price, a negative or
 *   fractional volume, an invalid date, `Low > min(Open, Close)` or `High < max(Open, Close)`, or a
 *   date not after the previous row of the same symbol — is an ERROR naming the file and line
 *   ({@link CandleError}): fan-out promises to respect every candle, so a bad candle is not skipped
 *   silently. (The HSI file has none.)
 *
 * @module generators/ticks/candles
 */
import { readFile } from 'node:fs/promises';

/** One daily candle. Prices as in the file (not rounded). */
export interface Candle {
  /** Value of the `Index` column, e.g. `HSI`. */
  symbol: string;
  /** Trading day, `YYYY-MM-DD`. */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Whole number ≥ 0. */
  volume: number;
  /** 1-based line number in the file (header = line 1). */
  line: number;
}

/** A bad row or header; `message` is `<source>:<line>: <reason>`. */
export class CandleError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${source}:${line}: ${reason}`);
    this.name = 'CandleError';
  }
}

const REQUIRED = ['index', 'date', 'open', 'high', 'low', 'close', 'volume'] as const;
type Column = (typeof REQUIRED)[number];

function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * Parses candle CSV text.
 * @param source file name used in error messages.
 * @returns the candles in file order.
 * @throws {CandleError} for a missing header column or a bad row (see the module documentation).
 */
export function parseCandlesCsv(text: string, source = 'candles.csv'): Candle[] {
  const lines = text.split('\n');
  let headerAt = -1;
  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] as string).trim() !== '') {
      headerAt = i;
      break;
    }
  }
  if (headerAt === -1) throw new CandleError(source, 1, 'empty file (no header)');
  const header = (lines[headerAt] as string).replace(/\r$/, '').split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const col = {} as Record<Column, number>;
  for (const name of REQUIRED) {
    const i = header.indexOf(name);
    if (i === -1) throw new CandleError(source, headerAt + 1, `header has no "${name}" column (found: ${header.join(', ')})`);
    col[name] = i;
  }
  const need = Math.max(...Object.values(col)) + 1;
  const lastDate = new Map<string, string>();
  const out: Candle[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = (lines[i] as string).replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const lineNo = i + 1;
    const f = raw.split(',');
    if (f.length < need) throw new CandleError(source, lineNo, `expected at least ${need} fields, got ${f.length}`);
    const field = (c: Column): string => (f[col[c]] as string).trim();
    const num = (c: Column): number => {
      const s = field(c);
      const n = s === '' ? Number.NaN : Number(s);
      if (!Number.isFinite(n)) throw new CandleError(source, lineNo, `${c} "${s}" is not a number`);
      return n;
    };
    const symbol = field('index');
    if (symbol === '') throw new CandleError(source, lineNo, 'empty Index');
    const date = field('date');
    if (!validDate(date)) throw new CandleError(source, lineNo, `Date "${date}" is not a YYYY-MM-DD calendar date`);
    const open = num('open');
    const high = num('high');
    const low = num('low');
    const close = num('close');
    const volume = num('volume');
    if (open <= 0 || high <= 0 || low <= 0 || close <= 0) throw new CandleError(source, lineNo, 'prices must be > 0');
    if (low > Math.min(open, close)) throw new CandleError(source, lineNo, `Low ${low} is above min(Open ${open}, Close ${close})`);
    if (high < Math.max(open, close)) throw new CandleError(source, lineNo, `High ${high} is below max(Open ${open}, Close ${close})`);
    if (volume < 0 || !Number.isSafeInteger(volume)) throw new CandleError(source, lineNo, `Volume ${volume} is not a whole number >= 0`);
    const prev = lastDate.get(symbol);
    if (prev !== undefined && date <= prev) throw new CandleError(source, lineNo, `Date ${date} is not after the previous ${symbol} row (${prev})`);
    lastDate.set(symbol, date);
    out.push({ symbol, date, open, high, low, close, volume, line: lineNo });
  }
  return out;
}

/**
 * Reads and parses a candle CSV file.
 * @throws {CandleError} as {@link parseCandlesCsv}; fs errors (ENOENT …) as they are.
 */
export async function readCandlesFile(file: string): Promise<Candle[]> {
  return parseCandlesCsv(await readFile(file, 'utf8'), file);
}

/** Options of {@link selectCandles}. */
export interface CandleSelection {
  /** Keep only this symbol (required when the file has several). */
  symbol?: string;
  /** First day to keep, `YYYY-MM-DD` (inclusive). */
  from?: string;
  /** Last day to keep, `YYYY-MM-DD` (inclusive). */
  to?: string;
  /** Keep at most this many days: the first N of the range. */
  days?: number;
}

/**
 * Filters candles by symbol and date range.
 * @throws {Error} when the file holds several symbols and none was chosen, or the chosen one is absent.
 */
export function selectCandles(candles: readonly Candle[], sel: CandleSelection): Candle[] {
  const symbols = [...new Set(candles.map((c) => c.symbol))];
  let symbol = sel.symbol;
  if (symbol === undefined) {
    if (symbols.length > 1) throw new Error(`the file holds several symbols (${symbols.join(', ')}): choose one with --index`);
    symbol = symbols[0];
  } else if (!symbols.includes(symbol)) {
    throw new Error(`symbol "${symbol}" is not in the file (found: ${symbols.join(', ') || 'none'})`);
  }
  let out = candles.filter((c) => c.symbol === symbol && (sel.from === undefined || c.date >= sel.from) && (sel.to === undefined || c.date <= sel.to));
  if (sel.days !== undefined) out = out.slice(0, sel.days);
  return out;
}
