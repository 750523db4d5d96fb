import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import split2 from 'split2';

/** One line read from a file with the byte range it occupied. */
export interface ByteLine {
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just past its `\n` (or the end of the range for an unterminated last line). */
  nextOffset: number;
  /** False for a last line that had no `\n` yet. */
  terminated: boolean;
}

/**
 * Reads the lines of `file` in the byte range [start, end) with split2, giving each line its exact
 * byte offsets. Offsets come from the positions of `\n` bytes in the raw chunks, not from the decoded
 * text, so invalid UTF-8 (decoded as U+FFFD) cannot shift them. A trailing `\r` is dropped (CRLF files).
 */
export async function* readLines(file: string, start: number, end: number): AsyncGenerator<ByteLine> {
  if (end <= start) return;
  const newlineEnds: number[] = [];
  let pos = start;
  const tap = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlineEnds.push(pos + i + 1);
      pos += chunk.length;
      cb(null, chunk);
    },
  });
  // split2 drops nothing and emits exactly one string per `\n`, plus the unterminated rest at the end.
  const lines = createReadStream(file, { start, end: end - 1, highWaterMark: 256 * 1024 })
    .on('error', (err) => lines.destroy(err))
    .pipe(tap)
    .pipe(split2('\n'));
  let lineStart = start;
  let consumedNewlines = 0;
  for await (const text of lines as AsyncIterable<string>) {
    const clean = text.endsWith('\r') ? text.slice(0, -1) : text;
    const nl = newlineEnds[consumedNewlines];
    if (nl !== undefined) {
      consumedNewlines++;
      yield { text: clean, offset: lineStart, nextOffset: nl, terminated: true };
      lineStart = nl;
    } else {
      yield { text: clean, offset: lineStart, nextOffset: end, terminated: false };
      lineStart = end;
    }
    if (consumedNewlines > 4096) {
      newlineEnds.splice(0, consumedNewlines);
      consumedNewlines = 0;
    }
  }
}
