/**
 * `bench scale`: does throughput hold and RSS stay flat as the work grows? The compiled processor
 * (`--once`, defaults) on a small input, then on one 10 × larger, both made from the real access log
 * repeated and re-timed as the weblogs bench makes its input, each sampled every few seconds for
 * documents indexed (its /metrics) and RSS.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { peakRssMiB, type RunSummary } from '../../processor/processor.js';
import { describeInput, esCpuSeconds, median, mirroredBest, procCpuSeconds, processorCommand, repeatedLine, repoRoot, sampleLines, waitForCount, waitForIdleElasticsearch, type Timeline } from './common.js';
import { fmt, usPerDoc } from './stats.js';

/** Options of the scale benchmark; counts in lines, times in seconds. */
export interface ScaleBenchOptions {
  esUrl: string;
  /** The real access log whose lines are repeated to make both inputs. */
  sample: string;
  /** Event time of the inputs (see `repeatLines`); undefined keeps the sample's own times. */
  timeline?: Timeline;
  /** Lines of the large input (2,000,000 by default). */
  lines: number;
  /** Lines of the small input, the reference (200,000: the weblogs bench's count). */
  small: number;
  /** Seconds between two samples of a run (documents indexed, RSS). */
  sampleSeconds: number;
  /** Rounds of the pair, in mirrored order (small, large, then large, small …). */
  rounds: number;
  log: (line: string) => void;
}

/** One sample of a running processor. */
export interface ScaleSample {
  /** Seconds since launch. */
  elapsedS: number;
  /** `rtas_events_indexed_total` (summed over data streams) from its /metrics; 0 before /metrics answers. */
  docs: number;
  /** Documents indexed per second since the previous sample (since launch for the first). */
  docsPerSec: number;
  /** Resident set size, MiB: `rtas_process_resident_memory_bytes` of /metrics, else VmRSS of /proc/<pid>/status (`rssFromProc`). */
  rssMiB: number;
  /** True when `rssMiB` came from /proc (/metrics not serving yet, or the scrape failed). */
  rssFromProc?: boolean;
  /** Merges running on the Elasticsearch node(s) at the sample, any index (`indices.merges.current`); NaN when unreadable. */
  esMerges: number;
}

/** One measured run of the processor on one input. */
export interface ScaleRun {
  label: 'small' | 'large';
  round: number;
  lines: number;
  /** `lines` ÷ seconds from launch until `_count` of its data stream showed every line. */
  docsPerSec: number;
  seconds: number;
  /** The processor's own peak RSS (VmHWM, from its summary line), MiB. */
  peakRssMiB: number;
  /** The largest sampled RSS, MiB. */
  maxSampledRssMiB: number;
  /** RSS at 90 % of `seconds` minus RSS at 20 % (the nearest samples), MiB: ~0 when memory is flat. */
  rssSlopeMiB: number;
  /** user + system CPU µs of the processor per line, launch → count (or its last reading, ≤ 100 ms before exit, when it had already exited). */
  cpuUsPerDoc: number;
  /** Elasticsearch CPU µs per line over the same time. */
  esCpuUsPerDoc: number;
  /** The run's data stream at the count (primaries, `_stats`): documents merged ÷ documents indexed, merge time (s, summed over merge threads) and of it throttled, segments. */
  esMerges: EsMergeStats;
  samples: ScaleSample[];
  summary: RunSummary;
}

/** What `benchScale` measured; `small`/`large` are each label's fastest round. */
export interface ScaleBenchResult {
  input: string;
  small: Omit<ScaleRun, 'samples' | 'summary'>;
  large: Omit<ScaleRun, 'samples' | 'summary'>;
  /** large ÷ small docs/s of the fastest rounds (target ≥ 0.9), and of the medians over rounds. */
  ratio: number;
  ratioOfMedians: number;
  /** Every run with its samples as [elapsed s, docs, docs/s over the interval, RSS MiB, Elasticsearch merges running]. */
  runs: (Omit<ScaleRun, 'samples' | 'summary'> & { samples: [number, number, number, number, number][] })[];
  loadAverage: [number, number];
  /** This benchmark process's own peak RSS, MiB (the inputs are written in chunks, never held whole). */
  benchPeakRssMiB: number;
}

/**
 * Writes to `file` the same `n` lines `repeatLines(sample, n, timeline)` returns (line i is the sample's
 * non-empty line i mod its count, its timestamp set to `startMs + i × stepMs` with a timeline), each
 * followed by a newline, in chunks of `chunkLines`, so that the whole input is never in memory
 * (each line from `repeatedLine`, as `repeatLines` builds its own). Returns the bytes written.
 * @throws when the sample cannot be read or the file cannot be written.
 */
export async function writeRepeatedLines(file: string, sample: string, n: number, timeline?: Timeline, chunkLines = 10_000): Promise<number> {
  const base = sampleLines(sample);
  const fh = await open(file, 'w');
  let bytes = 0;
  try {
    for (let from = 0; from < n; from += chunkLines) {
      const count = Math.min(chunkLines, n - from);
      const chunk: string[] = new Array<string>(count);
      for (let j = 0; j < count; j++) chunk[j] = repeatedLine(base, from + j, timeline);
      const text = chunk.join('\n') + '\n';
      bytes += Buffer.byteLength(text);
      await fh.write(text);
    }
  } finally {
    await fh.close();
  }
  return bytes;
}

/** The sum of every series of `name` (e.g. `rtas_events_indexed_total`) in Prometheus text `body`; undefined when absent. */
export function metricSum(body: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of body.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

/** VmRSS of process `pid` from /proc/<pid>/status, MiB; NaN when unreadable (exited, not Linux). */
export function procRssMiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Merges running now on the Elasticsearch node(s), any index (`_nodes/stats` `indices.merges.current`, summed); NaN when unreadable. */
export async function esMergesRunning(esUrl: string): Promise<number> {
  const res = await request(`${esUrl.replace(/\/$/, '')}/_nodes/stats/indices/merge?filter_path=nodes.*.indices.merges.current`, { headersTimeout: 2_000, bodyTimeout: 2_000 }).catch(() => undefined);
  if (!res || res.statusCode !== 200) return (await res?.body.dump(), Number.NaN);
  const stats = (await res.body.json()) as { nodes: Record<string, { indices: { merges: { current: number } } }> };
  return Object.values(stats.nodes).reduce((n, x) => n + x.indices.merges.current, 0);
}

/** What Elasticsearch's merges did in one data stream (primaries), from `_stats/merge,segments`. */
export interface EsMergeStats {
  /** `merges.total_docs` ÷ documents in the stream: how often a document was rewritten by merges so far. */
  mergedDocsPerDoc: number;
  /** `merges.total_time_in_millis` / 1000 (summed over merge threads, so it can exceed the wall time), and `total_throttled_time_in_millis` / 1000. */
  mergeSeconds: number;
  throttledSeconds: number;
  segments: number;
}

/** `EsMergeStats` of `target` now; NaNs when the stats cannot be read. */
export async function esMergeStats(esUrl: string, target: string): Promise<EsMergeStats> {
  const res = await request(`${esUrl.replace(/\/$/, '')}/${target}/_stats/merge,segments,docs?filter_path=_all.primaries`).catch(() => undefined);
  if (!res || res.statusCode !== 200) return (await res?.body.dump(), { mergedDocsPerDoc: Number.NaN, mergeSeconds: Number.NaN, throttledSeconds: Number.NaN, segments: Number.NaN });
  type P = { merges: { total_docs: number; total_time_in_millis: number; total_throttled_time_in_millis: number }; segments: { count: number }; docs: { count: number } };
  const p = ((await res.body.json()) as { _all: { primaries: P } })._all.primaries;
  return {
    mergedDocsPerDoc: p.merges.total_docs / p.docs.count,
    mergeSeconds: p.merges.total_time_in_millis / 1000,
    throttledSeconds: p.merges.total_throttled_time_in_millis / 1000,
    segments: p.segments.count,
  };
}

/** RSS (MiB) of the sample nearest to `fraction` (0–1) of `seconds`; NaN without samples. */
export function rssAt(samples: ScaleSample[], seconds: number, fraction: number): number {
  const t = fraction * seconds;
  let best: ScaleSample | undefined;
  for (const s of samples) if (!Number.isNaN(s.rssMiB) && (!best || Math.abs(s.elapsedS - t) < Math.abs(best.elapsedS - t))) best = s;
  return best ? best.rssMiB : Number.NaN;
}

/**
 * Runs the compiled processor (`--watch dir --once`, defaults, `--metrics-port 0`) as its own process,
 * times it from launch until `index`'s `_count` shows `n` documents (as `timeProcessorToCount` does) and
 * samples it every `sampleSeconds` on the way: `rtas_events_indexed_total` and
 * `rtas_process_resident_memory_bytes` from its /metrics (port from its `processor started` log line),
 * VmRSS of /proc/<pid>/status when /metrics does not answer, and the merges running in Elasticsearch
 * (`esMergesRunning`). A last sample is taken at the count if the processor has not exited by then
 * (it usually has: `--once` refreshes, which is what makes the count reach `n`, then exits).
 * Returns the seconds to the count, the samples, the processor's and Elasticsearch's CPU seconds over
 * that time, the merge figures of its data stream at the count, and its summary line.
 * @throws when the processor exits non-zero or indexes fewer than `n` documents.
 */
export async function sampledProcessorRun(o: {
  esUrl: string;
  watchDir: string;
  dataDir: string;
  namespace: string;
  n: number;
  sampleSeconds: number;
}): Promise<{ seconds: number; samples: ScaleSample[]; cpuSeconds: number; esCpuSeconds: number; esMerges: EsMergeStats; summary: RunSummary }> {
  const index = `logs-weblogs.access-${o.namespace}`;
  const [cmd, argv] = await processorCommand(['--watch', o.watchDir, '--once', '--es-url', o.esUrl, '--namespace', o.namespace, '--data-dir', o.dataDir, '--metrics-port', '0']);
  await waitForIdleElasticsearch(o.esUrl);
  const es0 = await esCpuSeconds(o.esUrl);
  const started = performance.now();
  const child = spawn(cmd, argv, { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  let stdout = '';
  let stderr = '';
  let metricsUrl: string | undefined;
  // CPU as timeProcessorToCount takes it: at the count, or (already exited) its last reading, every 100 ms and at the summary line.
  let cpuLast = Number.NaN;
  const readCpu = (): void => {
    const c = procCpuSeconds(pid);
    if (!Number.isNaN(c)) cpuLast = Number.isNaN(cpuLast) ? c : Math.max(cpuLast, c);
  };
  const cpuSampler = setInterval(readCpu, 100);
  child.stdout.on('data', (d: Buffer) => {
    readCpu();
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr = (stderr + text).slice(-16 * 1024);
    if (!metricsUrl) {
      const m = /"metricsPort":(\d+)[^\n]*"msg":"processor started"/.exec(stderr);
      if (m) metricsUrl = `http://127.0.0.1:${m[1]}/metrics`;
    }
  });
  const exited = new Promise<RunSummary>((resolve, reject) =>
    child.on('exit', (code) => {
      clearInterval(cpuSampler);
      if (code !== 0) return reject(new Error(`processor exited with ${code}: ${stderr.slice(-4000)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as RunSummary);
    }),
  );
  exited.catch(() => undefined);

  const samples: ScaleSample[] = [];
  const sampleNow = async (): Promise<void> => {
    let docs: number | undefined;
    let rss: number | undefined;
    const merging = esMergesRunning(o.esUrl);
    if (metricsUrl) {
      const body = await request(metricsUrl, { headersTimeout: 2_000, bodyTimeout: 2_000 })
        .then((r) => (r.statusCode === 200 ? r.body.text() : r.body.dump().then(() => undefined)))
        .catch(() => undefined);
      if (body) {
        docs = metricSum(body, 'rtas_events_indexed_total') ?? 0;
        const bytes = metricSum(body, 'rtas_process_resident_memory_bytes');
        if (bytes !== undefined) rss = bytes / 2 ** 20;
      }
    }
    const elapsedS = (performance.now() - started) / 1000;
    const prev = samples.at(-1);
    docs ??= prev?.docs ?? 0;
    const rssMiB = rss ?? procRssMiB(pid);
    const docsPerSec = (docs - (prev?.docs ?? 0)) / (elapsedS - (prev?.elapsedS ?? 0));
    samples.push({ elapsedS, docs, docsPerSec, rssMiB, ...(rss === undefined ? { rssFromProc: true } : {}), esMerges: await merging });
  };
  let sampling = true;
  const sampler = (async () => {
    for (let k = 1; sampling; k++) {
      const wait = started + k * o.sampleSeconds * 1000 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (!sampling || child.exitCode !== null) break;
      await sampleNow();
    }
  })();

  const short = exited.then((s) =>
    s.indexed < o.n ? Promise.reject(new Error(`processor indexed ${s.indexed} of ${o.n} (rejected ${s.rejected})`)) : new Promise<never>(() => undefined),
  );
  try {
    await Promise.race([waitForCount(o.esUrl, index, o.n, 60 * 60_000), short]);
  } catch (err) {
    sampling = false;
    clearInterval(cpuSampler);
    child.kill('SIGKILL');
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  const atCount = procCpuSeconds(pid);
  const cpuSeconds = Number.isNaN(atCount) ? cpuLast : atCount;
  const esMerges = await esMergeStats(o.esUrl, index);
  sampling = false;
  await sampler;
  if (child.exitCode === null) await sampleNow(); // at the count (the processor is refreshing or exiting)
  const es1 = await esCpuSeconds(o.esUrl);
  const summary = await exited;
  return { seconds, samples, cpuSeconds, esCpuSeconds: es1 - es0, esMerges, summary };
}

/** One line per sample: elapsed s, documents indexed, docs/s over the interval, RSS MiB (`*`: from /proc), Elasticsearch merges running. */
function sampleLine(s: ScaleSample): string {
  return `    ${fmt(s.elapsedS, 1).padStart(6)} s  ${fmt(s.docs).padStart(9)} docs  ${fmt(s.docsPerSec).padStart(7)} docs/s  RSS ${fmt(s.rssMiB).padStart(4)} MiB${s.rssFromProc ? '*' : ' '}  ES merges ${fmt(s.esMerges)}`;
}

/**
 * The scale benchmark: writes the small and the large input (`writeRepeatedLines`, each in its own
 * directory of a temporary one), then runs the compiled processor on each, `rounds` times in mirrored
 * order (`mirroredBest`), every run into a namespace and data dir of its own, sampled as
 * `sampledProcessorRun` does. Logs every run's time series and figures, then per label the fastest
 * round's docs/s, peak RSS and RSS slope, and large ÷ small docs/s (the issue's target: ≥ 0.9).
 * The temporary directory is removed at the end. The runs' data streams stay, as the other benchmarks'
 * do (the local Elasticsearch answers 405 to `DELETE _data_stream/…`): ~0.25–0.4 GB per 2,000,000-line run.
 * @throws when Elasticsearch is unreachable, or a run fails or indexes fewer documents than lines.
 */
export async function benchScale(o: ScaleBenchOptions): Promise<ScaleBenchResult> {
  const run = `scale${Date.now().toString(36)}`;
  const load0 = os.loadavg()[0]!;
  o.log(`load average at start: ${fmt(load0, 2)} on ${os.availableParallelism()} cores`);
  const input = describeInput(o.sample, o.lines, o.timeline);
  o.log(`${input}; the small input is its first ${fmt(o.small)} lines, written the same way`);
  o.log(
    'the NASA 1995 logs named by the issue cannot be downloaded here (no internet beyond package registries): ' +
      'both inputs are the real access log repeated and re-timed exactly as the weblogs bench does (each line from the same repeatedLine as repeatLines)',
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtas-bench-scale-'));
  try {
    const inputs = { small: o.small, large: o.lines };
    for (const [label, n] of Object.entries(inputs)) {
      mkdirSync(path.join(dir, label));
      const t0 = performance.now();
      const bytes = await writeRepeatedLines(path.join(dir, label, 'access.log'), o.sample, n, o.timeline);
      o.log(`${label} input: ${fmt(n)} lines, ${fmt(bytes / 2 ** 20, 1)} MiB, written in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    }
    const all = new Map<string, ScaleRun[]>();
    const step = (label: 'small' | 'large') => ({
      name: label,
      run: async (round: number): Promise<ScaleRun> => {
        const n = inputs[label];
        const namespace = `${run}${label[0]}${round}`;
        const r = await sampledProcessorRun({
          esUrl: o.esUrl, watchDir: path.join(dir, label), dataDir: path.join(dir, `data-${namespace}`), namespace, n, sampleSeconds: o.sampleSeconds,
        });
        const rssSlopeMiB = rssAt(r.samples, r.seconds, 0.9) - rssAt(r.samples, r.seconds, 0.2);
        const maxSampledRssMiB = Math.max(...r.samples.map((s) => s.rssMiB).filter((v) => !Number.isNaN(v)));
        const res: ScaleRun = {
          label, round, lines: n, docsPerSec: n / r.seconds, seconds: r.seconds, peakRssMiB: r.summary.peakRssMiB, maxSampledRssMiB, rssSlopeMiB,
          cpuUsPerDoc: usPerDoc(r.cpuSeconds, n), esCpuUsPerDoc: usPerDoc(r.esCpuSeconds, n), esMerges: r.esMerges, samples: r.samples, summary: r.summary,
        };
        o.log(`  ${label} (${fmt(n)} lines, namespace ${namespace}): elapsed, documents indexed (its /metrics), docs/s over the interval, RSS (* = from /proc), merges running in Elasticsearch (any index)`);
        for (const s of r.samples) o.log(sampleLine(s));
        o.log(
          `  ${label}: ${fmt(res.docsPerSec)} docs/s (${fmt(n)} docs counted ${fmt(r.seconds, 2)} s after launch); peak RSS ${fmt(res.peakRssMiB)} MiB ` +
            `(sampled max ${fmt(maxSampledRssMiB)}); RSS at 90 % − at 20 % of the run ${fmt(rssSlopeMiB, 1)} MiB; ` +
            `CPU per document: processor ${fmt(res.cpuUsPerDoc, 1)} µs, Elasticsearch ${fmt(res.esCpuUsPerDoc, 1)} µs; ` +
            `its data stream at the count: ${fmt(r.esMerges.mergedDocsPerDoc, 2)} merged docs per doc, ${fmt(r.esMerges.mergeSeconds, 1)} s of merging (${fmt(r.esMerges.throttledSeconds, 1)} s throttled), ${fmt(r.esMerges.segments)} segments; load average ${fmt(os.loadavg()[0]!, 2)}`,
        );
        return res;
      },
    });
    const best = await mirroredBest([step('small'), step('large')], o.rounds, (round, order) => o.log(`round ${round + 1} of ${o.rounds}: ${order.join(', ')}`), all);
    const small = best.get('small')!;
    const large = best.get('large')!;
    const ratio = large.docsPerSec / small.docsPerSec;
    const medianOf = (label: string): number => median((all.get(label) ?? []).map((r) => r.docsPerSec));
    const ratioOfMedians = medianOf('large') / medianOf('small');
    const strip = ({ samples: _s, summary: _m, ...rest }: ScaleRun): Omit<ScaleRun, 'samples' | 'summary'> => rest;
    o.log(`fastest of ${o.rounds} round(s) each:`);
    for (const r of [small, large]) {
      o.log(`  ${r.label} (${fmt(r.lines)} lines): ${fmt(r.docsPerSec)} docs/s (${fmt(r.seconds, 2)} s), peak RSS ${fmt(r.peakRssMiB)} MiB, RSS slope (90 % − 20 %) ${fmt(r.rssSlopeMiB, 1)} MiB`);
    }
    const runs = [...all.values()].flat().sort((a, b) => a.round - b.round || a.label.localeCompare(b.label));
    const load1 = os.loadavg()[0]!;
    const benchPeak = peakRssMiB();
    o.log(`load average at end: ${fmt(load1, 2)}; benchmark process peak RSS ${fmt(benchPeak)} MiB`);
    o.log(
      `summary: large ÷ small docs/s ${fmt(ratio, 3)} (target ≥ 0.9), medians ${fmt(medianOf('large'))} ÷ ${fmt(medianOf('small'))} = ${fmt(ratioOfMedians, 3)}; ` +
        `peak RSS small ${fmt(small.peakRssMiB)} MiB, large ${fmt(large.peakRssMiB)} MiB (all runs: ${runs.map((r) => `${r.label[0]}${r.round + 1} ${fmt(r.peakRssMiB)}`).join(', ')}); ` +
        `large RSS slope ${fmt(large.rssSlopeMiB, 1)} MiB (all large runs: ${runs.filter((r) => r.label === 'large').map((r) => fmt(r.rssSlopeMiB, 1)).join(', ')})`,
    );
    return {
      input,
      small: strip(small),
      large: strip(large),
      ratio,
      ratioOfMedians,
      runs: runs.map((r) => ({
        ...strip(r),
        samples: r.samples.map((s): [number, number, number, number, number] => [Math.round(s.elapsedS * 10) / 10, s.docs, Math.round(s.docsPerSec), Math.round(s.rssMiB), s.esMerges]),
      })),
      loadAverage: [load0, load1],
      benchPeakRssMiB: benchPeak,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
