import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createEnrichContext } from '../../processor/processor.js';
import { bulkCeiling, ensureCompiledProcessor, repeatLines, runProcessorOnce, startLiveProcessor, visibilityLatencies, weblogRecords } from './common.js';
import { fmt, peakRssMiB, percentile, timed } from './stats.js';

/** Options of the Kafka benchmark; counts in events, rates in events/s. */
export interface KafkaBenchOptions {
  esUrl: string;
  brokers: string[];
  /** Access log whose lines are the events (the weblogs dataset). */
  sample: string;
  events: number;
  partitions: number;
  batchSize: number;
  latencyRate: number;
  latencySeconds: number;
  log: (line: string) => void;
}

/** The figures one run measured. */
export interface KafkaBenchResult {
  produceEventsPerSec: number;
  readOnlyEventsPerSec: number;
  endToEndPerSec: number;
  bulkCeilingPerSec: number;
  ratioToBulkCeiling: number;
  ratioToReadOnly: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  processorPeakRssMiB: number;
}

/**
 * Measures, in one run on the same broker and Elasticsearch: (1) Kafka → Elasticsearch events/s
 * through the processor (`--kafka --once`, its own process, windows off); (2) a consumer that only
 * reads the same topic (the broker's delivery ceiling to kafkajs); (3) the raw `_bulk` ceiling with the
 * same documents pre-serialised; (4) produce → searchable latency p50/p99 for a live processor;
 * (5) the processor's peak RSS. Topics are new per run (`bench.<run>.*`).
 * @throws when the broker or Elasticsearch is unreachable.
 */
export async function benchKafka(o: KafkaBenchOptions): Promise<KafkaBenchResult> {
  const run = Date.now().toString(36);
  const kafka = new Kafka({ clientId: 'rtas-bench', brokers: o.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.${run}.weblogs`;
  const latTopic = `bench.${run}.latency`;
  await admin.createTopics({ topics: [topic, latTopic].map((t) => ({ topic: t, numPartitions: o.partitions })), waitForLeaders: true });
  await admin.disconnect();
  const lines = repeatLines(o.sample, o.events);
  const key = (l: string): string => l.slice(0, l.indexOf(' '));

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const produced = await timed(async () => {
    for (let i = 0; i < lines.length; i += 2000) {
      await producer.send({ topic, acks: -1, messages: lines.slice(i, i + 2000).map((value) => ({ key: key(value), value })) });
    }
  });
  const produceEventsPerSec = lines.length / produced.seconds;
  o.log(`produce (idempotent, acks=all): ${fmt(produceEventsPerSec)} events/s`);

  // The delivery ceiling: a consumer group that only counts what it receives.
  const reader = kafka.consumer({ groupId: `bench-${run}-read`, maxBytesPerPartition: 2 * 1024 * 1024 });
  await reader.connect();
  await reader.subscribe({ topics: [topic], fromBeginning: true });
  let read = 0;
  let readStart = 0;
  const readOnly = await new Promise<number>((resolve) => {
    void reader.run({
      eachBatch: async ({ batch }) => {
        if (read === 0) readStart = performance.now();
        read += batch.messages.length;
        if (read >= lines.length) resolve((performance.now() - readStart) / 1000);
      },
    });
  });
  await reader.disconnect();
  const readOnlyEventsPerSec = lines.length / readOnly;
  o.log(`read-only consumer (delivery ceiling): ${fmt(readOnlyEventsPerSec)} events/s`);

  await ensureCompiledProcessor();
  const e2e = await runProcessorOnce([
    '--kafka', '--once', '--brokers', o.brokers.join(','), '--group-id', `bench-${run}-proc`, '--topics', `${topic}=weblogs`,
    '--es-url', o.esUrl, '--namespace', `bench${run}k`, '--data-dir', `/tmp/rtas-bench-${run}`, '--batch-size', String(o.batchSize),
    '--no-metrics', '--no-windows',
  ]);
  // The summary's seconds include the group join and the final lag check (~1–4 s): a conservative rate.
  const endToEndPerSec = e2e.indexed / e2e.seconds;
  o.log(`Kafka → Elasticsearch: ${fmt(endToEndPerSec)} events/s (${fmt(e2e.indexed)} in ${fmt(e2e.seconds, 2)} s, group join included); processor peak RSS ${fmt(e2e.peakRssMiB)} MiB ` +
    `(heap used ≤ ${e2e.memoryMiB.heapUsed}, heap total ≤ ${e2e.memoryMiB.heapTotal}, external ≤ ${e2e.memoryMiB.external}, GeoIP ${e2e.memoryMiB.geoip})`);

  const ctx = await createEnrichContext();
  const bulkCeilingPerSec = await bulkCeiling(o.esUrl, weblogRecords(lines), ctx, `bench${run}c`, o.batchSize);
  o.log(
    `raw _bulk ceiling: ${fmt(bulkCeilingPerSec)} docs/s; Kafka → Elasticsearch reaches ${fmt((endToEndPerSec / bulkCeilingPerSec) * 100, 1)}% ` +
      `of it and ${fmt((endToEndPerSec / readOnlyEventsPerSec) * 100, 1)}% of the read-only consumer`,
  );

  // Latency: a live processor on its own topic; events produced at a steady rate.
  const latNs = `bench${run}l`;
  const live = await startLiveProcessor([
    '--kafka', '--brokers', o.brokers.join(','), '--group-id', `bench-${run}-lat`, '--topics', `${latTopic}=weblogs`,
    '--es-url', o.esUrl, '--namespace', latNs, '--data-dir', `/tmp/rtas-bench-${run}-lat`, '--no-metrics', '--no-windows',
  ]);
  await new Promise((r) => setTimeout(r, 3000)); // let the consumer join before timing starts
  const latencies = await visibilityLatencies({
    esUrl: o.esUrl,
    index: `logs-weblogs.access-${latNs}`,
    total: o.latencyRate * o.latencySeconds,
    rate: o.latencyRate,
    send: async (from, n) => {
      await producer.send({ topic: latTopic, acks: -1, messages: lines.slice(from, from + n).map((value) => ({ key: key(value), value })) });
    },
    timeoutMs: (o.latencySeconds + 30) * 1000,
  });
  await live.stop();
  await producer.disconnect();
  const latencyP50Ms = percentile(latencies, 50);
  const latencyP99Ms = percentile(latencies, 99);
  o.log(`produce → searchable at ${fmt(o.latencyRate)} events/s: p50 ${fmt(latencyP50Ms)} ms, p99 ${fmt(latencyP99Ms)} ms (${fmt(latencies.length)} events)`);
  o.log(`peak RSS: processor ${fmt(e2e.peakRssMiB)} MiB; benchmark process ${fmt(peakRssMiB())} MiB`);
  return {
    produceEventsPerSec,
    readOnlyEventsPerSec,
    endToEndPerSec,
    bulkCeilingPerSec,
    ratioToBulkCeiling: endToEndPerSec / bulkCeilingPerSec,
    ratioToReadOnly: endToEndPerSec / readOnlyEventsPerSec,
    latencyP50Ms,
    latencyP99Ms,
    processorPeakRssMiB: e2e.peakRssMiB,
  };
}
