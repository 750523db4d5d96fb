/**
 * The replay tool (`npm run replay`) and `generate --kafka` against the REAL local Kafka broker
 * (`npm run stack -- up`, or KAFKA_BROKERS). Every test writes to its own fresh topic and reads it
 * back with a kafkajs consumer; exact message counts come from the partitions' offsets, so a
 * duplicate anywhere in the topic fails the test.
 *
 * Pacing (`--speed`, `--rate`) is checked for what holds on any machine, however loaded: every line
 * is delivered once and in order, and no line leaves before it is due (the schedule is absolute from
 * the start of the replay, so line i's send time is at least start + its offset). How close to the
 * schedule the sends land (gap errors, span error, events/s) is a figure, not a pass/fail bound: it
 * depends on the machine's load and is printed by `npm run bench -- replay`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_DATASETS, resolveBrokers, type DatasetName } from '../../generators/kafka/index.js';
import { createNewsGenerator } from '../../generators/news/index.js';
import { createLiveTickGenerator } from '../../generators/ticks/index.js';
import { readPosition } from '../../scripts/replay/position.js';
import { replay, type ReplaySummary } from '../../scripts/replay/replay.js';
import { eventTimeOf, locateTimestamp } from '../../scripts/replay/timestamps.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const realAccessLog = path.resolve(root, 'data/samples/weblogs/apache_logs');
const brokers = resolveBrokers();
const kafka = new Kafka({ clientId: 'replay-test', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'replay-test-'));
const children: ChildProcess[] = [];
const quiet = { warn: () => undefined };

/**
 * The --follow test knows the tool has read a cut line from the file's atime: decided here, before the
 * tests, whether this file system updates atime on a read after a write (relatime or strictatime do;
 * noatime does not, and the test is then skipped with the reason printed).
 */
const atimeOnRead = await (async () => {
  const probe = path.join(tmpRoot, 'atime-probe');
  writeFileSync(probe, 'x');
  const written = statSync(probe).mtimeMs;
  await new Promise((r) => setTimeout(r, 30)); // past the coarse clock tick of the write
  readFileSync(probe);
  return statSync(probe).atimeMs > written;
})();
if (!atimeOnRead) console.warn(`replay --follow test skipped: ${tmpRoot} does not update atime on read (noatime), the signal that the tool has read a cut line`);

beforeAll(async () => {
  await admin.connect();
});

const createdTopics: string[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await admin.deleteTopics({ topics: createdTopics }).catch(() => undefined);
  await admin.disconnect();
  rmSync(tmpRoot, { recursive: true, force: true });
});

// ---- helpers ----------------------------------------------------------------------------------

/** A fresh topic name (deleted after the tests). */
function uniqueTopic(name: string): string {
  const topic = `test.replay.${name}.${randomBytes(4).toString('hex')}`;
  createdTopics.push(topic);
  return topic;
}

function tmpFile(name: string, lines: readonly string[] = []): string {
  const dir = mkdtempSync(path.join(tmpRoot, `${name}-`));
  const file = path.join(dir, name);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

interface Consumed {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  /** Record timestamp (CreateTime = send time), epoch ms. */
  timestamp: number;
}

/** Messages in the topic, from the partitions' offsets (exact, counts duplicates too). */
async function messageCount(topic: string): Promise<number> {
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } catch {
    return 0; // topic not created yet
  }
}

/** Polls `probe` every 20 ms until true. @throws after `timeoutMs` naming `what`. */
async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForCount(topic: string, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await messageCount(topic)) >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${n} messages in ${topic} (have ${await messageCount(topic)})`);
}

/** Reads the whole topic (expects `expected` messages) in partition/offset order. */
async function consumeAll(topic: string, expected: number, timeoutMs = 60_000): Promise<Consumed[]> {
  const consumer = kafka.consumer({ groupId: `replay-test-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  const out: Consumed[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
          timestamp: Number(message.timestamp),
        });
        if (out.length >= expected) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

function countBy(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/**
 * Every line exactly once, keys as the dataset defines them, each key on one partition, and per
 * key the messages in file order.
 */
function expectDelivered(lines: readonly string[], msgs: readonly Consumed[], dataset: DatasetName): void {
  expect(msgs).toHaveLength(lines.length);
  expect(countBy(msgs.map((m) => m.value))).toEqual(countBy(lines));
  const keyOf = KAFKA_DATASETS[dataset].key;
  for (const m of msgs) expect(m.key).toBe(keyOf(m.value));
  const expectedByKey = new Map<string, string[]>();
  for (const l of lines) {
    const k = keyOf(l) ?? '';
    if (!expectedByKey.has(k)) expectedByKey.set(k, []);
    expectedByKey.get(k)?.push(l);
  }
  const gotByKey = new Map<string, string[]>();
  const partitionOf = new Map<string, number>();
  for (const m of msgs) {
    const k = m.key ?? '';
    if (!gotByKey.has(k)) gotByKey.set(k, []);
    gotByKey.get(k)?.push(m.value);
    expect(partitionOf.get(k) ?? m.partition).toBe(m.partition);
    partitionOf.set(k, m.partition);
  }
  expect(gotByKey.size).toBe(expectedByKey.size);
  for (const [k, seq] of expectedByKey) expect(gotByKey.get(k)).toEqual(seq);
}

interface Cli {
  proc: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | string>;
}

function startCli(script: string, args: string[]): Cli {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, script), ...args], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { proc, stderr: () => err, stdout: () => out, exited };
}

async function runCli(script: string, args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const c = startCli(script, args);
  const code = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

function summaryOf(stderr: string): Record<string, unknown> {
  const last = stderr.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

function linesOf(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

function newsLines(n: number, seed: number, start: number, gapMs: (i: number) => number): string[] {
  const g = createNewsGenerator({ seed });
  const out: string[] = [];
  let t = start;
  for (let i = 0; i < n; i++) {
    if (i > 0) t += gapMs(i);
    out.push(g.next(new Date(t)));
  }
  return out;
}

function tickLines(n: number, seed: number, symbols: number): string[] {
  const syms = ['AAPL', 'MSFT', 'NVDA', 'GOOGL', 'AMZN', 'META', 'TSLA', 'JPM', 'XOM', 'KO', 'PEP', 'NFLX', 'AMD', 'INTC', 'BA', 'DIS', 'NKE', 'GS', 'C', 'F'];
  const g = createLiveTickGenerator({ seed, symbols: syms.slice(0, symbols) });
  const t0 = Date.parse('2025-06-02T13:30:00Z');
  return Array.from({ length: n }, (_, i) => g.next(new Date(t0 + i * 50)));
}

/** Synthetic combined-log lines (unique targets) at `start` + i × gap seconds, in zone +0200. */
function weblogLines(n: number, startUtcMs: number, gapSec: (i: number) => number): string[] {
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (x: number): string => String(x).padStart(2, '0');
  const out: string[] = [];
  let t = startUtcMs;
  for (let i = 0; i < n; i++) {
    if (i > 0) t += gapSec(i) * 1000;
    const l = new Date(t + 2 * 3_600_000);
    const stamp = `${p(l.getUTCDate())}/${MONTHS[l.getUTCMonth()]}/${l.getUTCFullYear()}:${p(l.getUTCHours())}:${p(l.getUTCMinutes())}:${p(l.getUTCSeconds())} +0200`;
    out.push(`10.0.${i % 7}.${(i * 13) % 250} - - [${stamp}] "GET /item/${i}?q=[x] HTTP/1.1" 200 ${100 + i} "-" "replay-test/1.0"`);
  }
  return out;
}

// ---- tests ------------------------------------------------------------------------------------

describe('replay: delivery, keys, per-key order', () => {
  it('replays the real access log through the CLI: every line once, key = client IP, per-key order kept', async () => {
    const topic = uniqueTopic('weblogs');
    const r = await runCli('scripts/replay/cli.ts', [realAccessLog, '--topic', topic, '--state-dir', path.join(tmpRoot, 'state'), '--quiet']);
    expect(r.code).toBe(0);
    const s = summaryOf(r.stderr);
    const lines = linesOf(realAccessLog);
    expect(s).toMatchObject({ dataset: 'weblogs', topic, events: lines.length, stoppedBy: 'eof', unkeyed: 0 });
    expect(await messageCount(topic)).toBe(lines.length);
    expectDelivered(lines, await consumeAll(topic, lines.length), 'weblogs');
  });

  it.each([
    ['news', () => newsLines(2000, 11, Date.parse('2025-06-01T00:00:00Z'), () => 7)],
    ['ticks', () => tickLines(3000, 12, 20)],
  ] as const)('replays %s lines: every line once, right keys, per-key order kept', async (dataset, make) => {
    const lines = make();
    const file = tmpFile(`${dataset}.ndjson`, lines);
    const topic = uniqueTopic(dataset);
    const s = await replay({ file, topic, brokers, mode: { kind: 'max' }, stateDir: path.join(tmpRoot, 'state'), ...quiet });
    expect(s).toMatchObject({ dataset, events: lines.length, stoppedBy: 'eof', unkeyed: 0, untimed: 0 });
    expect(await messageCount(topic)).toBe(lines.length);
    expectDelivered(lines, await consumeAll(topic, lines.length), dataset);
  });
});

describe('replay: rate control', () => {
  /**
   * No line was sent before it was due: `sentAt[i] >= startedBefore + dueOffsetMs(i)` (1 ms of clock
   * granularity allowed), and within a partition send times never go back. The record timestamp is
   * the time kafkajs encodes the partition's batch (produce v3 request), which is after the pacer
   * released the line; batches of different partitions in one request are stamped one after the
   * other, so across partitions the stamps need not follow file order.
   */
  function expectNeverEarly(lines: readonly string[], msgs: readonly Consumed[], startedBefore: number, dueOffsetMs: (i: number) => number): void {
    for (let i = 1; i < msgs.length; i++) {
      const [prev, cur] = [msgs[i - 1] as Consumed, msgs[i] as Consumed];
      if (prev.partition === cur.partition) expect(cur.timestamp).toBeGreaterThanOrEqual(prev.timestamp);
    }
    const at = new Map(msgs.map((m) => [m.value, m.timestamp]));
    const early: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const sentAt = at.get(lines[i] as string) as number;
      const due = startedBefore + dueOffsetMs(i);
      if (sentAt < due - 1) early.push(`line ${i}: sent ${due - sentAt} ms early`);
    }
    expect(early).toEqual([]);
  }

  it('--speed keeps the recorded gaps: every line once, in order, none early (50 events at speed 1 and 4)', async () => {
    // Gaps 0..79 ms (several 0-ms bursts), 49 gaps summing to ~2 s.
    const gap = (i: number): number => (i * 37) % 80;
    for (const [speed, scale] of [[1, 1], [4, 4]] as const) {
      const lines = newsLines(50, 20 + speed, Date.parse('2025-06-01T09:30:00Z'), (i) => gap(i) * scale);
      const file = tmpFile(`speed${speed}.ndjson`, lines);
      const topic = uniqueTopic(`speed${speed}`);
      const before = Date.now();
      const s = await replay({ file, topic, brokers, mode: { kind: 'speed', factor: speed }, stateDir: path.join(tmpRoot, 'state'), ...quiet });
      expect(s.events).toBe(50);
      const msgs = await consumeAll(topic, 50);
      expectDelivered(lines, msgs, 'news');
      const offsets = [0];
      for (let i = 1; i < lines.length; i++) offsets.push((offsets[i - 1] as number) + (gap(i) * scale) / speed);
      expectNeverEarly(lines, msgs, before, (i) => Math.floor(offsets[i] as number));
    }
  });

  it('--rate paces events: 300 events at 100/s, every one once, in order, none early', async () => {
    const lines = tickLines(300, 31, 5);
    const file = tmpFile('rate.ndjson', lines);
    const topic = uniqueTopic('rate');
    const before = Date.now();
    const s = await replay({ file, topic, brokers, mode: { kind: 'rate', eventsPerSec: 100 }, stateDir: path.join(tmpRoot, 'state'), ...quiet });
    expect(s.events).toBe(300);
    const msgs = await consumeAll(topic, 300);
    expectDelivered(lines, msgs, 'ticks');
    expectNeverEarly(lines, msgs, before, (i) => i * 10);
  });
});

describe('replay: --rebase-to-now', () => {
  it.each([
    ['weblogs', () => weblogLines(300, Date.parse('2015-05-17T10:05:03Z'), (i) => (i % 5 === 0 ? 0 : (i * 7) % 23))],
    ['ticks', () => tickLines(300, 41, 6)],
  ] as const)('%s: first event stamped now, every gap kept exactly, nothing else changed', async (dataset, make) => {
    const lines = make();
    const file = tmpFile(`rebase-${dataset}.log`, lines);
    const topic = uniqueTopic(`rebase-${dataset}`);
    const before = Date.now();
    const s: ReplaySummary = await replay({ file, topic, brokers, mode: { kind: 'max' }, rebaseToNow: true, stateDir: path.join(tmpRoot, 'state'), ...quiet });
    const after = Date.now();
    expect(s.events).toBe(lines.length);
    const msgs = await consumeAll(topic, lines.length);
    expect(msgs).toHaveLength(lines.length);
    // Pair each sent line with its original: the line with the timestamp cut out is unique here.
    const strip = (l: string): string => {
      const ts = locateTimestamp(dataset, l);
      if (!ts) throw new Error(`no timestamp in ${l}`);
      return l.slice(0, ts.start) + '<ts>' + l.slice(ts.end);
    };
    const sent = new Map(msgs.map((m) => [strip(m.value), m.value]));
    expect(sent.size).toBe(lines.length);
    const t0Old = eventTimeOf(dataset, lines[0] as string) as number;
    const t0New = eventTimeOf(dataset, sent.get(strip(lines[0] as string)) as string) as number;
    const granularity = dataset === 'weblogs' ? 1000 : 1;
    expect(t0New).toBeGreaterThanOrEqual(before - granularity);
    expect(t0New).toBeLessThanOrEqual(after + granularity);
    expect(s.shiftMs).toBe(t0New - t0Old);
    for (const l of lines) {
      const out = sent.get(strip(l));
      expect(out).toBeDefined();
      expect((eventTimeOf(dataset, out as string) as number) - t0New).toBe((eventTimeOf(dataset, l) as number) - t0Old);
      if (dataset === 'weblogs') expect(out).toContain(' +0200] "GET ');
    }
  });
});

describe('replay: --resume', () => {
  it('after an interrupted run (SIGINT), --resume sends the rest and no line twice', async () => {
    const lines = tickLines(3000, 51, 10);
    const file = tmpFile('resume.ndjson', lines);
    const topic = uniqueTopic('resume');
    const positionFile = path.join(tmpRoot, 'resume.position.json');
    const first = startCli('scripts/replay/cli.ts', [file, '--topic', topic, '--rate', '500', '--position-file', positionFile, '--quiet']);
    // Interrupt once it is well under way.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && ((await readPosition(positionFile).catch(() => null))?.lines ?? 0) < 300) await new Promise((r) => setTimeout(r, 100));
    first.proc.kill('SIGINT');
    expect(await first.exited).toBe(0);
    const s1 = summaryOf(first.stderr());
    expect(s1.stoppedBy).toBe('signal');
    const n1 = s1.events as number;
    expect(n1).toBeGreaterThanOrEqual(300);
    expect(n1).toBeLessThan(3000);
    // The position is exactly after the n1-th line.
    const pos = await readPosition(positionFile);
    const bytesBefore = lines.slice(0, n1).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(pos).toMatchObject({ offset: bytesBefore, lines: n1 });
    expect(await messageCount(topic)).toBe(n1);

    const second = await runCli('scripts/replay/cli.ts', [file, '--topic', topic, '--resume', '--position-file', positionFile, '--quiet']);
    expect(second.code).toBe(0);
    expect(summaryOf(second.stderr)).toMatchObject({ events: 3000 - n1, resumed: true, startOffset: bytesBefore, stoppedBy: 'eof' });
    expect(await messageCount(topic)).toBe(3000);
    expectDelivered(lines, await consumeAll(topic, 3000), 'ticks');

    // Nothing left: a third --resume sends nothing.
    const third = await runCli('scripts/replay/cli.ts', [file, '--topic', topic, '--resume', '--position-file', positionFile, '--quiet']);
    expect(summaryOf(third.stderr)).toMatchObject({ events: 0, resumed: true });
    // A rewritten file no longer matches the position: --resume refuses.
    writeFileSync(file, lines.slice(1).map((l) => `${l}\n`).join(''));
    const refused = await runCli('scripts/replay/cli.ts', [file, '--topic', topic, '--resume', '--position-file', positionFile, '--quiet']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('does not match position file');
    expect(await messageCount(topic)).toBe(3000);
  });
});

describe('replay: --follow', () => {
  (atimeOnRead ? it : it.skip)('tails a growing file across a partial line, rename rotation and truncation, until SIGINT', async () => {
    const all = weblogLines(400, Date.parse('2025-06-01T00:00:00Z'), () => 1);
    const take = (() => {
      let i = 0;
      return (n: number): string[] => all.slice(i, (i += n));
    })();
    const dir = mkdtempSync(path.join(tmpRoot, 'follow-'));
    const file = path.join(dir, 'access.log');
    const sent: string[] = [];
    const write = (f: string, lines: string[]): void => {
      appendFileSync(f, lines.map((l) => `${l}\n`).join(''));
      sent.push(...lines);
    };
    write(file, take(100));
    const topic = uniqueTopic('follow');
    const child = startCli('scripts/replay/cli.ts', [
      file, '--follow', '--poll-ms', '100', '--topic', topic, '--position-file', path.join(dir, 'pos.json'), '--quiet',
    ]);
    await waitForCount(topic, 100);

    write(file, take(50));
    const complete = statSync(file).size;
    const [partial] = take(1) as [string];
    appendFileSync(file, partial.slice(0, 40)); // a writer cut in the middle of a line
    const partialWritten = statSync(file).mtimeMs;
    await waitForCount(topic, 150);
    // Positive signals instead of a pause: the tool's position file says every complete line is
    // acknowledged, and the file was read after the partial line was appended (its atime passed that
    // write's mtime; relatime updates it on the first read after a write), so the tool holds the cut line.
    await waitUntil('the position to reach the end of the complete lines', async () => ((await readPosition(path.join(dir, 'pos.json')))?.offset ?? 0) >= complete);
    await waitUntil('the tool to read the file after the partial line', () => statSync(file).atimeMs > partialWritten);
    expect(await messageCount(topic)).toBe(150); // the partial line is held back…
    expect((await readPosition(path.join(dir, 'pos.json')))?.offset).toBe(complete); // …and not acknowledged as a line
    appendFileSync(file, `${partial.slice(40)}\n`);
    sent.push(partial);
    await waitForCount(topic, 151);

    // logrotate "create": rename, the old writer still appends a little, then a new file appears.
    renameSync(file, `${file}.1`);
    write(`${file}.1`, take(5));
    await new Promise((r) => setTimeout(r, 300));
    write(file, take(30));
    await waitForCount(topic, 186);

    // copytruncate-style truncation, then fresh lines.
    truncateSync(file, 0);
    write(file, take(10));
    await waitForCount(topic, 196);

    child.proc.kill('SIGINT');
    expect(await child.exited).toBe(0);
    const s = summaryOf(child.stderr());
    expect(s).toMatchObject({ events: 196, rotations: 1, truncations: 1, stoppedBy: 'signal' });
    expect(await messageCount(topic)).toBe(196);
    expectDelivered(sent, await consumeAll(topic, 196), 'weblogs');
    expect(existsSync(path.join(dir, 'pos.json'))).toBe(true);
  });
});

describe('generate --kafka', () => {
  it.each([
    ['weblogs', ['weblogs']],
    ['news', ['news']],
    ['ticks', ['ticks', '--symbol-count', '8']],
  ] as const)('%s: the same lines as on stdout, keyed by dataset, per-key order kept', async (dataset, sub) => {
    const common = [...sub, '--count', '500', '--rate', '0', '--seed', '9', '--start', '2025-06-02T13:30:00Z', '--quiet'];
    const topic = uniqueTopic(`generate-${dataset}`);
    const toKafka = await runCli('generators/cli.ts', [...common, '--kafka', '--topic', topic]);
    expect(toKafka.code).toBe(0);
    expect(toKafka.stdout).toBe('');
    const s = summaryOf(toKafka.stderr);
    expect(s).toMatchObject({ generator: dataset, lines: 500, stoppedBy: 'count', kafka: { topic, acked: 500 } });
    const toStdout = await runCli('generators/cli.ts', common);
    const lines = toStdout.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(500);
    expect(await messageCount(topic)).toBe(500);
    expectDelivered(lines, await consumeAll(topic, 500), dataset);
  });

  it('rejects --topic without --kafka, and --kafka with --out', async () => {
    expect((await runCli('generators/cli.ts', ['news', '--count', '1', '--topic', 'x'])).code).toBe(2);
    expect((await runCli('generators/cli.ts', ['news', '--count', '1', '--kafka', '--out', path.join(tmpRoot, 'x.log')])).code).toBe(2);
  });
});
