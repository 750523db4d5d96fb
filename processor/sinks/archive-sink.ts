import { mkdir, open, readdir, readFile, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32, gzipSync, inflateRawSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { OutputDocument } from '../pipeline/types.js';

/** Rolling of the archive parts; sizes in bytes (uncompressed NDJSON), times in ms. */
export interface ArchiveOptions {
  /** Close a part once this many uncompressed bytes were written to it (default 64 MiB). */
  rollBytes?: number;
  /** Close a part this long after it was opened (default 5 min). Checked on every write and by a timer. */
  rollMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  log?: Logger;
}

/** One archive line: what a bulk `create` needs to put the document back. */
export interface ArchiveLine {
  _id: string;
  _index: string;
  _source: Record<string, unknown>;
}

/** Prefix and suffix of the hidden name a part has while it is open. */
const HIDDEN_PREFIX = '.part-';
const HIDDEN_SUFFIX = '.ndjson.gz.tmp';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * The partition directory of a document, relative to the archive root:
 * `dataset=<data_stream.dataset>/year=YYYY/month=MM/day=DD/hour=HH` from `@timestamp` in UTC.
 * @throws when the document has no dataset or no parseable `@timestamp`.
 */
export function partitionPath(body: Record<string, unknown>): string {
  const ds = (body.data_stream as { dataset?: unknown } | undefined)?.dataset;
  if (typeof ds !== 'string' || ds === '' || ds.includes('/')) throw new Error(`document has no usable data_stream.dataset: ${String(ds)}`);
  const ts = body['@timestamp'];
  const t = new Date(typeof ts === 'string' || typeof ts === 'number' ? ts : NaN);
  if (Number.isNaN(t.getTime())) throw new Error(`document has no parseable @timestamp: ${String(ts)}`);
  return path.join(
    `dataset=${ds}`,
    `year=${t.getUTCFullYear()}`,
    `month=${pad(t.getUTCMonth() + 1)}`,
    `day=${pad(t.getUTCDate())}`,
    `hour=${pad(t.getUTCHours())}`,
  );
}

/** Start (inclusive, ms) of the hour a partition path such as `…/year=2015/month=05/day=17/hour=10` covers, or undefined. */
export function partitionStart(relPath: string): number | undefined {
  const m = /year=(\d{4})[/\\]month=(\d{2})[/\\]day=(\d{2})[/\\]hour=(\d{2})$/.exec(relPath);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
}

/** `20261121T201500123Z`: a sortable, file-name-safe UTC time. */
function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/**
 * The length of the longest prefix of `buf` made of complete, valid gzip members as this sink writes
 * them (10-byte header without optional fields, deflate data, CRC-32 and size checked), so whatever a
 * crash left at the tail — a member cut short, a few header bytes, zeros — can be truncated away.
 * 0 when not even the first member is complete.
 */
export function validGzipPrefix(buf: Buffer): number {
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < 18 || buf[pos] !== 0x1f || buf[pos + 1] !== 0x8b || buf[pos + 2] !== 0x08 || buf[pos + 3] !== 0) return pos;
    let data: Buffer;
    let consumed: number;
    try {
      const r = inflateRawSync(buf.subarray(pos + 10), { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      data = r.buffer;
      consumed = r.engine.bytesWritten;
    } catch {
      return pos; // deflate data cut short or damaged
    }
    const trailer = pos + 10 + consumed;
    if (trailer + 8 > buf.length) return pos;
    if (buf.readUInt32LE(trailer) !== crc32(data) || buf.readUInt32LE(trailer + 4) !== data.length % 2 ** 32) return pos;
    pos = trailer + 8;
  }
  return pos;
}

interface OpenPart {
  dir: string;
  hiddenPath: string;
  finalPath: string;
  handle: FileHandle;
  openedAt: number;
  bytes: number;
}

/**
 * The batch-layer archive: every document that is in Elasticsearch is also appended, as gzip-compressed
 * NDJSON (`{"_id","_index","_source"}` per line), under `dir/dataset=…/year=…/month=…/day=…/hour=…/`.
 *
 * One part is open per partition, under a hidden name (`.part-<start>-<seq>.ndjson.gz.tmp`). Each
 * `write` appends one gzip member per touched part (concatenated members are valid gzip) and fsyncs
 * every touched part before it resolves, so the pipeline can commit the batch right after. A part is
 * closed — fsynced and renamed to `part-<start>-<seq>.ndjson.gz`, then the directory fsynced — when
 * it reached `rollBytes` uncompressed, is older than `rollMs`, or on `close()`.
 *
 * After a crash, `recover()` (run before the first write) finishes every hidden part left behind: a
 * member cut short at the tail (its batch never committed, so it will be replayed) is truncated away,
 * and the part is renamed to its final name; a part with no complete member is removed. Nothing that
 * was fsynced — and so nothing committed — is lost. The archive is at-least-once: a replayed batch may
 * appear twice, and readers (the backfill) dedup by `_id`.
 */
export class ArchiveSink {
  readonly name = 'archive';
  private readonly rollBytes: number;
  private readonly rollMs: number;
  private readonly now: () => number;
  private readonly parts = new Map<string, OpenPart>();
  private seq = 0;
  /** Every file operation runs on this chain, one at a time (writes, timer rolls, close). */
  private chain: Promise<unknown> = Promise.resolve();
  private recovered = false;
  private timer: NodeJS.Timeout | undefined;
  /** Parts closed (renamed to their final name) since start. */
  closedParts = 0;

  constructor(
    readonly dir: string,
    opts: ArchiveOptions = {},
  ) {
    this.rollBytes = opts.rollBytes ?? 64 * 1024 * 1024;
    this.rollMs = opts.rollMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    this.timer = setInterval(() => void this.serial(() => this.rollStale()).catch((err: unknown) => this.log?.error({ err }, 'archive roll failed')), Math.min(this.rollMs, 60_000));
    this.timer.unref();
  }

  private readonly log: Logger | undefined;

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Finishes the hidden parts a crashed run left (see the class comment). Called by the first `write`.
   * Resolves with the number of parts finished and removed.
   */
  recover(): Promise<{ finished: number; removed: number }> {
    return this.serial(() => this.recoverNow());
  }

  private async recoverNow(): Promise<{ finished: number; removed: number }> {
    this.recovered = true;
    const out = { finished: 0, removed: 0 };
    const entries = await readdir(this.dir, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const e of entries) {
      if (!e.isFile() || !e.name.startsWith(HIDDEN_PREFIX) || !e.name.endsWith(HIDDEN_SUFFIX)) continue;
      const parent = (e as unknown as { parentPath?: string; path?: string }).parentPath ?? (e as unknown as { path: string }).path;
      const file = path.join(parent, e.name);
      const buf = await readFile(file);
      const valid = validGzipPrefix(buf);
      if (valid === 0) {
        await rm(file);
        out.removed += 1;
        this.log?.warn({ file, bytes: buf.length }, 'archive: removed a hidden part with no complete batch');
        continue;
      }
      if (valid < buf.length) {
        await truncate(file, valid);
        this.log?.warn({ file, cut: buf.length - valid }, 'archive: truncated a batch cut short by a crash (it was not committed)');
      }
      const h = await open(file, 'r+');
      await h.sync();
      await h.close();
      await rename(file, path.join(parent, e.name.slice(1, -'.tmp'.length)));
      await fsyncDir(parent);
      out.finished += 1;
    }
    if (out.finished + out.removed > 0) this.log?.info(out, 'archive: recovered hidden parts of an earlier run');
    return out;
  }

  /**
   * Appends the documents (one gzip member per touched partition) and fsyncs; rolls parts that are full
   * or old. Resolves with the number of documents written once they are durable.
   * @throws the file system error, or when a document has no dataset or `@timestamp`.
   */
  write(docs: OutputDocument[]): Promise<number> {
    if (docs.length === 0) return Promise.resolve(0);
    return this.serial(async () => {
      if (!this.recovered) await this.recoverNow();
      const groups = new Map<string, string[]>();
      for (const d of docs) {
        const rel = partitionPath(d.body);
        const line: ArchiveLine = { _id: d.id, _index: d.index, _source: d.body };
        let list = groups.get(rel);
        if (!list) groups.set(rel, (list = []));
        list.push(JSON.stringify(line));
      }
      const touched: [string, OpenPart][] = [];
      try {
        for (const [rel, lines] of groups) {
          const part = await this.partFor(rel);
          touched.push([rel, part]);
          const text = Buffer.from(lines.join('\n') + '\n');
          await part.handle.write(gzipSync(text, { level: 6 }));
          part.bytes += text.length;
        }
        await Promise.all(touched.map(([, p]) => p.handle.sync()));
      } catch (err) {
        // A touched part may now end in a broken member: never rename it; leave it hidden for `recover()`.
        for (const [rel, part] of touched) {
          this.parts.delete(rel);
          await part.handle.close().catch(() => undefined);
        }
        throw err;
      }
      await this.rollStale();
      return docs.length;
    });
  }

  private async partFor(rel: string): Promise<OpenPart> {
    const existing = this.parts.get(rel);
    if (existing) return existing;
    const dir = path.join(this.dir, rel);
    const created = await mkdir(dir, { recursive: true });
    if (created) {
      // New directories must survive a crash too: fsync each parent whose entries changed.
      // (`dir` itself is fsynced once the part file is created in it.)
      const top = path.dirname(path.resolve(created));
      for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
        await fsyncDir(d);
        if (d === top || d === path.dirname(d)) break;
      }
    }
    const openedAt = this.now();
    const base = `part-${compactTime(openedAt)}-${pad(this.seq++, 6)}`;
    const hiddenPath = path.join(dir, `.${base}${HIDDEN_SUFFIX}`);
    const handle = await open(hiddenPath, 'wx');
    await fsyncDir(dir); // the hidden part itself must survive a crash, or recovery could not see it
    const part: OpenPart = { dir, hiddenPath, finalPath: path.join(dir, `${base}.ndjson.gz`), handle, openedAt, bytes: 0 };
    this.parts.set(rel, part);
    return part;
  }

  /** Closes the parts that are full or older than `rollMs` (must run on the chain). */
  private async rollStale(): Promise<void> {
    const now = this.now();
    for (const [rel, part] of this.parts) {
      if (part.bytes >= this.rollBytes || now - part.openedAt >= this.rollMs) await this.closePart(rel, part);
    }
  }

  private async closePart(rel: string, part: OpenPart): Promise<void> {
    this.parts.delete(rel);
    await part.handle.sync();
    await part.handle.close();
    if (part.bytes === 0) {
      await rm(part.hiddenPath);
      return;
    }
    await rename(part.hiddenPath, part.finalPath);
    await fsyncDir(part.dir);
    this.closedParts += 1;
  }

  /** Closes (renames) every open part. */
  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.serial(async () => {
      for (const [rel, part] of [...this.parts]) await this.closePart(rel, part);
    });
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
