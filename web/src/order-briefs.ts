import { DEPARTMENTS, type DepartmentCode } from '../../models/enums';
import type { CallCentreActionCommand, ColleagueView, NoticeCallAttemptView, NoticeRecordView, OrderNoticesView, WorkOrderBrief, WorkOrderView } from '../../contracts';
import { api, DEPARTMENT_LABEL, errorText, fmtDateTime, fmtDuration, h, loadSession, now, playRecording, replace, STATUS_LABEL, WORK_ORDER_ACTION_LABEL } from './common';

/**
 * How the call centre's pages show one order's urgency: its flags as tags and the time left to
 * its next deadline (counted on the server's clock, refreshed by `tickDeadlines`).
 */

const FINISHED = new Set(['resolved', 'archived']);
export const isFinished = (o: Pick<WorkOrderBrief, 'status'>): boolean => FINISHED.has(o.status);
export const isLate = (o: Pick<WorkOrderBrief, 'noticeLate' | 'acceptLate' | 'overdue'>): boolean => o.noticeLate || o.acceptLate || o.overdue;

/** Most urgent first: emergencies, overdue, otherwise late, escalated; then the oldest. The server sorts the same way. */
export function byUrgency(a: WorkOrderBrief, b: WorkOrderBrief): number {
  const rank = (o: WorkOrderBrief) => (isFinished(o) ? 9 : o.emergency ? 0 : o.overdue ? 1 : isLate(o) ? 2 : o.escalated ? 3 : 4);
  return rank(a) - rank(b) || (isFinished(a) ? b.updatedAt - a.updatedAt : a.createdAt - b.createdAt);
}

export function flagTags(o: WorkOrderBrief): HTMLElement[] {
  const tags: Array<[boolean, string, string]> = [
    [o.emergency, 'emergency', '紧急'],
    [o.noticeLate, 'late', '通知超时'],
    [o.acceptLate, 'late', '受理超时'],
    [o.overdue, 'late', '逾期'],
    [o.escalated, 'escalated', '已升级'],
    [o.urgeCount > 0, 'urged', `已催办${o.urgeCount > 1 ? ` ${o.urgeCount} 次` : ''}`],
  ];
  return tags.filter(([on]) => on).map(([, cls, text]) => h('span', { class: `tag flag-${cls}` }, text));
}

/** The deadline that matters now: acceptance (complaints, before accepting), else completion. */
function nextDeadline(o: WorkOrderBrief): { at: number; what: string } | null {
  if (isFinished(o)) return null;
  if (o.acceptBy !== null && (o.status === 'open' || o.status === 'dispatched')) return { at: o.acceptBy, what: '受理' };
  if (o.dueBy !== null) return { at: o.dueBy, what: '办结' };
  return null;
}

/** `data-deadline` cells are refreshed every second by `tickDeadlines`. */
export function timeLeft(o: WorkOrderBrief): HTMLElement {
  const d = nextDeadline(o);
  if (!d) return h('span', { class: 'muted' }, isFinished(o) ? '—' : '无时限');
  const el = h('span', { 'data-deadline': d.at, 'data-what': d.what }, '');
  paint(el, now());
  return el;
}

function paint(el: HTMLElement, t: number): void {
  const at = Number(el.dataset.deadline);
  const what = el.dataset.what ?? '';
  const left = at - t;
  el.textContent = left >= 0 ? `${what}剩 ${fmtDuration(left)}` : `${what}超 ${fmtDuration(-left)}`;
  el.className = left >= 0 ? (left < 15 * 60_000 ? 'deadline soon' : 'deadline') : 'deadline over';
}

export function tickDeadlines(): void {
  const t = now();
  document.querySelectorAll<HTMLElement>('[data-deadline]').forEach((el) => paint(el, t));
}

// ───────────────────────────── the call centre's actions on one order ─────────────────────────────

/** What a call-centre page may offer on an order; the server checks again (`work-order:act`). */
export type CallCentreAct = CallCentreActionCommand['action'];
export type ActOutcome = { ok: true; data: WorkOrderView } | { ok: false; message: string };

export interface OrderDesk {
  token: string;
  /** Sends `work-order:act` and resolves with its ack (a refusal's Chinese in `message`). */
  act: (cmd: CallCentreActionCommand) => Promise<ActOutcome>;
  /** The actions this page offers on the order now (its status decides; the server has the last word). */
  offers: (o: WorkOrderBrief) => CallCentreAct[];
  /** Whom 转交 may pick. */
  colleagues?: () => ColleagueView[];
}

const DONE_ZH: Record<CallCentreAct, string> = {
  archive: '已归档',
  reopen: '已重新派单',
  'hand-over': '已转交',
  escalate: '已升级至行政人事部',
  participants: '已增加协办部门',
};

interface Shown {
  el: HTMLElement;
  /** The offers it was built with: rebuilt only when they change, so what the person typed stays. */
  offers: string;
  updatedAt: number;
  history: HTMLElement;
  notices: HTMLElement;
}

/**
 * One order's 处理 panel on a call-centre page: the actions this person may take now (归档,
 * 重新派单, 转交, 升级, 增加协办部门) and the order's 处理记录, read from the server when opened
 * and again whenever the order changes while open. Panels are kept across the page's re-renders
 * (what was typed, the last answer), keyed by `where` and the order number.
 */
export class OrderDetails {
  private readonly open = new Set<string>();
  private readonly shown = new Map<string, Shown>();
  /** The last answer per order, kept when the panel is rebuilt (an archived order offers less). */
  private readonly said = new Map<string, { text: string; ok: boolean }>();

  constructor(
    private readonly desk: OrderDesk,
    private readonly where: string,
  ) {}

  isOpen(number: string): boolean {
    return this.open.has(number);
  }

  /** 处理 ▾: opens or closes the order's panel; `rerender` puts it where the page wants it. */
  toggle(o: WorkOrderBrief, rerender: () => void): HTMLElement {
    const open = this.open.has(o.number);
    return h(
      'button',
      {
        class: `btn small${open ? ' on' : ''}`,
        type: 'button',
        id: `${this.where}-act-${o.number}`,
        'aria-expanded': String(open),
        onclick: () => {
          if (this.open.has(o.number)) this.open.delete(o.number);
          else this.open.add(o.number);
          rerender();
        },
      },
      open ? '收起' : '处理',
    );
  }

  /** The panel of an open order (the same element across re-renders while its offers stay). */
  panel(o: WorkOrderBrief): HTMLElement {
    const offers = this.desk.offers(o);
    const key = offers.join(',');
    let s = this.shown.get(o.number);
    if (!s || s.offers !== key) {
      const history = s?.history ?? h('div', { class: 'order-history' }, h('p', { class: 'muted' }, '处理记录读取中…'));
      const notices = s?.notices ?? h('div', { class: 'order-notices', 'data-notices': o.number }, h('p', { class: 'muted' }, '通知记录读取中…'));
      const el = h('div', { class: 'order-detail', id: `${this.where}-detail-${o.number}`, 'data-number': o.number }, this.actions(o, offers), history, notices);
      s = { el, offers: key, updatedAt: -1, history, notices };
      this.shown.set(o.number, s);
    }
    if (s.updatedAt !== o.updatedAt) {
      s.updatedAt = o.updatedAt;
      void this.loadHistory(o.number, s.history);
      void loadNotices(this.desk.token, o.number, s.notices);
    }
    return s.el;
  }

  /** Orders no longer listed: their panels are forgotten. */
  keepOnly(numbers: Iterable<string>): void {
    const keep = new Set(numbers);
    for (const n of [...this.shown.keys()]) if (!keep.has(n)) this.shown.delete(n);
    for (const n of [...this.open]) if (!keep.has(n)) this.open.delete(n);
  }

  private actions(o: WorkOrderBrief, offers: CallCentreAct[]): HTMLElement {
    const n = o.number;
    const out = h('p', { class: 'act-result', role: 'status' });
    const said = this.said.get(n);
    if (said) {
      out.textContent = said.text;
      out.className = `act-result ${said.ok ? 'ok' : 'error'}`;
    }
    const run = (cmd: CallCentreActionCommand, button: HTMLButtonElement, after?: () => void) => {
      button.disabled = true;
      out.className = 'act-result';
      out.textContent = '提交中…';
      void this.desk.act(cmd).then((r) => {
        button.disabled = false;
        const text = r.ok ? `${DONE_ZH[cmd.action]} · 当前状态：${STATUS_LABEL[r.data.status]}` : r.message;
        this.said.set(n, { text, ok: r.ok });
        // The panel may have been rebuilt meanwhile (the change arrived first): the answer goes to whichever is shown.
        const now = this.shown.get(n)?.el.querySelector<HTMLElement>('.act-result') ?? out;
        now.className = `act-result ${r.ok ? 'ok' : 'error'}`;
        now.textContent = text;
        if (r.ok) after?.();
      });
    };
    const rows: HTMLElement[] = [];
    if (offers.includes('archive')) {
      const b = h('button', { class: 'btn primary', type: 'button', 'data-act': 'archive' }, '归档');
      b.addEventListener('click', () => run({ action: 'archive', number: n }, b));
      rows.push(h('div', { class: 'act-row' }, b, h('span', { class: 'muted' }, '核实办理结果后归档')));
    }
    if (offers.includes('reopen')) {
      const reason = h('input', { name: 'reopenReason', maxlength: 2000, placeholder: '重新派单原因（必填）' });
      const b = h('button', { class: 'btn', type: 'button', 'data-act': 'reopen' }, '重新派单');
      b.addEventListener('click', () => run({ action: 'reopen', number: n, reopenReason: reason.value }, b, () => (reason.value = '')));
      rows.push(h('div', { class: 'act-row' }, reason, b));
    }
    if (offers.includes('hand-over')) {
      const to = h('select', { name: 'to', 'aria-label': '转交给' }, h('option', { value: '' }, '— 转交给坐席 —'));
      for (const c of this.desk.colleagues?.() ?? []) to.append(h('option', { value: c.workNumber }, `${c.workNumber} ${c.name}`));
      const note = h('input', { name: 'note', maxlength: 2000, placeholder: '转交说明（可选）' });
      const b = h('button', { class: 'btn', type: 'button', 'data-act': 'hand-over' }, '转交');
      b.addEventListener('click', () => run({ action: 'hand-over', number: n, to: to.value, ...(note.value.trim() ? { note: note.value } : {}) }, b));
      rows.push(h('div', { class: 'act-row' }, to, note, b));
    }
    if (offers.includes('escalate')) {
      const reason = h('input', { name: 'escalationReason', maxlength: 2000, placeholder: '升级原因（必填）' });
      const b = h('button', { class: 'btn notready', type: 'button', 'data-act': 'escalate' }, '升级');
      b.addEventListener('click', () => run({ action: 'escalate', number: n, escalationReason: reason.value }, b, () => (reason.value = '')));
      rows.push(h('div', { class: 'act-row' }, reason, b));
    }
    if (offers.includes('participants')) {
      const dept = h('select', { name: 'departments', 'aria-label': '协办部门' }, h('option', { value: '' }, '— 协办部门 —'));
      for (const d of DEPARTMENTS) if (d !== o.department) dept.append(h('option', { value: d }, DEPARTMENT_LABEL[d]));
      const b = h('button', { class: 'btn', type: 'button', 'data-act': 'participants' }, '增加协办部门');
      // An empty choice goes to the server too: its refusal names the field in Chinese.
      b.addEventListener('click', () => run({ action: 'participants', number: n, departments: dept.value ? [dept.value as DepartmentCode] : [] }, b));
      rows.push(h('div', { class: 'act-row' }, dept, b));
    }
    if (!rows.length) rows.push(h('p', { class: 'muted' }, '当前无可执行的操作'));
    return h('div', { class: 'order-actions' }, ...rows, out);
  }

  private async loadHistory(number: string, box: HTMLElement): Promise<void> {
    try {
      const o = await api<WorkOrderView>(`/api/work-orders/${encodeURIComponent(number)}`, { token: this.desk.token });
      replace(box, historyList(o));
    } catch (err) {
      replace(box, h('p', { class: 'error' }, `处理记录暂时无法读取：${errorText(err)}`));
    }
  }
}

/** 处理记录: every step of the order, oldest first, with who and why. */
export function historyList(o: WorkOrderView): HTMLElement {
  return h(
    'div',
    {},
    h('h4', {}, `处理记录（${o.history.length}）`),
    o.participants.length ? h('div', { class: 'muted' }, `牵头 ${DEPARTMENT_LABEL[o.department]} · 协办 ${o.participants.map((d) => DEPARTMENT_LABEL[d]).join('、')}`) : null,
    o.result ? h('div', { class: 'result' }, `办理结果：${o.result}`) : null,
    h(
      'ol',
      { class: 'history' },
      ...o.history.map((e) =>
        h(
          'li',
          { 'data-action': e.action },
          h('span', { class: 'muted' }, fmtDateTime(e.at)),
          ' ',
          h('strong', {}, WORK_ORDER_ACTION_LABEL[e.action]),
          e.from && e.to && e.from !== e.to ? ` ${STATUS_LABEL[e.from]} → ${STATUS_LABEL[e.to]}` : '',
          ` · ${e.by === 'system' ? '系统' : e.by}`,
          e.note ? ` · ${e.note}` : '',
        ),
      ),
    ),
  );
}

// ───────────────────────────── 通知记录: how the department was told ─────────────────────────────

export const NOTICE_REASON_LABEL: Record<NoticeRecordView['reason'], string> = { dispatch: '派单通知', urge: '催办', emergency: '紧急通知', outage: '大范围停水通知' };
const RECEIVER_ROLE_LABEL: Record<NoticeRecordView['receiver']['role'], string> = { on_duty: '值班', leader: '负责人' };
const SMS_STATUS_LABEL: Record<NonNullable<NoticeRecordView['sms']>['status'], string> = { queued: '待发送', sent: '已发送', failed: '发送失败' };
const CALL_STATUS_LABEL: Record<NonNullable<NoticeRecordView['call']>['status'], string> = {
  pending: '待呼叫',
  calling: '呼叫中',
  'retry-wait': '等待重拨',
  acknowledged: '已按 1 确认',
  unacknowledged: '接听未确认',
  unreached: '未接通',
};
const CALL_RESULT_LABEL: Record<NonNullable<NoticeCallAttemptView['result']>, string> = {
  acknowledged: '按 1 确认',
  unacknowledged: '接听未确认',
  busy: '忙线',
  'no-answer': '无人接听',
  unreachable: '无法接通',
  failed: '呼叫失败',
};

/** Supervisors and admins play notice recordings (the recordings route lets them play any). */
function recordingPlayer(): ((name: string, button: HTMLButtonElement) => void) | undefined {
  const session = loadSession();
  if (!session || (session.role !== 'supervisor' && session.role !== 'admin')) return undefined;
  return (name, button) => {
    // The page's own player when it has one (the board's), else one beside the button.
    let player = document.getElementById('player') as HTMLAudioElement | null;
    if (!player) {
      player = h('audio', { controls: true, hidden: true, class: 'notice-player' });
      button.after(player);
    }
    void playRecording(session, name, player).catch((err: unknown) => {
      button.title = `录音暂不可用：${errorText(err)}`;
      button.textContent = '录音暂不可用';
    });
  };
}

/** Reads the order's 通知记录 into `box` (its panel stays where it is while it loads). */
export async function loadNotices(token: string, number: string, box: HTMLElement): Promise<void> {
  try {
    const v = await api<OrderNoticesView>(`/api/work-orders/${encodeURIComponent(number)}/notices`, { token });
    replace(box, noticeList(v, () => void loadNotices(token, number, box)));
  } catch (err) {
    replace(box, h('p', { class: 'error' }, `通知记录暂时无法读取：${errorText(err)}`));
  }
}

/**
 * 通知记录: each notice to each receiver — 派单 / 催办 / 紧急, who, the SMS with its status and
 * attempts, the recorded call with each attempt's result and (supervisors, admins) ▶ 播放录音.
 * Delivery and key presses come after the order last changed, hence 刷新.
 */
export function noticeList(v: OrderNoticesView, refresh?: () => void): HTMLElement {
  const play = recordingPlayer();
  const ack = v.acknowledgedAt !== null ? h('span', { class: 'ok', 'data-field': 'notice-ack' }, `已确认 ${fmtDateTime(v.acknowledgedAt)} · ${v.acknowledgedBy ?? ''}`) : h('span', { class: 'muted', 'data-field': 'notice-ack' }, '尚未确认');
  return h(
    'div',
    {},
    h(
      'h4',
      {},
      `通知记录（${v.notices.length}）`,
      ' ',
      ack,
      refresh ? h('button', { class: 'btn small', type: 'button', 'data-act': 'refresh-notices', onclick: refresh }, '刷新') : null,
    ),
    v.notices.length
      ? h('ol', { class: 'notices' }, ...v.notices.map((n) => noticeItem(n, play)))
      : h('p', { class: 'muted' }, '暂无通知记录'),
  );
}

function noticeItem(n: NoticeRecordView, play?: (name: string, button: HTMLButtonElement) => void): HTMLElement {
  const sms = n.sms
    ? h('span', { class: `notice-sms ${n.sms.status}`, 'data-field': 'sms' }, `短信 ${SMS_STATUS_LABEL[n.sms.status]}${n.sms.attempts > 1 ? `（${n.sms.attempts} 次）` : ''}${n.sms.sentAt !== null ? ` ${fmtDateTime(n.sms.sentAt)}` : ''}`)
    : null;
  const call = n.call
    ? h('span', { class: `notice-call ${n.call.status}`, 'data-field': 'call' }, `电话 ${CALL_STATUS_LABEL[n.call.status]}${n.call.attempts ? `（拨打 ${n.call.attempts} 次）` : ''}`)
    : null;
  return h(
    'li',
    { 'data-notice': n.key, 'data-reason': n.reason },
    h('span', { class: 'muted' }, fmtDateTime(n.createdAt)),
    ' ',
    h('strong', {}, NOTICE_REASON_LABEL[n.reason]),
    ` · ${n.receiver.name}（${RECEIVER_ROLE_LABEL[n.receiver.role]}）${n.receiver.phone}`,
    n.by !== 'system' ? ` · ${n.by}` : '',
    h('div', { class: 'notice-line' }, sms, call, n.acknowledgedAt !== null ? h('span', { class: 'ok' }, `按 1 确认 ${fmtDateTime(n.acknowledgedAt)}`) : null),
    n.call && n.call.calls.length ? h('ul', { class: 'notice-attempts' }, ...n.call.calls.map((c) => attemptItem(c, play))) : null,
  );
}

function attemptItem(c: NoticeCallAttemptView, play?: (name: string, button: HTMLButtonElement) => void): HTMLElement {
  const rec = c.recordingName;
  let button: HTMLButtonElement | null = null;
  if (rec && play) {
    const b = h('button', { class: 'btn small', type: 'button', 'data-recording': rec }, '▶ 播放录音');
    b.addEventListener('click', () => play(rec, b));
    button = b;
  }
  return h(
    'li',
    { 'data-call': c.callId },
    `第 ${c.attempt} 次 ${fmtDateTime(c.placedAt)} · ${c.result ? CALL_RESULT_LABEL[c.result] : '进行中'}`,
    c.durationSec !== null ? ` · 录音 ${Math.round(c.durationSec)} 秒` : rec ? ' · 有录音' : '',
    button ? ' ' : '',
    button,
  );
}
