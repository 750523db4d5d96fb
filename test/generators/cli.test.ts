/**
 * The `generate` CLI end to end (spawned with tsx, as `npm run generate` does).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { generateLines, parseLine, tempDir, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const cli = path.join(root, 'generators', 'cli.ts');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(tsx, [cli, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function summaryOf(stderr: string): Record<string, unknown> {
  const last = stderr.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

describe('generate weblogs (CLI)', () => {
  it('is deterministic with --seed and --start, and matches the in-process generator', () => {
    const args = ['weblogs', '--count', '3000', '--seed', '17', '--start', '2025-06-01T00:00:00Z', '--rate', '0'];
    const a = run(args);
    const b = run(args);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const lines = a.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(3000);
    expect(lines.every((l) => parseLine(l) !== null)).toBe(true);
    // --rate 0 ⇒ 1 ms of event time per line.
    expect(lines).toEqual(generateLines(3000, { seed: 17 }, 1000));
    expect(summaryOf(a.stderr)).toMatchObject({ generator: 'weblogs', seed: 17, lines: 3000, files: 0, stoppedBy: 'count' });
  });

  it('writes batch files with --out-dir and rotated files with --out', () => {
    const dir = tempDir('cli-batch');
    const r = run(['weblogs', '--count', '2500', '--rate', '0', '--seed', '1', '--out-dir', dir, '--batch-lines', '1000', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const names = readdirSync(dir).sort();
    expect(names).toHaveLength(3);
    expect(names.map((n) => readFileSync(path.join(dir, n), 'utf8').split('\n').length - 1)).toEqual([1000, 1000, 500]);
    expect(summaryOf(r.stderr)).toMatchObject({ lines: 2500, files: 3 });

    const out = path.join(tempDir('cli-rotate'), 'access.log');
    const r2 = run(['weblogs', '--count', '5000', '--rate', '0', '--seed', '1', '--out', out, '--rotate-bytes', '200K', '--rotate-keep', '2']);
    expect(r2.status).toBe(0);
    expect(readdirSync(path.dirname(out)).sort()).toEqual(['access.log', 'access.log.1', 'access.log.2']);
  });

  it('stops cleanly on SIGTERM, flushing the partial batch', async () => {
    const dir = tempDir('cli-signal');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'weblogs', '--rate', '2000', '--out-dir', dir, '--batch-lines', '700'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Signal only once the generator is running (its first batch file exists): a slow start under load
    // must not turn this into a test of an uninstalled signal handler.
    const deadline = Date.now() + 30_000;
    while (!readdirSync(dir).some((n) => n.endsWith('.log')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    const summary = summaryOf(stderr);
    expect(summary.stoppedBy).toBe('signal');
    const names = readdirSync(dir);
    expect(names.every((n) => !n.startsWith('.'))).toBe(true);
    const total = names.reduce((acc, n) => acc + readFileSync(path.join(dir, n), 'utf8').split('\n').length - 1, 0);
    expect(total).toBe(summary.lines);
    expect(summary.files).toBe(names.length);
  });

  it('rejects bad usage with exit code 2', () => {
    expect(run(['weblogs', '--rate', 'fast']).status).toBe(2);
    expect(run(['weblogs', '--out', 'a.log', '--out-dir', 'b']).status).toBe(2);
    const r = run(['weblogs', '--rotate-bytes', '10M', '--count', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--rotate-bytes requires --out');
  });

  it('prints help', () => {
    const r = run(['weblogs', '--help']);
    expect(r.status).toBe(0);
    for (const opt of ['--rate', '--count', '--duration', '--seed', '--start', '--out', '--out-dir', '--batch-lines', '--rotate-bytes', '--rotate-keep', '--quiet']) {
      expect(r.stdout).toContain(opt);
    }
  });
});
