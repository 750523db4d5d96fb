/** The Kafka source's commit decisions: which kafkajs errors mean "lost the partition in a rebalance", and no retry across a rejoin. */
import { describe, expect, it } from '@jest/globals';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { isRebalanceError } from '../../processor/sources/kafka-source.js';

// kafkajs builds protocol errors from the broker's error codes (Kafka protocol: 22 ILLEGAL_GENERATION,
// 27 REBALANCE_IN_PROGRESS, 25 UNKNOWN_MEMBER_ID, 3 UNKNOWN_TOPIC_OR_PARTITION).
// The constructors take kafkajs's internal shapes, which its typings do not describe.
const protocolError = (type: string, code: number): KafkaJSProtocolError =>
  new KafkaJSProtocolError({ type, code, retriable: false, message: type } as never);
// As kafkajs's retrier does when it gives up: the protocol error is the wrapper's `cause`.
const wrapped = (cause: Error): Error => new (KafkaJSNonRetriableError as never as new (e: Error, o: { cause: Error }) => Error)(cause, { cause });

describe('isRebalanceError', () => {
  it('recognises rebalance errors, bare or wrapped as kafkajs wraps them after its retries', () => {
    expect(isRebalanceError(protocolError('ILLEGAL_GENERATION', 22))).toBe(true);
    expect(isRebalanceError(protocolError('REBALANCE_IN_PROGRESS', 27))).toBe(true);
    expect(isRebalanceError(wrapped(protocolError('UNKNOWN_MEMBER_ID', 25)))).toBe(true);
  });

  it('does not swallow other failures', () => {
    expect(isRebalanceError(protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3))).toBe(false);
    expect(isRebalanceError(wrapped(new Error('connection refused')))).toBe(false);
    expect(isRebalanceError(new Error('disk full'))).toBe(false);
  });
});

/**
 * A KafkaSource whose view of kafkajs a test drives by hand: in generation 1, with a consumer that
 * disconnects at once, and `commitOnce` (eachBatch's `commitOffsetsIfNecessary`, through which commits
 * go out as single attempts) for the test to set.
 */
async function sourceDrivenByHand() {
  const { KafkaSource } = await import('../../processor/sources/kafka-source.js');
  const pino = (await import('pino')).default;
  const source = new KafkaSource({ kafka: {} as never, groupId: 'g', topics: new Map([['t', 'weblogs']]), once: false, log: pino({ level: 'silent' }) });
  const internals = source as unknown as { consumer: unknown; commitOnce: unknown; generation: number };
  internals.generation = 1;
  internals.consumer = { disconnect: async () => undefined, pause: () => undefined };
  return { source, internals };
}

describe('KafkaSource.commit across a rejoin', () => {
  it('stops retrying a commit once the member has rejoined meanwhile (the retry would carry the new generation)', async () => {
    const { source, internals } = await sourceDrivenByHand();
    // The source's view of kafkajs, driven by hand: a broker outage outlasts the session, so the member
    // rejoins (GROUP_JOIN: the generation moves on) while the first commit attempt fails.
    const attempts: unknown[] = [];
    internals.commitOnce = async (request: unknown) => {
      attempts.push(request);
      internals.generation += 1;
      throw new KafkaJSConnectionError('Connection error: ECONNREFUSED');
    };
    await source.commit([{ kind: 'kafka', topic: 't', partition: 0, offset: '41' }]);
    expect(attempts).toEqual([{ topics: [{ topic: 't', partitions: [{ partition: 0, offset: '42' }] }] }]);
  });
});

describe('KafkaSource.commit after close', () => {
  it('a commit still retrying while the broker is away gives up once the source is closed (no reconnect, no endless retry)', async () => {
    const { source, internals } = await sourceDrivenByHand();
    let attempts = 0;
    let firstFailed!: () => void;
    const failed = new Promise<void>((r) => (firstFailed = r));
    internals.commitOnce = async () => {
      attempts++;
      firstFailed();
      throw new KafkaJSConnectionError('Connection error: ECONNREFUSED');
    };
    const commit = source.commit([{ kind: 'kafka', topic: 't', partition: 0, offset: '41' }]);
    await failed; // the first attempt failed; the next one waits for p-retry's timer (≥ 500 ms)
    await source.close();
    await commit; // resolves: abandoned, not thrown, not retried forever
    expect(attempts).toBe(1);
  });
});
