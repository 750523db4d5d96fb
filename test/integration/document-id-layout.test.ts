/**
 * The `_id` layout follows the data stream, not the processor (processor/pipeline/document-id.ts): a new
 * stream gets ordered `_id`s; a stream whose write index was made before the ordered layout (no
 * `_meta.document_ids` in its mapping) keeps the old SHA-1 `_id`s, so re-reading its lines with a lost data
 * directory after an upgrade gives duplicates, not copies. Run against the real local Elasticsearch.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createEnrichContext, startProcessor } from '../../processor/processor.js';
import { documentId, type DocumentIdScheme } from '../../processor/pipeline/document-id.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { countDocs, es, esUrl, idsOf, quietLog, realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

const content = Buffer.from(readFileSync(realAccessLog, 'utf8').split('\n').slice(0, 300).join('\n') + '\n');

/** The file source's records of `content` (position and fingerprint as it computes them), with `layout`'s `_id`s. */
function recordsOf(file: string, layout: DocumentIdScheme): SourceRecord[] {
  const records: SourceRecord[] = [];
  for (let offset = 0; offset < content.length; ) {
    const next = content.indexOf(10, offset) + 1;
    const fingerprint = createHash('sha1').update(content.subarray(0, Math.min(next, 1024))).digest('hex');
    const raw = content.toString('utf8', offset, next - 1);
    const record: SourceRecord = { dataset: 'weblogs', raw, position: { kind: 'file', path: file, fileId: 'f', generation: 0, offset, nextOffset: next, fingerprint } };
    record.id = documentId(record, layout);
    records.push(record);
    offset = next;
  }
  return records;
}

const ORDERED = /^[\w-]{5}[a-k][0-9a-z]+[\w-]{16}$/;

afterAll(async () => {
  await es.close();
});

describe('the _id layout of a data stream', () => {
  const dir = tempDir('id-layout');
  mkdirSync(path.join(dir, 'in'));
  const file = path.join(dir, 'in', 'access.log');
  writeFileSync(file, content);
  const run = async (namespace: string) => {
    const handle = await startProcessor({ inputs: [{ id: 'weblogs', dataset: 'weblogs', paths: [file] }], once: true, esUrl, namespace, dataDir: tempDir('id-layout-data'), log: quietLog });
    return handle.done;
  };

  it('is ordered for a new stream: the ids sort in line order and are the layout computed from the bytes', async () => {
    const namespace = uniqueNamespace('idnew');
    expect(await run(namespace)).toMatchObject({ lines: 300, indexed: 300, duplicates: 0 });
    const ids = await idsOf(`logs-weblogs.access-${namespace}`);
    expect(ids).toEqual(recordsOf(file, 'ordered').map((r) => r.id!).sort());
    expect(ids.every((id) => ORDERED.test(id))).toBe(true);
    // Past the first KiB every line shares the file's prefix, and the ids sort as the lines follow each other.
    const late = recordsOf(file, 'ordered').filter((r) => r.position.kind === 'file' && r.position.offset > 1024).map((r) => r.id!);
    expect(new Set(late.map((id) => id.slice(0, 5))).size).toBe(1);
    expect([...late].sort()).toEqual(late);
    // The stream now exists, made from the templates: its write index says `ordered`, so a re-read with a
    // lost data directory finds every line again.
    expect(await run(namespace)).toMatchObject({ lines: 300, indexed: 0, duplicates: 300 });
    expect(await idsOf(`logs-weblogs.access-${namespace}`)).toEqual(ids);
  });

  it('stays sha1 for a stream an earlier version wrote: a re-read with a lost data directory gives duplicates', async () => {
    const namespace = uniqueNamespace('idold');
    const index = `logs-weblogs.access-${namespace}`;
    // What the earlier version left: the same lines' documents under SHA-1 ids, in a write index whose
    // mapping has no `_meta.document_ids` (the templates before this layout put none there).
    const records = recordsOf(file, 'sha1');
    const { docs } = transformBatch(records, await createEnrichContext(), namespace);
    const bulk = await es.bulk({ refresh: true, operations: docs.flatMap((d) => [{ create: { _index: d.index, _id: d.id } }, d.body]) });
    expect(bulk.errors).toBe(false);
    await es.indices.putMapping({ index, _meta: { managed_by: 'an earlier version' } });
    const mapping = Object.values(await es.indices.getMapping({ index }))[0]!.mappings;
    expect(mapping._meta).toEqual({ managed_by: 'an earlier version' });

    expect(await run(namespace)).toMatchObject({ lines: 300, indexed: 0, duplicates: 300 });
    expect(await countDocs(index)).toBe(300);
    expect(await idsOf(index)).toEqual(records.map((r) => r.id!).sort());
  });
});
