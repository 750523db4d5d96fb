/** The fix for kafkajs 2.2.4's idle timer loop (processor/kafka/request-queue-fix.ts), on kafkajs's own class. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { requestQueueFixApplied } from '../../processor/kafka/request-queue-fix.js';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  destroy(): void;
}
const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (o: object) => Queue;
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queues: Queue[] = [];
const queue = (): Queue => {
  const q = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 't', broker: 'b', logger });
  queues.push(q);
  return q;
};
afterEach(() => queues.splice(0).forEach((q) => q.destroy()));

describe('kafkajs RequestQueue idle loop fix', () => {
  it('is installed on the kafkajs version in use', () => {
    expect(requestQueueFixApplied).toBe(true);
  });

  it('arms no timer when nothing is pending and nothing is throttled (2.2.4 re-armed a 1 ms timer forever)', () => {
    const q = queue();
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.checkPendingRequests(); // what every response and every timer tick ends with
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules a check while a request waits or a throttle is in force', () => {
    const waiting = queue();
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    expect(waiting.throttleCheckTimeoutId).not.toBeNull();

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
  });
});
