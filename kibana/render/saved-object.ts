/**
 * The envelope of a Kibana 8.x saved object as the export API writes it and the import API reads it
 * (one JSON object per NDJSON line), and the migration versions each object type is written at.
 *
 * Kibana runs every migration newer than an object's `typeMigrationVersion` on import and refuses an
 * object that claims a version newer than it knows, so each type below claims the version whose shape
 * it is written in — the same version Kibana's own sample data declares for that shape — and lets
 * Kibana migrate it forward. Sources (elastic/kibana):
 * - `src/platform/plugins/shared/home/server/services/sample_data/data_sets/{logs,ecommerce}/saved_objects.ts`
 *   (`coreMigrationVersion: '8.8.0'`; index-pattern `7.11.0`, search `7.9.3`, dashboard `8.7.0`);
 * - `x-pack/platform/plugins/shared/lens/server/migrations/saved_object_migrations.ts` (Lens migrations
 *   up to `8.9.0`; `8.6.0` renamed the `indexpattern` datasource to `formBased`, so `formBased` needs ≥ 8.6.0);
 * - `x-pack/platform/plugins/shared/maps/server/saved_objects/saved_object_migrations.ts` (map migrations
 *   up to `8.4.0`; the layer list is written in its 8.1+ form, see render/map.ts).
 * Compared with the objects Elastic's integration packages ship (elastic/integrations
 * `packages/nginx/kibana/{lens,dashboard,map}/*.json`): Lens `8.9.0` and dashboards `8.9.0` with
 * `coreMigrationVersion: '8.8.0'`; maps `8.0.0`/`8.1.0` (in `migrationVersion`, their older envelope).
 * Data views claim `8.0.0`, the version at which index patterns became multi-namespace objects (the
 * last index-pattern migration). Searches stay at `7.9.3`, the sample-data shape, and Kibana migrates them.
 * test/kibana/export-shapes.test.ts encodes these shapes.
 */

/** A reference from one saved object to another; `name` is how the referring object points at it. */
export interface SavedObjectReference {
  name: string;
  type: string;
  id: string;
}

/** One saved object line of an export/import NDJSON file. */
export interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: SavedObjectReference[];
  coreMigrationVersion: string;
  typeMigrationVersion: string;
  managed: boolean;
}

/** Core migration version of Kibana 8.8+ exports (unchanged since 8.8.0). */
export const CORE_MIGRATION_VERSION = '8.8.0';

/** `typeMigrationVersion` per saved object type, see the module comment for the sources. */
export const TYPE_MIGRATION_VERSION = {
  'index-pattern': '8.0.0',
  search: '7.9.3',
  lens: '8.9.0',
  map: '8.4.0',
  dashboard: '8.9.0',
} as const;

/** The saved object types generated here. */
export type SavedObjectType = keyof typeof TYPE_MIGRATION_VERSION;

/** Builds the envelope with the type's migration versions, `managed: false` (editable in Kibana). */
export function savedObject(
  type: SavedObjectType,
  id: string,
  attributes: Record<string, unknown>,
  references: SavedObjectReference[],
): SavedObject {
  return {
    type,
    id,
    attributes,
    references,
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: TYPE_MIGRATION_VERSION[type],
    managed: false,
  };
}
