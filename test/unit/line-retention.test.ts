/**
 * The caches of the weblogs path keep copies, not views into the log lines they were cut from (V8 keeps
 * a whole parent string alive for a substring of 13 or more characters): 3,000 lines, each filling every
 * cache with a new entry, leave the same heap behind whether the lines are 1 KiB or 16 KiB long. The
 * control runs keep a 20-character slice of each line and must show the difference, so the probe can.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

async function probe(kib: number, args: string[] = []): Promise<{ lines: number; lineBytes: number; retainedBytes: number }> {
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/support/line-retention-probe.ts', ...args], {
    cwd: repo,
    env: { ...process.env, NODE_OPTIONS: '', PROBE_KIB: String(kib) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  if (code !== 0) throw new Error(`probe exited ${code}: ${err}`);
  return JSON.parse(out.trim()) as { lines: number; lineBytes: number; retainedBytes: number };
}

describe('caches do not keep log lines alive', () => {
  it('holds as much after lines of 16 KiB as after lines of 1 KiB, while keeping slices of the lines grows with them', async () => {
    // The caches' own entries are the same for both sizes; a kept line would add its 15 KiB more.
    const [small, large] = [await probe(1), await probe(16)];
    const [smallControl, largeControl] = [await probe(1, ['--control']), await probe(16, ['--control'])];
    const added = large.lineBytes - small.lineBytes;
    expect(largeControl.retainedBytes - smallControl.retainedBytes).toBeGreaterThan(0.8 * added);
    expect(large.retainedBytes - small.retainedBytes).toBeLessThan(0.05 * added);
  }, 180_000);
});
