import { describe, expect, it } from '@jest/globals';
import { bulkLine, bulkLines } from '../../processor/sinks/elasticsearch-sink.js';
import type { OutputDocument } from '../../processor/pipeline/types.js';

const doc = (id: string, body: Record<string, unknown>): OutputDocument => ({
  id,
  index: 'logs-weblogs.access-t',
  body,
  record: { dataset: 'weblogs', raw: '', position: { kind: 'kafka', topic: 't', partition: 0, offset: '0' } },
});

describe('bulkLine: the NDJSON of one create action', () => {
  it('is the action line and the document, each ending in \\n', () => {
    const d = doc('abc_-1', { message: 'a "quoted"\nline', n: 1 });
    const [action, source, end] = bulkLine(d).split('\n');
    expect(JSON.parse(action!)).toEqual({ create: { _index: 'logs-weblogs.access-t', _id: 'abc_-1' } });
    expect(JSON.parse(source!)).toEqual(d.body);
    expect(end).toBe('');
  });
  it('keeps order in bulkLines', () => {
    const lines = bulkLines([doc('a', { i: 1 }), doc('b', { i: 2 })]);
    expect(lines.map((l) => JSON.parse(l.split('\n')[0]!).create._id)).toEqual(['a', 'b']);
  });
});
