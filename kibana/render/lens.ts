/**
 * Renders a `LensDef` as a Kibana 8.x `lens` saved object (typeMigrationVersion 8.9.0).
 *
 * Shape, as Kibana writes it (sources in elastic/kibana):
 * - attributes `{title, description, visualizationType, state}`; `state` is
 *   `{visualization, query, filters, adHocDataViews, internalReferences, datasourceStates: {formBased:
 *   {layers: {<layerId>: {columns, columnOrder, incompleteColumns, ignoreGlobalFilters, sampling}}}}}` —
 *   `x-pack/examples/embedded_lens_example/public/app.tsx`, the by-value Lens panels of the sample
 *   dashboards (`…/sample_data/data_sets/{logs,ecommerce}/saved_objects.ts`) and the Lens objects Elastic's
 *   integration packages ship (e.g. elastic/integrations `packages/nginx/kibana/lens/*.json`, 8.9.0);
 * - each layer's data view is a reference named `indexpattern-datasource-layer-<layerId>` of type
 *   `index-pattern` (`…/lens/server/migrations/saved_object_migrations.ts`, `extractReferences`);
 * - column shapes (`operationType` `date_histogram`, `terms`, `filters`, `count` with sourceField
 *   `___records___`, `average`/`sum`/`max`/`min`, `percentile`, `static_value`; per-column `filter`
 *   `{query, language}`) as in those samples and Lens's operation definitions;
 * - visualization states: `lnsXY` (sample dashboards), `lnsPie` (`primaryGroups`/`metrics`, since the
 *   8.5/8.6 migrations), `lnsMetric` (`metricAccessor`), `lnsGauge` (`shape`, `metricAccessor`,
 *   `minAccessor`, `maxAccessor`, `ticksPosition`, `labelMajorMode`;
 *   `src/platform/packages/shared/kbn-lens-embeddable-utils/config_builder/charts/gauge.test.ts`) and
 *   `lnsDatatable` (`columns: [{columnId, isTransposed}]`, `sorting`).
 *
 * Layer and column ids are deterministic (`layer-0`, `layer-0-c1`), so regeneration is byte-stable.
 */
import { fieldType, lensDataType } from '../mappings.js';
import { kqlFields } from '../kql.js';
import type { BucketColumn, DataViewDef, FieldFormat, LensChart, LensDef, MetricColumn } from '../model.js';
import { savedObject, type SavedObject, type SavedObjectReference } from './saved-object.js';

type Column = Record<string, unknown>;

/** Lens operation names of the aggregations (`avg` is Lens's `average`, `percentiles` its `percentile`). */
const OPERATION = { avg: 'average', sum: 'sum', max: 'max', min: 'min' } as const;
const AGG_LABEL = { avg: 'Average', sum: 'Sum', max: 'Maximum', min: 'Minimum' } as const;

/** Lens's column `params.format` for a display format. */
function lensFormat(f: FieldFormat): { id: string; params: { decimals: number } } {
  return { id: f.id, params: { decimals: f.decimals ?? 2 } };
}

/** Checks that every field a KQL string names is mapped in the data view. @throws Error otherwise */
function checkKql(dv: DataViewDef, kql: string): void {
  for (const f of kqlFields(kql)) fieldType(dv, f);
}

class Layer {
  readonly columns: Record<string, Column> = {};
  readonly columnOrder: string[] = [];

  constructor(
    readonly id: string,
    readonly dataView: DataViewDef,
  ) {}

  /** Adds a column and returns its id; `first` puts it at the front of `columnOrder`. */
  add(column: Column, first = false): string {
    const id = `${this.id}-c${Object.keys(this.columns).length}`;
    this.columns[id] = column;
    if (first) this.columnOrder.unshift(id);
    else this.columnOrder.push(id);
    return id;
  }

  metric(c: MetricColumn): string {
    return this.add(metricColumn(this.dataView, c));
  }

  /** Adds a bucket column ranked by `rankColumnId` (the layer's first metric) when it is `terms`. */
  bucket(c: BucketColumn, rankColumnId: string | undefined, first = false): string {
    return this.add(bucketColumn(this.dataView, c, rankColumnId), first);
  }
}

function bucketColumn(dv: DataViewDef, c: BucketColumn, rankColumnId: string | undefined): Column {
  switch (c.agg) {
    case 'date_histogram': {
      const type = fieldType(dv, c.field);
      if (type !== 'date' && type !== 'date_nanos') throw new Error(`date_histogram on ${c.field} (${type}) in ${dv.id}`);
      return {
        label: c.field,
        dataType: 'date',
        operationType: 'date_histogram',
        sourceField: c.field,
        isBucketed: true,
        scale: 'interval',
        params: { interval: c.interval ?? 'auto', includeEmptyRows: true, dropPartials: false },
      };
    }
    case 'terms': {
      let order: Record<string, unknown>;
      if (c.rankBy === 'alphabetical') order = { orderBy: { type: 'alphabetical', fallback: false }, orderDirection: 'asc' };
      else if (c.rankBy === 'count')
        order = {
          orderBy: { type: 'custom' },
          orderAgg: { label: 'Count of records', dataType: 'number', operationType: 'count', isBucketed: false, scale: 'ratio', sourceField: '___records___' },
          orderDirection: 'desc',
        };
      else {
        if (!rankColumnId) throw new Error(`terms on ${c.field} ranked by metric, but the layer has no metric`);
        order = { orderBy: { type: 'column', columnId: rankColumnId }, orderDirection: 'desc' };
      }
      return {
        label: c.label ?? `Top ${c.size} values of ${c.field}`,
        ...(c.label ? { customLabel: true } : {}),
        dataType: lensDataType(fieldType(dv, c.field)),
        operationType: 'terms',
        sourceField: c.field,
        isBucketed: true,
        scale: 'ordinal',
        params: {
          size: c.size,
          ...order,
          otherBucket: true,
          missingBucket: false,
          parentFormat: { id: 'terms' },
          include: [],
          exclude: [],
          includeIsRegex: false,
          excludeIsRegex: false,
        },
      };
    }
    case 'filters':
      for (const f of c.filters) checkKql(dv, f.kql);
      return {
        label: c.label ?? 'Filters',
        ...(c.label ? { customLabel: true } : {}),
        dataType: 'string',
        operationType: 'filters',
        scale: 'ordinal',
        isBucketed: true,
        params: { filters: c.filters.map((f) => ({ input: { query: f.kql, language: 'kuery' }, label: f.label })) },
      };
  }
}

function metricColumn(dv: DataViewDef, c: MetricColumn): Column {
  if (c.agg === 'static') {
    return {
      label: c.label ?? `Static value: ${c.value}`,
      ...(c.label ? { customLabel: true } : {}),
      dataType: 'number',
      operationType: 'static_value',
      isStaticValue: true,
      isBucketed: false,
      scale: 'ratio',
      params: { value: String(c.value) },
      references: [],
    };
  }
  if (c.filter !== undefined) checkKql(dv, c.filter);
  const common = {
    ...(c.label ? { customLabel: true } : {}),
    dataType: 'number',
    isBucketed: false,
    scale: 'ratio',
    ...(c.filter !== undefined ? { filter: { query: c.filter, language: 'kuery' } } : {}),
  };
  const format = c.format ? { format: lensFormat(c.format) } : {};
  if (c.agg === 'count') {
    return { label: c.label ?? 'Count of records', ...common, operationType: 'count', sourceField: '___records___', params: { emptyAsNull: true, ...format } };
  }
  const type = fieldType(dv, c.field);
  if (lensDataType(type) !== 'number') throw new Error(`${c.agg} on non-numeric ${c.field} (${type}) in ${dv.id}`);
  if (c.agg === 'percentiles') {
    return {
      label: c.label ?? `${c.percentile}th percentile of ${c.field}`,
      ...common,
      operationType: 'percentile',
      sourceField: c.field,
      params: { percentile: c.percentile, ...format },
    };
  }
  return {
    label: c.label ?? `${AGG_LABEL[c.agg]} of ${c.field}`,
    ...common,
    operationType: OPERATION[c.agg],
    sourceField: c.field,
    params: { emptyAsNull: true, ...format },
  };
}

/** Bucketed columns come first; a terms breakdown before the x axis (Lens ranks top values over the whole range). */
function xyLayer(layer: Layer, x: BucketColumn, breakdown: BucketColumn | undefined, metrics: MetricColumn[]) {
  const accessors = metrics.map((m) => layer.metric(m));
  const xAccessor = layer.bucket(x, accessors[0], true);
  const splitAccessor = breakdown ? layer.bucket(breakdown, accessors[0], breakdown.agg === 'terms') : undefined;
  if (splitAccessor && breakdown?.agg !== 'terms') {
    // keep x, then the breakdown, then the metrics
    layer.columnOrder.splice(layer.columnOrder.indexOf(splitAccessor), 1);
    layer.columnOrder.splice(1, 0, splitAccessor);
  }
  return { accessors, xAccessor, splitAccessor };
}

function renderChart(chart: LensChart): { visualizationType: string; visualization: Record<string, unknown>; layers: Layer[] } {
  switch (chart.type) {
    case 'xy': {
      const layers: Layer[] = [];
      const visLayers = chart.layers.map((l, i) => {
        const layer = new Layer(`layer-${i}`, l.dataView);
        layers.push(layer);
        const { accessors, xAccessor, splitAccessor } = xyLayer(layer, l.x, l.breakdown, l.metrics);
        return {
          layerId: layer.id,
          layerType: 'data',
          seriesType: l.series,
          xAccessor,
          ...(splitAccessor ? { splitAccessor } : {}),
          accessors,
          yConfig: accessors.map((a) => ({ forAccessor: a, axisMode: l.axis ?? 'left' })),
          palette: { type: 'palette', name: 'default' },
        };
      });
      const flags = { x: true, yLeft: true, yRight: true };
      return {
        visualizationType: 'lnsXY',
        layers,
        visualization: {
          legend: { isVisible: true, position: chart.legend ?? 'right' },
          valueLabels: 'hide',
          fittingFunction: 'None',
          axisTitlesVisibilitySettings: flags,
          tickLabelsVisibilitySettings: flags,
          labelsOrientation: { x: 0, yLeft: 0, yRight: 0 },
          gridlinesVisibilitySettings: flags,
          preferredSeriesType: chart.layers[0]?.series ?? 'line',
          layers: visLayers,
        },
      };
    }
    case 'pie': {
      const layer = new Layer('layer-0', chart.dataView);
      const metric = layer.metric(chart.metric);
      const slice = layer.bucket(chart.slices, metric, true);
      return {
        visualizationType: 'lnsPie',
        layers: [layer],
        visualization: {
          shape: chart.donut ? 'donut' : 'pie',
          layers: [
            {
              layerId: layer.id,
              layerType: 'data',
              primaryGroups: [slice],
              metrics: [metric],
              numberDisplay: 'percent',
              categoryDisplay: 'default',
              legendDisplay: 'default',
              nestedLegend: false,
            },
          ],
        },
      };
    }
    case 'metric': {
      const layer = new Layer('layer-0', chart.dataView);
      const metricAccessor = layer.metric(chart.metric);
      return { visualizationType: 'lnsMetric', layers: [layer], visualization: { layerId: layer.id, layerType: 'data', metricAccessor } };
    }
    case 'gauge': {
      const layer = new Layer('layer-0', chart.dataView);
      const metricAccessor = layer.metric(chart.metric);
      const minAccessor = layer.metric({ agg: 'static', value: chart.min, label: 'Minimum' });
      const maxAccessor = layer.metric({ agg: 'static', value: chart.max, label: 'Maximum' });
      return {
        visualizationType: 'lnsGauge',
        layers: [layer],
        visualization: {
          layerId: layer.id,
          layerType: 'data',
          shape: chart.shape ?? 'arc',
          metricAccessor,
          minAccessor,
          maxAccessor,
          ticksPosition: 'auto',
          labelMajorMode: 'auto',
        },
      };
    }
    case 'table': {
      const layer = new Layer('layer-0', chart.dataView);
      const metricIds = chart.metrics.map((m) => layer.metric(m));
      const rowIds = chart.rows.map((r) => layer.bucket(r, metricIds[0]));
      // rows first, in the given order
      layer.columnOrder.splice(0, layer.columnOrder.length, ...rowIds, ...metricIds);
      const sortId = chart.sort ? (chart.sort.by === 'row' ? rowIds : metricIds)[chart.sort.index] : undefined;
      if (chart.sort && !sortId) throw new Error(`table sort refers to missing ${chart.sort.by} ${chart.sort.index}`);
      return {
        visualizationType: 'lnsDatatable',
        layers: [layer],
        visualization: {
          layerId: layer.id,
          layerType: 'data',
          columns: [...rowIds, ...metricIds].map((columnId) => ({ columnId, isTransposed: false })),
          ...(chart.sort && sortId ? { sorting: { columnId: sortId, direction: chart.sort.direction } } : {}),
        },
      };
    }
  }
}

/**
 * The `lens` saved object of `def`.
 * @throws Error when a field is not mapped in its data view, or a date histogram / numeric metric is
 * on a field of the wrong type (checked against the processor's index templates).
 */
export function renderLens(def: LensDef): SavedObject {
  const { visualizationType, visualization, layers } = renderChart(def.chart);
  if (def.query !== undefined) for (const l of layers) checkKql(l.dataView, def.query);
  const references: SavedObjectReference[] = layers.map((l) => ({
    type: 'index-pattern',
    id: l.dataView.id,
    name: `indexpattern-datasource-layer-${l.id}`,
  }));
  return savedObject(
    'lens',
    def.id,
    {
      title: def.title,
      description: def.description,
      visualizationType,
      state: {
        visualization,
        query: { query: def.query ?? '', language: 'kuery' },
        filters: [],
        datasourceStates: {
          formBased: {
            layers: Object.fromEntries(
              layers.map((l) => [
                l.id,
                { columns: l.columns, columnOrder: l.columnOrder, incompleteColumns: {}, ignoreGlobalFilters: false, sampling: 1 },
              ]),
            ),
          },
        },
        // written by Lens 8.x for every saved visualization, empty when no ad-hoc data view is used
        adHocDataViews: {},
        internalReferences: [],
      },
    },
    references,
  );
}
