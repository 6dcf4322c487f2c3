import type { CallSearchResult, HotlineHistory, LoginResponse, ReportListItem } from '../../contracts';
import { CALL_OUTCOMES, LANGUAGES, type CallOutcome, type Language } from '../../models/enums';
import { monthZh } from '../../contracts/report-tables';
import { AXIS_TOOLTIP, Charts, pct, rateOverCount } from './charts';
import { api, byId, errorText, fmtDateTime, fmtPercent, fmtSeconds, h, LANGUAGE_LABEL, OUTCOME_LABEL, playRecording, replace } from './common';

type Period = HotlineHistory['period'];
const PERIOD_LABEL: Record<Period, string> = { today: '今日', week: '本周', month: '本月' };
const day = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * 历史与查询, over the live board (which stays one screen): today / this week / this month as
 * charts (service level, calls per hour, abandons), the call search with playback, and the
 * monthly reports. Read when opened and when asked; nothing here is pushed.
 */
export class BoardHistory {
  private readonly charts = new Charts();
  private period: Period = 'today';
  private readonly root = byId('history');
  private readonly player = byId<HTMLAudioElement>('hs-player');

  constructor(private readonly session: LoginResponse) {
    byId('open-history').addEventListener('click', () => void this.open());
    byId('hs-close').addEventListener('click', () => this.close());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !this.root.hidden) this.close();
    });
    for (const p of Object.keys(PERIOD_LABEL) as Period[]) {
      byId(`hs-${p}`).addEventListener('click', () => {
        this.period = p;
        void this.loadPeriod();
      });
    }
    replace(byId<HTMLSelectElement>('hs-outcome'), h('option', { value: '' }, '全部结果'), ...CALL_OUTCOMES.map((o) => h('option', { value: o }, OUTCOME_LABEL[o])));
    replace(byId<HTMLSelectElement>('hs-language'), h('option', { value: '' }, '全部语言'), ...LANGUAGES.map((l) => h('option', { value: l }, LANGUAGE_LABEL[l])));
    const today = day(Date.now());
    byId<HTMLInputElement>('hs-from').value = day(Date.now() - 6 * 24 * 3600_000);
    byId<HTMLInputElement>('hs-to').value = today;
    byId('hs-search').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.search();
    });
  }

  private async open(): Promise<void> {
    this.root.hidden = false;
    await Promise.all([this.loadPeriod(), this.search(), this.loadReports()]);
  }

  private close(): void {
    this.root.hidden = true;
    this.player.pause();
  }

  private async loadPeriod(): Promise<void> {
    for (const p of Object.keys(PERIOD_LABEL) as Period[]) byId(`hs-${p}`).setAttribute('aria-pressed', String(p === this.period));
    const note = byId('hs-period-note');
    try {
      const hist = await api<HotlineHistory>(`/api/history/hotline?period=${this.period}`, { token: this.session.token });
      const m = hist.metrics;
      note.textContent = `${PERIOD_LABEL[hist.period]}：来电 ${m.arrived} 通，接通 ${m.answered} 通，20 秒接通率 ${fmtPercent(m.serviceLevel)}，平均应答 ${fmtSeconds(m.asaMs)}，放弃率 ${fmtPercent(m.abandonRate)}`;
      this.draw(hist);
    } catch (err) {
      note.textContent = `读取失败：${errorText(err)}`;
    }
  }

  private draw(hist: HotlineHistory): void {
    const labels = hist.buckets.map((b) => b.label);
    this.charts.draw(
      byId('hs-sl'),
      rateOverCount({
        labels,
        rate: { name: '20秒接通率 %', data: hist.buckets.map((b) => pct(b.serviceLevel)), color: '#1b7a3a' },
        count: { name: '来电', data: hist.buckets.map((b) => b.arrived), color: '#c8d6e3' },
      }),
    );
    this.charts.draw(byId('hs-hours'), {
      tooltip: AXIS_TOOLTIP,
      grid: { left: 44, right: 44, top: 30, bottom: 26 },
      xAxis: { type: 'category', data: hist.byHour.map((_, i) => `${i}时`) },
      yAxis: { type: 'value', minInterval: 1, name: '来电' },
      series: [{ name: '来电', type: 'bar', data: hist.byHour, itemStyle: { color: '#1f5f8b' } }],
    });
    this.charts.draw(
      byId('hs-abandon'),
      rateOverCount({
        labels,
        rate: { name: '放弃率 %', data: hist.buckets.map((b) => pct(b.abandonRate)), color: '#b3261e' },
        count: { name: '放弃', data: hist.buckets.map((b) => b.abandoned), color: '#e3a9a5' },
      }),
    );
    this.charts.resize();
  }

  private async search(): Promise<void> {
    const v = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id).value.trim();
    const params = new URLSearchParams();
    for (const [k, id] of [['number', 'hs-number'], ['agent', 'hs-agent'], ['from', 'hs-from'], ['to', 'hs-to'], ['outcome', 'hs-outcome'], ['language', 'hs-language']] as const) {
      if (v(id)) params.set(k, v(id));
    }
    const out = byId('hs-calls');
    // The page says what is wrong before the server would.
    if (v('hs-number') && !/^\+?\d{1,20}$/.test(v('hs-number'))) return replace(out, h('p', { class: 'error' }, '号码只能填写数字'));
    if (v('hs-agent') && !/^\d{3,6}$/.test(v('hs-agent'))) return replace(out, h('p', { class: 'error' }, '工号应为 3–6 位数字'));
    if (v('hs-from') && v('hs-to') && v('hs-from') > v('hs-to')) return replace(out, h('p', { class: 'error' }, '开始日期不能晚于结束日期'));
    replace(out, h('p', { class: 'muted' }, '查询中…'));
    try {
      const r = await api<CallSearchResult>(`/api/history/calls?${params.toString()}`, { token: this.session.token });
      if (r.calls.length === 0) return replace(out, h('p', { class: 'muted' }, '没有符合条件的通话'));
      replace(
        out,
        h(
          'table',
          { class: 'rp-table hs-results' },
          h('thead', {}, h('tr', {}, ...['来电时间', '号码', '语言', '结果', '坐席', '应答', '通话', '录音'].map((x) => h('th', {}, x)))),
          h(
            'tbody',
            {},
            ...r.calls.map((c) =>
              h(
                'tr',
                { 'data-call': c.callId },
                h('td', {}, fmtDateTime(c.arrivedAt)),
                h('td', {}, c.callerNumber),
                h('td', {}, c.language ? LANGUAGE_LABEL[c.language as Language] : '—'),
                h('td', {}, c.outcome ? OUTCOME_LABEL[c.outcome as CallOutcome] : '进行中'),
                h('td', {}, c.agentWorkNumber ? `${c.agentName ?? ''} ${c.agentWorkNumber}`.trim() : '—'),
                h('td', {}, fmtSeconds(c.answerDelayMs)),
                h('td', {}, fmtSeconds(c.talkMs)),
                h('td', {}, c.recordingName ? h('button', { class: 'btn', type: 'button', onclick: () => void playRecording(this.session, c.recordingName!, this.player) }, '▶ 播放') : '—'),
              ),
            ),
          ),
        ),
        r.more ? h('p', { class: 'muted' }, `只列出最近 ${r.calls.length} 通，请缩小查询条件`) : null,
      );
    } catch (err) {
      replace(out, h('p', { class: 'error' }, `查询失败：${errorText(err)}`));
    }
  }

  private async loadReports(): Promise<void> {
    const out = byId('hs-reports');
    try {
      const list = await api<ReportListItem[]>('/api/reports', { token: this.session.token });
      replace(
        out,
        list.length === 0
          ? h('p', { class: 'muted' }, '尚无月报（每月 27 日自动生成，也可在月报页面随时生成）')
          : h('ul', { class: 'hs-report-list' }, ...list.map((r) => h('li', {}, h('a', { href: `/report.html?month=${r.month}` }, monthZh(r.month)), ` 第 ${r.build} 版 · ${fmtDateTime(Date.parse(r.builtAt))}${r.builds > 1 ? `（共 ${r.builds} 版）` : ''}`))),
      );
    } catch (err) {
      replace(out, h('p', { class: 'error' }, `读取失败：${errorText(err)}`));
    }
  }
}
