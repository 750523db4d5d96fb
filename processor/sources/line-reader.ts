import { open } from 'node:fs/promises';

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
 * Reads the lines of `file` in the byte range [start, end), giving each line its exact byte offsets.
 * Offsets come from the positions of `\n` bytes in the raw chunks, not from the decoded text, so
 * invalid UTF-8 (decoded as U+FFFD) cannot shift them. A trailing `\r` is dropped (CRLF files).
 *
 * Memory is bounded whatever the input: a line longer than `maxBytes` is cut while reading (only its
 * first `maxBytes` bytes are kept, the rest is skipped up to its newline) and reported with
 * `originalBytes`, the way Filebeat's `message_max_bytes` works. Peak buffer use is one 256 KiB read
 * buffer plus one line of at most `maxBytes`.
 *
 * @throws the file system error when the file cannot be opened or read.
 */
export async function* readLines(file: string, start: number, end: number, maxBytes = DEFAULT_MAX_RECORD_BYTES): AsyncGenerator<ByteLine> {
  if (end <= start) return;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let pos = start;
    let lineStart = start;
    // Pieces of the current line that began in an earlier chunk, at most `maxBytes` in all.
    let parts: Buffer[] = [];
    let kept = 0;
    const line = (text: string, nextOffset: number, terminated: boolean): ByteLine => {
      const length = nextOffset - lineStart - (terminated ? 1 : 0);
      const cut = length > maxBytes;
      const clean = !cut && text.endsWith('\r') ? text.slice(0, -1) : text;
      return { text: clean, offset: lineStart, nextOffset, terminated, ...(cut ? { originalBytes: length } : {}) };
    };
    while (pos < end) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(READ_BYTES, end - pos), pos);
      if (bytesRead === 0) break; // the file shrank under us; the caller notices on its next stat
      const view = buf.subarray(0, bytesRead);
      let i = 0;
      while (i < bytesRead) {
        const nl = view.indexOf(10, i);
        const stop = nl === -1 ? bytesRead : nl;
        if (nl !== -1 && parts.length === 0 && stop - i <= maxBytes) {
          // The common case: the whole line is in this chunk.
          const next = pos + nl + 1;
          yield line(view.toString('utf8', i, stop), next, true);
          lineStart = next;
          i = nl + 1;
          continue;
        }
        if (kept < maxBytes && stop > i) {
          const take = Math.min(stop - i, maxBytes - kept);
          parts.push(Buffer.from(view.subarray(i, i + take)));
          kept += take;
        }
        if (nl === -1) break;
        const next = pos + nl + 1;
        yield line(Buffer.concat(parts, kept).toString('utf8'), next, true);
        parts = [];
        kept = 0;
        lineStart = next;
        i = nl + 1;
      }
      pos += bytesRead;
    }
    if (lineStart < pos) yield line(Buffer.concat(parts, kept).toString('utf8'), pos, false);
  } finally {
    await fh.close();
  }
}
