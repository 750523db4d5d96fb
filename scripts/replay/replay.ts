/**
 * The replay engine: pushes the lines of a recorded file (weblogs, news or ticks) into a Kafka topic
 * with rate control, optional re-basing of event time, per-dataset message keys, an idempotent
 * producer and a resumable position. `scripts/replay/cli.ts` is its command line.
 *
 * Pacing modes ({@link ReplayMode}):
 * - `max`: as fast as the broker acknowledges (batches of up to 1,000 lines, one request in flight);
 * - `rate`: a fixed number of events per second (the generators' {@link Pacer}: absolute schedule,
 *   bursts of due lines for high rates);
 * - `speed`: the recorded gaps divided by `factor` (2 = twice as fast). Line i is due at
 *   `t0 + (ts_i − ts_0) / factor` on the monotonic clock, where `ts_i` is the line's event time, made
 *   non-decreasing (a line stamped earlier than one before it is due with it — real access logs are
 *   written in completion order but stamped with the request's start) and inherited by lines without
 *   a timestamp. Lines already due go out together; a line is sent as soon as it is due, or as soon as
 *   the previous batch is acknowledged if that is later.
 *
 * `rebaseToNow`: the first event sent in this run is re-stamped with the current time and every other
 * event moved by the same shift, so inter-event gaps are kept exactly (whole-second shift for
 * `weblogs`, whose stamps have second precision; ms for the JSON datasets). Only the timestamp text
 * changes (see {@link shiftTimestamp}). The Kafka record timestamp is always the send time
 * (kafkajs' CreateTime), never the recorded event time: records stamped years in the past would fall
 * under the topic's retention at once.
 *
 * Empty lines are not sent (but advance the position). Lines whose key cannot be extracted go
 * without key; lines without a timestamp are sent unchanged; both are counted in the summary.
 *
 * Position and delivery: after each acknowledged batch the position file records the byte offset
 * after the last acknowledged line (atomically, see {@link PositionKeeper}); `resume` starts from it.
 * A graceful stop (abort signal, end of file, count) flushes everything queued and writes the final
 * position, so an interrupted-then-resumed replay sends every line exactly once. After a crash
 * (SIGKILL, power loss) a resumed run re-sends the lines acknowledged after the last completed
 * position write (usually the last batch or two: writes are coalesced while one is in progress) —
 * at-least-once, as Kafka producers are across sessions; nothing acknowledged is skipped.
 *
 * @module scripts/replay/replay
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { Pacer } from '../../generators/common/pacer.js';
import { detectDataset, KAFKA_DATASETS, type DatasetName } from '../../generators/kafka/datasets.js';
import type { LatencySummary } from '../../generators/kafka/latency.js';
import { connectIdempotentProducer, createKafkaClient, createKafkaLogger, warmUpTopic } from '../../generators/kafka/producer.js';
import { kafkaSecurityFromOptions, type KafkaSecurity } from '../../processor/kafka/security.js';
import { KafkaWriter, type KafkaAck } from '../../generators/kafka/writer.js';
import { PositionKeeper, readPosition, sha256 } from './position.js';
import { HEAD_BYTES, LineReader, type FileIdentity, type ReadLine } from './reader.js';
import { eventTimeOf, locateTimestamp, shiftGranularityMs } from './timestamps.js';

/** How fast to send. */
export type ReplayMode = { kind: 'max' } | { kind: 'rate'; eventsPerSec: number } | { kind: 'speed'; factor: number };

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** The recorded file. */
  file: string;
  /** Dataset of the lines; detected from the first non-empty line when omitted. */
  dataset?: DatasetName;
  /** Topic (default: the dataset's topic). */
  topic?: string;
  brokers: string[];
  /** TLS and SASL (processor/kafka/security.ts); default: from the `KAFKA_*` security variables. */
  security?: KafkaSecurity;
  mode: ReplayMode;
  rebaseToNow?: boolean;
  /** Position file (default {@link defaultPositionFile} in `stateDir`). */
  positionFile?: string;
  /** Directory for the default position file (default `.data/replay`, relative to the working directory). */
  stateDir?: string;
  /** Continue from the position file. */
  resume?: boolean;
  /** Tail the file like `tail -F` until `signal` is aborted. */
  follow?: boolean;
  /** Poll interval in follow mode, ms (default 250). */
  pollMs?: number;
  /** Stop after this many events. */
  count?: number;
  /** Aborting stops the replay gracefully (flush, final position, summary). */
  signal?: AbortSignal;
  /** Called about 4× per second and at the end. */
  onProgress?: (p: ReplayProgress) => void;
  /** Human-readable warnings (resume decisions, rotations, truncations). Default: stderr. */
  warn?: (message: string) => void;
  /** Logger for kafkajs messages (default pino on stderr at LOG_LEVEL or warn). */
  log?: Logger;
  /** Most messages per Kafka request (default 1,000). */
  batchMessages?: number;
}

/** Progress snapshot. */
export interface ReplayProgress {
  /** Lines handed to the producer in this run. */
  events: number;
  /** Lines acknowledged in this run. */
  acked: number;
  /** Bytes of the file consumed since the start offset (current file in follow mode). */
  bytesRead: number;
  /** Bytes from the start offset to the end of the file at start (0 in follow mode). */
  bytesTotal: number;
  seconds: number;
  /** Acknowledged events per second so far. */
  eventsPerSec: number;
}

/** Why a replay ended. */
export type ReplayStop = 'eof' | 'count' | 'signal';

/** Result of {@link replay}, printed as JSON by the CLI. */
export interface ReplaySummary {
  file: string;
  dataset: DatasetName;
  topic: string;
  brokers: string[];
  mode: string;
  /** Events sent and acknowledged in this run. */
  events: number;
  /** Value bytes acknowledged. */
  bytes: number;
  /** Wall seconds from the first send to the last acknowledgement (3 decimals). */
  seconds: number;
  /** events / seconds (1 decimal). */
  eventsPerSec: number;
  /** Acknowledged Kafka requests. */
  batches: number;
  /** Per acknowledged batch: send → acknowledgement (ms). */
  batchLatencyMs: LatencySummary;
  /** Per message: due (handed to the producer) → acknowledgement of its batch (ms). */
  messageLatencyMs: LatencySummary;
  /** Byte offset this run started at, and the next line's offset at the end (in the last file read). */
  startOffset: number;
  endOffset: number;
  /** Whether the run continued from a position file. */
  resumed: boolean;
  positionFile: string;
  /** Empty lines skipped; lines without a readable timestamp (counted with speed or rebase only); lines without key. */
  skippedEmpty: number;
  untimed: number;
  unkeyed: number;
  /** Event-time shift applied by rebaseToNow, ms (0 otherwise). */
  shiftMs: number;
  rotations: number;
  truncations: number;
  stoppedBy: ReplayStop;
}

/**
 * Default position file: `<stateDir>/<file name>.<topic>.<8 hex of the absolute path's SHA-256>.position.json`.
 */
export function defaultPositionFile(file: string, topic: string, stateDir = '.data/replay'): string {
  const abs = path.resolve(file);
  const h = createHash('sha256').update(abs).digest('hex').slice(0, 8);
  return path.join(stateDir, `${path.basename(abs)}.${topic}.${h}.position.json`);
}

/** Reads the first non-empty line of a file (up to 1 MiB). */
async function firstLine(file: string): Promise<string | null> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    for (const l of buf.toString('utf8', 0, bytesRead).split('\n')) if (l.trim() !== '') return l;
    return null;
  } finally {
    await fh.close();
  }
}

/** First `n` bytes of a file. */
async function headOf(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

interface Mark {
  offset: number;
  file: FileIdentity;
  lines: number;
}

/**
 * Replays `options.file` into Kafka; see the module documentation.
 *
 * @returns the summary (also when stopped by the signal).
 * @throws {Error} when the file is missing, the dataset cannot be detected, the position file does
 *   not match the file on `resume` (without `follow`), or Kafka fails (unreachable, delivery timeout).
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const warn = options.warn ?? ((m: string) => process.stderr.write(`replay: ${m}\n`));
  const file = path.resolve(options.file);
  const st = await stat(file);
  if (!st.isFile()) throw new Error(`${file} is not a regular file`);
  let dataset = options.dataset;
  if (!dataset) {
    const first = await firstLine(file);
    const detected = first === null ? null : detectDataset(first);
    if (!detected) throw new Error(`cannot tell the dataset of ${file} from its first line: pass --dataset weblogs|news|ticks`);
    dataset = detected;
  }
  const ds = KAFKA_DATASETS[dataset];
  const topic = options.topic ?? ds.topic;
  const positionFile = options.positionFile ?? defaultPositionFile(file, topic, options.stateDir);
  const mode = options.mode;

  // ---- where to start -------------------------------------------------------------------
  let startOffset = 0;
  let linesBefore = 0;
  let resumed = false;
  if (options.resume) {
    const pos = await readPosition(positionFile);
    if (!pos) {
      warn(`no position file ${positionFile}: starting at the beginning`);
    } else {
      const head = await headOf(file, pos.headBytes);
      const same = head.length === pos.headBytes && sha256(head) === pos.headSha256 && pos.offset <= st.size;
      if (same) {
        startOffset = pos.offset;
        linesBefore = pos.lines;
        resumed = true;
      } else if (options.follow) {
        warn(`${file} is not the file the position was saved for (rotated or rewritten): following it from the beginning`);
        linesBefore = pos.lines;
      } else {
        throw new Error(
          `${file} does not match position file ${positionFile} (its first ${pos.headBytes} bytes differ or it is shorter than offset ${pos.offset}); ` +
            'run without --resume to start over',
        );
      }
    }
  }

  const reader = await LineReader.open(file, {
    startOffset,
    follow: options.follow ?? false,
    pollMs: options.pollMs ?? 250,
    signal: options.signal,
    onEvent: (event, p) => warn(`${p} was ${event}: reading it from the beginning`),
  });

  // ---- Kafka ------------------------------------------------------------------------------
  let producer: Producer;
  try {
    const security = options.security ?? kafkaSecurityFromOptions();
    const kafka = createKafkaClient({ clientId: 'replay', brokers: options.brokers, log: options.log ?? createKafkaLogger('replay'), security });
    producer = await connectIdempotentProducer(kafka, { brokers: options.brokers, security });
  } catch (err) {
    await reader.close();
    throw err;
  }
  try {
    await warmUpTopic(producer, topic);
  } catch (err) {
    await reader.close();
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
  const keeper = new PositionKeeper(positionFile);
  let ackedLines = 0;
  let firstSendAt: number | null = null;
  let lastAckAt: number | null = null;
  const onAck = (ack: KafkaAck): void => {
    ackedLines += ack.messages;
    if (ack.messages > 0) lastAckAt = performance.now();
    const m = ack.mark as Mark | undefined;
    if (!m) return;
    const headBytes = Math.min(m.offset, HEAD_BYTES);
    keeper.update({
      version: 1,
      file,
      topic,
      dataset: dataset as string,
      offset: m.offset,
      headBytes,
      headSha256: sha256(m.file.head.subarray(0, headBytes)),
      dev: m.file.dev,
      ino: m.file.ino,
      lines: linesBefore + m.lines,
      updatedAt: new Date().toISOString(),
    });
  };
  const writer = new KafkaWriter({ producer, topic, key: ds.key, onAck, maxBatchMessages: options.batchMessages ?? 1_000 });

  // ---- the send loop --------------------------------------------------------------------
  const started = performance.now();
  const bytesTotal = options.follow ? 0 : st.size - startOffset;
  let events = 0;
  let bytesRead = 0;
  let skippedEmpty = 0;
  let untimed = 0;
  let unkeyed = 0;
  let shiftMs: number | null = options.rebaseToNow ? null : 0;
  // Timestamps are read for --speed and --rebase-to-now (and lines without one counted as untimed).
  const needsTimestamps = options.rebaseToNow === true || (mode.kind === 'speed' && mode.factor > 0);
  let stoppedBy: ReplayStop = 'eof';
  let lastProgress = 0;

  const progress = (): ReplayProgress => {
    const seconds = (performance.now() - started) / 1000;
    return { events, acked: ackedLines, bytesRead, bytesTotal, seconds, eventsPerSec: seconds > 0 ? ackedLines / seconds : 0 };
  };

  let chunk: string[] = [];
  let chunkMark: Mark | null = null;
  const flushChunk = async (): Promise<void> => {
    if (chunk.length === 0 && chunkMark === null) return;
    const lines = chunk;
    const mark = chunkMark;
    chunk = [];
    chunkMark = null;
    firstSendAt ??= performance.now();
    await writer.write(lines, mark ?? undefined);
    const now = performance.now();
    if (options.onProgress && now - lastProgress >= 250) {
      lastProgress = now;
      options.onProgress(progress());
    }
  };

  /** Prepares one line: empty → skipped; rebase; counters. Returns the text to send or null. */
  const prepare = (line: ReadLine): string | null => {
    bytesRead += line.nextOffset - line.offset;
    if (line.text.trim() === '') {
      skippedEmpty++;
      chunkMark = { offset: line.nextOffset, file: line.file, lines: events };
      return null;
    }
    let text = line.text;
    if (needsTimestamps) {
      const ts = locateTimestamp(dataset as DatasetName, text);
      if (!ts) {
        untimed++;
      } else if (shiftMs !== 0) {
        if (shiftMs === null) {
          const g = shiftGranularityMs(dataset as DatasetName);
          shiftMs = Math.round((Date.now() - ts.ms) / g) * g;
        }
        text = text.slice(0, ts.start) + ts.render(ts.ms + shiftMs) + text.slice(ts.end);
      }
    }
    if (ds.key(text) === null) unkeyed++;
    events++;
    chunkMark = { offset: line.nextOffset, file: line.file, lines: events };
    return text;
  };

  const limit = options.count ?? Infinity;
  const signal = options.signal;
  const pacer = mode.kind === 'rate' && mode.eventsPerSec > 0 ? new Pacer({ rate: mode.eventsPerSec }) : null;
  const factor = mode.kind === 'speed' && mode.factor > 0 ? mode.factor : 0;
  let t0: number | null = null;
  let ts0 = 0;
  let tsMax = -Infinity;
  let granted = 0;

  try {
    for (;;) {
      if (events >= limit) {
        stoppedBy = 'count';
        break;
      }
      if (signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (!reader.hasBuffered()) await flushChunk(); // the read may block (follow mode): send what we have
      if (pacer && granted === 0) {
        await flushChunk();
        granted = await pacer.take(Math.min(1_000, limit - events), signal);
        if (granted === 0) continue; // aborted
      }
      const line = await reader.next();
      if (line === null) {
        stoppedBy = signal?.aborted ? 'signal' : 'eof';
        break;
      }
      if (factor > 0 && line.text.trim() !== '') {
        const ts = eventTimeOf(dataset, line.text);
        if (ts !== null) {
          if (t0 === null) {
            t0 = performance.now();
            ts0 = ts;
          }
          tsMax = Math.max(tsMax, ts);
        }
        if (t0 !== null) {
          const due = t0 + (tsMax - ts0) / factor;
          const wait = due - performance.now();
          if (wait > 0.5) {
            await flushChunk();
            try {
              await sleep(wait, undefined, signal ? { signal } : undefined);
            } catch (err) {
              if ((err as { name?: string }).name !== 'AbortError') throw err;
              // Aborted while waiting: this line is not sent and the position stays before it.
              stoppedBy = 'signal';
              break;
            }
          }
        }
      }
      const text = prepare(line);
      if (text !== null) {
        chunk.push(text);
        if (pacer) granted--;
      }
      if (chunk.length >= 1_000) await flushChunk();
    }
    await flushChunk();
    await writer.flush();
  } finally {
    await reader.close();
    try {
      await writer.close();
    } finally {
      await keeper.flush();
    }
  }

  const end = lastAckAt ?? performance.now();
  const seconds = firstSendAt === null ? 0 : Math.max(0, (end - firstSendAt) / 1000);
  options.onProgress?.(progress());
  return {
    file,
    dataset,
    topic,
    brokers: options.brokers,
    mode: mode.kind === 'max' ? 'max' : mode.kind === 'rate' ? `rate ${mode.eventsPerSec}/s` : `speed x${mode.factor}`,
    events: ackedLines,
    bytes: writer.stats.bytes,
    seconds: Math.round(seconds * 1000) / 1000,
    eventsPerSec: seconds > 0 ? Math.round((ackedLines / seconds) * 10) / 10 : 0,
    batches: writer.stats.batches,
    batchLatencyMs: writer.stats.batchLatency.summary(),
    messageLatencyMs: writer.stats.messageLatency.summary(),
    startOffset,
    endOffset: keeper.last?.offset ?? startOffset,
    resumed,
    positionFile,
    skippedEmpty,
    untimed,
    unkeyed,
    shiftMs: shiftMs ?? 0,
    rotations: reader.rotations,
    truncations: reader.truncations,
    stoppedBy,
  };
}
