/**
 * The replay position file: where the next line to send starts, written atomically after each
 * acknowledged batch, so `--resume` continues without sending an acknowledged line again.
 *
 * Content (JSON, one object):
 *
 *     {"version":1,"file":"/abs/path.log","topic":"weblogs.access","dataset":"weblogs","offset":123456,
 *      "headBytes":4096,"headSha256":"…","dev":2049,"ino":393231,"lines":812,"updatedAt":"2025-…Z"}
 *
 * - `offset`: byte offset of the next line to send in the file identified by the head fingerprint;
 * - `headBytes`/`headSha256`: SHA-256 of the file's first `min(offset, 4096)` bytes. A file is "the
 *   same" on resume when those bytes still hash the same — robust to copies and moves (which change
 *   the inode) and detecting a regenerated or rotated file (whose beginning differs);
 * - `lines`: lines acknowledged in total over all runs that used this position file.
 *
 * Writes are atomic (the POSIX recipe: write a temporary file in the same directory, fsync it,
 * rename it over the old one, fsync the directory), so a crash leaves either the old or the new
 * position, never a torn one. Position updates are serialised and coalesced: while one write is in
 * progress, only the newest pending position is written next.
 *
 * @module scripts/replay/position
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** The JSON content of a position file. */
export interface PositionRecord {
  version: 1;
  /** Absolute path of the replayed file. */
  file: string;
  topic: string;
  dataset: string;
  /** Byte offset of the next line to send. */
  offset: number;
  /** Number of leading bytes hashed (`min(offset, 4096)`). */
  headBytes: number;
  /** Hex SHA-256 of those bytes. */
  headSha256: string;
  dev: number;
  ino: number;
  /** Lines acknowledged over all runs. */
  lines: number;
  /** ISO-8601 time of the write. */
  updatedAt: string;
}

/** Hex SHA-256 of a buffer. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Reads a position file.
 * @returns the record, or null when the file does not exist.
 * @throws {Error} when it exists but is not a valid position record (so a typo'd path is not
 *   silently treated as "start over").
 */
export async function readPosition(file: string): Promise<PositionRecord | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`position file ${file} is not JSON`);
  }
  const r = v as Partial<PositionRecord>;
  if (
    r?.version !== 1 ||
    !Number.isSafeInteger(r.offset) ||
    (r.offset as number) < 0 ||
    !Number.isSafeInteger(r.headBytes) ||
    typeof r.headSha256 !== 'string' ||
    !Number.isSafeInteger(r.lines)
  ) {
    throw new Error(`position file ${file} is not a replay position (version 1)`);
  }
  return r as PositionRecord;
}

/**
 * Writes `record` to `file` atomically (temp file + fsync + rename + directory fsync), creating the
 * directory if needed.
 * @throws fs errors.
 */
export async function writePositionAtomic(file: string, record: PositionRecord): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(record) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Make the rename itself durable. Some file systems refuse fsync on directories: not fatal.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // ignore
  }
}

/** Serialises and coalesces position writes; see the module documentation. */
export class PositionKeeper {
  private next: PositionRecord | null = null;
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  /** Position writes done. */
  writes = 0;
  /** The last record written. */
  last: PositionRecord | null = null;

  constructor(readonly file: string) {}

  /** Schedules `record` to be written (after the write in progress, replacing any older pending one). */
  update(record: PositionRecord): void {
    this.next = record;
    if (!this.running) this.running = this.loop();
  }

  /**
   * Resolves when every scheduled record is written.
   * @throws the first write error.
   */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  private async loop(): Promise<void> {
    try {
      while (this.next) {
        const r = this.next;
        this.next = null;
        await writePositionAtomic(this.file, r);
        this.writes++;
        this.last = r;
      }
    } catch (err) {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
    } finally {
      this.running = null;
    }
  }
}
