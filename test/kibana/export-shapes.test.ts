/**
 * The generated saved objects have the shapes real Kibana 8.x exports have. What is encoded here was
 * observed by reading, field by field, the objects Elastic's integration packages ship (elastic/integrations
 * `packages/nginx/kibana/{lens,dashboard,map}/*.json`: Lens and dashboards exported at 8.9.0 with core
 * 8.8.0, maps at 8.0.0 and 8.1.0) and Kibana's own migration registries and descriptor factories
 * (maps `saved_object_migrations.ts`, `rename_layer_types.ts`, `createBasemapLayerDescriptor`). It is
 * written as rules, not as copies of those files:
 *
 * - the export envelope of 8.8+: `typeMigrationVersion` + `coreMigrationVersion` + `managed`, no legacy
 *   `migrationVersion` map;
 * - the attribute keys every type needs, and for Lens the 8.x state keys (`adHocDataViews`,
 *   `internalReferences`, per-layer `ignoreGlobalFilters`/`sampling`, the `formBased` datasource);
 * - maps: only the layer type names of 8.1+ (never the 7.x names), the EMS base map with its 8.0 default
 *   modes and its own style type, vector styles whose dynamic colour/size properties carry
 *   `fieldMetaOptions`, global query/time applied, and the full 8.x `settings` block in the map state;
 * - dashboards: 8.9 panels (no per-panel `version`) whose references follow `<panelIndex>:panel_<panelIndex>`;
 * - each type claims a version no older than the shape it is written in and no newer than the last
 *   migration Kibana 8.19 has for it (a newer claim is refused on import, an older one re-migrates).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { SavedObject } from '../../kibana/render/saved-object.js';
import { NDJSON_PATH, parseNdjson } from '../../kibana/saved-objects.js';

const objects = parseNdjson(readFileSync(NDJSON_PATH, 'utf8'));
const ofType = (t: string): SavedObject[] => objects.filter((o) => o.type === t);

/** `1.2.3` → comparable number (major·10⁶ + minor·10³ + patch). */
function v(version: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`not a version: ${version}`);
  return Number(m[1]) * 1e6 + Number(m[2]) * 1e3 + Number(m[3]);
}

/**
 * Per type: the oldest version whose shape we write (the claim must not be older, or Kibana would run
 * a migration over an object already in the newer shape) and the newest migration Kibana 8.19 has for
 * the type's pre-model-version history (a newer claim is "unknown typeMigrationVersion").
 */
const VERSION_BOUNDS: Record<string, { atLeast: string; atMost: string; why: string }> = {
  lens: { atLeast: '8.6.0', atMost: '8.9.0', why: '8.6.0 renamed the indexpattern datasource to formBased; 8.9.0 is the last Lens migration' },
  map: { atLeast: '8.1.0', atMost: '8.4.0', why: '8.1.0 renamed the layer types; 8.4.0 is the last map migration' },
  dashboard: { atLeast: '8.9.0', atMost: '8.9.0', why: 'panels without a version, as exported at 8.9.0' },
  'index-pattern': { atLeast: '7.11.0', atMost: '8.0.0', why: '8.0.0 made data views multi-namespace, their last migration' },
  search: { atLeast: '7.9.3', atMost: '8.0.0', why: 'grid/hideChart/isTextBasedQuery written; Kibana migrates the rest' },
};

/** The layer type names of Kibana 7.x, renamed in 8.1 (`rename_layer_types.ts`). */
const LAYER_TYPES_7 = new Set(['VECTOR', 'VECTOR_TILE', 'TILED_VECTOR', 'TILE']);

/** What keeps a map object from the 8.1+ form, as sentences (empty when none). */
function mapFormProblems(o: SavedObject): string[] {
  const problems: string[] = [];
  const b = VERSION_BOUNDS.map!;
  if (v(o.typeMigrationVersion) < v(b.atLeast) || v(o.typeMigrationVersion) > v(b.atMost)) problems.push(`claims ${o.typeMigrationVersion}, outside ${b.atLeast}–${b.atMost}`);
  for (const l of JSON.parse(o.attributes.layerListJSON as string) as Record<string, any>[]) {
    if (LAYER_TYPES_7.has(l.type)) problems.push(`layer ${l.id} has the 7.x type ${l.type}`);
    if (l.sourceDescriptor?.type === 'EMS_TMS' && !l.sourceDescriptor.lightModeDefault) problems.push(`base map ${l.id} lacks lightModeDefault (8.0)`);
  }
  if (!('settings' in (JSON.parse(o.attributes.mapStateJSON as string) as object))) problems.push('map state lacks settings');
  return problems;
}

describe('saved objects have the shapes of real Kibana 8.x exports', () => {
  it('every object has the 8.8+ export envelope and nothing of the legacy one', () => {
    for (const o of objects) {
      expect(Object.keys(o).sort()).toEqual(['attributes', 'coreMigrationVersion', 'id', 'managed', 'references', 'type', 'typeMigrationVersion']);
      expect(o.coreMigrationVersion).toBe('8.8.0');
      expect(typeof o.managed).toBe('boolean');
      expect(o).not.toHaveProperty('migrationVersion');
      for (const r of o.references) expect(Object.keys(r).sort()).toEqual(['id', 'name', 'type']);
    }
  });

  it('each type claims a migration version inside the bounds of the shape it is written in', () => {
    expect(new Set(objects.map((o) => o.type))).toEqual(new Set(Object.keys(VERSION_BOUNDS)));
    for (const o of objects) {
      const b = VERSION_BOUNDS[o.type]!;
      const claim = `${o.type} ${o.id} claims ${o.typeMigrationVersion}`;
      expect(`${claim}: ${v(o.typeMigrationVersion) >= v(b.atLeast) && v(o.typeMigrationVersion) <= v(b.atMost)}`).toBe(`${claim}: true`);
    }
  });

  it('data views: title, name, time field and the JSON-string attributes', () => {
    for (const o of ofType('index-pattern')) {
      const a = o.attributes;
      expect(Object.keys(a)).toEqual(expect.arrayContaining(['title', 'name', 'timeFieldName', 'fields', 'fieldFormatMap', 'runtimeFieldMap', 'typeMeta']));
      for (const k of ['fields', 'fieldFormatMap', 'runtimeFieldMap', 'typeMeta']) expect(() => JSON.parse(a[k] as string)).not.toThrow();
      expect(o.references).toEqual([]);
    }
  });

  it('Lens: 8.x state keys, formBased layers with every 8.x layer key, one data-view reference per layer', () => {
    const visualizationTypes = new Set(['lnsXY', 'lnsPie', 'lnsMetric', 'lnsGauge', 'lnsDatatable', 'lnsHeatmap', 'lnsTagcloud', 'lnsLegacyMetric']);
    for (const o of ofType('lens')) {
      const a = o.attributes as { title: string; description: string; visualizationType: string; state: Record<string, unknown> };
      expect(visualizationTypes.has(a.visualizationType)).toBe(true);
      expect(Object.keys(a.state).sort()).toEqual(['adHocDataViews', 'datasourceStates', 'filters', 'internalReferences', 'query', 'visualization']);
      expect(a.state.adHocDataViews).toEqual({});
      expect(a.state.internalReferences).toEqual([]);
      expect(a.state.query).toEqual({ query: expect.any(String), language: 'kuery' });
      const ds = a.state.datasourceStates as Record<string, { layers: Record<string, Record<string, unknown>> }>;
      expect(Object.keys(ds)).toEqual(['formBased']); // never the pre-8.6 `indexpattern` key alone
      for (const [layerId, layer] of Object.entries(ds.formBased!.layers)) {
        expect(Object.keys(layer).sort()).toEqual(['columnOrder', 'columns', 'ignoreGlobalFilters', 'incompleteColumns', 'sampling']);
        expect(layer.sampling).toBe(1);
        const columns = layer.columns as Record<string, Record<string, unknown>>;
        expect([...(layer.columnOrder as string[])].sort()).toEqual(Object.keys(columns).sort());
        for (const c of Object.values(columns)) {
          expect(c).toEqual(expect.objectContaining({ label: expect.any(String), dataType: expect.any(String), isBucketed: expect.any(Boolean), operationType: expect.any(String) }));
        }
        expect(o.references).toContainEqual({ type: 'index-pattern', id: expect.any(String), name: `indexpattern-datasource-layer-${layerId}` });
      }
    }
  });

  describe('maps in their 8.1+ layer form', () => {
    const LAYER_TYPES_8 = new Set(['EMS_VECTOR_TILE', 'GEOJSON_VECTOR', 'MVT_VECTOR', 'RASTER_TILE', 'HEATMAP', 'LAYER_GROUP', 'BLENDED_VECTOR']);
    const maps = ofType('map');
    const layersOf = (o: SavedObject): Record<string, any>[] => JSON.parse(o.attributes.layerListJSON as string);

    it('are in the 8.1+ form, and the same rules reject the 7.x form', () => {
      for (const o of maps) expect(mapFormProblems(o)).toEqual([]);
      const o = maps[0]!;
      const old7 = (JSON.parse(o.attributes.layerListJSON as string) as Record<string, any>[]).map((l) => ({
        ...l,
        type: l.type === 'EMS_VECTOR_TILE' ? 'VECTOR_TILE' : l.type === 'GEOJSON_VECTOR' ? 'VECTOR' : l.type,
        sourceDescriptor: { ...l.sourceDescriptor, lightModeDefault: undefined },
      }));
      const { settings: _settings, ...state7 } = JSON.parse(o.attributes.mapStateJSON as string) as Record<string, unknown>;
      const as7: SavedObject = { ...o, typeMigrationVersion: '7.4.0', attributes: { ...o.attributes, layerListJSON: JSON.stringify(old7), mapStateJSON: JSON.stringify(state7) } };
      expect(mapFormProblems(as7)).toEqual([
        'claims 7.4.0, outside 8.1.0–8.4.0',
        'layer basemap has the 7.x type VECTOR_TILE',
        'base map basemap lacks lightModeDefault (8.0)',
        'layer clusters has the 7.x type VECTOR',
        'map state lacks settings',
      ]);
    });

    it('has a map, with the four JSON-string attributes', () => {
      expect(maps.length).toBeGreaterThan(0);
      for (const o of maps) {
        for (const k of ['mapStateJSON', 'layerListJSON', 'uiStateJSON']) expect(typeof o.attributes[k]).toBe('string');
        expect(JSON.parse(o.attributes.uiStateJSON as string)).toEqual({ isLayerTOCOpen: expect.any(Boolean), openTOCDetails: [] });
      }
    });

    it('uses only the layer type names of 8.1+, and every layer has the common descriptor keys', () => {
      for (const o of maps) {
        for (const l of layersOf(o)) {
          expect(`${l.id}: ${l.type} is 8.x: ${LAYER_TYPES_8.has(l.type)}`).toBe(`${l.id}: ${l.type} is 8.x: true`);
          expect(LAYER_TYPES_7.has(l.type)).toBe(false);
          expect(l).toEqual(expect.objectContaining({ id: expect.any(String), alpha: expect.any(Number), visible: true, minZoom: 0, maxZoom: 24, includeInFitToBounds: true }));
          expect(typeof l.sourceDescriptor?.type).toBe('string');
          expect(typeof l.style?.type).toBe('string');
        }
      }
    });

    it('an EMS base map has the 8.0 default modes and its own style type; vector layers have 8.x styles', () => {
      for (const o of maps) {
        for (const l of layersOf(o)) {
          if (l.sourceDescriptor.type === 'EMS_TMS') {
            expect(l.type).toBe('EMS_VECTOR_TILE');
            expect(l.sourceDescriptor).toEqual(expect.objectContaining({ isAutoSelect: true, lightModeDefault: expect.stringMatching(/^road_map/) }));
            expect(l.style).toEqual({ type: 'EMS_VECTOR_TILE', color: expect.any(String) });
          }
          if (l.type === 'GEOJSON_VECTOR' || l.type === 'MVT_VECTOR') {
            expect(l.style.type).toBe('VECTOR');
            expect(l.style.isTimeAware).toBe(true);
            expect(l.joins).toEqual(expect.any(Array));
            expect(l.sourceDescriptor).toEqual(expect.objectContaining({ applyGlobalQuery: true, applyGlobalTime: true, applyForceRefresh: true }));
            const props = l.style.properties as Record<string, { type?: string; options: Record<string, unknown> }>;
            expect(Object.keys(props)).toEqual(expect.arrayContaining(['fillColor', 'lineColor', 'lineWidth', 'iconSize', 'icon', 'iconOrientation', 'labelText', 'labelColor', 'labelSize', 'labelBorderColor', 'labelBorderSize', 'symbolizeAs']));
            for (const name of ['fillColor', 'lineColor', 'iconSize', 'lineWidth']) {
              if (props[name]?.type === 'DYNAMIC') expect(props[name]!.options.fieldMetaOptions).toEqual({ isEnabled: expect.any(Boolean), sigma: expect.any(Number) });
            }
          }
        }
      }
    });

    it('each Elasticsearch source names its data view through layer_<i>_source_index_pattern', () => {
      for (const o of maps) {
        layersOf(o).forEach((l, i) => {
          if (!String(l.sourceDescriptor.type).startsWith('ES_')) return;
          expect(l.sourceDescriptor.indexPatternRefName).toBe(`layer_${i}_source_index_pattern`);
          expect(o.references).toContainEqual({ name: `layer_${i}_source_index_pattern`, type: 'index-pattern', id: expect.any(String) });
        });
      }
    });

    it('the map state carries the 8.x settings block', () => {
      for (const o of maps) {
        const state = JSON.parse(o.attributes.mapStateJSON as string) as Record<string, any>;
        expect(Object.keys(state)).toEqual(expect.arrayContaining(['zoom', 'center', 'timeFilters', 'refreshConfig', 'query', 'filters', 'settings']));
        expect(Object.keys(state.settings)).toEqual(
          expect.arrayContaining([
            'autoFitToDataBounds', 'backgroundColor', 'browserLocation', 'customIcons', 'disableInteractive', 'disableTooltipControl',
            'fixedLocation', 'hideLayerControl', 'hideToolbarOverlay', 'hideViewControl', 'initialLocation', 'maxZoom', 'minZoom',
            'showScaleControl', 'showSpatialFilters', 'showTimesliderToggleButton', 'spatialFiltersAlpa', 'spatialFiltersFillColor', 'spatialFiltersLineColor',
          ]),
        );
      }
    });
  });

  it('dashboards: schema attributes only, 8.9 panels without a version, panel references by panelIndex', () => {
    const allowed = ['title', 'description', 'panelsJSON', 'optionsJSON', 'timeRestore', 'timeFrom', 'timeTo', 'refreshInterval', 'kibanaSavedObjectMeta', 'version', 'controlGroupInput'];
    for (const o of ofType('dashboard')) {
      for (const k of Object.keys(o.attributes)) expect(allowed).toContain(k);
      const options = JSON.parse(o.attributes.optionsJSON as string) as Record<string, unknown>;
      expect(Object.keys(options).sort()).toEqual(['hidePanelTitles', 'syncColors', 'syncCursor', 'syncTooltips', 'useMargins']);
      const panels = JSON.parse(o.attributes.panelsJSON as string) as Record<string, any>[];
      for (const p of panels) {
        expect(Object.keys(p).sort()).toEqual(['embeddableConfig', 'gridData', 'panelIndex', 'panelRefName', 'type']);
        expect(Object.keys(p.gridData).sort()).toEqual(['h', 'i', 'w', 'x', 'y']);
        expect(p.panelRefName).toBe(`panel_${p.panelIndex}`);
        expect(o.references).toContainEqual({ name: `${p.panelIndex}:panel_${p.panelIndex}`, type: p.type, id: expect.any(String) });
      }
    }
  });

  it('saved searches: 8.x Discover attributes and the data view by reference from the search source', () => {
    for (const o of ofType('search')) {
      expect(Object.keys(o.attributes)).toEqual(expect.arrayContaining(['title', 'columns', 'sort', 'grid', 'hideChart', 'isTextBasedQuery', 'kibanaSavedObjectMeta']));
      const source = JSON.parse((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as { indexRefName?: string };
      expect(source.indexRefName).toBe('kibanaSavedObjectMeta.searchSourceJSON.index');
      expect(o.references).toContainEqual({ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: expect.any(String) });
    }
  });
});
