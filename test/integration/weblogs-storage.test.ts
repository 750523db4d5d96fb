/**
 * The access-log template's storage settings on the real Elasticsearch (WEBLOGS_STORAGE_SETTINGS in
 * processor/datasets/weblogs/template.ts): new backing indices are logsdb, a value that does not fit its
 * field is still rejected (logsdb alone would drop the value and keep the document, so the dead-letter
 * file would never see it), a replayed `_id` is still a 409, and the `_source` Elasticsearch rebuilds
 * (synthetic) carries the document's fields, `event.original` (the raw line with `--keep-original`:
 * neither indexed nor in doc values) included; `url.original` and `user_agent.original` have no `.text`
 * multi-field and are found by exact, prefix and wildcard queries.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { getDataset } from '../../processor/datasets/registry.js';
import { installIndexTemplates } from '../../processor/elasticsearch/templates.js';
import { es, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

describe('logs-weblogs.access storage settings', () => {
  const stream = `logs-weblogs.access-${uniqueNamespace('store')}`;
  const doc = {
    '@timestamp': '2026-12-07T09:00:00.000Z',
    event: {
      kind: 'event', category: ['web'], type: ['access'], outcome: 'success',
      original: '203.0.113.9 - - [07/Dec/2026:09:00:00 +0000] "GET /a.png HTTP/1.1" 200 512 "-" "curl/8.5.0"',
    },
    source: { ip: '203.0.113.9', address: '203.0.113.9', geo: { country_iso_code: 'FR', location: { lat: 48.8566, lon: 2.3522 } } },
    http: { version: '1.1', request: { method: 'GET' }, response: { status_code: 200, body: { bytes: 512 } } },
    url: { original: '/a.png', path: '/a.png', extension: 'png' },
    user_agent: { original: 'curl/8.5.0', name: 'curl', version: '8.5.0' },
    tags: ['b', 'a', 'b'],
  };

  it('creates logsdb backing indices and rejects a value that does not fit its field', async () => {
    await installIndexTemplates(es, [getDataset('weblogs')]);
    const created = await es.index({ index: stream, id: 'doc-1', op_type: 'create', document: doc, refresh: true });
    expect(created.result).toBe('created');
    const settings = await es.indices.getSettings({ index: stream, flat_settings: true });
    for (const s of Object.values(settings)) {
      expect((s.settings as Record<string, unknown>)['index.mode']).toBe('logsdb');
    }
    await expect(
      es.index({ index: stream, op_type: 'create', document: { ...doc, http: { response: { status_code: 'two hundred' } } }, refresh: true }),
    ).rejects.toThrow(/document_parsing_exception|failed to parse/);
    expect((await es.count({ index: stream })).count).toBe(1);
  });

  it('answers a replayed _id with 409 and rebuilds the document from its fields', async () => {
    await expect(es.index({ index: stream, id: 'doc-1', op_type: 'create', document: doc })).rejects.toMatchObject({ meta: { statusCode: 409 } });
    const r = await es.search<Record<string, any>>({ index: stream, query: { ids: { values: ['doc-1'] } } });
    const src = r.hits.hits[0]!._source!;
    expect(src.http).toEqual(doc.http);
    expect(src.url).toEqual(doc.url);
    expect(src.event).toEqual(doc.event);
    expect(src.tags).toEqual(doc.tags); // arrays kept as sent (synthetic_source_keep: arrays)
    expect(src.source.geo.location.lat).toBeCloseTo(48.8566, 5);
  });

  it('url.original and user_agent.original: keywords without .text, found exactly, by prefix and by wildcard', async () => {
    const m = (await es.indices.getMapping({ index: stream })) as Record<string, { mappings: { properties: Record<string, any> } }>;
    for (const { mappings } of Object.values(m)) {
      expect(mappings.properties.url.properties.original.fields).toBeUndefined();
      expect(mappings.properties.user_agent.properties.original.fields).toBeUndefined();
    }
    const queries = [
      { term: { 'user_agent.original': 'curl/8.5.0' } },
      { prefix: { 'user_agent.original': 'curl/' } },
      { wildcard: { 'url.original': '*.png' } },
    ];
    for (const query of queries) {
      const r = await es.search({ index: stream, query });
      expect([JSON.stringify(query), (r.hits.total as { value: number }).value]).toEqual([JSON.stringify(query), 1]);
    }
    // event.original is kept, not searched (ECS: `index: false`): a term query on it finds nothing.
    await expect(es.search({ index: stream, query: { term: { 'event.original': doc.event.original } } })).rejects.toThrow(/not indexed|failed to create query/);
  });
});
