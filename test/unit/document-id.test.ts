/**
 * The `_id` layouts of processor/pipeline/document-id.ts: what identifies a record (the same record gives
 * the same `_id`, a different one a different `_id`), the order the `ordered` layout keeps, and how the
 * layout of a data stream is read from its write index's mapping.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { documentId, layoutOfWriteIndex, orderedOffset } from '../../processor/pipeline/document-id.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';

type Rec = Pick<SourceRecord, 'position' | 'raw'>;
const fileRecord = (offset: number, raw: string, fingerprint = 'a'.repeat(40)): Rec => ({
  raw,
  position: { kind: 'file', path: 'x.log', fileId: 'i', generation: 0, offset, nextOffset: offset + raw.length + 1, fingerprint },
});
const kafkaRecord = (partition: number, offset: string, raw: string, timestamp = '1700000000000'): Rec => ({
  raw,
  position: { kind: 'kafka', cluster: 'c1', topic: 'weblogs.access', partition, offset, timestamp },
});
const sha1 = (text: string): string => createHash('sha1').update(text).digest('base64url');

describe('documentId, ordered layout (the default)', () => {
  it('is the source prefix, the ordered offset and 96 bits of the SHA-1 of position and text (computed here on its own)', () => {
    const fp = 'f'.repeat(40);
    const source = `f\0${fp}\0`;
    expect(documentId(fileRecord(1234, 'GET /', fp))).toBe(`${sha1(source).slice(0, 5)}bya${sha1(`${source}1234\0GET /`).slice(0, 16)}`);
    const k = `k\0c1\0weblogs.access\x003\0`;
    expect(documentId(kafkaRecord(3, '99', 'v'))).toBe(`${sha1(k).slice(0, 5)}b2r${sha1(`${k}99\x001700000000000\0v`).slice(0, 16)}`);
  });

  it('sorts the records of one file, and of one partition, in offset order', () => {
    const offsets = [0, 9, 10, 35, 36, 1295, 1296, 99_999, 1_000_000, 60_466_175, 60_466_176, 2 ** 40];
    const ids = offsets.map((o) => documentId(fileRecord(o, `line ${o}`)));
    expect([...ids].sort()).toEqual(ids);
    const kafkaIds = offsets.map((o) => documentId(kafkaRecord(0, String(o), `m ${o}`)));
    expect([...kafkaIds].sort()).toEqual(kafkaIds);
  });

  it('gives the same record the same _id and changes it with any part of the identity', () => {
    const base = documentId(fileRecord(500, 'a line'));
    expect(documentId(fileRecord(500, 'a line'))).toBe(base);
    const variants = [
      documentId(fileRecord(500, 'a line!')), // text
      documentId(fileRecord(501, 'a line')), // offset
      documentId(fileRecord(500, 'a line', 'b'.repeat(40))), // file identity
      documentId({ ...fileRecord(500, 'a line'), position: { kind: 'file', path: 'x.log', fileId: 'i', generation: 1, offset: 500, nextOffset: 507 } }),
    ];
    expect(new Set([base, ...variants]).size).toBe(5);
    const k = documentId(kafkaRecord(0, '7', 'v'));
    expect(new Set([k, documentId(kafkaRecord(1, '7', 'v')), documentId(kafkaRecord(0, '7', 'v', '1700000000001')), documentId(kafkaRecord(0, '7', 'w'))]).size).toBe(4);
  });

  it('keeps ordered offsets in order past base-36 lengths and past 2^53', () => {
    const offsets: (number | string)[] = [0, 35, 36, 2 ** 53 - 1, '9007199254740993', '90071992547409930', '9223372036854775807'];
    const texts = offsets.map(orderedOffset);
    expect([...texts].sort()).toEqual(texts);
    expect(texts.slice(0, 3)).toEqual(['a0', 'az', 'b10']);
  });

  it('writes the sha1 layout when asked: base64url of the SHA-1 of all of it', () => {
    expect(documentId(fileRecord(42, 'x'), 'sha1')).toBe(sha1(`f\0${'a'.repeat(40)}\x0042\0x`));
  });
});

describe('layoutOfWriteIndex: the layout of a data stream is its write index\'s', () => {
  const marked = { mappings: { _meta: { document_ids: 'ordered' } } };
  const unmarked = { mappings: { _meta: { managed_by: 'x' } } };
  it('is ordered for a stream that does not exist yet (the templates create it marked)', () => {
    expect(layoutOfWriteIndex({})).toBe('ordered');
  });
  it('is sha1 when the write index was made before the marker, whatever older indices say', () => {
    expect(layoutOfWriteIndex({ '.ds-logs-a-default-2026.12.01-000001': marked, '.ds-logs-a-default-2026.12.07-000002': unmarked })).toBe('sha1');
    expect(layoutOfWriteIndex({ '.ds-logs-a-default-2026.12.01-000001': { mappings: {} } })).toBe('sha1');
  });
  it('follows the marker of the highest generation (after a rollover)', () => {
    expect(layoutOfWriteIndex({ '.ds-logs-a-default-2026.12.07-000010': marked, '.ds-logs-a-default-2026.12.01-000009': unmarked })).toBe('ordered');
  });
  it('refuses a marker that names no layout', () => {
    expect(() => layoutOfWriteIndex({ '.ds-logs-a-default-2026.12.07-000001': { mappings: { _meta: { document_ids: 'md5' } } } })).toThrow('_meta.document_ids is "md5"');
  });
});
