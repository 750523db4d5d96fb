/**
 * Stops kafkajs 2.2.4's idle timer loop (tulios/kafkajs#1556, #1704; fix proposed in #1667 and #1768,
 * never released: the project is unmaintained since 2023).
 *
 * Every broker connection's `RequestQueue.scheduleCheckPendingRequests` re-arms a `setTimeout` after
 * each check even when no request is pending and nothing is throttled; the delay is then negative,
 * i.e. 1 ms. So each connection of every consumer, producer and admin client wakes the event loop
 * about 1,000 times a second for nothing, for its whole life (measured in the processor's CPU
 * profile as kafkajs timers: `listOnTimeout` → `checkPendingRequests` → `scheduleCheckPendingRequests`).
 *
 * The fix keeps the library's rule where there is something to do (requests pending: check again at
 * the end of the throttle, or in 10 ms; a throttle in force: check when it ends) and schedules nothing
 * when the queue is empty and unthrottled: the next `push` of a request that cannot be sent at once
 * schedules the check itself, so no request can be stranded (the case #1532 fixed stays fixed).
 *
 * Applied once, at import, to kafkajs's own `RequestQueue` class (same CommonJS module instance as the
 * library uses). Other kafkajs versions are left alone (the fix is checked against 2.2.x's source).
 */
import { createRequire } from 'node:module';

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

const require = createRequire(import.meta.url);

/** True once the fix is installed on this process's kafkajs. */
export const requestQueueFixApplied: boolean = (() => {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (!/^2\.2\./.test(version)) return false;
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueLike & { __rtasFixed?: boolean } };
  const proto = RequestQueue.prototype;
  if (proto.__rtasFixed) return true;
  const original = proto.scheduleCheckPendingRequests;
  if (typeof original !== 'function') return false;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueLike): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  proto.__rtasFixed = true;
  return true;
})();
