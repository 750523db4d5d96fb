/**
 * `export:s3 snapshot|restore` against the real local Elasticsearch with an `fs` repository (the
 * local distribution has no repository-s3; the stack sets path.repo): a small sample of the real
 * access log goes through the real processor into a fresh namespace, that namespace's data streams are
 * snapshotted through the CLI, and restored through the CLI under a renamed data stream (the original
 * cannot be deleted on this distribution: no `_data_stream` API). Exact document counts after restore.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor } from '../../processor/processor.js';
import type { RestoreResult, SnapshotResult } from '../../scripts/export/snapshot.js';
import { ensureRepository } from '../../scripts/export/snapshot.js';
import { countDocs, es, esUrl, quietLog, realAccessLog, repoRoot, tempDir, uniqueNamespace } from '../support/stack.js';

const namespace = uniqueNamespace('snap');
const logs = `logs-weblogs.access-${namespace}`;
const traffic = `metrics-weblogs.traffic_1m-${namespace}`;
const repository = `rtas-test-${namespace}`;
const location = `export-test-${namespace}`;
const snapshot = `snap-${namespace}`;
const suffix = 'r';
const sampleLines = 500;

/**
 * Decided before any test runs: a node with repository-s3 (e.g. the compose stack) accepts `--type s3`,
 * so the test of the refusal's message only applies to a cluster without it (the local distribution).
 */
const info = (await es.nodes.info({ metric: 'plugins' })) as unknown as { nodes: Record<string, { modules?: { name: string }[]; plugins?: { name: string }[] }> };
const hasS3 = Object.values(info.nodes).some((n) => [...(n.modules ?? []), ...(n.plugins ?? [])].some((m) => m.name === 'repository-s3'));
if (hasS3) console.warn('export-snapshot: skipping "says why when type s3 is asked…": this Elasticsearch has repository-s3 and would accept type s3');
const itWithoutS3 = hasS3 ? it.skip : it;

async function cli(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/export/cli.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ES_URL: esUrl },
  });
  return stdout.trim().split('\n').pop()!;
}

afterAll(async () => {
  try {
    await es.snapshot.delete({ repository, snapshot }, { ignore: [404] });
    await es.snapshot.deleteRepository({ name: repository }, { ignore: [404] });
    // the repository's directory under path.repo, when that is on this machine (the local stack)
    const nodes = (await es.nodes.info({ metric: 'settings', filter_path: 'nodes.*.settings.path.repo' })) as unknown as { nodes?: Record<string, { settings?: { path?: { repo?: string[] | string } } }> };
    for (const n of Object.values(nodes.nodes ?? {})) {
      const repo = [n.settings?.path?.repo ?? []].flat()[0];
      if (repo && existsSync(path.join(repo, location))) rmSync(path.join(repo, location), { recursive: true, force: true });
    }
  } finally {
    await es.close();
  }
});

describe('export:s3 snapshot / restore (fs repository, real Elasticsearch)', () => {
  const counts = new Map<string, number>();
  let taken: SnapshotResult;

  it('indexes a sample with the real processor', async () => {
    const inDir = tempDir('snapshot-in');
    mkdirSync(inDir, { recursive: true });
    const lines = readFileSync(realAccessLog, 'utf8').split('\n').slice(0, sampleLines);
    writeFileSync(path.join(inDir, 'access.log'), `${lines.join('\n')}\n`);
    const handle = await startProcessor({ watch: [inDir], once: true, esUrl, namespace, dataDir: tempDir('snapshot-data'), log: quietLog });
    expect(await handle.done).toMatchObject({ lines: sampleLines, indexed: sampleLines, rejected: 0 });
    counts.set(logs, await countDocs(logs));
    counts.set(traffic, await countDocs(traffic));
    expect(counts.get(logs)).toBe(sampleLines);
    expect(counts.get(traffic)).toBeGreaterThan(0);
  });

  it('registers the repository idempotently', async () => {
    expect(await ensureRepository(es, repository, { type: 'fs', location })).toBe('created');
    expect(await ensureRepository(es, repository, { type: 'fs', location })).toBe('unchanged');
  });

  it('snapshots the namespace\'s data streams through the CLI', async () => {
    const out = JSON.parse(
      await cli(['snapshot', '--repository', repository, '--type', 'fs', '--location', location, '--indices', `logs-*-${namespace},metrics-*-${namespace}`, '--snapshot', snapshot]),
    ) as SnapshotResult & { repositoryState: string };
    taken = out;
    expect(out).toMatchObject({ repositoryState: 'unchanged', repository, snapshot, state: 'SUCCESS', shards: { failed: 0 } });
    expect(out.dataStreams).toEqual([logs, traffic]);
    expect(out.indices).toHaveLength(2);
    for (const i of out.indices) expect(i).toMatch(new RegExp(`^\\.ds-(logs-weblogs\\.access|metrics-weblogs\\.traffic_1m)-${namespace}-\\d{4}\\.\\d{2}\\.\\d{2}-\\d{6}$`));
    const r = (await es.snapshot.get({ repository, snapshot })).snapshots![0]!;
    expect(r.include_global_state).toBe(false);
    process.stderr.write(`snapshot of ${counts.get(logs)! + counts.get(traffic)!} docs in ${out.seconds} s\n`);
  });

  it('restores them through the CLI as renamed data streams with exactly the same documents', async () => {
    const out = JSON.parse(
      await cli(['restore', '--repository', repository, '--type', 'fs', '--location', location, '--snapshot', snapshot, '--indices', `logs-*-${namespace},metrics-*-${namespace}`, '--rename-suffix', suffix]),
    ) as RestoreResult;
    expect(out.shards).toEqual({ total: 2, successful: 2, failed: 0 });
    expect(out.indices).toEqual(taken.indices.map((i) => `${i}${suffix}`).sort());
    const resolved = await es.indices.resolveIndex({ name: `*-${namespace}${suffix}` });
    expect(resolved.data_streams.map((d) => d.name).sort()).toEqual([`${logs}${suffix}`, `${traffic}${suffix}`]);
    expect(await countDocs(`${logs}${suffix}`)).toBe(counts.get(logs));
    expect(await countDocs(`${traffic}${suffix}`)).toBe(counts.get(traffic));
    // the same documents, ids and all
    const ids = async (index: string): Promise<string[]> =>
      (await es.search({ index, size: sampleLines, _source: false, sort: [{ 'log.offset': 'asc' }] })).hits.hits.map((h) => h._id!);
    expect(await ids(`${logs}${suffix}`)).toEqual(await ids(logs));
    // the originals are untouched
    expect(await countDocs(logs)).toBe(sampleLines);
    process.stderr.write(`restore in ${out.seconds} s\n`);
  });

  it('refuses to restore over data streams that exist (no rename)', async () => {
    await expect(cli(['restore', '--repository', repository, '--no-register', '--snapshot', snapshot, '--indices', `logs-*-${namespace}`])).rejects.toThrow(/already exists|cannot restore/);
  });

  itWithoutS3('says why when type s3 is asked of a node without repository-s3 (the local distribution)', async () => {
    const err = (await cli(['snapshot', '--type', 's3', '--bucket', 'x', '--repository', `${repository}-s3`]).catch((e: unknown) => e)) as { code?: number; stderr?: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('repository type [s3] does not exist');
    expect(err.stderr).toContain('hint: this Elasticsearch has no repository-s3 module');
  });
});

