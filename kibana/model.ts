/**
 * Typed definitions of the Kibana objects this project ships: data views, Lens visualizations, a
 * Maps map, a saved search and dashboards. They say *what* is shown (which field, which aggregation,
 * which filter); `render/` turns them into Kibana 8.x saved objects and `fieldUses` lists every field
 * each object touches, so a test can check the fields against the real Elasticsearch mapping without
 * parsing Kibana's internal formats.
 *
 * Nothing here is Kibana-specific beyond names: an aggregation is named as Elasticsearch names it
 * (`avg`, `percentiles`, `date_histogram`), and filters are KQL strings whose fields are read by
 * `kqlFields`.
 */
import { kqlFields } from './kql.js';

/** A KQL query string (Kibana Query Language), e.g. `news.sentiment.label : "negative"`. */
export type Kql = string;

/**
 * How a number is displayed: Kibana's field formatter ids `bytes` (1024-based units), `percent`
 * (the value is a ratio 0–1, shown ×100 with `%`) and `number`; `decimals` after the point.
 */
export interface FieldFormat {
  id: 'bytes' | 'percent' | 'number';
  decimals?: number;
}

/** A data view over one data stream pattern, `{type}-{dataset}-*` (Elastic's data stream naming). */
export interface DataViewDef {
  /** Stable saved object id (never regenerated, so imports overwrite instead of duplicating). */
  id: string;
  /** Display name in Kibana. */
  name: string;
  /** The `type` and `dataset` parts; the namespace is the wildcard. */
  stream: { type: 'logs' | 'metrics'; dataset: string };
  /** Time field of every data stream here. */
  timeField: '@timestamp';
  /** Display formats per field (stored in the data view's `fieldFormatMap`). */
  fieldFormats?: Record<string, FieldFormat>;
}

/** The index pattern of a data view, e.g. `logs-weblogs.access-*`. */
export function dataViewPattern(dv: DataViewDef): string {
  return `${dv.stream.type}-${dv.stream.dataset}-*`;
}

/** The data stream of a data view in one namespace, e.g. `logs-weblogs.access-t1a2b3c4`. */
export function dataViewStream(dv: DataViewDef, namespace: string): string {
  return `${dv.stream.type}-${dv.stream.dataset}-${namespace}`;
}

/**
 * A bucketing column (x axis, breakdown, table row, pie slice).
 * - `date_histogram` on a date field; `interval` is Kibana's (`auto`, `1m`, `1h`…; default `auto`).
 * - `terms`: the top `size` values of `field`, ranked by the layer's first metric (`metric`), by
 *   document count (`count`) or alphabetically.
 * - `filters`: one bucket per KQL filter (e.g. HTTP status classes).
 */
export type BucketColumn =
  | { agg: 'date_histogram'; field: string; interval?: string }
  | { agg: 'terms'; field: string; size: number; rankBy: 'metric' | 'count' | 'alphabetical'; label?: string }
  | { agg: 'filters'; label?: string; filters: { label: string; kql: Kql }[] };

/** Aggregations over a numeric field, named as in Elasticsearch. */
export type NumericAgg = 'avg' | 'sum' | 'max' | 'min';

/**
 * A metric column. `filter` (KQL) restricts the documents of this column only; `static` is a
 * constant (gauge bounds). `percentiles` computes one percentile (0–100).
 */
export type MetricColumn =
  | { agg: 'count'; label?: string; filter?: Kql; format?: FieldFormat }
  | { agg: NumericAgg; field: string; label?: string; filter?: Kql; format?: FieldFormat }
  | { agg: 'percentiles'; field: string; percentile: number; label?: string; filter?: Kql; format?: FieldFormat }
  | { agg: 'static'; value: number; label?: string };

/** One layer of an XY chart: its data view, series type, x axis, optional breakdown and metrics. */
export interface XyLayer {
  dataView: DataViewDef;
  series: 'line' | 'area' | 'bar' | 'bar_stacked' | 'area_stacked';
  x: BucketColumn;
  breakdown?: BucketColumn;
  metrics: MetricColumn[];
  /** Y axis of the layer's series (default left). */
  axis?: 'left' | 'right';
}

/** What a Lens visualization draws. */
export type LensChart =
  | { type: 'xy'; layers: XyLayer[]; legend?: 'right' | 'bottom' }
  | { type: 'pie'; dataView: DataViewDef; slices: BucketColumn; metric: MetricColumn; donut?: boolean }
  | { type: 'metric'; dataView: DataViewDef; metric: MetricColumn }
  | { type: 'gauge'; dataView: DataViewDef; metric: MetricColumn; min: number; max: number; shape?: 'arc' | 'semiCircle' | 'horizontalBullet' }
  | {
      type: 'table';
      dataView: DataViewDef;
      rows: BucketColumn[];
      metrics: MetricColumn[];
      /** Sort by the `index`-th row or metric column. */
      sort?: { by: 'row' | 'metric'; index: number; direction: 'asc' | 'desc' };
    };

/** A Lens visualization (saved object type `lens`). `query` (KQL) applies to every layer. */
export interface LensDef {
  kind: 'lens';
  id: string;
  title: string;
  description: string;
  chart: LensChart;
  query?: Kql;
}

/**
 * A Maps map (saved object type `map`): a base map plus one layer of documents clustered on a
 * geo-tile grid of `geoField`, sized and coloured by document count; `sumField` adds a summed metric
 * to the cluster tooltip. `center` is the initial view (degrees, Kibana zoom level).
 */
export interface MapDef {
  kind: 'map';
  id: string;
  title: string;
  description: string;
  dataView: DataViewDef;
  geoField: string;
  sumField?: string;
  center: { lat: number; lon: number; zoom: number };
}

/** A saved search (Discover table; saved object type `search`). */
export interface SearchDef {
  kind: 'search';
  id: string;
  title: string;
  description: string;
  dataView: DataViewDef;
  columns: string[];
  sort: { field: string; direction: 'asc' | 'desc' }[];
  query: Kql;
}

/** Anything a dashboard panel can show. */
export type PanelObject = LensDef | MapDef | SearchDef;

/** A dashboard panel: the object and its size on Kibana's 48-column grid (height in grid rows). */
export interface PanelDef {
  object: PanelObject;
  w: number;
  h: number;
}

/**
 * A dashboard. Panels are laid out left to right in the given order, wrapping to a new row when the
 * 48-column grid is full. `timeFrom`/`timeTo` are Kibana date math (`now-24h`); the time range and the
 * auto-refresh interval (ms, 0 = off) are restored when the dashboard opens.
 */
export interface DashboardDef {
  id: string;
  title: string;
  description: string;
  timeFrom: string;
  timeTo: string;
  refreshIntervalMs: number;
  panels: PanelDef[];
}

/**
 * How an object uses a field, named after what Elasticsearch must be able to do with it:
 * - `terms`, `date_histogram`, `avg`, `sum`, `max`, `min`, `percentiles`, `geotile_grid`: aggregations
 *   (the field must be aggregatable and of a fitting type);
 * - `filter`: named in a KQL query or filter (the field must be searchable);
 * - `column`: shown as a document column in a saved search (the field must exist);
 * - `sort`: sorted on (aggregatable, i.e. doc values).
 */
export type FieldAgg = 'terms' | 'date_histogram' | NumericAgg | 'percentiles' | 'geotile_grid' | 'filter' | 'column' | 'sort';

/** One use of one field by one saved object, on one data view. `where` says where, for messages. */
export interface FieldUse {
  objectId: string;
  dataView: DataViewDef;
  field: string;
  agg: FieldAgg;
  where: string;
}

function kqlUses(objectId: string, dataView: DataViewDef, kql: Kql, where: string): FieldUse[] {
  return kqlFields(kql).map((field) => ({ objectId, dataView, field, agg: 'filter' as const, where: `${where}: ${kql}` }));
}

function bucketUses(objectId: string, dv: DataViewDef, c: BucketColumn, where: string): FieldUse[] {
  switch (c.agg) {
    case 'date_histogram':
    case 'terms':
      return [{ objectId, dataView: dv, field: c.field, agg: c.agg, where }];
    case 'filters':
      return c.filters.flatMap((f) => kqlUses(objectId, dv, f.kql, `${where} filter "${f.label}"`));
  }
}

function metricUses(objectId: string, dv: DataViewDef, c: MetricColumn, where: string): FieldUse[] {
  if (c.agg === 'static') return [];
  const filter = c.filter !== undefined ? kqlUses(objectId, dv, c.filter, `${where} filter`) : [];
  if (c.agg === 'count') return filter;
  return [{ objectId, dataView: dv, field: c.field, agg: c.agg, where }, ...filter];
}

/** The data views a Lens chart reads, in layer order, without repeats. */
export function chartDataViews(chart: LensChart): DataViewDef[] {
  const all = chart.type === 'xy' ? chart.layers.map((l) => l.dataView) : [chart.dataView];
  return all.filter((dv, i) => all.findIndex((d) => d.id === dv.id) === i);
}

/**
 * Every field `obj` uses, with the aggregation or role, derived from the same definition the saved
 * object is rendered from (so the list cannot drift from the NDJSON). Document counts use no field.
 * A Lens `query` counts as a filter on every data view of the chart.
 */
export function fieldUses(obj: PanelObject): FieldUse[] {
  const id = obj.id;
  switch (obj.kind) {
    case 'lens': {
      const c = obj.chart;
      const uses: FieldUse[] = [];
      if (c.type === 'xy') {
        c.layers.forEach((l, i) => {
          uses.push(...bucketUses(id, l.dataView, l.x, `layer ${i} x axis`));
          if (l.breakdown) uses.push(...bucketUses(id, l.dataView, l.breakdown, `layer ${i} breakdown`));
          l.metrics.forEach((m, j) => uses.push(...metricUses(id, l.dataView, m, `layer ${i} metric ${j}`)));
        });
      } else if (c.type === 'pie') {
        uses.push(...bucketUses(id, c.dataView, c.slices, 'slices'), ...metricUses(id, c.dataView, c.metric, 'metric'));
      } else if (c.type === 'metric' || c.type === 'gauge') {
        uses.push(...metricUses(id, c.dataView, c.metric, 'metric'));
      } else {
        c.rows.forEach((r, i) => uses.push(...bucketUses(id, c.dataView, r, `row ${i}`)));
        c.metrics.forEach((m, i) => uses.push(...metricUses(id, c.dataView, m, `metric ${i}`)));
      }
      if (obj.query !== undefined) for (const dv of chartDataViews(c)) uses.push(...kqlUses(id, dv, obj.query, 'query'));
      return uses;
    }
    case 'map':
      return [
        { objectId: id, dataView: obj.dataView, field: obj.geoField, agg: 'geotile_grid', where: 'cluster layer' },
        ...(obj.sumField ? [{ objectId: id, dataView: obj.dataView, field: obj.sumField, agg: 'sum' as const, where: 'cluster metric' }] : []),
      ];
    case 'search':
      return [
        ...obj.columns.map((field) => ({ objectId: id, dataView: obj.dataView, field, agg: 'column' as const, where: 'column' })),
        ...obj.sort.map((s) => ({ objectId: id, dataView: obj.dataView, field: s.field, agg: 'sort' as const, where: 'sort' })),
        ...kqlUses(id, obj.dataView, obj.query, 'query'),
      ];
  }
}
