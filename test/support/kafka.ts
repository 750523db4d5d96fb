/** Producing test data to the real local Kafka broker (`npm test` starts it, or KAFKA_BROKERS). */
import { AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';
import { defaultBrokers } from '../../processor/kafka/client.js';

export const brokers = defaultBrokers();
export const kafka = new Kafka({ clientId: 'rtas-tests', brokers, logLevel: logLevel.NOTHING });

/** Creates `topic` with `partitions` partitions (idempotent). */
export async function createTopic(topic: string, partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sends `values` to `topic` with an idempotent producer, keyed by `keyOf`, in chunks of `chunk`,
 * waiting `pauseMs` between chunks (to keep a stream going while a test does something else).
 */
export async function produce(
  topic: string,
  values: string[],
  opts: { keyOf?: (v: string) => string; chunk?: number; pauseMs?: number } = {},
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const chunk = opts.chunk ?? 1000;
    for (let i = 0; i < values.length; i += chunk) {
      await producer.send({
        topic,
        acks: -1,
        messages: values.slice(i, i + chunk).map((value) => ({ key: opts.keyOf?.(value) ?? null, value })),
      });
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  } finally {
    await producer.disconnect();
  }
}

/** Members of a consumer group that currently hold at least one partition (0 while it rebalances). */
export async function groupMembersWithAssignment(groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (!group || group.state !== 'Stable') return 0;
    return group.members.filter((m) => {
      const assigned = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {};
      return Object.values(assigned).some((partitions) => partitions.length > 0);
    }).length;
  } finally {
    await admin.disconnect();
  }
}
