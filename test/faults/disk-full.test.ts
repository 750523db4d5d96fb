/**
 * A full disk under the data dir, for real: 4 MiB tmpfs mounts (root or CAP_SYS_ADMIN needed; where
 * mounting is refused every test here is skipped and the reason printed).
 *
 * - The dead-letter file on a nearly full tmpfs: an append that hits ENOSPC half-way is cut back, so
 *   the file keeps only whole lines and its size from before; after space comes back the same letters
 *   are appended whole, once.
 * - The `disk-full` fault case (scripts/faults/disk-full-case.ts) at 5,000 hostile lines per phase:
 *   `--once` runs exit 4 until space is freed, then 0; dead letters written before a refused checkpoint
 *   are not written again; a live processor pauses (warning, gauge), stays up and resumes. After each
 *   phase every line is indexed xor dead-lettered exactly once, and every dead-letter line parses.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { defaultEsUrl } from '../../processor/elasticsearch/client.js';
import { defaultBrokers } from '../../processor/kafka/client.js';
import { isDiskFull } from '../../processor/pipeline/disk-full.js';
import type { DeadLetter } from '../../processor/pipeline/types.js';
import { DeadLetterFile } from '../../processor/sinks/dead-letter-sink.js';
import { killAllProcessors } from '../../scripts/faults/harness.js';
import { diskFullCase, mountTmpfs, tmpfsUnavailable, unmount } from '../../scripts/faults/disk-full-case.js';

const workDir = mkdtempSync(path.join(os.tmpdir(), 'rtas-disk-full-test-'));
const unavailable = tmpfsUnavailable(workDir);
if (unavailable) console.log(`disk-full tests skipped: ${unavailable}`);
const maybe = unavailable ? it.skip : it;

afterAll(() => {
  killAllProcessors();
  rmSync(workDir, { recursive: true, force: true });
});

/** A dead letter of about `rawBytes` bytes of raw text. */
function letter(i: number, rawBytes: number): DeadLetter {
  return {
    record: {
      dataset: 'weblogs',
      raw: `line ${i} ${'x'.repeat(rawBytes)}`,
      id: `id-${i}`,
      position: { kind: 'file', path: '/x/access.log', fileId: '1:2', generation: 0, offset: i * 1000, nextOffset: i * 1000 + 999 },
    },
    stage: 'decode',
    reason: 'not an access-log line',
  };
}

describe('a full disk under the data dir', () => {
  maybe('a dead-letter append refused half-way by ENOSPC leaves no torn line; the retry writes each letter once', async () => {
    const dir = path.join(workDir, 'dl');
    mountTmpfs(dir, '4m');
    try {
      const file = path.join(dir, 'dead-letters.ndjson');
      const dl = new DeadLetterFile(file, 'default');
      await dl.write([0, 1, 2].map((i) => letter(i, 100)));
      const before = statSync(file).size;
      // Leave ~64 KiB free, then write ~400 KiB of letters in one append.
      const free = statfsSync(dir).bavail * statfsSync(dir).bsize;
      writeFileSync(path.join(dir, 'filler'), Buffer.alloc(free - 64 * 1024));
      const big = Array.from({ length: 100 }, (_, i) => letter(10 + i, 4000));
      const err = await dl.write(big).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDiskFull(err)).toBe(true);
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      expect(statSync(file).size).toBe(before);
      rmSync(path.join(dir, 'filler'));
      await dl.write(big);
      await dl.close();
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
      expect(ids).toEqual(['id-0', 'id-1', 'id-2', ...big.map((l) => l.record.id)]);
    } finally {
      unmount(dir);
    }
  });

  maybe('the disk-full fault case holds: --once exits 4 until space comes back, no torn line, no dead letter twice, a live processor pauses and resumes', async () => {
    const r = await diskFullCase({ endpoints: { esUrl: defaultEsUrl(), brokers: defaultBrokers() }, workDir, log: () => undefined }, 5000, 0.2, 128 * 1024);
    expect(r.skipped).toBeUndefined();
    expect(r.problems).toEqual([]);
    expect(r.holds).toBe(true);
    const codes = r.onceExitCodes as (number | string)[];
    expect(codes.length).toBeGreaterThanOrEqual(2);
    expect(codes.slice(0, -1).every((c) => c === 4)).toBe(true);
    expect(codes.at(-1)).toBe(0);
    for (const phase of ['once', 'checkpointFull', 'live'] as const) {
      const p = r[phase] as { lines: number; indexed: number; deadLettered: number; deadLetterLines: number; tornLines: number; lost: number; both: number };
      expect(p.lines).toBe(5000);
      expect(p.indexed + p.deadLettered).toBe(5000);
      expect(p.deadLetterLines).toBe(p.deadLettered);
      expect(p.deadLettered).toBeGreaterThan(500); // a fifth of the lines are malformed
      expect(p.tornLines).toBe(0);
      expect(p.lost + p.both).toBe(0);
    }
    const cp = r.checkpointFull as { firstExit: number; secondExit: number; deadLettersAfterFirstRun: number; deadLettered: number };
    expect(cp.firstExit).toBe(4);
    expect(cp.deadLettersAfterFirstRun).toBe(cp.deadLettered); // all written before the checkpoint was refused, none again after
    const live = r.live as { aliveWhileFull: boolean; pausedGauge: boolean; resumed: boolean; exit: number };
    expect(live).toMatchObject({ aliveWhileFull: true, pausedGauge: true, resumed: true, exit: 0 });
  }, 600_000);
});
