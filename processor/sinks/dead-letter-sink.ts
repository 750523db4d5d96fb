import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DeadLetter } from '../pipeline/types.js';
import { documentId } from '../pipeline/document-id.js';

/**
 * One line of the dead-letter file. `id` is the `_id` the record would have had, so a reader can
 * drop the rare repeat written when a crash replays a batch (the file is at-least-once, like the source),
 * and `--replay-dead-letters` indexes it under that same `_id`. `input` and `namespace` were added later:
 * files written before lack them (replay then goes by `dataset` and the configured namespace).
 */
export interface DeadLetterEntry {
  '@timestamp': string;
  id: string;
  dataset: string;
  /** Id of the input the record was read through (absent for Kafka records). */
  input?: string;
  /** Data stream namespace the record was meant for. */
  namespace?: string;
  stage: DeadLetter['stage'];
  reason: string;
  /** The raw text; for a record over the maximum record size only its first bytes (see `originalBytes`). */
  raw: string;
  /** Full length in bytes of a record that was cut at the maximum record size. */
  originalBytes?: number;
  position: DeadLetter['record']['position'];
}

/** How much of the end of an existing dead-letter file is read at open for the ids already written (bytes). */
export const DEDUPE_WINDOW_BYTES = 64 * 1024 * 1024;

/** Read size of that scan (bytes). */
const SCAN_CHUNK_BYTES = 1024 * 1024;

/** The `id` of an entry this class wrote (its second key). */
const ID_AT_LINE_START = /^\{"@timestamp":"[^"]*","id":"([^"]+)"/;

/**
 * Appends dead letters as NDJSON to one file and fsyncs before `write` resolves, so a checkpoint that
 * follows never moves past a rejected record that is not on disk.
 *
 * No torn line: an append that fails (e.g. `ENOSPC` half-way) is cut back to the last whole line
 * (`ftruncate` to the size before it) before the error is thrown, so a retry appends whole lines only;
 * a torn last line left by a crash mid-append (SIGKILL, power loss) is cut off when the file is opened
 * (its batch was not committed, so its letters are written again).
 *
 * No letter twice: a batch whose letters were written but whose checkpoint was not (the disk filled
 * up in between, a crash) is read again after a restart, and its letters come again. At open, the ids
 * of the letters in the last {@link DEDUPE_WINDOW_BYTES} of the file are read, 1 MiB at a time (uncommitted batches are
 * always at the end: letters are appended in commit order, at most a few batches beyond the last
 * commit), and a letter whose `id` (the `_id`: position and content) is among them is not written again.
 */
export class DeadLetterFile {
  private handle: FileHandle | undefined;
  /** Size of the file before the current append: where a failed append is cut back to. */
  private size = 0;
  /** Ids of the letters found at the end of the file when it was opened. */
  private written = new Set<string>();
  /** Letters not written because they were already in the file (since this object opened it). */
  skippedRepeats = 0;
  /** Bytes of a torn last line cut off at open (0: none). */
  repairedBytes = 0;

  /**
   * @param namespace written into each entry (see `DeadLetterEntry.namespace`).
   * @param dedupeWindowBytes how much of the file's end is read at open for ids already written.
   */
  constructor(
    readonly filePath: string,
    private readonly namespace?: string,
    private readonly dedupeWindowBytes = DEDUPE_WINDOW_BYTES,
  ) {}

  /** Opens the file for appending: cuts a torn last line, reads the ids at its end. */
  private async openFile(): Promise<FileHandle> {
    await mkdir(path.dirname(this.filePath), { recursive: true });
    // Read-write without O_APPEND: positioned writes go where they are told (Linux ignores the position under O_APPEND).
    const handle = await open(this.filePath, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      let size = (await handle.stat()).size;
      const windowStart = Math.max(0, size - this.dedupeWindowBytes);
      // Read in chunks (memory stays at about one chunk and one line); latin1 keeps every byte one
      // character, so a UTF-8 sequence cut between chunks cannot shift the offsets, and ids are ASCII.
      let carry = '';
      let skipFirst = windowStart > 0; // the window starts mid-line
      let sawNewline = false;
      for (let pos = windowStart; pos < size; ) {
        const chunk = Buffer.alloc(Math.min(SCAN_CHUNK_BYTES, size - pos));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        const lines = (carry + chunk.toString('latin1', 0, bytesRead)).split('\n');
        carry = lines.pop()!;
        if (lines.length > 0) sawNewline = true;
        for (const line of lines) {
          if (skipFirst) {
            skipFirst = false;
            continue;
          }
          const m = ID_AT_LINE_START.exec(line);
          if (m) this.written.add(m[1]!);
        }
      }
      if (carry.length > 0 && (sawNewline || windowStart === 0)) {
        // A torn last line (a crash mid-append): cut back to the end of the last whole line. (A window
        // without any newline in a bigger file keeps it: it cannot tell where the line began.)
        const keep = size - carry.length;
        await handle.truncate(keep);
        await handle.sync();
        this.repairedBytes = carry.length;
        size = keep;
      }
      this.size = size;
      return handle;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Appends the entries (less those already in the file, see the class comment) and fsyncs.
   * Resolves with the number of letters handled (written or found already written).
   * @throws the file system error when the file cannot be opened or written (`ENOSPC` when the disk is
   *   full), after cutting the file back to its size before this call.
   */
  async write(letters: DeadLetter[], now = new Date()): Promise<number> {
    if (letters.length === 0) return 0;
    this.handle ??= await this.openFile();
    const handle = this.handle;
    const lines: string[] = [];
    for (const l of letters) {
      const id = l.record.id ?? documentId(l.record);
      if (this.written.has(id)) {
        this.skippedRepeats += 1;
        continue;
      }
      const entry: DeadLetterEntry = {
        '@timestamp': now.toISOString(),
        id,
        dataset: l.record.dataset,
        ...(l.record.input !== undefined ? { input: l.record.input } : {}),
        ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
        stage: l.stage,
        reason: l.reason,
        raw: l.record.raw,
        ...(l.record.originalBytes !== undefined ? { originalBytes: l.record.originalBytes } : {}),
        position: l.record.position,
      };
      lines.push(JSON.stringify(entry));
    }
    if (lines.length === 0) return letters.length;
    const data = Buffer.from(lines.join('\n') + '\n');
    // The end of the file now (another writer may have appended since: `--replay-dead-letters` writes
    // kept lines to the same file), where a failed append is cut back to.
    this.size = (await handle.stat()).size;
    try {
      // Positioned writes from that end, so a retry after a cut-back lands where the torn bytes were.
      let done = 0;
      while (done < data.length) done += (await handle.write(data, done, data.length - done, this.size + done)).bytesWritten;
      await handle.sync();
    } catch (err) {
      try {
        await handle.truncate(this.size);
        await handle.sync();
      } catch {
        // Could not cut it back now: reopen next time, which cuts a torn last line.
        this.handle = undefined;
        await handle.close().catch(() => undefined);
      }
      throw err;
    }
    this.size += data.length;
    return letters.length;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}
