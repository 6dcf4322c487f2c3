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
