/**
 * The `_id` layouts of processor/pipeline/document-id.ts: what identifies a record (the same record gives
 * the same `_id`, a different one a different `_id`), the order the `ordered` layout keeps, and which
 * layout a data directory is pinned to.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { documentId, documentIdScheme, orderedOffset, pinDocumentIdScheme, setDocumentIdScheme } from '../../processor/pipeline/document-id.js';
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

afterEach(() => setDocumentIdScheme('ordered'));

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
    const offsets: (number | string)[] = [0, 35, 36, 2 ** 53 - 1, '9007199254740993', '9223372036854775807'];
    const texts = offsets.map(orderedOffset);
    expect([...texts].sort()).toEqual(texts);
    expect(texts.slice(0, 3)).toEqual(['a0', 'az', 'b10']);
  });

  it('writes the sha1 layout when asked: base64url of the SHA-1 of all of it', () => {
    const r = fileRecord(42, 'x');
    const legacy = sha1(`f\0${'a'.repeat(40)}\x0042\0x`);
    expect(documentId(r, 'sha1')).toBe(legacy);
    setDocumentIdScheme('sha1');
    expect(documentId(r)).toBe(legacy);
  });
});

describe('pinDocumentIdScheme: a data directory keeps the layout it was first used with', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'rtas-ids-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('gives a new directory the ordered layout and records it', () => {
    const d = path.join(tmp(), 'data');
    expect(pinDocumentIdScheme(d)).toBe('ordered');
    expect(JSON.parse(readFileSync(path.join(d, 'document-ids.json'), 'utf8'))).toEqual({ scheme: 'ordered' });
    expect(documentIdScheme()).toBe('ordered');
  });

  it('gives a directory an earlier version used (checkpoints, dead letters, a checkpoint file elsewhere) the sha1 layout, and keeps it', () => {
    const withCheckpoints = tmp();
    mkdirSync(path.join(withCheckpoints, 'checkpoints'));
    expect(pinDocumentIdScheme(withCheckpoints)).toBe('sha1');
    expect(documentId(fileRecord(1, 'x'))).toBe(documentId(fileRecord(1, 'x'), 'sha1'));
    setDocumentIdScheme('ordered');
    expect(pinDocumentIdScheme(withCheckpoints)).toBe('sha1'); // from its document-ids.json now

    const withLetters = tmp();
    writeFileSync(path.join(withLetters, 'dead-letters.ndjson'), '');
    expect(pinDocumentIdScheme(withLetters)).toBe('sha1');

    const elsewhere = path.join(tmp(), 'checkpoint.json');
    writeFileSync(elsewhere, '{}');
    expect(pinDocumentIdScheme(tmp(), [elsewhere])).toBe('sha1');
  });

  it('refuses a document-ids.json that names no layout, saying which file', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'document-ids.json'), '{"scheme":"md5"}');
    expect(() => pinDocumentIdScheme(d)).toThrow(`${path.join(d, 'document-ids.json')}: "scheme" must be one of ordered, sha1`);
  });
});
