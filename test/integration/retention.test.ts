/**
 * Retention on the real local Elasticsearch (the integ-test distribution: no data-streams module, no
 * ILM). What it answers and does:
 * - detection finds neither mechanism, and `applyRetention` writes nothing and returns one line
 *   naming both answers; the processor CLI with `--retention 30d` logs that line and indexes anyway;
 * - the templates the processor stores are composed of `rtas@retention` and valid while it is missing;
 * - the lifecycle body is accepted by this server's template machinery: composed into a template,
 *   `_simulate_index` resolves it and a new data stream records `lifecycle.data_retention: 30d` in
 *   the cluster state — but no API or service here acts on it (`_data_stream/<name>/_lifecycle` has
 *   no handler);
 * - the ILM body is refused (`unknown setting [index.lifecycle.name]`), and there is no ILM API.
 * Test objects use their own names (`rtastest-<ns>…`), never `rtas@retention` itself.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { dataStreamTemplate, keyword } from '../../processor/datasets/index-template.js';
import { RETENTION_COMPONENT, applyRetention, detectRetentionSupport, retentionComponentBody } from '../../processor/elasticsearch/retention.js';
import { installIndexTemplates } from '../../processor/elasticsearch/templates.js';
import { spawnTsx } from '../support/processes.js';
import { countDocs, es, realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

const statusOf = (err: unknown): number | undefined => (err as { meta?: { statusCode?: number } }).meta?.statusCode;

describe('retention on the local Elasticsearch', () => {
  it('finds neither data stream lifecycle nor ILM, writes nothing and says so in one line', async () => {
    const support = await detectRetentionSupport(es);
    // Printed so the answers are on record in the test log.
    console.log(`local Elasticsearch: GET _lifecycle/stats → ${support.lifecycleProbe}; GET _ilm/status → ${support.ilmProbe}`);
    expect(support.kind).toBe('none');
    expect(support.lifecycleProbe).toMatch(/^(400|404|405) /);
    expect(support.ilmProbe).toMatch(/^(400|404|405) /);

    const r = await applyRetention(es, '30d', ['logs-rtastest.none-*']);
    expect(r.applied).toBe('none');
    expect(r.message).not.toContain('\n');
    expect(r.message).toMatch(/^retention 30d not applied: this Elasticsearch has neither data stream lifecycle \(GET _lifecycle\/stats: 40[045] .+\) nor ILM \(GET _ilm\/status: 40[045] .+\); nothing is deleted, ingest goes on$/);
    await expect(es.cluster.getComponentTemplate({ name: RETENTION_COMPONENT })).rejects.toMatchObject({ meta: { statusCode: 404 } });
  });

  it('stored templates are composed of rtas@retention and valid while it is missing', async () => {
    const ns = uniqueNamespace('ret');
    const dataset = `rtastest.${ns}`;
    await installIndexTemplates(es, [{ indexTemplate: () => dataStreamTemplate('logs', dataset, { '@timestamp': { type: 'date' }, message: keyword }) }]);
    const stored = (await es.indices.getIndexTemplate({ name: `logs-${dataset}` })).index_templates[0]!.index_template as unknown as Record<string, unknown>;
    expect(stored.composed_of).toEqual([RETENTION_COMPONENT]);
    expect(stored.ignore_missing_component_templates).toEqual([RETENTION_COMPONENT]);
    const sim = (await es.indices.simulateIndexTemplate({ name: `logs-${dataset}-default` })) as unknown as { template: Record<string, unknown> };
    expect(sim.template.lifecycle).toBeUndefined();
    expect(sim.template.settings).toMatchObject({ index: { refresh_interval: '1s' } });
  });

  it('accepts and records the lifecycle body, but nothing here enforces it; refuses the ILM body', async () => {
    const ns = uniqueNamespace('retlc');
    const component = `rtastest-${ns}@retention`;
    const dataset = `rtastest.lc${ns}`;
    const stream = `logs-${dataset}-default`;
    await es.cluster.putComponentTemplate({ name: component, ...retentionComponentBody('lifecycle', '30d') } as Parameters<typeof es.cluster.putComponentTemplate>[0]);
    const body = dataStreamTemplate('logs', dataset, { '@timestamp': { type: 'date' } }).body;
    await es.indices.putIndexTemplate({ name: `logs-${dataset}`, ...body, composed_of: [component] } as Parameters<typeof es.indices.putIndexTemplate>[0]);
    const sim = (await es.indices.simulateIndexTemplate({ name: stream })) as unknown as { template: { lifecycle?: unknown } };
    expect(sim.template.lifecycle).toEqual({ enabled: true, data_retention: '30d' });

    await es.index({ index: stream, op_type: 'create', document: { '@timestamp': '2026-12-07T00:00:00Z' }, refresh: true });
    const state = (await es.cluster.state({ metric: 'metadata', index: stream, filter_path: 'metadata.data_stream' })) as unknown as {
      metadata: { data_stream: { data_stream: Record<string, { lifecycle?: unknown }> } };
    };
    expect(state.metadata.data_stream.data_stream[stream]!.lifecycle).toEqual({ enabled: true, data_retention: '30d' });
    // …and no API here reads or runs it.
    const lifecycleApi = await es.transport.request({ method: 'GET', path: `/_data_stream/${stream}/_lifecycle` }).then(
      () => 200,
      (err: unknown) => statusOf(err),
    );
    // Elasticsearch answers a path it has no handler for with 400 "no handler found for uri".
    expect([400, 404, 405]).toContain(lifecycleApi);

    // The ILM body: the setting does not exist without ILM, and neither does the policy API.
    await expect(
      es.cluster.putComponentTemplate({ name: `${component}-ilm`, ...retentionComponentBody('ilm', '30d') } as Parameters<typeof es.cluster.putComponentTemplate>[0]),
    ).rejects.toThrow(/unknown setting \[index\.lifecycle\.name\]/);
    const ilmApi = await es.transport.request({ method: 'PUT', path: '/_ilm/policy/rtastest-probe', body: { policy: { phases: {} } } }).then(
      () => 200,
      (err: unknown) => statusOf(err),
    );
    expect([400, 404, 405]).toContain(ilmApi);
    await es.cluster.deleteComponentTemplate({ name: component }).catch(() => undefined);
  });

  it('the processor with --retention 30d logs the one line and indexes anyway', async () => {
    const dir = tempDir('retention-cli');
    const namespace = uniqueNamespace('retcli');
    mkdirSync(path.join(dir, 'logs'));
    const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter(Boolean).slice(0, 50);
    writeFileSync(path.join(dir, 'logs', 'access.log'), lines.join('\n') + '\n');
    const child = spawnTsx(
      'processor/cli.ts',
      ['--watch', path.join(dir, 'logs'), '--once', '--namespace', namespace, '--data-dir', path.join(dir, 'data'), '--retention', '30d', '--no-metrics', '--no-windows'],
      { LOG_LEVEL: 'warn' },
    );
    const code = await child.exited;
    expect(code).toBe(0);
    const warnings = child
      .stderr()
      .split('\n')
      .filter((l) => l.includes('retention'));
    expect(warnings).toHaveLength(1);
    expect((JSON.parse(warnings[0]!) as { msg: string }).msg).toMatch(/^retention 30d not applied: this Elasticsearch has neither data stream lifecycle/);
    expect(await countDocs(`logs-weblogs.access-${namespace}`)).toBe(50);
  });
});
