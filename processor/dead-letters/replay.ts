/**
 * `--replay-dead-letters FILE`: indexes the records of a dead-letter file again, once what made them
 * fail is fixed (an input's `format` or `dataset` in the config, or `--format`), and keeps in the file
 * only those that still fail.
 *
 * Each record goes through the same `transformBatch` as in the processor, with the current settings of
 * the input it was read through (the entry's `input`; entries written before inputs existed go by
 * their dataset's name, the id `--watch` inputs get), into the same data stream (the entry's
 * `namespace`, else the configured one) under the same `_id` (the entry's `id`, else `documentId` of its
 * position and raw text in the `sha1` layout those older entries were written with), with `create` through the `ElasticsearchSink`: a record indexed already
 * (by an earlier replay) comes back as a duplicate, never as a copy. Records cut at the maximum record
 * size (stage `read`) and lines that are not JSON stay as they are. The file is rewritten atomically
 * (a temporary file beside it, fsynced, then renamed over it).
 *
 * Not for the file a running processor appends to: stop it first, or replay a copy (appends made
 * during the replay would be lost by the rename).
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { ConfigError } from '../config/load.js';
import { esConnectionOf, toInputSettings } from '../config/resolve.js';
import type { Config } from '../config/schema.js';
import { datasets, getDataset } from '../datasets/registry.js';
import { dataStreamIndex } from '../datasets/types.js';
import { createEsClient, waitForEs } from '../elasticsearch/client.js';
import { installIndexTemplates } from '../elasticsearch/templates.js';
import { registerInputs, type InputSettings } from '../inputs/settings.js';
import { documentId } from '../pipeline/document-id.js';
import { transformBatch } from '../pipeline/transform.js';
import type { DeadLetter, OutputDocument, SourceRecord } from '../pipeline/types.js';
import { createEnrichContext } from '../processor.js';
import { ArchiveSink } from '../sinks/archive-sink.js';
import { DeadLetterFile, type DeadLetterEntry } from '../sinks/dead-letter-sink.js';
import { ElasticsearchSink } from '../sinks/elasticsearch-sink.js';

/** What `replayDeadLetters` is told. */
export interface ReplayOptions {
  /** The dead-letter NDJSON file (rewritten in place). */
  file: string;
  /** The effective config: its inputs (by id), Elasticsearch, namespace, archive. */
  config: Config;
  /** Format for every replayed record (`--format`), over its input's. */
  format?: string;
  log: Logger;
  /** Records per transform and `_bulk` round (default: the config's `batch_size`). */
  batchSize?: number;
}

/** The JSON summary `--replay-dead-letters` prints. */
export interface ReplaySummary {
  /** Records transformed and sent again. */
  replayed: number;
  /** Of those, newly indexed. */
  indexed: number;
  /** Of those, already in Elasticsearch under their `_id` (an earlier replay, or the original run after all). */
  duplicates: number;
  /** Of those, failing again: kept in the file with their new stage and reason. */
  stillFailing: number;
  /** Entries not replayed and kept as they were: records cut at the maximum record size, lines that are not JSON. */
  kept: number;
}

/** One line of the file in a round: kept verbatim, or a record to replay. */
type Item = { kind: 'kept'; line: string } | { kind: 'replay'; record: SourceRecord; namespace: string };

/**
 * Replays `opts.file` (see the module comment) and resolves with the counts.
 * @throws ConfigError when `--format` is refused by a record's dataset; the file system's or
 * Elasticsearch's error otherwise (the file is then left as it was).
 */
export async function replayDeadLetters(opts: ReplayOptions): Promise<ReplaySummary> {
  const { config, log } = opts;
  const namespace = config.processor.namespace;
  const inputs = new Map<string, InputSettings>(config.inputs.map((i) => [i.id, toInputSettings(i)]));
  if (opts.format !== undefined) for (const [id, input] of inputs) inputs.set(id, { ...input, format: opts.format });
  const checked = new Set<string>();
  /** The input a record is replayed through: its own (as configured now), or one for `--format` alone. */
  const inputFor = (entry: DeadLetterEntry): InputSettings | undefined => {
    // Letters written before inputs existed: a file record went through the `--watch` input named after
    // its dataset. Kafka records never had an input.
    const id = entry.input ?? (entry.position.kind === 'file' && inputs.has(entry.dataset) ? entry.dataset : undefined);
    let input = id === undefined ? undefined : inputs.get(id);
    if (!input && opts.format !== undefined) {
      const syntheticId = id ?? `replay:${entry.dataset}`;
      input = { id: syntheticId, dataset: entry.dataset, paths: [], format: opts.format };
      inputs.set(syntheticId, input);
    }
    if (input && !checked.has(input.id)) {
      checked.add(input.id);
      const dataset = getDataset(input.dataset);
      try {
        dataset.checkFormat?.(input.format);
      } catch (err) {
        throw new ConfigError([{ file: 'command line', path: opts.format !== undefined ? '--format' : `input ${input.id}`, message: `${dataset.name} format: ${(err as Error).message}` }]);
      }
      dataset.prepare?.();
      registerInputs([input]);
    }
    return input;
  };

  const es = esConnectionOf(config);
  const client = createEsClient(es);
  const summary: ReplaySummary = { replayed: 0, indexed: 0, duplicates: 0, stillFailing: 0, kept: 0 };
  const tmp = path.join(path.dirname(opts.file), `.${path.basename(opts.file)}.${process.pid}.replay`);
  let keptFile: FileHandle | undefined;
  const letterFiles = new Map<string, DeadLetterFile>();
  const touched = new Set<string>();
  try {
    await waitForEs(client, es);
    await installIndexTemplates(client, datasets.values());
    const ctx = await createEnrichContext(undefined, config.processor.keep_original);
    const sink = new ElasticsearchSink(client, log, { compression: config.elasticsearch.compression, flushBytes: config.elasticsearch.bulk_max_bytes });
    const archive = config.processor.archive_dir
      ? new ArchiveSink(config.processor.archive_dir, { rollBytes: config.processor.archive_roll_bytes, rollMs: config.processor.archive_roll_ms, log })
      : undefined;
    await archive?.recover();
    // Append mode for both writers of the temporary file (this handle and the DeadLetterFiles): each
    // write lands at the current end, so kept lines and new letters stay in file order.
    await rm(tmp, { force: true });
    keptFile = await open(tmp, 'a');
    const kept = keptFile;
    const lettersOf = (ns: string): DeadLetterFile => {
      let f = letterFiles.get(ns);
      if (!f) letterFiles.set(ns, (f = new DeadLetterFile(tmp, ns)));
      return f;
    };

    /** Transforms and indexes one round, then appends what is kept or fails again, in file order. */
    const round = async (items: Item[]): Promise<void> => {
      const failed = new Map<SourceRecord, DeadLetter>();
      const byNamespace = new Map<string, SourceRecord[]>();
      for (const it of items) if (it.kind === 'replay') byNamespace.set(it.namespace, [...(byNamespace.get(it.namespace) ?? []), it.record]);
      for (const [ns, records] of byNamespace) {
        const { docs, deadLetters } = transformBatch(records, ctx, ns);
        for (const l of deadLetters) failed.set(l.record, l);
        const result = docs.length > 0 ? await sink.write(docs) : { indexed: [] as OutputDocument[], duplicates: [] as OutputDocument[], rejected: [] };
        for (const d of docs) touched.add(d.index);
        if (archive) await archive.write([...result.indexed, ...result.duplicates]);
        for (const r of result.rejected) failed.set(r.doc.record, { record: r.doc.record, stage: 'index', reason: r.reason });
        summary.replayed += records.length;
        summary.indexed += result.indexed.length;
        summary.duplicates += result.duplicates.length;
      }
      summary.stillFailing += failed.size;
      // Consecutive letters of one namespace go out in one write (one fsync).
      let run: DeadLetter[] = [];
      let runNs = '';
      const flush = async (): Promise<void> => {
        if (run.length > 0) await lettersOf(runNs).write(run);
        run = [];
      };
      for (const it of items) {
        if (it.kind === 'kept') {
          await flush();
          await kept.appendFile(it.line + '\n');
          continue;
        }
        const letter = failed.get(it.record);
        if (!letter) continue;
        if (run.length > 0 && runNs !== it.namespace) await flush();
        runNs = it.namespace;
        run.push(letter);
      }
      await flush();
    };

    const batchSize = opts.batchSize ?? config.processor.batch_size;
    let items: Item[] = [];
    let pending = 0;
    const lines = createInterface({ input: createReadStream(opts.file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let entry: DeadLetterEntry | undefined;
      try {
        entry = JSON.parse(line) as DeadLetterEntry;
      } catch {
        entry = undefined;
      }
      if (!entry || typeof entry.raw !== 'string' || typeof entry.dataset !== 'string' || !entry.position || entry.stage === 'read' || entry.originalBytes !== undefined) {
        if (!entry) log.warn({ line: line.slice(0, 200) }, 'dead-letter line is not JSON; kept as it is');
        items.push({ kind: 'kept', line });
        summary.kept += 1;
        continue;
      }
      const input = inputFor(entry);
      const dataset = input?.dataset ?? entry.dataset;
      getDataset(dataset);
      const record: SourceRecord = {
        dataset,
        raw: entry.raw,
        position: entry.position,
        // Entries carry the `_id` they were given; only those of versions before the `id` field lack it,
        // and those versions wrote `sha1` ids.
        id: entry.id ?? documentId({ position: entry.position, raw: entry.raw }, 'sha1'),
        ...(input ? { input: input.id } : {}),
      };
      items.push({ kind: 'replay', record, namespace: entry.namespace ?? namespace });
      if (++pending >= batchSize) {
        await round(items);
        items = [];
        pending = 0;
      }
    }
    await round(items);
    for (const f of letterFiles.values()) await f.close();
    await archive?.close();
    await kept.sync();
    await kept.close();
    keptFile = undefined;
    await rename(tmp, opts.file);
    // The rename itself is durable once the directory is synced (best effort: not every file system allows it).
    await open(path.dirname(opts.file), 'r')
      .then(async (d) => {
        await d.sync().catch(() => undefined);
        await d.close();
      })
      .catch(() => undefined);
    if (touched.size > 0) {
      await client.indices
        .refresh({ index: [...touched], ignore_unavailable: true, allow_no_indices: true }, { requestTimeout: 30_000, maxRetries: 0 })
        .catch((err: unknown) => log.warn({ err }, 'refresh after the replay failed; the documents become searchable at the next scheduled refresh'));
    }
    log.info({ file: opts.file, ...summary, streams: [...touched] }, 'dead letters replayed');
    return summary;
  } catch (err) {
    for (const f of letterFiles.values()) await f.close().catch(() => undefined);
    await keptFile?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await client.close();
  }
}

/** The data stream a dataset's records go to in `namespace` (for callers checking a replay's output). */
export function replayStream(dataset: string, namespace: string): string {
  return dataStreamIndex({ ...getDataset(dataset).dataStream, namespace });
}
