/**
 * The pipeline's window updates under load, against the real Elasticsearch: with an update interval,
 * batches that finish within it hand their touched windows and positions to the next batch, so the
 * windows are updated (and the source stream refreshed) fewer times than there are batches; yet no
 * position is committed before a window update that began after its document was indexed, commits
 * stay in order, each position is committed once, and the windows equal a brute-force count.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { datasets } from '../../processor/datasets/registry.js';
import { createWeblogGenerator } from '../../generators/weblogs/index.js';
import { installIndexTemplates } from '../../processor/elasticsearch/templates.js';
import { Metrics } from '../../processor/observability/metrics.js';
import { Pipeline } from '../../processor/pipeline/pipeline.js';
import type { FilePosition, OutputDocument, Source, SourceBatch, SourcePosition } from '../../processor/pipeline/types.js';
import { createEnrichContext } from '../../processor/processor.js';
import { DeadLetterFile } from '../../processor/sinks/dead-letter-sink.js';
import { ElasticsearchSink } from '../../processor/sinks/elasticsearch-sink.js';
import { touchedWindowCount, WindowOperator, type WindowTouches } from '../../processor/windows/window-operator.js';
import { allDocuments, es, quietLog, tempDir, uniqueNamespace } from '../support/stack.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-05-04T09:00:00.000Z');

afterAll(async () => {
  await es.close();
});

type Event =
  | { kind: 'indexed'; offsets: number[] }
  | { kind: 'windows-update-started' }
  | { kind: 'windows-updated'; windows: number }
  | { kind: 'commit'; offsets: number[] };

/** Emits its lines at once (all caught up), as a file source would after a backlog; records every commit. */
class BacklogSource implements Source {
  readonly name = 'backlog';
  private finished!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(
    private readonly lines: string[],
    private readonly events: Event[],
  ) {}

  async start(emit: (batch: SourceBatch) => Promise<void>): Promise<void> {
    let offset = 0;
    const records = this.lines.map((raw) => {
      const position: FilePosition = { kind: 'file', path: 'backlog.log', fileId: 'backlog', generation: 0, offset, nextOffset: offset + raw.length + 1 };
      offset = position.nextOffset;
      return { dataset: 'weblogs', raw, position };
    });
    void emit({ records, caughtUp: true }).then(this.finished);
  }
  async commit(positions: SourcePosition[]): Promise<void> {
    this.events.push({ kind: 'commit', offsets: positions.map((p) => (p as FilePosition).offset) });
  }
  drained(): Promise<void> {
    return this.done;
  }
  async stop(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Runs 3,000 on-time lines (150 ms apart) through the pipeline in batches of 200; returns what happened. */
async function run(windowUpdateIntervalMs: number): Promise<{ events: Event[]; namespace: string; lines: string[]; times: number[] }> {
  const namespace = uniqueNamespace('winupd');
  const gen = createWeblogGenerator({ seed: 7 });
  const times = Array.from({ length: 3000 }, (_, i) => T0 + i * 150);
  const lines = times.map((t) => gen.next(new Date(t)));
  await installIndexTemplates(es, [datasets.get('weblogs')!]);
  const events: Event[] = [];
  const metrics = new Metrics();
  const windows = new WindowOperator({ client: es, definitions: datasets.get('weblogs')!.windows!, namespace, metrics, log: quietLog });
  const flush = windows.flush.bind(windows);
  windows.flush = async (touches: WindowTouches) => {
    events.push({ kind: 'windows-update-started' });
    await flush(touches);
    events.push({ kind: 'windows-updated', windows: touchedWindowCount(touches) });
  };
  const sink = new ElasticsearchSink(es, quietLog);
  const write = sink.write.bind(sink);
  sink.write = async (docs: OutputDocument[]) => {
    const result = await write(docs);
    events.push({ kind: 'indexed', offsets: docs.map((d) => (d.record.position as FilePosition).offset) });
    return result;
  };
  const pipeline = new Pipeline(
    [new BacklogSource(lines, events)],
    sink,
    new DeadLetterFile(path.join(tempDir('winupd'), 'dead-letters.ndjson')),
    await createEnrichContext(),
    metrics,
    quietLog,
    { batchSize: 200, namespace, windows, windowUpdateIntervalMs },
  );
  await pipeline.start();
  await pipeline.drain();
  return { events, namespace, lines, times };
}

/**
 * Checks the commit rule on the recorded events: each committed position's document was indexed, then
 * a window update began and finished, then the position was committed. Returns the number of updates.
 */
function checkCommitRule(events: Event[], lineCount: number): number {
  const indexedAt = new Map<number, number>();
  // Start of the latest finished update that began after each event index (updates run one at a time).
  let started = -1;
  let lastFinishedStart = -1;
  const committed: number[] = [];
  events.forEach((e, i) => {
    if (e.kind === 'indexed') for (const o of e.offsets) indexedAt.set(o, i);
    else if (e.kind === 'windows-update-started') started = i;
    else if (e.kind === 'windows-updated') lastFinishedStart = started;
    else {
      for (const o of e.offsets) {
        expect(indexedAt.get(o)).toBeLessThan(lastFinishedStart);
        committed.push(o);
      }
    }
  });
  expect(committed).toHaveLength(lineCount);
  expect(committed.every((o, i) => i === 0 || o > committed[i - 1]!)).toBe(true);
  return events.filter((e) => e.kind === 'windows-updated').length;
}

async function trafficWindows(namespace: string): Promise<Map<number, number>> {
  const windows = await allDocuments<{ window: { start: string; event_count: number } }>(`metrics-weblogs.traffic_1m-${namespace}`);
  return new Map(windows.map((w) => [Date.parse(w.window.start), w.window.event_count]));
}

describe('window updates under load', () => {
  it('a long interval: fewer updates than batches, nothing committed before its windows, windows exact', async () => {
    const { events, namespace, lines, times } = await run(60_000);
    const batches = events.filter((e) => e.kind === 'indexed').length;
    expect(batches).toBe(15);
    const updates = checkCommitRule(events, lines.length);
    expect(updates).toBeLessThan(batches);
    expect(updates).toBeGreaterThanOrEqual(1);

    const expected = new Map<number, number>();
    for (const t of times) expected.set(Math.floor(t / MINUTE) * MINUTE, (expected.get(Math.floor(t / MINUTE) * MINUTE) ?? 0) + 1);
    expect(await trafficWindows(namespace)).toEqual(expected);
  });

  it('interval 0: one update per batch, same rule', async () => {
    const { events, lines } = await run(0);
    const batches = events.filter((e) => e.kind === 'indexed').length;
    expect(checkCommitRule(events, lines.length)).toBe(batches);
  });
});
