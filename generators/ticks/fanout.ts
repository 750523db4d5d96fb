/**
 * Fan-out mode of the ticks generator: each real daily candle becomes 390 one-minute ticks for the
 * session 09:30–16:00 in the exchange's local time, stamped 09:30, 09:31 … 15:59 (each bar labelled
 * by its start), such that for every day
 *
 * - the first tick opens at the day's open and the last tick closes at the day's close;
 * - the highest tick high equals the day's high and the lowest tick low the day's low, and every
 *   price lies within [low, high];
 * - each tick is a consistent bar (high ≥ max(open, close), low ≤ min(open, close)) and opens at the
 *   previous tick's close;
 * - the tick volumes are integers that sum exactly to the day's volume, distributed in an intraday
 *   U-shape ({@link intradayVolumeShape}) with ±30 % log-normal noise per minute; a day with volume 0
 *   gives 390 ticks of volume 0.
 *
 * All candle prices are first rounded to the tick size (0.01): the HSI file stores float32 noise such
 * as `2568.300049` for 2568.30, and the ticks are exact multiples of the tick size. "The day's open"
 * etc. above means the rounded value ({@link roundToTick}).
 *
 * Path model: 390 × 6 sub-steps (6 per minute) of a price path from the open to the close that passes
 * through the high and the low at two distinct sub-steps, drawn from the arcsine law (the law of the
 * time of a Brownian motion's maximum, so extremes fall more often near the open and the close).
 * Between these anchors the path is a Brownian bridge (step σ = ½ (high − low) / √2341), folded back
 * into [low, high] by reflection. A minute's open/close are the sub-step prices at its edges and its
 * high/low the extremes of its 7 sub-step prices. A day with high = low is flat.
 *
 * Session and zone: one uniform 390-minute session, in the zone given (`Asia/Hong_Kong` for the Hang
 * Seng Index). That is a simplification: the real HKEX day had a lunch break and different hours over
 * the years (e.g. 10:00–12:30 and 14:30–15:55 in the late 1980s; 09:30–12:00 and 13:00–16:00 since 2012).
 *
 * Determinism: the ticks of a day depend only on the seed, the symbol and the candle, not on which
 * other days are generated (a day's random stream is seeded with FNV-1a of `seed|symbol|date`), so
 * `--from`/`--to` select a slice of exactly the same ticks.
 *
 * @module generators/ticks/fanout
 */
import { createRandom, fnv1a32, type SeededRandom } from '../common/random.js';
import type { LineGenerator } from '../common/run.js';
import type { Candle } from './candles.js';
import { formatTick, fromTicks, tickDecimals, type Tick } from './format.js';
import { intradayVolumeShape, isValidTimeZone, SESSION_MINUTES, SESSION_OPEN_MINUTE, zonedTimeToUtc } from './session.js';

/** Ticks per day: one per minute of 09:30–16:00. */
export const TICKS_PER_DAY = SESSION_MINUTES;
/** Price-path sub-steps per one-minute tick. */
export const FANOUT_SUB_STEPS = 6;

/** Default zone of a symbol: `Asia/Hong_Kong` for `HSI`, else `America/New_York`. */
export function defaultTimeZone(symbol: string): string {
  return symbol === 'HSI' ? 'Asia/Hong_Kong' : 'America/New_York';
}

/** Options of {@link fanOutDay}. */
export interface FanOutOptions {
  /** Unsigned 32-bit integer seed. */
  seed: number;
  /** IANA zone of the exchange. */
  timeZone: string;
  /** Price increment (default 0.01). */
  tickSize?: number;
}

/** Position in [0, 1] from the arcsine law: sin²(πu/2) for u uniform. */
function arcsine(rng: SeededRandom): number {
  const s = Math.sin((Math.PI * rng.float()) / 2);
  return s * s;
}

/**
 * Splits `total` into integers proportional to `weights` that sum exactly to `total`
 * (largest-remainder method; ties go to the earlier index).
 */
export function allocateInteger(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const out = new Array<number>(weights.length).fill(0);
  if (total === 0 || sum <= 0) return out;
  const rema: Array<[number, number]> = [];
  let assigned = 0;
  for (let i = 0; i < weights.length; i++) {
    const exact = (total * (weights[i] as number)) / sum;
    const base = Math.floor(exact);
    out[i] = base;
    assigned += base;
    rema.push([exact - base, i]);
  }
  let left = total - assigned;
  rema.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % rema.length, left--) out[(rema[k] as [number, number])[1]] = (out[(rema[k] as [number, number])[1]] as number) + 1;
  return out;
}

/**
 * The 390 one-minute ticks of one daily candle; see the module documentation.
 * @throws {RangeError} for an unknown zone, a bad tick size or an inconsistent candle.
 */
export function fanOutDay(candle: Candle, options: FanOutOptions): Tick[] {
  const tick = options.tickSize ?? 0.01;
  const decimals = tickDecimals(tick);
  const rng = createRandom(fnv1a32(`${options.seed}|${candle.symbol}|${candle.date}`));
  const O = Math.round(candle.open / tick);
  const H = Math.round(candle.high / tick);
  const L = Math.round(candle.low / tick);
  const C = Math.round(candle.close / tick);
  if (!(L <= Math.min(O, C) && H >= Math.max(O, C))) throw new RangeError(`inconsistent candle ${candle.symbol} ${candle.date}`);

  const k = FANOUT_SUB_STEPS;
  const P = TICKS_PER_DAY * k + 1;
  // Path in units of ticks (floats), then rounded to integers.
  const path = new Float64Array(P);
  if (H === L) {
    path.fill(O);
  } else {
    const iH = 1 + Math.min(P - 3, Math.floor(arcsine(rng) * (P - 2)));
    let iL = iH;
    while (iL === iH) iL = 1 + Math.min(P - 3, Math.floor(arcsine(rng) * (P - 2)));
    const anchors: Array<[number, number]> = [
      [0, O],
      [iH, H],
      [iL, L],
      [P - 1, C],
    ];
    anchors.sort((a, b) => a[0] - b[0]);
    const sigma = (0.5 * (H - L)) / Math.sqrt(P);
    for (let a = 0; a < anchors.length - 1; a++) {
      const [i0, v0] = anchors[a] as [number, number];
      const [i1, v1] = anchors[a + 1] as [number, number];
      path[i0] = v0;
      // Brownian bridge from (i0, v0) to (i1, v1): random walk W with W(i0) = 0, pinned at i1.
      let w = 0;
      const walk: number[] = [0];
      for (let i = i0 + 1; i <= i1; i++) {
        w += sigma * rng.normal();
        walk.push(w);
      }
      const wEnd = walk[walk.length - 1] as number;
      const span = i1 - i0;
      for (let i = i0 + 1; i < i1; i++) {
        const s = (i - i0) / span;
        let x = v0 + (v1 - v0) * s + (walk[i - i0] as number) - s * wEnd;
        for (let r = 0; r < 4 && (x > H || x < L); r++) x = x > H ? 2 * H - x : 2 * L - x;
        path[i] = Math.min(H, Math.max(L, x));
      }
      path[i1] = v1;
    }
    for (let i = 0; i < P; i++) path[i] = Math.round(path[i] as number);
  }

  const weights = new Array<number>(TICKS_PER_DAY);
  for (let m = 0; m < TICKS_PER_DAY; m++) weights[m] = intradayVolumeShape((m + 0.5) / TICKS_PER_DAY) * Math.exp(0.3 * rng.normal());
  const volumes = allocateInteger(candle.volume, weights);

  const [y, mo, d] = candle.date.split('-').map(Number) as [number, number, number];
  const openMs = zonedTimeToUtc(y, mo, d, Math.floor(SESSION_OPEN_MINUTE / 60), SESSION_OPEN_MINUTE % 60, options.timeZone);
  const ticks: Tick[] = new Array<Tick>(TICKS_PER_DAY);
  for (let m = 0; m < TICKS_PER_DAY; m++) {
    const a = m * k;
    let hi = path[a] as number;
    let lo = hi;
    for (let i = a + 1; i <= a + k; i++) {
      const v = path[i] as number;
      if (v > hi) hi = v;
      if (v < lo) lo = v;
    }
    ticks[m] = {
      '@timestamp': new Date(openMs + m * 60_000).toISOString(),
      symbol: candle.symbol,
      open: fromTicks(path[a] as number, tick, decimals),
      high: fromTicks(hi, tick, decimals),
      low: fromTicks(lo, tick, decimals),
      close: fromTicks(path[a + k] as number, tick, decimals),
      volume: volumes[m] as number,
    };
  }
  return ticks;
}

/** Options of {@link createFanOutGenerator}. */
export interface FanOutGeneratorOptions {
  /** Candles of one symbol in date order (see `selectCandles`). */
  candles: readonly Candle[];
  seed: number;
  /** IANA zone (default {@link defaultTimeZone} of the first candle's symbol). */
  timeZone?: string;
  tickSize?: number;
  /**
   * Shift every timestamp by the same amount so the first tick is stamped with the wall-clock time
   * of the first `next()` call (gaps, including nights and weekends, are preserved).
   */
  rebaseToNow?: boolean;
  /** Wall clock for `rebaseToNow`, epoch ms (default `Date.now`). */
  now?: () => number;
}

/** The fan-out generator; see {@link createFanOutGenerator}. */
export interface FanOutGenerator extends LineGenerator {
  /** Next tick line; `eventTime` is ignored (timestamps are historical). @throws {RangeError} past the last tick. */
  next(eventTime?: Date): string;
  /** Same as {@link next}, as a record. */
  nextTick(): Tick;
  /** Total number of ticks (390 per candle). */
  readonly total: number;
  /** Zone used. */
  readonly timeZone: string;
}

/**
 * Streams the ticks of all `candles`, one day at a time (memory stays at one day).
 * @throws {RangeError} for an unknown zone.
 */
export function createFanOutGenerator(options: FanOutGeneratorOptions): FanOutGenerator {
  const { candles, seed } = options;
  const timeZone = options.timeZone ?? defaultTimeZone(candles[0]?.symbol ?? '');
  if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}"`);
  const now = options.now ?? Date.now;
  let day = 0;
  let dayTicks: Tick[] = [];
  let i = 0;
  let shiftMs: number | null = options.rebaseToNow ? null : 0;

  const nextTick = (): Tick => {
    while (i >= dayTicks.length) {
      const c = candles[day++];
      if (!c) throw new RangeError('fan-out: no more ticks');
      dayTicks = fanOutDay(c, { seed, timeZone, tickSize: options.tickSize });
      i = 0;
    }
    const t = dayTicks[i++] as Tick;
    if (shiftMs === null) shiftMs = now() - Date.parse(t['@timestamp']);
    if (shiftMs !== 0) return { ...t, '@timestamp': new Date(Date.parse(t['@timestamp']) + shiftMs).toISOString() };
    return t;
  };
  return {
    next: () => formatTick(nextTick()),
    nextTick,
    total: candles.length * TICKS_PER_DAY,
    timeZone,
  };
}
