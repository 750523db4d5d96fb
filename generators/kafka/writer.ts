/**
 * {@link KafkaWriter}: a {@link LineWriter} that publishes each line as one Kafka message, so
 * `runGenerator` (and the replay tool) can write to Kafka exactly as they write to files.
 *
 * Batching and pipelining: `write()` only queues the lines (with their keys) and returns at once
 * while fewer than `maxQueuedMessages` are waiting; a single sender loop takes everything queued —
 * up to `maxBatchMessages` messages / `maxBatchBytes` bytes — into one `producer.send()` and, when
 * the broker acknowledged it (acks = all), the next. So the generator keeps producing while a batch
 * is on the wire, small writes coalesce into larger requests under load, and a paced trickle goes
 * out one message per request with no added linger. Exactly one `send()` is in flight at any time,
 * which the idempotent producer needs (see {@link module:generators/kafka/producer}) and which keeps
 * the order of lines within each partition equal to the order of `write()` calls.
 *
 * Acknowledgements: after each acknowledged batch `onAck` receives its size, its send latency
 * (request → acknowledgement, ms) and the `mark` of the last `write()` call the batch completed
 * (the replay tool passes the byte offset after the last line, to checkpoint its position).
 *
 * Errors: a batch that kafkajs cannot deliver (after its own retries), or that is not acknowledged
 * within `deliveryTimeoutMs`, fails the writer: that `write()`/`flush()`/`close()` and every later
 * call reject with the error; lines queued behind it are not sent.
 *
 * @module generators/kafka/writer
 */
import { performance } from 'node:perf_hooks';
import type { Message, Producer } from 'kafkajs';
import type { LineWriter } from '../common/writers.js';
import { LatencyHistogram } from './latency.js';
import { SEND_ACKS } from './producer.js';

/** One acknowledged batch, as passed to {@link KafkaWriterOptions.onAck}. */
export interface KafkaAck {
  /** Messages in the batch. */
  messages: number;
  /** Bytes of message values in the batch (UTF-8, without keys). */
  bytes: number;
  /** `mark` of the last `write()` call completed by this batch, or undefined if none had one. */
  mark: unknown;
  /** Wall-clock time the batch was handed to `producer.send`, epoch ms. */
  sentAtMs: number;
  /** `producer.send` call → acknowledgement, ms. */
  latencyMs: number;
}

/** Options of {@link KafkaWriter}. */
export interface KafkaWriterOptions {
  /** A connected producer, normally from `connectIdempotentProducer`. */
  producer: Producer;
  topic: string;
  /** Message key of a line (null = no key); default: no keys. */
  key?: (line: string) => string | null;
  /** Most messages per `send()` (default 1,000). */
  maxBatchMessages?: number;
  /** Most value bytes per `send()` (default 512 KiB; a single larger line still goes alone). Brokers refuse record batches over `message.max.bytes`, 1 MiB by default. */
  maxBatchBytes?: number;
  /** `write()` waits while more than this many messages are queued and not yet sent (default 20,000). */
  maxQueuedMessages?: number;
  /** A batch not acknowledged within this many ms fails the writer (default 120,000, as the Java client's `delivery.timeout.ms`). */
  deliveryTimeoutMs?: number;
  /** Called after each acknowledged batch, in order. Exceptions thrown by it fail the writer. */
  onAck?: (ack: KafkaAck) => void;
  /** `close()` disconnects the producer (default true). */
  disconnectOnClose?: boolean;
}

/** Counters of a {@link KafkaWriter}. */
export interface KafkaWriterStats {
  /** Messages acknowledged by the broker. */
  acked: number;
  /** Acknowledged `send()` calls. */
  batches: number;
  /** Value bytes acknowledged. */
  bytes: number;
  /** Per acknowledged batch: `send()` → acknowledgement, ms. */
  batchLatency: LatencyHistogram;
  /** Per message: `write()` call → acknowledgement of its batch, ms (includes time queued). */
  messageLatency: LatencyHistogram;
}

interface Group {
  messages: Message[];
  bytes: number[];
  next: number;
  enqueuedAt: number;
  mark: unknown;
  hasMark: boolean;
}

/** Raised when a batch is not acknowledged within `deliveryTimeoutMs`. */
export class KafkaDeliveryTimeoutError extends Error {
  constructor(topic: string, messages: number, ms: number) {
    super(`Kafka did not acknowledge a batch of ${messages} message(s) to topic "${topic}" within ${ms} ms (is the broker up?)`);
    this.name = 'KafkaDeliveryTimeoutError';
  }
}

/** See the module documentation. */
export class KafkaWriter implements LineWriter {
  readonly files = 0;
  readonly topic: string;
  readonly stats: KafkaWriterStats = {
    acked: 0,
    batches: 0,
    bytes: 0,
    batchLatency: new LatencyHistogram(),
    messageLatency: new LatencyHistogram(),
  };
  private readonly producer: Producer;
  private readonly keyOf: ((line: string) => string | null) | undefined;
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  private readonly maxQueued: number;
  private readonly deliveryTimeoutMs: number;
  private readonly onAck: ((ack: KafkaAck) => void) | undefined;
  private readonly disconnectOnClose: boolean;
  private groups: Group[] = [];
  private head = 0;
  private queued = 0;
  private sending = false;
  private failure: Error | null = null;
  private closed = false;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void; until: () => boolean }> = [];

  /** @throws {RangeError} for non-positive batch, queue or timeout limits. */
  constructor(options: KafkaWriterOptions) {
    this.producer = options.producer;
    this.topic = options.topic;
    this.keyOf = options.key;
    this.maxBatchMessages = options.maxBatchMessages ?? 1_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
    this.maxQueued = options.maxQueuedMessages ?? 20_000;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.onAck = options.onAck;
    this.disconnectOnClose = options.disconnectOnClose ?? true;
    for (const [name, v] of [
      ['maxBatchMessages', this.maxBatchMessages],
      ['maxBatchBytes', this.maxBatchBytes],
      ['maxQueuedMessages', this.maxQueued],
      ['deliveryTimeoutMs', this.deliveryTimeoutMs],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
  }

  /** Messages queued and not yet handed to `producer.send`. */
  get pending(): number {
    return this.queued;
  }

  /**
   * Queues `lines` as messages (key from the `key` option) and starts sending; resolves when the
   * queue is below `maxQueuedMessages` (not when the lines are acknowledged: use {@link flush}).
   *
   * @param mark reported in {@link KafkaAck.mark} once the batch holding the last of these lines
   *   is acknowledged (e.g. a file offset).
   * @throws the writer's failure (see the module documentation); an Error after `close()`.
   */
  async write(lines: readonly string[], mark?: unknown): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error(`KafkaWriter(${this.topic}) is closed`);
    if (lines.length === 0 && mark === undefined) return;
    const messages: Message[] = new Array<Message>(lines.length);
    const bytes: number[] = new Array<number>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const value = lines[i] as string;
      messages[i] = { key: this.keyOf ? this.keyOf(value) : null, value };
      bytes[i] = Buffer.byteLength(value, 'utf8');
    }
    this.groups.push({ messages, bytes, next: 0, enqueuedAt: performance.now(), mark, hasMark: mark !== undefined });
    this.queued += lines.length;
    this.pump();
    if (this.queued > this.maxQueued) await this.waitUntil(() => this.queued <= this.maxQueued);
  }

  /**
   * Resolves once every queued line is acknowledged.
   * @throws the writer's failure.
   */
  async flush(): Promise<void> {
    this.pump();
    await this.waitUntil(() => this.queued === 0 && !this.sending && this.head >= this.groups.length);
  }

  /**
   * Flushes, then disconnects the producer (unless `disconnectOnClose` is false). Idempotent.
   * @throws the writer's failure (the producer is disconnected anyway).
   */
  async close(): Promise<void> {
    if (this.closed) {
      if (this.failure) throw this.failure;
      return;
    }
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.disconnectOnClose) await disconnectWithin(this.producer, 10_000);
    }
  }

  private waitUntil(cond: () => boolean): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject, until: cond }));
  }

  private wake(): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.failure) w.reject(this.failure);
      else if (w.until()) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private fail(err: Error): void {
    if (!this.failure) this.failure = err;
    this.wake();
  }

  /** Starts the next batch unless one is in flight. */
  private pump(): void {
    if (this.sending || this.failure || this.head >= this.groups.length) return;
    const messages: Message[] = [];
    let bytes = 0;
    // Groups (or their parts) included in this batch: [group, count].
    const parts: Array<[Group, number]> = [];
    while (this.head < this.groups.length && messages.length < this.maxBatchMessages) {
      const g = this.groups[this.head] as Group;
      let n = 0;
      while (g.next < g.messages.length && messages.length < this.maxBatchMessages) {
        const b = g.bytes[g.next] as number;
        if (messages.length > 0 && bytes + b > this.maxBatchBytes) break;
        messages.push(g.messages[g.next] as Message);
        bytes += b;
        g.next++;
        n++;
      }
      parts.push([g, n]);
      if (g.next < g.messages.length) break; // batch full
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.groups.length) {
      this.groups = this.groups.slice(this.head);
      this.head = 0;
    }
    this.queued -= messages.length;
    this.sending = true;
    void this.send(messages, bytes, parts);
  }

  private async send(messages: Message[], bytes: number, parts: Array<[Group, number]>): Promise<void> {
    const sentAtMs = Date.now();
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      if (messages.length > 0) {
        await Promise.race([
          this.producer.send({ topic: this.topic, messages, acks: SEND_ACKS }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new KafkaDeliveryTimeoutError(this.topic, messages.length, this.deliveryTimeoutMs)), this.deliveryTimeoutMs);
            // The watchdog of a send must not by itself keep a process alive that has nothing else to do.
            timer.unref();
          }),
        ]);
      }
      const t1 = performance.now();
      let mark: unknown;
      for (const [g, n] of parts) {
        if (n > 0) this.stats.messageLatency.record(t1 - g.enqueuedAt, n);
        if (g.next >= g.messages.length && g.hasMark) mark = g.mark;
      }
      if (messages.length > 0) {
        this.stats.acked += messages.length;
        this.stats.batches++;
        this.stats.bytes += bytes;
        this.stats.batchLatency.record(t1 - t0);
      }
      this.onAck?.({ messages: messages.length, bytes, mark, sentAtMs, latencyMs: t1 - t0 });
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return;
    } finally {
      clearTimeout(timer);
      this.sending = false;
    }
    this.pump();
    this.wake();
  }
}

/** `producer.disconnect()`, giving up after `ms` (a failed writer may leave a request hanging). */
async function disconnectWithin(producer: Producer, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([producer.disconnect(), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } catch {
    // Disconnect errors after a completed or failed flush change nothing for the caller.
  } finally {
    clearTimeout(timer);
  }
}
