/**
 * Renders a `MapDef` as a Kibana Maps `map` saved object: attributes `{title, description,
 * mapStateJSON, layerListJSON, uiStateJSON}`, layer list of an Elastic Maps Service base map
 * (`EMS_TMS`, auto-selected style) and a clusters layer (`ES_GEO_GRID` source, `requestType: 'point'`,
 * count metric; fill colour and symbol size by `doc_count`). The data view of a source layer is a
 * reference named `layer_<i>_source_index_pattern`, pointed at by the source's `indexPatternRefName`.
 *
 * Format source: Kibana's own web-logs sample map, written in exactly this layer-descriptor shape at
 * map migration version 7.4.0 and migrated forward by Kibana when installed
 * (elastic/kibana `x-pack/platform/plugins/shared/maps/server/sample_data/web_logs_saved_objects.js`),
 * and the reference extraction in the Maps plugin's `common/migrations/references.ts`
 * (`layer_${layerIndex}_source_index_pattern`). The base map needs Kibana to reach the Elastic Maps
 * Service; the clusters layer works without it.
 */
import { fieldType, isNumericType } from '../mappings.js';
import type { MapDef } from '../model.js';
import { savedObject, type SavedObject } from './saved-object.js';

/**
 * The `map` saved object of `def`.
 * @throws Error when `geoField` is not a `geo_point` or `sumField` not numeric in the data view's template.
 */
export function renderMap(def: MapDef): SavedObject {
  const geoType = fieldType(def.dataView, def.geoField);
  if (geoType !== 'geo_point') throw new Error(`map ${def.id}: ${def.geoField} is ${geoType}, not geo_point`);
  if (def.sumField && !isNumericType(fieldType(def.dataView, def.sumField))) throw new Error(`map ${def.id}: ${def.sumField} is not numeric`);
  const refName = 'layer_1_source_index_pattern';
  const layerList = [
    {
      id: 'basemap',
      alpha: 1,
      sourceDescriptor: { type: 'EMS_TMS', isAutoSelect: true },
      visible: true,
      style: {},
      type: 'VECTOR_TILE',
      minZoom: 0,
      maxZoom: 24,
    },
    {
      id: 'clusters',
      label: `${def.title} (clusters)`,
      minZoom: 0,
      maxZoom: 24,
      alpha: 0.75,
      sourceDescriptor: {
        type: 'ES_GEO_GRID',
        id: `${def.id}-clusters`,
        geoField: def.geoField,
        requestType: 'point',
        resolution: 'COARSE',
        metrics: [{ type: 'count', label: 'requests' }, ...(def.sumField ? [{ type: 'sum', field: def.sumField }] : [])],
        indexPatternRefName: refName,
      },
      visible: true,
      style: {
        type: 'VECTOR',
        properties: {
          fillColor: { type: 'DYNAMIC', options: { field: { name: 'doc_count', origin: 'source' }, color: 'Blues' } },
          lineColor: { type: 'STATIC', options: { color: '#cccccc' } },
          lineWidth: { type: 'STATIC', options: { size: 1 } },
          iconSize: { type: 'DYNAMIC', options: { field: { name: 'doc_count', origin: 'source' }, minSize: 7, maxSize: 25 } },
          labelText: { type: 'DYNAMIC', options: { field: { name: 'doc_count', origin: 'source' } } },
        },
      },
      type: 'VECTOR',
    },
  ];
  const mapState = {
    zoom: def.center.zoom,
    center: { lon: def.center.lon, lat: def.center.lat },
    timeFilters: { from: 'now-24h', to: 'now' },
    refreshConfig: { isPaused: true, interval: 0 },
    query: { language: 'kuery', query: '' },
    filters: [],
  };
  return savedObject(
    'map',
    def.id,
    {
      title: def.title,
      description: def.description,
      mapStateJSON: JSON.stringify(mapState),
      layerListJSON: JSON.stringify(layerList),
      uiStateJSON: JSON.stringify({ isLayerTOCOpen: true, openTOCDetails: [] }),
    },
    [{ name: refName, type: 'index-pattern', id: def.dataView.id }],
  );
}
