/** Which kafkajs commit errors the Kafka source treats as "lost the partition in a rebalance". */
import { describe, expect, it } from '@jest/globals';
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
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
