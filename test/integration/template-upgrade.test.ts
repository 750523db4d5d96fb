/**
 * Upgrading over an existing data stream, on the real Elasticsearch: a stream created by an earlier
 * version of a template (here: a mapping without `url.port`) receives the new fields when the processor
 * installs the newer template, so documents carrying them are indexed at once instead of being
 * rejected by `dynamic: strict` until a rollover; and a template Elasticsearch already holds unchanged
 * is neither stored again nor put on the existing streams again.
 *
 * The templates are a test dataset's own (`logs-upgradetest.<ns>-*`), so the real datasets' templates,
 * which other tests use at the same time, are never replaced by an older body.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { dataStreamTemplate, keyword } from '../../processor/datasets/index-template.js';
import { getDataset } from '../../processor/datasets/registry.js';
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
  it('a stream created with an older template gains the new fields; an unchanged template is skipped', async () => {
    const ns = uniqueNamespace('upg');
    const dataset = `upgradetest.${ns}`;
    const stream = `logs-${dataset}-default`;
    const older = { '@timestamp': { type: 'date' }, url: { properties: { original: keyword } } };
    const newer = { '@timestamp': { type: 'date' }, url: { properties: { original: keyword, port: { type: 'long' } } } };
    const version = (properties: Record<string, unknown>) => [{ indexTemplate: () => dataStreamTemplate('logs', dataset, properties) }];
    try {
      // The stream as an earlier version created it.
      const first = await installIndexTemplates(es, version(older));
      expect(first).toEqual({ names: [`logs-${dataset}`], unchanged: [], outdated: [] });
      await es.index({ index: stream, op_type: 'create', document: { '@timestamp': '2026-11-30T00:00:00Z' }, refresh: true });
      expect((await urlProperties(stream)).every((u) => !('port' in u))).toBe(true);
      await expect(
        es.index({ index: stream, op_type: 'create', document: { '@timestamp': '2026-11-30T00:00:01Z', url: { port: 8443 } }, refresh: true }),
      ).rejects.toThrow(/strict_dynamic_mapping_exception|not allowed/);

      // The newer version starts: its template differs, so the existing stream takes the new field.
      const second = await installIndexTemplates(es, version(newer));
      expect(second).toEqual({ names: [`logs-${dataset}`], unchanged: [], outdated: [] });
      const after = await urlProperties(stream);
      expect(after.length).toBeGreaterThan(0);
      for (const u of after) expect(u.port).toEqual({ type: 'long' });
      const r = await es.index({ index: stream, op_type: 'create', document: { '@timestamp': '2026-11-30T00:00:02Z', url: { port: 8443 } }, refresh: true });
      expect(r.result).toBe('created');
      const found = await es.search({ index: stream, query: { term: { 'url.port': 8443 } } });
      expect((found.hits.total as { value: number }).value).toBe(1);

      // The same version again: nothing to do.
      const third = await installIndexTemplates(es, version(newer));
      expect(third.unchanged).toEqual([`logs-${dataset}`]);
      const stored = await es.indices.getIndexTemplate({ name: `logs-${dataset}` });
      expect(stored.index_templates[0]!.index_template._meta).toMatchObject({ managed_by: 'realtime-analytics-stack', content_hash: expect.stringMatching(/^[0-9a-f]{40}$/) });
    } finally {
      await es.indices.deleteDataStream({ name: stream }).catch(() => undefined);
      await es.indices.deleteIndexTemplate({ name: `logs-${dataset}` }).catch(() => undefined);
    }
  });

  it('installs the real datasets’ templates with their content hash', async () => {
    const installed = await installIndexTemplates(es, [getDataset('weblogs')]);
    expect(installed.names).toEqual(['logs-weblogs.access', 'metrics-weblogs.traffic_1m']);
    expect(installed.outdated).toEqual([]);
  });
});
