/**
 * Building blocks of the fault suite: the processor as a real child process, seeded input lines,
 * and the check of what Elasticsearch holds against what was written (by `_id` set and by line).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { documentId, fileFingerprint, FINGERPRINT_BYTES } from '../../processor/pipeline/document-id.js';
import { readLines } from '../../processor/sources/line-reader.js';

/** The repository root (the processor is started from there). */
export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Where the shared or private stack answers. */
export interface Endpoints {
  esUrl: string;
  brokers: string[];
}

/** The `--once` / stop summary the processor prints on stdout (see processor.ts `RunSummary`). */
export interface Summary {
  lines: number;
  indexed: number;
  rejected: number;
  duplicates: number;
  peakRssMiB: number;
  seconds: number;
}

/** A processor child process. */
export interface ProcessorChild {
  proc: ChildProcess;
  /** Exit code, or the signal name when killed. */
  exited: Promise<number | string>;
  stderr: () => string;
  /** True once the processor logged that it started (its sources are reading). */
  started: () => boolean;
  /** The JSON summary line, once it exited cleanly. */
  summary: () => Summary | undefined;
}

/**
 * Starts `processor/cli.ts` (with tsx) with `args`, windows off, the raw line kept (`--keep-original`:
 * the checks count the documents of each line by it) and no metrics server unless asked.
 * Its stderr (JSON logs) is kept (the last 2 MB).
 */
export function startProcessor(args: string[], env: NodeJS.ProcessEnv = {}): ProcessorChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'processor/cli.ts', '--no-windows', '--keep-original', ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let started = false;
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    started ||= err.includes('"msg":"processor started"');
    if (err.length > 4_000_000) err = err.slice(-2_000_000);
  });
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return {
    proc,
    exited,
    stderr: () => err,
    started: () => started,
    summary: () => {
      const line = out.trim().split('\n').pop();
      try {
        return line ? (JSON.parse(line) as Summary) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

const live = new Set<ChildProcess>();

/** SIGKILLs every processor child still running (after a case failed half-way). */
export function killAllProcessors(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

/**
 * Runs the processor to its end and returns its summary.
 * @throws when it does not exit 0 (with the tail of its log).
 */
export async function runProcessor(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Summary> {
  const child = startProcessor(args, env);
  const code = await child.exited;
  const summary = child.summary();
  if (code !== 0 || !summary) throw new Error(`processor exited ${code}: ${child.stderr().slice(-3000)}`);
  return summary;
}

/** Sends `signal` and waits for the exit; returns the exit code (or signal name) and the summary. */
export async function signalProcessor(child: ProcessorChild, signal: NodeJS.Signals): Promise<{ code: number | string; summary: Summary | undefined }> {
  child.proc.kill(signal);
  const code = await child.exited;
  return { code, summary: child.summary() };
}

/** xorshift32: a tiny seeded generator, so every run of a case writes the same input. */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * One valid Apache combined log line, unique by `tag` and `i` (the request path carries both), with
 * a time `i` seconds after 2025-01-01T00:00:00Z.
 */
export function accessLine(tag: string, i: number, rnd: () => number = Math.random): string {
  const t = new Date(Date.UTC(2025, 0, 1) + i * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const time = `${p2(t.getUTCDate())}/${months[t.getUTCMonth()]}/${t.getUTCFullYear()}:${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} +0000`;
  const ip = `203.0.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
  const status = rnd() < 0.9 ? 200 : 404;
  return `${ip} - - [${time}] "GET /${tag}/item/${i} HTTP/1.1" ${status} ${100 + Math.floor(rnd() * 5000)} "-" "Mozilla/5.0 (X11; Linux x86_64) rtas-faults"`;
}

/** Lines `from`..`to-1` of {@link accessLine}, newline-terminated, as one string. */
export function accessLines(tag: string, from: number, to: number, seed = 1): string {
  const rnd = seeded(seed + from);
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(accessLine(tag, i, rnd));
  return out.join('\n') + '\n';
}

/**
 * Appends `count` lines to `file` at `perSecond` (in slices of 50 ms), so the processor reads a live,
 * growing file. Resolves when all are written. With `initialCap`, it writes no further than the cap
 * until `setCap` raises it (caps only rise; pacing restarts from there): a case can keep lines for
 * later, so a slow start on a loaded machine cannot find the whole file already written.
 */
export function liveWriter(
  file: string,
  tag: string,
  count: number,
  perSecond: number,
  initialCap = count,
): { done: Promise<void>; written: () => number; cap: () => number; setCap: (lines: number) => void } {
  let written = 0;
  let cap = Math.min(count, initialCap);
  const done = (async () => {
    let started = Date.now();
    let base = 0;
    while (written < count) {
      // Paced from where the cap last held it: lines held back by a cap are not written in one burst after.
      const due = Math.min(cap, count, base + Math.ceil(((Date.now() - started) / 1000) * perSecond) + 1);
      if (due > written) {
        await appendFile(file, accessLines(tag, written, due));
        written = due;
      }
      if (written >= cap && written < count) {
        while (cap <= written) await sleep(20);
        started = Date.now();
        base = written;
      }
      await sleep(50);
    }
  })();
  return { done, written: () => written, cap: () => cap, setCap: (lines) => void (cap = Math.min(count, Math.max(cap, lines))) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` every 500 ms until true; @throws after `timeoutMs` naming `what`. */
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The data stream the weblogs dataset writes to in `namespace`. */
export function weblogsIndex(namespace: string): string {
  return `logs-weblogs.access-${namespace}`;
}

/** Number of documents in `index` after a refresh (0 when it does not exist). */
export async function countDocs(es: Client, index: string): Promise<number> {
  try {
    await es.indices.refresh({ index });
    return (await es.count({ index })).count;
  } catch (err) {
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return 0;
    throw err;
  }
}

/**
 * What Elasticsearch holds in an index: every `_id`, how many documents carry each raw line, and the
 * `log.offset` of every document read from a file, per `log.file.path`.
 */
export interface Stored {
  docs: number;
  ids: Set<string>;
  byMessage: Map<string, number>;
  offsets: Map<string, number[]>;
}

type StoredSource = { message?: string; event?: { original?: string }; log?: { offset?: number; file?: { path?: string } } };

/** Reads every document's `_id`, raw line (`event.original`, else `message`) and `log.*` of `index` (scroll, 10,000 at a time). */
export async function storedDocs(es: Client, index: string): Promise<Stored> {
  const stored: Stored = { docs: 0, ids: new Set(), byMessage: new Map(), offsets: new Map() };
  try {
    await es.indices.refresh({ index });
  } catch (err) {
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return stored;
    throw err;
  }
  let page = await es.search<StoredSource>({ index, scroll: '2m', size: 10_000, _source: ['message', 'event.original', 'log.offset', 'log.file.path'], sort: ['_doc'] });
  const scrollIds = new Set<string>();
  while (page.hits.hits.length > 0) {
    for (const h of page.hits.hits) {
      stored.docs += 1;
      stored.ids.add(h._id!);
      const m = h._source?.event?.original ?? h._source?.message ?? '';
      stored.byMessage.set(m, (stored.byMessage.get(m) ?? 0) + 1);
      const log = h._source?.log;
      if (log?.file?.path !== undefined && log.offset !== undefined) {
        const list = stored.offsets.get(log.file.path) ?? [];
        if (list.length === 0) stored.offsets.set(log.file.path, list);
        list.push(log.offset);
      }
    }
    if (!page._scroll_id) break;
    scrollIds.add(page._scroll_id);
    page = await es.scroll<StoredSource>({ scroll_id: page._scroll_id, scroll: '2m' });
  }
  if (scrollIds.size > 0) await es.clearScroll({ scroll_id: [...scrollIds] }).catch(() => undefined);
  return stored;
}

/**
 * The `_id` every line of `file` gets when read from offset 0 (the same computation the file source
 * and the pipeline do), with the line text; lines over `maxBytes` are left out (they are dead-lettered).
 */
export async function expectedFileIds(file: string, maxBytes?: number): Promise<Map<string, string>> {
  const size = statSync(file).size;
  const fd = readFileSync(file).subarray(0, FINGERPRINT_BYTES);
  const full = fd.length >= FINGERPRINT_BYTES ? fileFingerprint(fd, FINGERPRINT_BYTES) : undefined;
  const ids = new Map<string, string>();
  for await (const line of readLines(file, 0, size, maxBytes)) {
    if (line.originalBytes !== undefined) continue;
    const position = { kind: 'file' as const, path: file, fileId: '', generation: 0, offset: line.offset, nextOffset: line.nextOffset, fingerprint: fileFingerprint(fd, line.nextOffset, full) };
    ids.set(documentId({ position, raw: line.text }), line.text);
  }
  return ids;
}

/**
 * Compares what Elasticsearch holds with the lines expected there (`expected`: raw lines that must be
 * stored exactly once). `lost`: expected lines with no document; `doubled`: documents beyond one per
 * stored line (a second copy of an event under another `_id`); `unexpected`: documents of lines not
 * expected at all.
 */
export function compareLines(stored: Stored, expected: Iterable<string>): { lost: number; doubled: number; unexpected: number } {
  let lost = 0;
  const want = new Set<string>();
  for (const line of expected) {
    want.add(line);
    if (!stored.byMessage.has(line)) lost += 1;
  }
  let doubled = 0;
  let unexpected = 0;
  for (const [m, n] of stored.byMessage) {
    doubled += n - 1;
    if (!want.has(m)) unexpected += n;
  }
  return { lost, doubled, unexpected };
}

/**
 * The byte offset of every line start of `file` (`\n`-terminated lines; a last line without `\n` too),
 * found in the file's bytes alone: the `log.offset` values its documents must carry, independent of
 * the processor's reader and of the `_id` computation.
 */
export function lineStartOffsets(file: string): number[] {
  const bytes = readFileSync(file);
  const out: number[] = [];
  for (let start = 0; start < bytes.length; ) {
    out.push(start);
    const nl = bytes.indexOf(0x0a, start);
    if (nl === -1) break;
    start = nl + 1;
  }
  return out;
}

/**
 * Compares the `log.offset` values stored for `file` (`stored.offsets`) with the expected line starts:
 * `missing` expected offsets without a document, `extra` stored offsets that start no line, `twice`
 * documents beyond the first at one offset.
 */
export function compareOffsets(stored: Stored, file: string, expected: number[]): { file: string; expected: number; stored: number; missing: number; extra: number; twice: number } {
  const have = new Map<number, number>();
  for (const o of stored.offsets.get(file) ?? []) have.set(o, (have.get(o) ?? 0) + 1);
  const want = new Set(expected);
  let missing = 0;
  for (const o of want) if (!have.has(o)) missing += 1;
  let extra = 0;
  let twice = 0;
  for (const [o, n] of have) {
    if (!want.has(o)) extra += n;
    else twice += n - 1;
  }
  return { file: path.basename(file), expected: expected.length, stored: stored.offsets.get(file)?.length ?? 0, missing, extra, twice };
}

/**
 * Messages whose number of documents differs from the number of times the line was written
 * (`expected`: the raw lines as written, repeats included).
 */
export function messageCountMismatches(stored: Stored, expected: Iterable<string>): number {
  const want = new Map<string, number>();
  for (const l of expected) want.set(l, (want.get(l) ?? 0) + 1);
  let mismatches = 0;
  for (const [m, n] of want) if ((stored.byMessage.get(m) ?? 0) !== n) mismatches += 1;
  for (const m of stored.byMessage.keys()) if (!want.has(m)) mismatches += 1;
  return mismatches;
}

/** `_id`s expected but missing, and stored but not expected. */
export function compareIds(stored: Set<string>, expected: Iterable<string>): { missingIds: number; extraIds: number } {
  const want = new Set(expected);
  let missingIds = 0;
  for (const id of want) if (!stored.has(id)) missingIds += 1;
  let extraIds = 0;
  for (const id of stored) if (!want.has(id)) extraIds += 1;
  return { missingIds, extraIds };
}

/** Lines of a dead-letter file (0 when it does not exist). */
export function deadLetterCount(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  return text.length === 0 ? 0 : text.trimEnd().split('\n').length;
}

/** One counter (summed over its labels) from a Prometheus text exposition. */
export function metricValue(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ' ') || line.startsWith(name + '{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** An ES client for the fault suite. */
export function esClient(url: string): Client {
  return new Client({ node: url, requestTimeout: 120_000 });
}
