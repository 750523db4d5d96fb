/**
 * Units of the replay tool and the Kafka writer that need no broker: reading and shifting event
 * timestamps (nothing else in the line changes), dataset detection and keys, the latency histogram,
 * and the KafkaWriter's pipelining contract (one send in flight, order, acknowledgement marks,
 * back-pressure, delivery timeout) against a scripted stand-in for `producer.send`. Delivery through a
 * real broker is covered by test/integration/replay.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { detectDataset, newsKey, tickKey, weblogKey } from '../../generators/kafka/datasets.js';
import { LatencyHistogram } from '../../generators/kafka/latency.js';
import { KafkaDeliveryTimeoutError, KafkaWriter, type KafkaAck } from '../../generators/kafka/writer.js';
import type { Producer, ProducerRecord } from 'kafkajs';
import { eventTimeOf, parseIsoTimestamp, shiftTimestamp } from '../../scripts/replay/timestamps.js';

const CLF = '83.149.9.216 - - [17/May/2015:10:05:03 +0200] "GET /a?x=[1] HTTP/1.1" 200 203023 "http://x/[17/May/2015:10:05:03 +0000]" "Mozilla/5.0"';

describe('combined-log timestamps', () => {
  it('reads %t with its zone offset', () => {
    expect(eventTimeOf('weblogs', CLF)).toBe(Date.parse('2015-05-17T08:05:03Z'));
    expect(eventTimeOf('weblogs', '1.2.3.4 - - [31/Feb/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"')).toBeNull();
    expect(eventTimeOf('weblogs', 'garbage')).toBeNull();
  });

  it('shifts only the first stamp and keeps the zone offset', () => {
    const shifted = shiftTimestamp('weblogs', CLF, 86_400_000 * 365 + 3_600_000 * 15 + 1000) as string;
    expect(shifted).toBe(CLF.replace('[17/May/2015:10:05:03 +0200]', '[17/May/2016:01:05:04 +0200]')); // 2016 is a leap year
    expect(eventTimeOf('weblogs', shifted)).toBe(Date.parse('2015-05-17T08:05:03Z') + 86_400_000 * 365 + 3_600_000 * 15 + 1000);
    const west = '::1 - bob [01/Jan/2020:00:00:00 -0530] "GET / HTTP/1.1" 200 1 "-" "-"';
    expect(shiftTimestamp('weblogs', west, -1000)).toBe(west.replace('01/Jan/2020:00:00:00 -0530', '31/Dec/2019:23:59:59 -0530'));
  });
});

describe('ISO-8601 @timestamp', () => {
  const line = '{"@timestamp":"2010-01-11T01:30:00.000Z","symbol":"HSI","open":1.5,"note":"@timestamp"}';

  it('reads Z, offsets, and any number of fraction digits', () => {
    expect(eventTimeOf('ticks', line)).toBe(Date.parse('2010-01-11T01:30:00.000Z'));
    expect(parseIsoTimestamp('2024-03-10T09:30:00+08:00')?.ms).toBe(Date.parse('2024-03-10T01:30:00Z'));
    expect(parseIsoTimestamp('2024-03-10T09:30:00.123456-0500')?.ms).toBe(Date.parse('2024-03-10T14:30:00.123Z'));
    expect(parseIsoTimestamp('2024-03-10T09:30:00')).toBeNull(); // no zone: ambiguous
    expect(eventTimeOf('news', '{"headline":"x"}')).toBeNull();
  });

  it('rewrites the value only, keeping zone, precision and everything else', () => {
    expect(shiftTimestamp('ticks', line, 1234)).toBe(line.replace('2010-01-11T01:30:00.000Z', '2010-01-11T01:30:01.234Z'));
    const spaced = '{ "id": 1, "@timestamp" : "2024-03-10T09:30:00+08:00", "x": "y" }';
    expect(shiftTimestamp('news', spaced, 60_000)).toBe(spaced.replace('09:30:00+08:00', '09:31:00+08:00'));
    // Sub-millisecond digits are kept; a shift finer than the stamp's precision adds digits (gap stays exact).
    expect(shiftTimestamp('news', '{"@timestamp":"2024-03-10T09:30:00.123456Z"}', 1)).toBe('{"@timestamp":"2024-03-10T09:30:00.124456Z"}');
    expect(shiftTimestamp('news', '{"@timestamp":"2024-03-10T09:30:00Z"}', 5)).toBe('{"@timestamp":"2024-03-10T09:30:00.005Z"}');
    expect(shiftTimestamp('news', '{"@timestamp":"2024-03-10T09:30:00.5Z"}', 500)).toBe('{"@timestamp":"2024-03-10T09:30:01.0Z"}');
  });
});

describe('datasets and keys', () => {
  it('detects the dataset from a line', () => {
    expect(detectDataset(CLF)).toBe('weblogs');
    expect(detectDataset('{"@timestamp":"x","symbol":"AAPL","open":1,"high":1,"low":1,"close":1,"volume":0}')).toBe('ticks');
    expect(detectDataset('{"@timestamp":"x","id":"n","headline":"h","source":"s","tickers":[]}')).toBe('news');
    expect(detectDataset('hello')).toBeNull();
  });

  it('extracts client IP, first ticker (else id), symbol', () => {
    expect(weblogKey(CLF)).toBe('83.149.9.216');
    expect(newsKey('{"id":"n-1","tickers":["MSFT","AAPL"]}')).toBe('MSFT');
    expect(newsKey('{"id":"n-1","tickers":[]}')).toBe('n-1');
    expect(newsKey('{broken')).toBeNull();
    expect(tickKey('{"symbol":"HSI"}')).toBe('HSI');
  });
});

describe('latency histogram', () => {
  it('gives percentiles within 2 %', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(Math.abs(s.p50 - 500) / 500).toBeLessThan(0.02);
    expect(Math.abs(s.p99 - 990) / 990).toBeLessThan(0.02);
    expect(s.max).toBe(1000);
  });
});

describe('KafkaWriter pipelining', () => {
  /** A stand-in whose send() resolves when the test says so. */
  function scriptedProducer() {
    const calls: Array<{ record: ProducerRecord; resolve: () => void }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const producer = {
      send: (record: ProducerRecord) =>
        new Promise<[]>((resolve) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          calls.push({ record, resolve: () => (inFlight--, resolve([])) });
        }),
      disconnect: async () => undefined,
    } as unknown as Producer;
    return { producer, calls, maxInFlight: () => maxInFlight };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('keeps one send in flight, coalesces queued writes in order, and reports marks after the ack', async () => {
    const p = scriptedProducer();
    const acks: KafkaAck[] = [];
    const w = new KafkaWriter({ producer: p.producer, topic: 't', key: (l) => l[0] ?? null, onAck: (a) => acks.push(a), maxBatchMessages: 3 });
    await w.write(['a1'], 1);
    await w.write(['b1', 'a2'], 2);
    await w.write(['c1', 'c2', 'c3', 'c4'], 3);
    await tick();
    expect(p.calls).toHaveLength(1); // a1 in flight, the rest queued
    p.calls[0]?.resolve();
    await tick();
    expect(p.calls).toHaveLength(2);
    expect(p.calls[1]?.record.messages.map((m) => m.value)).toEqual(['b1', 'a2', 'c1']);
    expect(acks.map((a) => a.mark)).toEqual([1]);
    p.calls[1]?.resolve();
    await tick();
    expect(acks.map((a) => a.mark)).toEqual([1, 2]); // group 3 is not complete yet
    p.calls[2]?.resolve();
    await tick();
    expect(p.calls[2]?.record.messages.map((m) => [m.key, m.value])).toEqual([['c', 'c2'], ['c', 'c3'], ['c', 'c4']]);
    await w.close();
    expect(acks.map((a) => a.mark)).toEqual([1, 2, 3]);
    expect(p.maxInFlight()).toBe(1);
    expect(w.stats).toMatchObject({ acked: 7, batches: 3 });
    expect(p.calls.every((c) => c.record.acks === -1)).toBe(true);
  });

  it('applies back-pressure beyond maxQueuedMessages', async () => {
    const p = scriptedProducer();
    const w = new KafkaWriter({ producer: p.producer, topic: 't', maxQueuedMessages: 2, maxBatchMessages: 1 });
    await w.write(['x']); // in flight
    let resolved = false;
    const pending = w.write(['y', 'z', 'w']).then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(false);
    expect(w.pending).toBe(3);
    p.calls[0]?.resolve(); // 'y' leaves: 2 queued, at the limit
    await pending;
    expect(resolved).toBe(true);
    expect(w.pending).toBe(2);
  });

  it('fails every later call when a batch is not acknowledged in time', async () => {
    const p = scriptedProducer();
    const w = new KafkaWriter({ producer: p.producer, topic: 't', deliveryTimeoutMs: 50 });
    await w.write(['x']);
    await expect(w.flush()).rejects.toBeInstanceOf(KafkaDeliveryTimeoutError);
    await expect(w.write(['y'])).rejects.toBeInstanceOf(KafkaDeliveryTimeoutError);
    await expect(w.close()).rejects.toBeInstanceOf(KafkaDeliveryTimeoutError);
  });
});
