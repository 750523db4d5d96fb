import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { InputSettings } from '../inputs/settings.js';
import type { FilePosition, Source, SourceBatch, SourcePosition, SourceRecord } from '../pipeline/types.js';
import { FINGERPRINT_BYTES, fileFingerprint } from '../pipeline/document-id.js';
import { CheckpointStore } from './file-checkpoints.js';
import { PathSelector } from './file-paths.js';
import { DEFAULT_MAX_RECORD_BYTES, type ByteLine, TruncatedGzipError, gzipHead, readGzipLines, readLines } from './line-reader.js';
import { DEFAULT_MULTILINE_FLUSH_MS, MultilineJoiner } from './multiline.js';
import { sniffContent } from './sniff.js';

/**
 * Options of a file source: one input (`processor/inputs/settings.ts`: its `paths`, `exclude`,
 * `dataset`, `startAt`, `ignoreOlderMs`), each record tagged with the input's `id`; sizes in records
 * or bytes, times in ms.
 */
export interface FileSourceOptions {
  /** What to read and how: every record gets `dataset: input.dataset` and `input: input.id`. */
  input: InputSettings;
  /** Where committed offsets are stored (JSON, written atomically). */
  checkpointFile: string;
  /**
   * Paths (not globs) never to read: the processor's own checkpoints, dead letters and archive. The
   * checkpoint file is always excluded.
   */
  internalExclude?: string[];
  /** Read what is there, emit unterminated last lines and open multi-line entries too, then report drained (`--once`). */
  once: boolean;
  /** Records per emitted chunk (default 1000). */
  chunkRecords?: number;
  /** Interval of a safety re-scan of known files, in case a file-system event was missed (default 2000). */
  rescanMs?: number;
  /** Longer lines (and multi-line entries) are cut to this many bytes while reading and flagged with `originalBytes` (default 1 MiB). */
  maxRecordBytes?: number;
  /**
   * Multi-line entries: a line matching this begins an entry, any other line is appended (with `\n`)
   * to the entry before it (see `MultilineJoiner`). None: every line is a record.
   */
  multilineStart?: RegExp;
  /** Live mode: the last entry of a file is emitted after this long without new lines (default 1000; Filebeat's `multiline.timeout`). */
  multilineFlushMs?: number;
  log: Logger;
}

type ContentKind = 'unknown' | 'text' | 'gzip' | 'binary';

/**
 * Files that hold the same content (same first KiB, or one's head a prefix of the other's): a rotated
 * file and its compressed copy, or its copy under a new inode. Their reads are serialised and each
 * starts where the furthest member got, so a line is read once whichever of them is seen first.
 */
interface ContentGroup {
  files: Set<TrackedFile>;
  /** Tail of the chain of reads of the group's members. */
  lock: Promise<void>;
  /**
   * How far the content was read and committed by any member, kept here because a member can leave
   * (deleted, or its inode reused by another file) before another has taken over its position.
   */
  readOffset: number;
  committed: number;
  /** The longest head of the content seen (up to 1 KiB). */
  head: Buffer;
}

/** A group of one file. */
function newGroup(f?: TrackedFile): ContentGroup {
  return { files: new Set(f ? [f] : []), lock: Promise.resolve(), readOffset: 0, committed: 0, head: Buffer.alloc(0) };
}

interface TrackedFile {
  fileId: string;
  path: string;
  generation: number;
  /** Next byte to read; ahead of the committed offset while records are in flight. For gzip: of the decompressed stream. */
  readOffset: number;
  committed: number;
  headLength: number;
  headHash: string;
  /** File size in bytes (for gzip: the compressed size). */
  size: number;
  gone: boolean;
  reading: Promise<void> | undefined;
  rereadRequested: boolean;
  /** The file's first bytes (up to 1 KiB; decompressed for gzip) as of the last read: the source of each line's fingerprint. */
  head: Buffer;
  /** The file's first bytes as stored (compressed for gzip), up to 1 KiB: a change means another file. */
  rawHead: Buffer;
  kind: ContentKind;
  /** Where reading starts was decided (checkpoint, content match, `startAt`). */
  placed: boolean;
  /** Found under its inode in the checkpoint store when discovered. */
  fromCheckpoint: boolean;
  /** With `startAt: 'end'`: the size when found in the initial scan (it is read from there). */
  startAt: number | undefined;
  /** A gzip file read to its end: never read again. */
  done: boolean;
  /** Decompressed length of a gzip file, once read to its end. */
  endOffset: number | undefined;
  group: ContentGroup;
  /** Renamed to a name the input does not select: followed until inactive (see `followRename`). */
  outside: boolean;
  /** When its size last changed (ms since the epoch). */
  lastGrowth: number;
  /** An unfinished multi-line entry held back in live mode: its range and since when it has not grown. */
  pendingEntry: { offset: number; nextOffset: number; since: number } | undefined;
  flushTimer: NodeJS.Timeout | undefined;
  /** Code of the read error last logged for this file (logged again only when it changes). */
  lastError: string | undefined;
}

/** A chunk is emitted at this many characters of text too, so long lines cannot pile up (4 Mi). */
const CHUNK_CHARS = 4 * 1024 * 1024;

/**
 * How long a file renamed to a name the input does not select is still followed after it last grew,
 * ms (Filebeat's `close.on_state_change.inactive` default: 5 min).
 */
const RENAMED_INACTIVE_MS = 5 * 60 * 1000;

/** Bytes of a file's head that identify its content (see `FileCheckpoint.headHash`). */
const HEAD_BYTES = FINGERPRINT_BYTES;

/**
 * Reads log files selected by an input's paths, directories and globs (see `PathSelector`): growing
 * plain files incrementally from each file's committed byte offset, gzip files (found by their magic
 * bytes) once, streamed through node:zlib, with offsets in the decompressed stream. Files that are
 * neither text nor gzip are skipped with one warning.
 *
 * Identity: checkpoints are keyed by `device:inode`, so a renamed (rotated) file continues where it
 * was. A file without one is looked up by its content (SHA-1 of its first KiB, decompressed for
 * gzip), so `access.log.1` compressed into `access.log.2.gz` continues at the offset committed for
 * `access.log.1` (usually: nothing left to read), and while both exist their reads are serialised
 * (`ContentGroup`). Document ids do not depend on the inode either: each line carries the fingerprint
 * of the (decompressed) head (document-id.ts), so a line gets the same id from the plain and the
 * compressed file, and a re-read would be a duplicate (409), never a copy. A plain file found shorter
 * than its offset, or whose head differs from the one checkpointed, was truncated or replaced (or its
 * inode reused) and is read again from 0.
 *
 * In live mode a last line without `\n` waits for its newline and, with `multilineStart`, the last
 * entry of a file waits for the next entry's start or `multilineFlushMs` without new lines: the read
 * offset never passes an unfinished entry, which is read again later (a crash cannot lose it).
 * `--once` takes both as they are.
 */
export class FileSource implements Source {
  readonly name = 'files';
  private readonly store: CheckpointStore;
  private readonly files = new Map<string, TrackedFile>();
  private watcher: FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private emit: ((batch: SourceBatch) => Promise<void>) | undefined;
  private stopped = false;
  private drainedPromise: Promise<void>;
  private resolveDrained!: () => void;
  private rejectDrained!: (err: unknown) => void;
  /** Files (by path) discovered but not yet stat'ed into `files`. */
  private readonly discovering = new Set<Promise<void>>();
  private readonly selector: PathSelector;
  private readonly dataset: string;
  private readonly inputId: string;
  private readonly startAtEnd: boolean;
  private readonly ignoreOlderMs: number | undefined;
  /** Files seen per path rule (index into `selector.rules`). */
  private readonly matchedRules = new Set<number>();
  /** Bases that did not exist at start: added to the watcher once they appear. */
  private readonly missingBases = new Set<string>();
  /** Paths skipped by `ignoreOlderMs`. */
  private readonly tooOld = new Set<string>();
  /** Their identities (`device:inode`): their checkpoints are kept. */
  private readonly tooOldIds = new Set<string>();
  private initialScan = true;

  constructor(private readonly opts: FileSourceOptions) {
    this.store = new CheckpointStore(opts.checkpointFile);
    const input = opts.input;
    this.dataset = input.dataset;
    this.inputId = input.id;
    this.startAtEnd = input.startAt === 'end';
    this.ignoreOlderMs = input.ignoreOlderMs;
    this.selector = new PathSelector(input.paths, input.exclude ?? [], [opts.checkpointFile, ...(opts.internalExclude ?? [])]);
    this.drainedPromise = new Promise((resolve, reject) => {
      this.resolveDrained = resolve;
      this.rejectDrained = reject;
    });
  }

  async start(emit: (batch: SourceBatch) => Promise<void>): Promise<void> {
    this.emit = emit;
    await this.store.load();
    if (this.store.loadedVersion === 1 && this.store.size > 0) {
      this.opts.log.warn(
        { checkpointFile: this.opts.checkpointFile, files: this.store.size },
        'checkpoints of the previous version: resuming at their offsets; document ids are now content-based, so a ' +
          'batch the previous version indexed but had not committed when it stopped would be indexed once more',
      );
    }
    const bases = this.selector.bases();
    const present = bases.filter((b) => existsSync(b));
    for (const b of bases) if (!present.includes(b)) this.missingBases.add(b);
    this.watcher = chokidar
      .watch(present, {
        persistent: !this.opts.once,
        ignoreInitial: false,
        // Otherwise chokidar silently leaves out a file whose owner-read bit is clear (it checks only
        // that bit): an unreadable file would never be named, and a readable one could be skipped.
        // The read of an unreadable file fails instead, and that is logged (once, see `scheduleRead`).
        ignorePermissionErrors: true,
        ignored: (p: string, stats?: { isDirectory(): boolean }) => this.selector.shouldIgnore(p, stats?.isDirectory()),
      })
      .on('add', (p) => this.track(this.discover(p)))
      .on('change', (p) => this.track(this.discover(p)))
      .on('unlink', (p) => this.markGone(p))
      .on('error', (err) => this.opts.log.error({ err }, 'file watcher error'));
    if (present.length > 0) await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    while (this.discovering.size > 0) await Promise.all([...this.discovering]);
    this.initialScan = false;
    this.store.markMissing(new Set([...this.files.keys(), ...this.tooOldIds]));
    this.reportInitialScan();
    if (this.opts.once) {
      void this.finishOnce();
    } else {
      this.rescanTimer = setInterval(() => {
        for (const b of this.missingBases) {
          if (!existsSync(b)) continue;
          this.missingBases.delete(b);
          this.opts.log.info({ path: b }, 'watched path appeared');
          this.watcher?.add(b);
        }
        const now = Date.now();
        for (const f of this.files.values()) {
          if (f.gone) continue;
          if (f.outside && now - f.lastGrowth > RENAMED_INACTIVE_MS && !f.reading && f.readOffset === f.committed) {
            this.opts.log.info({ path: f.path }, 'renamed file inactive: no longer followed');
            this.markDeleted(f);
            continue;
          }
          this.scheduleRead(f);
        }
      }, this.opts.rescanMs ?? 2000);
    }
  }

  private reportInitialScan(): void {
    for (const p of this.unmatchedPaths()) {
      this.opts.log.warn({ path: p, input: this.inputId }, `no file matches ${p}${this.opts.once ? '' : ' (yet): watching for it'}`);
    }
    if (this.tooOld.size > 0) {
      this.opts.log.info({ files: this.tooOld.size, ignoreOlderMs: this.ignoreOlderMs, input: this.inputId }, 'files not modified within ignore_older skipped');
    }
  }

  /**
   * The input's paths and globs that have matched no file so far (each as written), e.g. for the CLI
   * to print; a file appearing later removes its path from the list.
   */
  unmatchedPaths(): string[] {
    return this.selector.rules.filter((_, i) => !this.matchedRules.has(i)).map((r) => r.source);
  }

  private track(p: Promise<void>): void {
    this.discovering.add(p);
    void p.finally(() => this.discovering.delete(p));
  }

  /** In `--once` mode: wait for the initial scan's reads, then report drained. */
  private async finishOnce(): Promise<void> {
    try {
      while (this.discovering.size > 0) await Promise.all([...this.discovering]);
      for (;;) {
        const busy = [...this.files.values()].map((f) => f.reading).filter((r): r is Promise<void> => !!r);
        if (busy.length === 0) break;
        await Promise.all(busy);
      }
      await this.emit?.({ records: [], caughtUp: true });
      await this.watcher?.close();
      this.resolveDrained();
    } catch (err) {
      this.rejectDrained(err);
    }
  }

  private async discover(p: string): Promise<void> {
    const rules = this.selector.matchingRules(p);
    if (rules.length === 0) return;
    let st;
    try {
      st = await stat(p, { bigint: true });
    } catch {
      return; // vanished between the event and the stat
    }
    if (!st.isFile()) return;
    for (const r of rules) this.matchedRules.add(r);
    const fileId = `${st.dev}:${st.ino}`;
    let f = this.files.get(fileId);
    if (!f) {
      if (this.ignoreOlderMs !== undefined && Date.now() - Number(st.mtimeMs) > this.ignoreOlderMs) {
        if (!this.tooOld.has(p)) this.opts.log.debug({ path: p }, 'not modified within ignore_older: skipped');
        this.tooOld.add(p);
        this.tooOldIds.add(fileId);
        return;
      }
      this.tooOld.delete(p);
      const cp = this.store.get(fileId);
      f = {
        fileId,
        path: p,
        generation: cp?.generation ?? 0,
        readOffset: cp?.offset ?? 0,
        committed: cp?.offset ?? 0,
        headLength: cp?.headLength ?? 0,
        headHash: cp?.headHash ?? '',
        size: Number(st.size),
        gone: false,
        reading: undefined,
        rereadRequested: false,
        head: Buffer.alloc(0),
        rawHead: Buffer.alloc(0),
        kind: 'unknown',
        placed: false,
        fromCheckpoint: !!cp,
        startAt: this.startAtEnd && this.initialScan ? Number(st.size) : undefined,
        done: false,
        endOffset: cp?.complete ? cp.offset : undefined,
        group: newGroup(),
        outside: false,
        lastGrowth: Date.now(),
        pendingEntry: undefined,
        flushTimer: undefined,
        lastError: undefined,
      };
      f.group.files.add(f);
      // Another file was followed under this path: it was renamed or deleted (a watcher of a single
      // file may report the new file at the path without reporting the old one's unlink).
      for (const o of this.files.values()) if (o.path === p && !o.gone) this.track(this.followRename(o, p));
      this.files.set(fileId, f);
      if (cp) this.opts.log.debug({ path: p, offset: cp.offset }, 'resuming file from checkpoint');
    }
    if (f.path !== p) this.opts.log.info({ from: f.path, to: p }, 'file renamed; continuing at its offset');
    f.path = p;
    f.gone = false;
    f.outside = false;
    this.scheduleRead(f, true);
  }

  private markGone(p: string): void {
    for (const f of this.files.values()) if (f.path === p) this.track(this.followRename(f, p));
  }

  /**
   * A followed file left `p`: if it was renamed within its directory (rotation) to a name the input
   * does not select (paths `access.log`, the file now `access.log.1`), it is still followed under the
   * new name, as Filebeat's harvester keeps reading a renamed file, so the lines written just before
   * the rename and by a writer that has not reopened yet are read; it is dropped after
   * {@link RENAMED_INACTIVE_MS} without growth. Otherwise it was deleted.
   */
  private async followRename(f: TrackedFile, p: string): Promise<void> {
    const moved = f.kind === 'binary' ? undefined : await findByIdentity(path.dirname(p), f.fileId);
    if (f.path !== p || this.files.get(f.fileId) !== f) return; // its new path was announced meanwhile
    if (moved) {
      const outside = !this.selector.selects(moved);
      if (outside) this.opts.log.info({ from: p, to: moved }, 'file renamed to a name the input does not select: following it until it is inactive');
      f.path = moved;
      f.outside = outside;
      f.lastGrowth = Date.now();
      this.scheduleRead(f, true);
      return;
    }
    this.markDeleted(f);
  }

  private markDeleted(f: TrackedFile): void {
    f.gone = true;
    const cp = this.store.get(f.fileId);
    if (cp) cp.goneAt = new Date().toISOString();
    this.forgetIfSettled(f);
  }

  /** Drops a deleted file once nothing of it is in flight. */
  private forgetIfSettled(f: TrackedFile): void {
    if (!f.gone || f.reading || f.readOffset !== f.committed) return;
    if (f.flushTimer) clearTimeout(f.flushTimer);
    f.group.files.delete(f);
    this.files.delete(f.fileId);
  }

  /**
   * Reads `f` now, or after the read in progress. Files read to their end (gzip) or skipped (binary)
   * are looked at again only when `recheck`: a watcher event for them may mean another file under the inode.
   */
  private scheduleRead(f: TrackedFile, recheck = false): void {
    if (this.stopped || ((f.done || f.kind === 'binary') && !recheck)) return;
    if (f.reading) {
      f.rereadRequested = true;
      return;
    }
    f.reading = (async () => {
      try {
        do {
          f.rereadRequested = false;
          // Members of one content group read one at a time (see `ContentGroup`).
          const group = f.group;
          const run = group.lock.then(async () => {
            if (f.group !== group) return void (f.rereadRequested = true);
            try {
              await this.readAvailable(f);
            } finally {
              if (f.group === group && f.placed) {
                group.readOffset = Math.max(group.readOffset, f.readOffset);
                group.committed = Math.max(group.committed, f.committed);
                if (f.head.length > group.head.length) group.head = f.head;
              }
            }
          });
          group.lock = run.catch(() => undefined);
          await run;
          f.lastError = undefined;
        } while (f.rereadRequested && !this.stopped && !f.done && f.kind !== 'binary');
      } catch (err) {
        const code = String((err as NodeJS.ErrnoException).code ?? (err as Error).message);
        if (code !== 'ENOENT') {
          // Once per file and error (EACCES would otherwise be logged on every re-scan).
          if (f.lastError !== code) this.opts.log.error({ err, path: f.path }, `reading ${f.path} failed (${code}); will retry on the next change`);
          else this.opts.log.debug({ err, path: f.path }, 'reading file failed again');
          f.lastError = code;
        } else if (f.outside) {
          this.track(this.followRename(f, f.path)); // no watcher event for it: renamed again or deleted
        }
      } finally {
        f.reading = undefined;
        this.forgetIfSettled(f);
      }
    })();
  }

  /** Reads the head of a plain file (up to 1 KiB) and its size, from one open file; undefined when the path names another file now. */
  private async statAndHead(f: TrackedFile): Promise<{ size: number; head: Buffer } | undefined> {
    const fh = await open(f.path, 'r');
    try {
      const st = await fh.stat({ bigint: true });
      if (`${st.dev}:${st.ino}` !== f.fileId || !st.isFile()) {
        // The path now names another file (its own event follows): where did this one go? Also when
        // it names a directory under this very inode (deleted, and the inode reused at once for a
        // directory made at the path): no event says so, and reading it would fail on every re-scan.
        this.track(this.followRename(f, f.path));
        // The watcher took the path for a file: have it look into the directory now there.
        if (st.isDirectory() && !this.stopped) this.watcher?.add(f.path);
        return undefined;
      }
      const size = Number(st.size);
      const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      return { size, head: head.subarray(0, bytesRead) };
    } finally {
      await fh.close();
    }
  }

  /** Reads what is new in `f` and emits it (called with the file's content group held). */
  private async readAvailable(f: TrackedFile): Promise<void> {
    const sh = await this.statAndHead(f);
    if (!sh) return;
    if (sh.size !== f.size) f.lastGrowth = Date.now();
    f.size = sh.size;
    // Another file under the same inode (deleted, and its inode reused at once, as ext4 does: e.g. by
    // the .gz that replaced it): a new file in every respect, its kind included.
    if (f.rawHead.length > 0 && !sh.head.subarray(0, f.rawHead.length).equals(f.rawHead)) {
      this.opts.log.info({ path: f.path }, 'another file under a known inode: reading it as a new file');
      this.resetIdentity(f);
    }
    if (sh.head.length > f.rawHead.length) f.rawHead = sh.head;
    if (f.kind === 'binary' || f.done) return;
    let head = sh.head;
    if (f.kind === 'unknown') {
      // Nothing to tell its kind by yet (a gzip file's magic number is 2 bytes).
      if (head.length === 0 || (head.length < 2 && !this.opts.once)) return;
      const sniffed = sniffContent(head);
      if (sniffed.kind === 'gzip') {
        try {
          head = await gzipHead(f.path, HEAD_BYTES);
        } catch (err) {
          if (err instanceof TruncatedGzipError) return; // still being written: the next change or re-scan retries
          return this.skipBinary(f, `not readable as gzip: ${(err as Error).message}`);
        }
        const inner = sniffContent(head);
        if (inner.kind !== 'text') return this.skipBinary(f, `gzip of ${inner.kind === 'binary' ? inner.reason : 'gzip data'}`);
        f.kind = 'gzip';
      } else if (sniffed.kind === 'binary') {
        return this.skipBinary(f, sniffed.reason);
      } else {
        f.kind = 'text';
      }
    } else if (f.kind === 'gzip') {
      head = f.head.length > 0 ? f.head : await gzipHead(f.path, HEAD_BYTES);
    }
    const gzip = f.kind === 'gzip';

    // Same content as checkpointed? Otherwise the file was truncated or replaced: read it again from 0.
    const sameHead = f.headLength === 0 || (head.length >= f.headLength && sha1(head.subarray(0, f.headLength)) === f.headHash);
    if ((!gzip && sh.size < f.readOffset) || !sameHead) {
      this.opts.log.warn({ path: f.path, size: sh.size, offset: f.readOffset }, 'file truncated or replaced; reading it again from 0');
      const kind = f.kind;
      this.resetIdentity(f);
      f.kind = kind;
    }
    if (head.length > f.headLength || !sameHead) {
      f.headLength = head.length;
      f.headHash = sha1(head);
    }
    f.head = head;
    if (head.length === 0) return;

    if (!f.placed) {
      if (await this.place(f)) return; // joined another file's group: read again under its lock
    }
    // A compressed file checkpointed as read to its end (its head checked above): nothing more to read.
    if (gzip && f.endOffset !== undefined && f.readOffset >= f.endOffset) f.done = true;
    if (f.done) return;
    await this.followGroup(f);
    if (gzip) return this.readGzip(f);
    if (sh.size <= f.readOffset) return;
    await this.emitLines(f, readLines(f.path, f.readOffset, sh.size, this.maxBytes()), false);
  }

  private maxBytes(): number {
    return this.opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  private skipBinary(f: TrackedFile, reason: string): void {
    f.kind = 'binary';
    this.opts.log.warn({ path: f.path, reason, input: this.inputId }, `skipping ${f.path}: not a text log (${reason})`);
  }

  /**
   * Decides where a file without an inode checkpoint starts: at the position of the same content read
   * through another file (in memory, or in the checkpoint store), else at its end when `startAt` is
   * `end` and it was there at start, else at 0. Returns true when it joined another file's content group.
   */
  private async place(f: TrackedFile): Promise<boolean> {
    f.placed = true;
    if (f.fromCheckpoint) return false;
    for (const s of this.files.values()) {
      if (s === f || !s.placed || s.kind === 'binary' || s.head.length === 0 || s.group === f.group) continue;
      if (!sameContent(f.head, s.head)) continue;
      this.joinGroup(f, s);
      return true;
    }
    const found = this.store.findByContent(f.head, f.fileId);
    const owner = found ? this.files.get(found.fileId) : undefined;
    if (owner && owner !== f && !owner.gone && owner.generation === found!.checkpoint.generation && owner.kind !== 'binary') {
      // The checkpointed file is being followed too and may not have read yet (both found at start,
      // e.g. access.log.2 and the access.log.2.gz being made of it): read one at a time, as one content.
      this.joinGroup(f, owner);
      return true;
    }
    if (found && (f.kind === 'gzip' || found.checkpoint.offset <= f.size)) {
      const cp = found.checkpoint;
      this.opts.log.info({ path: f.path, sameAs: cp.path, offset: cp.offset }, 'same content as a checkpointed file: continuing from its offset');
      f.readOffset = f.committed = cp.offset;
      if (cp.complete) {
        f.done = true;
        f.endOffset = cp.offset;
      }
      await this.saveCheckpoint(f);
      return false;
    }
    if (f.startAt !== undefined) {
      if (f.kind === 'gzip') {
        f.done = true;
        f.endOffset = 0;
        this.opts.log.debug({ path: f.path }, 'start_at end: compressed file skipped');
      } else {
        f.readOffset = f.committed = await lastLineBoundary(f.path, Math.min(f.startAt, f.size));
        this.opts.log.debug({ path: f.path, offset: f.readOffset }, 'start_at end: reading from the end');
      }
      await this.saveCheckpoint(f, f.done);
    }
    return false;
  }

  /**
   * Forgets what was known about `f`'s content (it was truncated, replaced, or its inode reused): a
   * new generation read from 0, unless its content is found again (`place`).
   */
  private resetIdentity(f: TrackedFile): void {
    if (f.headLength > 0 && f.placed) {
      // The old content may still turn up under another name (its .gz): keep its position findable by
      // content (`findByContent`) under a key of its own, expiring like the checkpoint of a deleted file.
      const now = new Date().toISOString();
      this.store.set(formerKey(f.fileId, f.generation), {
        path: f.path,
        generation: f.generation,
        offset: f.committed,
        headLength: f.headLength,
        headHash: f.headHash,
        updatedAt: now,
        goneAt: now,
        ...(f.kind === 'gzip' && f.endOffset !== undefined && f.committed >= f.endOffset ? { complete: true } : {}),
      });
    }
    f.generation += 1;
    f.readOffset = 0;
    f.committed = 0;
    f.headLength = 0;
    f.headHash = '';
    f.head = Buffer.alloc(0);
    f.rawHead = Buffer.alloc(0);
    f.kind = 'unknown';
    f.placed = false;
    f.fromCheckpoint = false;
    f.startAt = undefined;
    f.done = false;
    f.endOffset = undefined;
    f.pendingEntry = undefined;
    this.leaveGroup(f);
  }

  /** Joins `other`'s content group (the same content): `f` is read again under the group's lock, from where the group got. */
  private joinGroup(f: TrackedFile, other: TrackedFile): void {
    this.opts.log.info({ path: f.path, sameAs: other.path }, 'same content as a file being read: continuing from its position');
    f.group.files.delete(f);
    f.group = other.group;
    f.group.files.add(f);
    f.rereadRequested = true;
  }

  /** Leaves the content group (the file's content diverged): it goes on alone. */
  private leaveGroup(f: TrackedFile): void {
    // Always a fresh group, even when alone: the old one's positions belong to the old content.
    f.group.files.delete(f);
    f.group = newGroup(f);
  }

  /**
   * Before a read: members whose content no longer agrees with this file's leave the group; the read
   * starts where the furthest member got (for a plain file, not beyond its size).
   */
  private async followGroup(f: TrackedFile): Promise<void> {
    const g = f.group;
    if (g.files.size === 1 && g.readOffset <= f.readOffset && g.committed <= f.committed) return;
    for (const s of [...g.files]) {
      if (s !== f && s.head.length > 0 && !sameContent(f.head, s.head)) {
        this.opts.log.info({ path: f.path, other: s.path }, 'content diverged from a file it matched: reading it on its own');
        this.leaveGroup(f);
        return;
      }
    }
    if (g.head.length > 0 && !sameContent(f.head, g.head)) {
      this.leaveGroup(f);
      return;
    }
    const limit = f.kind === 'gzip' ? Infinity : f.size;
    let read = Math.max(f.readOffset, Math.min(g.readOffset, limit));
    let committed = Math.max(f.committed, Math.min(g.committed, limit));
    for (const s of g.files) {
      read = Math.max(read, Math.min(s.readOffset, limit));
      committed = Math.max(committed, Math.min(s.committed, limit));
    }
    // Same first KiB is not the same content further on: a copy (`cp a.log b.log`) written to after the
    // copy diverges from its original. Before a plain file jumps ahead to where a plain member got, the
    // bytes just before that point must agree in both; if they do not, it is read on its own from where
    // it is (lines it shares with the other get the same ids: duplicates, never a loss).
    if (read > f.readOffset && f.kind === 'text' && !(await this.agreesBefore(f, g, read))) {
      this.opts.log.info({ path: f.path, offset: read }, 'content diverged from the file it matched before that point: reading it on its own');
      this.leaveGroup(f);
      return;
    }
    if (read > f.readOffset) {
      f.readOffset = read;
      f.pendingEntry = undefined;
    }
    if (committed > f.committed) {
      // What another member committed is committed for this file too (a restart resumes it there).
      f.committed = committed;
      await this.saveCheckpoint(f);
    }
  }

  /**
   * Whether `f`'s bytes just before `offset` (up to 1 KiB) equal those of every plain member of `g`
   * that still exists and reached `offset`. Members that are gzip or gone cannot be compared cheaply
   * and are trusted (a rotated file and its .gz: the content cannot have diverged). A read error
   * counts as agreement: the file's own read reports it.
   */
  private async agreesBefore(f: TrackedFile, g: ContentGroup, offset: number): Promise<boolean> {
    const length = Math.min(offset, HEAD_BYTES);
    if (length <= 0) return true;
    const readRange = async (file: string): Promise<Buffer | undefined> => {
      try {
        const fh = await open(file, 'r');
        try {
          const buf = Buffer.alloc(length);
          const { bytesRead } = await fh.read(buf, 0, length, offset - length);
          return buf.subarray(0, bytesRead);
        } finally {
          await fh.close();
        }
      } catch {
        return undefined;
      }
    };
    const mine = await readRange(f.path);
    if (!mine) return true;
    for (const s of g.files) {
      if (s === f || s.kind !== 'text' || s.gone || s.size < offset) continue;
      const theirs = await readRange(s.path);
      if (theirs && theirs.length === mine.length && !theirs.equals(mine)) return false;
    }
    return true;
  }

  private async readGzip(f: TrackedFile): Promise<void> {
    try {
      await this.emitLines(f, readGzipLines(f.path, f.readOffset, this.maxBytes()), true);
    } catch (err) {
      if (err instanceof TruncatedGzipError) {
        if (this.opts.once) this.opts.log.warn({ path: f.path, offset: f.readOffset }, `${f.path} ends early (incomplete gzip file): read up to offset ${f.readOffset}, the rest on a later run`);
        else this.opts.log.debug({ path: f.path, offset: f.readOffset }, 'gzip file still being written: reading on at the next change');
        return;
      }
      if (!String((err as NodeJS.ErrnoException).code ?? '').startsWith('Z_')) throw err;
      // Corrupt compressed data: what came before it was read; the rest cannot be, now or later.
      this.opts.log.warn({ path: f.path, offset: f.readOffset, err }, `skipping the rest of ${f.path}: corrupt gzip data after offset ${f.readOffset}`);
    }
    if (this.stopped) return;
    f.done = true;
    f.endOffset = f.readOffset;
    this.opts.log.debug({ path: f.path, bytes: f.endOffset }, 'compressed file read');
    if (f.committed >= f.endOffset) await this.saveCheckpoint(f, true);
  }

  /**
   * Turns lines into records (joining multi-line entries) and emits them in chunks, advancing
   * `readOffset` past each emitted record. `complete`: the lines are all the file will ever have (gzip),
   * so the last line and the last entry are taken as they are.
   */
  private async emitLines(f: TrackedFile, lines: AsyncGenerator<ByteLine>, complete: boolean): Promise<void> {
    const final = complete || this.opts.once;
    const head = f.head;
    const fullFingerprint = head.length >= FINGERPRINT_BYTES ? f.headHash : undefined;
    const chunkSize = this.opts.chunkRecords ?? 1000;
    const joiner = this.opts.multilineStart ? new MultilineJoiner(this.opts.multilineStart, this.maxBytes()) : undefined;
    let chunk: SourceRecord[] = [];
    let chunkChars = 0;
    /** Adds one record; true when the chunk is full (emitted by the caller, so a line costs no await). */
    const add = (text: string, offset: number, nextOffset: number, originalBytes: number | undefined): boolean => {
      const position: FilePosition = {
        kind: 'file',
        path: f.path,
        fileId: f.fileId,
        generation: f.generation,
        offset,
        nextOffset,
        fingerprint: fileFingerprint(head, nextOffset, fullFingerprint),
      };
      const record: SourceRecord = { dataset: this.dataset, raw: text, position, input: this.inputId };
      if (originalBytes !== undefined) record.originalBytes = originalBytes;
      chunk.push(record);
      chunkChars += text.length;
      f.readOffset = nextOffset;
      return chunk.length >= chunkSize || chunkChars >= CHUNK_CHARS;
    };
    /** Emits the full chunk; false when the source was stopped meanwhile. */
    const emitChunk = async (): Promise<boolean> => {
      const records = chunk;
      chunk = [];
      chunkChars = 0;
      await this.emit!({ records, caughtUp: false });
      return !this.stopped;
    };
    try {
      for await (const line of lines) {
        if (!line.terminated && !final) break; // a writer is mid-line: wait for its newline
        let full: boolean;
        if (joiner) {
          const entry = joiner.push(line);
          full = entry !== undefined && add(entry.text, entry.offset, entry.nextOffset, entry.originalBytes);
        } else {
          full = add(line.text, line.offset, line.nextOffset, line.originalBytes);
        }
        if (full && !(await emitChunk())) return;
      }
    } catch (err) {
      // `readOffset` is past these records already: hand them on before the error (a .gz still being
      // written, a file deleted mid-read), so a retry goes on after them and nothing is skipped.
      if (chunk.length > 0) await this.emit!({ records: chunk, caughtUp: false });
      throw err;
    } finally {
      await lines.return(undefined);
    }
    let held = false;
    const open = joiner?.pending();
    if (joiner && open) {
      const now = Date.now();
      const p = f.pendingEntry;
      const flushMs = this.opts.multilineFlushMs ?? DEFAULT_MULTILINE_FLUSH_MS;
      const quiet = p !== undefined && p.offset === open.offset && p.nextOffset === open.nextOffset && now - p.since >= flushMs;
      if (final || quiet) {
        const entry = joiner.flush()!;
        f.pendingEntry = undefined;
        if (add(entry.text, entry.offset, entry.nextOffset, entry.originalBytes) && !(await emitChunk())) return;
      } else {
        // Held back: `readOffset` stays at the entry's start, so it is read again (and never lost).
        if (!p || p.offset !== open.offset || p.nextOffset !== open.nextOffset) f.pendingEntry = { offset: open.offset, nextOffset: open.nextOffset, since: now };
        const wait = Math.max(0, f.pendingEntry!.since + flushMs - now);
        if (f.flushTimer) clearTimeout(f.flushTimer);
        f.flushTimer = setTimeout(() => this.scheduleRead(f), wait + 5);
        f.flushTimer.unref?.();
        held = true;
      }
    } else {
      f.pendingEntry = undefined;
    }
    await this.emit!({ records: chunk, caughtUp: held || complete || f.readOffset >= f.size });
  }

  /** Writes `f`'s checkpoint now (a start position decided without reading a line: content match, `startAt`, a skipped .gz). */
  private async saveCheckpoint(f: TrackedFile, complete = false): Promise<void> {
    this.store.set(f.fileId, {
      path: f.path,
      generation: f.generation,
      offset: f.committed,
      headLength: f.headLength,
      headHash: f.headHash,
      updatedAt: new Date().toISOString(),
      ...(complete ? { complete: true } : {}),
    });
    await this.store.flush();
  }

  async commit(positions: SourcePosition[]): Promise<void> {
    const latest = new Map<string, FilePosition>();
    for (const p of positions) {
      if (p.kind !== 'file') continue;
      const prev = latest.get(p.fileId);
      if (!prev || p.generation > prev.generation || (p.generation === prev.generation && p.nextOffset > prev.nextOffset)) {
        latest.set(p.fileId, p);
      }
    }
    if (latest.size === 0) return;
    const now = new Date().toISOString();
    const save = (fileId: string, path: string, generation: number, offset: number, f: TrackedFile | undefined): void => {
      const complete = f?.kind === 'gzip' && f.endOffset !== undefined && offset >= f.endOffset;
      this.store.set(fileId, {
        path,
        generation,
        offset,
        headLength: f?.headLength ?? 0,
        headHash: f?.headHash ?? '',
        updatedAt: now,
        ...(f?.gone ? { goneAt: now } : {}),
        ...(complete ? { complete: true } : {}),
      });
    };
    const settled: TrackedFile[] = [];
    for (const [fileId, p] of latest) {
      const f = this.files.get(fileId);
      if (f && f.generation !== p.generation) {
        // Truncated or replaced since: the old generation's offset only serves content lookups now.
        const former = this.store.get(formerKey(fileId, p.generation));
        if (former && p.nextOffset > former.offset) this.store.set(formerKey(fileId, p.generation), { ...former, offset: p.nextOffset, updatedAt: now });
        continue;
      }
      if (f) f.committed = p.nextOffset;
      save(fileId, p.path, p.generation, p.nextOffset, f);
      if (!f) continue;
      f.group.committed = Math.max(f.group.committed, p.nextOffset);
      settled.push(f);
      // The same content under another name (a rotated file and its .gz): it is committed that far too.
      for (const s of f.group.files) {
        if (s === f) continue;
        const upTo = Math.min(p.nextOffset, s.readOffset);
        if (upTo <= s.committed) continue;
        s.committed = upTo;
        save(s.fileId, s.path, s.generation, upTo, s);
        settled.push(s);
      }
    }
    await this.store.flush();
    for (const f of settled) this.forgetIfSettled(f);
  }

  /**
   * Bytes not yet committed (the checkpoint lag): of plain files, their size less the committed offset;
   * of gzip files, decompressed bytes, counted once a file has been read to its end.
   */
  lagBytes(): number {
    let lag = 0;
    for (const f of this.files.values()) {
      if (f.kind === 'binary') continue;
      if (f.kind === 'gzip') lag += f.endOffset === undefined ? 0 : Math.max(0, f.endOffset - f.committed);
      else lag += Math.max(0, f.size - f.committed);
    }
    return lag;
  }

  /** Number of files being followed (skipped binary files not counted). */
  fileCount(): number {
    let n = 0;
    for (const f of this.files.values()) if (f.kind !== 'binary') n++;
    return n;
  }

  drained(): Promise<void> {
    return this.drainedPromise;
  }

  /** Stops watching and reading; resolves once no read is in progress (commits keep working). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    for (const f of this.files.values()) if (f.flushTimer) clearTimeout(f.flushTimer);
    await this.watcher?.close();
    await Promise.all([...this.files.values()].map((f) => f.reading).filter(Boolean));
  }

  /** Waits for the last checkpoint write. */
  async close(): Promise<void> {
    await this.store.idle();
  }
}

/** Checkpoint key of a former content of file `fileId` (its generation `generation`), kept for content lookups. */
function formerKey(fileId: string, generation: number): string {
  return `${fileId}#${generation}`;
}

/** Whether two heads hold the same content: both non-empty and equal over the shorter one's length. */
function sameContent(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return n > 0 && a.subarray(0, n).equals(b.subarray(0, n));
}

/**
 * The offset just past the last `\n` in the first `size` bytes of `file` (0 when there is none): where
 * `startAt: 'end'` begins, so a line being written is read whole.
 */
export async function lastLineBoundary(file: string, size: number): Promise<number> {
  if (size <= 0) return 0;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buf.length);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
      if (nl !== -1) return start + nl + 1;
      end = start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/** The path of the regular file in `dir` whose `device:inode` is `fileId`, if any. */
async function findByIdentity(dir: string, fileId: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    try {
      const st = await stat(p, { bigint: true });
      if (st.isFile() && `${st.dev}:${st.ino}` === fileId) return p;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

function sha1(buf: Buffer): string {
  return createHash('sha1').update(buf).digest('hex');
}
