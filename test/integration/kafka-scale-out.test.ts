/**
 * Scale-out on the real broker and Elasticsearch: two processors share a 6-partition topic; one is
 * SIGKILLed mid-stream and a third joins while events are still being produced. Every event ends up
 * as exactly one document (the `_id` set equals the ids computed from where the broker put each
 * message, and each message is stored once), and every read is accounted for from the survivors'
 * summaries: a record read again is one the killed member had fetched but not committed (a 409
 * `duplicate`, never a second document), bounded by what a member holds in flight.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { countDocs, es, esUrl, realAccessLog, tempDir, uniqueNamespace, waitFor } from '../support/stack.js';
import { brokers, committedTotal, createTopic, expectExactly, groupMembersWithAssignment, kafka, produce } from '../support/kafka.js';
import { spawnTsx, type Child } from '../support/processes.js';

const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter((l) => l !== '');
const clientIp = (l: string): string => l.slice(0, l.indexOf(' '));
const children: Child[] = [];

afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await es.close();
});

interface Summary {
  lines: number;
  indexed: number;
  duplicates: number;
  rejected: number;
}

describe('Kafka scale-out', () => {
  it('a member SIGKILLed and another joining mid-stream: every event exactly once, every re-read accounted for', async () => {
    const namespace = uniqueNamespace('kso');
    const topic = `test.${namespace}`;
    const groupId = `g-${namespace}`;
    const index = `logs-weblogs.access-${namespace}`;
    await createTopic(topic, 6);
    const batchSize = 500;
    const member = (name: string): Child => {
      const c = spawnTsx('processor/cli.ts', [
        '--kafka', '--brokers', brokers.join(','), '--group-id', groupId, '--topics', `${topic}=weblogs`,
        '--es-url', esUrl, '--namespace', namespace, '--data-dir', tempDir(`kso-${name}`), '--batch-size', String(batchSize),
        '--batch-interval-ms', '200', '--no-metrics', '--no-windows', '--keep-original',
      ]);
      children.push(c);
      return c;
    };
    const total = 9000;
    const a = member('a');
    const b = member('b');
    await waitFor('A and B holding partitions', async () => (await groupMembersWithAssignment(groupId)) === 2, 120_000);
    // One stream over ~20 s: A is killed in it, C joins in it.
    const producing = produce(topic, lines.slice(0, total), { keyOf: clientIp, chunk: 100, pauseMs: 200 });
    await waitFor('a first part indexed', async () => (await countDocs(index)) >= 1500, 120_000);
    a.proc.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    const producedAtKill = await countProducedSoFar(topic);
    const atKill = await countDocs(index);
    const committedAtKill = await committedTotal(groupId, topic);
    const c = member('c');
    await waitFor('B and C holding partitions', async () => (await groupMembersWithAssignment(groupId)) === 2, 120_000);
    const producedAtJoin = await countProducedSoFar(topic);
    const produced = await producing;
    expect(produced).toHaveLength(total);
    await waitFor(`all ${total} documents`, async () => (await countDocs(index)) >= total, 180_000);
    await waitFor('the group to commit everything', async () => (await committedTotal(groupId, topic)) === total, 60_000);
    b.proc.kill('SIGTERM');
    c.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(await c.exited).toBe(0);
    const summaryOf = (m: Child): Summary => JSON.parse(m.stdout().trim().split('\n').pop()!) as Summary;
    const sb = summaryOf(b);
    const sc = summaryOf(c);
    const aIndexed = total - sb.indexed - sc.indexed;
    process.stderr.write(
      `kafka scale-out: at the kill ${producedAtKill} produced, ${atKill} documents, group committed ${committedAtKill}; C joined with ${producedAtJoin} of ${total} produced; ` +
        `A indexed ${aIndexed}, B ${JSON.stringify(sb)}, C ${JSON.stringify(sc)}\n`,
    );
    // The conditions the name promises: A died with work done while the stream went on, and C joined before it ended.
    expect(atKill).toBeGreaterThan(0);
    expect(producedAtKill).toBeLessThan(total);
    expect(aIndexed).toBeGreaterThan(0);
    expect(producedAtJoin).toBeLessThan(total);
    expect(sc.indexed).toBeGreaterThan(0);
    // Every read accounted for: each survivor's reads are its new documents plus its duplicates.
    expect(sb.lines).toBe(sb.indexed + sb.duplicates + sb.rejected);
    expect(sc.lines).toBe(sc.indexed + sc.duplicates + sc.rejected);
    expect(sb.rejected + sc.rejected).toBe(0);
    // Re-reads come from batches fetched but not committed when their partition changed hands: A's at the
    // kill and B's at the rebalances; each member holds at most 4 batches (processor/pipeline/pipeline.ts).
    expect(sb.duplicates + sc.duplicates).toBeLessThanOrEqual(2 * 4 * batchSize);
    expect(await countDocs(index)).toBe(total);
    await expectExactly(index, topic, produced);
  }, 420_000);
});

/** Messages on `topic` so far (sum of the partitions' end offsets; the topic is new). */
async function countProducedSoFar(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
