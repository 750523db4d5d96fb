/**
 * Event-time clocks: what timestamp the n-th generated line carries.
 *
 * - {@link wallClock}: event time is the wall-clock time at which the line is
 *   generated (a live feed; output is not reproducible).
 * - {@link simulatedClock}: event time starts at a fixed instant and advances by
 *   exactly `1 / rate` seconds per line, independent of how fast lines are really
 *   written. Together with a fixed seed this makes output byte-identical across runs.
 *
 * @module generators/common/clock
 */

/** Step used by {@link simulatedClock} when the run is unpaced (`rate` 0): 1 ms per line. */
export const UNPACED_SIMULATED_STEP_MS = 1;

/** Source of event timestamps for generated lines. */
export interface EventClock {
  /** `true` if timestamps are simulated (deterministic), `false` for wall clock. */
  readonly simulated: boolean;
  /**
   * Event time of the line with 0-based sequence number `index`. Callers ask in
   * increasing index order; wall clocks ignore the index.
   */
  timeOf(index: number): Date;
}

/** Event time = `new Date()` at the moment the line is generated. */
export function wallClock(): EventClock {
  return { simulated: false, timeOf: () => new Date() };
}

/**
 * Simulated event time: line `i` gets `start + floor(i * 1000 / rate)` milliseconds
 * (computed from the index, not accumulated, so there is no floating-point drift).
 *
 * @param start time of line 0.
 * @param rate lines per second of event time; `0` (unpaced) means
 *   {@link UNPACED_SIMULATED_STEP_MS} ms per line.
 * @throws {RangeError} if `start` is an invalid date or `rate` is negative / not finite.
 */
export function simulatedClock(start: Date, rate: number): EventClock {
  const t0 = start.getTime();
  if (Number.isNaN(t0)) throw new RangeError('simulatedClock: invalid start date');
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`simulatedClock: invalid rate ${rate}`);
  if (rate === 0) {
    return { simulated: true, timeOf: (index) => new Date(t0 + index * UNPACED_SIMULATED_STEP_MS) };
  }
  // index * 1000 is exact for any realistic index, so one rounding step only.
  return { simulated: true, timeOf: (index) => new Date(t0 + Math.floor((index * 1000) / rate)) };
}
