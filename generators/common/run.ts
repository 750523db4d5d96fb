/**
 * The generic run loop: pull lines from a {@link LineGenerator}, stamp them
 * with event time from an {@link EventClock}, pace them with a {@link Pacer}
 * and hand them to a {@link LineWriter} in small chunks.
 *
 * @module generators/common/run
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { wallClock, type EventClock } from './clock.js';
import { Pacer } from './pacer.js';
import type { LineWriter } from './writers.js';

/** Anything that produces one text line (without newline) for a given event time. */
export interface LineGenerator {
  /**
   * Produces the next line. `eventTime` is non-decreasing across calls for the
   * built-in clocks; generators must be deterministic given their seed and the
   * sequence of event times.
   */
  next(eventTime: Date): string;
}

/** Progress snapshot passed to {@link RunOptions.onProgress}. */
export interface RunProgress {
  /** Lines written so far. */
  lines: number;
  /** Wall seconds since the run started. */
  seconds: number;
  /** `lines / seconds` (0 before the first millisecond). */
  linesPerSec: number;
}

/** Why a run ended. */
export type StopReason = 'count' | 'duration' | 'signal';

/** Result of {@link runGenerator}. */
export interface RunSummary {
  /** Lines handed to the writer. */
  lines: number;
  /** Wall seconds from start to the writer being closed (3 decimals). */
  seconds: number;
  /** Average lines per wall second (1 decimal). */
  linesPerSec: number;
  /** Files created/appended to ({@link LineWriter.files}); 0 for stdout. */
  files: number;
  /** What ended the run. */
  stoppedBy: StopReason;
}

/** Options of {@link runGenerator}. */
export interface RunOptions {
  generator: LineGenerator;
  /** Destination; always closed (flushed) before `runGenerator` resolves or rejects. */
  writer: LineWriter;
  /** Lines per wall second (> 0), or 0 for unpaced (as fast as the writer accepts). */
  rate: number;
  /** Stop after this many lines (non-negative integer). */
  count?: number;
  /** Stop after this many wall seconds (> 0). When paced, at most `ceil(rate * durationSec)` lines. */
  durationSec?: number;
  /** Event-time source (default {@link wallClock}). */
  clock?: EventClock;
  /** Aborting stops the run after the current chunk; the summary is still returned. */
  signal?: AbortSignal;
  /** Called at most every `progressIntervalMs` and once at the end. */
  onProgress?: (progress: RunProgress) => void;
  /** Minimum interval between `onProgress` calls (default 250 ms). */
  progressIntervalMs?: number;
  /** Largest chunk passed to `writer.write` (default 1000 lines). */
  maxChunk?: number;
}

/**
 * Runs a generator until `count` lines, `durationSec` wall seconds or an abort
 * of `signal` — whichever comes first; with none of them it runs until aborted.
 * Event time of line `i` is `clock.timeOf(i)`.
 *
 * @returns the {@link RunSummary}; an abort is a normal stop, not an error.
 * @throws {RangeError} for an invalid rate, count, duration or chunk size.
 * @throws whatever the generator or writer throws (the writer is closed first).
 */
export async function runGenerator(options: RunOptions): Promise<RunSummary> {
  const { generator, writer, rate, count, durationSec, signal, onProgress } = options;
  const clock = options.clock ?? wallClock();
  const maxChunk = options.maxChunk ?? 1000;
  const progressIntervalMs = options.progressIntervalMs ?? 250;
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`rate must be >= 0, got ${rate}`);
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  if (durationSec !== undefined && (!Number.isFinite(durationSec) || durationSec <= 0)) {
    throw new RangeError(`durationSec must be > 0, got ${durationSec}`);
  }
  if (!Number.isInteger(maxChunk) || maxChunk < 1) throw new RangeError(`maxChunk must be >= 1, got ${maxChunk}`);

  const pacer = rate > 0 ? new Pacer({ rate }) : null;
  let limit = count ?? Infinity;
  if (pacer && durationSec !== undefined) limit = Math.min(limit, Math.ceil(rate * durationSec));
  const started = performance.now();
  const deadline = durationSec !== undefined ? started + durationSec * 1000 : Infinity;
  let lines = 0;
  let lastProgress = started;
  let lastYield = started;
  let stoppedBy: StopReason = 'signal';

  const progress = (now: number): RunProgress => {
    const seconds = (now - started) / 1000;
    return { lines, seconds, linesPerSec: seconds > 0 ? lines / seconds : 0 };
  };

  try {
    for (;;) {
      if (lines >= limit) {
        stoppedBy = count !== undefined && lines >= count ? 'count' : 'duration';
        break;
      }
      if (signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (performance.now() >= deadline) {
        stoppedBy = 'duration';
        break;
      }
      const want = Math.min(maxChunk, limit - lines);
      let n: number;
      if (pacer) {
        n = await pacer.take(want, signal);
        if (n === 0) continue; // aborted: the loop head reports it
      } else {
        n = want;
      }
      const chunk: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) chunk[i] = generator.next(clock.timeOf(lines + i));
      await writer.write(chunk);
      lines += n;
      const now = performance.now();
      if (onProgress && now - lastProgress >= progressIntervalMs) {
        lastProgress = now;
        onProgress(progress(now));
      }
      // Unpaced runs (and paced runs that cannot keep up) never sleep in the pacer; give timers,
      // I/O callbacks and signal handlers a turn at least every 10 ms.
      if (now - lastYield >= 10) {
        lastYield = now;
        await yieldToEventLoop();
      }
    }
  } finally {
    await writer.close();
  }
  const end = performance.now();
  onProgress?.(progress(end));
  const seconds = (end - started) / 1000;
  return {
    lines,
    seconds: Math.round(seconds * 1000) / 1000,
    linesPerSec: seconds > 0 ? Math.round((lines / seconds) * 10) / 10 : 0,
    files: writer.files,
    stoppedBy,
  };
}
