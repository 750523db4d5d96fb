/**
 * A user's clone, with nothing beside it, runs the README's main command. The committed repository
 * (HEAD: uncommitted changes are not part of a clone) is cloned into an empty temporary folder,
 * installed with `npm install` and started with `npm start -- --duration 10 --no-markets` against the
 * real local Elasticsearch, in a fresh namespace. The real sample shipped in `data/samples` must be
 * indexed in full from the clone's own copy, and the live lines after it.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { countDocs, es, esUrl, repoRoot, tempDir, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

interface Ran {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args` in `cwd` to its end, collecting output. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { cwd, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) => resolve({ code: code ?? signal ?? -1, stdout, stderr }));
  });
}

describe('a clone with nothing beside it', () => {
  it('no tracked file outside the docs refers to the folder beside the repository', async () => {
    // Built from parts so that this file does not match itself.
    const r = await run('git', ['grep', '-n', '-F', '-e', ['..', 'shared'].join('/'), '--', ':!*.md'], repoRoot);
    // git grep exits 1 when nothing matches.
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  });

  it('npm install && npm start -- --duration 10 --no-markets: exit 0, the real sample and the live lines indexed', async () => {
    const parent = tempDir('clone');
    const clone = path.join(parent, 'realtime-analytics-stack');
    const cloned = await run('git', ['clone', '--quiet', repoRoot, clone], parent);
    expect(cloned.code).toBe(0);
    expect(readdirSync(parent)).toEqual(['realtime-analytics-stack']);

    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], clone);
    if (installed.code !== 0) throw new Error(`npm install failed in the clone:\n${installed.stderr.slice(-2000)}`);

    const ns = uniqueNamespace('clone');
    const metricsPort = String(20_000 + Math.floor(Math.random() * 20_000));
    const dashboardPort = String(Number(metricsPort) + 1);
    const args = ['start', '--', '--duration', '10', '--no-markets', '--namespace', ns, '--metrics-port', metricsPort, '--dashboard-port', dashboardPort];
    const started = await run('npm', args, clone, {
      ES_URL: esUrl,
    });
    if (started.code !== 0) throw new Error(`npm start exited ${started.code}:\n${started.stdout.slice(-2000)}\n${started.stderr.slice(-2000)}`);

    // The live dashboard page was served and its address printed.
    expect(started.stdout).toContain(`▶ dashboard: http://127.0.0.1:${dashboardPort}`);

    // The backfill of the clone's own copy of the sample: all 10,000 lines, nothing rejected.
    const backfill = started.stdout.match(/^\s+(\{"files".*?\})\s+\(a second run/m);
    expect(backfill).not.toBeNull();
    expect(JSON.parse(backfill![1]!)).toMatchObject({ files: 1, lines: 10_000, indexed: 10_000, rejected: 0, duplicates: 0 });
    const index = `logs-weblogs.access-${ns}`;
    const samplePath = path.join(clone, 'data/samples/weblogs/apache_logs');
    expect(await countDocs(index, { term: { 'log.file.path': samplePath } })).toBe(10_000);

    // The live part: some lines generated and indexed, and the index holds exactly sample + live.
    const stopped = started.stdout.match(/▶ stopped: generated (\d+) log lines; processor (\{.*\})/);
    expect(stopped).not.toBeNull();
    const generated = Number(stopped![1]);
    const live = JSON.parse(stopped![2]!) as { indexed: number; rejected: number };
    expect(generated).toBeGreaterThan(0);
    expect(live.indexed).toBeGreaterThan(0);
    expect(live.indexed).toBeLessThanOrEqual(generated);
    expect(live.rejected).toBe(0);
    expect(await countDocs(index)).toBe(10_000 + live.indexed);
  }, 600_000);
});
