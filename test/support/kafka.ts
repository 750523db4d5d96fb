/** Producing test data to the real local Kafka broker (`npm test` starts it, or KAFKA_BROKERS). */
import { createHash } from 'node:crypto';
import { expect } from '@jest/globals';
import { AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';
import { defaultBrokers, ensureTopics } from '../../processor/kafka/client.js';
import { es, idsOf } from './stack.js';

export const brokers = defaultBrokers();
export const kafka = new Kafka({ clientId: 'rtas-tests', brokers, logLevel: logLevel.NOTHING });

/** Creates `topic` with `partitions` partitions and waits for its leaders (idempotent; `ensureTopics`). */
export async function createTopic(topic: string, partitions = 3): Promise<void> {
  await ensureTopics(kafka, [topic], partitions);
}

/** One message as the broker stored it: where (partition, offset), its CreateTime (ms) and its value. */
export interface Produced {
  partition: number;
  /** Offset, a decimal string as kafkajs gives it. */
  offset: string;
  /** CreateTime, epoch ms as a decimal string (set by the test, so it is known). */
  timestamp: string;
  value: string;
}

/** Partition of `key` among `count`: SHA-1 of the key, first 4 bytes, modulo `count` (the tests' own, so it is known without kafkajs's partitioner). */
function partitionOf(key: string, count: number): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % count;
}

/**
 * Sends `values` to `topic` with an idempotent producer, in chunks of `chunk`, waiting `pauseMs`
 * between chunks (to keep a stream going while a test does something else). Each message goes to an
 * explicit partition (by `keyOf`'s key, see {@link partitionOf}; round robin without keys) with an
 * explicit timestamp, so its place is known from the send results: returns every message with the
 * partition and offset the broker gave it (a partition's messages of one send get consecutive offsets
 * from the result's `baseOffset`, in the order sent).
 * @throws when the offsets do not add up to the partitions' end offsets afterwards (another writer).
 */
export async function produce(
  topic: string,
  values: string[],
  opts: { keyOf?: (v: string) => string; chunk?: number; pauseMs?: number } = {},
): Promise<Produced[]> {
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const produced: Produced[] = [];
  try {
    const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
    const chunk = opts.chunk ?? 1000;
    for (let i = 0; i < values.length; i += chunk) {
      const timestamp = String(Date.now());
      const messages = values.slice(i, i + chunk).map((value, j) => {
        const key = opts.keyOf?.(value) ?? null;
        return { key, value, timestamp, partition: key === null ? (i + j) % partitions : partitionOf(key, partitions) };
      });
      const results = await producer.send({ topic, acks: -1, messages });
      const next = new Map(results.map((r) => [r.partition, BigInt(r.baseOffset!)]));
      for (const m of messages) {
        const offset = next.get(m.partition);
        if (offset === undefined) throw new Error(`no send result for partition ${m.partition}`);
        produced.push({ partition: m.partition, offset: offset.toString(), timestamp, value: m.value });
        next.set(m.partition, offset + 1n);
      }
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
    // The offsets worked out above must be the ones the broker holds: every partition ends right after them.
    const ends = await admin.fetchTopicOffsets(topic);
    for (const e of ends) {
      const mine = produced.filter((p) => p.partition === e.partition).map((p) => BigInt(p.offset));
      const last = mine.length > 0 ? mine.reduce((a, b) => (b > a ? b : a)) : -1n;
      if (mine.length > 0 && BigInt(e.high) !== last + 1n) throw new Error(`partition ${e.partition} ends at ${e.high}, the send results say ${last + 1n}`);
    }
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  return produced;
}

/** The cluster id the brokers report (part of a Kafka record's document `_id`). */
export async function clusterId(): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).clusterId;
  } finally {
    await admin.disconnect();
  }
}

/** Sum over `topic`'s partitions of the offsets `groupId` has committed (0 where it committed nothing). */
export async function committedTotal(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (t?.partitions ?? []).reduce((n, p) => n + (p.offset === '-1' ? 0 : Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
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

/**
 * The `_id` a Kafka record must get, by the `ordered` layout documented in processor/pipeline/document-id.ts
 * and computed here on its own: 5 base64url characters of SHA-1(`k`, cluster id, topic, partition, each
 * followed by a NUL byte); the offset as a letter for its number of base-36 digits (`a` = 1) and the
 * digits; the first 16 base64url characters of SHA-1(`k`, cluster id, topic, partition, offset,
 * CreateTime, each followed by a NUL byte, then the message value).
 */
export function expectedIds(cluster: string, topic: string, produced: Produced[]): string[] {
  const sha1 = (text: string): string => createHash('sha1').update(text).digest('base64url');
  return produced
    .map((p) => {
      const source = `k\0${cluster}\0${topic}\0${p.partition}\0`;
      const digits = Number(p.offset).toString(36);
      return `${sha1(source).slice(0, 5)}${'abcdefghijk'[digits.length - 1]}${digits}${sha1(`${source}${p.offset}\0${p.timestamp}\0${p.value}`).slice(0, 16)}`;
    })
    .sort();
}

type Raw = { message?: string; event?: { original?: string } };

/**
 * How many documents of `index` carry each raw value (scroll): `event.original` (access logs, kept with
 * `--keep-original`, which the processors of `expectExactly`'s callers run with), else `message`.
 */
async function messageCounts(index: string): Promise<Map<string, number>> {
  await es.indices.refresh({ index });
  const counts = new Map<string, number>();
  let r = await es.search<Raw>({ index, size: 5000, scroll: '1m', _source: ['message', 'event.original'], sort: ['_doc'] });
  while (r.hits.hits.length > 0) {
    for (const h of r.hits.hits) {
      const raw = h._source?.event?.original ?? h._source?.message ?? '';
      counts.set(raw, (counts.get(raw) ?? 0) + 1);
    }
    r = await es.scroll<Raw>({ scroll_id: r._scroll_id!, scroll: '1m' });
  }
  if (r._scroll_id) await es.clearScroll({ scroll_id: r._scroll_id });
  return counts;
}

function countBy(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** The stored documents are exactly the produced messages: `_id` set and count of each value. */
export async function expectExactly(index: string, topic: string, produced: Produced[]): Promise<void> {
  const ids = await idsOf(index);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toEqual(expectedIds(await clusterId(), topic, produced));
  expect(await messageCounts(index)).toEqual(countBy(produced.map((p) => p.value)));
}
