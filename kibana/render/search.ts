/**
 * Renders a `SearchDef` as a Kibana `search` (Discover saved search) object: attributes `{title,
 * description, columns, sort: [[field, direction]], grid, hideChart, isTextBasedQuery, hits, version,
 * kibanaSavedObjectMeta: {searchSourceJSON}}` (all in the 8.8 saved-search schema,
 * `SCHEMA_SEARCH_V8_8_0` of the Discover plugin) where the search source carries the KQL query and points at its data view with
 * `indexRefName: "kibanaSavedObjectMeta.searchSourceJSON.index"`, a reference of type `index-pattern`
 * under that name. Shape and migration version (7.9.3) as in Kibana's eCommerce and flights sample
 * data (elastic/kibana `src/platform/plugins/shared/home/server/services/sample_data/data_sets/{ecommerce,flights}/saved_objects.ts`).
 */
import { fieldType } from '../mappings.js';
import { kqlFields } from '../kql.js';
import type { SearchDef } from '../model.js';
import { savedObject, type SavedObject } from './saved-object.js';

/** Name of the data view reference of a saved search's search source (Kibana's fixed name). */
export const SEARCH_INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

/**
 * The `search` saved object of `def`.
 * @throws Error when a column, sort or query field is not mapped in the data view's template.
 */
export function renderSearch(def: SearchDef): SavedObject {
  for (const f of [...def.columns, ...def.sort.map((s) => s.field), ...kqlFields(def.query)]) fieldType(def.dataView, f);
  const searchSource = {
    highlightAll: true,
    version: true,
    query: { query: def.query, language: 'kuery' },
    filter: [],
    indexRefName: SEARCH_INDEX_REF,
  };
  return savedObject(
    'search',
    def.id,
    {
      title: def.title,
      description: def.description,
      columns: def.columns,
      sort: def.sort.map((s) => [s.field, s.direction]),
      grid: {},
      hideChart: false,
      isTextBasedQuery: false,
      hits: 0,
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    [{ name: SEARCH_INDEX_REF, type: 'index-pattern', id: def.dataView.id }],
  );
}
