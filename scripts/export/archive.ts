/**
 * Uploads the archive partition files (`ARCHIVE/dataset=<ds>/year=YYYY/month=MM/day=DD/hour=HH/part-*.ndjson.gz`)
 * and the Parquet tree `npm run archive:compact` makes of them (`ARCHIVE/parquet/dataset=<ds>/year=YYYY/month=MM/day=DD/compacted-*.parquet`)
 * to an S3 bucket, keys mirroring the relative paths under an optional prefix. Hidden files (open parts,
 * the compactor's temporary files and lock) are never uploaded.
 *
 * Idempotent and resumable per object: before uploading, each key is asked for with HeadObject, and the
 * file is skipped when the object has the same size and
 *   - its `x-amz-meta-content-md5` metadata (the MD5 of the whole file, written by this uploader) equals
 *     the file's MD5, or, for objects uploaded by something else,
 *   - its ETag equals the file's MD5 (single PUT) or the multipart ETag `md5(md5(part1)‖…‖md5(partN))-N`
 *     computed with the configured part size.
 * The metadata is the primary check because it does not depend on the part size or on how a server
 * forms multipart ETags (s3rver, for one, returns the plain MD5 of the whole object).
 * An interrupted run leaves complete objects of the files it finished; a re-run uploads the rest. A
 * multipart upload cut off mid-file is aborted by lib-storage on errors; after a kill it stays as an
 * incomplete upload (a bucket lifecycle rule `AbortIncompleteMultipartUpload` cleans those) and the file
 * is uploaded again from its start.
 *
 * @module scripts/export/archive
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** lib-storage refuses parts below 5 MiB (S3's minimum for every part but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Default multipart part size, and the size above which a file goes multipart. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Object metadata key holding the whole file's MD5 (hex); sent as `x-amz-meta-content-md5`. */
export const MD5_METADATA_KEY = 'content-md5';

/** One archive file and its digests. */
export interface ArchiveFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the archive root, with `/` separators. */
  relative: string;
  size: number;
}

/** Options of {@link uploadArchive}. */
export interface UploadArchiveOptions {
  fromDir: string;
  bucket: string;
  /** Key prefix (no leading or trailing `/` needed). */
  prefix?: string;
  /** S3 client; otherwise one is built from `endpoint`/`region` and the default credential chain. */
  client?: S3Client;
  endpoint?: string;
  region?: string;
  /** Multipart part size in bytes (≥ 5 MiB); files larger than this go multipart. */
  partSize?: number;
  /** Files uploaded at once. */
  concurrency?: number;
  /** Parts of one file uploaded at once. */
  queueSize?: number;
  /** Called after each file with what happened to it. */
  onFile?: (e: { key: string; action: 'uploaded' | 'skipped'; bytes: number; multipart: boolean; done: number; total: number }) => void;
  signal?: AbortSignal;
}

/** The summary printed as JSON. */
export interface UploadSummary {
  files: number;
  uploaded: number;
  skipped: number;
  /** Bytes uploaded in this run. */
  bytes: number;
  /** Bytes of all files (uploaded or skipped). */
  totalBytes: number;
  multipart: number;
  seconds: number;
  /** Upload throughput of this run, MiB/s. */
  mibPerSecond: number;
}

/** An S3 client for `endpoint` (path-style addressing, as MinIO and s3rver need) or AWS. */
export function createS3Client(opts: { endpoint?: string; region?: string } = {}): S3Client {
  const config: S3ClientConfig = { region: opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1' };
  if (opts.endpoint) {
    config.endpoint = opts.endpoint;
    config.forcePathStyle = true;
  }
  return new S3Client(config);
}

/**
 * The archive's finished files: every `*.ndjson.gz` and `*.parquet` below `root` (hidden names skipped), sorted by relative path.
 * Hidden files and directories (a writer's staging names start with `.`) are left out.
 */
export async function listArchiveFiles(root: string): Promise<ArchiveFile[]> {
  const out: ArchiveFile[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && (entry.name.endsWith('.ndjson.gz') || entry.name.endsWith('.parquet'))) {
        out.push({ path: full, relative: path.relative(root, full).split(path.sep).join('/'), size: (await stat(full)).size });
      }
    }
  }
  await walk(root);
  return out.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

/** The object key of a relative path under `prefix`. */
export function objectKey(prefix: string | undefined, relative: string): string {
  const p = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return p ? `${p}/${relative}` : relative;
}

/**
 * MD5 of the whole file and the ETag S3 gives it when uploaded with `partSize`: the plain MD5 when
 * it fits one part (single PUT), else `md5(concat(md5(part_i)))-N`.
 */
export async function fileDigests(file: string, size: number, partSize: number): Promise<{ md5: string; etag: string }> {
  const whole = createHash('md5');
  const partDigests: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - inPart, chunk.length - offset);
      part.update(chunk.subarray(offset, offset + take));
      inPart += take;
      offset += take;
      if (inPart === partSize) {
        partDigests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0) partDigests.push(part.digest());
  const md5 = whole.digest('hex');
  if (size <= partSize) return { md5, etag: md5 };
  return { md5, etag: `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}` };
}

/** Size, ETag and metadata of an object, or undefined when it does not exist. */
async function headObject(client: S3Client, bucket: string, key: string): Promise<{ size: number; etag: string; md5?: string } | undefined> {
  try {
    const r = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: r.ContentLength ?? -1, etag: (r.ETag ?? '').replace(/"/g, ''), ...(r.Metadata?.[MD5_METADATA_KEY] ? { md5: r.Metadata[MD5_METADATA_KEY] } : {}) };
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
}

/** True when the object already holds exactly this file (see the module comment). */
export function sameContent(object: { size: number; etag: string; md5?: string } | undefined, file: { size: number; md5: string; etag: string }): boolean {
  if (!object || object.size !== file.size) return false;
  if (object.md5 !== undefined) return object.md5 === file.md5;
  return object.etag === file.md5 || object.etag === file.etag;
}

/**
 * Uploads every archive file whose object is missing or different; see the module comment.
 *
 * @throws the first S3 error (files finished before it stay uploaded, so a re-run resumes).
 */
export async function uploadArchive(opts: UploadArchiveOptions): Promise<UploadSummary> {
  const partSize = opts.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) throw new Error(`part size ${partSize} is below the S3 minimum of ${MIN_PART_SIZE} bytes (5 MiB)`);
  const client = opts.client ?? createS3Client({ ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...(opts.region ? { region: opts.region } : {}) });
  const started = Date.now();
  const files = await listArchiveFiles(opts.fromDir);
  const summary: UploadSummary = { files: files.length, uploaded: 0, skipped: 0, bytes: 0, totalBytes: 0, multipart: 0, seconds: 0, mibPerSecond: 0 };
  let next = 0;
  let done = 0;

  const worker = async (): Promise<void> => {
    while (next < files.length) {
      opts.signal?.throwIfAborted();
      const f = files[next++]!;
      const key = objectKey(opts.prefix, f.relative);
      const digests = await fileDigests(f.path, f.size, partSize);
      summary.totalBytes += f.size;
      const multipart = f.size > partSize;
      if (sameContent(await headObject(client, opts.bucket, key), { size: f.size, ...digests })) {
        summary.skipped++;
        opts.onFile?.({ key, action: 'skipped', bytes: f.size, multipart, done: ++done, total: files.length });
        continue;
      }
      const upload = new Upload({
        client,
        params: {
          Bucket: opts.bucket,
          Key: key,
          Body: createReadStream(f.path),
          ContentLength: f.size,
          // stored as the file it is (no Content-Encoding, so gzip downloads are not inflated on the way)
          ContentType: f.relative.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/gzip',
          Metadata: { [MD5_METADATA_KEY]: digests.md5 },
        },
        partSize,
        queueSize: opts.queueSize ?? 4,
        leavePartsOnError: false,
      });
      const abort = (): void => void upload.abort();
      opts.signal?.addEventListener('abort', abort, { once: true });
      try {
        await upload.done();
      } finally {
        opts.signal?.removeEventListener('abort', abort);
      }
      summary.uploaded++;
      summary.bytes += f.size;
      if (multipart) summary.multipart++;
      opts.onFile?.({ key, action: 'uploaded', bytes: f.size, multipart, done: ++done, total: files.length });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, files.length || 1)) }, worker));
  summary.seconds = (Date.now() - started) / 1000;
  summary.mibPerSecond = summary.seconds > 0 ? Number((summary.bytes / 1024 / 1024 / summary.seconds).toFixed(2)) : 0;
  summary.seconds = Number(summary.seconds.toFixed(3));
  return summary;
}
