import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEnrichContext, peakRssMiB, type RunSummary } from '../../processor/processor.js';
import type { EnrichContext } from '../../processor/datasets/types.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { ceilingStep, type CeilingRun, describeInput, median, mirroredBest, rawBytesPerLine, repeatLines, storeAfterForceMerge, warmUpElasticsearch, startLiveProcessor, timeProcessorToCount, visibilityLatencies, weblogRecords, type Timeline } from './common.js';
import { installFilebeatTemplate, runFilebeat, startRootShim, type FilebeatRun } from './filebeat.js';
import { fluentBitBinary, fluentBitVersion, installFluentBitTemplate, runFluentBit, sourceFieldDiff, type FluentBitRun } from './fluent-bit.js';
import { perRecordBench, type PerRecordResult } from './per-record.js';
import { BENCH_FORMAT, COMBINED_AS_NGINX, formatBench, type FormatBenchResult } from './formats.js';
import { fmt, percentile, usPerDoc } from './stats.js';

/** Options of the web-log benchmark; counts in lines, rates in lines/s. */
export interface WeblogBenchOptions {
  esUrl: string;
  /** The real access log whose lines are repeated to make the inputs. */
  sample: string;
  /** Event time of the input (see `repeatLines`); undefined keeps the sample's own times. */
  timeline?: Timeline;
  /** Lines for the CPU-only and the end-to-end runs. */
  lines: number;
  /** Rate and duration of the latency run. */
  latencyRate: number;
  latencySeconds: number;
  batchSize: number;
  /** Also run Filebeat (binary `filebeatBin`) or Fluent Bit (binary `fluentBitBin`) on the same file into the same Elasticsearch. */
  peer?: 'filebeat' | 'fluent-bit';
  filebeatBin?: string;
  fluentBitBin?: string;
  /** Extra end-to-end runs: transform worker threads to try (e.g. [1, 2]) and gzip on. */
  threads?: number[];
  compression?: boolean;
  /** Extra end-to-end runs with these `--bulk-max-bytes` values. */
  bulkMaxBytes?: number[];
  /** An extra end-to-end run with `--no-windows` (the peer computes no windows). */
  noWindows?: boolean;
  /** Times each timed run (ceiling, processor runs, peer) is repeated, in mirrored order; the fastest counts. */
  rounds: number;
  /**
   * Also measure this weblogs format's per-record cost against combined (`bench`: two formats, combined
   * written as an nginx `log_format` — the compiled parser's own cost — and formats.ts's BENCH_FORMAT).
   */
  format?: string;
  log: (line: string) => void;
}

/** One end-to-end run of the processor. */
export interface EndToEndRun {
  label: string;
  docsPerSec: number;
  seconds: number;
  peakRssMiB: number;
  memoryMiB: RunSummary['memoryMiB'];
  /** CPU per document, µs: the processor (startup included), and Elasticsearch over the same time. */
  cpuUsPerDoc: number;
  esCpuUsPerDoc: number;
  /** Primary store bytes per document of the run's data stream after a force-merge to one segment (`storeAfterForceMerge`). */
  storeBytesPerDoc: number;
  /** With `--peer`: CPU µs per document of this benchmark process over the run, i.e. the `GET /` shim both go through. */
  shimCpuUsPerDoc?: number;
}

/** The figures one run measured (rates in lines/s or docs/s, latencies in ms, memory in MiB). */
export interface WeblogBenchResult {
  perRecord: PerRecordResult;
  /** With `format`: each measured format's per-record cost against combined. */
  formats?: FormatBenchResult[];
  endToEnd: EndToEndRun;
  variants: EndToEndRun[];
  bulkCeilingPerSec: number;
  /** The same ceiling timed until `_count` showed every document (as the runs are timed). */
  bulkCeilingSearchablePerSec: number;
  ratioToCeiling: number;
  /** Cores ÷ (processor + Elasticsearch CPU per document) of the defaults run: the most the machine could carry; NaN when CPU could not be read. */
  cpuBoundPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencySamples: number;
  /** Bytes of raw log per line of the input (UTF-8, newline included). */
  rawBytesPerDoc: number;
  /** Elasticsearch's cost per document of the defaults run: store bytes ÷ raw bytes, and against the peer's (same run). */
  esCost: { storeToRaw: number; peerStoreToRaw?: number; storeToPeer?: number; esCpuToPeer?: number };
  filebeat?: FilebeatRun & { storeBytesPerDoc: number };
  ratioToFilebeat?: number;
  /** Project ÷ Filebeat of the median docs/s over the rounds. */
  ratioToFilebeatOfMedians?: number;
  /** With `--peer fluent-bit`: its fastest round, the project ÷ Fluent Bit docs/s (fastest rounds, and medians), its version. */
  fluentBit?: FluentBitRun & { storeBytesPerDoc: number; shimCpuUsPerDoc: number; version: string };
  ratioToFluentBit?: number;
  ratioToFluentBitOfMedians?: number;
  /** Load average (1 min) at the start and the end: how shared the machine was. */
  loadAverage: [number, number];
  benchPeakRssMiB: number;
}

/**
 * The CPU-only stages: the per-record path against its baseline and, with `o.format`, the format's
 * per-record cost against combined (formats.ts). Logs each figure.
 */
export async function perRecordStages(o: WeblogBenchOptions): Promise<{ lines: string[]; recs: SourceRecord[]; ctx: EnrichContext; perRecord: PerRecordResult; formats?: FormatBenchResult[] }> {
  const lines = repeatLines(o.sample, o.lines, o.timeline);
  o.log(describeInput(o.sample, lines.length, o.timeline));
  const recs = weblogRecords(lines);
  const ctx = await createEnrichContext();

  // 1. Per record, CPU seconds on one thread, no I/O.
  const perRecord = perRecordBench(recs, ctx, o.batchSize, 5);
  o.log(
    `per record (CPU, 1 thread, no I/O): baseline regex+object+ISO+JSON ${fmt(perRecord.baselinePerSec)} lines/s; ` +
      `full path (decode, validate, enrich with GeoIP + user agents, _id, _bulk NDJSON) ${fmt(perRecord.fullPerSec)} lines/s (best rounds: ratio ${fmt(perRecord.ratioOfBestRounds, 3)}); ` +
      `ratio ${fmt(perRecord.ratio, 3)} (CPU totals of ${perRecord.pairs} batches, each timed through both back to back)`,
  );
  if (!o.format) return { lines, recs, ctx, perRecord };
  const formats: FormatBenchResult[] = [];
  for (const f of o.format === 'bench' ? [COMBINED_AS_NGINX, BENCH_FORMAT] : [o.format]) {
    const r = formatBench(recs, ctx, o.batchSize, f, 5);
    formats.push(r);
    const extra = r.formatMicros - r.combinedMicros;
    o.log(
      `format ${r.format} (${r.extraVariables} variables beyond combined): ${fmt(r.formatPerSec)} lines/s against combined ${fmt(r.combinedPerSec)} (best rounds); ` +
        `cost ratio ${fmt(r.costRatio, 3)} (format CPU ÷ combined CPU over ${r.pairs} paired batches; ${fmt(r.formatMicros, 1)} vs ${fmt(r.combinedMicros, 1)} µs per record; ` +
        `_bulk ${fmt(r.formatBulkBytes)} vs ${fmt(r.combinedBulkBytes)} B per document` +
        (r.extraVariables > 0 ? `; ${fmt(extra / r.extraVariables, 2)} µs per extra variable; target ≤ 1.2` : '; the compiled parser on the same fields') +
        `); dead letters ${fmt(r.rejected)}`,
    );
  }
  return { lines, recs, ctx, perRecord, formats };
}

/**
 * Measures, in one run on the same Elasticsearch: (1) per-record CPU cost of the full path against a
 * plain regex + object + JSON baseline; (2) the raw `_bulk` ceiling with the same documents
 * pre-serialised, the same batch size, concurrency 2; (3) file → Elasticsearch through the real
 * processor (`--once`, the compiled build in its own process, defaults: GeoIP and user agents on), timed from launch until
 * `_count` reaches every line, with its peak RSS and memory breakdown and, after the timing, the primary store
 * per document of what it wrote once force-merged to one segment (the peer's likewise, against the raw bytes per line); (4) the same without the event-time windows
 * (Filebeat computes none) and optionally with other worker-thread counts, gzip or request sizes, and (5) the peer (Filebeat or Fluent Bit) on the same file, timed the same way; then
 * (6) append → searchable latency p50/p99 for a live processor (the compiled build, its own process).
 * (2)–(5) run `rounds` times in mirrored order after an untimed warm-up; the fastest of each counts
 * (`mirroredBest`), and every round's figures are logged as well.
 * @throws when Elasticsearch is unreachable, a bulk request fails, or the peer fails.
 */
export async function benchWeblogs(o: WeblogBenchOptions): Promise<WeblogBenchResult> {
  const run = Date.now().toString(36);
  const fluentBitBin = o.peer === 'fluent-bit' ? fluentBitBinary(o.fluentBitBin) : undefined; // before any run
  const load0 = os.loadavg()[0]!;
  o.log(`load average at start: ${fmt(load0, 2)} on ${os.availableParallelism()} cores`);
  const { lines, recs, ctx, perRecord, formats } = await perRecordStages(o);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtas-bench-'));
  const watchDir = path.join(dir, 'in');
  mkdirSync(watchDir);
  const input = path.join(watchDir, 'access.log');
  writeFileSync(input, lines.join('\n') + '\n');
  const rawBytes = rawBytesPerLine(lines);

  // 2–5. The timed runs, each `rounds` times in mirrored order; each keeps its fastest round.
  await warmUpElasticsearch(o.esUrl, recs, ctx, `bench${run}warm`, o.batchSize);
  // With a peer, the processor and the peer take the same path to Elasticsearch: the loopback shim that
  // answers Filebeat's `GET /` (this distribution answers 405 there); its CPU (this process's) is reported per run.
  const shim = o.peer ? await startRootShim(o.esUrl) : undefined;
  const benchCpuUs = (): number => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  const endToEndRun = async (label: string, ns: string, extra: string[]): Promise<EndToEndRun> => {
    const c0 = benchCpuUs();
    const r = await timeProcessorToCount(
      ['--watch', watchDir, '--once', '--es-url', shim?.url ?? o.esUrl, '--namespace', ns, '--data-dir', path.join(dir, `data-${ns}`),
        '--batch-size', String(o.batchSize), '--no-metrics', ...extra],
      o.esUrl, `logs-weblogs.access-${ns}`, lines.length,
    );
    const shimCpuUsPerDoc = shim ? (benchCpuUs() - c0) / lines.length : undefined;
    const m = r.summary.memoryMiB;
    const cpuUsPerDoc = usPerDoc(r.cpuSeconds, lines.length);
    const esCpuUsPerDoc = usPerDoc(r.esCpuSeconds, lines.length);
    const store = await storeAfterForceMerge(o.esUrl, `logs-weblogs.access-${ns}`);
    o.log(
      `  file → Elasticsearch (${label}): ${fmt(r.docsPerSec)} docs/s (${fmt(lines.length)} docs counted ${fmt(r.seconds, 2)} s after launch); ` +
        `CPU per document: processor ${fmt(cpuUsPerDoc, 1)} µs, Elasticsearch ${fmt(esCpuUsPerDoc, 1)} µs; ` +
        `primary store after force-merge ${fmt(store.bytesPerDoc, 1)} bytes/doc (${fmt(store.bytesPerDoc / rawBytes, 3)} × raw); ` +
        `peak RSS ${fmt(r.summary.peakRssMiB)} MiB (heap used ≤ ${m.heapUsed}, heap total ≤ ${m.heapTotal}, external ≤ ${m.external} ` +
        `of which array buffers ≤ ${m.arrayBuffers}, GeoIP databases ${m.geoip})`,
    );
    if (shimCpuUsPerDoc !== undefined) o.log(`    through the shim: ${fmt(shimCpuUsPerDoc, 1)} µs of this process's CPU per document`);
    return {
      label, docsPerSec: r.docsPerSec, seconds: r.seconds, peakRssMiB: r.summary.peakRssMiB, memoryMiB: m, cpuUsPerDoc, esCpuUsPerDoc, storeBytesPerDoc: store.bytesPerDoc,
      ...(shimCpuUsPerDoc !== undefined ? { shimCpuUsPerDoc } : {}),
    };
  };
  const steps: { name: string; run: (round: number) => Promise<{ docsPerSec: number }> }[] = [
    // 2. The raw _bulk ceiling: same documents, pre-serialised, same batch size, concurrency 2, undici.
    ceilingStep({ esUrl: o.esUrl, records: recs, ctx, namespace: `bench${run}c`, batchSize: o.batchSize, log: o.log }),
    // 3–4. End to end through the processor, defaults, then the variants asked for.
    { name: 'defaults', run: (round) => endToEndRun('defaults', `bench${run}e${round}`, []) },
    ...(o.threads ?? []).map((t) => ({ name: `t${t}`, run: (round: number) => endToEndRun(`--transform-threads ${t}`, `bench${run}t${t}r${round}`, ['--transform-threads', String(t)]) })),
    ...(o.compression ? [{ name: 'gzip', run: (round: number) => endToEndRun('--es-compression', `bench${run}z${round}`, ['--es-compression']) }] : []),
    ...(o.bulkMaxBytes ?? []).map((b) => ({ name: `b${b}`, run: (round: number) => endToEndRun(`--bulk-max-bytes ${b}`, `bench${run}b${b}r${round}`, ['--bulk-max-bytes', String(b)]) })),
    ...(o.noWindows ? [{ name: 'no-windows', run: (round: number) => endToEndRun('--no-windows', `bench${run}w${round}`, ['--no-windows']) }] : []),
  ];
  // 5. The peer, same file, same Elasticsearch, timed the same way.
  if (o.peer === 'filebeat') {
    const bin = o.filebeatBin;
    if (!bin) throw new Error('--peer filebeat needs FILEBEAT_BIN (path to a filebeat binary; see README, "Performance")');
    // Its indices mapped as a Filebeat user's are: Filebeat's own template, one data stream per round.
    const template = await installFilebeatTemplate(bin, o.esUrl, `bench-filebeat-${run}`, `bench-filebeat-${run}-*`);
    o.log(
      `Filebeat's own template (filebeat export template) installed as ${template.name} for bench-filebeat-${run}-*` +
        (template.replaced.length > 0 ? `; types this distribution lacks replaced: ${template.replaced.join(', ')}` : ''),
    );
    steps.push({
      name: 'filebeat',
      run: async (round) => {
        const workDir = path.join(dir, `filebeat-${round}`); // its own registry: a second round reads the file again
        mkdirSync(workDir);
        const index = `bench-filebeat-${run}-${round}`;
        const c0 = benchCpuUs();
        const f = await runFilebeat({ bin, esUrl: o.esUrl, input, index, lines: lines.length, workDir, timeoutMs: 30 * 60_000, shimUrl: shim!.url });
        const shimCpuUsPerDoc = (benchCpuUs() - c0) / lines.length;
        const store = await storeAfterForceMerge(o.esUrl, index);
        o.log(
          `  Filebeat (config as written: scripts/bench/filebeat.ts, its own template, through the same shim): ${fmt(f.docsPerSec)} docs/s (${fmt(f.seconds, 2)} s); ` +
            `CPU per document: Filebeat ${fmt(usPerDoc(f.cpuSeconds, lines.length), 1)} µs, Elasticsearch ${fmt(usPerDoc(f.esCpuSeconds, lines.length), 1)} µs, shim ${fmt(shimCpuUsPerDoc, 1)} µs; ` +
            `primary store after force-merge ${fmt(store.bytesPerDoc, 1)} bytes/doc (${fmt(store.bytesPerDoc / rawBytes, 3)} × raw); peak RSS ${fmt(f.peakRssMiB)} MiB`,
        );
        return { ...f, storeBytesPerDoc: store.bytesPerDoc, shimCpuUsPerDoc };
      },
    });
  }
  let fluentBitVersionLine = '';
  if (fluentBitBin) {
    const bin = fluentBitBin;
    fluentBitVersionLine = await fluentBitVersion(bin);
    // One data stream per round from a template with no mappings: dynamic mappings, as a Fluent Bit user's index has (Fluent Bit ships no template).
    const template = await installFluentBitTemplate(o.esUrl, `bench-fluent-bit-${run}`, `bench-fluent-bit-${run}-*`);
    o.log(`${fluentBitVersionLine}: data-stream template ${template} (no mappings: dynamic) installed for bench-fluent-bit-${run}-*`);
    steps.push({
      name: 'fluent-bit',
      run: async (round) => {
        const workDir = path.join(dir, `fluent-bit-${round}`); // its own tail DB: every round reads the file from its head
        mkdirSync(workDir);
        const index = `bench-fluent-bit-${run}-${round}`;
        const c0 = benchCpuUs();
        const f = await runFluentBit({ bin, esUrl: o.esUrl, input, index, lines: lines.length, workDir, timeoutMs: 30 * 60_000, shimUrl: shim!.url });
        const shimCpuUsPerDoc = (benchCpuUs() - c0) / lines.length;
        const store = await storeAfterForceMerge(o.esUrl, index);
        o.log(
          `  Fluent Bit (config as written: scripts/bench/fluent-bit.ts, apache2 parser, dynamic mappings, through the same shim): ${fmt(f.docsPerSec)} docs/s (${fmt(f.seconds, 2)} s); ` +
            `CPU per document: Fluent Bit ${fmt(usPerDoc(f.cpuSeconds, lines.length), 1)} µs, Elasticsearch ${fmt(usPerDoc(f.esCpuSeconds, lines.length), 1)} µs, shim ${fmt(shimCpuUsPerDoc, 1)} µs; ` +
            `primary store after force-merge ${fmt(store.bytesPerDoc, 1)} bytes/doc (${fmt(store.bytesPerDoc / rawBytes, 3)} × raw); peak RSS ${fmt(f.peakRssMiB)} MiB; ` +
            `${fmt(f.unparsedDocs)} lines not matched by the apache2 regex, indexed as the raw line in \`log\``,
        );
        return { ...f, storeBytesPerDoc: store.bytesPerDoc, shimCpuUsPerDoc, version: fluentBitVersionLine };
      },
    });
  }
  const all = new Map<string, { docsPerSec: number }[]>();
  const best = await mirroredBest(steps, o.rounds, (round, order) => o.log(`round ${round + 1} of ${o.rounds}: ${order.join(', ')}`), all);
  await shim?.close();
  const medianOf = (name: string): number => median((all.get(name) ?? []).map((r) => r.docsPerSec));
  const ceiling = best.get('ceiling') as CeilingRun;
  const endToEnd = best.get('defaults') as EndToEndRun;
  const variants = steps.filter((st) => !['ceiling', 'defaults', 'filebeat', 'fluent-bit'].includes(st.name)).map((st) => best.get(st.name) as EndToEndRun);
  const noWindows = best.get('no-windows') as EndToEndRun | undefined;
  const filebeat = best.get('filebeat') as (FilebeatRun & { storeBytesPerDoc: number }) | undefined;
  const fluentBit = best.get('fluent-bit') as WeblogBenchResult['fluentBit'];
  // The peer of this run, whichever it is, for the comparisons below.
  const peer = filebeat ? { name: 'Filebeat', step: 'filebeat', run: filebeat } : fluentBit ? { name: 'Fluent Bit', step: 'fluent-bit', run: fluentBit } : undefined;
  const bulkCeilingPerSec = ceiling.acknowledgedPerSec;
  o.log(`fastest of ${o.rounds} round(s) each:`);
  o.log(
    `raw _bulk ceiling: ${fmt(bulkCeilingPerSec)} docs/s until the last response (the target's ceiling); ` +
      `${fmt(ceiling.searchablePerSec)} docs/s until _count shows them all (the finish line of the runs below)`,
  );
  for (const r of [endToEnd, ...variants]) {
    o.log(`file → Elasticsearch (${r.label}): ${fmt(r.docsPerSec)} docs/s (${fmt(r.seconds, 2)} s), peak RSS ${fmt(r.peakRssMiB)} MiB`);
  }
  o.log(
    `end-to-end ÷ _bulk ceiling: ${fmt(endToEnd.docsPerSec / bulkCeilingPerSec, 3)} ` +
      `(÷ the ceiling timed to the same finish line: ${fmt(endToEnd.docsPerSec / ceiling.searchablePerSec, 3)})`,
  );
  // What the shared cores allow: the processor and Elasticsearch each need this much CPU per document.
  const cores = os.availableParallelism();
  const cpuBound = (cores * 1e6) / (endToEnd.cpuUsPerDoc + endToEnd.esCpuUsPerDoc);
  o.log(
    Number.isFinite(cpuBound)
      ? `CPU bound (defaults run): ${cores} cores ÷ (processor ${fmt(endToEnd.cpuUsPerDoc, 1)} + Elasticsearch ${fmt(endToEnd.esCpuUsPerDoc, 1)} µs per document) ` +
          `= at most ${fmt(cpuBound)} docs/s = ${fmt(cpuBound / bulkCeilingPerSec, 3)} of the ceiling, which used ${fmt(usPerDoc(ceiling.esCpuSeconds, ceiling.docs), 1)} µs of Elasticsearch CPU per document`
      : 'CPU bound: n/a (the CPU time of the processor or of Elasticsearch could not be read)',
  );
  if (peer) {
    const { name, step, run: p } = peer;
    o.log(`${name}: ${fmt(p.docsPerSec)} docs/s (${fmt(p.seconds, 2)} s), peak RSS ${fmt(p.peakRssMiB)} MiB`);
    o.log(
      `project ÷ ${name}: docs/s ${fmt(endToEnd.docsPerSec / p.docsPerSec, 3)}, peak RSS ${fmt(endToEnd.peakRssMiB / p.peakRssMiB, 2)} ` +
        `(project with GeoIP + user agents, ${name} without)`,
    );
    if (noWindows) o.log(`project --no-windows ÷ ${name}: docs/s ${fmt(noWindows.docsPerSec / p.docsPerSec, 3)} (neither computes windows)`);
    o.log(
      `medians of ${o.rounds} alternating rounds: project ${fmt(medianOf('defaults'))} docs/s, ${name} ${fmt(medianOf(step))} docs/s, ratio ${fmt(medianOf('defaults') / medianOf(step), 3)}` +
        (noWindows ? `; --no-windows ${fmt(medianOf('no-windows'))} docs/s, ratio ${fmt(medianOf('no-windows') / medianOf(step), 3)}` : ''),
    );
  }
  if (fluentBit) {
    // What its documents hold against ours (round 1 of each: the processor's defaults run, Fluent Bit's).
    const d = await sourceFieldDiff(o.esUrl, `logs-weblogs.access-bench${run}e0`, `bench-fluent-bit-${run}-0`);
    o.log(`documents: fields in both ${d.both.join(', ') || '(none)'}; only the project's (${d.onlyOurs.length}): ${d.onlyOurs.join(', ')}; only Fluent Bit's (${d.onlyTheirs.length}): ${d.onlyTheirs.join(', ')}; Fluent Bit's mapped as ${d.theirMapping.join(', ')}`);
  }

  // Elasticsearch's cost per document, from the fastest rounds (store bytes/doc differ by a few bytes between rounds).
  const fbEsCpu = peer ? usPerDoc(peer.run.esCpuSeconds, lines.length) : Number.NaN;
  const esCost = {
    storeToRaw: endToEnd.storeBytesPerDoc / rawBytes,
    ...(peer
      ? { peerStoreToRaw: peer.run.storeBytesPerDoc / rawBytes, storeToPeer: endToEnd.storeBytesPerDoc / peer.run.storeBytesPerDoc, esCpuToPeer: endToEnd.esCpuUsPerDoc / fbEsCpu }
      : {}),
  };
  o.log(
    `Elasticsearch cost per document (defaults run): CPU ${fmt(endToEnd.esCpuUsPerDoc, 1)} µs; primary store after force-merge ${fmt(endToEnd.storeBytesPerDoc, 1)} bytes; ` +
      `raw log ${fmt(rawBytes, 1)} bytes per line; store ÷ raw ${fmt(esCost.storeToRaw, 3)} (target ≤ 1.0)` +
      (peer
        ? `; ${peer.name}'s documents: CPU ${fmt(fbEsCpu, 1)} µs, store ${fmt(peer.run.storeBytesPerDoc, 1)} bytes (÷ raw ${fmt(esCost.peerStoreToRaw!, 3)}); ` +
          `project ÷ ${peer.name}: Elasticsearch CPU ${fmt(esCost.esCpuToPeer!, 2)} (target ≤ 1.2), store ${fmt(esCost.storeToPeer!, 2)}`
        : ''),
  );

  // 6. Latency: a live processor, lines appended at a steady rate, polled for visibility every 50 ms.
  const latDir = mkdtempSync(path.join(os.tmpdir(), 'rtas-bench-lat-'));
  const latFile = path.join(latDir, 'access.log');
  writeFileSync(latFile, '');
  const latNs = `bench${run}l`;
  const live = await startLiveProcessor([
    '--watch', latDir, '--es-url', o.esUrl, '--namespace', latNs, '--data-dir', path.join(latDir, 'data'), '--no-metrics',
  ]);
  const latencies = await visibilityLatencies({
    esUrl: o.esUrl,
    index: `logs-weblogs.access-${latNs}`,
    total: o.latencyRate * o.latencySeconds,
    rate: o.latencyRate,
    send: (from, n) => appendFileSync(latFile, lines.slice(from, from + n).join('\n') + '\n'),
    timeoutMs: (o.latencySeconds + 30) * 1000,
  });
  const liveSummary = await live.stop();
  rmSync(latDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true }); // the 200,000-line input, checkpoints, Filebeat's registry
  const latencyP50Ms = percentile(latencies, 50);
  const latencyP99Ms = percentile(latencies, 99);
  o.log(
    `append → searchable at ${fmt(o.latencyRate)} lines/s: p50 ${fmt(latencyP50Ms)} ms, p99 ${fmt(latencyP99Ms)} ms (${fmt(latencies.length)} lines); ` +
      `live processor peak RSS ${fmt(liveSummary.peakRssMiB)} MiB`,
  );

  const load1 = os.loadavg()[0]!;
  const rss = peakRssMiB();
  o.log(`load average at end: ${fmt(load1, 2)}; benchmark process (all inputs in memory) peak RSS ${fmt(rss)} MiB`);
  o.log(
    `summary: per-record ratio ${fmt(perRecord.ratio, 3)} (target ≥ 0.5); end-to-end ÷ ceiling ${fmt(endToEnd.docsPerSec / bulkCeilingPerSec, 3)} (≥ 0.9); ` +
      `p99 ${fmt(latencyP99Ms)} ms (≤ 1,500); Elasticsearch store ÷ raw ${fmt(esCost.storeToRaw, 3)} (≤ 1.0); processor peak RSS ${fmt(endToEnd.peakRssMiB)} MiB (≤ 300)` +
      (filebeat ? `; ÷ Filebeat docs/s ${fmt(endToEnd.docsPerSec / filebeat.docsPerSec, 3)} (≥ 1.0)` : '') +
      (fluentBit ? `; ÷ Fluent Bit docs/s ${fmt(endToEnd.docsPerSec / fluentBit.docsPerSec, 3)}, medians ${fmt(medianOf('defaults') / medianOf('fluent-bit'), 3)} (≥ 1.0)` : ''),
  );
  return {
    perRecord,
    ...(formats ? { formats } : {}),
    endToEnd,
    variants,
    bulkCeilingPerSec,
    bulkCeilingSearchablePerSec: ceiling.searchablePerSec,
    cpuBoundPerSec: cpuBound,
    ratioToCeiling: endToEnd.docsPerSec / bulkCeilingPerSec,
    latencyP50Ms,
    latencyP99Ms,
    latencySamples: latencies.length,
    rawBytesPerDoc: rawBytes,
    esCost,
    filebeat,
    ratioToFilebeat: filebeat ? endToEnd.docsPerSec / filebeat.docsPerSec : undefined,
    ratioToFilebeatOfMedians: filebeat ? medianOf('defaults') / medianOf('filebeat') : undefined,
    ...(fluentBit ? { fluentBit, ratioToFluentBit: endToEnd.docsPerSec / fluentBit.docsPerSec, ratioToFluentBitOfMedians: medianOf('defaults') / medianOf('fluent-bit') } : {}),
    loadAverage: [load0, load1],
    benchPeakRssMiB: rss,
  };
}
