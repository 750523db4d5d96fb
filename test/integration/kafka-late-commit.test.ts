/**
 * A member's late commit must not move the group's committed offset back. On the real local broker:
 * member A fetches a partition and holds the batch uncommitted (a slow Elasticsearch); member B joins,
 * takes the partition, reads further and commits; B leaves, A rejoins and owns the partition again;
 * only then does A's pipeline commit the old batch. The coordinator would accept that commit (it
 * carries A's new generation and is not checked against the assignment), so the source must drop it:
 * after every rebalance kafkajs resumes each member at the committed offsets, so those records are
 * read again by whoever owns the partition, and nothing is lost by not committing them.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { Partitioners } from 'kafkajs';
import { KafkaSource } from '../../processor/sources/kafka-source.js';
import type { KafkaPosition, SourceRecord } from '../../processor/pipeline/types.js';
import { quietLog, uniqueNamespace, waitFor } from '../support/stack.js';
import { createTopic, groupMembersWithAssignment, kafka } from '../support/kafka.js';

const sources: KafkaSource[] = [];
afterAll(async () => {
  for (const s of sources) await s.stop().then(() => s.close()).catch(() => undefined);
});

/** The group's committed offset of `topic/partition` (-1 when nothing is committed). */
async function committed(groupId: string, topic: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(t!.partitions.find((p) => p.partition === partition)!.offset);
  } finally {
    await admin.disconnect();
  }
}

/** Sends `n` messages to `partition` of `topic`. */
async function send(topic: string, partition: number, n: number, tag: string): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ partition, value: `${tag} ${i}` })) });
  } finally {
    await producer.disconnect();
  }
}

const kafkaPosition = (r: SourceRecord): KafkaPosition => r.position as KafkaPosition;

describe('Kafka source: commits after a rebalance', () => {
  it('a batch fetched before a rebalance is not committed after the member rejoined', async () => {
    const ns = uniqueNamespace('klc');
    const topic = `test.${ns}`;
    const groupId = `g-${ns}`;
    await createTopic(topic, 2);
    await send(topic, 0, 50, 'first');
    await send(topic, 1, 50, 'first');
    const options = { kafka, groupId, topics: new Map([[topic, 'weblogs']]), once: false, log: quietLog };

    // A reads everything there is and commits nothing (its batches are "in flight").
    const a = new KafkaSource(options);
    sources.push(a);
    const aRecords: SourceRecord[] = [];
    await a.start(async (batch) => {
      aRecords.push(...batch.records);
    });
    await waitFor('A fetched the first 100 messages', async () => aRecords.length >= 100, 60_000);
    const oldBatch = aRecords.map(kafkaPosition);

    // B joins and commits what it reads; the group splits the two partitions.
    const b = new KafkaSource(options);
    sources.push(b);
    const bPartitions = new Set<number>();
    await b.start(async (batch) => {
      for (const r of batch.records) bPartitions.add(kafkaPosition(r).partition);
      await b.commit(batch.records.map((r) => r.position));
    });
    await waitFor('two members with partitions', async () => (await groupMembersWithAssignment(groupId)) === 2, 60_000);
    await waitFor('B read its partition', async () => bPartitions.size > 0, 60_000);
    const p = [...bPartitions][0]!;
    await send(topic, p, 30, 'second');
    await waitFor('B committed all 80 messages of its partition', async () => (await committed(groupId, topic, p)) === 80, 60_000);

    // B leaves; A rejoins and owns both partitions again. A message sent now reaches A only once it
    // is a member of the new generation.
    await b.stop();
    await b.close();
    await waitFor('A alone holds the partitions', async () => (await groupMembersWithAssignment(groupId)) === 1, 60_000);
    await send(topic, p, 1, 'third');
    await waitFor('A fetched in the new generation', async () => aRecords.some((r) => kafkaPosition(r).partition === p && r.raw === 'third 0'), 60_000);

    // A's pipeline now acknowledges its old batch: offsets up to 50 of the partition B read to 80.
    expect(Math.max(...oldBatch.filter((o) => o.partition === p).map((o) => Number(o.offset)))).toBe(49);
    await a.commit(oldBatch);
    expect(await committed(groupId, topic, p)).toBe(80);

    // What A fetched in the new generation is committed as usual.
    const fresh = aRecords.filter((r) => r.raw === 'third 0').map((r) => r.position);
    await a.commit(fresh);
    expect(await committed(groupId, topic, p)).toBe(81);
  });
});
