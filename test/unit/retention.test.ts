/**
 * Retention (`--retention`, config `processor.retention`): the exact bodies written for the data stream
 * lifecycle and for ILM, the composition every index template gets, and the value checks. What the
 * local Elasticsearch does with these bodies is in test/integration/retention.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfigFile } from '../../processor/config/load.js';
import { applyFlags, processorOptionsOf } from '../../processor/config/resolve.js';
import { datasets } from '../../processor/datasets/registry.js';
import {
  RETENTION_COMPONENT,
  RETENTION_POLICY,
  ilmPolicyBody,
  parseRetention,
  retentionComponentBody,
  withRetentionComponent,
} from '../../processor/elasticsearch/retention.js';

describe('retention bodies', () => {
  it('data stream lifecycle: template.lifecycle.data_retention is the value as given', () => {
    expect(retentionComponentBody('lifecycle', '30d')).toEqual({
      template: { lifecycle: { data_retention: '30d' } },
      _meta: { managed_by: 'realtime-analytics-stack', retention: '30d', mechanism: 'lifecycle' },
    });
  });

  it('ILM: the component names the policy; the policy rolls over daily and deletes at the retention', () => {
    expect(retentionComponentBody('ilm', '30d').template).toEqual({ settings: { 'index.lifecycle.name': RETENTION_POLICY } });
    expect(RETENTION_POLICY).toBe('rtas-retention');
    expect(ilmPolicyBody('30d').policy.phases).toEqual({
      hot: { min_age: '0ms', actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
      delete: { min_age: '30d', actions: { delete: {} } },
    });
    // A retention shorter than a day rolls over at the retention itself.
    expect((ilmPolicyBody('6h').policy.phases.hot as { actions: { rollover: { max_age: string } } }).actions.rollover.max_age).toBe('6h');
  });

  it('nothing to write without a mechanism', () => {
    expect(() => retentionComponentBody('none', '30d')).toThrow(/no retention mechanism/);
  });

  it('every template of every dataset and window is composed of the retention component, which may be missing', () => {
    const templates = [...datasets.values()].flatMap((d) => [d.indexTemplate(), ...(d.windows ?? []).map((w) => w.template())]);
    expect(templates.length).toBeGreaterThanOrEqual(7);
    for (const t of templates) {
      const before = JSON.stringify(t.body);
      const b = withRetentionComponent(t.body);
      expect(b.composed_of).toEqual([RETENTION_COMPONENT]);
      expect(b.ignore_missing_component_templates).toEqual([RETENTION_COMPONENT]);
      expect(b.template).toBe(t.body.template);
      expect(JSON.stringify(t.body)).toBe(before);
      // Applying it twice changes nothing.
      expect(withRetentionComponent(b)).toEqual(b);
    }
    expect(withRetentionComponent({ composed_of: ['a'] }).composed_of).toEqual(['a', RETENTION_COMPONENT]);
  });
});

describe('retention values', () => {
  it.each(['30d', '1d', '12h', '90m', '45s', 'off'])('accepts %s', (v) => {
    expect(parseRetention(v)).toBe(v);
  });
  it.each(['30', '0d', '30 d', '1.5d', '30days', '2w', '-1d', '', 'ON'])('refuses %j', (v) => {
    expect(() => parseRetention(v)).toThrow(/whole number with a unit d, h, m or s/);
  });

  it('config key processor.retention reaches the processor options; a flag wins; a bad value is a FILE:LINE:COL error', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'retention-cfg-'));
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, 'processor:\n  retention: 30d\n');
    const config = loadConfigFile(good);
    expect(config.processor.retention).toBe('30d');
    expect(processorOptionsOf(config).retention).toBe('30d');
    expect(processorOptionsOf(applyFlags(config, { retention: '7d' })).retention).toBe('7d');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'processor:\n  retention: 30 days\n');
    expect(() => loadConfigFile(bad)).toThrow(/bad\.yaml:2:14: processor\.retention: expected a whole number with a unit d, h, m or s/);
  });
});
