/**
 * The processor's exit codes (`npm run process`), shown by `--help` and in docs/configuration.md.
 */
import type { RunSummary } from '../processor.js';

export const EXIT = {
  /** Done (`--once`, `--replay-dead-letters`, `--print-config`), or stopped by a signal after committing. */
  ok: 0,
  /** A failure while running (Elasticsearch unreachable at start, a disk error…), or `--once` found no file at all. */
  failure: 1,
  /** The config file or a flag is not valid; nothing was started. */
  config: 2,
  /** Lines were read but not one was indexed: every record went to the dead-letter file. */
  allRejected: 3,
  /** `--once`: the disk under the data dir is full (`ENOSPC`/`EDQUOT`); what was not committed is read again next time. */
  diskFull: 4,
  /** A second SIGINT/SIGTERM: exited without waiting for the batches in flight. */
  interrupted: 130,
} as const;

/** The `--help` paragraph. */
export const EXIT_CODES_HELP = `Exit codes:
  0    done (--once, --replay-dead-letters, --print-config), or stopped by SIGINT/SIGTERM after committing
  1    failure while running (e.g. Elasticsearch unreachable), or --once found no file for any input
  2    invalid config file or flag (printed as FILE:LINE:COL: key: problem); nothing was started
  3    --once (or --replay-dead-letters): records were read but every one was rejected (see the dead-letter file)
  4    the disk under the data dir is full (--once, or at start); free space and run again (a live run waits instead)
  130  a second SIGINT/SIGTERM: exited without waiting for the batches in flight`;

/**
 * What a finished `--once` run should exit with, beyond 0: 1 when there were file inputs (and no Kafka)
 * and no input matched a single file; 3 when lines were read and none was indexed (nor a duplicate of
 * one already indexed). Undefined: exit 0.
 */
export function onceExitCode(
  summary: Pick<RunSummary, 'files' | 'lines' | 'indexed' | 'duplicates'>,
  run: { fileInputs: number; kafka: boolean; unmatched: { input: string; paths: string[] }[]; deadLetterFile: string },
): { code: number; message: string } | undefined {
  if (run.fileInputs > 0 && !run.kafka && summary.files === 0) {
    const paths = run.unmatched.flatMap((u) => u.paths.map((p) => `${p} (input ${u.input})`));
    return {
      code: EXIT.failure,
      message: `no input matched any file${paths.length > 0 ? `: nothing matches ${paths.join(', ')}` : ''}`,
    };
  }
  if (summary.lines > 0 && summary.indexed + summary.duplicates === 0) {
    return {
      code: EXIT.allRejected,
      message:
        `all ${summary.lines} records were rejected; none was indexed. The reasons are in ${run.deadLetterFile}; ` +
        'fix the input (its format or dataset) and index them again with --replay-dead-letters ' + run.deadLetterFile,
    };
  }
  return undefined;
}
