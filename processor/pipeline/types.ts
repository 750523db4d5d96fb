/**
 * The contracts between sources, the pipeline and sinks.
 *
 * Sources only produce raw records with a position; sinks only consume documents and acknowledge;
 * the pipeline between them owns batching, back-pressure, retries and checkpoints (see README, "Flow").
 */

/** Where a record sits in a file: identity survives renames (rotation), generation bumps on truncation. */
export interface FilePosition {
  kind: 'file';
  /** Path the record was read from (the path at read time; a rotated file keeps its identity). */
  path: string;
  /** Stable file identity: `${device}:${inode}`. */
  fileId: string;
  /** Incremented each time the file was found truncated or replaced under the same inode. */
  generation: number;
  /** Byte offset of the first byte of the line. */
  offset: number;
  /** Byte offset just past the line's newline: where reading resumes once this record is committed. */
  nextOffset: number;
  /** Content identity of the file up to this line (see `fileFingerprint` in document-id.ts); part of the `_id`. */
  fingerprint?: string;
}

/** Where a record sits in a Kafka topic partition. */
export interface KafkaPosition {
  kind: 'kafka';
  topic: string;
  partition: number;
  /** The message offset (a decimal string, as kafkajs gives it). */
  offset: string;
  /** Cluster id of the broker the message came from; part of the `_id`. */
  cluster?: string;
  /** The message timestamp (ms since the epoch, a decimal string); part of the `_id`. */
  timestamp?: string;
}

export type SourcePosition = FilePosition | KafkaPosition;

/** One raw input record: a line of text and where it came from. */
export interface SourceRecord {
  /** Name of the dataset that knows how to parse the record (e.g. `weblogs`). */
  dataset: string;
  /** The raw text without its line terminator (at most the maximum record size; see `originalBytes`). */
  raw: string;
  position: SourcePosition;
  /** Set when the record was longer than the maximum record size: its full length in bytes; `raw` is a prefix. */
  originalBytes?: number;
  /** The document `_id`, stamped by the pipeline when the record arrives (processor/pipeline/document-id.ts). */
  id?: string;
  /** Id of the input it was read through (processor/inputs/settings.ts): its format, tags and labels apply. */
  input?: string;
}

/** A document ready for a sink: `_id` is deterministic so a replay is recognised as a duplicate. */
export interface OutputDocument {
  /** Deterministic document id derived from the source position and the record's content (document-id.ts). */
  id: string;
  /** Target data stream, `{type}-{dataset}-{namespace}`. */
  index: string;
  /** The document body (ECS fields and dataset fields). */
  body: Record<string, unknown>;
  /** The record it came from, kept so a rejection can be dead-lettered with its raw line. */
  record: SourceRecord;
}

/** A record that could not become an indexed document, with why. */
export interface DeadLetter {
  record: SourceRecord;
  /** Pipeline stage that refused it. */
  stage: 'read' | 'decode' | 'validate' | 'enrich' | 'index';
  reason: string;
}

/** What a source hands the pipeline. `caughtUp` says it has nothing more to read right now. */
export interface SourceBatch {
  records: SourceRecord[];
  caughtUp: boolean;
}

/**
 * A producer of raw records. `start` begins reading and calls `emit`, awaiting it (back-pressure);
 * `commit` is called by the pipeline only after every sink acknowledged the records up to those
 * positions, in the order they were emitted.
 */
export interface Source {
  readonly name: string;
  start(emit: (batch: SourceBatch) => Promise<void>): Promise<void>;
  /** Durably record that everything up to and including these positions is done. */
  commit(positions: SourcePosition[]): Promise<void>;
  /** Resolves when a bounded source (`--once`) has emitted everything; never for a live source. */
  drained(): Promise<void>;
  /**
   * Stops reading: once it resolves, `emit` is not called again. Commits must keep working (a Kafka
   * consumer stays in its group) so the batches in flight can still commit.
   */
  stop(): Promise<void>;
  /** Releases connections and files after the last commit (a Kafka consumer leaves its group). */
  close(): Promise<void>;
}

/** Outcome of a sink write: every document is in exactly one of the three lists. */
export interface SinkResult {
  indexed: OutputDocument[];
  /** Already present (a replay after a crash): acknowledged, not stored twice. */
  duplicates: OutputDocument[];
  rejected: { doc: OutputDocument; reason: string }[];
}

/** A consumer of documents. `write` resolves only once the documents are durable in the sink. */
export interface Sink {
  readonly name: string;
  write(docs: OutputDocument[]): Promise<SinkResult>;
  close(): Promise<void>;
}
