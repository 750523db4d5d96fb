import { dataViewPattern, type DataViewDef, type FieldFormat } from '../model.js';
import { savedObject, type SavedObject } from './saved-object.js';

/** A field format as stored in a data view's `fieldFormatMap` (`{id, params}`; Kibana's formatter ids). */
export function fieldFormatMapEntry(f: FieldFormat): { id: string; params?: Record<string, unknown> } {
  if (f.decimals === undefined) return { id: f.id };
  // The percent and number formatters take a numeral.js pattern; bytes takes one as well.
  const pattern = f.id === 'bytes' ? `0,0.${'0'.repeat(f.decimals)}b` : f.id === 'percent' ? `0,0.${'0'.repeat(f.decimals)}%` : `0,0.${'0'.repeat(f.decimals)}`;
  return { id: f.id, params: { pattern } };
}

/**
 * The `index-pattern` (data view) saved object of `dv`: `title` is the index pattern, `name` the
 * display name, `timeFieldName` `@timestamp`; `fields` is empty (Kibana reads the field list from
 * `_field_caps` at run time). Attribute set as in Kibana's eCommerce sample data
 * (`src/platform/plugins/shared/home/server/services/sample_data/data_sets/ecommerce/saved_objects.ts`).
 */
export function renderIndexPattern(dv: DataViewDef): SavedObject {
  const formats = Object.fromEntries(Object.entries(dv.fieldFormats ?? {}).map(([field, f]) => [field, fieldFormatMapEntry(f)]));
  return savedObject(
    'index-pattern',
    dv.id,
    {
      title: dataViewPattern(dv),
      name: dv.name,
      timeFieldName: dv.timeField,
      fields: '[]',
      fieldFormatMap: JSON.stringify(formats),
      runtimeFieldMap: '{}',
      typeMeta: '{}',
    },
    [],
  );
}
