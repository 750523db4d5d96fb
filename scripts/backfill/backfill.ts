/**
 * Backfill from the batch-layer archive (see `processor/sinks/archive-sink.ts`): re-indexes the archived
 * documents of a time range into their data stream (or the same dataset in another namespace), with
 * `create` and the stored `_id`, so running it again adds nothing.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Logger } from 'pino';
import split2 from 'split2';
import { datasets } from '../../processor/datasets/registry.js';
import { createEsClient, waitForEs } from '../../processor/elasticsearch/client.js';
import { esConnectionFromOptions, type EsConnection } from '../../processor/elasticsearch/connection.js';
import { installIndexTemplates } from '../../processor/elasticsearch/templates.js';
import type { OutputDocument, SourceRecord } from '../../processor/pipeline/types.js';
import { partitionStart, type ArchiveLine } from '../../processor/sinks/archive-sink.js';
import { ElasticsearchSink } from '../../processor/sinks/elasticsearch-sink.js';

const HOUR = 3_600_000;

export interface BackfillOptions {
  archiveDir: string;
  /** Inclusive start, ms since the epoch. */
  from: number;
  /** Exclusive end, ms since the epoch. */
  to: number;
  /** Elasticsearch URL; credentials and CA then come from `ES_*`. Ignored when `es` is given. */
  esUrl?: string;
  /** URL, CA and credentials from the shared `--es-*` options; wins over `esUrl`. */
  es?: EsConnection;
  /** Write into `{type}-{dataset}-{namespace}` and rewrite `data_stream.namespace` (default: the stored data stream). */
  namespace?: string;
  /** Documents per bulk batch (default 5000). */
  batchSize?: number;
  log: Logger;
  onProgress?: (p: { files: number; filesTotal: number; documents: number; indexed: number; duplicates: number }) => void;
}

/** The backfill's JSON summary. `documents` = archived lines in range = indexed + duplicates + rejected. */
export interface BackfillSummary {
  files: number;
  documents: number;
  indexed: number;
  duplicates: number;
  rejected: number;
  seconds: number;
}

/**
 * The committed part files (`part-*.ndjson.gz`, never the hidden open ones) whose hour partition can
 * overlap [from, to), found by the directory names alone, in path order.
 */
export async function archiveFilesInRange(archiveDir: string, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(archiveDir, { recursive: true });
  for (const rel of entries) {
    const base = path.basename(rel);
    if (!base.startsWith('part-') || !base.endsWith('.ndjson.gz')) continue;
    const start = partitionStart(path.dirname(rel));
    if (start === undefined) continue;
    if (start + HOUR <= from || start >= to) continue;
    out.push(path.join(archiveDir, rel));
  }
  return out.sort();
}

/** Streams the archive lines of one file (gunzip + split2, concatenated gzip members included). */
async function eachLine(file: string, onLine: (line: ArchiveLine) => Promise<void>): Promise<void> {
  await streamPipeline(
    createReadStream(file),
    createGunzip(),
    split2((l: string) => (l.length > 0 ? (JSON.parse(l) as ArchiveLine) : undefined)),
    new Writable({
      objectMode: true,
      write(line: ArchiveLine, _enc, cb) {
        onLine(line).then(() => cb(), cb);
      },
    }),
  );
}

/** Rewrites `_index` and `data_stream.namespace` for another namespace; the `_id` stays. */
export function retarget(line: ArchiveLine, namespace: string | undefined): { index: string; body: Record<string, unknown> } {
  if (!namespace) return { index: line._index, body: line._source };
  const ds = line._source.data_stream as { type: string; dataset: string; namespace: string } | undefined;
  if (!ds?.type || !ds.dataset) throw new Error(`archived document ${line._id} has no data_stream`);
  return { index: `${ds.type}-${ds.dataset}-${namespace}`, body: { ...line._source, data_stream: { ...ds, namespace } } };
}

/**
 * Runs the backfill. Documents outside [from, to) by `@timestamp` are skipped; a document repeated in
 * the archive (at-least-once) or already in the target counts as a duplicate (409 or seen in this run).
 */
export async function backfill(o: BackfillOptions): Promise<BackfillSummary> {
  const started = Date.now();
  const conn = o.es ?? esConnectionFromOptions({ esUrl: o.esUrl });
  const client = createEsClient(conn);
  const summary: BackfillSummary = { files: 0, documents: 0, indexed: 0, duplicates: 0, rejected: 0, seconds: 0 };
  try {
    await waitForEs(client, conn);
    for (const t of (await installIndexTemplates(client, datasets.values())).outdated) {
      o.log.warn(`existing data streams ${t.pattern} keep an older mapping until they roll over (${t.reason})`);
    }
    const sink = new ElasticsearchSink(client, o.log);
    const files = await archiveFilesInRange(o.archiveDir, o.from, o.to);
    const batchSize = o.batchSize ?? 5000;
    let batch = new Map<string, OutputDocument>();
    const targets = new Set<string>();
    const progress = (): void =>
      o.onProgress?.({ files: summary.files, filesTotal: files.length, documents: summary.documents, indexed: summary.indexed, duplicates: summary.duplicates });
    const flush = async (): Promise<void> => {
      if (batch.size === 0) return;
      const docs = [...batch.values()];
      batch = new Map();
      const r = await sink.write(docs);
      summary.indexed += r.indexed.length;
      summary.duplicates += r.duplicates.length;
      summary.rejected += r.rejected.length;
      for (const { doc, reason } of r.rejected.slice(0, 3)) o.log.warn({ id: doc.id, reason }, 'backfill: document rejected');
      progress();
    };
    for (const file of files) {
      await eachLine(file, async (line) => {
        const t = Date.parse(String(line._source['@timestamp']));
        if (!(t >= o.from && t < o.to)) return;
        summary.documents += 1;
        const { index, body } = retarget(line, o.namespace);
        targets.add(index);
        const key = `${index}\u0000${line._id}`;
        if (batch.has(key)) {
          summary.duplicates += 1; // the same document twice in one batch: a crash replay in the archive
          return;
        }
        batch.set(key, { id: line._id, index, body, record: undefined as unknown as SourceRecord });
        if (batch.size >= batchSize) await flush();
      });
      summary.files += 1;
      progress();
    }
    await flush();
    // Make the result visible to searches right away (the backfill is a one-off, not the hot path).
    if (targets.size > 0) await client.indices.refresh({ index: [...targets], ignore_unavailable: true }).catch(() => undefined);
  } finally {
    await client.close();
  }
  summary.seconds = Math.round((Date.now() - started) / 10) / 100;
  return summary;
}

/** Parses a time argument: ISO 8601 (`2015-05-17T10:00:00Z`), a date (`2015-05-17`, UTC) or epoch ms. */
export function parseTime(v: string): number {
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw new Error(`not a time: ${v}`);
  return t;
}

/** True when `dir` is a directory (for a clear CLI error). */
export async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
