import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createEnrichContext, startProcessor } from '../../processor/processor.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import { bulkCeiling, repeatLines, runProcessorOnce, visibilityLatencies, weblogRecords } from './common.js';
import { fmt, peakRssMiB, percentile, timed } from './stats.js';

/** Options of the web-log benchmark; counts in lines, rates in lines/s. */
export interface WeblogBenchOptions {
  esUrl: string;
  /** The real access log whose lines are repeated to make the inputs. */
  sample: string;
  /** Lines for the CPU-only and the end-to-end runs. */
  lines: number;
  /** Rate and duration of the latency run. */
  latencyRate: number;
  latencySeconds: number;
  batchSize: number;
  log: (line: string) => void;
}

/** The figures one run measured (rates in lines/s or docs/s, latencies in ms, memory in MiB). */
export interface WeblogBenchResult {
  cpuLinesPerSec: number;
  endToEndPerSec: number;
  bulkCeilingPerSec: number;
  ratioToCeiling: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencySamples: number;
  /** Peak RSS of the processor process in the end-to-end run. */
  processorPeakRssMiB: number;
  /** Peak RSS of the benchmark process (it holds all inputs and pre-serialised bodies in memory). */
  benchPeakRssMiB: number;
}

/**
 * Measures, in one run on the same Elasticsearch: (1) decode+validate+enrich lines/s on one core
 * without I/O; (2) file → Elasticsearch docs/s through the real processor (`--once`); (3) the raw
 * `_bulk` ceiling with the same documents pre-serialised, the same batch size and concurrency 2;
 * (4) append → searchable latency p50/p99 for a live processor; (5) peak RSS of the processor process.
 * @throws when Elasticsearch is unreachable or a bulk request fails.
 */
export async function benchWeblogs(o: WeblogBenchOptions): Promise<WeblogBenchResult> {
  const quiet = pino({ level: 'silent' });
  const run = Date.now().toString(36);
  const lines = repeatLines(o.sample, o.lines);
  const ctx = await createEnrichContext();

  // 1. CPU only: the whole transform, in batches of the processor's batch size.
  const recs = weblogRecords(lines);
  transformBatch(recs.slice(0, 2000), ctx, 'bench'); // warm-up (JIT, caches)
  const cpu = await timed(() => {
    let docs = 0;
    for (let i = 0; i < recs.length; i += o.batchSize) docs += transformBatch(recs.slice(i, i + o.batchSize), ctx, 'bench').docs.length;
    return docs;
  });
  const cpuLinesPerSec = recs.length / cpu.seconds;
  o.log(`parse+enrich (1 core, no I/O): ${fmt(cpuLinesPerSec)} lines/s over ${fmt(recs.length)} lines`);

  // 2. End to end: file → processor (its own process, as in production) → Elasticsearch, until every
  //    line is committed. The processor's summary carries its own peak RSS.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtas-bench-'));
  const watchDir = path.join(dir, 'in');
  mkdirSync(watchDir);
  writeFileSync(path.join(watchDir, 'access.log'), lines.join('\n') + '\n');
  const e2eNs = `bench${run}e`;
  const e2e = await timed(() =>
    runProcessorOnce([
      '--watch', watchDir, '--once', '--es-url', o.esUrl, '--namespace', e2eNs, '--data-dir', path.join(dir, 'data'),
      '--batch-size', String(o.batchSize), '--no-metrics',
    ]),
  );
  const endToEndPerSec = e2e.result.indexed / e2e.result.seconds;
  o.log(
    `file → Elasticsearch: ${fmt(endToEndPerSec)} docs/s (${fmt(e2e.result.indexed)} docs in ${fmt(e2e.result.seconds, 2)} s ` +
      `inside the processor, ${fmt(e2e.seconds, 2)} s with process start); processor peak RSS ${fmt(e2e.result.peakRssMiB)} MiB`,
  );

  // 3. The raw _bulk ceiling: same documents, pre-serialised, same batch size, concurrency 2, undici.
  const bulkCeilingPerSec = await bulkCeiling(o.esUrl, recs, ctx, `bench${run}c`, o.batchSize);
  o.log(`raw _bulk ceiling: ${fmt(bulkCeilingPerSec)} docs/s; end-to-end reaches ${fmt((endToEndPerSec / bulkCeilingPerSec) * 100, 1)}% of it`);

  // 4. Latency: a live processor, lines appended at a steady rate, polled for visibility every 50 ms.
  const latDir = mkdtempSync(path.join(os.tmpdir(), 'rtas-bench-lat-'));
  const latFile = path.join(latDir, 'access.log');
  writeFileSync(latFile, '');
  const latNs = `bench${run}l`;
  const latIndex = `logs-weblogs.access-${latNs}`;
  const live = await startProcessor({ watch: [latDir], esUrl: o.esUrl, namespace: latNs, dataDir: path.join(latDir, 'data'), log: quiet });
  const latencies = await visibilityLatencies({
    esUrl: o.esUrl,
    index: latIndex,
    total: o.latencyRate * o.latencySeconds,
    rate: o.latencyRate,
    send: (from, n) => appendFileSync(latFile, lines.slice(from, from + n).join('\n') + '\n'),
    timeoutMs: (o.latencySeconds + 30) * 1000,
  });
  await live.stop();
  const latencyP50Ms = percentile(latencies, 50);
  const latencyP99Ms = percentile(latencies, 99);
  o.log(`append → searchable at ${fmt(o.latencyRate)} lines/s: p50 ${fmt(latencyP50Ms)} ms, p99 ${fmt(latencyP99Ms)} ms (${fmt(latencies.length)} lines)`);

  const rss = peakRssMiB();
  o.log(`peak RSS: processor ${fmt(e2e.result.peakRssMiB)} MiB; benchmark process (all inputs in memory) ${fmt(rss)} MiB`);
  return {
    cpuLinesPerSec,
    endToEndPerSec,
    bulkCeilingPerSec,
    ratioToCeiling: endToEndPerSec / bulkCeilingPerSec,
    latencyP50Ms,
    latencyP99Ms,
    latencySamples: latencies.length,
    processorPeakRssMiB: e2e.result.peakRssMiB,
    benchPeakRssMiB: rss,
  };
}
