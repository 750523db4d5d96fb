/**
 * A full disk under the processor's data dir (dead letters, checkpoints): the write is retried until
 * there is space again, with intake held by back-pressure meanwhile, as for an unreachable
 * Elasticsearch (README, "Failure behaviour"); or, for a `--once` run, the run ends with
 * {@link DiskFullError} and exit code 4 (config/exit-codes.ts).
 */
import type { Logger } from 'pino';

/** errno codes that mean "no space left": `ENOSPC` (device full), `EDQUOT` (quota exceeded). */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** True when `err` (a Node.js system error, or a {@link DiskFullError}) says the disk or quota is full. */
export function isDiskFull(err: unknown): boolean {
  return err instanceof DiskFullError || DISK_FULL_CODES.has(String((err as NodeJS.ErrnoException | undefined)?.code ?? ''));
}

/** A write under the data dir refused for lack of space, with what was being written. `code` is the errno code (`ENOSPC`/`EDQUOT`). */
export class DiskFullError extends Error {
  readonly code: string;
  constructor(
    /** What was being written, e.g. `dead letters (.data/dead-letters.ndjson)`. */
    readonly what: string,
    override readonly cause: unknown,
  ) {
    const e = cause as NodeJS.ErrnoException;
    super(`disk full: could not write ${what} (${e.code ?? 'ENOSPC'}${e.path ? ` ${e.path}` : ''}); free space there and run again: what was not committed is read again, and nothing is written twice`);
    this.name = 'DiskFullError';
    this.code = e.code ?? 'ENOSPC';
  }
}

/** How {@link whileDiskFull} behaves. Times in ms. */
export interface DiskFullPolicy {
  /** `wait` (live): retry until it succeeds; `fail` (`--once`): throw {@link DiskFullError} at once. */
  mode: 'wait' | 'fail';
  log: Logger;
  /** First wait between attempts (default 1000), doubled after each failure up to `maxDelayMs`. */
  minDelayMs?: number;
  /** Longest wait between attempts (default 30,000, the cap of the Elasticsearch retries). */
  maxDelayMs?: number;
  /** Called when a pause starts (`true`) and ends (`false`), e.g. for a gauge. */
  onPause?: (paused: boolean) => void;
}

/**
 * Runs `write`; when it fails because the disk is full, either throws {@link DiskFullError} (`fail`) or
 * logs one warning naming `what` and the error, then retries with exponential backoff until it
 * succeeds (`wait`), logging once when it does. `write` must be safe to run again after a failure
 * (the dead-letter file truncates a failed append; a checkpoint is rewritten whole).
 * @returns what `write` returns.
 * @throws any error that is not a full disk, as `write` threw it; {@link DiskFullError} in `fail` mode.
 */
export async function whileDiskFull<T>(what: string, write: () => Promise<T>, policy: DiskFullPolicy): Promise<T> {
  const minDelay = policy.minDelayMs ?? 1000;
  const maxDelay = policy.maxDelayMs ?? 30_000;
  let attempts = 0;
  let delay = minDelay;
  const started = Date.now();
  for (;;) {
    try {
      const result = await write();
      if (attempts > 0) {
        policy.log.warn({ what, attempts: attempts + 1, pausedSeconds: Math.round((Date.now() - started) / 1000) }, `disk space back: ${what} written; intake resumes`);
        policy.onPause?.(false);
      }
      return result;
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      if (policy.mode === 'fail') throw err instanceof DiskFullError ? err : new DiskFullError(what, err);
      attempts += 1;
      if (attempts === 1) {
        const e = err as NodeJS.ErrnoException;
        policy.log.warn(
          { what, code: e.code, path: e.path },
          `disk full (${e.code ?? 'ENOSPC'}) writing ${what}: intake paused, nothing committed past it; retrying (every ${maxDelay / 1000} s at most) until there is space`,
        );
        policy.onPause?.(true);
      } else {
        policy.log.debug({ what, attempts }, 'disk still full');
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(maxDelay, delay * 2);
    }
  }
}
