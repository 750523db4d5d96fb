import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
// Installs the fix for kafkajs's idle 1 ms timer loop on every client this process creates.
import './request-queue-fix.js';

export { defaultBrokers } from './brokers.js';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose own log lines go through pino (warnings and errors only; kafkajs is chatty
 * at info during every rebalance).
 */
export function createKafka(clientId: string, brokers: string[], log: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers,
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
 * Creates the topics that do not exist yet (partitions as given, replication factor 1 on a one-broker
 * stack, the broker default otherwise).
 * @throws kafkajs errors when the brokers are unreachable.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], numPartitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}
