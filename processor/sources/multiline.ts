import type { ByteLine } from './line-reader.js';

/** One multi-line entry: the lines of one event joined with `\n`. */
export interface MultilineEntry {
  /** The lines joined with `\n` (at most `maxBytes` bytes of it; see `originalBytes`). */
  text: string;
  /** Byte offset of the first line's first byte. */
  offset: number;
  /** Byte offset just past the last line's newline. */
  nextOffset: number;
  /** Set when the entry was longer than `maxBytes`: its full length in bytes; `text` is its prefix. */
  originalBytes?: number;
  /** Number of lines joined. */
  lines: number;
}

/** Default for `multilineFlushMs`: Filebeat's `multiline.timeout` is 5 s; 1 s keeps events near real time. */
export const DEFAULT_MULTILINE_FLUSH_MS = 1000;

/**
 * Joins lines into entries the way Filebeat's `multiline.type: pattern` with `negate: true` and
 * `match: after` does (Vector's `multiline.start_pattern`): a line matching `start` begins an entry,
 * any other line is appended to the entry before it. Lines before the first start line of a file form
 * one entry of their own. An entry is capped at `maxBytes` bytes (`\n` separators counted), its full
 * length then reported in `originalBytes`, as the line reader does for long lines; lines beyond the cap
 * are counted but not kept, so memory stays bounded.
 */
export class MultilineJoiner {
  private readonly start: RegExp;
  private parts: string[] = [];
  private offset = 0;
  private nextOffset = 0;
  private lines = 0;
  /** Full length of the entry so far, bytes. */
  private bytes = 0;
  /** Bytes kept in `parts` (with separators). */
  private kept = 0;

  constructor(
    start: RegExp,
    private readonly maxBytes: number,
  ) {
    // A global or sticky regex carries `lastIndex` from one test to the next: use a stateless copy.
    this.start = new RegExp(start.source, start.flags.replace(/[gy]/g, ''));
  }

  /** Whether `text` begins a new entry. */
  isStart(text: string): boolean {
    return this.start.test(text);
  }

  /** Adds a (terminated) line; returns the entry it completed, when it starts a new one. */
  push(line: ByteLine): MultilineEntry | undefined {
    const done = this.lines > 0 && this.isStart(line.text) ? this.flush() : undefined;
    const lineBytes = line.originalBytes ?? Buffer.byteLength(line.text);
    if (this.lines === 0) this.offset = line.offset;
    const sep = this.lines > 0 ? 1 : 0;
    this.bytes += sep + lineBytes;
    const room = this.maxBytes - this.kept;
    if (room > 0) {
      const piece = (sep ? '\n' : '') + line.text;
      const pieceBytes = sep + Buffer.byteLength(line.text);
      if (pieceBytes <= room) {
        this.parts.push(piece);
        this.kept += pieceBytes;
      } else {
        this.parts.push(Buffer.from(piece).subarray(0, room).toString('utf8'));
        this.kept = this.maxBytes;
      }
    }
    this.nextOffset = line.nextOffset;
    this.lines++;
    return done;
  }

  /** The unfinished entry's byte range, if one is open. */
  pending(): { offset: number; nextOffset: number; lines: number } | undefined {
    return this.lines > 0 ? { offset: this.offset, nextOffset: this.nextOffset, lines: this.lines } : undefined;
  }

  /** Ends the open entry (a new start line, end of file, or the flush timeout) and returns it. */
  flush(): MultilineEntry | undefined {
    if (this.lines === 0) return undefined;
    const entry: MultilineEntry = { text: this.parts.join(''), offset: this.offset, nextOffset: this.nextOffset, lines: this.lines };
    if (this.bytes > this.maxBytes) entry.originalBytes = this.bytes;
    this.parts = [];
    this.lines = 0;
    this.bytes = 0;
    this.kept = 0;
    return entry;
  }
}
