/**
 * `export:s3 -- archive` uploads the Parquet tree beside the NDJSON parts, against a real S3-compatible
 * server on loopback (s3rver on a free port): an archive of the golden documents plus one dense hour
 * whose NDJSON part and Parquet file are above the 5 MiB part size (so both go multipart) is compacted and uploaded
 * through the CLI; every object equals its file, Parquet objects have the Parquet media type; a re-run
 * uploads nothing; after a further compaction only the new Parquet file and its NDJSON part go up;
 * the compactor's hidden files (lock, temporaries) never do.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { OutputDocument } from '../../processor/pipeline/types.js';
import { ArchiveSink, type ArchiveLine } from '../../processor/sinks/archive-sink.js';
import { compactArchive } from '../../scripts/archive/compact.js';
import type { UploadSummary } from '../../scripts/export/archive.js';
import { repoRoot, tempDir } from '../support/stack.js';

interface S3rverLike {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (opts: Record<string, unknown>) => S3rverLike;

const bucket = 'rtas-parquet';
const prefix = 'archive';
const root = tempDir('pq-export');
const serverDir = tempDir('pq-s3rver');
let server: S3rverLike;
let endpoint: string;
let client: S3Client;

const golden = (rel: string): ArchiveLine[] =>
  readFileSync(path.join(repoRoot, 'test/golden', rel), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ArchiveLine);

async function archive(lines: ArchiveLine[]): Promise<void> {
  const sink = new ArchiveSink(root);
  await sink.write(lines.map((l) => ({ id: l._id, index: l._index, body: l._source }) as unknown as OutputDocument));
  await sink.close();
}

async function exportCli(): Promise<{ summary: UploadSummary; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/export/cli.ts', 'archive', '--from-dir', root, '--bucket', bucket, '--prefix', prefix, '--endpoint', endpoint, '--part-size', '5MiB'],
    { cwd: repoRoot, env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' }, maxBuffer: 16 * 1024 * 1024 },
  );
  return { summary: JSON.parse(stdout.trim().split('\n').pop()!) as UploadSummary, stderr };
}

function localFiles(): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => /(^|\/)[^./][^/]*\.(ndjson\.gz|parquet)$/.test(f)).sort();
}

async function keys(): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ...(token ? { ContinuationToken: token } : {}) }));
    out.push(...(r.Contents ?? []).map((o) => o.Key!));
    token = r.NextContinuationToken;
  } while (token);
  return out.sort();
}

beforeAll(async () => {
  server = new S3rver({ address: '127.0.0.1', port: 0, directory: serverDir, silent: true });
  endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await archive([...golden('weblogs/access.expected.ndjson'), ...golden('news/headlines.expected.ndjson'), ...golden('ticks/ticks.expected.ndjson')]);
  // One dense hour: 25,000 headlines with incompressible messages → a Parquet file above 5 MiB.
  const base = golden('news/headlines.expected.ndjson')[0]!;
  const dense = Array.from({ length: 25_000 }, (_, i) => ({
    _id: `dense-${i}`,
    _index: base._index,
    _source: { ...base._source, '@timestamp': new Date(Date.UTC(2026, 10, 22, 9, 0, 0, i * 100)).toISOString(), message: randomBytes(240).toString('base64') },
  }));
  await archive(dense);
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(serverDir, { recursive: true, force: true });
});

describe('export:s3 archive with the Parquet tree (s3rver)', () => {
  it('uploads NDJSON parts and Parquet files, the large Parquet file multipart; a re-run uploads nothing', async () => {
    const compacted = await compactArchive({ archiveDir: root, settleMs: 0 });
    expect(compacted.files).toBeGreaterThan(3);
    writeFileSync(path.join(root, 'parquet', '.compact.lock'), '1'); // a compactor's hidden file: never uploaded
    const files = localFiles();
    expect(files.filter((f) => f.endsWith('.parquet'))).toHaveLength(compacted.files);

    const { summary, stderr } = await exportCli();
    expect(summary).toMatchObject({ files: files.length, uploaded: files.length, skipped: 0, multipart: 2 }); // the dense hour's NDJSON part and its Parquet file
    expect(stderr).toMatch(/uploaded +archive\/parquet\/dataset=news\.headlines\/year=2026\/month=11\/day=22\/compacted-[0-9a-f]{16}\.parquet \(\d+ B, multipart\)/);
    expect(await keys()).toEqual(files.map((f) => `${prefix}/${f}`));
    for (const f of files) {
      const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${f}` }));
      expect(Buffer.from(await r.Body!.transformToByteArray()).equals(readFileSync(path.join(root, f)))).toBe(true);
      expect(r.ContentType).toBe(f.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/gzip');
    }

    expect((await exportCli()).summary).toMatchObject({ files: files.length, uploaded: 0, skipped: files.length });
    rmSync(path.join(root, 'parquet', '.compact.lock'));
  });

  it('after more documents and another compaction, uploads exactly the new part and the new Parquet file', async () => {
    const before = localFiles();
    const more = golden('ticks/ticks.expected.ndjson').slice(0, 2).map((l) => ({ ...l, _id: `${l._id}-later` }));
    await archive(more);
    const run = await compactArchive({ archiveDir: root, settleMs: 0 });
    expect(run).toMatchObject({ rows: 2 });
    const added = localFiles().filter((f) => !before.includes(f));
    expect(added.filter((f) => f.endsWith('.parquet'))).toHaveLength(run.files);
    const { summary, stderr } = await exportCli();
    expect(summary).toMatchObject({ uploaded: added.length, skipped: before.length });
    expect([...stderr.matchAll(/uploaded +(\S+)/g)].map((m) => m[1]).sort()).toEqual(added.map((f) => `${prefix}/${f}`).sort());
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/${added.find((f) => f.endsWith('.parquet'))!}` }));
    expect(head.ContentType).toBe('application/vnd.apache.parquet');
  });
});
