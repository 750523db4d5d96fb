/**
 * Contract test of the Kibana saved objects (`kibana/saved-objects.ndjson`). Kibana cannot run on the
 * development and CI machines, so the objects are checked as contracts instead of being imported:
 *
 * - the committed NDJSON equals a fresh generation from the typed definitions (no drift);
 * - ids are unique, every reference resolves to an existing object of the referenced type, every
 *   dashboard panel resolves (`panelRefName` → `<panelIndex>:panel_<panelIndex>` reference) to a Lens
 *   visualization, map or saved search of the panel's type, and panels fit the 48-column grid without
 *   overlapping; each Lens layer, map source and saved search names its data view by reference;
 * - every field each visualization/search uses (declared in the typed definitions, cross-checked
 *   against the Lens columns in the NDJSON) exists in the real Elasticsearch mapping with the needed
 *   capabilities, via `_field_caps` on the data streams of a fresh namespace into which the real
 *   processor has just ingested a small sample of each dataset (web logs, error logs, news, ticks; the processor
 *   also writes the three window streams).
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startProcessor } from '../../processor/processor.js';
import { dataViews } from '../../kibana/data-views.js';
import { isNumericType, templateFieldTypes } from '../../kibana/mappings.js';
import { kqlFields } from '../../kibana/kql.js';
import { dataViewPattern, dataViewStream, fieldUses, type DataViewDef, type FieldUse } from '../../kibana/model.js';
import { GRID_COLUMNS } from '../../kibana/render/dashboard.js';
import { TYPE_MIGRATION_VERSION, type SavedObject } from '../../kibana/render/saved-object.js';
import { buildSavedObjects, dashboards, NDJSON_PATH, panelObjects, parseNdjson, toNdjson } from '../../kibana/saved-objects.js';
import { es, esUrl, quietLog, repoRoot, tempDir, uniqueNamespace } from '../support/stack.js';

const ndjson = readFileSync(NDJSON_PATH, 'utf8');
const objects = parseNdjson(ndjson);
const byId = new Map(objects.map((o) => [o.id, o]));
const defs = panelObjects();

/** Panel of a dashboard's `panelsJSON`. */
interface Panel {
  type: string;
  panelIndex: string;
  panelRefName?: string;
  gridData: { x: number; y: number; w: number; h: number; i: string };
}

function refByName(o: SavedObject, name: string) {
  return o.references.find((r) => r.name === name);
}

describe('kibana/saved-objects.ndjson: structure', () => {
  it('equals a fresh generation from the typed definitions (run npm run kibana:generate after a change)', () => {
    expect(ndjson).toBe(toNdjson(buildSavedObjects()));
  });

  it('has unique ids, only the generated types, and Kibana migration versions on every object', () => {
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
    for (const o of objects) {
      expect(Object.keys(TYPE_MIGRATION_VERSION)).toContain(o.type);
      expect(o.typeMigrationVersion).toBe(TYPE_MIGRATION_VERSION[o.type as keyof typeof TYPE_MIGRATION_VERSION]);
      expect(o.coreMigrationVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(typeof o.attributes.title).toBe('string');
    }
    const counts = Object.fromEntries(Object.keys(TYPE_MIGRATION_VERSION).map((t) => [t, objects.filter((o) => o.type === t).length]));
    expect(counts).toEqual({ 'index-pattern': 7, search: 1, lens: expect.any(Number), map: 1, dashboard: 3 });
  });

  it('has one data view per data stream the processor writes, on @timestamp', () => {
    const patterns = objects.filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title as string);
    expect(patterns.sort()).toEqual([...templateFieldTypes().keys()].sort());
    for (const o of objects.filter((x) => x.type === 'index-pattern')) expect(o.attributes.timeFieldName).toBe('@timestamp');
  });

  it('resolves every reference to an existing object of the referenced type', () => {
    const broken = objects.flatMap((o) =>
      o.references.filter((r) => byId.get(r.id)?.type !== r.type).map((r) => `${o.type}/${o.id} → ${r.type}/${r.id} (${r.name})`),
    );
    expect(broken).toEqual([]);
    for (const o of objects) expect(new Set(o.references.map((r) => r.name)).size).toBe(o.references.length);
  });

  it('dashboards: every panel references an existing visualization, map or saved search of its type', () => {
    const dashboardObjects = objects.filter((o) => o.type === 'dashboard');
    expect(dashboardObjects.map((d) => d.id)).toEqual(dashboards.map((d) => d.id));
    for (const d of dashboardObjects) {
      const panels = JSON.parse(d.attributes.panelsJSON as string) as Panel[];
      expect(panels.length).toBeGreaterThan(0);
      expect(new Set(panels.map((p) => p.panelIndex)).size).toBe(panels.length);
      for (const p of panels) {
        expect(p.panelRefName).toBe(`panel_${p.panelIndex}`);
        const ref = refByName(d, `${p.panelIndex}:${p.panelRefName}`);
        expect(ref).toBeDefined();
        expect(['lens', 'map', 'search']).toContain(p.type);
        expect(ref!.type).toBe(p.type);
        expect(byId.get(ref!.id)?.type).toBe(p.type);
        expect(p.gridData.i).toBe(p.panelIndex);
        expect(p.gridData.x).toBeGreaterThanOrEqual(0);
        expect(p.gridData.x + p.gridData.w).toBeLessThanOrEqual(GRID_COLUMNS);
      }
      // no two panels overlap
      for (const [i, a] of panels.entries()) {
        for (const b of panels.slice(i + 1)) {
          const g = a.gridData;
          const h = b.gridData;
          const overlap = g.x < h.x + h.w && h.x < g.x + g.w && g.y < h.y + h.h && h.y < g.y + g.h;
          expect(overlap ? `${d.id}: panels ${a.panelIndex} and ${b.panelIndex} overlap` : '').toBe('');
        }
      }
      // the dashboard references nothing but its panels
      expect(d.references).toHaveLength(panels.length);
    }
  });

  it('every panel object is on a dashboard and every lens/map/search in the file is a panel object', () => {
    const onDashboards = new Set(
      objects.filter((o) => o.type === 'dashboard').flatMap((d) => d.references.map((r) => r.id)),
    );
    for (const o of objects.filter((x) => ['lens', 'map', 'search'].includes(x.type))) expect(onDashboards.has(o.id)).toBe(true);
    expect(defs.map((d) => d.id).sort()).toEqual([...onDashboards].sort());
  });

  it('Lens: each layer names its data view; every column field is a declared field use of that data view', () => {
    for (const def of defs.filter((d) => d.kind === 'lens')) {
      const o = byId.get(def.id)!;
      type Column = { sourceField?: string; filter?: { query: string }; params?: { filters?: { input: { query: string } }[] } };
      const state = o.attributes.state as {
        query: { query: string };
        datasourceStates: { formBased: { layers: Record<string, { columns: Record<string, Column>; columnOrder: string[] }> } };
      };
      const declared = new Set(fieldUses(def).map((u) => `${u.dataView.id} ${u.field}`));
      for (const [layerId, layer] of Object.entries(state.datasourceStates.formBased.layers)) {
        const ref = refByName(o, `indexpattern-datasource-layer-${layerId}`);
        expect(ref?.type).toBe('index-pattern');
        expect(Object.keys(layer.columns).sort()).toEqual([...layer.columnOrder].sort());
        const used: string[] = [];
        for (const c of Object.values(layer.columns)) {
          if (c.sourceField && c.sourceField !== '___records___') used.push(c.sourceField);
          if (c.filter) used.push(...kqlFields(c.filter.query));
          for (const f of c.params?.filters ?? []) used.push(...kqlFields(f.input.query));
        }
        if (state.query.query) used.push(...kqlFields(state.query.query));
        for (const f of used) expect(`${ref!.id} ${f}`).toBe([...declared].find((d) => d === `${ref!.id} ${f}`));
      }
    }
  });

  it('maps and saved searches point at their data view by reference name', () => {
    for (const o of objects.filter((x) => x.type === 'map')) {
      const layers = JSON.parse(o.attributes.layerListJSON as string) as { sourceDescriptor: { indexPatternRefName?: string; geoField?: string } }[];
      const refNames = layers.flatMap((l) => (l.sourceDescriptor.indexPatternRefName ? [l.sourceDescriptor.indexPatternRefName] : []));
      expect(refNames.length).toBeGreaterThan(0);
      for (const n of refNames) expect(refByName(o, n)?.type).toBe('index-pattern');
    }
    for (const o of objects.filter((x) => x.type === 'search')) {
      const source = JSON.parse((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as { indexRefName: string };
      expect(refByName(o, source.indexRefName)?.type).toBe('index-pattern');
    }
  });
});

/** What Elasticsearch must be able to do with a field for each kind of use. */
function capabilityProblem(use: FieldUse, caps: Record<string, { type: string; searchable: boolean; aggregatable: boolean }> | undefined): string | undefined {
  if (!caps) return 'not in the mapping';
  for (const c of Object.values(caps)) {
    const needsAgg = !['filter', 'column'].includes(use.agg);
    if (needsAgg && !c.aggregatable) return `${c.type} is not aggregatable`;
    if (use.agg === 'filter' && !c.searchable) return `${c.type} is not searchable`;
    if (use.agg === 'date_histogram' && c.type !== 'date' && c.type !== 'date_nanos') return `date_histogram on ${c.type}`;
    if (['avg', 'sum', 'max', 'min', 'percentiles'].includes(use.agg) && !isNumericType(c.type)) return `${use.agg} on non-numeric ${c.type}`;
    if (use.agg === 'geotile_grid' && c.type !== 'geo_point') return `geo grid on ${c.type}`;
    if (use.agg === 'terms' && !(isNumericType(c.type) || ['keyword', 'boolean', 'ip', 'date'].includes(c.type))) return `terms on ${c.type}`;
  }
  return undefined;
}

describe('fields used by the saved objects exist in the real mapping, after a sample was ingested', () => {
  const namespace = uniqueNamespace('kb');
  const caps = new Map<string, Record<string, Record<string, { type: string; searchable: boolean; aggregatable: boolean }>>>();

  async function ingest(dataset: string, sample: string): Promise<void> {
    const dir = tempDir(`kibana-${dataset}`);
    copyFileSync(path.join(repoRoot, sample), path.join(dir, path.basename(sample)));
    const handle = await startProcessor({ watch: [dir], dataset, once: true, esUrl, namespace, dataDir: tempDir(`kibana-${dataset}-data`), log: quietLog });
    const summary = await handle.done;
    expect(summary.indexed).toBeGreaterThan(0);
  }

  beforeAll(async () => {
    await ingest('weblogs', 'test/golden/weblogs/access.log');
    await ingest('news', 'test/golden/news/headlines.log');
    await ingest('ticks', 'test/golden/ticks/ticks.log');
    await ingest('errorlogs', 'test/golden/errorlogs/nginx.log');
    for (const dv of dataViews) {
      const index = dataViewStream(dv, namespace);
      const r = await es.fieldCaps({ index, fields: ['*'] });
      caps.set(dv.id, r.fields as Record<string, Record<string, { type: string; searchable: boolean; aggregatable: boolean }>>);
    }
  }, 240_000);

  afterAll(async () => {
    await es.close();
  });

  it('every data view pattern matches the data stream just written, whose time field is a date', async () => {
    for (const dv of dataViews) {
      const stream = dataViewStream(dv, namespace);
      expect(stream).toBe(dataViewPattern(dv).replace(/\*$/, namespace));
      expect(await es.indices.exists({ index: stream })).toBe(true);
      const time = caps.get(dv.id)?.[dv.timeField];
      expect(Object.keys(time ?? {})).toEqual(['date']);
    }
  });

  it('every field each visualization, map and saved search uses has the needed type and capabilities', () => {
    const uses = defs.flatMap(fieldUses);
    expect(uses.length).toBeGreaterThan(50);
    const problems = uses.flatMap((u) => {
      const p = capabilityProblem(u, caps.get(u.dataView.id)?.[u.field]);
      return p ? [`${u.objectId} (${u.where}): ${u.field} [${u.agg}] in ${dataViewStream(u.dataView, namespace)}: ${p}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('the checked uses cover every data view and every kind of use the dashboards need', () => {
    const uses = defs.flatMap(fieldUses);
    const viewsUsed = new Set(uses.map((u) => u.dataView.id));
    expect([...viewsUsed].sort()).toEqual(dataViews.map((d: DataViewDef) => d.id).sort());
    expect(new Set(uses.map((u) => u.agg))).toEqual(
      new Set(['terms', 'date_histogram', 'avg', 'sum', 'max', 'min', 'percentiles', 'geotile_grid', 'filter', 'column', 'sort']),
    );
    const geo = uses.find((u) => u.agg === 'geotile_grid');
    expect(geo?.field).toBe('source.geo.location');
  });
});
