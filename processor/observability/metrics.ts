import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeadLetter, OutputDocument } from '../pipeline/types.js';

/** What one committed batch changed, for the metrics. */
export interface BatchReport {
  seconds: number;
  indexed: OutputDocument[];
  duplicates: number;
  deadLetters: DeadLetter[];
  /** Documents appended to the batch-layer archive (0 without one). */
  archived?: number;
}

/**
 * The processor's Prometheus metrics (prom-client), all prefixed `rtas_`:
 * events in/indexed/duplicate/rejected counters, a batch latency histogram (seconds), the checkpoint
 * lag (bytes written but not committed), and the lag from event ingest to commit.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly eventsIn = new Counter({ name: 'rtas_events_in_total', help: 'Raw records read from sources', registers: [this.registry] });
  readonly eventsIndexed = new Counter({
    name: 'rtas_events_indexed_total',
    help: 'Documents newly indexed in Elasticsearch',
    labelNames: ['data_stream'] as const,
    registers: [this.registry],
  });
  readonly eventsDuplicate = new Counter({
    name: 'rtas_events_duplicate_total',
    help: 'Documents already present (replays after a crash), acknowledged without a second copy',
    registers: [this.registry],
  });
  readonly eventsRejected = new Counter({
    name: 'rtas_events_rejected_total',
    help: 'Records sent to the dead-letter file, by pipeline stage',
    labelNames: ['dataset', 'stage'] as const,
    registers: [this.registry],
  });
  readonly eventsArchived = new Counter({
    name: 'rtas_events_archived_total',
    help: 'Documents written (fsynced) to the batch-layer archive before their batch committed',
    registers: [this.registry],
  });
  readonly elasticsearchRetries = new Counter({
    name: 'rtas_elasticsearch_retries_total',
    help: 'Bulk retries of documents not yet acknowledged: reason request (cluster unreachable, reset, timeout) or items (429/5xx per document)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly batchDuration = new Histogram({
    name: 'rtas_batch_duration_seconds',
    help: 'Time from a micro-batch closing to its checkpoint being committed',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly diskFullPaused = new Gauge({
    name: 'rtas_disk_full_paused',
    help: '1 while a dead-letter or checkpoint write waits for space on a full disk (intake paused), else 0',
    registers: [this.registry],
  });
  /** Read when Prometheus scrapes: bytes written to watched files but not yet committed. */
  lagBytes: () => number = () => 0;
  readonly checkpointLagBytes = (() => {
    const self = this;
    return new Gauge({
      name: 'rtas_checkpoint_lag_bytes',
      help: 'Bytes written to watched files but not yet committed',
      registers: [this.registry],
      collect() {
        this.set(self.lagBytes());
      },
    });
  })();

  readonly kafkaConsumerLag = new Gauge({
    name: 'rtas_kafka_consumer_lag',
    help: 'Messages in a partition past the consumer group position (after the last fetch or commit)',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly windowLateEvents = new Counter({
    name: 'rtas_window_late_events_total',
    help: 'Events older than their dataset watermark: stored raw (tagged late_event), left out of windows',
    labelNames: ['dataset'] as const,
    registers: [this.registry],
  });
  readonly windowUpdates = new Counter({
    name: 'rtas_window_updates_total',
    help: 'Window results recomputed and written',
    labelNames: ['window'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'rtas_' });
  }

  recordBatch(r: BatchReport): void {
    this.batchDuration.observe(r.seconds);
    const perStream = new Map<string, number>();
    for (const d of r.indexed) perStream.set(d.index, (perStream.get(d.index) ?? 0) + 1);
    for (const [stream, n] of perStream) this.eventsIndexed.inc({ data_stream: stream }, n);
    this.eventsDuplicate.inc(r.duplicates);
    if (r.archived) this.eventsArchived.inc(r.archived);
    for (const l of r.deadLetters) this.eventsRejected.inc({ dataset: l.record.dataset, stage: l.stage });
  }
}
