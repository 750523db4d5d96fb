/**
 * `npm run replay -- FILE [options]`: push a recorded file (weblogs, news or ticks lines) into Kafka,
 * with rate control, time travel, per-dataset keys, an idempotent producer, a resumable position and
 * `--follow` (tail -F). See scripts/replay/replay.ts for the semantics.
 *
 * Exit codes: 0 on a normal stop (end of file, --count, SIGINT/SIGTERM), 1 on errors, 2 for invalid
 * usage, 130 on a second SIGINT/SIGTERM (no flush).
 *
 * @module scripts/replay/cli
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseCommandLine } from '../../generators/common/command-line.js';
import cliProgress from 'cli-progress';
import { parseInteger } from '../../generators/common/cli.js';
import { DATASET_NAMES, DEFAULT_BROKERS, isDatasetName, KAFKA_DATASETS, resolveBrokers, type DatasetName } from '../../generators/kafka/index.js';
import { addKafkaSecurityOptions, kafkaSecurityFromOptions, type KafkaSecurity, type KafkaSecurityOptionValues } from '../../processor/kafka/security.js';
import { replay, type ReplayMode } from './replay.js';
import { abortOnSignals } from '../../generators/common/signals.js';

interface ReplayCliOptions extends KafkaSecurityOptionValues {
  topic?: string;
  dataset?: DatasetName;
  brokers?: string;
  rate?: number;
  speed?: number;
  rebaseToNow?: boolean;
  resume?: boolean;
  positionFile?: string;
  stateDir: string;
  follow?: boolean;
  pollMs: number;
  count?: number;
  quiet?: boolean;
}

function nonNegative(what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected ${what} >= 0`);
    return n;
  };
}

function datasetArg(value: string): DatasetName {
  if (!isDatasetName(value)) throw new InvalidArgumentError(`expected one of ${DATASET_NAMES.join(', ')}`);
  return value;
}

const topicsHelp = DATASET_NAMES.map((d) => `  ${d.padEnd(8)} → ${KAFKA_DATASETS[d].topic} (key: ${KAFKA_DATASETS[d].keyDescription})`);

function buildProgram(): Command {
  const program = new Command('replay')
    .description(
      [
        'Replay a recorded file of weblogs (combined log format), news or ticks (JSON',
        'lines) into Kafka, one message per non-empty line, with an idempotent producer',
        '(acks=all, one request in flight).',
        '',
        'Pacing: as fast as possible by default (and with --rate 0 or --speed 0);',
        '--rate sends a fixed number of events per second; --speed replays the gaps',
        'between the recorded event timestamps (combined log [dd/Mon/yyyy:HH:mm:ss',
        '+zzzz], JSON "@timestamp") divided by the factor. --rebase-to-now rewrites',
        'each event timestamp, and nothing else in the line, so the first event sent',
        'is stamped now and all gaps are kept exactly (whole seconds for weblogs, whose',
        'lines keep their own zone offset). Kafka record timestamps are the send time.',
        '',
        'Position: after every acknowledged batch the byte offset of the next line is',
        'written atomically to the position file; --resume continues from there',
        '(refused if the file\'s beginning no longer matches, except with --follow,',
        'which then starts over). A graceful stop (end of file, --count, SIGINT,',
        'SIGTERM) flushes and saves the final position, so stop + --resume sends no',
        'line twice. After a crash (SIGKILL) the lines acknowledged after the last',
        'position write are sent again: at least once, never lost.',
        '',
        '--follow tails a growing file like tail -F (waits for new lines, handles',
        'rename rotation and truncation by reopening the path) until SIGINT/SIGTERM.',
        '',
        'Progress on stderr when it is a TTY. At the end a one-line JSON summary on',
        'stderr: events, seconds and eventsPerSec (acknowledged events, first send to',
        'last acknowledgement), batches, batchLatencyMs (per acknowledged Kafka',
        'request, send -> ack) and messageLatencyMs (per message, handed to the',
        'producer -> ack) as {count,p50,p95,p99,max,mean}, offsets and counters.',
        '',
        'Topics and keys by dataset:',
        ...topicsHelp,
      ].join('\n'),
    )
    .argument('<file>', 'recorded file to replay (one event per line)')
    .addOption(new Option('--topic <name>', 'Kafka topic (default: the dataset\'s topic)'))
    .addOption(new Option('--dataset <name>', `${DATASET_NAMES.join('|')} (default: detected from the first non-empty line)`).argParser(datasetArg))
    .addOption(new Option('--brokers <host:port,...>', `Kafka brokers (default: env KAFKA_BROKERS, else ${DEFAULT_BROKERS})`))
    .addOption(new Option('--rate <events/s>', 'send this many events per second; 0 = as fast as possible').argParser(nonNegative('a rate')).conflicts('speed'))
    .addOption(new Option('--speed <factor>', 'replay recorded gaps divided by factor (1 = real time, 10 = 10x faster); 0 = as fast as possible').argParser(nonNegative('a factor')))
    .addOption(new Option('--rebase-to-now', 'shift event timestamps so the first event sent is stamped now, keeping all gaps'))
    .addOption(new Option('--resume', 'continue from the position file instead of the beginning'))
    .addOption(new Option('--position-file <path>', 'position file (default: <state-dir>/<file name>.<topic>.<path hash>.position.json)'))
    .addOption(new Option('--state-dir <dir>', 'directory of the default position file').default('.data/replay'))
    .addOption(new Option('--follow', 'keep reading as the file grows (tail -F) until SIGINT/SIGTERM'))
    .addOption(new Option('--poll-ms <ms>', 'with --follow: how often to look for new lines, rotation and truncation').default(250).argParser(parseInteger(10)))
    .addOption(new Option('--count <n>', 'stop after n events').argParser(parseInteger(1)))
    .addOption(new Option('--quiet', 'no progress bar (the JSON summary is always printed)'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npm run replay -- data/samples/weblogs/apache_logs --speed 3600 --rebase-to-now\n' +
        '  npm run replay -- .data/ticks/hsi.log --topic market.ticks --rate 5000 --resume\n' +
        '  npm run replay -- .data/weblogs/access.log --follow\n',
    )
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();
  return addKafkaSecurityOptions(program);
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const answered = parseCommandLine(program, argv);
  if (answered !== undefined) return answered;
  const file = program.args[0] as string;
  const o = program.opts<ReplayCliOptions>();
  const usage = (msg: string): number => {
    process.stderr.write(`error: ${msg}\n`);
    return 2;
  };
  let brokers: string[];
  try {
    brokers = resolveBrokers(o.brokers);
  } catch (err) {
    return usage((err as Error).message);
  }
  let security: KafkaSecurity;
  try {
    security = kafkaSecurityFromOptions(o);
  } catch (err) {
    return usage((err as Error).message);
  }
  if (o.topic !== undefined && !/^[A-Za-z0-9._-]{1,249}$/.test(o.topic)) return usage(`invalid topic name "${o.topic}"`);
  const mode: ReplayMode =
    o.rate !== undefined && o.rate > 0
      ? { kind: 'rate', eventsPerSec: o.rate }
      : o.speed !== undefined && o.speed > 0
        ? { kind: 'speed', factor: o.speed }
        : { kind: 'max' };

  const controller = new AbortController();
  const removeSignalHandlers = abortOnSignals(controller);

  let bar: cliProgress.SingleBar | null = null;
  const tty = !o.quiet && process.stderr.isTTY;
  try {
    const summary = await replay({
      file,
      dataset: o.dataset,
      topic: o.topic,
      brokers,
      security,
      mode,
      rebaseToNow: o.rebaseToNow === true,
      positionFile: o.positionFile,
      stateDir: o.stateDir,
      resume: o.resume === true,
      follow: o.follow === true,
      pollMs: o.pollMs,
      count: o.count,
      signal: controller.signal,
      warn: (m) => {
        if (bar) process.stderr.write('\n');
        process.stderr.write(`replay: ${m}\n`);
      },
      onProgress: tty
        ? (p) => {
            if (!bar) {
              bar = new cliProgress.SingleBar(
                {
                  stream: process.stderr,
                  format:
                    p.bytesTotal > 0
                      ? 'replay |{bar}| {percentage}% | {events} events | {eps} events/s | {duration_formatted}'
                      : 'replay (follow) | {events} events | {eps} events/s | {duration_formatted}',
                  hideCursor: false,
                  fps: 5,
                },
                cliProgress.Presets.shades_classic,
              );
              bar.start(Math.max(1, p.bytesTotal), 0, { events: 0, eps: '0' });
            }
            bar.update(p.bytesTotal > 0 ? p.bytesRead : 0, { events: p.acked, eps: p.eventsPerSec.toFixed(0) });
          }
        : undefined,
    });
    (bar as cliProgress.SingleBar | null)?.stop();
    bar = null;
    process.stderr.write(JSON.stringify(summary) + '\n');
    return 0;
  } finally {
    (bar as cliProgress.SingleBar | null)?.stop();
    removeSignalHandlers();
  }
}

try {
  process.exitCode = await main(process.argv);
} catch (err) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
