import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import { getDataset } from '../datasets/registry.js';
import { dataStreamIndex, type DataStreamName } from '../datasets/types.js';
import type { Metrics } from '../observability/metrics.js';
import type { OutputDocument } from '../pipeline/types.js';
import type { SlideBucket, WindowDefinition } from './types.js';

/** Options of the window operator; times in ms. */
export interface WindowOperatorOptions {
  client: Client;
  definitions: WindowDefinition[];
  /** Data stream namespace of both the source and the window streams. */
  namespace: string;
  /** How far behind the latest event time an event may arrive and still update its windows (default 10 min). */
  allowedLatenessMs?: number;
  metrics: Metrics;
  log: Logger;
}

/** A window result document ready to be written. */
interface WindowDoc {
  id: string;
  eventCount: number;
  body: Record<string, unknown>;
}

/** Attempts at writing a window whose stored version changed under us (another processor instance). */
const MAX_WRITE_ATTEMPTS = 5;

/** The windows one batch touched: definition name → key → window starts (epoch ms). */
export type WindowTouches = Map<string, Map<string, Set<number>>>;

/** The tag (ECS `tags`) of a document that arrived behind its dataset's watermark. */
export const LATE_TAG = 'late_event';

/** The data stream window `name` writes to in `namespace`: `metrics-{name}-{namespace}`. */
export function windowDataStream(name: string, namespace: string): DataStreamName {
  return { type: 'metrics', dataset: name, namespace };
}

/**
 * Event-time windows with a watermark, materialised from the indexed documents.
 *
 * `assess` sees each batch's documents before they are indexed, in arrival order. Per source dataset
 * the watermark is the latest event time seen minus the allowed lateness; a document older than the
 * watermark is late: it is tagged `late_event`, counted in `rtas_window_late_events_total`, stored
 * raw like any other, and left out of every window. Each on-time document marks the windows that
 * contain it as touched by its batch.
 *
 * `flush` (after the batch is in Elasticsearch, before its offsets are committed; under load the
 * pipeline passes the touches of several consecutive batches at once, see `PipelineOptions.windowUpdateIntervalMs`)
 * recomputes each touched window with one aggregation over the source data stream — a date histogram
 * of slide-sized buckets per key, late documents excluded — and upserts it into the window's own data
 * stream: `create` the first time, then a replacement in its backing index with
 * `if_seq_no`/`if_primary_term`, never by a result that counts fewer events (so of two processors
 * racing on one window, the newer state wins). The source stream holds every event exactly once and a
 * crash replays the uncommitted batches (touching their windows again), so results are exact across
 * crashes and rebalances. State is one watermark per dataset plus the touches of batches in flight or
 * waiting for their window update:
 * bounded however long the run.
 */
export class WindowOperator {
  private readonly maxEventTime = new Map<string, number>();
  private readonly lateness: number;
  /** The definitions fed by each source dataset. */
  private readonly bySourceDataset = new Map<string, WindowDefinition[]>();

  constructor(private readonly opts: WindowOperatorOptions) {
    this.lateness = opts.allowedLatenessMs ?? 10 * 60 * 1000;
    for (const d of opts.definitions) {
      if (d.sizeMs % d.slideMs !== 0) throw new Error(`window ${d.name}: size must be a multiple of slide`);
      this.bySourceDataset.set(d.sourceDataset, [...(this.bySourceDataset.get(d.sourceDataset) ?? []), d]);
    }
  }

  /** Current watermark of a source dataset, epoch ms (−∞ before its first event). */
  watermark(dataset: string): number {
    return (this.maxEventTime.get(dataset) ?? Number.NEGATIVE_INFINITY) - this.lateness;
  }

  /**
   * Tags late documents and returns the windows the on-time ones touch. Call once per batch, in
   * arrival order, before the documents are indexed.
   */
  assess(docs: OutputDocument[]): WindowTouches {
    const touches: WindowTouches = new Map();
    const late = new Map<string, number>(); // dataset → late documents, counted once per batch
    for (const doc of docs) {
      const defs = this.bySourceDataset.get(doc.record.dataset);
      if (!defs) continue;
      const t = Date.parse(String(doc.body['@timestamp']));
      if (!Number.isFinite(t)) continue;
      if (t < this.watermark(doc.record.dataset)) {
        const tags = Array.isArray(doc.body.tags) ? (doc.body.tags as string[]) : [];
        doc.body.tags = [...tags, LATE_TAG];
        late.set(doc.record.dataset, (late.get(doc.record.dataset) ?? 0) + 1);
        continue;
      }
      if (t > (this.maxEventTime.get(doc.record.dataset) ?? Number.NEGATIVE_INFINITY)) this.maxEventTime.set(doc.record.dataset, t);
      for (const def of defs) {
        let byKey = touches.get(def.name);
        if (!byKey) touches.set(def.name, (byKey = new Map()));
        for (const key of def.keyField ? def.keysOf(doc.body) : ['']) {
          let starts = byKey.get(key);
          if (!starts) byKey.set(key, (starts = new Set()));
          for (let s = Math.floor(t / def.slideMs) * def.slideMs; s > t - def.sizeMs; s -= def.slideMs) starts.add(s);
        }
      }
    }
    for (const [dataset, n] of late) this.opts.metrics.windowLateEvents.inc({ dataset }, n);
    return touches;
  }

  /**
   * Recomputes and writes every window in `touches`.
   * @throws the client's error when Elasticsearch fails; calling again with the same touches redoes it.
   */
  async flush(touches: WindowTouches): Promise<void> {
    for (const def of this.opts.definitions) {
      const byKey = touches.get(def.name);
      if (!byKey || byKey.size === 0) continue;
      const docs = await this.compute(def, byKey);
      await this.write(def, docs);
      this.opts.metrics.windowUpdates.inc({ window: def.name }, docs.length);
    }
  }

  private outputStream(def: WindowDefinition): string {
    return dataStreamIndex(windowDataStream(def.name, this.opts.namespace));
  }

  private async compute(def: WindowDefinition, byKey: Map<string, Set<number>>): Promise<WindowDoc[]> {
    const { client, namespace } = this.opts;
    const source = getDataset(def.sourceDataset);
    const sourceIndex = dataStreamIndex({ ...source.dataStream, namespace });
    const ranges = mergeRanges([...byKey.values()].flatMap((starts) => [...starts].map((s) => [s, s + def.sizeMs] as const)));
    const keys = [...byKey.keys()];
    await client.indices.refresh({ index: sourceIndex });
    const histogram = {
      date_histogram: { field: '@timestamp', fixed_interval: `${def.slideMs}ms`, min_doc_count: 1 },
      aggs: def.bucketAggs,
    };
    const response = await client.search({
      index: sourceIndex,
      size: 0,
      query: {
        bool: {
          must_not: [{ term: { tags: LATE_TAG } }],
          filter: [
            { bool: { should: ranges.map(([gte, lt]) => ({ range: { '@timestamp': { gte, lt, format: 'epoch_millis' } } })), minimum_should_match: 1 } },
            ...(def.keyField ? [{ terms: { [def.keyField]: keys } }] : []),
          ],
        },
      },
      aggs: def.keyField ? { by_key: { terms: { field: def.keyField, size: keys.length, include: keys }, aggs: { slides: histogram } } } : { slides: histogram },
    });
    const aggs = response.aggregations as Record<string, any>;
    const slidesByKey = new Map<string, SlideBucket[]>();
    const toSlides = (buckets: any[]): SlideBucket[] =>
      buckets.map(({ key, doc_count, ...rest }) => ({ start: Number(key), docCount: doc_count, aggs: rest }));
    if (def.keyField) for (const b of aggs.by_key.buckets as any[]) slidesByKey.set(String(b.key), toSlides(b.slides.buckets));
    else slidesByKey.set('', toSlides(aggs.slides.buckets));

    const out: WindowDoc[] = [];
    for (const [key, starts] of byKey) {
      const slides = slidesByKey.get(key) ?? [];
      for (const start of starts) {
        const inWindow = slides.filter((b) => b.start >= start && b.start < start + def.sizeMs);
        const eventCount = inWindow.reduce((n, b) => n + b.docCount, 0);
        if (eventCount === 0) continue; // its events were rejected or are not yet visible: nothing to show
        const k = def.keyField ? key : undefined;
        out.push({
          id: createHash('sha1').update(`${def.name}:${key}:${start}`).digest('base64url'),
          eventCount,
          body: {
            '@timestamp': new Date(start).toISOString(),
            event: { kind: 'metric', dataset: def.name, module: def.name.split('.')[0] },
            window: {
              start: new Date(start).toISOString(),
              end: new Date(start + def.sizeMs).toISOString(),
              size_ms: def.sizeMs,
              slide_ms: def.slideMs,
              event_count: eventCount,
              ...(k !== undefined ? { key: k } : {}),
            },
            ...def.result(k, inWindow),
            data_stream: windowDataStream(def.name, namespace),
          },
        });
      }
    }
    return out;
  }

  /** Creates new windows and replaces stored ones that count no more events, with optimistic concurrency. */
  private async write(def: WindowDefinition, docs: WindowDoc[]): Promise<void> {
    const { client } = this.opts;
    const stream = this.outputStream(def);
    let todo = docs;
    for (let attempt = 1; todo.length > 0; attempt++) {
      if (attempt > MAX_WRITE_ATTEMPTS) throw new Error(`window ${def.name}: ${todo.length} windows kept changing under us`);
      const stored = new Map<string, { index: string; seqNo: number; primaryTerm: number; eventCount: number }>();
      const exists = await client.indices.exists({ index: stream });
      if (exists) {
        await client.indices.refresh({ index: stream });
        const found = await client.search<{ window?: { event_count?: number } }>({
          index: stream,
          size: todo.length,
          seq_no_primary_term: true,
          _source: ['window.event_count'],
          query: { ids: { values: todo.map((d) => d.id) } },
        });
        for (const h of found.hits.hits) {
          stored.set(h._id!, { index: h._index, seqNo: h._seq_no!, primaryTerm: h._primary_term!, eventCount: h._source?.window?.event_count ?? 0 });
        }
      }
      const operations: unknown[] = [];
      const sent: WindowDoc[] = [];
      for (const d of todo) {
        const s = stored.get(d.id);
        if (!s) operations.push({ create: { _index: stream, _id: d.id } }, d.body);
        else if (d.eventCount >= s.eventCount) {
          operations.push({ index: { _index: s.index, _id: d.id, if_seq_no: s.seqNo, if_primary_term: s.primaryTerm } }, d.body);
        } else continue; // a newer state (more events) is already stored
        sent.push(d);
      }
      if (operations.length === 0) return;
      const res = await client.bulk({ operations });
      const retry: WindowDoc[] = [];
      res.items.forEach((item, i) => {
        const r = item.create ?? item.index;
        if (!r || r.status < 300) return;
        if (r.status === 409 || r.status === 429) retry.push(sent[i]!);
        else throw new Error(`window ${def.name}: ${r.error?.type ?? r.status}: ${r.error?.reason ?? ''}`);
      });
      if (retry.length > 0) this.opts.log.debug({ window: def.name, retry: retry.length }, 'window changed concurrently; recomputing');
      todo = retry;
    }
  }
}

/** Adds the touched windows of `from` to `into` (mutated), e.g. to update the windows of several batches at once. */
export function mergeTouches(into: WindowTouches, from: WindowTouches): void {
  for (const [name, byKey] of from) {
    let intoByKey = into.get(name);
    if (!intoByKey) into.set(name, (intoByKey = new Map()));
    for (const [key, starts] of byKey) {
      const intoStarts = intoByKey.get(key);
      if (!intoStarts) intoByKey.set(key, new Set(starts));
      else for (const s of starts) intoStarts.add(s);
    }
  }
}

/** The number of windows in `touches` (window starts, over every definition and key). */
export function touchedWindowCount(touches: WindowTouches): number {
  let count = 0;
  for (const byKey of touches.values()) for (const starts of byKey.values()) count += starts.size;
  return count;
}

/** Merges half-open [start, end) ranges into a sorted list of disjoint ones. */
export function mergeRanges(ranges: (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
