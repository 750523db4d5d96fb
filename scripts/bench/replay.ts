/**
 * Pacing accuracy of the replay tool (`npm run replay -- --rate`/`--speed`) on the real broker: how far
 * the send times of consecutive events land from the schedule. These are figures of the machine and
 * its load (timers, GC, a produce round trip in flight), which is why the tests check only what holds
 * everywhere (order, counts, nothing early) and the tolerances live here.
 *
 * Send time = the record's CreateTime, which kafkajs stamps when the message is handed to the
 * producer. Gap error = |measured gap − scheduled gap| between consecutive events; span error =
 * |last − first − scheduled span| (the schedule is absolute, so errors must not accumulate).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createLiveTickGenerator } from '../../generators/ticks/index.js';
import { replay } from '../replay/replay.js';
import { fmt, percentile } from './stats.js';

/** Options of {@link benchReplay}. */
export interface ReplayBenchOptions {
  brokers: string[];
  /** Events per run. */
  events: number;
  /** Rate of the `--rate` run, events/s. */
  rate: number;
  log: (line: string) => void;
}

/** Figures of one paced run, all in ms except `eventsPerSec`. */
export interface PacingFigures {
  mode: string;
  events: number;
  gapErrorP50: number;
  gapErrorP95: number;
  gapErrorP99: number;
  gapErrorMax: number;
  spanError: number;
  eventsPerSec: number;
}

/** Reads every message of `topic` (expects `n`) and returns their CreateTimes keyed by value. */
async function sendTimes(kafka: Kafka, topic: string, n: number): Promise<Map<string, number>> {
  const consumer = kafka.consumer({ groupId: `bench-replay-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  const at = new Map<string, number>();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ message }) => {
        at.set(message.value?.toString('utf8') ?? '', Number(message.timestamp));
        if (at.size >= n) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, 120_000)))]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  if (at.size < n) throw new Error(`read ${at.size} of ${n} messages from ${topic}`);
  return at;
}

/** Compares measured send times of `lines` with the scheduled gaps `gapMs(i)` (i ≥ 1). */
function pacing(mode: string, lines: string[], at: Map<string, number>, gapMs: (i: number) => number, eventsPerSec: number): PacingFigures {
  const ts = lines.map((l) => at.get(l) as number);
  const errors: number[] = [];
  let scheduled = 0;
  for (let i = 1; i < ts.length; i++) {
    scheduled += gapMs(i);
    errors.push(Math.abs((ts[i] as number) - (ts[i - 1] as number) - gapMs(i)));
  }
  return {
    mode,
    events: lines.length,
    gapErrorP50: percentile(errors, 50),
    gapErrorP95: percentile(errors, 95),
    gapErrorP99: percentile(errors, 99),
    gapErrorMax: Math.max(...errors),
    spanError: Math.abs((ts[ts.length - 1] as number) - (ts[0] as number) - scheduled),
    eventsPerSec,
  };
}

/**
 * Replays tick lines into fresh topics twice — `--rate R` and `--speed 1` over recorded gaps of
 * 0–79 ms — and prints the pacing figures of each. Topics are deleted afterwards.
 * @throws when a topic does not receive every event.
 */
export async function benchReplay(o: ReplayBenchOptions): Promise<PacingFigures[]> {
  const kafka = new Kafka({ clientId: 'bench-replay', brokers: o.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-replay-'));
  const topics: string[] = [];
  const results: PacingFigures[] = [];
  try {
    const g = createLiveTickGenerator({ seed: 7, symbols: ['AAPL', 'MSFT', 'NVDA', 'KO', 'XOM'] });
    const recordedGap = (i: number): number => (i * 37) % 80;
    const t0 = Date.parse('2025-06-02T13:30:00Z');
    let t = t0;
    const lines = Array.from({ length: o.events }, (_, i) => g.next(new Date(i === 0 ? t : (t += recordedGap(i)))));
    const file = path.join(dir, 'ticks.ndjson');
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    const runs = [
      { mode: `rate ${o.rate}/s`, replayMode: { kind: 'rate', eventsPerSec: o.rate } as const, gap: () => 1000 / o.rate },
      { mode: 'speed 1 (recorded gaps 0–79 ms)', replayMode: { kind: 'speed', factor: 1 } as const, gap: recordedGap },
    ];
    for (const run of runs) {
      const topic = `bench.replay.${randomBytes(4).toString('hex')}`;
      topics.push(topic);
      o.log(`replay ${o.events} events, ${run.mode} …`);
      const s = await replay({ file, topic, brokers: o.brokers, mode: run.replayMode, stateDir: path.join(dir, 'state'), warn: () => undefined });
      const figures = pacing(run.mode, lines, await sendTimes(kafka, topic, o.events), run.gap, s.eventsPerSec);
      o.log(
        `  gap error p50 ${fmt(figures.gapErrorP50)} ms, p95 ${fmt(figures.gapErrorP95)} ms, p99 ${fmt(figures.gapErrorP99)} ms, ` +
          `max ${fmt(figures.gapErrorMax)} ms; span error ${fmt(figures.spanError)} ms; ${fmt(figures.eventsPerSec, 1)} events/s`,
      );
      results.push(figures);
    }
  } finally {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
