/** Measurement pieces shared by the benchmarks: inputs, the raw `_bulk` ceiling, visibility latency. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import type { EnrichContext } from '../../processor/datasets/types.js';
import { createEsClient } from '../../processor/elasticsearch/client.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import { buildDist, compiledProcessor } from '../build/build.js';
import { bulkLines } from '../../processor/sinks/elasticsearch-sink.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import type { RunSummary } from '../../processor/processor.js';
import { fmt, usPerDoc } from './stats.js';

/** The repository's root directory (the benchmarks' children run there). */
export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Event time of a benchmark input: line i is stamped `startMs + i × stepMs` (epoch ms). */
export interface Timeline {
  startMs: number;
  stepMs: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIMESTAMP = /\[[^\]]*\]/;

/** `[dd/Mon/yyyy:HH:MM:SS +0000]`, the combined format's timestamp, in UTC. */
function clfTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (v: number): string => String(v).padStart(2, '0');
  return `[${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000]`;
}

/** One line saying what the input is, for the benchmark's log. */
export function describeInput(sample: string, n: number, timeline?: Timeline): string {
  const what = `input: ${n.toLocaleString('en-US')} lines of ${path.basename(sample)}, repeated`;
  if (!timeline) return `${what}, with the sample's own timestamps (each repeat jumps back in event time: its events arrive late)`;
  const minutes = Math.round((n * timeline.stepMs) / 60_000);
  return `${what} and re-timed to ${Math.round(1000 / timeline.stepMs)} events/s of event time from ${new Date(timeline.startMs).toISOString()} (${minutes} min)`;
}

/**
 * `n` lines cycling through the non-empty lines of the access log `sample`.
 *
 * With `timeline`, each line's first `[…]` (its timestamp) is rewritten to `startMs + i × stepMs`, so
 * event time moves forward through the repeats as in one live log. Without it the lines keep the
 * sample's own times and every repeat jumps back to the sample's start: with the 10,000-line sample
 * (4 days), nearly every event after the first repeat then arrives behind the windows' watermark and is
 * tagged `late_event` (188,366 of 200,000 lines), which no single live log does.
 */
export function repeatLines(sample: string, n: number, timeline?: Timeline): string[] {
  const base = sampleLines(sample);
  return Array.from({ length: n }, (_, i) => repeatedLine(base, i, timeline));
}

/** The non-empty lines of the access log `sample`. @throws when it cannot be read. */
export function sampleLines(sample: string): string[] {
  return readFileSync(sample, 'utf8').split('\n').filter((l) => l !== '');
}

/** Line `i` of {@link repeatLines} over the sample's lines `base`: `base[i mod length]`, re-timed with `timeline`. */
export function repeatedLine(base: readonly string[], i: number, timeline?: Timeline): string {
  const line = base[i % base.length]!;
  return timeline ? line.replace(TIMESTAMP, clfTimestamp(timeline.startMs + i * timeline.stepMs)) : line;
}

/** Weblogs source records for `lines`, with consecutive byte offsets in a pretend file. */
export function weblogRecords(lines: string[]): SourceRecord[] {
  let offset = 0;
  return lines.map((raw) => {
    const len = Buffer.byteLength(raw) + 1;
    const position = { kind: 'file' as const, path: 'bench.log', fileId: 'bench', generation: 0, offset, nextOffset: offset + len };
    offset += len;
    return { dataset: 'weblogs', raw, position };
  });
}

let built: Promise<unknown> | undefined;
/**
 * The command that runs the processor as users get it: plain `node dist/process.js` (the compiled
 * build, `npm run build`, made fresh once per benchmark run), not `node --import tsx processor/cli.ts`,
 * whose loader thread alone adds ~39 MiB to the peak RSS the benchmarks report.
 */
export async function processorCommand(args: string[]): Promise<[string, string[]]> {
  await ensureCompiledProcessor();
  return [process.execPath, [compiledProcessor, ...args]];
}

/** Builds `dist/` (once per benchmark process), so that timed runs do not include the build. */
export async function ensureCompiledProcessor(): Promise<void> {
  await (built ??= buildDist());
}

/** A live (not `--once`) processor in a child process. */
export interface LiveProcessor {
  /** Sends SIGTERM (a clean stop: what was read is committed) and resolves with the summary it prints. */
  stop(): Promise<RunSummary>;
}

/**
 * Starts the compiled processor with `args` (without `--once`) in a child process and resolves once it
 * logged `processor started` (templates installed, sources reading).
 * @throws when it exits before that, or does not start within `timeoutMs`.
 */
export async function startLiveProcessor(args: string[], timeoutMs = 120_000): Promise<LiveProcessor> {
  const [cmd, argv] = await processorCommand(args);
  const child = spawn(cmd, argv, { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`processor not started after ${timeoutMs / 1000} s:\n${stderr.slice(-2000)}`))), timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-64 * 1024);
      if (stderr.includes('"msg":"processor started"')) (clearTimeout(timer), resolve());
    });
    void exited.then((code) => (clearTimeout(timer), reject(new Error(`processor exited ${code} before starting:\n${stderr.slice(-2000)}`))));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`processor exited ${code} after SIGTERM:\n${stderr.slice(-2000)}`);
      return JSON.parse(stdout.trim().split('\n').pop()!) as RunSummary;
    },
  };
}

/**
 * Resolves once `index`'s `_count` (no forced refresh) reaches `n`, polling every 100 ms.
 * @throws after `timeoutMs` without reaching it.
 */
export async function waitForCount(esUrl: string, index: string, n: number, timeoutMs: number): Promise<void> {
  const url = `${esUrl.replace(/\/$/, '')}/${index}/_count`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await request(url).catch(() => undefined);
    const count = res && res.statusCode === 200 ? ((await res.body.json()) as { count: number }).count : (await res?.body.dump(), 0);
    if (count >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${index}: fewer than ${n} documents after ${timeoutMs / 1000} s`);
}

/**
 * Waits until Elasticsearch is idle — no merge running and nothing active or queued in its `write` thread
 * pool, seen twice 500 ms apart — so that a timed run does not pay for the merges of the run before it
 * (measured: the first run after the 400,000 documents of the ceiling and its warm-up was ~25 % slower).
 * Gives up after `timeoutMs` (default 120 s) and returns false; true when idle.
 */
export async function waitForIdleElasticsearch(esUrl: string, timeoutMs = 120_000): Promise<boolean> {
  const url = `${esUrl.replace(/\/$/, '')}/_nodes/stats/indices,thread_pool?filter_path=nodes.*.indices.merges.current,nodes.*.thread_pool.write`;
  const deadline = Date.now() + timeoutMs;
  let quietPolls = 0;
  while (Date.now() < deadline) {
    const res = await request(url).catch(() => undefined);
    type Stats = { nodes: Record<string, { indices: { merges: { current: number } }; thread_pool: { write: { active: number; queue: number } } }> };
    const stats = res && res.statusCode === 200 ? ((await res.body.json()) as Stats) : (await res?.body.dump(), undefined);
    const busy = !stats || Object.values(stats.nodes).some((n) => n.indices.merges.current > 0 || n.thread_pool.write.active > 0 || n.thread_pool.write.queue > 0);
    quietPolls = busy ? 0 : quietPolls + 1;
    if (quietPolls >= 2) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/**
 * CPU seconds the Elasticsearch processes have used since they started (`process.cpu.total_in_millis` of
 * `_nodes/stats/process`, summed over nodes): read before and after a run for Elasticsearch's CPU in it.
 * Elasticsearch refreshes these stats once a second (`monitor.process.refresh_interval`), so a reading
 * can be up to a second old: about ±1.7 CPU-seconds on two busy cores, a few per cent of a 20 s run.
 * NaN when the stats cannot be read.
 */
export async function esCpuSeconds(esUrl: string): Promise<number> {
  const res = await request(`${esUrl.replace(/\/$/, '')}/_nodes/stats/process?filter_path=nodes.*.process.cpu.total_in_millis`).catch(() => undefined);
  if (!res || res.statusCode !== 200) return (await res?.body.dump(), Number.NaN);
  const stats = (await res.body.json()) as { nodes: Record<string, { process: { cpu: { total_in_millis: number } } }> };
  return Object.values(stats.nodes).reduce((sum, n) => sum + n.process.cpu.total_in_millis, 0) / 1000;
}

/** Primary store of an index or data stream after a force-merge to one segment. */
export interface StoreSize {
  /** `primaries.store.size_in_bytes` of `_stats/store` over its (backing) indices, after the merge. */
  bytes: number;
  /** `primaries.docs.count` over the same indices. */
  docs: number;
  /** `bytes / docs`; NaN when there are no documents. */
  bytesPerDoc: number;
  /** Elasticsearch's CPU seconds during the force-merge (`esCpuSeconds` before and after). */
  mergeCpuSeconds: number;
}

/**
 * Disk cost per document of what a run wrote into `target` (an index, a data stream, or a pattern of
 * either): `POST target/_forcemerge?max_num_segments=1` (waits for the merge, flushes), then
 * `GET target/_stats/store,docs`, primaries only (replicas would double it on a cluster that has them).
 * One segment takes away how far background merging happened to get, so the figure depends on the
 * documents and the mapping, not on the timing: two runs of the same documents differ by a few bytes.
 * @throws when the merge or the stats request fails.
 */
export async function storeAfterForceMerge(esUrl: string, target: string): Promise<StoreSize> {
  const base = esUrl.replace(/\/$/, '');
  const es0 = await esCpuSeconds(esUrl);
  const merged = await request(`${base}/${target}/_forcemerge?max_num_segments=1`, { method: 'POST', headersTimeout: 30 * 60_000, bodyTimeout: 30 * 60_000 });
  if (merged.statusCode !== 200) throw new Error(`_forcemerge of ${target} failed with ${merged.statusCode}: ${await merged.body.text()}`);
  await merged.body.dump();
  const es1 = await esCpuSeconds(esUrl);
  const res = await request(`${base}/${target}/_stats/store,docs?filter_path=_all.primaries`);
  if (res.statusCode !== 200) throw new Error(`_stats of ${target} failed with ${res.statusCode}: ${await res.body.text()}`);
  const p = ((await res.body.json()) as { _all: { primaries: { store: { size_in_bytes: number }; docs: { count: number } } } })._all.primaries;
  return { bytes: p.store.size_in_bytes, docs: p.docs.count, bytesPerDoc: p.docs.count > 0 ? p.store.size_in_bytes / p.docs.count : Number.NaN, mergeCpuSeconds: es1 - es0 };
}

/** Bytes of raw log per line: the UTF-8 bytes of `lines`, each with its newline, divided by their number (as the input file holds them). */
export function rawBytesPerLine(lines: string[]): number {
  let bytes = 0;
  for (const l of lines) bytes += Buffer.byteLength(l) + 1;
  return bytes / lines.length;
}

/** One processor run, timed from launch until `_count` reached every event, with its CPU time. */
export interface MeasuredRun {
  docsPerSec: number;
  /** Launch → `_count` reached every event. */
  seconds: number;
  /**
   * user + system CPU seconds of the processor process (all its threads) from launch until `_count`
   * reached every event (or until its last sample, ≤ 100 ms before exit, when it had already exited);
   * NaN where /proc is missing.
   */
  cpuSeconds: number;
  /** Elasticsearch's CPU seconds over the same time (`esCpuSeconds`). */
  esCpuSeconds: number;
  summary: RunSummary;
}

/** user + system CPU seconds of process `pid` from /proc (clock ticks of USER_HZ = 100); NaN if unreadable. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14 and 15 of proc(5))
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs the compiled processor (`dist/process.js …args`, `--once`) as its own process, as in production, and times it
 * as every end-to-end figure and the peer are timed: from launch until `index` counts `n` documents. Its CPU time is
 * sampled from /proc every 100 ms and once more when the summary line arrives (just before exit).
 * @throws when the processor fails or indexes fewer than `n` documents.
 */
export async function timeProcessorToCount(args: string[], esUrl: string, index: string, n: number): Promise<MeasuredRun> {
  const [cmd, argv] = await processorCommand(args); // builds dist/ once, before any timing
  await waitForIdleElasticsearch(esUrl);
  const es0 = await esCpuSeconds(esUrl);
  const started = performance.now();
  const child = spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let cpuSeconds = Number.NaN;
  const sample = (): void => {
    const c = procCpuSeconds(child.pid!);
    if (!Number.isNaN(c)) cpuSeconds = Number.isNaN(cpuSeconds) ? c : Math.max(cpuSeconds, c);
  };
  const sampler = setInterval(sample, 100);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    sample();
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<RunSummary>((resolve, reject) =>
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`processor exited with ${code}: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as RunSummary);
    }),
  );
  exited.catch(() => undefined);
  const short = exited.then((s) =>
    s.indexed < n ? Promise.reject(new Error(`processor indexed ${s.indexed} of ${n} (rejected ${s.rejected})`)) : new Promise<never>(() => undefined),
  );
  await Promise.race([waitForCount(esUrl, index, n, 30 * 60_000), short]);
  const seconds = (performance.now() - started) / 1000;
  const atCount = child.exitCode === null ? procCpuSeconds(child.pid!) : Number.NaN; // as Filebeat's is taken
  const es1 = await esCpuSeconds(esUrl);
  const summary = await exited;
  return { docsPerSec: n / seconds, seconds, cpuSeconds: Number.isNaN(atCount) ? cpuSeconds : atCount, esCpuSeconds: es1 - es0, summary };
}

/**
 * Warms Elasticsearch up before anything is timed: one untimed ceiling run of `records` into their own
 * namespace. Measured after an Elasticsearch restart: the first ceiling came out at a quarter of a warm
 * one, and after a 50,000-document warm-up still at half (the JVM's JIT), which flattered every ratio.
 */
export async function warmUpElasticsearch(esUrl: string, records: SourceRecord[], ctx: EnrichContext, namespace: string, batchSize: number): Promise<void> {
  await bulkCeiling(esUrl, records, ctx, namespace, batchSize);
}

/**
 * Runs every step `rounds` times in mirrored order (1 2 3, then 3 2 1, then 1 2 3 …), so that no step
 * always follows the same one, and returns each step's fastest round by name. Why: a run that came
 * right after the 200,000-document ceiling was measured 10–20 % slower than the same run later (order
 * effects that `waitForIdleElasticsearch` does not remove), which made whichever run came first look slow.
 * `onRound` is told each round's order before it starts; with `all`, every run is recorded there by
 * step name (for medians).
 */
export async function mirroredBest<R extends { docsPerSec: number }>(
  steps: { name: string; run: (round: number) => Promise<R> }[],
  rounds: number,
  onRound: (round: number, order: string[]) => void = () => undefined,
  all?: Map<string, R[]>,
): Promise<Map<string, R>> {
  const best = new Map<string, R>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? steps : [...steps].reverse();
    onRound(round, order.map((st) => st.name));
    for (const st of order) {
      const r = await st.run(round);
      all?.set(st.name, [...(all.get(st.name) ?? []), r]);
      const prev = best.get(st.name);
      if (!prev || r.docsPerSec > prev.docsPerSec) best.set(st.name, r);
    }
  }
  return best;
}

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** The raw `_bulk` ceiling, in documents per second, timed to two finish lines. */
export interface BulkCeiling {
  /** Every bulk response received: the ceiling the targets are measured against. */
  acknowledgedPerSec: number;
  /**
   * `_count` (no forced refresh, polled every 100 ms) shows every document: the finish line of the
   * processor and peer runs, which also wait for the last scheduled refresh and are polled while they index.
   */
  searchablePerSec: number;
  /** Elasticsearch's CPU seconds from the first request until `_count` showed every document. */
  esCpuSeconds: number;
  /** Documents sent. */
  docs: number;
}

/**
 * The raw `_bulk` ceiling: the documents the processor would write for `records`, serialised
 * beforehand into bodies of `batchSize` `create` actions and sent with 2 concurrent undici requests,
 * with no client library in between, into `logs-weblogs.access-{namespace}`.
 * @throws when a bulk request fails or reports errors.
 */
export async function bulkCeiling(esUrl: string, records: SourceRecord[], ctx: EnrichContext, namespace: string, batchSize: number): Promise<BulkCeiling> {
  const bodies: string[] = [];
  let sentDocs = 0;
  for (let i = 0; i < records.length; i += batchSize) {
    const { docs } = transformBatch(records.slice(i, i + batchSize), ctx, namespace);
    bodies.push(bulkLines(docs).join(''));
    sentDocs += docs.length;
  }
  return timeBulkBodies(esUrl, bodies, `logs-weblogs.access-${namespace}`, sentDocs);
}

/**
 * Sends pre-serialised `_bulk` bodies with 2 concurrent undici requests once Elasticsearch is idle,
 * and times them to two finish lines: the last response, and `_count` of `index` showing `docs`
 * documents. Elasticsearch's CPU seconds are read from the first request until the count.
 * @throws when a bulk request fails or reports errors.
 */
export async function timeBulkBodies(esUrl: string, bodies: string[], index: string, docs: number): Promise<BulkCeiling> {
  const bulkUrl = `${esUrl.replace(/\/$/, '')}/_bulk`;
  await waitForIdleElasticsearch(esUrl);
  const es0 = await esCpuSeconds(esUrl);
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < bodies.length; i = next++) {
      const res = await request(bulkUrl, { method: 'POST', body: bodies[i], headers: { 'content-type': 'application/x-ndjson' } });
      const json = (await res.body.json()) as { errors: boolean; items?: { create?: { error?: unknown } }[] };
      if (res.statusCode !== 200 || json.errors) {
        const first = json.items?.find((it) => it.create?.error)?.create?.error;
        throw new Error(`_bulk failed with status ${res.statusCode}${first ? `: ${JSON.stringify(first)}` : ''}`);
      }
    }
  };
  let acknowledged = 0;
  const sent = Promise.all([worker(), worker()]).then(() => (acknowledged = (performance.now() - started) / 1000));
  await Promise.all([sent, waitForCount(esUrl, index, docs, 30 * 60_000)]);
  const searchable = (performance.now() - started) / 1000;
  const es1 = await esCpuSeconds(esUrl);
  return { acknowledgedPerSec: docs / acknowledged, searchablePerSec: docs / searchable, esCpuSeconds: es1 - es0, docs };
}

/** One ceiling run as a `mirroredBest` step: `docsPerSec` is the acknowledged rate. */
export type CeilingRun = BulkCeiling & { docsPerSec: number };

/**
 * The `ceiling` step of `mirroredBest` for both benchmarks: `bulkCeiling` of `records` into namespace
 * `{namespace}{round}`, each round's figures logged through `log`.
 */
export function ceilingStep(o: {
  esUrl: string;
  records: SourceRecord[];
  ctx: EnrichContext;
  namespace: string;
  batchSize: number;
  log: (line: string) => void;
}): { name: string; run: (round: number) => Promise<CeilingRun> } {
  return {
    name: 'ceiling',
    run: async (round) => {
      const c = await bulkCeiling(o.esUrl, o.records, o.ctx, `${o.namespace}${round}`, o.batchSize);
      o.log(
        `  raw _bulk ceiling: ${fmt(c.acknowledgedPerSec)} docs/s until the last response; ${fmt(c.searchablePerSec)} docs/s until _count shows them all; ` +
          `Elasticsearch CPU ${fmt(usPerDoc(c.esCpuSeconds, c.docs), 1)} µs per document`,
      );
      return { ...c, docsPerSec: c.acknowledgedPerSec };
    },
  };
}

/**
 * Sends `total` events at `rate` events/s in 50 ms ticks through `send(from, count)` and polls
 * `index`'s document count every 50 ms, without forcing a refresh, until all are searchable or
 * `timeoutMs` passes. Event k counts as searchable at the first poll that saw more than k documents,
 * which is exact when events become visible in send order (one file; approximate across partitions).
 * Returns each event's send → searchable latency in ms.
 */
export async function visibilityLatencies(o: {
  esUrl: string;
  index: string;
  total: number;
  rate: number;
  send: (from: number, count: number) => Promise<void> | void;
  timeoutMs: number;
}): Promise<number[]> {
  const client = createEsClient(o.esUrl);
  const sentAt: number[] = [];
  const visibleAt: number[] = [];
  const perTick = Math.max(1, Math.round(o.rate / 20));
  let sending = false;
  const ticker = setInterval(() => {
    const n = Math.min(perTick, o.total - sentAt.length);
    if (n <= 0 || sending) return;
    sending = true;
    const from = sentAt.length;
    const t = performance.now();
    for (let i = 0; i < n; i++) sentAt.push(t);
    void Promise.resolve(o.send(from, n)).finally(() => (sending = false));
  }, 50);
  const deadline = Date.now() + o.timeoutMs;
  try {
    while (visibleAt.length < o.total && Date.now() < deadline) {
      const visible = await client.count({ index: o.index }).then((r) => r.count, () => 0);
      const t = performance.now();
      while (visibleAt.length < Math.min(visible, sentAt.length)) visibleAt.push(t);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    clearInterval(ticker);
    await client.close();
  }
  return visibleAt.map((t, i) => t - sentAt[i]!);
}
