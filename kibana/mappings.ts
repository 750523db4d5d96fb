/**
 * Field types of every data stream, read from the processor's own index templates (the datasets'
 * templates and their window templates), so the generator fails fast on a field no template maps and
 * picks Lens data types from the real mapping. The contract test still checks the generated objects
 * against `_field_caps` of a live Elasticsearch.
 */
import { datasets } from '../processor/datasets/registry.js';
import type { IndexTemplate } from '../processor/datasets/types.js';
import { dataViewPattern, type DataViewDef } from './model.js';

interface MappingNode {
  type?: string;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
}

/** Flattens mapping `properties` to `dotted.path → type`, including multi-fields (`url.original.text`). */
export function flattenMappings(properties: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, raw] of Object.entries(properties)) {
    const node = raw as MappingNode;
    const path = prefix + name;
    if (node.properties) for (const [k, v] of flattenMappings(node.properties, `${path}.`)) out.set(k, v);
    else out.set(path, node.type ?? 'object');
    if (node.fields) for (const [sub, v] of Object.entries(node.fields)) out.set(`${path}.${sub}`, v.type ?? 'object');
  }
  return out;
}

let cache: Map<string, Map<string, string>> | undefined;

/** Index pattern (`logs-weblogs.access-*`) → field → Elasticsearch type, for every template. */
export function templateFieldTypes(): Map<string, Map<string, string>> {
  if (cache) return cache;
  const templates: IndexTemplate[] = [...datasets.values()].flatMap((d) => [d.indexTemplate(), ...(d.windows ?? []).map((w) => w.template())]);
  cache = new Map();
  for (const t of templates) {
    const props = (t.body.template.mappings as { properties: Record<string, unknown> }).properties;
    for (const pattern of t.body.index_patterns) cache.set(pattern, flattenMappings(props));
  }
  return cache;
}

/**
 * The Elasticsearch type of `field` in the data streams of `dv`.
 * @throws Error naming the data view and field when no template maps it (or no template matches).
 */
export function fieldType(dv: DataViewDef, field: string): string {
  const fields = templateFieldTypes().get(dataViewPattern(dv));
  if (!fields) throw new Error(`no index template has the pattern ${dataViewPattern(dv)} (data view ${dv.id})`);
  const type = fields.get(field);
  if (!type) throw new Error(`field "${field}" is not mapped in ${dataViewPattern(dv)} (data view ${dv.id})`);
  return type;
}

const NUMERIC = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);

/** True for Elasticsearch's numeric field types. */
export function isNumericType(type: string): boolean {
  return NUMERIC.has(type);
}

/**
 * Lens's `dataType` of a column over a field of Elasticsearch type `esType` (Lens groups the
 * numeric types as `number` and keyword-like types as `string`).
 * @throws Error for a type Lens cannot bucket on (object, text, geo).
 */
export function lensDataType(esType: string): 'string' | 'number' | 'date' | 'boolean' | 'ip' {
  if (isNumericType(esType)) return 'number';
  if (esType === 'keyword' || esType === 'constant_keyword' || esType === 'wildcard') return 'string';
  if (esType === 'date' || esType === 'date_nanos') return 'date';
  if (esType === 'boolean') return 'boolean';
  if (esType === 'ip') return 'ip';
  throw new Error(`Lens cannot use a field of type ${esType} here`);
}
