/**
 * Seeded random source shared by all generators.
 *
 * One Mersenne-Twister randomizer (faker's default 53-bit MT19937, see
 * `generateMersenne53Randomizer` in @faker-js/faker) feeds both a dedicated
 * `Faker` instance (for words, usernames, product names …) and the fast numeric
 * helpers below, so a single seed fixes every random decision a generator makes.
 * The global `faker` export is never touched, so generators running in the
 * same process do not disturb each other.
 *
 * @module generators/common/random
 */
import { Faker, base, en, generateMersenne53Randomizer } from '@faker-js/faker';

/** Largest seed accepted by {@link createRandom} (seeds are unsigned 32-bit integers). */
export const MAX_SEED = 0xffff_ffff;

/**
 * A pre-computed weighted choice table (cumulative weights, binary search).
 * Build it once with {@link weightedTable} and draw from it with
 * {@link SeededRandom.weighted}; building is O(n), drawing is O(log n).
 */
export interface WeightedTable<T> {
  readonly items: readonly T[];
  /** Cumulative weights; `cumulative[i]` is the sum of weights 0..i. */
  readonly cumulative: Float64Array;
  readonly total: number;
}

/**
 * Builds a {@link WeightedTable} from `[item, weight]` pairs.
 *
 * @param entries pairs of item and non-negative weight (weights need not sum to 1).
 * @throws {RangeError} if there are no entries, a weight is negative or not finite,
 *   or all weights are zero.
 */
export function weightedTable<T>(entries: ReadonlyArray<readonly [T, number]>): WeightedTable<T> {
  if (entries.length === 0) throw new RangeError('weightedTable: no entries');
  const items: T[] = [];
  const cumulative = new Float64Array(entries.length);
  let total = 0;
  entries.forEach(([item, weight], i) => {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`weightedTable: invalid weight ${weight} at index ${i}`);
    }
    total += weight;
    items.push(item);
    cumulative[i] = total;
  });
  if (total <= 0) throw new RangeError('weightedTable: all weights are zero');
  return { items, cumulative, total };
}

/**
 * Deterministic random helpers. Every method consumes the shared MT19937
 * stream, so the sequence of calls (not wall time) determines the results.
 */
export interface SeededRandom {
  /** The seed this source was created with. */
  readonly seed: number;
  /**
   * Dedicated faker instance (`locale: [en, base]`) driven by the same stream.
   * Use it for text-like values; prefer the numeric helpers in hot paths (faster).
   */
  readonly faker: Faker;
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** `true` with probability `p` (p ≤ 0 never, p ≥ 1 always). */
  chance(p: number): boolean;
  /** Uniformly chosen element. @throws {RangeError} on an empty array. */
  pick<T>(items: readonly T[]): T;
  /** Element drawn according to the table's weights. */
  weighted<T>(table: WeightedTable<T>): T;
  /** Exponentially distributed value with the given mean (> 0). */
  exponential(mean: number): number;
  /** Standard normal deviate (Box–Muller). */
  normal(): number;
  /**
   * Log-normal value with the given median and shape `sigma` (σ of the
   * underlying normal), i.e. `median * exp(sigma * N(0,1))`.
   */
  logNormal(median: number, sigma: number): number;
  /** Geometric number of trials ≥ 1 with the given mean (≥ 1). */
  geometric(mean: number): number;
  /** Lower-case hex string of `length` characters. */
  hex(length: number): string;
}

/**
 * Creates a {@link SeededRandom} from an unsigned 32-bit integer seed.
 * The faker instance is seeded with `faker.seed(seed)`.
 *
 * @param seed integer in [0, {@link MAX_SEED}].
 * @throws {RangeError} if `seed` is not an integer in that range.
 */
export function createRandom(seed: number): SeededRandom {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`seed must be an integer in [0, ${MAX_SEED}], got ${seed}`);
  }
  const randomizer = generateMersenne53Randomizer();
  const faker = new Faker({ locale: [en, base], randomizer });
  faker.seed(seed);
  const float = (): number => randomizer.next();
  const HEX = '0123456789abcdef';
  let spareNormal: number | null = null;

  const normal = (): number => {
    if (spareNormal !== null) {
      const v = spareNormal;
      spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = float();
    const v = float();
    const r = Math.sqrt(-2 * Math.log(u));
    spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };

  return {
    seed,
    faker,
    float,
    int: (min, max) => min + Math.floor(float() * (max - min + 1)),
    chance: (p) => float() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick: empty array');
      return items[Math.floor(float() * items.length)] as T;
    },
    weighted<T>(table: WeightedTable<T>): T {
      const target = float() * table.total;
      const c = table.cumulative;
      let lo = 0;
      let hi = c.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((c[mid] as number) > target) hi = mid;
        else lo = mid + 1;
      }
      return table.items[lo] as T;
    },
    exponential: (mean) => {
      let u = 0;
      while (u === 0) u = float();
      return -Math.log(u) * mean;
    },
    normal,
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    geometric: (mean) => {
      if (mean <= 1) return 1;
      const p = 1 / mean;
      let u = 0;
      while (u === 0) u = float();
      return 1 + Math.floor(Math.log(u) / Math.log(1 - p));
    },
    hex: (length) => {
      let s = '';
      for (let i = 0; i < length; i++) s += HEX[Math.floor(float() * 16)];
      return s;
    },
  };
}

/**
 * A fresh seed for runs where the user gave none: uniform in [0, {@link MAX_SEED}],
 * from `Math.random` (not reproducible — report it so the run can be repeated).
 */
export function randomSeed(): number {
  return Math.floor(Math.random() * (MAX_SEED + 1));
}

/**
 * 32-bit FNV-1a hash of a string, as an unsigned integer. Used to derive stable
 * per-key properties (e.g. the size of a static file) that must not depend on
 * the random stream. Algorithm: Fowler–Noll–Vo, FNV-1a variant (offset basis
 * 2166136261, prime 16777619), http://www.isthe.com/chongo/tech/comp/fnv/.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
