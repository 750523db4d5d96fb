/// <reference lib="dom" />
/**
 * Markets view: the symbols traded in the range (click one to draw it), its candlesticks with SMA 20,
 * EMA 20 and volume, the distribution of its candle-to-candle returns, and every symbol's cumulative
 * return.
 */
import type { MarketsView } from '../../api-types.js';
import { categoryAxis, COLORS, Panel, valueAxis } from '../charts.js';
import { axisTime, dateTime, dec2, esc, interval, pct, short } from '../format.js';

/** The view's panels; `render` redraws them from one API answer; `onSymbol` is called when a symbol is clicked. */
export function createMarketsView(root: HTMLElement, onSymbol: (symbol: string) => void): { panels: Panel[]; render(d: MarketsView): Promise<void> } {
  const p = {
    symbols: new Panel(root, { id: 'markets-symbols', title: 'Symbols', hint: 'one-minute bars in the range (metrics-market.bars_1m): last close and return since the first open; click to chart', span: 12, kind: 'html' }),
    candles: new Panel(root, { id: 'markets-candles', title: 'Price', hint: 'candles from the one-minute bars, SMA/EMA 20 over the candles shown, volume below', span: 12, height: 460, kind: 'chart' }),
    returns: new Panel(root, { id: 'markets-returns', title: 'Return distribution', hint: 'candle-to-candle simple returns of the symbol', span: 6, height: 250, kind: 'chart' }),
    cumulative: new Panel(root, { id: 'markets-cumulative', title: 'Cumulative return by symbol', hint: 'close of each bucket vs the first close in the range', span: 6, height: 250, kind: 'chart' }),
  };
  p.symbols.el.addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest<HTMLElement>('[data-symbol]');
    if (btn?.dataset.symbol) onSymbol(btn.dataset.symbol);
  });

  async function render(d: MarketsView): Promise<void> {
    const span = d.range.to - d.range.from;
    p.symbols.setHtml(
      `<div class="symbols">${d.symbols
        .map(
          (s) =>
            `<button type="button" class="symbol${s.symbol === d.symbol ? ' selected' : ''}" data-symbol="${esc(s.symbol)}">` +
            `<span class="sym">${esc(s.symbol)}</span><span class="px">${dec2(s.close)}</span>` +
            `<span class="chg ${s.return >= 0 ? 'up' : 'down'}">${pct(s.return, 2, true)}</span>` +
            `<span class="vol">vol ${short(s.volume)}</span></button>`,
        )
        .join('')}</div>`,
      d.symbols.length,
    );

    const c = d.candles;
    const sel = d.symbols.find((s) => s.symbol === d.symbol);
    const title = p.candles.el.querySelector('h2')!;
    title.textContent = d.symbol ? `${d.symbol} · ${interval(d.range.intervalMs)} candles` : 'Price';
    if (c.length === 0) {
      p.candles.setEmpty(`No bars for ${d.symbol ?? 'any symbol'} in this time range.`);
    } else {
      const labels = c.map((x) => axisTime(x.t, span));
      const subtitle = sel
        ? `O ${dec2(sel.open)}  H ${dec2(sel.high)}  L ${dec2(sel.low)}  C ${dec2(sel.close)}  ${pct(sel.return, 2, true)}  ·  vol ${short(sel.volume)}`
        : '';
      p.candles.setChart(
        {
          title: { text: subtitle, left: 0, top: 0, textStyle: { color: COLORS.muted, fontSize: 12, fontWeight: 'normal' } },
          legend: { show: true, top: 0, right: 0, textStyle: { color: COLORS.muted }, data: ['Candles', 'SMA 20', 'EMA 20', 'Volume'] },
          tooltip: {
            trigger: 'axis',
            axisPointer: { type: 'cross', lineStyle: { color: COLORS.axis } },
            formatter: (params: unknown) => {
              const i = (params as { dataIndex: number }[])[0]?.dataIndex ?? 0;
              const x = c[i]!;
              const row = (k: string, v: string): string => `<tr><td>${k}</td><td style="text-align:right;padding-left:12px">${v}</td></tr>`;
              return `${dateTime(x.t)}<table>${row('Open', dec2(x.open))}${row('High', dec2(x.high))}${row('Low', dec2(x.low))}${row('Close', dec2(x.close))}${row('SMA 20', d.sma20[i] == null ? '–' : dec2(d.sma20[i]!))}${row('EMA 20', d.ema20[i] == null ? '–' : dec2(d.ema20[i]!))}${row('Volume', short(x.volume))}</table>`;
            },
          },
          axisPointer: { link: [{ xAxisIndex: 'all' }] },
          grid: [
            { left: 8, right: 12, top: 34, height: '62%', containLabel: true },
            { left: 8, right: 12, top: '78%', bottom: 34, containLabel: true },
          ],
          xAxis: [categoryAxis(labels, { axisLabel: { show: false } }), categoryAxis(labels, { gridIndex: 1 })],
          yAxis: [valueAxis(dec2, { scale: true }), valueAxis(short, { gridIndex: 1, splitNumber: 2 })],
          dataZoom: [
            { type: 'inside', xAxisIndex: [0, 1] },
            { type: 'slider', xAxisIndex: [0, 1], height: 18, bottom: 4, borderColor: COLORS.grid, textStyle: { color: COLORS.muted }, fillerColor: 'rgba(91,141,239,0.15)', dataBackground: { lineStyle: { color: COLORS.axis }, areaStyle: { color: '#1b2232' } } },
          ],
          series: [
            {
              name: 'Candles',
              type: 'candlestick',
              data: c.map((x) => [x.open, x.close, x.low, x.high]),
              itemStyle: { color: COLORS.up, color0: COLORS.down, borderColor: COLORS.up, borderColor0: COLORS.down },
            },
            { name: 'SMA 20', type: 'line', data: d.sma20, showSymbol: false, lineStyle: { width: 1.5, color: COLORS.series[2] }, itemStyle: { color: COLORS.series[2] } },
            { name: 'EMA 20', type: 'line', data: d.ema20, showSymbol: false, lineStyle: { width: 1.5, color: COLORS.series[3] }, itemStyle: { color: COLORS.series[3] } },
            {
              name: 'Volume',
              type: 'bar',
              xAxisIndex: 1,
              yAxisIndex: 1,
              itemStyle: { color: '#5b8def' },
              data: c.map((x) => ({ value: x.volume, itemStyle: { color: x.close >= x.open ? 'rgba(63,182,139,0.6)' : 'rgba(239,90,111,0.6)' } })),
            },
          ],
        },
        c.length,
      );
    }

    const r = d.returns;
    if (r.bins.length === 0) {
      p.returns.setEmpty('Fewer than two candles: no returns to show.');
    } else {
      p.returns.setChart(
        {
          title: { text: `mean ${pct(r.mean ?? 0, 3, true)} · σ ${pct(r.stdev ?? 0, 3)} · n ${r.count}`, left: 0, top: 0, textStyle: { color: COLORS.muted, fontSize: 12, fontWeight: 'normal' } },
          tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
          legend: { show: false },
          xAxis: categoryAxis(r.bins.map((b) => pct((b.from + b.to) / 2, 2, true))),
          yAxis: valueAxis(undefined, { minInterval: 1 }),
          series: [
            {
              name: 'candles',
              type: 'bar',
              barCategoryGap: '8%',
              data: r.bins.map((b) => ({ value: b.count, itemStyle: { color: (b.from + b.to) / 2 >= 0 ? COLORS.up : COLORS.down } })),
            },
          ],
        },
        r.count,
      );
    }

    const cum = d.cumulative;
    const names = Object.keys(cum.series);
    p.cumulative.setChart(
      {
        legend: { show: true, top: 0, right: 0, textStyle: { color: COLORS.muted } },
        tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '–' : pct(Number(v), 2, true)) },
        xAxis: categoryAxis(cum.t.map((t) => axisTime(t, span)), { boundaryGap: false }),
        yAxis: valueAxis((v) => pct(v, 1, true)),
        series: names.map((n, i) => ({
          name: n,
          type: 'line' as const,
          showSymbol: false,
          // Gaps (nights, weekends) stay gaps: a line across them would draw a move that did not trade.
          connectNulls: false,
          lineStyle: { width: n === d.symbol ? 2.5 : 1.3 },
          itemStyle: { color: COLORS.series[i % COLORS.series.length] },
          data: cum.series[n],
        })),
      },
      names.reduce((k, n) => k + cum.series[n]!.filter((v) => v !== null).length, 0),
    );
  }

  return { panels: Object.values(p), render };
}
