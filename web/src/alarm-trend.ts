import type { AlarmHistory, LoginResponse } from '../../contracts';
import { AXIS_TOOLTIP, Charts } from './charts';
import { api, errorText, h, replace } from './common';

/** 告警趋势 on the admin page: alarms per day over the last 30 days, by kind, read again (at most once every 5 s) as alarms come. */
export class AlarmTrend {
  private readonly charts = new Charts();
  private timer: number | undefined;

  constructor(
    private readonly session: LoginResponse,
    private readonly el: HTMLElement,
    private readonly note: HTMLElement,
  ) {}

  soon(): void {
    if (this.timer !== undefined) return;
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      void this.load();
    }, 5000);
  }

  async load(): Promise<void> {
    try {
      const { days } = await api<AlarmHistory>('/api/history/alarms?days=30', { token: this.session.token });
      const total = (k: 'silence' | 'ringNoAnswer') => days.reduce((n, d) => n + d[k], 0);
      replace(this.note, `近 30 天：30 分钟无来电 ${total('silence')} 次，20 秒未接 ${total('ringNoAnswer')} 次`);
      this.charts.draw(this.el, {
        tooltip: AXIS_TOOLTIP,
        legend: { data: ['30分钟无来电', '20秒未接', '排队过久', '其他'], top: 0 },
        grid: { left: 36, right: 12, top: 30, bottom: 24 },
        xAxis: { type: 'category', data: days.map((d) => d.day.slice(5).replace('-', '/')) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: '30分钟无来电', type: 'bar', stack: 'a', data: days.map((d) => d.silence), itemStyle: { color: '#8a5a00' } },
          { name: '20秒未接', type: 'bar', stack: 'a', data: days.map((d) => d.ringNoAnswer), itemStyle: { color: '#b3261e' } },
          { name: '排队过久', type: 'bar', stack: 'a', data: days.map((d) => d.longWait), itemStyle: { color: '#1f5f8b' } },
          { name: '其他', type: 'bar', stack: 'a', data: days.map((d) => d.other), itemStyle: { color: '#9fb8cc' } },
        ],
      });
    } catch (err) {
      replace(this.note, h('span', { class: 'error' }, `读取失败：${errorText(err)}`));
    }
  }
}
