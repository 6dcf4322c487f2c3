import type { MonthlyReport, ReportListItem } from '../../contracts';
import { monthZh, reportTables, type ReportTable } from '../../contracts/report-tables';
import { CATEGORY_LABEL, DEPARTMENT_LABEL } from '../../models/enums';
import { AXIS_TOOLTIP as TOOLTIP, Charts, ITEM_TOOLTIP, pairedBars, pct, type ChartOption } from './charts';
import { api, ApiError, byId, errorText, fmtDateTime, fmtPercent, fmtSeconds, h, header, HOME_FOR_ROLE, logout, replace, requireSession, showReachable } from './common';

/**
 * 热线月报 (Art. 15): a month's report with its charts, for the screen and for A4 paper; built on
 * demand, downloaded as Excel or CSV. Supervisors, admins and 营业部 (the server refuses the others).
 */
const session = requireSession(['supervisor', 'admin', 'department']);
header(session, '热线月报');
byId<HTMLAnchorElement>('rp-back').href = HOME_FOR_ROLE[session.role];

const monthInput = byId<HTMLInputElement>('rp-month');
const buildSelect = byId<HTMLSelectElement>('rp-build');
const note = byId('rp-note');
let list: ReportListItem[] = [];
let shown: MonthlyReport | null = null;
const charts = new Charts();

const say = (text: string, ok = true) => {
  note.textContent = text;
  note.classList.toggle('error', !ok);
};
const thisMonth = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

function fillBuilds(month: string): void {
  const item = list.find((x) => x.month === month);
  const n = item?.builds ?? 0;
  replace(buildSelect, ...(n === 0 ? [h('option', { value: '' }, '—')] : Array.from({ length: n }, (_, i) => h('option', { value: String(n - i) }, `第 ${n - i} 版${i === 0 ? '（最新）' : ''}`))));
}

async function loadList(): Promise<void> {
  list = await api<ReportListItem[]>('/api/reports', { token: session.token });
  fillBuilds(monthInput.value);
}

async function show(month: string, build?: string): Promise<void> {
  say('正在读取…');
  try {
    const r = await api<MonthlyReport>(`/api/reports/${month}${build ? `?build=${build}` : ''}`, { token: session.token });
    showReachable(true);
    render(r);
    say('');
  } catch (err) {
    showReachable(!(err instanceof TypeError));
    if (err instanceof ApiError && err.status === 404) {
      shown = null;
      disposeCharts();
      replace(byId('rp-body'), h('p', { class: 'muted' }, `${monthZh(month)}的月报尚未生成。可点「按当前数据生成」。`));
      say('');
      return;
    }
    say(errorText(err), false);
  }
}

async function make(): Promise<void> {
  const month = monthInput.value;
  if (!/^\d{4}-\d{2}$/.test(month)) return say('请先选择月份', false);
  say('正在生成…');
  try {
    const r = await api<MonthlyReport>(`/api/reports/${month}/build`, { method: 'POST', token: session.token });
    await loadList();
    buildSelect.value = String(r.build);
    render(r);
    say(`已生成第 ${r.build} 版`);
  } catch (err) {
    say(errorText(err), false);
  }
}

/** Downloads go through fetch (the token is a header, not a cookie), then a link to the file in memory. */
async function download(kind: 'xlsx' | 'csv'): Promise<void> {
  if (!shown) return say('请先查看或生成一份月报', false);
  try {
    const res = await fetch(`/api/reports/${shown.month}/${kind}?build=${shown.build}`, { headers: { Authorization: `Bearer ${session.token}` } });
    if (res.status === 401) return logout('expired');
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: { zh?: string } };
      return say(body.error?.zh ?? '下载失败，请稍后重试', false);
    }
    const url = URL.createObjectURL(await res.blob());
    // An ASCII name, as the server's own Content-Disposition gives: under a C locale (a service
    // account's desktop) Chromium cannot write a Chinese file name and saves the file as "download".
    const a = h('a', { href: url, download: `hotline-report-${shown.month}-v${shown.build}.${kind}` });
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    say(errorText(err), false);
  }
}

function table(t: ReportTable): HTMLTableElement {
  return h(
    'table',
    { class: 'rp-table', 'data-sheet': t.sheet },
    h('thead', {}, h('tr', {}, ...t.header.map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      ...t.rows.map((row) =>
        h(
          'tr',
          row[0] === '合计' ? { class: 'rp-total' } : {},
          ...row.map((c, i) => {
            const text = c === null ? '—' : String(c);
            // 增减: a rise in red, a fall in green, as the department's reports print them.
            const cls = t.header[i] === '增减' && typeof c === 'number' && c !== 0 ? (c > 0 ? 'rp-up' : 'rp-down') : '';
            return h('td', cls ? { class: cls } : {}, typeof c === 'number' && t.header[i] === '增减' && c > 0 ? `+${text}` : text);
          }),
        ),
      ),
    ),
  );
}

const disposeCharts = () => charts.clear();
const chart = (el: HTMLElement, option: ChartOption) => charts.draw(el, option);

function render(r: MonthlyReport): void {
  shown = r;
  disposeCharts();
  const t = new Map(reportTables(r).map((x) => [x.sheet, x]));
  const m = r.hotline.metrics;
  const box = (cls = 'rp-chart') => h('div', { class: cls });
  const catChart = box();
  const spotChart = box();
  const cbChart = box();
  const abandonChart = box();
  const heatChart = box('rp-chart tall');
  replace(
    byId('rp-body'),
    h('h1', {}, `952525 供水服务热线 ${monthZh(r.month)}分析报告`),
    h('p', { class: 'rp-meta' }, `第 ${r.build} 版 · 生成于 ${fmtDateTime(Date.parse(r.builtAt))} · ${r.builtBy === 'schedule' ? '每月定时生成' : `工号 ${r.builtBy} 生成`} · 读取来电 ${r.inputs.calls} 通、工单 ${r.inputs.workOrders} 件（上月 ${r.inputs.workOrdersLastMonth} 件）`),
    h('section', { class: 'rp-section' }, h('h2', {}, `一、受理分类（共 ${r.complaints.total.count} 件，上月 ${r.complaints.total.lastMonth} 件）`), catChart, table(t.get('受理分类')!), table(t.get('受理部门')!)),
    h('section', { class: 'rp-section' }, h('h2', {}, '二、投诉热点（片区 × 类别）'), spotChart, table(t.get('热点')!)),
    h('section', { class: 'rp-section' }, h('h2', {}, '三、工单处理汇总'), table(t.get('工单汇总')!)),
    h('section', { class: 'rp-section' }, h('h2', {}, `四、回访情况（售后回访率 ${fmtPercent(r.callbacks.figures.total.callbackRate)}，要求 100%）`), cbChart, table(t.get('回访类型')!), table(t.get('回访')!)),
    h('section', { class: 'rp-section' }, h('h2', {}, '五、停水通知'), table(t.get('停水')!)),
    h(
      'section',
      { class: 'rp-section' },
      h('h2', {}, `六、热线服务（20 秒接通率 ${fmtPercent(m.serviceLevel)}，平均应答 ${fmtSeconds(m.asaMs)}，放弃率 ${fmtPercent(m.abandonRate)}）`),
      table(t.get('热线')!),
      abandonChart,
      heatChart,
      table(t.get('坐席')!),
    ),
  );

  const cats = r.complaints.byCategory.filter((c) => c.count > 0 || c.lastMonth > 0);
  chart(
    catChart,
    pairedBars({
      labels: cats.map((c) => CATEGORY_LABEL[c.category]),
      series: [
        { name: '本月', data: cats.map((c) => c.count), color: '#1f5f8b' },
        { name: '上月', data: cats.map((c) => c.lastMonth), color: '#9fb8cc' },
      ],
    }),
  );
  const spots = [...r.hotSpots].reverse();
  chart(
    spotChart,
    pairedBars({
      labels: spots.map((s) => `${s.areaCode || '未知片区'} ${CATEGORY_LABEL[s.category]}`),
      series: [
        { name: '本月', data: spots.map((s) => s.count), color: '#b3261e' },
        { name: '上月', data: spots.map((s) => s.lastMonth), color: '#e3a9a5' },
      ],
      horizontal: true,
    }),
  );
  const active = r.callbacks.figures.departments.filter((d) => d.afterSales > 0 || d.satisfied + d.unsatisfied > 0);
  // A month with no callbacks still shows the departments, with nothing against them.
  const depts = active.length ? active : r.callbacks.figures.departments;
  chart(
    cbChart,
    pairedBars({
      labels: depts.map((d) => DEPARTMENT_LABEL[d.department]),
      series: [
        { name: '回访率 %', data: depts.map((d) => pct(d.callbackRate)), color: '#1f5f8b' },
        { name: '满意率 %', data: depts.map((d) => pct(d.satisfactionRate)), color: '#1b7a3a' },
      ],
      max: 100,
    }),
  );
  const stages = r.hotline.abandonByStage;
  chart(abandonChart, {
    tooltip: TOOLTIP,
    grid: { left: 40, right: 16, top: 24, bottom: 28 },
    xAxis: { type: 'category', data: ['问候时挂机', '排队时挂机', '振铃时挂机', '20秒未接告警', '30分钟无来电告警'], axisLabel: { interval: 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: [stages.greeting, stages.queue, stages.ringing, r.hotline.alarms.ringNoAnswer, r.hotline.alarms.silence], itemStyle: { color: '#8a5a00' } }],
  });
  const cells = r.hotline.heat.flatMap((d) => d.hours.map((n, hour) => [hour, d.day - 1, n]));
  chart(heatChart, {
    tooltip: ITEM_TOOLTIP,
    grid: { left: 48, right: 16, top: 16, bottom: 64 },
    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, i) => `${i}时`), splitArea: { show: true } },
    yAxis: { type: 'category', data: r.hotline.heat.map((d) => `${d.day}日`), inverse: true },
    visualMap: { min: 0, max: Math.max(1, ...cells.map((c) => c[2]!)), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, text: ['来电多', '少'] },
    series: [{ name: '来电', type: 'heatmap', data: cells }],
  });
}


monthInput.addEventListener('change', () => {
  fillBuilds(monthInput.value);
  void show(monthInput.value);
});
byId('rp-show').addEventListener('click', () => void show(monthInput.value, buildSelect.value || undefined));
byId('rp-make').addEventListener('click', () => void make());
byId('rp-xlsx').addEventListener('click', () => void download('xlsx'));
byId('rp-csv').addEventListener('click', () => void download('csv'));
byId('rp-print').addEventListener('click', () => window.print());

void (async () => {
  const asked = new URLSearchParams(location.search).get('month');
  try {
    await loadList();
  } catch (err) {
    say(errorText(err), false);
    replace(byId('rp-body'), h('p', { class: 'muted' }, errorText(err)));
    return;
  }
  monthInput.value = asked && /^\d{4}-\d{2}$/.test(asked) ? asked : (list[0]?.month ?? thisMonth());
  fillBuilds(monthInput.value);
  await show(monthInput.value);
})();
