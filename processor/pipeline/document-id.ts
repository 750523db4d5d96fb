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
 * Cost: one SHA-1 over the record text plus ~60 bytes of position per record (measured by
 * `npm run faults -- --case id-cost`). 27 characters: base64url of the 20-byte digest.
 */
export function documentId(record: Pick<SourceRecord, 'position' | 'raw'>): string {
  const p = record.position;
  const key =
    p.kind === 'file'
      ? `f\0${p.fingerprint ?? `${p.fileId}:${p.generation}`}\0${p.offset}\0`
      : `k\0${p.cluster ?? ''}\0${p.topic}\0${p.partition}\0${p.offset}\0${p.timestamp ?? ''}\0`;
  // One-shot `crypto.hash` is about twice as fast as a Hash object for inputs this small.
  return hash('sha1', key + record.raw, 'base64url');
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
