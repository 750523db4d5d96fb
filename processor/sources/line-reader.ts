import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/** Default maximum record size in bytes (1 MiB, Filebeat's `message_max_bytes` default is 10 MiB; Vector's `max_line_bytes` 100 KiB). */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** Bytes read per `read(2)` call. */
const READ_BYTES = 256 * 1024;

/** One line read from a file with the byte range it occupied. */
export interface ByteLine {
  /** The line without `\n` (and without a trailing `\r`), decoded as UTF-8; at most `maxBytes` of it. */
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just past its `\n` (or the end of the range for an unterminated last line). */
  nextOffset: number;
  /** False for a last line that had no `\n` yet. */
  terminated: boolean;
  /** Set when the line was longer than `maxBytes`: its full length in bytes (without `\n`); `text` is its prefix. */
  originalBytes?: number;
}

/**
 * Splits a byte stream into lines with exact byte offsets, chunk by chunk (the core of {@link readLines}
 * and {@link readGzipLines}). Offsets come from the positions of `\n` bytes in the raw chunks, not from
 * the decoded text, so invalid UTF-8 (decoded as U+FFFD) cannot shift them. A trailing `\r` is dropped
 * (CRLF files). A line longer than `maxBytes` is cut while splitting (only its first `maxBytes` bytes are
 * kept) and reported with `originalBytes`, the way Filebeat's `message_max_bytes` works; so memory is one
 * line of at most `maxBytes` whatever the input. Chunks may be reused by the caller after `push` returns.
 */
export class LineSplitter {
  /** Offset of the next byte to be pushed. */
  pos: number;
  private lineStart: number;
  // Pieces of the current line that began in an earlier chunk, at most `maxBytes` in all.
  private parts: Buffer[] = [];
  private kept = 0;

  /** @param start byte offset of the first byte that will be pushed (a line start). */
  constructor(
    start: number,
    private readonly maxBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {
    this.pos = start;
    this.lineStart = start;
  }

  private line(text: string, nextOffset: number, terminated: boolean): ByteLine {
    const length = nextOffset - this.lineStart - (terminated ? 1 : 0);
    const cut = length > this.maxBytes;
    const clean = !cut && text.endsWith('\r') ? text.slice(0, -1) : text;
    return { text: clean, offset: this.lineStart, nextOffset, terminated, ...(cut ? { originalBytes: length } : {}) };
  }

  /**
   * The lines completed by `view` (the bytes at offsets `pos` … `pos + view.length`), appended to `out`
   * (an array, not a generator: a generator step per line cost ~10 % of the reading time).
   */
  push(view: Buffer, out: ByteLine[]): ByteLine[] {
    const n = view.length;
    const pos = this.pos;
    const maxBytes = this.maxBytes;
    let i = 0;
    while (i < n) {
      const nl = view.indexOf(10, i);
      const stop = nl === -1 ? n : nl;
      if (nl !== -1 && this.parts.length === 0 && stop - i <= maxBytes) {
        // The common case: the whole line is in this chunk.
        const next = pos + nl + 1;
        out.push(this.line(view.toString('utf8', i, stop), next, true));
        this.lineStart = next;
        i = nl + 1;
        continue;
      }
      if (this.kept < maxBytes && stop > i) {
        const take = Math.min(stop - i, maxBytes - this.kept);
        this.parts.push(Buffer.from(view.subarray(i, i + take)));
        this.kept += take;
      }
      if (nl === -1) break;
      const next = pos + nl + 1;
      out.push(this.line(Buffer.concat(this.parts, this.kept).toString('utf8'), next, true));
      this.parts = [];
      this.kept = 0;
      this.lineStart = next;
      i = nl + 1;
    }
    this.pos = pos + n;
    return out;
  }

  /** The unterminated rest after the last `\n`, if any (`terminated: false`). */
  end(): ByteLine | undefined {
    if (this.lineStart >= this.pos) return undefined;
    return this.line(Buffer.concat(this.parts, this.kept).toString('utf8'), this.pos, false);
  }
}

/**
 * Reads the lines of `file` in the byte range [start, end), giving each line its exact byte offsets
 * (see {@link LineSplitter}: invalid UTF-8 cannot shift them, CRLF is handled, lines over `maxBytes` are
 * cut while reading). Peak buffer use is one 256 KiB read buffer plus one line of at most `maxBytes`.
 *
 * @throws the file system error when the file cannot be opened or read.
 */
export async function* readLines(file: string, start: number, end: number, maxBytes = DEFAULT_MAX_RECORD_BYTES): AsyncGenerator<ByteLine> {
  if (end <= start) return;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    const splitter = new LineSplitter(start, maxBytes);
    let pos = start;
    while (pos < end) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(READ_BYTES, end - pos), pos);
      if (bytesRead === 0) break; // the file shrank under us; the caller notices on its next stat
      const lines = splitter.push(buf.subarray(0, bytesRead), []);
      for (let k = 0; k < lines.length; k++) yield lines[k]!;
      pos += bytesRead;
    }
    const rest = splitter.end();
    if (rest) yield rest;
  } finally {
    await fh.close();
  }
}

/** Thrown by {@link readGzipLines} when the compressed file ends early (e.g. still being written). */
export class TruncatedGzipError extends Error {
  constructor(
    readonly file: string,
    /** Decompressed bytes that could be read. */
    readonly decompressedBytes: number,
  ) {
    super(`gzip file ${file} ends early (${decompressedBytes} bytes decompressed): incomplete or still being written`);
  }
}

/**
 * The decompressed bytes of a gzip file from decompressed offset `start`, streamed (node:zlib, 64 KiB
 * chunks; never the whole file in memory). Concatenated gzip members are read as one stream, as gzip(1)
 * does. Bytes before `start` are decompressed and dropped.
 * @throws TruncatedGzipError when the file ends inside a member; the zlib error for corrupt data; the
 * file system error when the file cannot be read.
 */
export async function* gunzipFrom(file: string, start = 0): AsyncGenerator<Buffer> {
  const input = createReadStream(file, { highWaterMark: 64 * 1024 });
  const gunzip = createGunzip();
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  let pos = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const from = pos;
      pos += chunk.length;
      if (pos <= start) continue;
      yield from >= start ? chunk : chunk.subarray(start - from);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test((err as Error).message)) throw new TruncatedGzipError(file, pos);
    throw err;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

/**
 * The first `n` decompressed bytes of a gzip file (fewer when it has fewer).
 * @throws TruncatedGzipError when the file ends before `n` bytes and before its end (still being written).
 */
export async function gzipHead(file: string, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  const it = gunzipFrom(file, 0);
  try {
    for await (const chunk of it) {
      parts.push(Buffer.from(chunk.subarray(0, n - got)));
      got += Math.min(chunk.length, n - got);
      if (got >= n) break;
    }
  } finally {
    await it.return(undefined);
  }
  return Buffer.concat(parts, got);
}

/**
 * The lines of a gzip file's decompressed content from decompressed offset `start` (a line start) to
 * its end, with offsets in the decompressed stream (see {@link LineSplitter}); the last line is
 * yielded even without `\n` (a compressed file is complete). Memory: one 64 KiB chunk plus one line.
 * @throws as {@link gunzipFrom}; lines before the error have been yielded.
 */
export async function* readGzipLines(file: string, start: number, maxBytes = DEFAULT_MAX_RECORD_BYTES): AsyncGenerator<ByteLine> {
  const splitter = new LineSplitter(start, maxBytes);
  for await (const chunk of gunzipFrom(file, start)) yield* splitter.push(chunk, []);
  const rest = splitter.end();
  if (rest) yield rest;
}
