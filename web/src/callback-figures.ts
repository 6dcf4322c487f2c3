import type { CallbackFigures, CallbackFiguresRow, LoginResponse } from '../../contracts';
import { api, byId, DEPARTMENT_LABEL, errorText, fmtPercent, h, replace } from './common';

/** The figures change with completions and replies, not by the second: read every minute. */
const REFRESH_MS = 60_000;

/**
 * 本月回访 on the supervisor board: per department, the after-sales orders completed this month,
 * how many were called back (回访率, Art. 21 四: 100 % required: below it in red), satisfaction,
 * overdue phone callbacks and SMS left unanswered; departments with nothing this month are left out.
 */
export class CallbackFiguresPanel {
  constructor(private readonly session: LoginResponse) {
    setInterval(() => void this.load(), REFRESH_MS);
  }

  async load(): Promise<void> {
    const el = byId('cb-figures');
    try {
      const f = await api<CallbackFigures>('/api/callbacks/figures', { token: this.session.token });
      byId('cb-month').textContent = f.month;
      const shown = f.departments.filter((r) => r.afterSales || r.satisfied || r.unsatisfied || r.overdue || r.noReply || r.engineeringSampled);
      if (!shown.length) {
        replace(el, h('p', { class: 'muted' }, '本月暂无回访'));
        return;
      }
      const head = h('tr', {}, ...['部门', '办结', '已回访', '回访率', '满意率', '超时', '未回复', '工程抽检'].map((t) => h('th', {}, t)));
      const line = (label: string, r: CallbackFiguresRow, id: string) =>
        h(
          'tr',
          { id },
          h('td', {}, label),
          h('td', {}, r.afterSales),
          h('td', {}, r.calledBack),
          h('td', { class: r.callbackRate !== null && r.callbackRate < 1 ? 'bad' : '' }, fmtPercent(r.callbackRate)),
          h('td', {}, fmtPercent(r.satisfactionRate)),
          h('td', { class: r.overdue ? 'bad' : '' }, r.overdue),
          h('td', {}, r.noReply),
          h('td', {}, r.engineeringSampled ? `${r.engineeringDone}/${r.engineeringSampled}` : '—'),
        );
      replace(
        el,
        h(
          'table',
          { class: 'grid' },
          h('thead', {}, head),
          h('tbody', {}, ...shown.map((r) => line(DEPARTMENT_LABEL[r.department], r, `cb-fig-${r.department}`)), line('合计', f.total, 'cb-fig-total')),
        ),
      );
    } catch (err) {
      replace(el, h('p', { class: 'error' }, `回访统计读取失败：${errorText(err)}`));
    }
  }
}
