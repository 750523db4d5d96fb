/**
 * Reads a file line by line with exact byte offsets, optionally following it like `tail -F`.
 *
 * - Offsets are byte positions found from the `\n` bytes of the raw data, so multi-byte UTF-8 or
 *   invalid bytes cannot shift them; a trailing `\r` is dropped from the text (CRLF files).
 * - Without `follow`, reading ends at end of file; a last line without `\n` is returned too (its
 *   `nextOffset` is the file size).
 * - With `follow`, at end of file the reader polls every `pollMs`:
 *   - new bytes → more lines; a last line without `\n` is held back until its `\n` arrives (a writer
 *     may be in the middle of it);
 *   - the path now names another file (rename rotation, logrotate's `create` mode): the old file is
 *     read to its end (a held-back last line is then returned as it is), then the new file is opened
 *     at offset 0;
 *   - the path is missing (between a rotation's rename and the new file's creation): keep waiting;
 *   - the same file got shorter than the read position (truncation, `copytruncate`): read again from
 *     offset 0. As with `tail -F`, a truncation followed by more writes than the old position before
 *     the next poll cannot be told from growth.
 *   It ends only when `signal` is aborted.
 *
 * @module scripts/replay/reader
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Bytes of a file's beginning kept to recognise it later (position files). */
export const HEAD_BYTES = 4096;

/** Which file a line came from. */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** The file's first bytes as read so far (up to {@link HEAD_BYTES}). */
  head: Buffer;
  /** 0 for the file opened first, +1 on every rotation or truncation. */
  generation: number;
}

/** One line with its byte range. */
export interface ReadLine {
  /** Text without the `\n` (and without a trailing `\r`). */
  text: string;
  /** Byte offset of the first byte. */
  offset: number;
  /** Byte offset just after the `\n` (or end of file for a last line without one). */
  nextOffset: number;
  file: FileIdentity;
}

/** Options of {@link LineReader.open}. */
export interface LineReaderOptions {
  /** Byte offset to start at (must be a line start; default 0). */
  startOffset?: number;
  /** Follow the file like `tail -F` (default false). */
  follow?: boolean;
  /** Poll interval in follow mode, ms (default 250). */
  pollMs?: number;
  /** Ends reading (next() then returns null). */
  signal?: AbortSignal;
  /** Read size, bytes (default 256 KiB). */
  chunkBytes?: number;
  /** Told about rotations and truncations. */
  onEvent?: (event: 'rotated' | 'truncated', path: string) => void;
}

/** See the module documentation. */
export class LineReader {
  /** Rotations seen (follow mode). */
  rotations = 0;
  /** Truncations seen (follow mode). */
  truncations = 0;
  private fh: FileHandle;
  private identity: FileIdentity;
  private pos: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingStart: number;
  private lines: ReadLine[] = [];
  private li = 0;
  private done = false;
  private readonly buf: Buffer;

  private constructor(
    readonly path: string,
    fh: FileHandle,
    identity: FileIdentity,
    start: number,
    private readonly opts: Required<Pick<LineReaderOptions, 'follow' | 'pollMs'>> & LineReaderOptions,
  ) {
    this.fh = fh;
    this.identity = identity;
    this.pos = start;
    this.pendingStart = start;
    this.buf = Buffer.allocUnsafe(opts.chunkBytes ?? 256 * 1024);
  }

  /**
   * Opens `path` for reading from `startOffset`.
   * @throws fs errors (ENOENT …); {@link RangeError} if `startOffset` is beyond the end of the file.
   */
  static async open(path: string, options: LineReaderOptions = {}): Promise<LineReader> {
    const start = options.startOffset ?? 0;
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (start > st.size) throw new RangeError(`start offset ${start} is beyond the end of ${path} (${st.size} bytes)`);
      const identity: FileIdentity = { dev: st.dev, ino: st.ino, head: Buffer.alloc(0), generation: 0 };
      const reader = new LineReader(path, fh, identity, start, { follow: false, pollMs: 250, ...options });
      if (start > 0) await reader.readHead(Math.min(start, HEAD_BYTES));
      return reader;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Current read position in the current file (bytes consumed into lines or held back). */
  get position(): number {
    return this.pos;
  }

  /** Identity of the file being read now. */
  get file(): FileIdentity {
    return this.identity;
  }

  /** True if {@link next} can return a line without reading the file. */
  hasBuffered(): boolean {
    return this.li < this.lines.length;
  }

  /** The next line, or null at the end (end of file without `follow`, or `signal` aborted). */
  async next(): Promise<ReadLine | null> {
    while (this.li >= this.lines.length) {
      if (this.done || this.opts.signal?.aborted) return null;
      this.lines = [];
      this.li = 0;
      await this.fill();
    }
    return this.lines[this.li++] as ReadLine;
  }

  /** Closes the file. Idempotent. */
  async close(): Promise<void> {
    this.done = true;
    await this.fh.close().catch(() => undefined);
  }

  private async readHead(n: number): Promise<void> {
    const head = Buffer.alloc(n);
    const { bytesRead } = await this.fh.read(head, 0, n, 0);
    this.identity.head = head.subarray(0, bytesRead);
  }

  /** Reads once; at end of file handles follow mode. Appends to `this.lines` or sets `done`. */
  private async fill(): Promise<void> {
    const n = await this.readChunk();
    if (n > 0) return;
    if (!this.opts.follow) {
      this.flushPending();
      this.done = true;
      return;
    }
    // End of file in follow mode: rotation? truncation? else wait.
    const current = await this.fh.stat();
    let named: Awaited<ReturnType<typeof stat>> | null = null;
    try {
      named = await stat(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (named && (named.ino !== current.ino || named.dev !== current.dev)) {
      // Drain what the writer may still have added to the old file, then switch.
      while ((await this.readChunk()) > 0) {
        if (this.lines.length - this.li > 10_000) return; // let the caller consume; we come back here
      }
      this.flushPending();
      await this.reopen('rotated');
      return;
    }
    if (current.size < this.pos) {
      this.pos = 0;
      this.pending = [];
      this.pendingBytes = 0;
      this.pendingStart = 0;
      this.identity = { dev: current.dev, ino: current.ino, head: Buffer.alloc(0), generation: this.identity.generation + 1 };
      this.truncations++;
      this.opts.onEvent?.('truncated', this.path);
      return;
    }
    try {
      await sleep(this.opts.pollMs, undefined, this.opts.signal ? { signal: this.opts.signal } : undefined);
    } catch (err) {
      if ((err as { name?: string }).name !== 'AbortError') throw err;
    }
  }

  private async reopen(event: 'rotated'): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // vanished again: next poll retries
      throw err;
    }
    await this.fh.close().catch(() => undefined);
    const st = await fh.stat();
    this.fh = fh;
    this.pos = 0;
    this.pendingStart = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.identity = { dev: st.dev, ino: st.ino, head: Buffer.alloc(0), generation: this.identity.generation + 1 };
    this.rotations++;
    this.opts.onEvent?.(event, this.path);
  }

  /** Returns a held-back last line without `\n` as a line (end of a file that will not grow). */
  private flushPending(): void {
    if (this.pendingBytes === 0) return;
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    this.lines.push({ text: decode(bytes), offset: this.pendingStart, nextOffset: this.pendingStart + bytes.length, file: this.identity });
    this.pendingStart += bytes.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Reads one chunk at `pos`, splitting it into lines. @returns bytes read (0 at end of file). */
  private async readChunk(): Promise<number> {
    const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, this.pos);
    if (bytesRead === 0) return 0;
    const chunk = this.buf.subarray(0, bytesRead);
    const at = this.pos;
    if (at < HEAD_BYTES && this.identity.head.length === at) {
      this.identity.head = Buffer.concat([this.identity.head, chunk.subarray(0, Math.min(bytesRead, HEAD_BYTES - at))]);
    }
    this.pos += bytesRead;
    let from = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
      let bytes: Buffer;
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(from, nl));
        bytes = Buffer.concat(this.pending, this.pendingBytes + (nl - from));
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        bytes = chunk.subarray(from, nl);
      }
      const nextOffset = at + nl + 1;
      this.lines.push({ text: decode(bytes), offset: this.pendingStart, nextOffset, file: this.identity });
      this.pendingStart = nextOffset;
      from = nl + 1;
    }
    if (from < bytesRead) {
      // Copy: the read buffer is reused.
      this.pending.push(Buffer.from(chunk.subarray(from)));
      this.pendingBytes += bytesRead - from;
    }
    return bytesRead;
  }
}

function decode(bytes: Buffer): string {
  const n = bytes.length;
  return bytes.toString('utf8', 0, n > 0 && bytes[n - 1] === 13 ? n - 1 : n);
}
