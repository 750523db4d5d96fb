/**
 * The tick record (an OHLCV bar) and price rounding to a tick size.
 *
 * Line format, one JSON object per line, keys in this order:
 *
 *     {"@timestamp":"2025-06-02T13:30:00.000Z","symbol":"AAPL","open":225.1,"high":225.34,"low":224.98,"close":225.2,"volume":51234}
 *
 * Prices are numbers rounded to the instrument's tick size (US stocks and the Hang Seng Index here
 * both use 0.01: SEC Regulation NMS Rule 612 sets a $0.01 minimum increment for quotes of $1.00 or
 * more; the index is published in points with two decimals), so `JSON.stringify` prints them with
 * at most two decimals. `high >= max(open, close)`, `low <= min(open, close)`, `volume` is a
 * non-negative integer (shares, or index turnover units for an index).
 *
 * @module generators/ticks/format
 */

/** One OHLCV tick, in output key order. */
export interface Tick {
  /** ISO-8601 UTC with milliseconds. */
  '@timestamp': string;
  symbol: string;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Non-negative integer. */
  volume: number;
}

/** Number of decimals of a tick size such as 0.01 (2) or 0.05 (2) or 1 (0); at most 8. */
export function tickDecimals(tickSize: number): number {
  for (let d = 0; d <= 8; d++) {
    const scaled = tickSize * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return d;
  }
  return 8;
}

/**
 * Rounds `price` to the nearest multiple of `tickSize` (half away from zero on exact ties of the
 * binary value), returned as the double closest to that decimal (so `JSON.stringify` prints e.g.
 * `2568.3`, never `2568.2999999999997`).
 * @throws {RangeError} if `tickSize` is not a positive finite number.
 */
export function roundToTick(price: number, tickSize = 0.01): number {
  if (!(tickSize > 0) || !Number.isFinite(tickSize)) throw new RangeError(`tick size must be > 0, got ${tickSize}`);
  return fromTicks(Math.round(price / tickSize), tickSize);
}

/**
 * `n` ticks as a price: `n * tickSize` as the double closest to the decimal value. For tick sizes
 * 10^-d (0.01 …) this is `n / 10^d`, which IEEE-754 division rounds correctly to exactly that double.
 */
export function fromTicks(n: number, tickSize: number, decimals = tickDecimals(tickSize)): number {
  const scale = 10 ** decimals;
  if (Math.round(tickSize * scale) === 1) return n / scale;
  return Number((n * tickSize).toFixed(decimals));
}

/** Serialises a tick as its JSON line (no newline). */
export function formatTick(t: Tick): string {
  return JSON.stringify(t);
}
