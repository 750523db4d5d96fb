/**
 * A template upgrade over data streams of which one refuses the new mapping, on the real Elasticsearch:
 * a refused backing index fails `PUT <pattern>/_mapping` for every index of the pattern, so
 * installIndexTemplates retries index by index — the other streams still gain the new field, and only
 * the refusing backing index is reported `outdated`, with Elasticsearch's reason.
 *
 * The templates are a test dataset's own (`logs-partialupg.<ns>-*`), never the real datasets'.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { dataStreamTemplate, keyword } from '../../processor/datasets/index-template.js';
import { installIndexTemplates } from '../../processor/elasticsearch/templates.js';
import { es, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

describe('index templates over existing data streams, one of which refuses the new mapping', () => {
  it('the others gain the new field; only the refusing backing index is outdated', async () => {
    const ns = uniqueNamespace('pupg');
    const dataset = `partialupg.${ns}`;
    const good = `logs-${dataset}-good`;
    const bad = `logs-${dataset}-bad`;
    const version = (url: Record<string, unknown>) => [{ indexTemplate: () => dataStreamTemplate('logs', dataset, { '@timestamp': { type: 'date' }, url: { properties: url } }) }];
    try {
      await installIndexTemplates(es, version({ original: keyword }));
      await es.index({ index: good, op_type: 'create', document: { '@timestamp': '2026-12-07T00:00:00Z', url: { original: '/a' } }, refresh: true });
      // A stream created while the template mapped url.original as a number (a type change since).
      await installIndexTemplates(es, version({ original: { type: 'long' } }));
      await es.index({ index: bad, op_type: 'create', document: { '@timestamp': '2026-12-07T00:00:00Z', url: { original: 1 } }, refresh: true });

      const newer = await installIndexTemplates(es, version({ original: keyword, port: { type: 'long' } }));
      const badIndices = Object.keys(await es.indices.get({ index: bad, expand_wildcards: ['open', 'hidden'] }));
      expect(badIndices).toHaveLength(1);
      expect(newer.outdated).toEqual([{ pattern: badIndices[0], reason: expect.stringMatching(/url\.original/) }]);
      const m = (await es.indices.getMapping({ index: good })) as Record<string, { mappings: { properties: { url: { properties: Record<string, unknown> } } } }>;
      for (const { mappings } of Object.values(m)) expect(mappings.properties.url.properties.port).toEqual({ type: 'long' });
      const r = await es.index({ index: good, op_type: 'create', document: { '@timestamp': '2026-12-07T00:00:01Z', url: { original: '/b', port: 8443 } }, refresh: true });
      expect(r.result).toBe('created');
    } finally {
      for (const s of [good, bad]) await es.indices.deleteDataStream({ name: s }).catch(() => undefined);
      await es.indices.deleteIndexTemplate({ name: `logs-${dataset}` }).catch(() => undefined);
    }
  });
});
