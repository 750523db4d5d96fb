import { createHash, hash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
 * (one letter `a`–`k` for the number of base-36 digits, then the digits; `z` and decimal digits past
 * 2^53), then the first 16 base64url characters (96 bits) of the SHA-1 of all of the above and the
 * record's text. Consecutive records of one file or partition thus get neighbouring `_id`s, in order, as
 * Elasticsearch's own auto-generated ids are: its check that a `create`'s `_id` is new looks it up in every
 * segment's terms, which costs far less for ordered than for random ids (measured: 1,000,000 documents
 * into the weblogs template, Elasticsearch CPU 57–65 µs per document against 67–86 for random SHA-1 ids;
 * Elasticsearch's "tune for indexing speed" advice gives the reason). 27 characters for offsets below
 * 36^5, 29 at most below 2^53. The same inputs as the `sha1` layout, so the identity rule is unchanged.
 *
 * Layout `sha1` (before 2026-12-07): base64url of the SHA-1 of all of it, 27 characters. A data directory
 * that was used before keeps it (`pinDocumentIdScheme`): a replay after an upgrade must give the `_id`s
 * the first attempt gave.
 *
 * Cost: one SHA-1 over the record text plus ~60 bytes of position per record (measured by
 * `npm run faults -- --case id-cost`); the source part's SHA-1 once per source.
 * @param layout defaults to this process's (`setDocumentIdScheme`, `pinDocumentIdScheme`).
 */
export function documentId(record: Pick<SourceRecord, 'position' | 'raw'>, layout: DocumentIdScheme = scheme): string {
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
const SCHEMES: readonly DocumentIdScheme[] = ['ordered', 'sha1'];
let scheme: DocumentIdScheme = 'ordered';

/** The layout `documentId` writes in this process. */
export function documentIdScheme(): DocumentIdScheme {
  return scheme;
}

/** Sets the layout `documentId` writes in this process (the processor sets its data directory's, `pinDocumentIdScheme`). */
export function setDocumentIdScheme(s: DocumentIdScheme): void {
  scheme = s;
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
 * base-36 digits as a letter (`a` = 1 … `k` = 11), then the digits; `z` and the decimal digits for an
 * offset past 2^53 (sorts after every shorter one; Kafka offsets are 63-bit).
 */
export function orderedOffset(offset: number | string): string {
  const n = typeof offset === 'number' ? offset : Number(offset);
  if (!Number.isSafeInteger(n) || n < 0) return `z${String(offset)}`;
  const digits = n.toString(36);
  return `${String.fromCharCode(96 + digits.length)}${digits}`;
}

const ID_SCHEME_FILE = 'document-ids.json';

/**
 * The `_id` layout of a data directory, recorded in `<dataDir>/document-ids.json` on its first use, and
 * set for this process (`setDocumentIdScheme`). A data directory without that file but with checkpoints
 * or dead letters was used by a version that wrote `sha1` ids: it keeps them, so a batch indexed but not
 * committed before an upgrade is recognised as a duplicate when it is replayed after it. A new data
 * directory gets `ordered`. `earlierFiles`: checkpoint and dead-letter files kept outside the directory.
 * A Kafka-only processor leaves nothing there before this file: its directory counts as new (stop it
 * cleanly before upgrading, which commits everything it indexed).
 * @returns the layout in force.
 * @throws when the file exists but names no known layout (the message says which file), or cannot be
 * written (a full disk: `ENOSPC`, which the command line reports as such, exit 4).
 */
export function pinDocumentIdScheme(dataDir: string, earlierFiles: readonly string[] = []): DocumentIdScheme {
  const file = path.join(dataDir, ID_SCHEME_FILE);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    let named: unknown;
    try {
      named = (JSON.parse(text) as { scheme?: unknown }).scheme;
    } catch {
      named = undefined;
    }
    if (!SCHEMES.includes(named as DocumentIdScheme)) throw new Error(`${file}: "scheme" must be one of ${SCHEMES.join(', ')} (found ${text.trim().slice(0, 80)})`);
    setDocumentIdScheme(named as DocumentIdScheme);
    return scheme;
  }
  const used = [path.join(dataDir, 'checkpoints'), path.join(dataDir, 'dead-letters.ndjson'), ...earlierFiles].some((f) => existsSync(f));
  const chosen: DocumentIdScheme = used ? 'sha1' : 'ordered';
  mkdirSync(dataDir, { recursive: true });
  // Written aside and renamed: a full disk must not leave a torn file that later starts would refuse.
  const aside = `${file}.tmp`;
  try {
    writeFileSync(aside, `${JSON.stringify({ scheme: chosen })}\n`);
    renameSync(aside, file);
  } catch (err) {
    rmSync(aside, { force: true });
    throw err;
  }
  setDocumentIdScheme(chosen);
  return chosen;
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
