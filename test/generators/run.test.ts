/**
 * Pacing, clocks and the run loop.
 */
import { describe, expect, it } from '@jest/globals';
import { simulatedClock, wallClock } from '../../generators/common/clock.js';
import { Pacer } from '../../generators/common/pacer.js';
import { createRandom } from '../../generators/common/random.js';
import { runGenerator, type LineGenerator } from '../../generators/common/run.js';
import type { LineWriter } from '../../generators/common/writers.js';
import { createWeblogGenerator } from '../../generators/weblogs/index.js';
import { START } from './helpers.js';

/** In-memory writer that records lines and closes. */
function memoryWriter(): LineWriter & { lines: string[]; closed: boolean } {
  return {
    lines: [],
    closed: false,
    files: 0,
    async write(lines) {
      this.lines.push(...lines);
    },
    async close() {
      this.closed = true;
    },
  };
}

const counter: LineGenerator = {
  next: (t) => t.toISOString(),
};

describe('Pacer', () => {
  it('releases exactly rate × elapsed lines over a long (simulated) run — no drift', async () => {
    let now = 0;
    const pacer = new Pacer({ rate: 1_000, now: () => now });
    const t0 = now;
    let released = await pacer.take(1_000_000); // starts the schedule at t0
    // One simulated hour in irregular steps of 2.3–4.7 ms: every call has something due, so no real sleeping.
    const rng = createRandom(1);
    while (now < 3_600_000) {
      now += 2.3 + rng.float() * 2.4;
      released += await pacer.take(1_000_000);
    }
    // Lines 0..k with k/rate <= elapsed, i.e. floor(elapsed ms * 1000 / 1000) + 1.
    expect(released).toBe(Math.floor(now - t0) + 1);
  });

  it('caps bursts at max and drops the backlog after a stall instead of flooding', async () => {
    let now = 0;
    const pacer = new Pacer({ rate: 10_000, now: () => now, maxLagMs: 1_000 });
    expect(await pacer.take(10)).toBe(1); // line 0 is due at t0
    now = 0.5;
    expect(await pacer.take(100)).toBe(5);
    now = 60_000; // a one-minute stall
    const burst = await pacer.take(1_000_000);
    expect(burst).toBeLessThanOrEqual(20);
    now += 1;
    expect(await pacer.take(1_000_000)).toBe(10);
  });

  it('returns 0 when aborted while waiting', async () => {
    const pacer = new Pacer({ rate: 0.1 });
    await pacer.take(1);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    expect(await pacer.take(1, ac.signal)).toBe(0);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new Pacer({ rate: 0 })).toThrow(RangeError);
  });
});

describe('clocks', () => {
  it('simulated clock advances exactly 1/rate per line', () => {
    const c = simulatedClock(START, 3);
    expect(c.timeOf(0).getTime()).toBe(START.getTime());
    expect(c.timeOf(3).getTime()).toBe(START.getTime() + 1_000);
    expect(c.timeOf(3 * 86_400).getTime()).toBe(START.getTime() + 86_400_000);
    expect(simulatedClock(START, 0).timeOf(5).getTime()).toBe(START.getTime() + 5);
  });

  it('wall clock follows Date.now', () => {
    const before = Date.now();
    const t = wallClock().timeOf(123).getTime();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});

describe('runGenerator', () => {
  it('paces --rate 2000 --count 1000: never faster than the rate (≥ 0.5 s)', async () => {
    const writer = memoryWriter();
    const t0 = performance.now();
    const summary = await runGenerator({ generator: createWeblogGenerator({ seed: 1 }), writer, rate: 2_000, count: 1_000 });
    const seconds = (performance.now() - t0) / 1000;
    expect(summary.lines).toBe(1_000);
    expect(writer.lines).toHaveLength(1_000);
    // Line i is due at i / rate: the last of 1,000 at 0.4995 s. How close to that a run lands is a
    // figure of the machine's load, not a bound (see `npm run bench -- replay`).
    expect(seconds).toBeGreaterThanOrEqual(0.499);
    expect(writer.closed).toBe(true);
  });

  it('paces a low rate line by line', async () => {
    const writer = memoryWriter();
    const t0 = performance.now();
    await runGenerator({ generator: counter, writer, rate: 20, count: 5 });
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(0.199); // lines at 0, 50, 100, 150, 200 ms
  });

  it('stops on abort and still returns a summary', async () => {
    const writer = memoryWriter();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = performance.now();
    const summary = await runGenerator({ generator: counter, writer, rate: 1_000, signal: ac.signal });
    const elapsedMs = performance.now() - t0;
    expect(summary.stoppedBy).toBe('signal');
    expect(summary.lines).toBeGreaterThan(0);
    // Never ahead of the rate: at most one line per ms elapsed, plus line 0 at t0.
    expect(summary.lines).toBeLessThanOrEqual(Math.floor(elapsedMs) + 1);
    expect(writer.closed).toBe(true);
  });

  it('stops after --duration with at most rate × duration lines', async () => {
    const writer = memoryWriter();
    const summary = await runGenerator({ generator: counter, writer, rate: 500, durationSec: 0.4 });
    expect(summary.stoppedBy).toBe('duration');
    // 200 on a machine that keeps up; fewer when a stall made the pacer drop its backlog (see the
    // pacer tests above for the exact counts on a simulated clock), never more.
    expect(summary.lines).toBeGreaterThan(0);
    expect(summary.lines).toBeLessThanOrEqual(200);
    expect(writer.lines).toHaveLength(summary.lines);
  });

  it('runs unpaced with rate 0 and stamps simulated event times', async () => {
    const writer = memoryWriter();
    const summary = await runGenerator({ generator: counter, writer, rate: 0, count: 2_500, clock: simulatedClock(START, 1_000) });
    expect(summary).toMatchObject({ lines: 2_500, stoppedBy: 'count', files: 0 });
    expect(writer.lines[0]).toBe(START.toISOString());
    expect(writer.lines[2_499]).toBe(new Date(START.getTime() + 2_499).toISOString());
  });

  it('rejects invalid options', async () => {
    await expect(runGenerator({ generator: counter, writer: memoryWriter(), rate: -1 })).rejects.toThrow(RangeError);
    await expect(runGenerator({ generator: counter, writer: memoryWriter(), rate: 1, count: 1.5 })).rejects.toThrow(RangeError);
  });
});
