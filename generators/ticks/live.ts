/**
 * Live mode of the ticks generator: a random-walk market of many symbols.
 *
 * Price model — geometric Brownian motion per symbol (Black–Scholes dynamics,
 * dS = μ S dt + σ S dW), simulated exactly in log space:
 *
 *     S(t+h) = S(t) · exp((μ − σ²/2) h + σ √h Z),   Z ~ N(0, 1)
 *
 * - σ (annualised volatility) and the starting price come from the company table
 *   (`generators/news/companies.ts`: e.g. AAPL σ = 0.26 from $225, TSLA σ = 0.60 from $250,
 *   KO σ = 0.15 from $70); symbols not in the table get σ = 0.30 and a price between $20 and $300
 *   derived from the symbol's hash. μ (annual drift) is 0.07 for every symbol.
 * - Time: `dt` of a tick is the event time elapsed since the same symbol's previous tick (the first
 *   tick of a symbol uses `firstIntervalMs`). Symbols tick in round-robin order, so with N symbols
 *   and `--rate R` each symbol ticks every N/R seconds. Event time is treated as trading time:
 *   a year is 252 sessions of 6.5 h = 5,896,800 s, so σ applies per year of open market.
 * - Each tick aggregates `subSteps` (default 4) GBM steps of h = dt/subSteps: open = previous close,
 *   high/low = extremes of open and all sub-step prices, close = last sub-step, all rounded to the
 *   tick size 0.01 (so O/H/L/C are consistent by construction, and open = previous close).
 *
 * Volume: `adv · dt / 23,400 s · shape · noise`, rounded to an integer, where `adv` is the symbol's
 * average daily volume, `shape` the intraday U ({@link intradayVolumeShape}) during 09:30–16:00
 * America/New_York on weekdays and 0.03 outside it (thin extended-hours trading), and `noise` is
 * log-normal with σ = 0.5 and mean 1.
 *
 * Determinism: output depends only on `seed`, the symbol list and the event times passed to `next()`.
 *
 * @module generators/ticks/live
 */
import { createRandom, fnv1a32 } from '../common/random.js';
import type { LineGenerator } from '../common/run.js';
import { COMPANIES, companyByTicker } from '../news/companies.js';
import { formatTick, fromTicks, tickDecimals, type Tick } from './format.js';
import { intradayVolumeShape, SessionClock } from './session.js';

/** Trading seconds per year: 252 sessions × 6.5 h. */
export const TRADING_SECONDS_PER_YEAR = 252 * 6.5 * 3600;
/** Length of the regular session in seconds (6.5 h). */
export const SESSION_SECONDS = 6.5 * 3600;
/** Annual drift μ of every symbol. */
export const LIVE_DRIFT = 0.07;
/** Volume factor outside the regular session. */
export const OFF_SESSION_VOLUME = 0.03;

/** Model parameters of one symbol. */
export interface Instrument {
  symbol: string;
  /** Starting price, USD. */
  price: number;
  /** Annualised volatility σ. */
  volatility: number;
  /** Annual drift μ. */
  drift: number;
  /** Average daily volume, shares. */
  adv: number;
  /** Price increment (0.01). */
  tickSize: number;
}

/** Ticker syntax accepted for `--symbols`: 1–10 of A–Z, 0–9, `.`, `-`, starting with a letter. */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,9}$/;

/**
 * The model parameters of `symbol`: from the company table if it is there, else σ = 0.30,
 * price $20–$300 and adv 2–20 M shares from its FNV-1a hash.
 * @throws {RangeError} if `symbol` does not match {@link SYMBOL_PATTERN}.
 */
export function instrumentFor(symbol: string): Instrument {
  if (!SYMBOL_PATTERN.test(symbol)) throw new RangeError(`invalid symbol "${symbol}"`);
  const c = companyByTicker(symbol);
  if (c) return { symbol, price: c.price, volatility: c.volatility, drift: LIVE_DRIFT, adv: c.adv, tickSize: 0.01 };
  const h = fnv1a32(symbol);
  return { symbol, price: 20 + (h % 28_000) / 100, volatility: 0.3, drift: LIVE_DRIFT, adv: (2 + ((h >>> 16) % 19)) * 1_000_000, tickSize: 0.01 };
}

/** The first `n` tickers of the company table (largest companies first). @throws {RangeError} unless 1 <= n <= table size. */
export function defaultSymbols(n: number): string[] {
  if (!Number.isInteger(n) || n < 1 || n > COMPANIES.length) throw new RangeError(`symbol count must be in [1, ${COMPANIES.length}], got ${n}`);
  return COMPANIES.slice(0, n).map((c) => c.ticker);
}

/** Options of {@link createLiveTickGenerator}. */
export interface LiveTickOptions {
  /** Unsigned 32-bit integer seed. */
  seed: number;
  /** Symbols, ticked in this order round-robin; non-empty, no duplicates. */
  symbols: readonly string[];
  /** GBM steps per tick (default 4). */
  subSteps?: number;
  /** `dt` of each symbol's first tick, ms (default 1,000). */
  firstIntervalMs?: number;
  /** Zone of the 09:30–16:00 session for the volume shape (default `America/New_York`). */
  timeZone?: string;
}

/** The live tick generator; see {@link createLiveTickGenerator}. */
export interface LiveTickGenerator extends LineGenerator {
  /** Next tick as a JSON line stamped with `eventTime`. */
  next(eventTime: Date): string;
  /** Same as {@link next}, as a record. */
  nextTick(eventTime: Date): Tick;
  /** The instruments, in tick order. */
  readonly instruments: readonly Instrument[];
}

interface State {
  inst: Instrument;
  /** Unrounded last price. */
  price: number;
  lastMs: number | null;
  decimals: number;
}

/**
 * Creates a deterministic live tick generator; see the module documentation.
 * @throws {RangeError} for an invalid seed, empty or duplicate symbols, invalid symbols,
 *   `subSteps` < 1, a negative `firstIntervalMs` or an unknown time zone.
 */
export function createLiveTickGenerator(options: LiveTickOptions): LiveTickGenerator {
  const rng = createRandom(options.seed);
  const subSteps = options.subSteps ?? 4;
  const firstIntervalMs = options.firstIntervalMs ?? 1_000;
  if (!Number.isInteger(subSteps) || subSteps < 1) throw new RangeError(`subSteps must be a positive integer, got ${subSteps}`);
  if (!(firstIntervalMs >= 0)) throw new RangeError(`firstIntervalMs must be >= 0, got ${firstIntervalMs}`);
  if (options.symbols.length === 0) throw new RangeError('no symbols');
  if (new Set(options.symbols).size !== options.symbols.length) throw new RangeError('duplicate symbols');
  const session = new SessionClock(options.timeZone ?? 'America/New_York');
  const states: State[] = options.symbols.map((s) => {
    const inst = instrumentFor(s);
    return { inst, price: inst.price, lastMs: null, decimals: tickDecimals(inst.tickSize) };
  });
  let turn = 0;

  const nextTick = (eventTime: Date): Tick => {
    const now = eventTime.getTime();
    if (Number.isNaN(now)) throw new RangeError('next: invalid event time');
    const st = states[turn] as State;
    turn = (turn + 1) % states.length;
    const { inst } = st;
    const dtSec = st.lastMs === null ? firstIntervalMs / 1000 : Math.max(0, now - st.lastMs) / 1000;
    st.lastMs = now;

    const tick = inst.tickSize;
    const h = dtSec / TRADING_SECONDS_PER_YEAR / subSteps;
    const drift = (inst.drift - (inst.volatility * inst.volatility) / 2) * h;
    const diffusion = inst.volatility * Math.sqrt(h);
    const openN = Math.round(st.price / tick);
    let highN = openN;
    let lowN = openN;
    let p = st.price;
    for (let k = 0; k < subSteps; k++) {
      p = Math.max(tick, p * Math.exp(drift + diffusion * rng.normal()));
      const n = Math.round(p / tick);
      if (n > highN) highN = n;
      if (n < lowN) lowN = n;
    }
    st.price = p;
    const closeN = Math.round(p / tick);

    const x = session.sessionFraction(now);
    const shape = x === null ? OFF_SESSION_VOLUME : intradayVolumeShape(x);
    const noise = Math.exp(0.5 * rng.normal() - 0.125);
    const volume = Math.max(0, Math.round(((inst.adv * dtSec) / SESSION_SECONDS) * shape * noise));

    return {
      '@timestamp': eventTime.toISOString(),
      symbol: inst.symbol,
      open: fromTicks(openN, tick, st.decimals),
      high: fromTicks(highN, tick, st.decimals),
      low: fromTicks(lowN, tick, st.decimals),
      close: fromTicks(closeN, tick, st.decimals),
      volume,
    };
  };

  return {
    next: (eventTime) => formatTick(nextTick(eventTime)),
    nextTick,
    instruments: states.map((s) => s.inst),
  };
}
