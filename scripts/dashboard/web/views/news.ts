/// <reference lib="dom" />
/**
 * News sentiment view: KPIs, sentiment per ticker over the 5-minute windows, label mix, headlines by
 * label over time, bullish vs bearish per ticker, latest headlines with their label.
 */
import type { NewsView } from '../../api-types.js';
import { categoryAxis, COLORS, kpiTiles, Panel, table, valueAxis } from '../charts.js';
import { axisTime, dateTime, dec2, esc, int, interval, pct, webUrl } from '../format.js';

const LABELS = ['positive', 'neutral', 'negative'] as const;
const LABEL_NAMES = { positive: 'Positive', neutral: 'Neutral', negative: 'Negative' } as const;
/**
 * Colour scale of the heatmap, ± on `news.sentiment.score`'s scale (AFINN-165 valences summed per
 * headline; a label is positive from +2 and negative from −2, so ±4 is a clearly one-sided window).
 */
const SCORE_RANGE = 4;

/** The view's panels; `render` redraws them all from one API answer. */
export function createNewsView(root: HTMLElement): { panels: Panel[]; render(d: NewsView): Promise<void> } {
  const p = {
    kpis: new Panel(root, { id: 'news-kpis', title: 'Headlines at a glance', span: 12, kind: 'html' }),
    trend: new Panel(root, { id: 'news-sentiment-by-ticker', title: 'Sentiment per ticker', hint: 'metrics-news.sentiment_5m: mean score of the 5-minute windows in each bucket, weighted by headlines', span: 8, height: 300, kind: 'chart' }),
    mix: new Panel(root, { id: 'news-label-mix', title: 'Label mix', hint: 'news.sentiment.label', span: 4, height: 300, kind: 'chart' }),
    overTime: new Panel(root, { id: 'news-labels-over-time', title: 'Headlines by label', hint: 'headlines per bucket', span: 6, height: 240, kind: 'chart' }),
    tickers: new Panel(root, { id: 'news-tickers', title: 'Bullish vs bearish by ticker', hint: 'headlines naming each ticker, by label', span: 6, height: 240, kind: 'chart' }),
    latest: new Panel(root, { id: 'news-latest', title: 'Latest headlines', hint: 'newest first, with the label the processor gave them', span: 12, kind: 'html' }),
  };

  async function render(d: NewsView): Promise<void> {
    const span = d.range.to - d.range.from;
    const k = d.kpis;
    const share = (n: number): string => (k.headlines ? pct(n / k.headlines, 0) : '–');
    p.kpis.setHtml(
      kpiTiles([
        { label: 'Headlines', value: int(k.headlines), sub: `${d.tickers.length} tickers named` },
        { label: 'Mean score', value: k.meanScore === null ? '–' : (k.meanScore > 0 ? '+' : '') + dec2(k.meanScore), sub: 'news.sentiment.score (AFINN scale)', tone: k.meanScore === null ? undefined : k.meanScore > 0.25 ? 'good' : k.meanScore < -0.25 ? 'bad' : undefined },
        { label: 'Positive', value: share(k.positive), sub: `${int(k.positive)} headlines`, tone: 'good' },
        { label: 'Negative', value: share(k.negative), sub: `${int(k.negative)} headlines`, tone: 'bad' },
        { label: 'Neutral', value: share(k.neutral), sub: `${int(k.neutral)} headlines` },
      ]),
      k.headlines,
    );

    const s = d.sentimentByTicker;
    if (s.tickers.length === 0) {
      p.trend.setEmpty(`No sentiment windows in ${s.windowStream} for this range: the processor writes them unless it runs with --no-windows.`);
    } else {
      const points: [number, number, number][] = [];
      s.tickers.forEach((t, y) => s.series[t]!.forEach((v, x) => v !== null && points.push([x, y, v])));
      p.trend.setChart(
        {
          tooltip: {
            trigger: 'item',
            formatter: (x: unknown) => {
              const [xi, yi, v] = (x as { data: [number, number, number] }).data;
              return `<b>${esc(s.tickers[yi]!)}</b> · ${dateTime(s.t[xi]!)}<br/>mean score ${v > 0 ? '+' : ''}${dec2(v)}`;
            },
          },
          legend: { show: false },
          grid: { left: 8, right: 12, top: 40, bottom: 4, containLabel: true },
          xAxis: categoryAxis(s.t.map((t) => axisTime(t, span)), { splitArea: { show: false } }),
          yAxis: categoryAxis(s.tickers, { axisLabel: { color: COLORS.text, fontWeight: 'bold' } }) as never,
          visualMap: {
            type: 'continuous',
            min: -SCORE_RANGE,
            max: SCORE_RANGE,
            calculable: false,
            orient: 'horizontal',
            right: 0,
            top: 0,
            itemWidth: 10,
            itemHeight: 120,
            text: ['bullish', 'bearish'],
            textStyle: { color: COLORS.muted },
            inRange: { color: ['#ef5a6f', '#7a3140', '#232b3b', '#1f5c49', '#3fb68b'] },
          },
          series: [{ name: 'mean score', type: 'heatmap', data: points, itemStyle: { borderColor: '#121826', borderWidth: 1 }, emphasis: { itemStyle: { borderColor: '#fff' } } }],
        },
        points.length,
      );
    }

    p.mix.setChart(
      {
        tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
        legend: { show: true, bottom: 0, top: 'auto', textStyle: { color: COLORS.muted } },
        series: [
          {
            type: 'pie',
            radius: ['45%', '72%'],
            center: ['50%', '46%'],
            itemStyle: { borderColor: '#121826', borderWidth: 2 },
            label: { color: COLORS.text, formatter: '{d}%' },
            data: LABELS.map((l) => ({ name: LABEL_NAMES[l], value: k[l], itemStyle: { color: COLORS[l] } })),
          },
        ],
      },
      LABELS.filter((l) => k[l] > 0).length,
    );

    const o = d.labelsOverTime;
    p.overTime.setChart(
      {
        legend: { show: true, top: 0, right: 0, textStyle: { color: COLORS.muted } },
        tooltip: { trigger: 'axis' },
        xAxis: categoryAxis(o.t.map((t) => axisTime(t, span))),
        yAxis: valueAxis(int),
        series: LABELS.map((l) => ({ name: LABEL_NAMES[l], type: 'bar' as const, stack: 'labels', barCategoryGap: '20%', itemStyle: { color: COLORS[l] }, data: o[l] })),
      },
      o.t.length,
    );

    const tk = [...d.tickers].reverse();
    p.tickers.setChart(
      {
        legend: { show: true, top: 0, right: 0, textStyle: { color: COLORS.muted } },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: { left: 8, right: 16, top: 30, bottom: 4, containLabel: true },
        xAxis: valueAxis(int) as never,
        yAxis: categoryAxis(tk.map((t) => t.ticker)) as never,
        series: [
          { name: 'Bullish', type: 'bar', stack: 't', itemStyle: { color: COLORS.positive }, data: tk.map((t) => t.positive) },
          { name: 'Neutral', type: 'bar', stack: 't', itemStyle: { color: '#4a5468' }, data: tk.map((t) => t.neutral) },
          { name: 'Bearish', type: 'bar', stack: 't', itemStyle: { color: COLORS.negative }, data: tk.map((t) => t.negative) },
        ],
      },
      d.tickers.length,
    );

    p.latest.setHtml(
      table(
        ['Time', 'Label', 'Score', 'Headline', 'Tickers', 'Source'],
        d.latest.map((h) => [
          `<span class="num">${dateTime(h.time)}</span>`,
          `<span class="badge ${esc(String(h.label))}">${esc(LABEL_NAMES[h.label] ?? String(h.label))}</span>`,
          `<span class="num ${h.score > 0 ? 'up' : h.score < 0 ? 'down' : ''}">${h.score > 0 ? '+' : ''}${esc(String(h.score))}</span>`,
          `<span class="ellipsis" title="${esc(h.headline)}">${webUrl(h.url) ? `<a href="${esc(webUrl(h.url)!)}" rel="noopener noreferrer" target="_blank">${esc(h.headline)}</a>` : esc(h.headline)}</span>`,
          h.tickers.map((t) => `<span class="chip">${esc(t)}</span>`).join(' '),
          `<span class="muted">${esc(h.source)}</span>`,
        ]),
        ['165px', '100px', '64px', '', '150px', '150px'],
      ),
      d.latest.length,
    );
  }

  return { panels: Object.values(p), render };
}
