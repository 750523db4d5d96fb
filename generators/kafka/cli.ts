/**
 * `--kafka` for the generator subcommands: the options, and a run wrapper that gives `runCli`
 * (generators/common/cli.ts) a {@link KafkaWriter}, so Kafka output has the same run loop, pacing,
 * clocks, progress display, signal handling and JSON summary as the file/stdout outputs.
 *
 * @module generators/kafka/cli
 */
import { Command, Option } from 'commander';
import { runCli, type CliGeneratorSpec, type RunCliOptions } from '../common/cli.js';
import type { RunSummary } from '../common/run.js';
import { KAFKA_DATASETS, type DatasetName } from './datasets.js';
import { addKafkaSecurityOptions, KAFKA_SECURITY_ENV, kafkaSecurityFromOptions, type KafkaSecurity, type KafkaSecurityOptionValues } from '../../processor/kafka/security.js';
import { connectIdempotentProducer, createKafkaClient, createKafkaLogger, DEFAULT_BROKERS, resolveBrokers, warmUpTopic } from './producer.js';
import { KafkaWriter } from './writer.js';

/** Parsed values of the options added by {@link addKafkaOptions}. */
export interface KafkaCliOptions extends KafkaSecurityOptionValues {
  kafka?: boolean;
  topic?: string;
  brokers?: string;
}

/**
 * Adds `--kafka`, `--topic`, `--brokers` and the TLS/SASL options (`--kafka-ssl`, `--kafka-ca`,
 * `--kafka-sasl-mechanism`, `--kafka-username`, `--kafka-password`) to a generator subcommand
 * (`--kafka` conflicts with `--out` and `--out-dir`).
 * @returns `cmd`, for chaining.
 */
export function addKafkaOptions(cmd: Command, dataset: DatasetName): Command {
  const ds = KAFKA_DATASETS[dataset];
  addKafkaSecurityOptions(cmd, ' (with --kafka)');
  return cmd
    .addOption(
      new Option(
        '--kafka',
        `publish each line as one Kafka message to topic "${ds.topic}" (key: ${ds.keyDescription}) with an idempotent ` +
          'producer (acks=all, one request in flight, batches of up to 1000 lines); a line counts once the broker acknowledged it',
      ).conflicts(['out', 'outDir']),
    )
    .addOption(new Option('--topic <name>', `topic for --kafka (default: ${ds.topic})`))
    .addOption(
      new Option('--brokers <host:port,...>', `Kafka brokers for --kafka (default: env KAFKA_BROKERS, else ${DEFAULT_BROKERS})`),
    );
}

/** What a subcommand passes to {@link runGeneratorCommand}. */
export interface GeneratorCommandSpec extends CliGeneratorSpec {
  /** Dataset of the lines: default topic and message key for `--kafka`. */
  dataset: DatasetName;
  /**
   * The generator can produce at most this many lines (e.g. fan-out of a finite candle file):
   * the run stops there, as if `--count` had been given (whichever is smaller).
   */
  maxLines?: number;
}

function usageError(cmd: Command, msg: string): never {
  return cmd.error(`error: ${msg}`, { exitCode: 2, code: 'generate.invalidOptions' });
}

/**
 * Runs a generator subcommand whose options were added by `addRunOptions` and
 * {@link addKafkaOptions}: with `--kafka` to Kafka (see the module documentation), otherwise
 * through `runCli`. With `--kafka` the JSON summary on stderr has the usual fields plus
 * `kafka: {topic, brokers, acked, batches, bytes, batchLatencyMs, messageLatencyMs}` — latencies as
 * `{count,p50,p95,p99,max,mean}`, per acknowledged batch (send → ack) and per message (handed to
 * the writer → ack).
 *
 * @returns the run summary.
 * @throws {CommanderError} (via `cmd.error`) for invalid option combinations; Kafka errors
 *   (unreachable brokers, delivery timeout) and generator errors as they are.
 */
export async function runGeneratorCommand(cmd: Command, spec: GeneratorCommandSpec): Promise<RunSummary> {
  const o = cmd.opts<RunCliOptions & KafkaCliOptions>();
  if (spec.maxLines !== undefined && (o.count === undefined || o.count > spec.maxLines)) {
    cmd.setOptionValueWithSource('count', spec.maxLines, 'default');
  }
  if (!o.kafka) {
    if (o.topic !== undefined) usageError(cmd, '--topic requires --kafka');
    if (o.brokers !== undefined) usageError(cmd, '--brokers requires --kafka');
    for (const key of Object.keys(KAFKA_SECURITY_ENV) as (keyof KafkaSecurityOptionValues)[]) {
      if (cmd.getOptionValueSource(key) === 'cli') usageError(cmd, `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} requires --kafka`);
    }
    return runCli(cmd, spec);
  }
  if (o.rotateBytes !== undefined) usageError(cmd, '--rotate-bytes requires --out');
  if (cmd.getOptionValueSource('rotateKeep') === 'cli') usageError(cmd, '--rotate-keep requires --out');
  if (cmd.getOptionValueSource('batchLines') === 'cli') usageError(cmd, '--batch-lines requires --out-dir');
  let brokers: string[];
  try {
    brokers = resolveBrokers(o.brokers);
  } catch (err) {
    usageError(cmd, (err as Error).message);
  }
  let security: KafkaSecurity;
  try {
    security = kafkaSecurityFromOptions(o);
  } catch (err) {
    usageError(cmd, (err as Error).message);
  }
  const dataset = KAFKA_DATASETS[spec.dataset];
  const topic = o.topic ?? dataset.topic;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) usageError(cmd, `invalid topic name "${topic}" (Kafka allows [A-Za-z0-9._-], 1-249 characters)`);
  return runToKafka(cmd, spec, brokers, topic, security);
}

/** `runCli` with a Kafka writer: connected, topic metadata loaded, closed (and disconnected) by the run. */
function runToKafka(cmd: Command, spec: GeneratorCommandSpec, brokers: string[], topic: string, security: KafkaSecurity): Promise<RunSummary> {
  let writer: KafkaWriter | undefined;
  return runCli(cmd, {
    ...spec,
    destination: `kafka:${topic}`,
    writer: async () => {
      const kafka = createKafkaClient({ clientId: `generate-${spec.name}`, brokers, log: createKafkaLogger(`generate-${spec.name}`), security });
      const producer = await connectIdempotentProducer(kafka, { brokers, security });
      try {
        await warmUpTopic(producer, topic);
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        throw err;
      }
      writer = new KafkaWriter({ producer, topic, key: KAFKA_DATASETS[spec.dataset].key });
      return writer;
    },
    summaryExtras: () => {
      const stats = writer!.stats;
      return {
        kafka: {
          topic,
          brokers,
          acked: stats.acked,
          batches: stats.batches,
          bytes: stats.bytes,
          batchLatencyMs: stats.batchLatency.summary(),
          messageLatencyMs: stats.messageLatency.summary(),
        },
      };
    },
  });
}
