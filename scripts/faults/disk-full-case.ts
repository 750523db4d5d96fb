/**
 * The `disk-full` fault case: the processor's data dir (dead letters, checkpoints) on a 4 MiB tmpfs
 * that is nearly full, with hostile input (a fifth of the lines malformed, so many dead letters).
 * Three phases, each on its own file and namespace:
 *
 * - `once`: `--once` runs on the nearly full data dir; each run that hits `ENOSPC` must exit 4 with a
 *   "disk full" line; 512 KiB (quick: 128 KiB) are freed after each until a run finishes with exit 0.
 * - `checkpointFull`: the dead letters on a disk with space, the checkpoint file on a second tmpfs
 *   that is full: the first run writes its dead letters and fails on the checkpoint (exit 4); after
 *   space comes back, the second run reads the same lines again and must not write their dead
 *   letters twice (the failure the issue measured: 14,226 lines for 8,890 records).
 * - `live`: a live processor on the nearly full data dir must stay up, log one "disk full … intake
 *   paused" warning and show `rtas_disk_full_paused 1`; after the space comes back it goes on by itself,
 *   and a SIGTERM at the end exits 0.
 *
 * After each phase, for every line of its file: exactly one of (a document in Elasticsearch, one line
 * in the dead-letter file), compared by `_id`; every dead-letter line parses (no torn line). Needs
 * root (or CAP_SYS_ADMIN) for `mount -t tmpfs`; where mounting is refused the case is skipped, with
 * the reason in `skipped`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { CaseContext, CaseResult } from './cases.js';
import { accessLine, esClient, expectedFileIds, metricValue, seeded, signalProcessor, sleep, startProcessor, storedDocs, waitFor, weblogsIndex } from './harness.js';

/** Size of the data dir's filesystem, as in the report. */
const TMPFS_SIZE = '4m';

/** Mounts a tmpfs of `size` at `dir` (created). @throws Error with mount's message when refused. */
export function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Unmounts `dir` (lazily, so a straggling process cannot keep it mounted); never throws. */
export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
}

/**
 * Why tmpfs cannot be mounted here (not root, no CAP_SYS_ADMIN, no mount binary…), or undefined when a
 * trial mount and unmount succeed.
 */
export function tmpfsUnavailable(scratch: string): string | undefined {
  const dir = mkdtempSync(path.join(scratch, 'mount-probe-'));
  try {
    mountTmpfs(dir, '64k');
    unmount(dir);
    return undefined;
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    return `cannot mount a tmpfs (${(e.stderr?.toString().trim() || e.message).split('\n')[0]}); the disk-full case needs root or CAP_SYS_ADMIN`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Free bytes of the filesystem holding `dir` (for an unprivileged writer). */
function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Fills the filesystem of `dir` with `filler` until only `leave` bytes are free. */
function fillUpTo(dir: string, filler: string, leave: number): void {
  const add = freeBytes(dir) - leave;
  if (add > 0) appendFileSync(filler, Buffer.alloc(add, 0x58));
}

/** Frees `bytes` of `filler` (or all of it). */
function freeSome(filler: string, bytes: number): void {
  if (!existsSync(filler)) return;
  const size = statSync(filler).size;
  truncateSync(filler, Math.max(0, size - bytes));
}

/** `n` seeded access lines, `share` of them made unparseable (cut, junk bytes, a bad status, a bad date). */
function hostileLines(tag: string, n: number, share: number, seed: number): string[] {
  const rnd = seeded(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const line = accessLine(tag, i, rnd);
    if (rnd() >= share) {
      out.push(line);
      continue;
    }
    const at = 5 + Math.floor(rnd() * (line.length - 10));
    switch (Math.floor(rnd() * 4)) {
      case 0:
        out.push(line.slice(0, at));
        break;
      case 1:
        out.push(randomBytesSeeded(rnd, 20 + Math.floor(rnd() * 120)));
        break;
      case 2:
        out.push(line.replace(/" (200|404) /, '" 9999 '));
        break;
      default:
        out.push(line.replace(/\[\d\d\//, '[31/').replace(/\/Jan\//, '/Feb/'));
    }
  }
  return out;
}

/** Printable junk from the seeded generator (no newline). */
function randomBytesSeeded(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(33 + Math.floor(rnd() * 94));
  return s;
}

/** The dead-letter file read strictly: lines that do not parse, and how many times each `id` occurs. */
function readDeadLetters(file: string): { lines: number; torn: number; perId: Map<string, number> } {
  const perId = new Map<string, number>();
  let lines = 0;
  let torn = 0;
  if (!existsSync(file)) return { lines, torn, perId };
  const text = readFileSync(file, 'utf8');
  if (text.length > 0 && !text.endsWith('\n')) torn += 1; // a last line without its newline
  for (const line of text.split('\n')) {
    if (line === '') continue;
    lines += 1;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id !== 'string') throw new Error('no id');
      perId.set(id, (perId.get(id) ?? 0) + 1);
    } catch {
      torn += 1;
    }
  }
  return { lines, torn, perId };
}

/** Every line of `file` indexed xor dead-lettered exactly once; problems are pushed, figures returned. */
async function account(es: Client, ns: string, file: string, deadLetterFile: string, problems: string[], phase: string) {
  const expected = await expectedFileIds(file);
  const stored = await storedDocs(es, weblogsIndex(ns));
  const dl = readDeadLetters(deadLetterFile);
  let lost = 0;
  let both = 0;
  for (const id of expected.keys()) {
    const inEs = stored.ids.has(id);
    const inDl = dl.perId.has(id);
    if (inEs && inDl) both += 1;
    if (!inEs && !inDl) lost += 1;
  }
  const unexpected = [...stored.ids, ...dl.perId.keys()].filter((id) => !expected.has(id)).length;
  const writtenTwice = [...dl.perId.values()].filter((n) => n > 1).length;
  const doubledDocs = [...stored.byMessage.values()].filter((n) => n > 1).length;
  const r = { lines: expected.size, indexed: stored.docs, deadLettered: dl.perId.size, deadLetterLines: dl.lines, tornLines: dl.torn, deadLettersWrittenTwice: writtenTwice, lost, both, unexpected, doubledDocs };
  if (lost || both || unexpected || doubledDocs) problems.push(`${phase}: lost ${lost}, indexed and dead-lettered ${both}, unexpected ${unexpected}, lines stored twice ${doubledDocs}`);
  if (stored.docs + dl.perId.size !== expected.size) problems.push(`${phase}: ${stored.docs} indexed + ${dl.perId.size} dead-lettered != ${expected.size} lines`);
  if (dl.torn) problems.push(`${phase}: ${dl.torn} torn or unparseable dead-letter lines`);
  if (dl.lines !== dl.perId.size) problems.push(`${phase}: ${dl.lines} dead-letter lines for ${dl.perId.size} records (${writtenTwice} written more than once)`);
  return r;
}

/** The arguments of one processor run on `watch` with its data dir. */
function args(ctx: CaseContext, watch: string, ns: string, dataDir: string, extra: string[]): string[] {
  return ['--watch', watch, '--es-url', ctx.endpoints.esUrl, '--namespace', ns, '--data-dir', dataDir, '--batch-size', '1000', ...extra];
}

/**
 * Runs the three phases (see the module comment).
 * @param n lines per phase (the report: 20,000); `share` of them malformed.
 * @param stepBytes space freed after each failed `--once` run.
 */
export async function diskFullCase(ctx: CaseContext, n = 20_000, share = 0.2, stepBytes = 512 * 1024): Promise<CaseResult> {
  const unavailable = tmpfsUnavailable(ctx.workDir);
  if (unavailable) return { case: 'disk-full', holds: true, problems: [], skipped: unavailable };
  const problems: string[] = [];
  const es = esClient(ctx.endpoints.esUrl);
  const dir = mkdtempSync(path.join(ctx.workDir, 'disk-full-'));
  const mounts: string[] = [];
  const mount = (name: string, size: string): string => {
    const d = path.join(dir, name);
    mountTmpfs(d, size);
    mounts.push(d);
    return d;
  };
  const phase = (name: string, seed: number) => {
    const ns = `fdiskfull${randomBytes(3).toString('hex')}`;
    const watch = path.join(dir, `logs-${name}`);
    mkdirSync(watch);
    const file = path.join(watch, 'access.log');
    writeFileSync(file, hostileLines(name, n, share, seed).join('\n') + '\n');
    return { ns, watch, file };
  };
  try {
    // --once runs on a nearly full data dir, space freed step by step.
    const once = phase('once', 11);
    const onceDir = mount('data-once', TMPFS_SIZE);
    const onceFiller = path.join(onceDir, 'filler');
    fillUpTo(onceDir, onceFiller, 32 * 1024);
    const exitCodes: (number | string)[] = [];
    let diskFullLines = 0;
    for (let run = 0; run < 40; run++) {
      const child = startProcessor(args(ctx, once.watch, once.ns, onceDir, ['--once', '--no-metrics']));
      const code = await child.exited;
      exitCodes.push(code);
      const dl = readDeadLetters(path.join(onceDir, 'dead-letters.ndjson'));
      if (dl.torn) problems.push(`once: run ${run + 1} left ${dl.torn} torn dead-letter lines`);
      if (code === 0) break;
      if (code !== 4) {
        problems.push(`once: run ${run + 1} exited ${code}, want 4 (disk full) or 0: ${child.stderr().slice(-600)}`);
        break;
      }
      if (/^error: disk full: could not write /m.test(child.stderr())) diskFullLines += 1;
      freeSome(onceFiller, stepBytes);
    }
    if (exitCodes.at(-1) !== 0) problems.push(`once: never finished (${exitCodes.join(',')})`);
    if (exitCodes.length < 2) problems.push('once: the disk never filled up (no run exited 4)');
    if (diskFullLines !== exitCodes.length - 1) problems.push(`once: ${diskFullLines} "error: disk full" lines for ${exitCodes.length - 1} runs that exited 4`);
    const onceFigures = await account(es, once.ns, once.file, path.join(onceDir, 'dead-letters.ndjson'), problems, 'once');

    // Dead letters written, then the checkpoint refused: the re-read must not write them again.
    const cp = phase('checkpoint', 12);
    const cpDataDir = path.join(dir, 'data-checkpoint');
    mkdirSync(cpDataDir);
    const cpDir = mount('checkpoint', '64k');
    const cpFiller = path.join(cpDir, 'filler');
    fillUpTo(cpDir, cpFiller, 0);
    const cpFile = path.join(cpDir, 'files-weblogs.json');
    const cpArgs = args(ctx, cp.watch, cp.ns, cpDataDir, ['--once', '--no-metrics', '--checkpoint-file', cpFile, '--batch-size', String(n)]);
    const first = startProcessor(cpArgs);
    const firstCode = await first.exited;
    const lettersAfterFirst = readDeadLetters(path.join(cpDataDir, 'dead-letters.ndjson')).lines;
    if (firstCode !== 4) problems.push(`checkpoint: first run exited ${firstCode}, want 4: ${first.stderr().slice(-600)}`);
    if (lettersAfterFirst === 0) problems.push('checkpoint: the first run wrote no dead letters before the checkpoint failed');
    rmSync(cpFiller);
    const second = startProcessor(cpArgs);
    const secondCode = await second.exited;
    if (secondCode !== 0) problems.push(`checkpoint: second run exited ${secondCode}: ${second.stderr().slice(-600)}`);
    const cpFigures = { firstExit: firstCode, secondExit: secondCode, deadLettersAfterFirstRun: lettersAfterFirst, ...(await account(es, cp.ns, cp.file, path.join(cpDataDir, 'dead-letters.ndjson'), problems, 'checkpoint')) };

    // A live processor on a nearly full data dir: pauses, stays up, resumes by itself.
    const live = phase('live', 13);
    const liveDir = mount('data-live', TMPFS_SIZE);
    const liveFiller = path.join(liveDir, 'filler');
    fillUpTo(liveDir, liveFiller, 32 * 1024);
    const child = startProcessor(args(ctx, live.watch, live.ns, liveDir, ['--metrics-port', '0']));
    let paused = false;
    await waitFor('the disk-full warning', () => /disk full \(ENOSPC\) writing .*intake paused/.test(child.stderr()) || child.proc.exitCode !== null, 120_000);
    const port = Number(/"metricsPort":(\d+)/.exec(child.stderr())?.[1]);
    if (child.proc.exitCode === null && port) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      paused = metricValue(text, 'rtas_disk_full_paused') === 1;
    }
    await sleep(3000);
    const aliveWhileFull = child.proc.exitCode === null;
    if (!aliveWhileFull) problems.push(`live: the processor exited (${child.proc.exitCode}) on a full disk: ${child.stderr().slice(-600)}`);
    if (!paused) problems.push('live: rtas_disk_full_paused was not 1 while paused');
    rmSync(liveFiller);
    const expectedLive = (await expectedFileIds(live.file)).size;
    await waitFor(
      'every live line indexed or dead-lettered',
      async () => {
        const stored = await storedDocs(es, weblogsIndex(live.ns));
        return stored.docs + readDeadLetters(path.join(liveDir, 'dead-letters.ndjson')).perId.size >= expectedLive || child.proc.exitCode !== null;
      },
      180_000,
      1000,
    );
    const resumed = /disk space back: .* written; intake resumes/.test(child.stderr());
    if (!resumed) problems.push('live: no "disk space back" line');
    const stop = await signalProcessor(child, 'SIGTERM');
    if (stop.code !== 0) problems.push(`live: SIGTERM exit ${stop.code}`);
    const liveFigures = { aliveWhileFull, pausedGauge: paused, resumed, exit: stop.code, ...(await account(es, live.ns, live.file, path.join(liveDir, 'dead-letters.ndjson'), problems, 'live')) };

    return {
      case: 'disk-full',
      holds: problems.length === 0,
      problems,
      expected: 3 * n,
      tmpfs: TMPFS_SIZE,
      onceExitCodes: exitCodes,
      once: onceFigures,
      checkpointFull: cpFigures,
      live: liveFigures,
      lost: onceFigures.lost + cpFigures.lost + liveFigures.lost,
      doubled: onceFigures.doubledDocs + cpFigures.doubledDocs + liveFigures.doubledDocs,
    };
  } finally {
    for (const m of mounts) unmount(m);
    rmSync(dir, { recursive: true, force: true });
    await es.close();
  }
}
