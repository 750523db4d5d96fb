/**
 * Shared command-line plumbing for generator subcommands (`weblogs`, later
 * `news`, `ticks`): the common run/output options, their validation, and the
 * run wrapper that wires pacing, clock, writer, progress display, signal
 * handling and the exit summary.
 *
 * @module generators/common/cli
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { simulatedClock, wallClock } from './clock.js';
import { MAX_SEED, randomSeed } from './random.js';
import { runGenerator, type LineGenerator, type RunSummary } from './run.js';
import { createWriter, type LineWriter } from './writers.js';
import { abortOnSignals } from './signals.js';

/** Parsed values of the options added by {@link addRunOptions}. */
export interface RunCliOptions {
  rate: number;
  count?: number;
  duration?: number;
  seed?: number;
  start?: Date;
  out?: string;
  outDir?: string;
  batchLines: number;
  rotateBytes?: number;
  rotateKeep: number;
  quiet?: boolean;
}

/** Parses a finite number ≥ 0 (`--rate`). @throws {InvalidArgumentError} */
export function parseRate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

/** Parses an integer ≥ `min` (digits only, `_` allowed as separator). @throws {InvalidArgumentError} */
export function parseInteger(min: number): (value: string) => number {
  return (value) => {
    const v = value.replace(/_/g, '');
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

/** Parses a seed: integer in [0, 2^32-1]. @throws {InvalidArgumentError} */
export function parseSeed(value: string): number {
  const n = parseInteger(0)(value);
  if (n > MAX_SEED) throw new InvalidArgumentError(`expected an integer in [0, ${MAX_SEED}]`);
  return n;
}

/** Parses a duration in seconds (> 0, fractions allowed). @throws {InvalidArgumentError} */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return n;
}

/**
 * Parses an ISO-8601 date-time (anything `Date.parse` accepts that starts with
 * `YYYY-MM-DD`; without a zone designator a date-time is local time, per ECMAScript).
 * @throws {InvalidArgumentError}
 */
export function parseIsoDate(value: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new InvalidArgumentError('expected an ISO-8601 time such as 2025-06-01T00:00:00Z');
  }
  return new Date(ms);
}

/**
 * Parses a byte size: an integer with an optional binary suffix `K`, `M` or `G`
 * (×1024, ×1024², ×1024³; case-insensitive, optional trailing `B`/`iB`). Must be ≥ 1.
 * @throws {InvalidArgumentError}
 */
export function parseByteSize(value: string): number {
  const m = /^(\d+)\s*(?:([kmg])(?:i?b)?|b)?$/i.exec(value.trim());
  if (!m?.[1]) throw new InvalidArgumentError('expected bytes, e.g. 1048576, 512K, 10M or 1G');
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  const n = Number(m[1]) * mult;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a size >= 1 byte');
  return n;
}

/**
 * Adds the common options (rate, stop conditions, seed/start, outputs, quiet)
 * to a generator subcommand.
 *
 * @param cmd the subcommand.
 * @param defaults per-generator defaults (`rate` in lines/s).
 * @returns `cmd`, for chaining.
 */
export function addRunOptions(cmd: Command, defaults: { rate: number }): Command {
  return cmd
    .addOption(
      new Option('--rate <lines/s>', 'lines per second (wall clock); 0 = as fast as possible').default(defaults.rate).argParser(parseRate),
    )
    .addOption(new Option('--count <n>', 'stop after n lines').argParser(parseInteger(0)))
    .addOption(
      new Option('--duration <seconds>', 'stop after this many wall-clock seconds (with --count: whichever comes first)').argParser(
        parseSeconds,
      ),
    )
    .addOption(
      new Option('--seed <n>', `random seed, integer 0..${MAX_SEED} (default: random, reported in the summary)`).argParser(parseSeed),
    )
    .addOption(
      new Option(
        '--start <iso-time>',
        'simulate event time: the first line is stamped with this instant and each further line 1/rate s later ' +
          '(1 ms with --rate 0); same --seed, --start and --rate => byte-identical output. ' +
          'Default: stamp lines with the current wall-clock time',
      ).argParser(parseIsoDate),
    )
    .addOption(new Option('--out <file>', 'append to this file (created with parent directories if missing)').conflicts('outDir'))
    .addOption(
      new Option(
        '--out-dir <dir>',
        'write batch files of --batch-lines lines into this directory; each is written as a hidden .*.tmp file and ' +
          'renamed to <name>-<yyyyMMddTHHmmss>-<seq>.log when complete (UTC wall-clock stamp); the last batch may be shorter',
      ).conflicts('out'),
    )
    .addOption(new Option('--batch-lines <n>', 'lines per batch file (only with --out-dir)').default(1000).argParser(parseInteger(1)))
    .addOption(
      new Option(
        '--rotate-bytes <size>',
        'with --out: before a line would make the file exceed this size, rename FILE to FILE.1 (FILE.1 to FILE.2 …) ' +
          'and start a new FILE; accepts K/M/G suffixes (1024-based)',
      ).argParser(parseByteSize),
    )
    .addOption(
      new Option('--rotate-keep <n>', 'rotated files to keep (FILE.1 … FILE.n; 0 = delete on rotation)').default(5).argParser(parseInteger(0)),
    )
    .addOption(new Option('--quiet', 'no progress line on stderr (shown only when stderr is a TTY; the JSON summary is always printed)'));
}

/**
 * Validates option combinations commander cannot express; reports them like
 * other usage errors via `cmd.error` (exit code 2, or a thrown CommanderError
 * when `exitOverride` is set).
 */
function validateCombinations(cmd: Command, o: RunCliOptions): void {
  const fail = (msg: string): never => cmd.error(`error: ${msg}`, { exitCode: 2, code: 'generate.invalidOptions' });
  if (o.rotateBytes !== undefined && o.out === undefined) fail('--rotate-bytes requires --out');
  if (cmd.getOptionValueSource('rotateKeep') === 'cli' && o.out === undefined) fail('--rotate-keep requires --out');
  if (cmd.getOptionValueSource('batchLines') === 'cli' && o.outDir === undefined) fail('--batch-lines requires --out-dir');
}

/** What a subcommand passes to {@link runCli}. */
export interface CliGeneratorSpec {
  /** Generator name: used as batch file prefix and in the summary. */
  name: string;
  /** Builds the line generator for a seed and the optional simulated start time. */
  create: (seed: number, start: Date | undefined) => LineGenerator;
  /** Builds the writer instead of the `--out`/`--out-dir`/stdout outputs (e.g. a Kafka producer). */
  writer?: () => Promise<LineWriter>;
  /** Where the lines go, shown in the progress line after the name (e.g. `kafka:market.ticks`). */
  destination?: string;
  /** Extra fields of the JSON summary, read once the writer is closed. */
  summaryExtras?: () => Record<string, unknown>;
}

/**
 * Runs a generator with the parsed common options: builds writer and clock,
 * shows progress on stderr (TTY only, not with `--quiet`), stops cleanly on
 * SIGINT/SIGTERM (a second signal exits immediately with 130), and finally
 * writes a one-line JSON summary to stderr:
 * `{"generator","seed","lines","seconds","linesPerSec","files","stoppedBy"}` where `stoppedBy`
 * is `count`, `duration`, `signal` or `output-closed` (stdout reader went away, e.g. `| head`).
 *
 * @returns the run summary (the caller decides the exit code).
 * @throws {CommanderError} (via `cmd.error`) for invalid option combinations;
 *   I/O errors of the writer as they are.
 */
export async function runCli(cmd: Command, spec: CliGeneratorSpec): Promise<RunSummary> {
  const o = cmd.opts<RunCliOptions>();
  validateCombinations(cmd, o);
  const seed = o.seed ?? randomSeed();
  const controller = new AbortController();
  let outputClosed = false;
  const removeSignalHandlers = abortOnSignals(controller);

  let bar: cliProgress.SingleBar | null = null;
  try {
    const writer = spec.writer
      ? await spec.writer()
      : await createWriter({
          out: o.out,
          outDir: o.outDir,
          batchLines: o.batchLines,
          rotateBytes: o.rotateBytes,
          rotateKeep: o.rotateKeep,
          prefix: spec.name,
          onStdoutClosed: () => {
            outputClosed = true;
            controller.abort();
          },
        });
    const generator = spec.create(seed, o.start);
    if (!o.quiet && process.stderr.isTTY) {
      const total = o.count;
      const label = spec.destination ? `${spec.name} → ${spec.destination}` : spec.name;
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format:
            total !== undefined
              ? `${label} |{bar}| {value}/{total} lines | {speed} lines/s | {duration_formatted}`
              : `${label} | {value} lines | {speed} lines/s | {duration_formatted}`,
          hideCursor: false,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total ?? 0, 0, { speed: '0' });
    }
    const summary = await runGenerator({
      generator,
      writer,
      rate: o.rate,
      count: o.count,
      durationSec: o.duration,
      clock: o.start ? simulatedClock(o.start, o.rate) : wallClock(),
      signal: controller.signal,
      onProgress: bar ? (p) => bar?.update(p.lines, { speed: p.linesPerSec.toFixed(0) }) : undefined,
    });
    bar?.stop();
    bar = null;
    process.stderr.write(
      JSON.stringify({
        generator: spec.name,
        seed,
        lines: summary.lines,
        seconds: summary.seconds,
        linesPerSec: summary.linesPerSec,
        files: summary.files,
        stoppedBy: outputClosed ? 'output-closed' : summary.stoppedBy,
        ...spec.summaryExtras?.(),
      }) + '\n',
    );
    return summary;
  } finally {
    bar?.stop();
    removeSignalHandlers();
  }
}
