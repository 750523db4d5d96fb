/**
 * The project's Kafka producer settings, shared by `generate --kafka` and `replay`.
 *
 * Idempotence (KIP-98, and the kafkajs producer documentation, https://kafka.js.org/docs/producing):
 * - `idempotent: true`: the broker assigns a producer id and de-duplicates retried batches by their
 *   per-partition sequence numbers, so a retry after a lost response writes nothing twice and
 *   keeps the order within a partition;
 * - `acks: -1` (all in-sync replicas) on every send — kafkajs warns and the guarantee is void
 *   otherwise (see {@link SEND_ACKS});
 * - `maxInFlightRequests: 1`: KIP-98 as first implemented (and the Java client before Kafka 1.0)
 *   requires at most one in-flight request per connection for ordered, duplicate-free retries;
 *   kafkajs tracks sequence numbers only after a response, so concurrent `send()` calls on one
 *   idempotent producer can fail with OUT_OF_ORDER_SEQUENCE_NUMBER (kafkajs issue #598). The
 *   {@link KafkaWriter} therefore also never has more than one `send()` in flight;
 * - retries unlimited (`Number.MAX_SAFE_INTEGER`): kafkajs warns that limiting them "may invalidate
 *   EoS guarantees"; the writer bounds the time instead with its delivery timeout, like the Java
 *   client's `delivery.timeout.ms`.
 *
 * Partitioning: `createPartitioner: Partitioners.DefaultPartitioner` is passed explicitly, which is
 * what silences kafkajs 2's "KafkaJS v2.0.0 switched default partitioner" warning (it is printed only
 * when the option is missing). The default partitioner is the Java client's murmur2 on the key, so
 * equal keys land on the same partition whichever client produced them.
 *
 * Idempotence only spans one producer session: a process that crashes after a batch was written but
 * before it recorded that fact re-sends it with a new producer id, and the broker cannot know it is a
 * duplicate. Consumers that need effectively-once results de-duplicate downstream (the processor
 * indexes with deterministic `_id`s).
 *
 * @module generators/kafka/producer
 */
import { Kafka, logLevel, Partitioners, type LogEntry, type Producer, type ProducerConfig } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { checkKafkaTls, explainKafkaError, kafkajsSecurity, kafkaSecurityFromOptions, type KafkaSecurity } from '../../processor/kafka/security.js';

/** Brokers used when neither `--brokers` nor `KAFKA_BROKERS` is given (the local stack). */
export const DEFAULT_BROKERS = '127.0.0.1:9092';

/** `acks` for every send of an idempotent producer: -1 = all in-sync replicas. */
export const SEND_ACKS = -1;

/**
 * Broker list from an option value, else `KAFKA_BROKERS`, else {@link DEFAULT_BROKERS}; comma-separated
 * `host:port`.
 * @throws {Error} if an entry is not `host:port` with a port in 1..65535.
 */
export function resolveBrokers(option?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = option ?? env.KAFKA_BROKERS ?? DEFAULT_BROKERS;
  const brokers = raw.split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new Error('no Kafka brokers given');
  for (const b of brokers) {
    const m = /^(.+):(\d{1,5})$/.exec(b);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65_535) throw new Error(`invalid broker "${b}": expected host:port`);
  }
  return brokers;
}

/** A pino logger on stderr for kafkajs' own messages, level `LOG_LEVEL` (default `warn`). */
export function createKafkaLogger(name: string): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Options of {@link createKafkaClient}. */
export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** Where kafkajs logs go (warnings and errors only); default {@link createKafkaLogger}. */
  log?: Logger;
  /** Connection timeout in ms (default 3,000). */
  connectionTimeoutMs?: number;
  /**
   * TLS and SASL (processor/kafka/security.ts); default: from `KAFKA_SSL`, `KAFKA_CA_CERT`,
   * `KAFKA_SASL_MECHANISM`, `KAFKA_USERNAME`, `KAFKA_PASSWORD` (PLAINTEXT when none is set).
   */
  security?: KafkaSecurity;
}

/**
 * A kafkajs client whose log lines go through pino on stderr (stdout stays free for data), with
 * connection retries for about 15 s before giving up (kafkajs retrier: 6 retries from 300 ms,
 * doubling with jitter, at most 5 s apart). Broker error responses that kafkajs retries are logged
 * at debug, not error. TLS and SASL as `options.security` (or the `KAFKA_*` variables) say.
 * @throws KafkaSecurityConfigError for inconsistent `KAFKA_*` security variables or an unreadable CA file.
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const log = options.log ?? createKafkaLogger(options.clientId);
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkajsSecurity(options.security ?? kafkaSecurityFromOptions()),
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // kafkajs logs every error response of the broker at ERROR, also the retriable ones it then
        // retries (a new topic's "This server does not host this topic-partition", "The coordinator is
        // loading" …); errors that survive the retries surface as exceptions, so these go to debug.
        // Likewise its "Failed to send messages: …" before each retry of a send goes to info.
        const lvl =
          level === logLevel.ERROR && message.startsWith('Response ')
            ? 'debug'
            : level === logLevel.ERROR && message.startsWith('Failed to send messages')
              ? 'info'
              : (LEVELS[level] ?? 'info');
        log[lvl]({ kafkajs: rest }, message);
      },
    retry: { retries: 6, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

/** The producer configuration described in the module documentation. */
export const IDEMPOTENT_PRODUCER_CONFIG: Readonly<ProducerConfig> = Object.freeze({
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
  allowAutoTopicCreation: true,
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
});

/**
 * Creates and connects an idempotent producer ({@link IDEMPOTENT_PRODUCER_CONFIG}); for an
 * idempotent producer kafkajs' `connect()` also obtains the producer id (InitProducerId).
 * With `access` (the client's brokers and security), a TLS certificate the client does not trust fails
 * before kafkajs's retries (`checkKafkaTls`), and TLS and SASL refusals come back as a clear
 * `KafkaSecurityError` (broker, mechanism, user, CA file; never the password).
 * @throws KafkaSecurityError as above; otherwise the kafkajs connection error (e.g.
 *   KafkaJSNumberOfRetriesExceeded when no broker answers).
 */
export async function connectIdempotentProducer(kafka: Kafka, access?: { brokers: string[]; security: KafkaSecurity }): Promise<Producer> {
  if (access) await checkKafkaTls(access.brokers, access.security);
  const producer = kafka.producer({ ...IDEMPOTENT_PRODUCER_CONFIG });
  try {
    await producer.connect();
  } catch (err) {
    throw access ? explainKafkaError(err, access.brokers, access.security) : err;
  }
  return producer;
}

/**
 * Makes the first real send to `topic` as fast as the others: sends an empty message list, which
 * makes kafkajs fetch the topic's metadata (the broker auto-creates a missing topic when
 * `auto.create.topics.enable` is on) and retry until every partition has a leader, without writing
 * anything. Without it the first batch to a new topic takes a few hundred ms, which would distort
 * paced replays and latency figures.
 * @throws kafkajs errors (unknown topic with auto-creation off, unreachable brokers …).
 */
export async function warmUpTopic(producer: Producer, topic: string): Promise<void> {
  await producer.send({ topic, messages: [], acks: SEND_ACKS });
}
