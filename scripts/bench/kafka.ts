import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createEnrichContext, peakRssMiB } from '../../processor/processor.js';
import { ceilingStep, type CeilingRun, describeInput, mirroredBest, repeatLines, warmUpElasticsearch, startLiveProcessor, timeProcessorToCount, visibilityLatencies, weblogRecords, type MeasuredRun, type Timeline } from './common.js';
import { installFilebeatTemplate, runFilebeat, startRootShim, type FilebeatRun } from './filebeat.js';
import { fmt, percentile, timed, usPerDoc } from './stats.js';

/** Options of the Kafka benchmark; counts in events, rates in events/s. */
export interface KafkaBenchOptions {
  esUrl: string;
  brokers: string[];
  /** Access log whose lines are the events (the weblogs dataset). */
  sample: string;
  /** Event time of the input (see `repeatLines`); undefined keeps the sample's own times. */
  timeline?: Timeline;
  events: number;
  partitions: number;
  batchSize: number;
  latencyRate: number;
  latencySeconds: number;
  /** Times each timed run (Kafka path, file path, ceiling, peer) is repeated, in mirrored order; the fastest counts. */
  rounds: number;
  /** A Filebeat binary: its `kafka` input on the same topic, timed alike, as the peer (`--peer filebeat`). */
  filebeatBin?: string;
  log: (line: string) => void;
}

/** The figures one run measured. */
export interface KafkaBenchResult {
  produceEventsPerSec: number;
  readOnlyEventsPerSec: number;
  /** Kafka → Elasticsearch, launch → `_count` reached every event. */
  endToEndPerSec: number;
  /** The same events from a file (`--watch`), timed the same way, in the same run. */
  fileEndToEndPerSec: number;
  /** Processor CPU (user + system, all threads) per event, µs: Kafka path and file path. */
  kafkaCpuUsPerEvent: number;
  fileCpuUsPerEvent: number;
  bulkCeilingPerSec: number;
  ratioToBulkCeiling: number;
  ratioToReadOnly: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  processorPeakRssMiB: number;
  /** Filebeat's `kafka` input on the same topic (with `--peer filebeat`): events/s, and ours ÷ its. */
  peer?: { eventsPerSec: number; ratio: number; cpuUsPerEvent: number; esCpuUsPerEvent: number; peakRssMiB: number };
}

/**
 * Measures, in one run on the same broker and Elasticsearch: (1) a consumer that only reads the topic
 * (the broker's delivery ceiling to kafkajs); (2) Kafka → Elasticsearch events/s through the processor
 * (`--kafka --once`, its own process, windows off), timed like the file path and the peer in the
 * weblogs benchmark (launch → `_count` reaches every event), with its CPU µs per event and memory;
 * (3) the same lines from a file through the same processor, timed and measured alike, so the cost of
 * the Kafka path itself shows; (4) the raw `_bulk` ceiling with the same documents pre-serialised;
 * (5) produce → searchable latency p50/p99 for a live processor. Topics are new per run (`bench.<run>.*`).
 * (2)–(4) run `rounds` times in mirrored order (new consumer group and namespaces each time) after an
 * untimed warm-up; the fastest of each counts (`mirroredBest`).
 * @throws when the broker or Elasticsearch is unreachable.
 */
export async function benchKafka(o: KafkaBenchOptions): Promise<KafkaBenchResult> {
  const run = Date.now().toString(36);
  o.log(`load average at start: ${fmt(os.loadavg()[0]!, 2)} on ${os.availableParallelism()} cores`);
  const kafka = new Kafka({ clientId: 'rtas-bench', brokers: o.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.${run}.weblogs`;
  const latTopic = `bench.${run}.latency`;
  await admin.createTopics({ topics: [topic, latTopic].map((t) => ({ topic: t, numPartitions: o.partitions })), waitForLeaders: true });
  await admin.disconnect();
  const lines = repeatLines(o.sample, o.events, o.timeline);
  o.log(describeInput(o.sample, lines.length, o.timeline));
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

  // Kafka → Elasticsearch and the same lines from a file, each through the processor in its own process,
  // timed alike (launch → `_count` reaches every event: startup and the group join included).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtas-bench-kafka-'));
  const cpuUs = (r: MeasuredRun): number => usPerDoc(r.cpuSeconds, lines.length);
  const esUs = (r: MeasuredRun): string => `Elasticsearch ${fmt(usPerDoc(r.esCpuSeconds, lines.length), 1)} µs/event`;
  const memory = (r: MeasuredRun): string => {
    const m = r.summary.memoryMiB;
    return `peak RSS ${fmt(r.summary.peakRssMiB)} MiB (heap used ≤ ${m.heapUsed}, heap total ≤ ${m.heapTotal}, external ≤ ${m.external}, GeoIP ${m.geoip})`;
  };
  // With a peer, both take the same path to Elasticsearch: the shim that answers Filebeat's `GET /`.
  const shim = o.filebeatBin ? await startRootShim(o.esUrl) : undefined;
  const common = ['--es-url', shim?.url ?? o.esUrl, '--batch-size', String(o.batchSize), '--no-metrics', '--no-windows'];
  const ctx = await createEnrichContext();
  const records = weblogRecords(lines); // the ceiling's and the warm-up's documents, made once
  await warmUpElasticsearch(o.esUrl, records, ctx, `bench${run}warm`, o.batchSize);
  const input = path.join(dir, 'in', 'access.log');
  mkdirSync(path.dirname(input));
  writeFileSync(input, lines.join('\n') + '\n');
  const steps: { name: string; run: (round: number) => Promise<{ docsPerSec: number }> }[] = [
    {
      name: 'kafka',
      run: async (round: number): Promise<MeasuredRun> => {
        const r = await timeProcessorToCount(
          ['--kafka', '--once', '--brokers', o.brokers.join(','), '--group-id', `bench-${run}-proc${round}`, '--topics', `${topic}=weblogs`,
            '--namespace', `bench${run}k${round}`, '--data-dir', path.join(dir, `data-k${round}`), ...common],
          o.esUrl, `logs-weblogs.access-bench${run}k${round}`, lines.length,
        );
        o.log(
          `  Kafka → Elasticsearch: ${fmt(r.docsPerSec)} events/s (${fmt(lines.length)} counted ${fmt(r.seconds, 2)} s after launch; process done after ${fmt(r.summary.seconds, 2)} s); ` +
            `processor CPU ${fmt(r.cpuSeconds, 2)} s = ${fmt(cpuUs(r), 1)} µs/event, ${esUs(r)}; ${memory(r)}`,
        );
        return r;
      },
    },
    {
      name: 'file',
      run: async (round: number): Promise<MeasuredRun> => {
        const r = await timeProcessorToCount(
          ['--watch', path.dirname(input), '--once', '--namespace', `bench${run}f${round}`, '--data-dir', path.join(dir, `data-f${round}`), ...common],
          o.esUrl, `logs-weblogs.access-bench${run}f${round}`, lines.length,
        );
        o.log(`  file → Elasticsearch, same lines: ${fmt(r.docsPerSec)} events/s (${fmt(r.seconds, 2)} s); processor CPU ${fmt(r.cpuSeconds, 2)} s = ${fmt(cpuUs(r), 1)} µs/event, ${esUs(r)}; ${memory(r)}`);
        return r;
      },
    },
    ceilingStep({ esUrl: o.esUrl, records, ctx, namespace: `bench${run}c`, batchSize: o.batchSize, log: o.log }),
  ];
  const filebeatBin = o.filebeatBin;
  if (filebeatBin) {
    // Its indices mapped as a Filebeat user's are (see weblogs.ts): Filebeat's own template.
    const template = await installFilebeatTemplate(filebeatBin, o.esUrl, `bench-filebeat-${run}`, `bench-filebeat-${run}-*`);
    o.log(`Filebeat's own template installed as ${template.name}${template.replaced.length > 0 ? `; types replaced: ${template.replaced.join(', ')}` : ''}`);
    steps.push({
      name: 'filebeat',
      run: async (round: number): Promise<FilebeatRun> => {
        const workDir = path.join(dir, `filebeat-${round}`);
        mkdirSync(workDir);
        const f = await runFilebeat({
          bin: filebeatBin, esUrl: o.esUrl, input: { brokers: o.brokers, topic, groupId: `bench-${run}-fb${round}` },
          index: `bench-filebeat-${run}-${round}`, lines: lines.length, workDir, timeoutMs: 30 * 60_000, shimUrl: shim!.url,
        });
        o.log(
          `  Filebeat kafka input → Elasticsearch, same topic: ${fmt(f.docsPerSec)} events/s (${fmt(f.seconds, 2)} s); Filebeat CPU ${fmt(usPerDoc(f.cpuSeconds, lines.length), 1)} µs/event, ` +
            `Elasticsearch ${fmt(usPerDoc(f.esCpuSeconds, lines.length), 1)} µs/event; peak RSS ${fmt(f.peakRssMiB)} MiB`,
        );
        return f;
      },
    });
  }
  const best = await mirroredBest<{ docsPerSec: number }>(steps, o.rounds, (round, order) => o.log(`round ${round + 1} of ${o.rounds}: ${order.join(', ')}`));
  await shim?.close();
  const e2e = best.get('kafka') as MeasuredRun;
  const file = best.get('file') as MeasuredRun;
  const ceiling = best.get('ceiling') as CeilingRun;
  const endToEndPerSec = e2e.docsPerSec;
  const fb = best.get('filebeat') as FilebeatRun | undefined;
  const peer = fb && {
    eventsPerSec: fb.docsPerSec,
    ratio: endToEndPerSec / fb.docsPerSec,
    cpuUsPerEvent: usPerDoc(fb.cpuSeconds, lines.length),
    esCpuUsPerEvent: usPerDoc(fb.esCpuSeconds, lines.length),
    peakRssMiB: fb.peakRssMiB,
  };
  o.log(`fastest of ${o.rounds} round(s) each:`);
  o.log(`Kafka → Elasticsearch: ${fmt(endToEndPerSec)} events/s (${fmt(e2e.seconds, 2)} s); processor CPU ${fmt(cpuUs(e2e), 1)} µs/event; ${memory(e2e)}`);
  o.log(`file → Elasticsearch, same lines: ${fmt(file.docsPerSec)} events/s (${fmt(file.seconds, 2)} s); processor CPU ${fmt(cpuUs(file), 1)} µs/event`);
  o.log(`Kafka path ÷ file path: events/s ${fmt(endToEndPerSec / file.docsPerSec, 3)}; CPU per event ${fmt(cpuUs(e2e) / cpuUs(file), 3)}`);
  if (peer) {
    o.log(
      `Filebeat kafka input, same topic: ${fmt(peer.eventsPerSec)} events/s; processor ÷ Filebeat ${fmt(peer.ratio, 3)}; Elasticsearch CPU per event ours ${fmt(usPerDoc(e2e.esCpuSeconds, lines.length), 1)} µs ` +
        `vs Filebeat's ${fmt(peer.esCpuUsPerEvent, 1)} µs (Filebeat does no GeoIP, no user agents; neither computes windows; both go through the GET / shim; Filebeat's own template)`,
    );
  }
  const bulkCeilingPerSec = ceiling.acknowledgedPerSec;
  o.log(
    `raw _bulk ceiling: ${fmt(bulkCeilingPerSec)} docs/s until the last response (${fmt(ceiling.searchablePerSec)} until _count shows them all, ` +
      `as the runs are timed: Kafka path ${fmt(endToEndPerSec / ceiling.searchablePerSec, 3)} of that); Kafka → Elasticsearch reaches ${fmt((endToEndPerSec / bulkCeilingPerSec) * 100, 1)}% ` +
      `of it (file path ${fmt((file.docsPerSec / bulkCeilingPerSec) * 100, 1)}%) and ${fmt((endToEndPerSec / readOnlyEventsPerSec) * 100, 1)}% of the read-only consumer`,
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
  o.log(`peak RSS: processor ${fmt(e2e.summary.peakRssMiB)} MiB; benchmark process ${fmt(peakRssMiB())} MiB`);
  o.log(`load average at end: ${fmt(os.loadavg()[0]!, 2)}`);
  rmSync(dir, { recursive: true, force: true });
  return {
    produceEventsPerSec,
    readOnlyEventsPerSec,
    endToEndPerSec,
    fileEndToEndPerSec: file.docsPerSec,
    kafkaCpuUsPerEvent: cpuUs(e2e),
    fileCpuUsPerEvent: cpuUs(file),
    bulkCeilingPerSec,
    ratioToBulkCeiling: endToEndPerSec / bulkCeilingPerSec,
    ratioToReadOnly: endToEndPerSec / readOnlyEventsPerSec,
    latencyP50Ms,
    latencyP99Ms,
    processorPeakRssMiB: e2e.summary.peakRssMiB,
    ...(peer ? { peer } : {}),
  };
}
