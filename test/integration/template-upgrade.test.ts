/**
 * Upgrading over an existing data stream, on the real Elasticsearch: a stream created with an older
 * mapping (here: the weblogs mapping without `url.port`, as an earlier version made it) receives the
 * new fields when the processor installs its templates, so documents carrying them are indexed at once
 * instead of being rejected by `dynamic: strict` until a rollover.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { datasets, getDataset } from '../../processor/datasets/registry.js';
import { installIndexTemplates } from '../../processor/elasticsearch/templates.js';
import { es, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

/** The `url` properties of `stream`'s backing indices (one entry per backing index). */
async function urlProperties(stream: string): Promise<Record<string, unknown>[]> {
  const m = (await es.indices.getMapping({ index: stream })) as Record<string, { mappings: { properties?: Record<string, { properties?: Record<string, unknown> }> } }>;
  return Object.values(m).map((i) => i.mappings.properties?.url?.properties ?? {});
}

describe('index templates over existing data streams', () => {
  it('a stream created with an older mapping gains the new fields; a document using them is indexed', async () => {
    const ns = uniqueNamespace('upg');
    const stream = `logs-weblogs.access-${ns}`;
    const oldName = `test-older-weblogs-${ns}`;
    const current = getDataset('weblogs').indexTemplate().body as unknown as {
      template: { settings?: unknown; mappings: { properties: { url: { properties: Record<string, unknown> } } } };
    };
    const older = structuredClone(current.template.mappings);
    delete older.properties.url.properties.port;

    // The stream as an earlier version created it: an exact-name template with a higher priority.
    await es.indices.putIndexTemplate({ name: oldName, index_patterns: [stream], data_stream: {}, priority: 500, template: { mappings: older } } as never);
    try {
      await es.index({ index: stream, op_type: 'create', document: { '@timestamp': '2026-11-30T00:00:00Z' }, refresh: true });
      expect((await urlProperties(stream)).every((u) => !('port' in u))).toBe(true);
      await expect(
        es.index({ index: stream, op_type: 'create', document: { '@timestamp': '2026-11-30T00:00:01Z', url: { port: 8443 } }, refresh: true }),
      ).rejects.toThrow(/strict_dynamic_mapping_exception|not allowed/);
    } finally {
      await es.indices.deleteIndexTemplate({ name: oldName });
    }

    const installed = await installIndexTemplates(es, datasets.values());
    expect(installed.names).toContain(getDataset('weblogs').indexTemplate().name);
    expect(installed.outdated).toEqual([]);

    const after = await urlProperties(stream);
    expect(after.length).toBeGreaterThan(0);
    for (const u of after) expect(u.port).toEqual({ type: 'long' });
    const r = await es.index({ index: stream, op_type: 'create', document: { '@timestamp': '2026-11-30T00:00:02Z', url: { port: 8443 } }, refresh: true });
    expect(r.result).toBe('created');
    const found = await es.search({ index: stream, query: { term: { 'url.port': 8443 } } });
    expect((found.hits.total as { value: number }).value).toBe(1);
  });
});
