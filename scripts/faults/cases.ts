/**
 * The fault cases. Each runs the real processor (a child process) against a real Elasticsearch and
 * Kafka, injects one kind of fault, and returns one flat record of counts. `holds` is true when every
 * promise of the case is kept; `problems` says which was not. A case never judges by document counts
 * alone: with deterministic `_id`s a double read is invisible in a count, so each case also compares
 * `_id` sets, counts the documents per raw line, and checks what a restart reads again.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '../../processor/kafka/client.js';
import { documentId } from '../../processor/pipeline/document-id.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import { createEnrichContext } from '../../processor/processor.js';
import { startFaultProxy } from './fault-proxy.js';
import {
  accessLine,
  accessLines,
  compareIds,
  compareLines,
  compareOffsets,
  countDocs,
  deadLetterCount,
  esClient,
  expectedFileIds,
  lineStartOffsets,
  liveWriter,
  messageCountMismatches,
  metricValue,
  runProcessor,
  seeded,
  signalProcessor,
  sleep,
  startProcessor,
  storedDocs,
  waitFor,
  weblogsIndex,
  type Endpoints,
  type Summary,
  type Stored,
} from './harness.js';
import { killService, signalService, upPrivate } from './private-stack.js';
import type { StackTarget } from '../stack/stack.js';

/** What every case gets. */
export interface CaseContext {
  /** Where the processor indexes and consumes. */
  endpoints: Endpoints;
  /** The private stack behind `endpoints`, for the cases that freeze or kill it (absent: those cases are skipped). */
  privateStack?: StackTarget;
  /** Scratch directory of this run. */
  workDir: string;
  /** Progress lines (stderr). */
  log: (m: string) => void;
}

/** One case's figures; printed as one JSON line. */
export type CaseResult = { case: string; holds: boolean; problems: string[] } & Record<string, unknown>;

/** A fresh namespace (`f<name><hex>`) and a scratch directory with `logs/` (the watched folder) and the `data/` path, for one case run. */
export function fresh(ctx: CaseContext, name: string): { ns: string; dir: string; dataDir: string; watch: string } {
  const ns = `f${name.replace(/[^a-z]/g, '').slice(0, 8)}${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(path.join(ctx.workDir, `${name}-`));
  const watch = path.join(dir, 'logs');
  mkdirSync(watch);
  return { ns, dir, dataDir: path.join(dir, 'data'), watch };
}

/** Records `what` in `problems` unless `ok`. */
export function check(problems: string[], ok: boolean, what: string): void {
  if (!ok) problems.push(what);
}

/**
 * Compares the stored documents with the raw lines written and records a problem unless there are
 * exactly `n` documents, one per line: none lost, none doubled (a second copy under another `_id`),
 * none that no line accounts for.
 */
export function checkEachLineOnce(problems: string[], stored: Stored, lines: Iterable<string>, n: number): { lost: number; doubled: number; unexpected: number } {
  const c = compareLines(stored, lines);
  check(problems, stored.docs === n && c.lost === 0 && c.doubled === 0 && c.unexpected === 0, `docs ${stored.docs}, lost ${c.lost}, doubled ${c.doubled}, unexpected ${c.unexpected}`);
  return c;
}

/**
 * The fields every exactly-once case reports first: whether it held and why not, then the stored
 * documents against `expected` (documents, distinct `_id`s, lines lost, lines stored twice).
 */
export function outcome(name: string, problems: string[], expected: number, stored: Stored, counts: { lost: number; doubled: number }) {
  return { case: name, holds: problems.length === 0, problems, expected, indexed: stored.docs, distinctIds: stored.ids.size, lost: counts.lost, doubled: counts.doubled };
}

/**
 * Checks `file`'s documents against what its bytes alone say, independently of the processor's reader
 * and `_id`: the stored `log.offset` values are exactly the file's line starts, each once. Records a
 * problem otherwise; returns the comparison (for the case's figures).
 */
export function checkOffsets(problems: string[], stored: Stored, file: string): ReturnType<typeof compareOffsets> {
  const c = compareOffsets(stored, file, lineStartOffsets(file));
  check(problems, c.stored === c.expected && c.missing === 0 && c.extra === 0 && c.twice === 0, `log.offset of ${c.file}: ${c.stored} stored for ${c.expected} lines, ${c.missing} missing, ${c.extra} not a line start, ${c.twice} twice`);
  return c;
}

/** Records a problem unless every line is stored as many times as it was written (`lines`, repeats included). */
function checkMessageCounts(problems: string[], stored: Stored, lines: Iterable<string>): number {
  const mismatches = messageCountMismatches(stored, lines);
  check(problems, mismatches === 0, `${mismatches} lines stored a different number of times than written`);
  return mismatches;
}

/** Records a problem unless the stored `_id` set equals the `_id`s the lines of `file` must have. */
export async function checkIdSet(problems: string[], stored: Stored, file: string): Promise<void> {
  const { missingIds, extraIds } = compareIds(stored.ids, (await expectedFileIds(file)).keys());
  check(problems, missingIds === 0 && extraIds === 0, `_id sets differ: ${missingIds} missing, ${extraIds} extra`);
}

function fileArgs(ctx: CaseContext, watch: string, ns: string, dataDir: string, extra: string[] = []): string[] {
  return ['--watch', watch, '--es-url', ctx.endpoints.esUrl, '--namespace', ns, '--data-dir', dataDir, '--no-metrics', ...extra];
}

function kafkaArgs(ctx: CaseContext, topic: string, group: string, ns: string, dataDir: string, extra: string[] = []): string[] {
  return ['--kafka', '--brokers', ctx.endpoints.brokers.join(','), '--topics', `${topic}=weblogs`, '--group-id', group, '--es-url', ctx.endpoints.esUrl, '--namespace', ns, '--data-dir', dataDir, '--no-metrics', ...extra];
}

function kafkaClient(ctx: CaseContext): Kafka {
  return new Kafka({ clientId: 'rtas-faults', brokers: ctx.endpoints.brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
}

/** Creates `topic` and produces `lines` to it (keyless, so spread over its partitions). */
async function produce(ctx: CaseContext, topic: string, lines: string[], partitions = 3): Promise<void> {
  const kafka = kafkaClient(ctx);
  await ensureTopics(kafka, [topic], partitions);
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < lines.length; i += 2000) {
      await producer.send({ topic, acks: -1, messages: lines.slice(i, i + 2000).map((value) => ({ value })) });
    }
  } finally {
    await producer.disconnect();
  }
}

async function deleteTopic(ctx: CaseContext, topic: string): Promise<void> {
  const admin = kafkaClient(ctx).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(`topic ${topic} to be deleted`, async () => !(await admin.listTopics()).includes(topic), 60_000);
    await sleep(3000); // let every broker's metadata cache forget it before it is created again
  } finally {
    await admin.disconnect();
  }
}

function lineList(tag: string, from: number, to: number): string[] {
  return accessLines(tag, from, to).trimEnd().split('\n');
}

/**
 * Identity: (1) a file rewritten in place (same inode) and read with a lost checkpoint; (2) rewritten
 * keeping its first KiB (and more) but new lines after it, checkpoint lost again; (3) the file deleted
 * and a new one created (inode reuse where the file system does it) with the old checkpoint kept;
 * (4) a Kafka topic deleted and re-created, read by the same group. Every new line must be indexed,
 * the unchanged ones only once.
 */
export async function identityCase(ctx: CaseContext, n = 100): Promise<CaseResult> {
  const problems: string[] = [];
  const { ns, dir, watch } = fresh(ctx, 'identity');
  const es = esClient(ctx.endpoints.esUrl);
  const file = path.join(watch, 'access.log');
  const expectedIds = new Map<string, string>();
  const remember = async () => {
    for (const [id, line] of await expectedFileIds(file)) expectedIds.set(id, line);
  };
  // (1) rewrite in place, lost checkpoint
  writeFileSync(file, accessLines('a', 0, n));
  await remember();
  const inode = statSync(file).ino;
  const r1 = await runProcessor(fileArgs(ctx, watch, ns, path.join(dir, 'd1'), ['--once']));
  writeFileSync(file, accessLines('b', 0, n)); // O_TRUNC: same inode, new content
  check(problems, statSync(file).ino === inode, 'rewrite kept the inode');
  await remember();
  const r2 = await runProcessor(fileArgs(ctx, watch, ns, path.join(dir, 'd2'), ['--once']));
  // (2) same head (first 20 lines, > 1 KiB), new lines after it, lost checkpoint
  const keep = 20;
  writeFileSync(file, accessLines('b', 0, keep) + accessLines('c', keep, n));
  await remember();
  const r3 = await runProcessor(fileArgs(ctx, watch, ns, path.join(dir, 'd3'), ['--once']));
  // (3) delete, create a new file (the inode may be reused), checkpoint of d3 kept
  unlinkSync(file);
  const file2 = path.join(watch, 'access2.log');
  writeFileSync(file2, accessLines('d', 0, n));
  const inodeReused = statSync(file2).ino === inode;
  for (const [id, line] of await expectedFileIds(file2)) expectedIds.set(id, line);
  const r4 = await runProcessor(fileArgs(ctx, watch, ns, path.join(dir, 'd3'), ['--once']));
  // (4) Kafka topic re-created
  const topic = `faults.identity.${ns}`;
  const group = `faults-identity-${ns}`;
  const kafkaLines = [...lineList('ka', 0, n), ...lineList('kb', 0, n)];
  await produce(ctx, topic, kafkaLines.slice(0, n), 1);
  const k1 = await runProcessor(kafkaArgs(ctx, topic, group, ns, path.join(dir, 'k'), ['--once']));
  await deleteTopic(ctx, topic);
  await produce(ctx, topic, kafkaLines.slice(n), 1);
  const k2 = await runProcessor(kafkaArgs(ctx, topic, group, ns, path.join(dir, 'k'), ['--once']));
  await deleteTopic(ctx, topic).catch(() => undefined);

  const stored = await storedDocs(es, weblogsIndex(ns));
  const fileLines = new Set(expectedIds.values());
  const all = [...fileLines, ...kafkaLines];
  const { lost, doubled, unexpected } = compareLines(stored, all);
  const fileStoredIds = new Set([...stored.ids].filter((id) => expectedIds.has(id)));
  const { missingIds } = compareIds(fileStoredIds, expectedIds.keys());
  check(problems, r2.indexed === n, `rewrite in place + lost checkpoint: ${r2.indexed} of ${n} new lines indexed`);
  check(problems, r3.indexed === n - keep && r3.duplicates === keep, `same head, new tail: indexed ${r3.indexed} (want ${n - keep}), duplicates ${r3.duplicates} (want ${keep})`);
  check(problems, r4.indexed === n, `new file (inode reused: ${inodeReused}): ${r4.indexed} of ${n} indexed`);
  check(problems, k2.indexed === n, `re-created topic: ${k2.indexed} of ${n} new messages indexed`);
  check(problems, lost === 0 && doubled === 0 && unexpected === 0 && missingIds === 0, `lost ${lost}, doubled ${doubled}, unexpected ${unexpected}, missing ids ${missingIds}`);
  // Independently of the reader and the _id: every distinct line written (the generator's own lists;
  // b's first `keep` lines were written twice at the same place, one event) is stored exactly once.
  const written = new Set([...lineList('a', 0, n), ...lineList('b', 0, n), ...lineList('c', keep, n), ...lineList('d', 0, n), ...kafkaLines]);
  const messageMismatches = checkMessageCounts(problems, stored, written);
  rmSync(dir, { recursive: true, force: true });
  return {
    ...outcome('identity', problems, all.length, stored, { lost, doubled }),
    distinctLinesWritten: written.size,
    messageMismatches,
    runs: { first: r1.indexed, rewrittenInPlace: r2.indexed, sameHeadNewTail: r3.indexed, sameHeadDuplicates: r3.duplicates, newFile: r4.indexed, inodeReused, topic: k1.indexed, recreatedTopic: k2.indexed },
  };
}

/**
 * SIGTERM while a backlog drains (a file, or a Kafka topic), `times` times, then a final `--once` run.
 * Every stop must exit 0 and the next start must read nothing twice: the runs' `lines` add up to
 * exactly the backlog and every `duplicates` is 0.
 */
export async function sigtermCase(ctx: CaseContext, source: 'files' | 'kafka', n = 50_000, times = 3): Promise<CaseResult> {
  const problems: string[] = [];
  const { ns, dir, watch, dataDir } = fresh(ctx, `sigterm-${source}`);
  const es = esClient(ctx.endpoints.esUrl);
  const index = weblogsIndex(ns);
  const lines = lineList(`st${source}`, 0, n);
  const topic = `faults.sigterm.${ns}`;
  let args: string[];
  if (source === 'files') {
    writeFileSync(path.join(watch, 'access.log'), lines.join('\n') + '\n');
    args = fileArgs(ctx, watch, ns, dataDir, ['--batch-size', '500']);
  } else {
    await produce(ctx, topic, lines);
    args = kafkaArgs(ctx, topic, `faults-sigterm-${ns}`, ns, dataDir, ['--batch-size', '500']);
  }
  const runs: { code: number | string; lines: number; indexed: number; duplicates: number }[] = [];
  let midBacklog = 0;
  let readBefore = 0;
  for (let k = 1; k <= times; k++) {
    const before = await countDocs(es, index);
    const child = startProcessor(args);
    // Mid-backlog: this run is indexing (documents arrive) and has reached its share of the backlog
    // (or, if an earlier run got further than planned, the backlog is done).
    const target = Math.min(n, Math.max(before + 1, Math.floor((n * k) / (times + 1))));
    await waitFor(`${target} documents`, async () => (child.started() && (await countDocs(es, index)) >= target) || child.proc.exitCode !== null, 600_000, 100);
    const { code, summary } = await signalProcessor(child, 'SIGTERM');
    runs.push({ code, lines: summary?.lines ?? -1, indexed: summary?.indexed ?? -1, duplicates: summary?.duplicates ?? -1 });
    // Mid-backlog, by the run's own summary: it had indexed events and had not read all that was left.
    if (summary && summary.indexed > 0 && readBefore + summary.lines < n) midBacklog += 1;
    readBefore += Math.max(0, summary?.lines ?? 0);
    if (code !== 0) problems.push(`stop ${k}: exit ${code}: ${child.stderr().slice(-800)}`);
  }
  const last = await runProcessor([...args, '--once']);
  runs.push({ code: 0, lines: last.lines, indexed: last.indexed, duplicates: last.duplicates });
  const again = await runProcessor([...args, '--once']);
  if (source === 'kafka') await deleteTopic(ctx, topic).catch(() => undefined);
  const stored = await storedDocs(es, index);
  const { lost, doubled } = checkEachLineOnce(problems, stored, lines, n);
  const readTotal = runs.reduce((s, r) => s + r.lines, 0);
  const duplicates = runs.reduce((s, r) => s + Math.max(0, r.duplicates), 0);
  check(problems, readTotal === n, `records read over all runs ${readTotal}, want exactly ${n} (a restart re-read ${readTotal - n})`);
  check(problems, duplicates === 0, `duplicates after clean stops: ${duplicates}`);
  check(problems, again.lines === 0, `a start after the end read ${again.lines} records again`);
  const messageMismatches = checkMessageCounts(problems, stored, lines);
  let offsets: ReturnType<typeof compareOffsets> | undefined;
  if (source === 'files') {
    await checkIdSet(problems, stored, path.join(watch, 'access.log'));
    offsets = checkOffsets(problems, stored, path.join(watch, 'access.log'));
  }
  check(problems, midBacklog === times, `${times - midBacklog} of ${times} stops came after the run had read the whole backlog or before it indexed anything`);
  rmSync(dir, { recursive: true, force: true });
  return {
    ...outcome(`sigterm-${source}`, problems, n, stored, { lost, doubled }),
    messageMismatches,
    ...(offsets ? { offsets } : {}),
    stops: times,
    stopsMidBacklog: midBacklog,
    exitCodes: runs.slice(0, times).map((r) => r.code),
    readPerRun: runs.map((r) => r.lines),
    duplicatesOnRestart: duplicates,
    readAfterEnd: again.lines,
  };
}

/**
 * SIGKILL/restart `cycles` times while a live file grows to `n` lines; each kill lands while batches
 * are in flight (after documents started arriving in this run, at a random moment). Then a `--once`
 * run catches up. Exactly one document per line, and the `_id` set equals the lines' ids.
 */
export async function sigkillCase(ctx: CaseContext, n = 100_000, cycles = 20): Promise<CaseResult> {
  const problems: string[] = [];
  const { ns, dir, watch, dataDir } = fresh(ctx, 'sigkill');
  const es = esClient(ctx.endpoints.esUrl);
  const index = weblogsIndex(ns);
  const file = path.join(watch, 'access.log');
  writeFileSync(file, '');
  // Each cycle may write up to its share of the lines (cycle c: (c + 1) / (cycles + 1) of n; the rest after
  // the last kill), so there are always lines left to write for a kill while batches are in flight.
  const capOf = (c: number): number => Math.ceil((n * (c + 1)) / (cycles + 1));
  const writer = liveWriter(file, 'kill', n, Math.max(100, Math.ceil(n / (cycles * 6))), capOf(0));
  const rnd = seeded(7);
  let inFlightKills = 0;
  const args = fileArgs(ctx, watch, ns, dataDir, ['--batch-size', '500', '--batch-interval-ms', '200']);
  for (let c = 0; c < cycles; c++) {
    writer.setCap(capOf(c));
    const before = await countDocs(es, index);
    const child = startProcessor(args);
    // Wait until this run is indexing (documents arrive), then kill at a random moment within ~0.6 s.
    // The wait throws on timeout (and when the processor exits by itself): a kill before this run
    // indexed anything would not be a kill while batches are in flight.
    await waitFor(`documents of run ${c + 1} to arrive`, async () => {
      if (child.proc.exitCode !== null) throw new Error(`processor exited ${child.proc.exitCode} before indexing: ${child.stderr().slice(-800)}`);
      return (await countDocs(es, index)) > before;
    }, 120_000, 100);
    await sleep(Math.floor(rnd() * 600));
    // Then kill at the first moment (polled every 20 ms) batches are in flight: documents of this run
    // have arrived and the lines written are not all indexed. When the run has caught up with a writer
    // held at its cap, 200 more lines of this cycle's share are let through (never beyond the next
    // cycle's cap: lines stay for later). The wait throws when no such moment comes.
    let inFlight = false;
    await waitFor(`run ${c + 1}: lines written but not yet indexed`, async () => {
      if (child.proc.exitCode !== null) throw new Error(`processor exited ${child.proc.exitCode}: ${child.stderr().slice(-800)}`);
      const indexed = await countDocs(es, index);
      if (indexed >= writer.written() && writer.written() >= writer.cap()) writer.setCap(Math.min(capOf(c + 1) - 1, writer.cap() + 200));
      return (inFlight = indexed > before && indexed < writer.written());
    }, 30_000, 20);
    child.proc.kill('SIGKILL');
    if (inFlight) inFlightKills += 1;
    await child.exited;
  }
  writer.setCap(n);
  await writer.done;
  const final = await runProcessor([...args, '--once']);
  const again = await runProcessor([...args, '--once']);
  const stored = await storedDocs(es, index);
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const { lost, doubled } = checkEachLineOnce(problems, stored, lines, n);
  check(problems, lines.length === n, `writer wrote ${lines.length} lines`);
  await checkIdSet(problems, stored, file);
  const offsets = checkOffsets(problems, stored, file);
  const messageMismatches = checkMessageCounts(problems, stored, lines);
  check(problems, again.lines === 0, `a start after the end read ${again.lines} records again`);
  check(problems, inFlightKills === cycles, `${cycles - inFlightKills} of ${cycles} kills came before the run indexed anything or when every line written was already indexed`);
  rmSync(dir, { recursive: true, force: true });
  return {
    ...outcome('sigkill-cycles', problems, n, stored, { lost, doubled }),
    offsets,
    messageMismatches,
    kills: cycles,
    killsWhileIndexing: inFlightKills,
    finalRunDuplicates: final.duplicates,
    readAfterEnd: again.lines,
  };
}

/**
 * Elasticsearch frozen (SIGSTOP) for `freezeS` seconds, then SIGKILLed and restarted, while a live
 * file grows by `perSecond` lines to `n`. Needs the private stack.
 */
export async function esFreezeKillCase(ctx: CaseContext, n = 60_000, perSecond = 1000, freezeS = 30): Promise<CaseResult> {
  const target = ctx.privateStack!;
  const problems: string[] = [];
  const { ns, dir, watch, dataDir } = fresh(ctx, 'esfreeze');
  const es = esClient(ctx.endpoints.esUrl);
  const index = weblogsIndex(ns);
  const file = path.join(watch, 'access.log');
  writeFileSync(file, '');
  const args = fileArgs(ctx, watch, ns, dataDir);
  const child = startProcessor(args);
  const writer = liveWriter(file, 'esfreeze', n, perSecond);
  await waitFor('first documents', async () => (await countDocs(es, index)) > 0, 120_000);
  await sleep(5000);
  const atFreeze = await countDocs(es, index);
  ctx.log(`es-freeze-kill: freezing Elasticsearch for ${freezeS} s at ${atFreeze} documents`);
  await signalService(target, 'es', 'SIGSTOP');
  await sleep(freezeS * 1000);
  ctx.log('es-freeze-kill: SIGKILL Elasticsearch, restarting it');
  await killService(target, 'es');
  await upPrivate({ ...target }, ctx.log);
  await writer.done;
  await waitFor(`${n} documents`, async () => (await countDocs(es, index)) >= n || child.proc.exitCode !== null, 900_000).catch((e: Error) => problems.push(e.message));
  const alive = child.proc.exitCode === null;
  const stop = await signalProcessor(child, 'SIGTERM');
  const again = await runProcessor([...args, '--once']);
  const stored = await storedDocs(es, index);
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const { lost, doubled } = checkEachLineOnce(problems, stored, lines, n);
  check(problems, alive, `processor died during the outage: ${child.stderr().slice(-800)}`);
  check(problems, stop.code === 0, `SIGTERM after the outage: exit ${stop.code}`);
  await checkIdSet(problems, stored, file);
  check(problems, again.lines === 0 && again.duplicates === 0, `restart read ${again.lines} again (${again.duplicates} duplicates)`);
  rmSync(dir, { recursive: true, force: true });
  return {
    ...outcome('es-freeze-kill', problems, n, stored, { lost, doubled }),
    frozenSeconds: freezeS,
    docsAtFreeze: atFreeze,
    deadLettered: deadLetterCount(path.join(dataDir, 'dead-letters.ndjson')),
    duplicatesDuringOutage: stop.summary?.duplicates,
    readAfterStop: again.lines,
  };
}

/**
 * Elasticsearch behind the fault proxy: a share of the bulk requests answered 429 or 503 or reset
 * (before or after Elasticsearch applied them). Nothing lost, nothing doubled, retries in /metrics.
 */
export async function esProxyCase(ctx: CaseContext, n = 20_000): Promise<CaseResult> {
  const problems: string[] = [];
  const { ns, dir, watch, dataDir } = fresh(ctx, 'esproxy');
  const es = esClient(ctx.endpoints.esUrl);
  const file = path.join(watch, 'access.log');
  writeFileSync(file, accessLines('proxy', 0, n));
  const proxy = await startFaultProxy(ctx.endpoints.esUrl, { tooManyRequests: 0.2, unavailable: 0.15, reset: 0.15 }, seeded(11));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = startProcessor(['--watch', watch, '--es-url', proxy.url, '--namespace', ns, '--data-dir', dataDir, '--metrics-port', String(port), '--batch-size', '1000', '--once']);
  let retries = 0;
  let metricsText = '';
  const poll = setInterval(() => {
    void fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .then((t) => {
        metricsText = t;
        retries = Math.max(retries, metricValue(t, 'rtas_elasticsearch_retries_total'));
      })
      .catch(() => undefined);
  }, 300);
  const code = await child.exited;
  clearInterval(poll);
  await proxy.close();
  const summary = child.summary();
  const again = await runProcessor(['--watch', watch, '--es-url', ctx.endpoints.esUrl, '--namespace', ns, '--data-dir', dataDir, '--no-metrics', '--once']);
  const stored = await storedDocs(es, weblogsIndex(ns));
  const lines = lineList('proxy', 0, n);
  const { lost, doubled } = checkEachLineOnce(problems, stored, lines, n);
  check(problems, code === 0, `exit ${code}: ${child.stderr().slice(-800)}`);
  check(problems, proxy.counts.tooManyRequests + proxy.counts.unavailable + proxy.counts.reset > 0, 'the proxy injected no fault');
  check(problems, retries > 0 || metricsText === '', `no retries in /metrics although ${proxy.counts.bulk - proxy.counts.passed} bulk requests failed`);
  check(problems, metricsText !== '', '/metrics was never read');
  await checkIdSet(problems, stored, file);
  check(problems, again.lines === 0, `restart read ${again.lines} again`);
  rmSync(dir, { recursive: true, force: true });
  return {
    ...outcome('es-429-503-reset', problems, n, stored, { lost, doubled }),
    proxy: proxy.counts,
    retriesInMetrics: retries,
    duplicatesAfterResets: summary?.duplicates,
    readAfterEnd: again.lines,
  };
}

/**
 * The broker SIGKILLed while a backlog of `n` messages drains, restarted after `downS` seconds.
 * Needs the private stack.
 */
export async function brokerKillCase(ctx: CaseContext, n = 50_000, downS = 10): Promise<CaseResult> {
  const target = ctx.privateStack!;
  const problems: string[] = [];
  const { ns, dir, dataDir } = fresh(ctx, 'brokerkill');
  const es = esClient(ctx.endpoints.esUrl);
  const index = weblogsIndex(ns);
  const topic = `faults.brokerkill.${ns}`;
  const lines = lineList('broker', 0, n);
  await produce(ctx, topic, lines);
  const args = kafkaArgs(ctx, topic, `faults-brokerkill-${ns}`, ns, dataDir, ['--batch-size', '1000']);
  const child = startProcessor(args);
  await waitFor(`${Math.floor(n * 0.3)} documents`, async () => (await countDocs(es, index)) >= n * 0.3 || child.proc.exitCode !== null, 600_000);
  const atKill = await countDocs(es, index);
  ctx.log(`broker-kill: SIGKILL the broker at ${atKill} documents`);
  await killService(target, 'kafka');
  await sleep(downS * 1000);
  await upPrivate({ ...target }, ctx.log);
  await waitFor(`${n} documents`, async () => (await countDocs(es, index)) >= n || child.proc.exitCode !== null, 900_000).catch((e: Error) => problems.push(e.message));
  const alive = child.proc.exitCode === null;
  const stop = await signalProcessor(child, 'SIGTERM');
  const again = await runProcessor([...args, '--once']);
  await deleteTopic(ctx, topic).catch(() => undefined);
  const stored = await storedDocs(es, index);
  const { lost, doubled } = checkEachLineOnce(problems, stored, lines, n);
  check(problems, alive, `processor died with the broker: ${child.stderr().slice(-800)}`);
  check(problems, stop.code === 0, `SIGTERM after the outage: exit ${stop.code}`);
  check(problems, again.lines === 0 && again.duplicates === 0, `restart read ${again.lines} again (${again.duplicates} duplicates)`);
  rmSync(dir, { recursive: true, force: true });
  return {
    ...outcome('broker-kill', problems, n, stored, { lost, doubled }),
    docsAtKill: atKill,
    brokerDownSeconds: downS,
    duplicatesAfterBrokerRestart: stop.summary?.duplicates,
    readAfterStop: again.lines,
  };
}

/** Applies one seeded mutation to a valid line (bad bytes, cut, junk, impossible dates, huge fields…). */
function mutate(line: string, rnd: () => number): string {
  const at = Math.floor(rnd() * line.length);
  switch (Math.floor(rnd() * 10)) {
    case 0:
      return line.slice(0, at);
    case 1:
      return line.slice(0, at) + '\u0000\u0001' + line.slice(at);
    case 2:
      return line.slice(0, at) + '"' + line.slice(at);
    case 3:
      return line.replace(/\[\d\d\//, '[31/').replace(/\/Jan\//, '/Feb/');
    case 4:
      return line.replace('GET ', 'GET ' + 'x'.repeat(1000 + Math.floor(rnd() * 60_000)));
    case 5:
      return line.replace(/ \d{3} /, ' 9999 ');
    case 6:
      return '';
    case 7:
      return line + '\r';
    case 8:
      return line.replace('Mozilla', '\\x22\\xff\\\\Mozilla');
    default:
      return randomBytes(1 + Math.floor(rnd() * 200)).toString('latin1').replace(/\n/g, ' ');
  }
}

/**
 * `n` seeded lines, a fifth of them mutated, `bigLines` lines of 0.8-1.5 times the maximum record size,
 * and an unterminated line of `longMiB` MiB at the end,
 * read with `--once`: exit 0, every record indexed or dead-lettered (never both, never neither), the
 * long line dead-lettered with a bounded prefix and its original length, peak RSS reported.
 */
export async function hostileCase(ctx: CaseContext, n = 1_000_000, longMiB = 16, maxRecordBytes = 1024 * 1024, baseline = true, bigLines = 100): Promise<CaseResult> {
  const problems: string[] = [];
  const { ns, dir, watch, dataDir } = fresh(ctx, 'hostile');
  const es = esClient(ctx.endpoints.esUrl);
  const file = path.join(watch, 'access.log');
  const rnd = seeded(42);
  writeFileSync(file, '');
  for (let i = 0; i < n; i += 10_000) {
    const chunk: string[] = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) {
      const line = accessLine('hostile', j, rnd);
      chunk.push(rnd() < 0.2 ? mutate(line, rnd) : line);
    }
    appendFileSync(file, chunk.join('\n') + '\n', 'latin1');
  }
  // Long lines around the limit: some just under it (kept whole), some over it (cut while reading).
  const rndBig = seeded(5);
  for (let i = 0; i < bigLines; i++) {
    const size = Math.floor(maxRecordBytes * (i % 2 === 0 ? 0.9 : 1.5) * (0.9 + rndBig() * 0.1));
    appendFileSync(file, accessLine('big', i, rndBig).replace('GET /', `GET /${'y'.repeat(size)}`) + '\n');
  }
  const longBytes = longMiB * 1024 * 1024;
  appendFileSync(file, Buffer.alloc(longBytes, 'A'));
  const fileBytes = statSync(file).size;
  // The normal working set: the same number of clean lines, same settings, in another namespace.
  let baselinePeakRssMiB: number | undefined;
  if (baseline) {
    const b = fresh(ctx, 'baseline');
    writeFileSync(path.join(b.watch, 'access.log'), '');
    for (let i = 0; i < n; i += 10_000) appendFileSync(path.join(b.watch, 'access.log'), accessLines('baseline', i, Math.min(n, i + 10_000)));
    baselinePeakRssMiB = (await runProcessor(fileArgs(ctx, b.watch, b.ns, b.dataDir, ['--once', '--max-record-bytes', String(maxRecordBytes)]))).peakRssMiB;
    rmSync(b.dir, { recursive: true, force: true });
  }
  const child = startProcessor(fileArgs(ctx, watch, ns, dataDir, ['--once', '--max-record-bytes', String(maxRecordBytes)]));
  const code = await child.exited;
  const s = child.summary();
  const dlFile = path.join(dataDir, 'dead-letters.ndjson');
  const letters = readFileSync(dlFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; raw: string; originalBytes?: number; stage: string });
  const stored = await storedDocs(es, weblogsIndex(ns));
  const expected = new Set((await expectedFileIds(file, maxRecordBytes)).keys());
  const longLetter = letters.find((l) => l.originalBytes === longBytes);
  if (longLetter) expected.add(longLetter.id);
  const dlIds = new Set(letters.map((l) => l.id));
  let both = 0;
  for (const id of dlIds) if (stored.ids.has(id)) both += 1;
  let neither = 0;
  for (const id of expected) if (!stored.ids.has(id) && !dlIds.has(id)) neither += 1;
  const oversized = letters.filter((l) => l.originalBytes !== undefined);
  const maxDeadLetterRaw = letters.reduce((m, l) => Math.max(m, Buffer.byteLength(l.raw)), 0);
  check(problems, code === 0 && !!s, `exit ${code}: ${child.stderr().slice(-800)}`);
  check(problems, !!s && s.lines === n + bigLines + 1, `records read ${s?.lines}, want ${n + bigLines + 1}`);
  check(problems, !!s && s.indexed + s.rejected === s.lines, `indexed ${s?.indexed} + dead-lettered ${s?.rejected} != records ${s?.lines}`);
  check(problems, !!s && stored.docs === s.indexed && letters.length === s.rejected, `ES holds ${stored.docs} (summary ${s?.indexed}); dead-letter file ${letters.length} (summary ${s?.rejected})`);
  check(problems, both === 0 && neither === 0, `${both} records both indexed and dead-lettered, ${neither} neither`);
  check(problems, !!longLetter && Buffer.byteLength(longLetter.raw) <= maxRecordBytes, `long line not dead-lettered with a bounded prefix`);
  check(problems, maxDeadLetterRaw <= maxRecordBytes, `a dead letter holds ${maxDeadLetterRaw} bytes of raw text`);
  rmSync(dir, { recursive: true, force: true });
  return {
    case: 'hostile-input',
    holds: problems.length === 0,
    problems,
    records: s?.lines,
    fileMiB: Math.round(fileBytes / 1048576),
    unterminatedLineMiB: longMiB,
    indexed: s?.indexed,
    deadLettered: s?.rejected,
    oversized: oversized.length,
    largestDeadLetterRawBytes: maxDeadLetterRaw,
    distinctIds: stored.ids.size,
    lost: neither,
    doubled: both,
    peakRssMiB: s?.peakRssMiB,
    baselinePeakRssMiB,
    seconds: s?.seconds,
  };
}

/**
 * Cost of the `_id`: documentId over `n` typical records, ns per record, beside the cost of the rest
 * of the per-record transform (decode, validate, enrich) on the same records (a figure, not a pass/fail).
 */
export async function idCostCase(n = 1_000_000): Promise<CaseResult> {
  const rnd = seeded(3);
  const records = Array.from({ length: 1000 }, (_, i) => {
    const raw = accessLine('cost', i, rnd);
    return { dataset: 'weblogs', raw, position: { kind: 'file' as const, path: 'a', fileId: '1:2', generation: 0, offset: i * 200, nextOffset: i * 200 + 200, fingerprint: 'f'.repeat(40) } };
  });
  for (let i = 0; i < 50_000; i++) documentId(records[i % 1000]!);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) documentId(records[i % 1000]!);
  const idNs = Number(process.hrtime.bigint() - t0) / n;
  const ctx = await createEnrichContext();
  const withIds = records.map((r) => ({ ...r, id: documentId(r) }));
  transformBatch(withIds, ctx, 'cost');
  const rounds = Math.max(5, Math.floor(n / 20_000));
  const t1 = process.hrtime.bigint();
  for (let k = 0; k < rounds; k++) transformBatch(withIds, ctx, 'cost');
  const transformNs = Number(process.hrtime.bigint() - t1) / (rounds * withIds.length);
  return {
    case: 'id-cost',
    holds: true,
    problems: [],
    records: n,
    lineBytes: records[0]!.raw.length,
    idNsPerRecord: Math.round(idNs),
    transformNsPerRecord: Math.round(transformNs),
    idShareOfTransform: Math.round((idNs / transformNs) * 1000) / 1000,
  };
}

/** A temp work dir for a run of the suite. */
export function workDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'rtas-faults-'));
}

export type { Summary };
