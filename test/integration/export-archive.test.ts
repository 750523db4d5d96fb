/**
 * `export:s3 archive` against a real S3-compatible server on loopback (s3rver, started here on a free
 * port with a temporary directory): synthetic `.ndjson.gz` partition files in the archive layout, one
 * large enough to go multipart with a 5 MiB part size; a re-run skips everything; after deleting one
 * object exactly that one is uploaded again; a changed file of the same size is uploaded again; the CLI
 * prints the JSON summary.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fileDigests, listArchiveFiles, MIN_PART_SIZE, sameContent, uploadArchive, type UploadSummary } from '../../scripts/export/archive.js';
import { repoRoot, tempDir } from '../support/stack.js';

interface S3rverLike {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (opts: Record<string, unknown>) => S3rverLike;

const bucket = 'rtas-archive';
const prefix = 'exports/test';
const partSize = MIN_PART_SIZE; // 5 MiB, the smallest S3 and lib-storage allow
const root = tempDir('archive');
const serverDir = tempDir('s3rver');
let server: S3rverLike;
let endpoint: string;
let client: S3Client;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }; // s3rver's fixed development keys

function partition(dataset: string, hour: number, part: number): string {
  return `dataset=${dataset}/year=2026/month=11/day=21/hour=${String(hour).padStart(2, '0')}/part-${String(part).padStart(5, '0')}.ndjson.gz`;
}

function writeGz(rel: string, lines: string[]): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, gzipSync(`${lines.join('\n')}\n`, { level: 1 }));
}

const small = [partition('weblogs.access', 18, 0), partition('weblogs.access', 18, 1), partition('weblogs.access', 19, 0), partition('news.headlines', 19, 0), partition('market.ticks', 19, 0)];
const large = partition('weblogs.access', 20, 0);

async function upload(): Promise<{ summary: UploadSummary; uploadedKeys: string[] }> {
  const uploadedKeys: string[] = [];
  const summary = await uploadArchive({ fromDir: root, bucket, prefix, client, partSize, onFile: (e) => e.action === 'uploaded' && uploadedKeys.push(e.key) });
  return { summary, uploadedKeys: uploadedKeys.sort() };
}

async function objectBytes(key: string): Promise<Buffer> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

beforeAll(async () => {
  server = new S3rver({ address: '127.0.0.1', port: 0, directory: serverDir, silent: true });
  const addr = await server.run();
  endpoint = `http://127.0.0.1:${addr.port}`;
  client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));

  small.forEach((rel, i) => writeGz(rel, Array.from({ length: 200 + i }, (_, n) => JSON.stringify({ '@timestamp': `2026-11-21T18:00:${String(n % 60).padStart(2, '0')}Z`, n, i }))));
  // ~11 MiB of random hex → ~6 MiB gzipped: two parts of 5 MiB
  const hex = randomBytes(6 * 1024 * 1024).toString('hex');
  writeGz(large, Array.from({ length: hex.length / 1024 }, (_, n) => JSON.stringify({ n, payload: hex.slice(n * 1024, (n + 1) * 1024) })));
  // a writer's staging file and a non-archive file are not uploaded
  writeFileSync(path.join(root, path.dirname(small[0]!), '.part-00002.ndjson.gz.tmp'), 'partial');
  writeFileSync(path.join(root, 'README.txt'), 'not a partition');
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(serverDir, { recursive: true, force: true });
});

describe('export:s3 archive → S3 (s3rver)', () => {
  it('lists only the finished partition files', async () => {
    const files = await listArchiveFiles(root);
    expect(files.map((f) => f.relative)).toEqual([...small, large].sort());
    expect(files.find((f) => f.relative === large)!.size).toBeGreaterThan(partSize);
  });

  it('computes the multipart ETag as md5 of the part md5s, -N', async () => {
    const file = path.join(root, large);
    const bytes = readFileSync(file);
    const parts: Buffer[] = [];
    for (let o = 0; o < bytes.length; o += partSize) parts.push(createHash('md5').update(bytes.subarray(o, o + partSize)).digest());
    const d = await fileDigests(file, bytes.length, partSize);
    expect(parts.length).toBe(2);
    expect(d).toEqual({ md5: createHash('md5').update(bytes).digest('hex'), etag: `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-2` });
    const one = readFileSync(path.join(root, small[0]!));
    expect(await fileDigests(path.join(root, small[0]!), one.length, partSize)).toEqual({ md5: createHash('md5').update(one).digest('hex'), etag: createHash('md5').update(one).digest('hex') });
  });

  it('uploads every file, the large one multipart, keys mirroring the paths', async () => {
    const { summary, uploadedKeys } = await upload();
    expect(summary).toMatchObject({ files: 6, uploaded: 6, skipped: 0, multipart: 1 });
    expect(summary.bytes).toBe(summary.totalBytes);
    expect(uploadedKeys).toEqual([...small, large].map((r) => `${prefix}/${r}`).sort());
    for (const rel of [...small, large]) expect((await objectBytes(`${prefix}/${rel}`)).equals(readFileSync(path.join(root, rel)))).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/${large}` }));
    expect(head.Metadata?.['content-md5']).toBe(createHash('md5').update(readFileSync(path.join(root, large))).digest('hex'));
  });

  it('a re-run uploads nothing', async () => {
    const { summary, uploadedKeys } = await upload();
    expect(summary).toMatchObject({ files: 6, uploaded: 0, skipped: 6, bytes: 0 });
    expect(uploadedKeys).toEqual([]);
  });

  it('after one object is deleted, uploads exactly that one', async () => {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}/${small[2]}` }));
    const { summary, uploadedKeys } = await upload();
    expect(summary).toMatchObject({ files: 6, uploaded: 1, skipped: 5 });
    expect(uploadedKeys).toEqual([`${prefix}/${small[2]}`]);
  });

  it('a file changed at the same size is uploaded again', async () => {
    const file = path.join(root, small[1]!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff; // gzip trailer (CRC32): same size, other content
    writeFileSync(file, bytes);
    const { summary, uploadedKeys } = await upload();
    expect(summary).toMatchObject({ uploaded: 1, skipped: 5 });
    expect(uploadedKeys).toEqual([`${prefix}/${small[1]}`]);
    expect((await objectBytes(`${prefix}/${small[1]}`)).equals(bytes)).toBe(true);
  });

  it('an object put by another tool (no metadata) with the same bytes counts as present, by ETag', async () => {
    const rel = small[3]!;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${rel}`, Body: readFileSync(path.join(root, rel)) }));
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/${rel}` }));
    expect(head.Metadata?.['content-md5']).toBeUndefined();
    expect((await upload()).summary).toMatchObject({ uploaded: 0, skipped: 6 });
    expect(sameContent({ size: 10, etag: 'abc-2' }, { size: 10, md5: 'x', etag: 'abc-2' })).toBe(true);
    expect(sameContent({ size: 10, etag: 'abc-3' }, { size: 10, md5: 'x', etag: 'abc-2' })).toBe(false);
    expect(sameContent({ size: 11, etag: 'abc-2' }, { size: 10, md5: 'x', etag: 'abc-2' })).toBe(false);
  });

  it('the CLI prints the JSON summary', async () => {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}/${large}` }));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/export/cli.ts', 'archive', '--from-dir', root, '--bucket', bucket, '--prefix', prefix, '--endpoint', endpoint, '--part-size', '5MiB'],
      { cwd: repoRoot, env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' } },
    );
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as UploadSummary;
    expect(summary).toMatchObject({ files: 6, uploaded: 1, skipped: 5, multipart: 1 });
    expect(stderr).toContain(`uploaded ${prefix}/${large}`);
    expect(stderr.match(/skipped /g)).toHaveLength(5);
  });

  it('refuses a part size below S3\'s 5 MiB minimum (usage error, exit 2)', async () => {
    const err = (await promisify(execFile)(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/export/cli.ts', 'archive', '--from-dir', root, '--bucket', bucket, '--part-size', '1m'], { cwd: repoRoot }).catch(
      (e: unknown) => e,
    )) as { code?: number; stderr?: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('part size must be at least 5 MiB');
  });
});

