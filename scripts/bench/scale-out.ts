import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { run as runCommand } from '../stack/proc.js';
import { describeInput, esCpuSeconds, procCpuSeconds, processorCommand, repeatLines, repoRoot, waitForCount, waitForIdleElasticsearch, type Timeline } from './common.js';
import { fmt, usPerDoc } from './stats.js';
import type { RunSummary } from '../../processor/processor.js';


/** Options of the scale-out benchmark; counts in events. */
export interface ScaleOutBenchOptions {
  esUrl: string;
  brokers: string[];
  /** Access log whose lines are the events (the weblogs dataset). */
  sample: string;
  timeline?: Timeline;
  events: number;
  partitions: number;
  /** Group sizes to measure, e.g. [1, 2, 3]. */
  members: number[];
  batchSize: number;
  log: (line: string) => void;
}

/** One member's share of one group run. */
export interface MemberFigures {
  /** Partitions the member held once the group was stable (`topic` partitions, ascending). */
  partitions: number[];
  indexed: number;
  /** The member's own events/s: indexed ÷ its seconds from launch to exit. */
  eventsPerSec: number;
  /** user + system CPU µs per event it indexed. */
  cpuUsPerEvent: number;
  peakRssMiB: number;
}

/** The figures of one group size. */
export interface ScaleOutRun {
  members: number;
  /** Launch of the first member → `_count` reached every event. */
  totalEventsPerSec: number;
  seconds: number;
  /** Elasticsearch CPU µs per event over the same time. */
  esCpuUsPerEvent: number;
  perMember: MemberFigures[];
}

/** Partitions of `topic` held by each member of `groupId`, once the group is stable with `n` members holding some; else undefined. */
async function assignment(kafka: Kafka, groupId: string, topic: string, n: number): Promise<number[][] | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const group = (await admin.describeGroups([groupId])).groups[0];
    if (!group || group.state !== 'Stable') return undefined;
    const held = group.members.map((m) => [...(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [])].sort((a, b) => a - b));
    return held.filter((p) => p.length > 0).length === n ? held : undefined;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Scale-out of the Kafka path: the same `events` lines, put on a topic of `partitions` partitions by the
 * project's replay tool (`scripts/replay/cli.ts`, as fast as possible), are consumed by 1, 2, 3 …
 * compiled processors (`--kafka --once`, windows off, each its own process) in one new consumer group
 * per size, started together. Prints per size: the partitions each member held (from the group's
 * description once stable), each member's events/s and CPU µs per event, the total events/s from the
 * first launch until `_count` shows every event, and Elasticsearch's CPU per event. On one machine the
 * members and Elasticsearch share its cores, so the total says what one more member buys here; the
 * per-member CPU per event says what it would on more cores.
 * @throws when the broker, the replay tool or a processor fails, or a member indexes nothing.
 */
export async function benchScaleOut(o: ScaleOutBenchOptions): Promise<ScaleOutRun[]> {
  const run = Date.now().toString(36);
  o.log(`load average at start: ${fmt(os.loadavg()[0]!, 2)} on ${os.availableParallelism()} cores`);
  const kafka = new Kafka({ clientId: 'rtas-bench-scale', brokers: o.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.${run}.scale`;
  await admin.createTopics({ topics: [{ topic, numPartitions: o.partitions }], waitForLeaders: true });

  const lines = repeatLines(o.sample, o.events, o.timeline);
  o.log(describeInput(o.sample, lines.length, o.timeline));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtas-bench-scale-'));
  const file = path.join(dir, 'access.log');
  writeFileSync(file, lines.join('\n') + '\n');
  const replay = await runCommand(process.execPath, ['--import', 'tsx', 'scripts/replay/cli.ts', file, '--topic', topic, '--dataset', 'weblogs', '--brokers', o.brokers.join(','),
    '--quiet', '--state-dir', path.join(dir, 'replay')], { cwd: repoRoot });
  const replayed = JSON.parse(replay.stderr.trim().split('\n').pop()!) as { events: number; eventsPerSec: number };
  if (replayed.events !== lines.length) throw new Error(`the replay tool sent ${replayed.events} of ${lines.length} events`);
  // Events per partition (the topic is new: its offsets start at 0).
  const perPartition = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  o.log(
    `replay tool → ${topic}: ${fmt(replayed.events)} events at ${fmt(replayed.eventsPerSec)} events/s; per partition ` +
      [...perPartition].sort((a, b) => a[0] - b[0]).map(([p, n]) => `${p}: ${fmt(n)}`).join(', '),
  );

  const runs: ScaleOutRun[] = [];
  for (const n of o.members) {
    const groupId = `bench-${run}-g${n}`;
    const namespace = `bench${run}s${n}`;
    const index = `logs-weblogs.access-${namespace}`;
    const args = (k: number): string[] => ['--kafka', '--once', '--brokers', o.brokers.join(','), '--group-id', groupId, '--topics', `${topic}=weblogs`,
      '--es-url', o.esUrl, '--namespace', namespace, '--data-dir', path.join(dir, `data-${n}-${k}`), '--batch-size', String(o.batchSize), '--no-metrics', '--no-windows'];
    const commands = await Promise.all(Array.from({ length: n }, (_, k) => processorCommand(args(k)))); // builds dist/ before timing
    await waitForIdleElasticsearch(o.esUrl);
    const es0 = await esCpuSeconds(o.esUrl);
    const started = performance.now();
    const members = commands.map(([cmd, argv]) => startMember(cmd, argv));
    let held: number[][] | undefined;
    const watch = (async () => {
      while (!held && members.some((m) => m.running())) {
        held = await assignment(kafka, groupId, topic, n).catch(() => undefined);
        if (!held) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await waitForCount(o.esUrl, index, lines.length, 30 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    const es1 = await esCpuSeconds(o.esUrl);
    const summaries = await Promise.all(members.map((m) => m.done));
    await watch;
    // The group's description names members by kafkajs member id, not by our process: each member gets
    // the held set whose events add up closest to what it indexed (exact when no rebalance moved a partition).
    const unmatched = [...(held ?? [])];
    const perMember = summaries.map((s): MemberFigures => ({
      partitions: takeClosest(unmatched, (set) => Math.abs(set.reduce((t, p) => t + (perPartition.get(p) ?? 0), 0) - s.summary.indexed)),
      indexed: s.summary.indexed,
      eventsPerSec: s.summary.indexed / s.seconds,
      cpuUsPerEvent: s.summary.indexed > 0 ? usPerDoc(s.cpuSeconds, s.summary.indexed) : Number.NaN,
      peakRssMiB: s.summary.peakRssMiB,
    }));
    const indexed = perMember.reduce((t, m) => t + m.indexed, 0);
    if (indexed !== lines.length) throw new Error(`${n} member(s) indexed ${indexed} of ${lines.length}`);
    const r: ScaleOutRun = { members: n, totalEventsPerSec: lines.length / seconds, seconds, esCpuUsPerEvent: usPerDoc(es1 - es0, lines.length), perMember };
    runs.push(r);
    o.log(
      `${n} member(s): ${fmt(r.totalEventsPerSec)} events/s in all (${fmt(seconds, 2)} s launch → every event searchable), Elasticsearch ${fmt(r.esCpuUsPerEvent, 1)} µs/event; ` +
        perMember
          .map((m, k) => `member ${k + 1}: partitions [${m.partitions.join(',')}] ${fmt(m.indexed)} events, ${fmt(m.eventsPerSec)} events/s, ${fmt(m.cpuUsPerEvent, 1)} µs CPU/event (${fmt(1e6 / m.cpuUsPerEvent)} events/s per core of its own), ${fmt(m.peakRssMiB)} MiB`)
          .join('; '),
    );
  }
  const one = runs.find((r) => r.members === 1);
  if (one) for (const r of runs) if (r !== one) o.log(`${r.members} members ÷ 1: ${fmt(r.totalEventsPerSec / one.totalEventsPerSec, 3)} × the events/s`);
  o.log(`load average at end: ${fmt(os.loadavg()[0]!, 2)}`);
  rmSync(dir, { recursive: true, force: true });
  return runs;
}

/** Removes and returns the element of `sets` with the least `distance` (empty when none is left). */
function takeClosest(sets: number[][], distance: (set: number[]) => number): number[] {
  if (sets.length === 0) return [];
  let best = 0;
  for (let i = 1; i < sets.length; i++) if (distance(sets[i]!) < distance(sets[best]!)) best = i;
  return sets.splice(best, 1)[0]!;
}

/** A member process: its summary, its own seconds (launch → exit) and CPU seconds (sampled from /proc). */
function startMember(cmd: string, argv: string[]): { running(): boolean; done: Promise<{ summary: RunSummary; seconds: number; cpuSeconds: number }> } {
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let cpu = 0;
  const sampler = setInterval(() => {
    const c = procCpuSeconds(child.pid!);
    if (!Number.isNaN(c)) cpu = Math.max(cpu, c);
  }, 100);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    const c = procCpuSeconds(child.pid!); // the summary comes just before exit: the last CPU sample
    if (!Number.isNaN(c)) cpu = Math.max(cpu, c);
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const done = new Promise<{ summary: RunSummary; seconds: number; cpuSeconds: number }>((resolve, reject) =>
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`processor exited with ${code}: ${stderr}`));
      resolve({ summary: JSON.parse(stdout.trim().split('\n').pop()!) as RunSummary, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu });
    }),
  );
  return { running: () => child.exitCode === null && child.signalCode === null, done };
}
