#!/usr/bin/env node
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultEsUrl } from '../../processor/elasticsearch/client.js';
import { defaultBrokers } from '../../processor/kafka/client.js';
import { repeatLines, repoRoot, weblogRecords, type Timeline } from './common.js';
import { benchEsCost, candidateByName, defaultCandidates } from './es-cost.js';
import { benchKafka } from './kafka.js';
import { benchReplay } from './replay.js';
import { benchScale } from './scale.js';
import { benchScaleOut } from './scale-out.js';
import { benchWeblogs, perRecordStages } from './weblogs.js';
import { createEnrichContext } from '../../processor/processor.js';

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

/** Event-time rate of the re-timed inputs, events/s: a busy site (the 200,000 lines span 67 minutes). */
const EVENT_RATE = 50;
/** The re-timed inputs start here (fixed, so runs are alike; every run writes to its own namespaces). */
const INPUT_START = Date.UTC(2026, 0, 1);
const timeline = (o: { sampleTimes?: boolean; eventRate: number }): Timeline | undefined =>
  o.sampleTimes ? undefined : { startMs: INPUT_START, stepMs: 1000 / o.eventRate };

const machine = (): string =>
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

const program = new Command('bench').description(
  'Benchmarks that print figures and ratios measured in one run against the same Elasticsearch (not pass/fail tests).',
);

/**
 * `program.command(name)` with the options every benchmark over the sample log takes: `--es-url`,
 * `--sample` (described as `sampleHelp`) and `--event-rate` (the re-timing of its repeated lines).
 */
function sampleCommand(name: string, description: string, sampleHelp: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--es-url <url>', 'Elasticsearch URL (env ES_URL)', defaultEsUrl())
    .option('--sample <file>', sampleHelp, path.resolve(repoRoot, 'data/samples/weblogs/apache_logs'))
    .option('--event-rate <events/s>', 'the repeated lines are re-timed to this many events per second of event time', positiveInt, EVENT_RATE);
}


sampleCommand('weblogs', 'parse+enrich lines/s, file → Elasticsearch docs/s vs the raw _bulk ceiling, append → searchable latency, peak RSS', 'access log whose lines are repeated')
  .option('--sample-times', "keep the sample's own timestamps (each repeat jumps back 4 days: its events arrive late)")
  .option('--lines <n>', 'lines for the throughput runs', positiveInt, 200_000)
  .option('--batch-size <n>', 'records per micro-batch and per raw _bulk request', positiveInt, 5000)
  .option('--latency-rate <lines/s>', 'append rate of the latency run', positiveInt, 1000)
  .option('--latency-seconds <s>', 'duration of the latency run', positiveInt, 15)
  .addOption(new Option('--peer <name>', 'also run this peer on the same file into the same Elasticsearch, through the same shim (binary from FILEBEAT_BIN or FLUENT_BIT_BIN)').choices(['filebeat', 'fluent-bit']))
  .option('--threads <list>', 'extra end-to-end runs with these --transform-threads counts, e.g. 1,2', (v: string) => v.split(',').map(Number))
  .option('--compression', 'an extra end-to-end run with gzip request bodies (--es-compression)')
  .option('--no-windows-run', 'skip the extra end-to-end run without event-time windows (--no-windows)')
  .option('--rounds <n>', 'repeat the timed runs (ceiling, processor, peer) in mirrored order; the fastest of each counts', positiveInt, 2)
  .option('--bulk-max-bytes <list>', 'extra end-to-end runs with these _bulk request sizes in bytes, e.g. 8388608', (v: string) => v.split(',').map(Number))
  .option('--format <format>', "also measure a weblogs format's per-record cost against combined, in pairs: nginx:<log_format>, apache:<LogFormat>, or 'bench' (two: combined written as an nginx log_format — the compiled parser's own cost — and nginx main + X-Forwarded-For, timings, upstream, request id)")
  .option('--per-record-only', 'only the CPU-only stages (per record, and --format), no Elasticsearch')
  .action(async (o: { esUrl: string; sample: string; lines: number; batchSize: number; latencyRate: number; latencySeconds: number; peer?: 'filebeat' | 'fluent-bit'; threads?: number[]; compression?: boolean; bulkMaxBytes?: number[]; windowsRun: boolean; rounds: number; eventRate: number; sampleTimes?: boolean; format?: string; perRecordOnly?: boolean }) => {
    console.log(machine());
    if (o.perRecordOnly) {
      const { perRecord, formats } = await perRecordStages({ ...o, timeline: timeline(o), log: (l) => console.log(l) });
      console.log(JSON.stringify({ perRecord, formats }));
      return;
    }
    const r = await benchWeblogs({ ...o, timeline: timeline(o), noWindows: o.windowsRun, filebeatBin: process.env.FILEBEAT_BIN, fluentBitBin: process.env.FLUENT_BIT_BIN, log: (l) => console.log(l) });
    console.log(JSON.stringify(r));
  });

sampleCommand('es-cost', "Elasticsearch's cost per web-log document under the template and candidate changes to it: primary store bytes after a force-merge to one segment, CPU µs while indexing", 'access log whose lines are repeated')
  .option('--sample-times', "keep the sample's own timestamps")
  .option('--lines <n>', 'documents per candidate and round', positiveInt, 100_000)
  .option('--batch-size <n>', 'documents per _bulk request', positiveInt, 5000)
  .option('--rounds <n>', 'rounds, candidates in alternating order', positiveInt, 2)
  .option('--latency-seconds <s>', 'per candidate and round, also append → searchable latency for this long (0: none)', (v: string) => Number(v), 0)
  .option('--latency-rate <docs/s>', 'append rate of the latency runs', positiveInt, 1000)
  .option('--candidates <list>', `comma-separated, the first is the reference; a+b applies both (default: all: ${defaultCandidates().map((c) => c.name).join(',')})`)
  .action(async (o: { esUrl: string; sample: string; lines: number; batchSize: number; rounds: number; eventRate: number; sampleTimes?: boolean; candidates?: string; latencySeconds: number; latencyRate: number }) => {
    console.log(machine());
    const all = defaultCandidates();
    const names = o.candidates ? o.candidates.split(',') : all.map((c) => c.name);
    const records = weblogRecords(repeatLines(o.sample, o.lines, timeline(o)));
    console.log(`load average at start: ${os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} cores`);
    const r = await benchEsCost({ ...o, records, ctx: await createEnrichContext(), candidates: names.map((n) => candidateByName(all, n)), log: (l) => console.log(l) });
    console.log(`load average at end: ${os.loadavg()[0]!.toFixed(2)}`);
    console.log(JSON.stringify(r));
  });

sampleCommand('kafka', 'Kafka → Elasticsearch events/s vs the raw _bulk ceiling and a read-only consumer, produce → searchable latency, peak RSS', 'access log whose lines are the events')
  .option('--brokers <list>', 'Kafka brokers (env KAFKA_BROKERS)', defaultBrokers().join(','))
  .option('--sample-times', "keep the sample's own timestamps (each repeat jumps back 4 days: its events arrive late)")
  .option('--events <n>', 'events for the throughput runs', positiveInt, 200_000)
  .option('--partitions <n>', 'partitions of the benchmark topics', positiveInt, 3)
  .option('--batch-size <n>', 'records per micro-batch and per raw _bulk request', positiveInt, 5000)
  .option('--latency-rate <events/s>', 'produce rate of the latency run', positiveInt, 1000)
  .option('--latency-seconds <s>', 'duration of the latency run', positiveInt, 15)
  .option('--rounds <n>', 'repeat the timed runs (Kafka path, file path, ceiling, peer) in mirrored order; the fastest of each counts', positiveInt, 2)
  .addOption(new Option('--peer <name>', "also run this peer's Kafka input on the same topic into the same Elasticsearch (binary from FILEBEAT_BIN)").choices(['filebeat']))
  .action(async (o: { esUrl: string; brokers: string; sample: string; events: number; partitions: number; batchSize: number; latencyRate: number; latencySeconds: number; eventRate: number; sampleTimes?: boolean; rounds: number; peer?: 'filebeat' }) => {
    console.log(machine());
    const filebeatBin = o.peer === 'filebeat' ? process.env.FILEBEAT_BIN : undefined;
    if (o.peer === 'filebeat' && !filebeatBin) throw new Error('--peer filebeat needs FILEBEAT_BIN (path to a filebeat binary; see docs/performance.md)');
    const r = await benchKafka({ ...o, timeline: timeline(o), brokers: o.brokers.split(','), filebeatBin, log: (l) => console.log(l) });
    console.log(JSON.stringify(r));
  });

sampleCommand('scale-out', '1, 2, 3 … processors in one consumer group on one topic fed by the replay tool: partitions each member held, per-member and total events/s, CPU per event', 'access log whose lines are the events')
  .option('--brokers <list>', 'Kafka brokers (env KAFKA_BROKERS)', defaultBrokers().join(','))
  .option('--sample-times', "keep the sample's own timestamps")
  .option('--events <n>', 'events on the topic', positiveInt, 120_000)
  .option('--partitions <n>', 'partitions of the topic', positiveInt, 6)
  .option('--members <list>', 'group sizes to measure, comma-separated', (v: string) => v.split(',').map((x) => positiveInt(x)), [1, 2, 3])
  .option('--batch-size <n>', 'records per micro-batch', positiveInt, 5000)
  .action(async (o: { esUrl: string; brokers: string; sample: string; events: number; partitions: number; members: number[]; batchSize: number; eventRate: number; sampleTimes?: boolean }) => {
    console.log(machine());
    const r = await benchScaleOut({ ...o, timeline: timeline(o), brokers: o.brokers.split(','), log: (l) => console.log(l) });
    console.log(JSON.stringify(r));
  });

sampleCommand('scale', 'a large input (2,000,000 lines) against a small one (200,000), both the real access log repeated and re-timed as weblogs does: docs/s of each and their ratio, peak RSS, RSS slope, docs indexed and RSS sampled during each run', 'access log whose lines are repeated')
  .option('--lines <n>', 'lines of the large input', positiveInt, 2_000_000)
  .option('--small <n>', 'lines of the small (reference) input', positiveInt, 200_000)
  .option('--sample-seconds <s>', 'seconds between samples of documents indexed (the processor\'s /metrics), its RSS and the merges running in Elasticsearch', (v: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
    return n;
  }, 2)
  .option('--rounds <n>', 'rounds of small and large in mirrored order (small, large, large, small …); the fastest of each counts', positiveInt, 2)
  .action(async (o: { esUrl: string; sample: string; eventRate: number; lines: number; small: number; sampleSeconds: number; rounds: number }) => {
    console.log(machine());
    const r = await benchScale({ ...o, timeline: timeline(o), log: (l) => console.log(l) });
    console.log(JSON.stringify(r));
  });

program
  .command('replay')
  .description('pacing accuracy of the replay tool on the real broker: gap error percentiles, span error, events/s (--rate and --speed)')
  .option('--brokers <list>', 'Kafka brokers (env KAFKA_BROKERS)', defaultBrokers().join(','))
  .option('--events <n>', 'events per run', positiveInt, 300)
  .option('--rate <events/s>', 'rate of the --rate run', positiveInt, 100)
  .action(async (o: { brokers: string; events: number; rate: number }) => {
    console.log(machine());
    const r = await benchReplay({ ...o, brokers: o.brokers.split(','), log: (l) => console.log(l) });
    console.log(JSON.stringify(r));
  });

await program.parseAsync();
