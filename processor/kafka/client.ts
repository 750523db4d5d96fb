import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
// Installs the fix for kafkajs's idle 1 ms timer loop on every client this process creates.
import './request-queue-fix.js';
import { checkKafkaTls, explainKafkaError, kafkajsSecurity, type KafkaSecurity } from './security.js';

export { defaultBrokers } from './brokers.js';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose own log lines go through pino (warnings and errors only; kafkajs is chatty
 * at info during every rebalance), with TLS and SASL as `security` says (processor/kafka/security.ts;
 * default PLAINTEXT). The password goes to kafkajs only.
 * @throws KafkaSecurityConfigError when the CA file of `security` cannot be read.
 */
export function createKafka(clientId: string, brokers: string[], log: Logger, security: KafkaSecurity = {}): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...kafkajsSecurity(security),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[levels[level] ?? 'info']({ kafkajs: rest }, message);
      },
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 30_000 },
  });
}

/**
 * Checks that the brokers can be reached with `security` before kafkajs retries anything: a TLS
 * handshake with the first broker that answers (an untrusted certificate fails at once), then an admin
 * connection (a wrong user or password fails at once: kafkajs does not retry SASL failures). Errors of
 * either kind come back as a `KafkaSecurityError` naming broker, mechanism, user and CA file, never the
 * password.
 * @throws KafkaSecurityError for TLS or SASL refusals; other kafkajs errors as they are (unreachable
 *   brokers after kafkajs's retries).
 */
export async function checkKafkaAccess(kafka: Kafka, brokers: string[], security: KafkaSecurity): Promise<void> {
  await checkKafkaTls(brokers, security);
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw explainKafkaError(err, brokers, security);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Creates the topics that do not exist yet (partitions as given, replication factor 1 on a one-broker
 * stack, the broker default otherwise) and waits until every partition has a leader.
 * kafkajs's own wait (`waitForLeaders`) gives up when the broker's metadata does not know the new topic
 * yet (UNKNOWN_TOPIC_OR_PARTITION right after its creation, seen once in a CI run); the topic exists
 * then, so its metadata is asked again every 100 ms, for up to `timeoutMs`.
 * @throws kafkajs errors when the brokers are unreachable; an Error when a leader is still missing after `timeoutMs`.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], numPartitions = 3, timeoutMs = 10_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
    } catch (err) {
      if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
      await waitForLeaders(admin, missing, timeoutMs);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Polls `topics`' metadata until every partition has a leader. @throws Error after `timeoutMs`. */
async function waitForLeaders(admin: ReturnType<Kafka['admin']>, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      const type = (err as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw err;
    }
    if (Date.now() >= deadline) throw new Error(`Kafka topics ${topics.join(', ')}: no leader for every partition after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
