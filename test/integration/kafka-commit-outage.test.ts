/**
 * An offset commit in flight when the broker goes away, with a rebalance during the outage and the
 * member's rejoin after it, must not move the group's committed offset back. On the real local
 * broker, the outage seen by one member only (test/support/cuttable-sockets.ts):
 *
 * 1. Member A (generation g1) reads both partitions, indexes the records in Elasticsearch and commits;
 *    that OffsetCommit request is cut on the wire, every connection of A is reset and new ones are
 *    refused.
 * 2. During the outage member B joins; A's session expires, B owns both partitions in a later
 *    generation, reads further and commits.
 * 3. The broker comes back for A. A's next commit attempt (of g1's offsets) is held, and A's JoinGroup
 *    waits until it is, so the attempt is certainly pending when A rejoins (generation g3, both
 *    members); then the held attempt fails like a request lost in the outage.
 *
 * kafkajs's `consumer.commitOffsets` retries a failed commit by itself (runner.js's retrier, the
 * client's `retry`), and every attempt takes generation and member id from the consumer group's
 * offset manager of that moment, which a rejoin replaces: its retry after step 3 would carry g3, the
 * coordinator would accept it, and the group's offset would go back from where B put it to where A
 * was. The source commits with single attempts of its own instead and checks the generation before
 * each (processor/sources/kafka-source.ts), so the old offsets are never sent again.
 *
 * Asserted: A's commit was in flight at the cut and never reached the broker; A was out of the group
 * and B committed in a later generation during the outage; an attempt of A's commit, still carrying
 * g1, was pending when A rejoined in a generation after B's; the
 * group's committed offsets (polled every 100 ms, and after A's commit call returned) never went back;
 * in the end every produced event is stored exactly once (`_id`s as computed independently from where
 * the broker put each message) and the group has committed everything.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { AssignerProtocol, Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { documentId } from '../../processor/pipeline/document-id.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { KafkaSource } from '../../processor/sources/kafka-source.js';
import { CuttableNetwork, type GroupRequest } from '../support/cuttable-sockets.js';
import { brokers, clusterId, createTopic, expectedIds, kafka, produce, type Produced } from '../support/kafka.js';
import { es, idsOf, quietLog, uniqueNamespace, waitFor } from '../support/stack.js';

/**
 * The processor's kafkajs retry (processor/kafka/client.ts) with kafkajs's own factor and multiplier
 * outside tests (0.2, 2): under Jest (NODE_ENV=test) kafkajs fills them from its test defaults (0.02,
 * 1.5), which would make every backoff shorter than in the processor.
 */
const PROCESSOR_RETRY = { retries: 8, initialRetryTime: 300, maxRetryTime: 30_000, factor: 0.2, multiplier: 2 };

function client(clientId: string, socketFactory: ISocketFactory): Kafka {
  const level = process.env.TEST_LOG_LEVEL === 'debug' ? logLevel.INFO : logLevel.NOTHING;
  return new Kafka({ clientId, brokers, logLevel: level, retry: PROCESSOR_RETRY, socketFactory });
}

const sources: KafkaSource[] = [];
const indices: string[] = [];
let poller: NodeJS.Timeout | undefined;
afterAll(async () => {
  if (poller) clearInterval(poller);
  for (const s of sources) await s.stop().then(() => s.close()).catch(() => undefined);
  for (const index of indices) await es.indices.delete({ index }).catch(() => undefined);
  await es.close();
});

/** Committed offset per partition of `topic` (-1 where nothing is committed). */
async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((t?.partitions ?? []).sort((x, y) => x.partition - y.partition).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** Client ids of the group's members holding partitions, once the group is Stable (else undefined). */
async function stableMembers(groupId: string): Promise<string[] | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const group = (await admin.describeGroups([groupId])).groups[0];
    if (!group || group.state !== 'Stable') return undefined;
    return group.members
      .filter((m) => Object.values(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).some((ps) => ps.length > 0))
      .map((m) => m.clientId)
      .sort();
  } finally {
    await admin.disconnect();
  }
}

/** Indexes `records` with `create` under the processor's `_id`s (a duplicate is a 409, not a copy). @throws on any other item error. */
async function indexRecords(index: string, records: SourceRecord[]): Promise<void> {
  if (records.length === 0) return;
  const r = await es.bulk({ operations: records.flatMap((rec) => [{ create: { _index: index, _id: documentId(rec) } }, { message: rec.raw }]) });
  const failed = r.items.map((i) => i.create!).filter((c) => c.error && c.status !== 409);
  if (failed.length > 0) throw new Error(`bulk failed: ${JSON.stringify(failed[0]!.error)}`);
}

const lines = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag} ${i}`);
const last = (requests: GroupRequest[], api: GroupRequest['api']): GroupRequest | undefined => requests.filter((r) => r.api === api).at(-1);

describe('Kafka source: a commit in flight during a broker outage', () => {
  it('a commit cut by an outage during which the group rebalances, retried after the member rejoined, does not move the offset back', async () => {
    const ns = uniqueNamespace('kco');
    const topic = `test.${ns}`;
    const groupId = `g-${ns}`;
    const index = `test-kco-${ns}`;
    indices.push(index);
    await createTopic(topic, 2);
    const produced: Produced[] = await produce(topic, lines('first', 100)); // round robin: 50 per partition
    const cluster = await clusterId();
    const netA = new CuttableNetwork();
    const netB = new CuttableNetwork(); // never cut: records B's group requests
    const topics = new Map([[topic, 'weblogs']]);

    // Every 100 ms: the group's committed offsets; any decrease is recorded.
    const decreases: string[] = [];
    const seen = new Map<number, number>();
    let polling = false;
    poller = setInterval(() => {
      if (polling) return;
      polling = true;
      void committedOffsets(groupId, topic)
        .then((now) => {
          for (const [p, o] of now) {
            const before = seen.get(p) ?? -1;
            if (o < before) decreases.push(`partition ${p}: ${before} → ${o}`);
            seen.set(p, o);
          }
        })
        .catch(() => undefined)
        .finally(() => (polling = false));
    }, 100);

    // A reads all 100 and indexes them; the test commits them at the moment of the cut.
    const a = new KafkaSource({ kafka: client(`kco-a-${ns}`, netA.socketFactory), groupId, topics, once: false, log: quietLog });
    sources.push(a);
    const aRead: SourceRecord[] = [];
    let aCommits = false;
    await a.start(async (batch) => {
      await indexRecords(index, batch.records);
      aRead.push(...batch.records);
      if (aCommits) await a.commit(batch.records.map((r) => r.position));
    });
    await waitFor('A read the first 100 messages', async () => aRead.length >= 100, 60_000);
    const g1 = last(netA.requests, 'SyncGroup')!.generationId;

    // 1. A's commit of what Elasticsearch acknowledged is cut on the wire.
    const cut = netA.cutAtNextCommit();
    let aCommitOutcome: string | undefined;
    const aCommit = a.commit(aRead.map((r) => r.position)).then(
      () => (aCommitOutcome = 'resolved'),
      (err: Error) => (aCommitOutcome = `rejected: ${err.message}`),
    );
    const cutRequest = await cut;
    expect(cutRequest.generationId).toBe(g1);
    expect(aCommitOutcome).toBeUndefined(); // still in flight (kafkajs or the source retrying it)
    expect([...(await committedOffsets(groupId, topic)).values()]).toEqual([-1, -1]);

    // 2. During the outage B joins; once A's session expired B alone owns both partitions.
    const b = new KafkaSource({ kafka: client(`kco-b-${ns}`, netB.socketFactory), groupId, topics, once: false, log: quietLog });
    sources.push(b);
    await b.start(async (batch) => {
      await indexRecords(index, batch.records);
      await b.commit(batch.records.map((r) => r.position));
    });
    await waitFor('B alone holds the partitions', async () => (await stableMembers(groupId))?.join() === `kco-b-${ns}`, 60_000);
    produced.push(...(await produce(topic, lines('second', 60)))); // 30 more per partition
    await waitFor('B committed 80 on both partitions', async () => [...(await committedOffsets(groupId, topic)).values()].join() === '80,80', 60_000);
    const gB = last(netB.requests, 'OffsetCommit')!.generationId;
    expect(gB).toBeGreaterThan(g1);
    expect(netA.refused).toBeGreaterThan(0); // A kept trying during the outage
    expect(netA.openConnections).toBe(0);
    expect(aCommitOutcome).toBeUndefined();

    // 3. The broker is back for A; its next commit attempt is held (A's rejoin waits for that) until A
    // has rejoined, then fails.
    netA.holdCommits();
    netA.restore();
    await waitFor(
      'A rejoined: a generation after B’s, both members holding partitions',
      async () => (last(netA.requests, 'SyncGroup')?.generationId ?? 0) > gB && (await stableMembers(groupId))?.length === 2,
      60_000,
    );
    const g3 = last(netA.requests, 'SyncGroup')!.generationId;
    const held = netA.requests.filter((r) => r.fate === 'held');
    expect(held.map((r) => r.generationId)).toEqual([g1]);
    expect(aCommitOutcome).toBeUndefined();
    await new Promise((r) => setTimeout(r, 500));
    const released = netA.releaseCommits();
    expect(released).toBe(1);
    await aCommit;
    await new Promise((r) => setTimeout(r, 1_000)); // the 100 ms poll sees what the commit left
    const commitsOfA = netA.requests.filter((r) => r.api === 'OffsetCommit').map((r) => `${r.generationId}:${r.fate}`);
    quietLog.info({ g1, gB, g3, released, commitsOfA, aCommitOutcome }, 'commit outage');
    expect(aCommitOutcome).toBe('resolved'); // dropped as stale, not an error
    expect(decreases).toEqual([]);
    expect([...(await committedOffsets(groupId, topic)).values()]).toEqual([80, 80]);

    // Both members go on: everything is committed, every event is stored once.
    aCommits = true;
    produced.push(...(await produce(topic, lines('third', 20))));
    await waitFor('the group committed everything (90 per partition)', async () => [...(await committedOffsets(groupId, topic)).values()].join() === '90,90', 60_000);
    clearInterval(poller);
    expect(decreases).toEqual([]);
    expect(await idsOf(index)).toEqual(expectedIds(cluster, topic, produced));
  });
});
