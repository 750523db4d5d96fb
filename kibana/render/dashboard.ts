/**
 * Renders a `DashboardDef` as a Kibana 8.x `dashboard` saved object (typeMigrationVersion 8.9.0).
 *
 * Attributes are those of the 8.x dashboard saved-object schema (`title`, `description`,
 * `panelsJSON`, `optionsJSON`, `timeRestore`, `timeFrom`, `timeTo`, `refreshInterval`,
 * `kibanaSavedObjectMeta.searchSourceJSON`, `version`; the schema forbids unknown attributes).
 * `panelsJSON` is a JSON array of panels `{type, gridData: {x, y, w, h, i}, panelIndex,
 * embeddableConfig, panelRefName}` on a 48-column grid (no per-panel `version`: dashboards exported at
 * 8.9.0, e.g. elastic/integrations `packages/nginx/kibana/dashboard/nginx-1be8c400-…json`, carry none); each by-reference panel names its object with
 * `panelRefName: "panel_<panelIndex>"` and the dashboard carries a reference named
 * `<panelIndex>:panel_<panelIndex>` whose `type` is the panel's saved object type.
 *
 * Sources (elastic/kibana): `…/dashboard/common/dashboard_container/persistable_state/dashboard_container_references.ts`
 * (`createExtract` writes `panelRefName = panel_${id}` and the reference `${id}:panel_${id}`;
 * `createInject` resolves it and takes the panel type from the reference), the dashboard of the logs
 * sample data (`…/sample_data/data_sets/logs/saved_objects.ts`: panel `version: "8.8.0"`,
 * `optionsJSON`, `refreshInterval`), and `dashboardAttributesSchema` of the dashboard content
 * management schema (the attribute list above).
 */
import type { DashboardDef, PanelDef } from '../model.js';
import { savedObject, type SavedObject, type SavedObjectReference } from './saved-object.js';

/** Width of Kibana's dashboard grid, in columns. */
export const GRID_COLUMNS = 48;

/** Position of a panel on the grid (columns and rows). */
export interface GridData {
  x: number;
  y: number;
  w: number;
  h: number;
  i: string;
}

/**
 * Places panels left to right in order, starting a new row when the next panel does not fit in the
 * 48 columns; a row is as tall as its tallest panel.
 * @throws Error for a panel wider than the grid or with a non-positive size.
 */
export function layoutPanels(panels: PanelDef[]): GridData[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((p, index) => {
    if (p.w < 1 || p.w > GRID_COLUMNS || p.h < 1) throw new Error(`panel ${p.object.id}: size ${p.w}×${p.h} does not fit the ${GRID_COLUMNS}-column grid`);
    if (x + p.w > GRID_COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const grid = { x, y, w: p.w, h: p.h, i: String(index) };
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
    return grid;
  });
}

/** Saved object type of a panel's object (`lens`, `map` or `search`), also the panel's `type`. */
function panelType(p: PanelDef): 'lens' | 'map' | 'search' {
  return p.object.kind;
}

/** The `dashboard` saved object of `def`, its panels by reference to the objects' ids. */
export function renderDashboard(def: DashboardDef): SavedObject {
  const grid = layoutPanels(def.panels);
  const references: SavedObjectReference[] = [];
  const panels = def.panels.map((p, index) => {
    const panelIndex = String(index);
    const panelRefName = `panel_${panelIndex}`;
    references.push({ name: `${panelIndex}:${panelRefName}`, type: panelType(p), id: p.object.id });
    return {
      type: panelType(p),
      gridData: grid[index],
      panelIndex,
      embeddableConfig: { enhancements: {} },
      panelRefName,
    };
  });
  return savedObject(
    'dashboard',
    def.id,
    {
      title: def.title,
      description: def.description,
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: def.timeFrom,
      timeTo: def.timeTo,
      refreshInterval: { pause: def.refreshIntervalMs === 0, value: def.refreshIntervalMs },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
      version: 1,
    },
    references,
  );
}
