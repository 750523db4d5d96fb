/**
 * A small log-bucketed latency histogram: constant memory for any number of samples, percentiles
 * with at most 2 % relative error (bucket `i` holds values in (0.01·1.02^(i-1), 0.01·1.02^i] ms;
 * the reported value is the bucket's upper bound, capped at the largest value seen).
 *
 * @module generators/kafka/latency
 */

/** Percentiles of a {@link LatencyHistogram}, in ms (2 decimals); all 0 when empty. */
export interface LatencySummary {
  /** Number of samples (weighted count). */
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

const MIN_MS = 0.01;
const GROWTH = Math.log(1.02);

/** Histogram of durations in milliseconds; see the module documentation. */
export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private n = 0;
  private sum = 0;
  private maxSeen = 0;

  /**
   * Adds `count` samples of `ms` milliseconds (negative values count as 0).
   * @throws {RangeError} if `ms` is not finite or `count` is not a positive integer.
   */
  record(ms: number, count = 1): void {
    if (!Number.isFinite(ms)) throw new RangeError(`latency must be finite, got ${ms}`);
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
    const v = Math.max(0, ms);
    const i = v <= MIN_MS ? 0 : Math.ceil(Math.log(v / MIN_MS) / GROWTH);
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + count);
    this.n += count;
    this.sum += v * count;
    if (v > this.maxSeen) this.maxSeen = v;
  }

  /** Number of samples recorded. */
  get count(): number {
    return this.n;
  }

  /**
   * The `p`-th percentile (nearest rank) in ms, 0 when empty.
   * @throws {RangeError} unless 0 < p <= 100.
   */
  percentile(p: number): number {
    if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
    if (this.n === 0) return 0;
    const rank = Math.ceil((p / 100) * this.n);
    let seen = 0;
    for (const i of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(i) as number;
      if (seen >= rank) return Math.min(this.maxSeen, i === 0 ? MIN_MS : MIN_MS * Math.exp(i * GROWTH));
    }
    return this.maxSeen;
  }

  /** p50/p95/p99/max/mean, rounded to 2 decimals. */
  summary(): LatencySummary {
    const r = (x: number): number => Math.round(x * 100) / 100;
    return {
      count: this.n,
      p50: r(this.percentile(50)),
      p95: r(this.percentile(95)),
      p99: r(this.percentile(99)),
      max: r(this.maxSeen),
      mean: r(this.n > 0 ? this.sum / this.n : 0),
    };
  }
}
