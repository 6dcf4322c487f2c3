import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/** Apache ECharts, only the parts the consoles draw with (bundled by esbuild, tree-shaken). */
echarts.use([BarChart, HeatmapChart, LineChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** Tooltips drawn in the canvas (richText): HTML tooltips carry inline styles, which the pages' CSP refuses. */
export const AXIS_TOOLTIP = { trigger: 'axis', renderMode: 'richText' } as const;
export const ITEM_TOOLTIP = { trigger: 'item', renderMode: 'richText' } as const;

/**
 * Charts of one page section: drawn, redrawn with new data, resized with the window (and with the
 * paper when printed), and dropped together.
 */
export class Charts {
  private readonly all = new Map<HTMLElement, echarts.ECharts>();

  constructor() {
    const resize = () => this.all.forEach((c) => c.resize());
    window.addEventListener('resize', resize);
    window.addEventListener('beforeprint', resize);
    window.addEventListener('afterprint', resize);
  }

  draw(el: HTMLElement, option: ChartOption): void {
    let c = this.all.get(el);
    if (!c) {
      c = echarts.init(el, undefined, { renderer: 'canvas' });
      this.all.set(el, c);
    }
    c.setOption({ animation: false, ...option }, { notMerge: true });
  }

  /** After a hidden container is shown: charts drawn while it had no size take it now. */
  resize(): void {
    this.all.forEach((c) => c.resize());
  }

  clear(): void {
    this.all.forEach((c) => c.dispose());
    this.all.clear();
  }
}

/** A ratio 0–1 as a percentage with one decimal (null stays a gap in the line). */
export const pct = (r: number | null): number | null => (r === null ? null : Math.round(r * 1000) / 10);

export interface Series {
  name: string;
  data: Array<number | null>;
  color: string;
}

/** Two bar series side by side over categories (this month beside last month, or two rates); `horizontal` lists the categories down the side. */
export function pairedBars(o: { labels: string[]; series: [Series, Series]; horizontal?: boolean; max?: number }): ChartOption {
  const categories = { type: 'category', data: o.labels };
  const values = { type: 'value', ...(o.max !== undefined ? { max: o.max } : { minInterval: 1 }) };
  return {
    tooltip: AXIS_TOOLTIP,
    legend: { data: o.series.map((s) => s.name), top: 0 },
    grid: { left: o.horizontal ? 130 : 40, right: 16, top: 32, bottom: 28 },
    xAxis: o.horizontal ? values : categories,
    yAxis: o.horizontal ? categories : values,
    series: o.series.map((s) => ({ name: s.name, type: 'bar', data: s.data, itemStyle: { color: s.color } })),
  };
}

/** A rate (%, a line on the left axis) over the count behind it (bars on the right axis), per bucket. */
export function rateOverCount(o: { labels: string[]; rate: Series; count: Series }): ChartOption {
  return {
    tooltip: AXIS_TOOLTIP,
    legend: { data: [o.rate.name, o.count.name], top: 0 },
    grid: { left: 44, right: 44, top: 30, bottom: 26 },
    xAxis: { type: 'category', data: o.labels },
    yAxis: [
      { type: 'value', max: 100, name: '%' },
      { type: 'value', minInterval: 1, name: '通' },
    ],
    series: [
      { name: o.rate.name, type: 'line', data: o.rate.data, itemStyle: { color: o.rate.color } },
      { name: o.count.name, type: 'bar', yAxisIndex: 1, data: o.count.data, itemStyle: { color: o.count.color } },
    ],
  };
}
