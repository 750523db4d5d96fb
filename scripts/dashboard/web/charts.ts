/// <reference lib="dom" />
/**
 * Panels of the page: a card with a title, a hint and a body that is either an Apache ECharts chart
 * (the global `echarts` from `/vendor/echarts.min.js`) or HTML (tables, KPI tiles). Each panel
 * element carries `data-panel` (its id), `data-state` (`loading`, `ready`, `empty`) and
 * `data-points` (how many data points it drew), which the browser test reads.
 */
import type * as ECharts from 'echarts';
import { esc } from './format.js';

declare global {
  // ECharts is loaded by a classic <script> from node_modules/echarts/dist/echarts.min.js.
  const echarts: typeof ECharts;
}

/** Colours shared by all views (colour-blind-safe pairs for good/bad). */
export const COLORS = {
  text: '#c9d1e0',
  muted: '#8b95a7',
  grid: '#273043',
  axis: '#3a4458',
  '1xx': '#8b95a7',
  '2xx': '#3fb68b',
  '3xx': '#5b8def',
  '4xx': '#f2b84b',
  '5xx': '#ef5a6f',
  positive: '#3fb68b',
  negative: '#ef5a6f',
  neutral: '#8b95a7',
  up: '#3fb68b',
  down: '#ef5a6f',
  series: ['#5b8def', '#3fb68b', '#f2b84b', '#b07cf0', '#ef5a6f', '#36c2d6', '#f08a4b', '#e86fb0'],
} as const;

/** Options every chart starts from: dark, transparent background, readable tooltip and axes. */
export function baseOption(): ECharts.EChartsOption {
  return {
    backgroundColor: 'transparent',
    textStyle: { color: COLORS.text, fontFamily: 'Inter, "Segoe UI", system-ui, sans-serif' },
    color: [...COLORS.series],
    animationDuration: 300,
    tooltip: {
      backgroundColor: '#151b28',
      borderColor: '#2c3548',
      textStyle: { color: '#e6ebf5', fontSize: 12 },
      confine: true,
    },
    legend: { textStyle: { color: COLORS.muted }, icon: 'roundRect', itemWidth: 10, itemHeight: 10, top: 0, type: 'scroll', pageTextStyle: { color: COLORS.muted } },
    grid: { left: 8, right: 12, top: 30, bottom: 4, containLabel: true },
  };
}

/** A category axis over bucket labels. */
export function categoryAxis(labels: string[], extra: Record<string, unknown> = {}): ECharts.XAXisComponentOption {
  return {
    type: 'category',
    data: labels,
    axisLine: { lineStyle: { color: COLORS.axis } },
    axisTick: { show: false },
    axisLabel: { color: COLORS.muted, hideOverlap: true },
    ...extra,
  } as ECharts.XAXisComponentOption;
}

/** A value axis with faint split lines; `format` renders its labels. */
export function valueAxis(format?: (v: number) => string, extra: Record<string, unknown> = {}): ECharts.YAXisComponentOption {
  return {
    type: 'value',
    axisLabel: { color: COLORS.muted, ...(format ? { formatter: (v: number) => format(v) } : {}) },
    splitLine: { lineStyle: { color: COLORS.grid } },
    ...extra,
  } as ECharts.YAXisComponentOption;
}

/** Options of a {@link Panel}. */
export interface PanelSpec {
  id: string;
  title: string;
  /** One line under the title: what is shown, from which stream. */
  hint?: string;
  /** Columns of the 12-column grid. */
  span: number;
  /** Body height, px (charts). */
  height?: number;
  kind: 'chart' | 'html';
}

/** One card of a view. */
export class Panel {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly note: HTMLElement;
  private chart: ECharts.ECharts | undefined;

  constructor(parent: HTMLElement, readonly spec: PanelSpec) {
    this.el = document.createElement('section');
    this.el.className = `panel span-${spec.span}`;
    this.el.dataset.panel = spec.id;
    this.el.dataset.state = 'loading';
    this.el.innerHTML =
      `<header><h2>${esc(spec.title)}</h2>${spec.hint ? `<p class="hint">${esc(spec.hint)}</p>` : ''}</header>` +
      `<div class="body ${spec.kind}"></div><div class="panel-note" hidden></div>`;
    this.body = this.el.querySelector('.body')!;
    this.note = this.el.querySelector('.panel-note')!;
    if (spec.height) this.body.style.height = `${spec.height}px`;
    parent.appendChild(this.el);
  }

  /** Draws `option` (replacing the previous one); `points` is what the test counts. */
  setChart(option: ECharts.EChartsOption, points: number): void {
    this.note.hidden = true;
    this.body.hidden = false;
    this.chart ??= echarts.init(this.body, undefined, { renderer: 'canvas' });
    this.chart.setOption({ ...baseOption(), ...option }, { notMerge: true });
    this.mark(points > 0 ? 'ready' : 'empty', points);
  }

  /** Replaces the body's HTML. */
  setHtml(html: string, points: number): void {
    this.note.hidden = true;
    this.body.hidden = false;
    this.body.innerHTML = html;
    this.mark(points > 0 ? 'ready' : 'empty', points);
  }

  /** Shows `message` instead of the body (nothing to draw for this panel). */
  setEmpty(message: string): void {
    this.body.hidden = true;
    this.note.hidden = false;
    this.note.textContent = message;
    this.mark('empty', 0);
  }

  /** Re-lays out the chart after its container changed size. */
  resize(): void {
    this.chart?.resize();
  }

  /** The ECharts instance, once drawn (for click handlers). */
  get instance(): ECharts.ECharts | undefined {
    return this.chart;
  }

  private mark(state: 'ready' | 'empty', points: number): void {
    this.el.dataset.state = state;
    this.el.dataset.points = String(points);
  }
}

/** KPI tiles: label, value and an optional sub-line, as HTML. */
export function kpiTiles(items: { label: string; value: string; sub?: string; tone?: 'good' | 'bad' | 'warn' }[]): string {
  return `<div class="kpis">${items
    .map((k) => `<div class="kpi${k.tone ? ` ${k.tone}` : ''}"><div class="kpi-label">${esc(k.label)}</div><div class="kpi-value">${esc(k.value)}</div>${k.sub ? `<div class="kpi-sub">${esc(k.sub)}</div>` : ''}</div>`)
    .join('')}</div>`;
}

/**
 * An HTML table; cells are trusted HTML (callers escape values). With `widths` (CSS widths per
 * column, `''` for the rest) the layout is fixed, so long cells are cut with an ellipsis.
 */
export function table(head: string[], rows: string[][], widths?: string[]): string {
  const cols = widths ? `<colgroup>${widths.map((w) => (w ? `<col style="width:${w}">` : '<col>')).join('')}</colgroup>` : '';
  return `<table${widths ? ' class="fixed"' : ''}>${cols}<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A number with a bar proportional to `value / max`. */
export function barCell(value: number, max: number, label: string): string {
  return `<div class="barcell"><div class="bar" style="width:${Math.max(2, Math.round((value / max) * 100))}%"></div><span class="num">${label}</span></div>`;
}
