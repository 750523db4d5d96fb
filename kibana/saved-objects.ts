/**
 * All saved objects of the project, built from the typed definitions: the data views, then every
 * object the dashboards show (once each, in first-use order), then the dashboards. `toNdjson` writes
 * them in Kibana's export/import format (one JSON object per line, `\n`-terminated).
 */
import { dataViews } from './data-views.js';
import { marketsDashboard } from './dashboards/markets.js';
import { newsSentimentDashboard } from './dashboards/news-sentiment.js';
import { webTrafficDashboard } from './dashboards/web-traffic.js';
import type { DashboardDef, PanelObject } from './model.js';
import { renderDashboard } from './render/dashboard.js';
import { renderIndexPattern } from './render/index-pattern.js';
import { renderLens } from './render/lens.js';
import { renderMap } from './render/map.js';
import type { SavedObject } from './render/saved-object.js';
import { renderSearch } from './render/search.js';

export { NDJSON_PATH } from './paths.js';

/** The dashboards, in NDJSON order. */
export const dashboards: readonly DashboardDef[] = [webTrafficDashboard, newsSentimentDashboard, marketsDashboard];

/**
 * Every object shown on a dashboard, once each (by id) in first-use order.
 * @throws Error when two different definitions share an id.
 */
export function panelObjects(ds: readonly DashboardDef[] = dashboards): PanelObject[] {
  const byId = new Map<string, PanelObject>();
  for (const d of ds) {
    for (const { object } of d.panels) {
      const seen = byId.get(object.id);
      if (seen && JSON.stringify(seen) !== JSON.stringify(object)) throw new Error(`two different objects share the id ${object.id}`);
      byId.set(object.id, object);
    }
  }
  return [...byId.values()];
}

/** Renders one panel object with the renderer of its kind. */
export function renderPanelObject(o: PanelObject): SavedObject {
  switch (o.kind) {
    case 'lens':
      return renderLens(o);
    case 'map':
      return renderMap(o);
    case 'search':
      return renderSearch(o);
  }
}

/**
 * Data views, panel objects and dashboards as saved objects.
 * @throws Error when a definition uses a field the processor's index templates do not map, a field
 * of the wrong type, or a duplicate id.
 */
export function buildSavedObjects(): SavedObject[] {
  const objects = [...dataViews.map(renderIndexPattern), ...panelObjects().map(renderPanelObject), ...dashboards.map(renderDashboard)];
  const ids = new Set<string>();
  for (const o of objects) {
    if (ids.has(o.id)) throw new Error(`duplicate saved object id ${o.id}`);
    ids.add(o.id);
  }
  return objects;
}

/** NDJSON text of `objects`: one compact JSON object per line, each line ending in `\n`. */
export function toNdjson(objects: SavedObject[]): string {
  return objects.map((o) => `${JSON.stringify(o)}\n`).join('');
}

/** Parses NDJSON saved objects (blank lines ignored). @throws SyntaxError naming the line on bad JSON */
export function parseNdjson(text: string): SavedObject[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, i }) => {
      try {
        return JSON.parse(line) as SavedObject;
      } catch (err) {
        throw new SyntaxError(`line ${i + 1}: ${(err as Error).message}`);
      }
    });
}
