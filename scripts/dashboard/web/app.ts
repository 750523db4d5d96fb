/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard page: three views (web traffic, news sentiment, markets) drawn from
 * `/api/views/<view>`, a time range (relative presets, a custom absolute range, or "fit to data"),
 * and an auto-refresh interval (10 s by default, never below the server's `minRefreshSeconds`). The state lives in the URL hash
 * (`#/web?from=now-1h&to=now&refresh=10`), so a view can be bookmarked or shared.
 */
import type { ApiError, DashboardConfig, MarketsView, NewsView, ViewMeta, ViewName, WebView } from '../api-types.js';
import type { Panel } from './charts.js';
import { dateTime, interval } from './format.js';
import { createMarketsView } from './views/markets.js';
import { createNewsView } from './views/news.js';
import { createWebView } from './views/web.js';

interface State {
  view: ViewName;
  from: string;
  to: string;
  /** Seconds; 0 = off. */
  refresh: number;
  symbol?: string;
}

const DEFAULTS: State = { view: 'web', from: 'now-1h', to: 'now', refresh: 10 };
const VIEW_TITLES: Record<ViewName, string> = { web: 'Web traffic', news: 'News sentiment', markets: 'Markets' };
const PRESETS: [string, string][] = [
  ['now-15m', 'Last 15 minutes'],
  ['now-1h', 'Last 1 hour'],
  ['now-4h', 'Last 4 hours'],
  ['now-24h', 'Last 24 hours'],
  ['now-7d', 'Last 7 days'],
  ['now-30d', 'Last 30 days'],
  ['now-1y', 'Last 1 year'],
];
const REFRESH: [number, string][] = [
  [0, 'Off'],
  [5, '5 s'],
  [10, '10 s'],
  [30, '30 s'],
  [60, '1 min'],
  [300, '5 min'],
];

/** Smallest auto-refresh interval, s: the server's `/api/config` `minRefreshSeconds` (5 until it answers). */
let minRefresh = 5;

/** `refresh` raised to {@link minRefresh} (0 = off stays off). */
const clampRefresh = (s: number): number => (s > 0 ? Math.max(s, minRefresh) : 0);

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector<T>(sel)!;

function readState(): State {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const q = new URLSearchParams(query);
  const view = (['web', 'news', 'markets'] as ViewName[]).includes(path as ViewName) ? (path as ViewName) : DEFAULTS.view;
  const refresh = Number(q.get('refresh') ?? DEFAULTS.refresh);
  return {
    view,
    from: q.get('from') ?? DEFAULTS.from,
    to: q.get('to') ?? DEFAULTS.to,
    refresh: clampRefresh(Number.isFinite(refresh) && refresh >= 0 ? refresh : DEFAULTS.refresh),
    symbol: q.get('symbol') ?? undefined,
  };
}

function writeState(s: State): void {
  const q = new URLSearchParams({ from: s.from, to: s.to, refresh: String(s.refresh) });
  if (s.view === 'markets' && s.symbol) q.set('symbol', s.symbol);
  const hash = `#/${s.view}?${q}`;
  if (location.hash !== hash) location.hash = hash;
  else void load();
}

let state = readState();
let lastMeta: ViewMeta | undefined;
let timer: number | undefined;
let inflight: AbortController | undefined;
const views: Partial<Record<ViewName, { el: HTMLElement; panels: Panel[]; render(d: unknown): Promise<void> }>> = {};

function viewFor(name: ViewName): { el: HTMLElement; panels: Panel[]; render(d: unknown): Promise<void> } {
  const existing = views[name];
  if (existing) return existing;
  const el = document.createElement('div');
  el.className = 'grid';
  el.dataset.view = name;
  $('#views').appendChild(el);
  const v =
    name === 'web'
      ? createWebView(el)
      : name === 'news'
        ? createNewsView(el)
        : createMarketsView(el, (symbol) => writeState({ ...state, symbol }));
  const made = { el, panels: v.panels, render: v.render as (d: unknown) => Promise<void> };
  views[name] = made;
  return made;
}

/** `2015-05-17T10:05` (datetime-local input value, browser zone) of epoch ms. */
function toLocalInput(ms: number): string {
  return dateTime(ms).replace(' ', 'T').slice(0, 16);
}

function syncControls(): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) a.classList.toggle('active', a.dataset.view === state.view);
  const preset = PRESETS.some(([v]) => v === state.from) && state.to === 'now';
  const range = $<HTMLSelectElement>('#range');
  range.value = preset ? state.from : 'custom';
  $('#custom').hidden = preset;
  if (!preset) {
    const from = Date.parse(state.from);
    const to = Date.parse(state.to);
    if (Number.isFinite(from)) $<HTMLInputElement>('#from').value = toLocalInput(from);
    if (Number.isFinite(to)) $<HTMLInputElement>('#to').value = toLocalInput(to);
  }
  $<HTMLSelectElement>('#refresh').value = String(state.refresh);
  document.title = `${VIEW_TITLES[state.view]} · rtas dashboard`;
}

function showError(message: string | undefined): void {
  const el = $('#error');
  el.hidden = !message;
  el.textContent = message ?? '';
}

function showEmpty(meta: ViewMeta | undefined, grid: HTMLElement): void {
  const el = $('#empty');
  const empty = meta?.empty;
  el.hidden = !empty;
  grid.hidden = Boolean(empty);
  if (!empty) return;
  el.dataset.kind = empty.kind;
  $('#empty-title').textContent = empty.kind === 'no-data' ? `No ${VIEW_TITLES[state.view].toLowerCase()} data yet` : 'Nothing in this time range';
  $('#empty-message').textContent = empty.message;
  $('#empty-streams').textContent = meta!.streams.join(' · ');
  $('#empty-fit').hidden = empty.kind !== 'out-of-range';
}

async function load(): Promise<void> {
  window.clearTimeout(timer);
  inflight?.abort();
  const ctl = new AbortController();
  inflight = ctl;
  syncControls();
  const s = state;
  const v = viewFor(s.view);
  for (const [name, other] of Object.entries(views)) other!.el.classList.toggle('active', name === s.view);
  document.body.dataset.loading = 'true';
  const q = new URLSearchParams({ from: s.from, to: s.to });
  if (s.view === 'markets' && s.symbol) q.set('symbol', s.symbol);
  try {
    const res = await fetch(`/api/views/${s.view}?${q}`, { signal: ctl.signal });
    const body = (await res.json()) as ViewMeta | ApiError;
    if (!res.ok) throw new Error((body as ApiError).error ?? `HTTP ${res.status}`);
    const meta = body as ViewMeta;
    lastMeta = meta;
    showError(undefined);
    showEmpty(meta, v.el);
    if (!meta.empty) {
      await v.render(body as WebView | NewsView | MarketsView);
      for (const p of v.panels) p.resize();
    }
    $('#fit').toggleAttribute('disabled', !meta.extent);
    $('#status').textContent = `${dateTime(meta.range.from)} → ${dateTime(meta.range.to)} · ${interval(meta.range.intervalMs)} buckets · updated ${dateTime(Date.now()).slice(11)} · ${meta.tookMs} ms`;
  } catch (err) {
    if (ctl.signal.aborted) return;
    showError((err as Error).message);
  } finally {
    if (inflight === ctl) {
      // A finished load, drawn or failed (tests and screenshots wait for this counter).
      document.body.dataset.view = s.view;
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1);
      document.body.dataset.loading = 'false';
      if (state.refresh > 0) timer = window.setTimeout(() => void load(), clampRefresh(state.refresh) * 1000);
    }
  }
}

function fitToData(): void {
  const e = lastMeta?.extent;
  if (!e) return;
  // Pad by 1 % on each side so the first and last events sit inside the range.
  const pad = Math.max(60_000, Math.round((e.max - e.min) * 0.01));
  const from = new Date(Math.floor((e.min - pad) / 60_000) * 60_000).toISOString();
  const to = new Date(Math.ceil((e.max + pad) / 60_000) * 60_000).toISOString();
  writeState({ ...state, from, to });
}

async function init(): Promise<void> {
  const range = $<HTMLSelectElement>('#range');
  range.innerHTML = PRESETS.map(([v, l]) => `<option value="${v}">${l}</option>`).join('') + '<option value="custom">Custom range…</option>';
  range.addEventListener('change', () => {
    if (range.value === 'custom') {
      const to = Date.now();
      const from = to - 24 * 3_600_000;
      $<HTMLInputElement>('#from').value = toLocalInput(from);
      $<HTMLInputElement>('#to').value = toLocalInput(to);
      $('#custom').hidden = false;
      return;
    }
    writeState({ ...state, from: range.value, to: 'now' });
  });
  $('#custom').addEventListener('submit', (e) => {
    e.preventDefault();
    const from = new Date($<HTMLInputElement>('#from').value);
    const to = new Date($<HTMLInputElement>('#to').value);
    if (!(from.getTime() < to.getTime())) {
      showError('The start of the range must be before its end.');
      return;
    }
    writeState({ ...state, from: from.toISOString(), to: to.toISOString() });
  });
  $('#refresh').addEventListener('change', () => writeState({ ...state, refresh: Number($<HTMLSelectElement>('#refresh').value) }));
  $('#reload').addEventListener('click', () => void load());
  $('#fit').addEventListener('click', fitToData);
  $('#empty-fit').addEventListener('click', fitToData);
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      writeState({ ...state, view: a.dataset.view as ViewName, symbol: undefined });
    });
  }
  window.addEventListener('hashchange', () => {
    state = readState();
    void load();
  });
  // Only the visible view: ECharts cannot lay out a chart inside a hidden (zero-size) element.
  window.addEventListener('resize', () => {
    for (const p of views[state.view]?.panels ?? []) p.resize();
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.refresh > 0) void load();
  });
  try {
    const cfg = (await (await fetch('/api/config')).json()) as DashboardConfig & { minRefreshSeconds?: number };
    $('#source').textContent = `namespace ${cfg.namespace} · ${cfg.elasticsearch}`;
    if (typeof cfg.minRefreshSeconds === 'number' && cfg.minRefreshSeconds > 0) minRefresh = cfg.minRefreshSeconds;
  } catch {
    // The views report the server's problems themselves.
  }
  const choices = REFRESH.filter(([v]) => v === 0 || v >= minRefresh);
  if (!choices.some(([v]) => v === minRefresh)) choices.splice(1, 0, [minRefresh, `${minRefresh} s`]);
  $<HTMLSelectElement>('#refresh').innerHTML = choices.map(([v, l]) => `<option value="${v}">${l}</option>`).join('');
  state = readState();
  await load();
}

void init();
