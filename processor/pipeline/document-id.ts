import { createHash, hash } from 'node:crypto';
import type { SourceRecord } from './types.js';

/**
 * The document `_id` of a record: the one place it is computed (the pipeline stamps it on every record
 * when the record arrives; transform and the dead-letter file only read `record.id`).
 *
 * Rule: the `_id` must differ whenever the event differs and stay equal when the same event is read
 * again (replay after a crash, a rebalance, a lost checkpoint over unchanged content). A position alone
 * cannot do that: inode numbers are reused, a file can be truncated and rewritten, a Kafka topic can be
 * deleted and re-created with offsets from 0 again. So the `_id` hashes the position together with the
 * record's own content:
 *
 * - file: `fingerprint` (SHA-1 of the file's first bytes, see {@link fileFingerprint}), the line's byte
 *   offset, and the line's text. The fingerprint plays the part of Filebeat filestream's `fingerprint`
 *   file identity and Vector's checksum fingerprinter; the inode is not part of the `_id` at all.
 * - kafka: the cluster id, topic, partition, offset, the message timestamp and the message value. Topic
 *   IDs (KIP-516) would be the cleaner topic identity, but kafkajs 2.2 speaks Metadata v6, which predates
 *   them; a re-created topic's messages differ in timestamp and value, which is what makes them new events.
 *
 * Layout (`ordered`, the default): `{source}{offset}{digest}` — 5 base64url characters of the SHA-1 of
 * the source (the file's fingerprint; cluster, topic and partition), the offset in an order-keeping code
 * (`orderedOffset`), then the first 16 base64url characters (96 bits) of the SHA-1 of all of the above
 * and the record's text. Consecutive records of one file (past its first KiB, whose lines each have
 * their own fingerprint) or partition thus get neighbouring `_id`s, in order, as Elasticsearch's own
 * auto-generated ids are: its check that a `create`'s `_id` is new looks it up in every segment's
 * terms, which costs far less for ordered than for random ids (measured: 1,000,000 documents
 * into the weblogs template, Elasticsearch CPU 57–65 µs per document against 67–86 for random SHA-1 ids;
 * Elasticsearch's "tune for indexing speed" advice gives the reason). 22 characters plus the offset's
 * base-36 digits (23–27 below 36^5, 33 at most below 2^53). The same inputs as the `sha1` layout, so the
 * identity rule is unchanged.
 *
 * Layout `sha1` (before 2026-12-07): base64url of the SHA-1 of all of it, 27 characters. Which layout a
 * record gets follows the data stream it goes to, not the processor: the write index of a stream
 * created from this version's templates says `ordered` in its mapping's `_meta` (`DOCUMENT_IDS_META`);
 * one created before says nothing and keeps `sha1` until it rolls over (`layoutOfWriteIndex`). So a
 * replay after an upgrade — an uncommitted batch, a lost data directory, another member of a Kafka group
 * — gives a stored event the `_id` it already has (Elasticsearch enforces `_id`s per backing index only,
 * so nothing is lost by switching at a rollover).
 *
 * Cost: one SHA-1 over the record text plus ~60 bytes of position per record (measured by
 * `npm run faults -- --case id-cost`); the source part's SHA-1 once per source.
 * @param layout the layout of the data stream the record goes to (`layoutOfWriteIndex`).
 */
export function documentId(record: Pick<SourceRecord, 'position' | 'raw'>, layout: DocumentIdScheme = 'ordered'): string {
  const p = record.position;
  const source = p.kind === 'file' ? `f\0${p.fingerprint ?? `${p.fileId}:${p.generation}`}\0` : `k\0${p.cluster ?? ''}\0${p.topic}\0${p.partition}\0`;
  const key = p.kind === 'file' ? `${source}${p.offset}\0` : `${source}${p.offset}\0${p.timestamp ?? ''}\0`;
  // One-shot `crypto.hash` is about twice as fast as a Hash object for inputs this small.
  const digest = hash('sha1', key + record.raw, 'base64url');
  if (layout === 'sha1') return digest;
  return `${sourcePrefix(source)}${orderedOffset(p.offset)}${digest.slice(0, 16)}`;
}

/** The two `_id` layouts of {@link documentId}. */
export type DocumentIdScheme = 'ordered' | 'sha1';

/** Where a backing index's mapping names the `_id` layout of its documents: `_meta.document_ids` (index-template.ts puts it there). */
export const DOCUMENT_IDS_META = 'document_ids';

/**
 * The `_id` layout of a data stream's documents, from `GET <stream>/_mapping` (`mappings`: backing
 * index name → its mapping): its write index's `_meta.document_ids`, the write index being the backing
 * index of the highest generation (`.ds-<stream>-<date>-<generation>`). No backing index (the stream does
 * not exist yet; the templates will create it with the marker): `ordered`. A write index without the
 * marker was created before the ordered layout existed: `sha1`.
 * @throws when the marker names no known layout.
 */
export function layoutOfWriteIndex(mappings: Record<string, { mappings?: { _meta?: Record<string, unknown> } }>): DocumentIdScheme {
  let write: string | undefined;
  let generation = -1;
  for (const name of Object.keys(mappings)) {
    const g = Number(/-(\d+)$/.exec(name)?.[1] ?? 0);
    if (g > generation || (g === generation && write !== undefined && name > write)) {
      generation = g;
      write = name;
    }
  }
  if (write === undefined) return 'ordered';
  const named = mappings[write]!.mappings?._meta?.[DOCUMENT_IDS_META];
  if (named === undefined) return 'sha1';
  if (named !== 'ordered' && named !== 'sha1') throw new Error(`${write}: _meta.${DOCUMENT_IDS_META} is ${JSON.stringify(named)}, not ordered or sha1`);
  return named;
}

// The source part of the last source: records mostly come from one file or partition at a time.
let lastSource = '';
let lastPrefix = '';
function sourcePrefix(source: string): string {
  if (source !== lastSource) {
    lastSource = source;
    lastPrefix = hash('sha1', source, 'base64url').slice(0, 5);
  }
  return lastPrefix;
}

/**
 * An offset (a number, or Kafka's decimal string) as text that sorts as the number does: the count of
 * base-36 digits as a letter (`a` = 1 … `k` = 11), then the digits; past 2^53 (Kafka offsets are 63-bit)
 * `z`, the count of decimal digits in two digits, then the digits (after every shorter code, in order).
 */
export function orderedOffset(offset: number | string): string {
  const n = typeof offset === 'number' ? offset : Number(offset);
  if (!Number.isSafeInteger(n) || n < 0) {
    const text = String(offset);
    return `z${String(text.length).padStart(2, '0')}${text}`;
  }
  const digits = n.toString(36);
  return `${String.fromCharCode(96 + digits.length)}${digits}`;
}

/**
 * How many bytes of a file's head identify it (Filebeat's fingerprint `length` and Vector's
 * `checksum` both default to 1024 bytes).
 */
export const FINGERPRINT_BYTES = 1024;

/**
 * The file identity part of a line's `_id`: SHA-1 (hex) of the file's first `min(lineEnd, 1024)` bytes,
 * where `lineEnd` is the byte just past the line. A line that ends inside the first KiB is thus
 * identified by everything before and including it (those bytes never change while the file is only
 * appended to); every later line shares the fingerprint of the full first KiB. Unlike Filebeat and
 * Vector, which do not read a file until it has 1024 bytes, small files are read at once.
 *
 * @param head the file's first bytes, at least `min(lineEnd, 1024)` of them.
 * @param full the cached fingerprint of the full first KiB, when the head has that many bytes.
 */
export function fileFingerprint(head: Buffer, lineEnd: number, full?: string): string {
  const n = Math.min(lineEnd, FINGERPRINT_BYTES, head.length);
  if (n === FINGERPRINT_BYTES && full) return full;
  return createHash('sha1').update(head.subarray(0, n)).digest('hex');
}
