import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pino from 'pino';
import { request } from 'undici';
import { createEnrichContext, startProcessor, type RunSummary } from '../../processor/processor.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { createEsClient } from '../../processor/elasticsearch/client.js';
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

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Runs `processor/cli.ts --once …` as a child process and returns its JSON summary. */
async function runProcessorOnce(args: string[]): Promise<RunSummary> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'processor/cli.ts', ...args], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as RunSummary;
}

function repeatLines(sample: string, n: number): string[] {
  const base = readFileSync(sample, 'utf8').split('\n').filter((l) => l !== '');
  return Array.from({ length: n }, (_, i) => base[i % base.length]!);
}

function records(lines: string[]): SourceRecord[] {
  let offset = 0;
  return lines.map((raw) => {
    const len = Buffer.byteLength(raw) + 1;
    const position = { kind: 'file' as const, path: 'bench.log', fileId: 'bench', generation: 0, offset, nextOffset: offset + len };
    offset += len;
    return { dataset: 'weblogs', raw, position };
  });
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
  const recs = records(lines);
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
  const ceilNs = `bench${run}c`;
  const bodies: string[] = [];
  for (let i = 0; i < recs.length; i += o.batchSize) {
    const { docs } = transformBatch(recs.slice(i, i + o.batchSize), ctx, ceilNs);
    bodies.push(docs.map((d) => `{"create":{"_index":"${d.index}","_id":"${d.id}"}}\n${JSON.stringify(d.body)}\n`).join(''));
  }
  const bulkUrl = `${o.esUrl.replace(/\/$/, '')}/_bulk`;
  const ceiling = await timed(async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < bodies.length; i = next++) {
        const res = await request(bulkUrl, { method: 'POST', body: bodies[i], headers: { 'content-type': 'application/x-ndjson' } });
        const json = (await res.body.json()) as { errors: boolean };
        if (res.statusCode !== 200 || json.errors) throw new Error(`_bulk failed with status ${res.statusCode}`);
      }
    };
    await Promise.all([worker(), worker()]);
  });
  const bulkCeilingPerSec = recs.length / ceiling.seconds;
  o.log(`raw _bulk ceiling: ${fmt(bulkCeilingPerSec)} docs/s; end-to-end reaches ${fmt((endToEndPerSec / bulkCeilingPerSec) * 100, 1)}% of it`);

  // 4. Latency: a live processor, lines appended at a steady rate, polled for visibility every 50 ms.
  const latDir = mkdtempSync(path.join(os.tmpdir(), 'rtas-bench-lat-'));
  const latFile = path.join(latDir, 'access.log');
  writeFileSync(latFile, '');
  const latNs = `bench${run}l`;
  const latIndex = `logs-weblogs.access-${latNs}`;
  const live = await startProcessor({ watch: [latDir], esUrl: o.esUrl, namespace: latNs, dataDir: path.join(latDir, 'data'), log: quiet });
  const client = createEsClient(o.esUrl);
  const appendedAt: number[] = [];
  const visibleAt: number[] = [];
  const total = o.latencyRate * o.latencySeconds;
  const perTick = Math.max(1, Math.round(o.latencyRate / 20));
  const writer = setInterval(() => {
    const n = Math.min(perTick, total - appendedAt.length);
    if (n <= 0) return;
    appendFileSync(latFile, lines.slice(appendedAt.length, appendedAt.length + n).join('\n') + '\n');
    const t = performance.now();
    for (let i = 0; i < n; i++) appendedAt.push(t);
  }, 50);
  const deadline = Date.now() + (o.latencySeconds + 30) * 1000;
  while (visibleAt.length < total && Date.now() < deadline) {
    // Without a refresh: a document counts when Elasticsearch's own 1 s refresh has made it searchable.
    const visible = await client.count({ index: latIndex }).then((r) => r.count, () => 0);
    const t = performance.now();
    while (visibleAt.length < Math.min(visible, appendedAt.length)) visibleAt.push(t);
    await new Promise((r) => setTimeout(r, 50));
  }
  clearInterval(writer);
  await live.stop();
  await client.close();
  const latencies = visibleAt.map((t, i) => t - appendedAt[i]!);
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
