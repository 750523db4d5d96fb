/**
 * Output writers for generated lines. Lines are passed without a trailing
 * newline; every writer terminates each line with `\n` and never splits a line
 * across two files.
 *
 * - {@link StreamWriter}: any writable stream, normally `process.stdout`.
 * - {@link AppendFileWriter}: one growing file (`--out`), optionally rotated by
 *   size like logrotate's default "create" mode (`--rotate-bytes`, `--rotate-keep`).
 * - {@link BatchDirWriter}: fixed-size batch files in a directory (`--out-dir`,
 *   `--batch-lines`), each published atomically by rename.
 *
 * @module generators/common/writers
 */
import { once } from 'node:events';
import { mkdir, open, readdir, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';

/** Destination for generated lines. */
export interface LineWriter {
  /**
   * Writes `lines` (each without trailing newline) in order. Resolves once the
   * data has been handed to the OS (or the stream accepted it without
   * back-pressure). Callers must not call `write` concurrently.
   * @throws the underlying I/O error (e.g. ENOSPC) — except EPIPE on streams, see {@link StreamWriter}.
   */
  write(lines: readonly string[]): Promise<void>;
  /** Flushes pending data (e.g. a partial batch) and releases handles. Idempotent. */
  close(): Promise<void>;
  /** Number of files created or appended to so far (0 for streams). */
  readonly files: number;
}

/** Options of {@link StreamWriter}. */
export interface StreamWriterOptions {
  /**
   * Called once when the reader went away (EPIPE / stream destroyed, e.g. `| head`).
   * Later writes are silently dropped. Use it to stop the run.
   */
  onClosed?: () => void;
}

/**
 * Writes lines to a stream (stdout by default), honouring back-pressure
 * (`write()` returning false ⇒ wait for `drain`). A broken pipe does not throw:
 * it calls `onClosed` and drops further output.
 */
export class StreamWriter implements LineWriter {
  readonly files = 0;
  private closed = false;
  private readonly stream: Writable;
  private readonly onClosed: (() => void) | undefined;

  constructor(stream: Writable = process.stdout, options: StreamWriterOptions = {}) {
    this.stream = stream;
    this.onClosed = options.onClosed;
    this.stream.on('error', this.handleError);
  }

  private readonly handleError = (err: NodeJS.ErrnoException): void => {
    if (this.closed) return;
    this.closed = true;
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') {
      process.stderr.write(`output stream error: ${err.message}\n`);
    }
    this.onClosed?.();
  };

  async write(lines: readonly string[]): Promise<void> {
    if (this.closed || lines.length === 0) return;
    const ok = this.stream.write(lines.join('\n') + '\n');
    if (!ok && !this.closed) {
      const ac = new AbortController();
      try {
        await Promise.race([
          once(this.stream, 'drain', { signal: ac.signal }),
          once(this.stream, 'close', { signal: ac.signal }),
          once(this.stream, 'error', { signal: ac.signal }),
        ]);
      } catch {
        // 'error' is reported through handleError.
      } finally {
        ac.abort();
      }
    }
  }

  async close(): Promise<void> {
    this.stream.off('error', this.handleError);
    // Keep a no-op listener: an EPIPE surfacing after close must not crash the process.
    this.stream.on('error', () => undefined);
  }
}

async function writeAll(fh: FileHandle, data: string): Promise<number> {
  const buf = Buffer.from(data, 'utf8');
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await fh.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
  return buf.length;
}

function isEnoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Options of {@link AppendFileWriter.open}. */
export interface AppendFileWriterOptions {
  /**
   * Rotate when the next line would make the file larger than this many bytes
   * (so files never exceed it, except a file holding one line longer than the
   * limit). Omit for no rotation.
   */
  rotateBytes?: number;
  /** Rotated files to keep: FILE.1 … FILE.<keep> (default 5; 0 = delete on rotation). */
  rotateKeep?: number;
}

/**
 * Appends to one log file (created if missing, parent directories too), with
 * optional size-based rotation modelled on logrotate's default `create` mode:
 * close FILE, rename FILE.(k-1) → FILE.k for k = keep … 2, rename FILE → FILE.1
 * (the oldest beyond `keep` is overwritten/dropped), then create a new empty FILE.
 * A process tailing FILE by name therefore sees a rename followed by a new file,
 * exactly as with logrotate (not `copytruncate`). Rotation only happens between
 * lines, so no line is split across files. If FILE already exists, it is
 * appended to and its current size counts toward the limit.
 */
export class AppendFileWriter implements LineWriter {
  private fh: FileHandle | null;
  private size: number;
  private fileCount = 1;
  private constructor(
    readonly path: string,
    fh: FileHandle,
    size: number,
    private readonly rotateBytes: number | undefined,
    private readonly rotateKeep: number,
  ) {
    this.fh = fh;
    this.size = size;
  }

  /**
   * Opens (creates) `path` for appending.
   * @throws {RangeError} for a non-positive `rotateBytes` or a negative/non-integer `rotateKeep`.
   * @throws the fs error if the file cannot be opened.
   */
  static async open(path: string, options: AppendFileWriterOptions = {}): Promise<AppendFileWriter> {
    const { rotateBytes, rotateKeep = 5 } = options;
    if (rotateBytes !== undefined && (!Number.isInteger(rotateBytes) || rotateBytes <= 0)) {
      throw new RangeError(`rotateBytes must be a positive integer, got ${rotateBytes}`);
    }
    if (!Number.isInteger(rotateKeep) || rotateKeep < 0) {
      throw new RangeError(`rotateKeep must be a non-negative integer, got ${rotateKeep}`);
    }
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(path, 'a');
    const { size } = await fh.stat();
    return new AppendFileWriter(path, fh, size, rotateBytes, rotateKeep);
  }

  /** Files written so far: 1 + number of rotations. */
  get files(): number {
    return this.fileCount;
  }

  async write(lines: readonly string[]): Promise<void> {
    if (!this.fh) throw new Error(`AppendFileWriter: ${this.path} is closed`);
    if (lines.length === 0) return;
    const chunk = lines.join('\n') + '\n';
    const limit = this.rotateBytes;
    if (limit === undefined) {
      this.size += await writeAll(this.fh, chunk);
      return;
    }
    const chunkBytes = Buffer.byteLength(chunk, 'utf8');
    if (this.size + chunkBytes <= limit) {
      this.size += await writeAll(this.fh, chunk);
      return;
    }
    // Slow path: find the line boundaries where the limit is crossed.
    let pending: string[] = [];
    let pendingBytes = 0;
    for (const line of lines) {
      const lineBytes = Buffer.byteLength(line, 'utf8') + 1;
      if (this.size + pendingBytes + lineBytes > limit && this.size + pendingBytes > 0) {
        if (pending.length > 0) this.size += await writeAll(this.fh, pending.join('\n') + '\n');
        pending = [];
        pendingBytes = 0;
        await this.rotate();
      }
      pending.push(line);
      pendingBytes += lineBytes;
    }
    if (pending.length > 0) this.size += await writeAll(this.fh, pending.join('\n') + '\n');
  }

  private async rotate(): Promise<void> {
    if (!this.fh) return;
    await this.fh.close();
    this.fh = null;
    if (this.rotateKeep === 0) {
      await rm(this.path, { force: true });
    } else {
      for (let k = this.rotateKeep; k >= 2; k--) {
        try {
          await rename(`${this.path}.${k - 1}`, `${this.path}.${k}`);
        } catch (err) {
          if (!isEnoent(err)) throw err;
        }
      }
      await rename(this.path, `${this.path}.1`);
    }
    this.fh = await open(this.path, 'a');
    this.size = 0;
    this.fileCount++;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close();
  }
}

/** Options of {@link BatchDirWriter.open}. */
export interface BatchDirWriterOptions {
  /** Lines per batch file (positive integer). */
  batchLines: number;
  /** File name prefix, e.g. `weblogs` ⇒ `weblogs-20250101T120000-000001.log`. */
  prefix: string;
  /** Clock for the timestamp in file names (default `() => new Date()`), UTC. */
  now?: () => Date;
}

/** Formats a date as `yyyyMMddTHHmmss` in UTC (used in batch file names). */
export function compactUtcStamp(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    p(date.getUTCFullYear(), 4) +
    p(date.getUTCMonth() + 1) +
    p(date.getUTCDate()) +
    'T' +
    p(date.getUTCHours()) +
    p(date.getUTCMinutes()) +
    p(date.getUTCSeconds())
  );
}

/**
 * Cuts the line stream into files of exactly `batchLines` lines in a directory
 * (the "data splitter" role). Each batch is written to a hidden temporary file
 * `.<prefix>-<stamp>-<seq>.log.tmp` in the same directory and then renamed to
 * `<prefix>-<yyyyMMddTHHmmss>-<seq>.log` (stamp = UTC wall-clock time at which
 * the batch was completed, seq = 6+ digit counter). rename(2) within one
 * directory is atomic, so a directory watcher never observes a partially
 * written `.log` file. `seq` continues after the highest sequence number already
 * present for this prefix, so lexical order of names is production order within
 * a run and across runs. On {@link close} the remaining lines (< batchLines) are
 * published as a final, shorter batch. Not safe for two writers sharing one
 * directory and prefix at the same time.
 */
export class BatchDirWriter implements LineWriter {
  private buffer: string[] = [];
  private seq: number;
  private fileCount = 0;
  private closed = false;
  private constructor(
    readonly dir: string,
    private readonly batchLines: number,
    private readonly prefix: string,
    private readonly now: () => Date,
    lastSeq: number,
  ) {
    this.seq = lastSeq + 1;
  }

  /**
   * Creates the directory if needed and scans it for the last used sequence number.
   * @throws {RangeError} if `batchLines` is not a positive integer or `prefix` is not a simple name.
   */
  static async open(dir: string, options: BatchDirWriterOptions): Promise<BatchDirWriter> {
    const { batchLines, prefix } = options;
    if (!Number.isInteger(batchLines) || batchLines <= 0) {
      throw new RangeError(`batchLines must be a positive integer, got ${batchLines}`);
    }
    if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new RangeError(`invalid batch prefix ${JSON.stringify(prefix)}`);
    await mkdir(dir, { recursive: true });
    const re = new RegExp(`^${prefix}-\\d{8}T\\d{6}-(\\d{6,})\\.log$`);
    let lastSeq = 0;
    for (const name of await readdir(dir)) {
      const m = re.exec(name);
      if (m?.[1]) lastSeq = Math.max(lastSeq, Number(m[1]));
    }
    return new BatchDirWriter(dir, batchLines, prefix, options.now ?? (() => new Date()), lastSeq);
  }

  /** Batch files published so far. */
  get files(): number {
    return this.fileCount;
  }

  async write(lines: readonly string[]): Promise<void> {
    if (this.closed) throw new Error(`BatchDirWriter: ${this.dir} is closed`);
    let i = 0;
    while (i < lines.length) {
      const take = Math.min(this.batchLines - this.buffer.length, lines.length - i);
      for (let j = 0; j < take; j++) this.buffer.push(lines[i + j] as string);
      i += take;
      if (this.buffer.length === this.batchLines) await this.publish();
    }
  }

  private async publish(): Promise<void> {
    if (this.buffer.length === 0) return;
    const name = `${this.prefix}-${compactUtcStamp(this.now())}-${String(this.seq).padStart(6, '0')}.log`;
    const tmp = join(this.dir, `.${name}.tmp`);
    const data = this.buffer.join('\n') + '\n';
    this.buffer = [];
    await writeFile(tmp, data);
    await rename(tmp, join(this.dir, name));
    this.seq++;
    this.fileCount++;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.publish();
  }
}

/** Options of {@link createWriter}; exactly the CLI's output options. */
export interface OutputOptions {
  /** Append to this file. Mutually exclusive with `outDir`. */
  out?: string;
  /** Write batch files into this directory. Mutually exclusive with `out`. */
  outDir?: string;
  /** Lines per batch for `outDir` (default 1000). */
  batchLines?: number;
  /** Rotation size for `out`, see {@link AppendFileWriterOptions.rotateBytes}. */
  rotateBytes?: number;
  /** Rotated files to keep for `out` (default 5). */
  rotateKeep?: number;
  /** Batch file prefix for `outDir` (the generator's name). */
  prefix: string;
  /** For stdout: called when the pipe closes, see {@link StreamWriterOptions.onClosed}. */
  onStdoutClosed?: () => void;
}

/**
 * Picks the writer for the given output options: `outDir` ⇒ {@link BatchDirWriter},
 * `out` ⇒ {@link AppendFileWriter}, neither ⇒ {@link StreamWriter} on stdout.
 * @throws {Error} if both `out` and `outDir` are given; errors of the chosen writer's `open`.
 */
export async function createWriter(options: OutputOptions): Promise<LineWriter> {
  if (options.out !== undefined && options.outDir !== undefined) {
    throw new Error('--out and --out-dir are mutually exclusive');
  }
  if (options.outDir !== undefined) {
    return BatchDirWriter.open(options.outDir, { batchLines: options.batchLines ?? 1000, prefix: options.prefix });
  }
  if (options.out !== undefined) {
    return AppendFileWriter.open(options.out, { rotateBytes: options.rotateBytes, rotateKeep: options.rotateKeep ?? 5 });
  }
  return new StreamWriter(process.stdout, { onClosed: options.onStdoutClosed });
}
