/**
 * Rate pacer: releases lines at a steady rate (lines per second) measured on the
 * monotonic clock (`performance.now()`).
 *
 * The schedule is absolute: line `k` (0-based) is due at `t0 + k / rate`, so
 * rounding and timer jitter never accumulate — after an hour at 1,000 lines/s
 * exactly ~3,600,000 lines have been released. Low rates (≤ ~500/s) sleep until
 * each individual line is due; high rates sleep at least `minTickMs` and then
 * release everything that became due meanwhile as one small burst (e.g.
 * 100,000 lines/s with a 2 ms tick ⇒ bursts of ~200 lines), because Node timers
 * cannot fire more often than about once per millisecond.
 *
 * If the consumer stalls and falls more than `maxLagMs` behind schedule, the
 * schedule is re-based so that the backlog is dropped instead of being flushed
 * as one huge burst; this is the only case in which the long-run average falls
 * below `rate` (the consumer could not keep up anyway).
 *
 * @module generators/common/pacer
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

/** Options of {@link Pacer}. */
export interface PacerOptions {
  /** Lines per second (> 0, finite). Use no pacer at all for unpaced runs. */
  rate: number;
  /** Shortest sleep between bursts in ms (default 2). */
  minTickMs?: number;
  /** Backlog (in ms of schedule) after which the schedule is re-based (default 1000). */
  maxLagMs?: number;
  /** Monotonic clock in ms (default `performance.now`); injectable for tests. */
  now?: () => number;
}

/** Paces consumers to a fixed rate; see the module documentation. */
export class Pacer {
  readonly rate: number;
  private readonly minTickMs: number;
  private readonly maxLagMs: number;
  private readonly now: () => number;
  private t0: number | null = null;
  /** Lines released so far (relative to the current `t0`). */
  private released = 0;

  /** @throws {RangeError} if `rate` is not a positive finite number. */
  constructor(options: PacerOptions) {
    if (!Number.isFinite(options.rate) || options.rate <= 0) {
      throw new RangeError(`Pacer: rate must be a positive finite number, got ${options.rate}`);
    }
    this.rate = options.rate;
    this.minTickMs = options.minTickMs ?? 2;
    this.maxLagMs = options.maxLagMs ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Waits until at least one line is due and returns how many may be emitted
   * now (1..`max`). The first call returns immediately (line 0 is due at start).
   *
   * @param max upper bound for the returned count (≥ 1).
   * @param signal aborts the wait; the promise then resolves to 0.
   * @returns the number of lines granted, or 0 if `signal` was aborted.
   */
  async take(max: number, signal?: AbortSignal): Promise<number> {
    if (this.t0 === null) this.t0 = this.now();
    for (;;) {
      if (signal?.aborted) return 0;
      const now = this.now();
      const elapsed = now - this.t0;
      // Lines with index k <= elapsed * rate / 1000 are due.
      let due = Math.floor((elapsed * this.rate) / 1000) + 1 - this.released;
      if (due > 0) {
        const lagMs = (due * 1000) / this.rate;
        if (lagMs > this.maxLagMs) {
          // Re-base: pretend the schedule started so that only one burst is pending.
          const keep = Math.max(1, Math.min(max, Math.ceil((this.minTickMs * this.rate) / 1000)));
          this.t0 = now - ((this.released + keep - 1) * 1000) / this.rate;
          due = keep;
        }
        const n = Math.min(due, max);
        this.released += n;
        return n;
      }
      const nextDueAt = this.t0 + (this.released * 1000) / this.rate;
      const wait = Math.max(nextDueAt - now, this.minTickMs);
      try {
        await sleepMs(wait, undefined, signal ? { signal } : undefined);
      } catch (err) {
        if ((err as { name?: string }).name === 'AbortError') return 0;
        throw err;
      }
    }
  }
}
