/**
 * Renders a `MapDef` as a Kibana Maps `map` saved object in its 8.x form (typeMigrationVersion 8.4.0):
 * attributes `{title, description, mapStateJSON, layerListJSON, uiStateJSON}`.
 *
 * - Layer list: an Elastic Maps Service base map (layer type `EMS_VECTOR_TILE`, source `EMS_TMS`
 *   auto-selected with `lightModeDefault: road_map_desaturated`, style `{type: EMS_VECTOR_TILE, color: ''}`,
 *   locale `autoselect`) and a clusters layer (layer type `GEOJSON_VECTOR`, source `ES_GEO_GRID` with
 *   `requestType: 'point'`, count metric, global query/time/refresh applied; ordinal fill colour and symbol
 *   size by `doc_count`, `fieldMetaOptions` on every dynamic property, circles). 8.1 renamed the layer
 *   types (`VECTOR` → `GEOJSON_VECTOR`, `VECTOR_TILE` → `EMS_VECTOR_TILE`, `TILED_VECTOR` → `MVT_VECTOR`,
 *   `TILE` → `RASTER_TILE`); 8.0 added the EMS default modes; 8.4 changed only categorical "other" colours.
 * - Map state: zoom, centre, time, refresh, query, filters and the full `settings` block of 8.x maps
 *   (initial location, zoom bounds, controls, spatial filter colours, `customIcons`).
 * - The data view of a source layer is a reference named `layer_<i>_source_index_pattern`, pointed at by
 *   the source's `indexPatternRefName`.
 *
 * Sources: Kibana's map migrations (`x-pack/platform/plugins/shared/maps/server/saved_objects/saved_object_migrations.ts`,
 * `common/migrations/rename_layer_types.ts`, `set_ems_tms_default_modes.ts`, `references.ts`), the base map
 * descriptor Kibana creates (`createBasemapLayerDescriptor`, `EMSVectorTileStyle.createDescriptor`), and
 * the maps in Elastic's integration packages (elastic/integrations `packages/nginx/kibana/map/*.json`,
 * written at map 8.0.0 and 8.1.0). The base map needs Kibana to reach the Elastic Maps Service; the
 * clusters layer works without it.
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
  const bySize = { name: 'doc_count', origin: 'source' };
  const noFieldMeta = { isEnabled: false, sigma: 3 };
  const layerList = [
    {
      id: 'basemap',
      type: 'EMS_VECTOR_TILE',
      label: null,
      alpha: 1,
      visible: true,
      minZoom: 0,
      maxZoom: 24,
      includeInFitToBounds: true,
      locale: 'autoselect',
      sourceDescriptor: { type: 'EMS_TMS', isAutoSelect: true, lightModeDefault: 'road_map_desaturated' },
      style: { type: 'EMS_VECTOR_TILE', color: '' },
    },
    {
      id: 'clusters',
      type: 'GEOJSON_VECTOR',
      label: `${def.title} (clusters)`,
      alpha: 0.75,
      visible: true,
      minZoom: 0,
      maxZoom: 24,
      includeInFitToBounds: true,
      joins: [],
      sourceDescriptor: {
        type: 'ES_GEO_GRID',
        id: `${def.id}-clusters`,
        geoField: def.geoField,
        requestType: 'point',
        resolution: 'COARSE',
        metrics: [{ type: 'count', label: 'requests' }, ...(def.sumField ? [{ type: 'sum', field: def.sumField }] : [])],
        indexPatternRefName: refName,
        applyGlobalQuery: true,
        applyGlobalTime: true,
        applyForceRefresh: true,
      },
      style: {
        type: 'VECTOR',
        isTimeAware: true,
        properties: {
          icon: { type: 'STATIC', options: { value: 'marker' } },
          fillColor: { type: 'DYNAMIC', options: { type: 'ORDINAL', color: 'Blues', field: bySize, fieldMetaOptions: noFieldMeta } },
          lineColor: { type: 'STATIC', options: { color: '#cccccc' } },
          lineWidth: { type: 'STATIC', options: { size: 1 } },
          iconSize: { type: 'DYNAMIC', options: { minSize: 7, maxSize: 25, field: bySize, fieldMetaOptions: noFieldMeta } },
          iconOrientation: { type: 'STATIC', options: { orientation: 0 } },
          labelText: { type: 'DYNAMIC', options: { field: bySize } },
          labelColor: { type: 'STATIC', options: { color: '#000000' } },
          labelSize: { type: 'STATIC', options: { size: 14 } },
          labelBorderColor: { type: 'STATIC', options: { color: '#FFFFFF' } },
          labelBorderSize: { options: { size: 'SMALL' } },
          symbolizeAs: { options: { value: 'circle' } },
        },
      },
    },
  ];
  const mapState = {
    zoom: def.center.zoom,
    center: { lon: def.center.lon, lat: def.center.lat },
    timeFilters: { from: 'now-24h', to: 'now' },
    refreshConfig: { isPaused: true, interval: 0 },
    query: { language: 'kuery', query: '' },
    filters: [],
    settings: {
      autoFitToDataBounds: false,
      backgroundColor: '#ffffff',
      browserLocation: { zoom: 2 },
      customIcons: [],
      disableInteractive: false,
      disableTooltipControl: false,
      fixedLocation: { lat: 0, lon: 0, zoom: 2 },
      hideLayerControl: false,
      hideToolbarOverlay: false,
      hideViewControl: false,
      initialLocation: 'LAST_SAVED_LOCATION',
      maxZoom: 24,
      minZoom: 0,
      showScaleControl: false,
      showSpatialFilters: true,
      showTimesliderToggleButton: true,
      // sic: Kibana's own setting name
      spatialFiltersAlpa: 0.3,
      spatialFiltersFillColor: '#DA8B45',
      spatialFiltersLineColor: '#DA8B45',
    },
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
