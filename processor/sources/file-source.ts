import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { FilePosition, Source, SourceBatch, SourcePosition, SourceRecord } from '../pipeline/types.js';
import { FINGERPRINT_BYTES, fileFingerprint } from '../pipeline/document-id.js';
import { CheckpointStore } from './file-checkpoints.js';
import { DEFAULT_MAX_RECORD_BYTES, readLines } from './line-reader.js';

/** Options of a directory-watching source; sizes in records, times in ms. */
export interface FileSourceOptions {
  /** Directories (or single files) to watch: the files directly inside, not subdirectories. Hidden
   * files (`.name`) are ignored: writers stage there. */
  paths: string[];
  /** Files and directories never to read, e.g. the processor's own checkpoints and dead letters. */
  exclude?: string[];
  /** Dataset of every line read. */
  dataset: string;
  /** Where committed offsets are stored (JSON, written atomically). */
  checkpointFile: string;
  /** Read what is there, emit unterminated last lines too, then report drained (`--once`). */
  once: boolean;
  /** Records per emitted chunk (default 1000). */
  chunkRecords?: number;
  /** Interval of a safety re-scan of known files, in case a file-system event was missed (default 2000). */
  rescanMs?: number;
  /** Longer lines are cut to this many bytes while reading and flagged with `originalBytes` (default 1 MiB). */
  maxRecordBytes?: number;
  log: Logger;
}

interface TrackedFile {
  fileId: string;
  path: string;
  generation: number;
  /** Next byte to read; ahead of the committed offset while records are in flight. */
  readOffset: number;
  committed: number;
  headLength: number;
  headHash: string;
  size: number;
  gone: boolean;
  reading: Promise<void> | undefined;
  rereadRequested: boolean;
  /** The file's first bytes (up to 1 KiB) as of the last read: the source of each line's fingerprint. */
  head: Buffer;
}

/** A chunk is emitted at this many characters of text too, so long lines cannot pile up (4 Mi). */
const CHUNK_CHARS = 4 * 1024 * 1024;

/** Bytes of a file's head that identify its content (see `FileCheckpoint.headHash`). */
const HEAD_BYTES = FINGERPRINT_BYTES;

/**
 * Reads growing files from directories watched with chokidar, incrementally from each file's
 * committed byte offset (see `readLines`: lines over `maxRecordBytes` are cut while reading). Checkpoints
 * are keyed by `device:inode`, so a renamed (rotated) file continues where it was; a file found shorter
 * than its offset, or whose first KiB differs from the one checkpointed, was truncated or replaced
 * (or its inode reused) and is read again from 0. Document ids do not depend on the inode: each line
 * carries the fingerprint of the file's head (document-id.ts), so new content always gets new ids and
 * unchanged content read again gets the same ones.
 * In live mode a last line without `\n` waits for its newline; `--once` takes it as it is.
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

  private readonly excluded: string[];

  constructor(private readonly opts: FileSourceOptions) {
    this.store = new CheckpointStore(opts.checkpointFile);
    this.excluded = [opts.checkpointFile, ...(opts.exclude ?? [])].map((x) => path.resolve(x));
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
    const ready = new Promise<void>((resolve) => {
      this.watcher = chokidar
        .watch(this.opts.paths, {
          persistent: !this.opts.once,
          ignoreInitial: false,
          depth: 0,
          ignored: (p: string) => this.isIgnored(p),
        })
        .on('add', (p) => this.track(this.discover(p)))
        .on('change', (p) => this.track(this.discover(p)))
        .on('unlink', (p) => this.markGone(p))
        .on('error', (err) => this.opts.log.error({ err }, 'file watcher error'))
        .on('ready', () => resolve());
    });
    await ready;
    if (this.opts.once) {
      void this.finishOnce();
    } else {
      this.rescanTimer = setInterval(() => {
        for (const f of this.files.values()) if (!f.gone) this.scheduleRead(f);
      }, this.opts.rescanMs ?? 2000);
    }
  }

  private isIgnored(p: string): boolean {
    if (this.opts.paths.includes(p)) return false;
    if (path.basename(p).startsWith('.')) return true;
    const abs = path.resolve(p);
    return this.excluded.some((x) => abs === x || abs.startsWith(x + path.sep));
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
    let st;
    try {
      st = await stat(p, { bigint: true });
    } catch {
      return; // vanished between the event and the stat
    }
    if (!st.isFile()) return;
    const fileId = `${st.dev}:${st.ino}`;
    let f = this.files.get(fileId);
    if (!f) {
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
      };
      this.files.set(fileId, f);
      if (cp) this.opts.log.debug({ path: p, offset: cp.offset }, 'resuming file from checkpoint');
    }
    if (f.path !== p) this.opts.log.info({ from: f.path, to: p }, 'file renamed; continuing at its offset');
    f.path = p;
    f.gone = false;
    this.scheduleRead(f);
  }

  private markGone(p: string): void {
    for (const f of this.files.values()) {
      if (f.path !== p) continue;
      f.gone = true;
      const cp = this.store.get(f.fileId);
      if (cp) cp.goneAt = new Date().toISOString();
      if (!f.reading && f.readOffset === f.committed) this.files.delete(f.fileId);
    }
  }

  private scheduleRead(f: TrackedFile): void {
    if (this.stopped) return;
    if (f.reading) {
      f.rereadRequested = true;
      return;
    }
    f.reading = (async () => {
      try {
        do {
          f.rereadRequested = false;
          await this.readAvailable(f);
        } while (f.rereadRequested && !this.stopped);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.opts.log.error({ err, path: f.path }, 'reading file failed; will retry on the next change');
        }
      } finally {
        f.reading = undefined;
      }
    })();
  }

  /** Reads from `readOffset` to the current end of the file and emits the lines in chunks. */
  private async readAvailable(f: TrackedFile): Promise<void> {
    const fh = await open(f.path, 'r');
    let size: number;
    try {
      const st = await fh.stat({ bigint: true });
      if (`${st.dev}:${st.ino}` !== f.fileId) return; // the path now names another file; its own event follows
      size = Number(st.size);
      const headLength = Math.min(HEAD_BYTES, size);
      const head = Buffer.alloc(headLength);
      await fh.read(head, 0, headLength, 0);
      const sameHead =
        f.headLength === 0 || (headLength >= f.headLength && sha1(head.subarray(0, f.headLength)) === f.headHash);
      if (size < f.readOffset || !sameHead) {
        this.opts.log.warn({ path: f.path, size, offset: f.readOffset }, 'file truncated or replaced; reading it again from 0');
        f.generation += 1;
        f.readOffset = 0;
        f.committed = 0;
      }
      if (headLength > f.headLength || !sameHead) {
        f.headLength = headLength;
        f.headHash = sha1(head);
      }
      f.head = head;
    } finally {
      await fh.close();
    }
    f.size = size;
    if (size <= f.readOffset) return;
    const head = f.head;
    const fullFingerprint = head.length >= FINGERPRINT_BYTES ? f.headHash : undefined;
    const chunkSize = this.opts.chunkRecords ?? 1000;
    let chunk: SourceRecord[] = [];
    let chunkChars = 0;
    for await (const line of readLines(f.path, f.readOffset, size, this.opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES)) {
      if (!line.terminated && !this.opts.once) break; // a writer is mid-line: wait for its newline
      const position: FilePosition = {
        kind: 'file',
        path: f.path,
        fileId: f.fileId,
        generation: f.generation,
        offset: line.offset,
        nextOffset: line.nextOffset,
        fingerprint: fileFingerprint(head, line.nextOffset, fullFingerprint),
      };
      const record: SourceRecord = { dataset: this.opts.dataset, raw: line.text, position };
      if (line.originalBytes !== undefined) record.originalBytes = line.originalBytes;
      chunk.push(record);
      chunkChars += line.text.length;
      f.readOffset = line.nextOffset;
      if (chunk.length >= chunkSize || chunkChars >= CHUNK_CHARS) {
        await this.emit!({ records: chunk, caughtUp: false });
        chunk = [];
        chunkChars = 0;
        if (this.stopped) return;
      }
    }
    await this.emit!({ records: chunk, caughtUp: f.readOffset >= f.size });
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
    for (const [fileId, p] of latest) {
      const f = this.files.get(fileId);
      if (f && f.generation !== p.generation) continue; // truncated since: the old generation's offset is void
      if (f) f.committed = p.nextOffset;
      this.store.set(fileId, {
        path: p.path,
        generation: p.generation,
        offset: p.nextOffset,
        headLength: f?.headLength ?? 0,
        headHash: f?.headHash ?? '',
        updatedAt: now,
        ...(f?.gone ? { goneAt: now } : {}),
      });
      if (f?.gone && !f.reading && f.readOffset === f.committed) this.files.delete(fileId);
    }
    await this.store.flush();
  }

  /** Bytes written to known files but not yet committed (the checkpoint lag). */
  lagBytes(): number {
    let lag = 0;
    for (const f of this.files.values()) lag += Math.max(0, f.size - f.committed);
    return lag;
  }

  /** Number of files being followed. */
  fileCount(): number {
    return this.files.size;
  }

  drained(): Promise<void> {
    return this.drainedPromise;
  }

  /** Stops watching and reading; resolves once no read is in progress (commits keep working). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    await this.watcher?.close();
    await Promise.all([...this.files.values()].map((f) => f.reading).filter(Boolean));
  }

  /** Waits for the last checkpoint write. */
  async close(): Promise<void> {
    await this.store.idle();
  }
}

function sha1(buf: Buffer): string {
  return createHash('sha1').update(buf).digest('hex');
}
