import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const checkpointSchema = z.object({
  path: z.string(),
  generation: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  headLength: z.number().int().nonnegative(),
  headHash: z.string(),
  updatedAt: z.string(),
  goneAt: z.string().optional(),
  /** A compressed file read to its end and committed: nothing more will ever be read from it. */
  complete: z.boolean().optional(),
});

/**
 * The committed read position of one file, keyed elsewhere by file identity (`device:inode`).
 * `headHash` is a SHA-1 (hex) of the first `headLength` bytes (at most 1024; 64 in version-1 stores):
 * a different head under the same inode means the file was replaced, truncated and rewritten, or
 * its inode reused, so reading restarts at 0.
 */
export type FileCheckpoint = z.infer<typeof checkpointSchema>;

/**
 * Version 2 (this one) came with content-based document ids (document-id.ts). Version 1 stores (written
 * before) are migrated on load: their offsets and 64-byte head hashes stay valid as they are.
 */
const storeSchema = z.object({ version: z.union([z.literal(1), z.literal(2)]), files: z.record(z.string(), checkpointSchema) });

/** Version written by this code. */
export const CHECKPOINT_VERSION = 2;

/** How long the entry of a deleted file is kept (ms): long enough for a rename to show up as its new path. */
const GONE_TTL_MS = 10 * 60 * 1000;

/**
 * Durable file offsets in one JSON file, written atomically (temp file, fsync, rename, fsync of the
 * directory) so a crash leaves either the old or the new state, never a torn one.
 */
export class CheckpointStore {
  private files = new Map<string, FileCheckpoint>();
  private writing: Promise<void> = Promise.resolve();
  /** Version of the store as loaded (undefined: none on disk). */
  loadedVersion: number | undefined;

  constructor(readonly filePath: string) {}

  /**
   * Reads the store; a missing file is an empty store.
   * @throws Error naming the file when it exists but is not a valid checkpoint store.
   */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const parsed = storeSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`checkpoint file ${this.filePath} is not valid: ${parsed.error.message}`);
    this.files = new Map(Object.entries(parsed.data.files));
    this.loadedVersion = parsed.data.version;
  }

  get(fileId: string): FileCheckpoint | undefined {
    return this.files.get(fileId);
  }

  /**
   * The checkpoint of the same content under another identity: a file whose first `headLength` bytes
   * hash to `headHash`, where `head` holds at least that many bytes (a rotated file copied or compressed
   * under a new inode; for a `.gz`, `head` is the decompressed head). Empty heads match nothing. Of
   * several, the one furthest ahead wins.
   */
  findByContent(head: Buffer, exceptFileId?: string): { fileId: string; checkpoint: FileCheckpoint } | undefined {
    let best: { fileId: string; checkpoint: FileCheckpoint } | undefined;
    const hashes = new Map<number, string>();
    for (const [fileId, cp] of this.files) {
      if (fileId === exceptFileId || cp.headLength === 0 || cp.headLength > head.length) continue;
      let h = hashes.get(cp.headLength);
      if (h === undefined) hashes.set(cp.headLength, (h = createHash('sha1').update(head.subarray(0, cp.headLength)).digest('hex')));
      if (h !== cp.headHash) continue;
      if (!best || cp.offset > best.checkpoint.offset) best = { fileId, checkpoint: cp };
    }
    return best;
  }

  /**
   * Marks the checkpoints of files not in `present` (not found by the scan at start: deleted while the
   * processor was down) as gone at `now`, so they expire like those of files seen deleted; until then
   * they still serve content lookups (a rotated file compressed meanwhile).
   */
  markMissing(present: ReadonlySet<string>, now = new Date()): void {
    for (const [id, cp] of this.files) if (!present.has(id) && !cp.goneAt) cp.goneAt = now.toISOString();
  }

  set(fileId: string, cp: FileCheckpoint): void {
    this.files.set(fileId, cp);
  }

  /** Number of files with a checkpoint. */
  get size(): number {
    return this.files.size;
  }

  /** Resolves when the writes started so far have finished (or failed). */
  idle(): Promise<void> {
    return this.writing.catch(() => undefined);
  }

  /** Writes the current state durably; concurrent calls are serialised. */
  flush(now = new Date()): Promise<void> {
    const run = async (): Promise<void> => {
      for (const [id, cp] of this.files) {
        if (cp.goneAt && now.getTime() - Date.parse(cp.goneAt) > GONE_TTL_MS) this.files.delete(id);
      }
      const body = JSON.stringify({ version: CHECKPOINT_VERSION, files: Object.fromEntries(this.files) }, null, 1);
      await writeFileAtomic(this.filePath, body);
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }
}

/**
 * Replaces `file` with `data` atomically and durably (POSIX rename semantics).
 * @throws the file system error (e.g. `ENOSPC`), after removing the temporary file; `file` is unchanged then.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    // E.g. ENOSPC half-way: the old file stays as it was; the partial temp file must not hold the space.
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, file);
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
