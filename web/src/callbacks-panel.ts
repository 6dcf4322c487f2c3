import type { CallbackCallView, CallbackView, LoginResponse, RecordCallbackResultBody, RecordQueueCallbackResultBody } from '../../contracts';
import { CALLBACK_GRADES, ENGINEERING_CATEGORIES, type CallbackGrade, type CallbackReason } from '../../models/enums';
import { api, ApiError, byId, CATEGORY_LABEL, errorText, fmtDateTime, fmtDuration, h, now, replace } from './common';

const REASON_LABEL: Record<CallbackReason, string> = {
  after_sales: '售后抽检',
  complaint: '投诉回访',
  engineering: '工程回访',
  sms_unsatisfied: '短信不满意转人工',
  queue_callback: '排队回拨',
};
const GRADE_LABEL: Record<CallbackGrade, string> = { satisfied: '满意', fair: '基本满意', unsatisfied: '不满意' };
const ASPECTS = [
  ['serviceQuality', '服务质量'],
  ['attitude', '服务态度'],
  ['engineeringQuality', '工程质量'],
  ['timeliness', '工程时限'],
] as const;
/** What the agent sees of a callback call (拨打) at each step, and why an unanswered one ended. */
const STAGE_TEXT: Record<CallbackCallView['stage'], string> = {
  agent: '正在呼叫您的话机，请摘机…',
  customer: '正在呼叫客户…',
  talking: '通话中（录音）',
  ended: '通话已结束，请登记回访结果',
};
const FAILURE_TEXT: Record<string, string> = {
  'customer-busy': '客户忙线，可稍后再拨',
  'customer-no-answer': '客户无人接听',
  'customer-unreachable': '客户号码无法接通',
  'agent-no-answer': '您的话机未摘机，呼叫已取消',
  'agent-busy': '您的话机忙',
  'agent-unreachable': '您的话机无法接通',
  cancelled: '您已挂机，呼叫已取消',
  'cti-stopped': '系统中断了这通电话，请重拨',
};
const failureText = (reason: string | null): string => (reason ? (FAILURE_TEXT[reason] ?? '呼叫失败') : '');

/** How often the list is read again while the page is open: callbacks are made by completions elsewhere. */
const REFRESH_MS = 60_000;

/**
 * 回访任务 on the agent console: the phone callbacks to make, earliest due first, with the time left
 * (超时 once past); 回访 opens the form and puts the agent Not Ready 「回访」 so no hotline call rings
 * meanwhile; the form sends the four grades, 满意 / 不满意 and the customer's words.
 */
export class CallbackPanel {
  private rows: CallbackView[] = [];
  private open: CallbackView | null = null;
  /** The callback call placed from this form, and the last step told of any. */
  private callId: string | null = null;
  private lastStage: CallbackCallView | null = null;
  private readonly list = byId('callback-list');
  private readonly form = byId<HTMLFormElement>('cb-form');
  private readonly out = byId('cb-result');

  constructor(
    private readonly session: LoginResponse,
    /** Puts the agent Not Ready with reason 回访 (the console's state command). */
    private readonly busyOnCallbacks: () => void,
  ) {
    byId('btn-callbacks').addEventListener('click', () => void this.load());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    byId('cb-cancel').addEventListener('click', () => this.close());
    byId('cb-dial').addEventListener('click', () => void this.dial());
    // A choice made clears the last "请选择" message: it spoke of the form as it was.
    this.form.addEventListener('change', () => {
      if (this.out.className === 'error') this.out.textContent = '';
    });
    setInterval(() => void this.load(), REFRESH_MS);
  }

  async load(): Promise<void> {
    try {
      this.rows = await api<CallbackView[]>('/api/callbacks?method=phone&status=pending&limit=200', { token: this.session.token });
      this.render();
    } catch (err) {
      replace(this.list, h('p', { class: 'error' }, `回访任务读取失败：${errorText(err)}`));
    }
  }

  /** Called every second by the console's clock: the time left moves. */
  tick(): void {
    for (const c of this.rows) {
      const cell = document.getElementById(`cb-left-${cssId(c.id)}`);
      if (cell) cell.textContent = leftText(c);
    }
  }

  private render(): void {
    if (!this.rows.length) {
      replace(this.list, h('p', { class: 'muted' }, '暂无待回访任务'));
      return;
    }
    const head = h('tr', {}, ...['工单号', '回访类型', '客户', '地址', '应回访时间', '剩余', ''].map((t) => h('th', {}, t)));
    const body = this.rows.map((c) =>
      h(
        'tr',
        { id: `cb-${cssId(c.id)}`, class: c.overdue || c.dueBy < now() ? 'late' : '' },
        h('td', {}, c.workOrderNumber ?? '—'),
        h('td', {}, kindText(c)),
        h('td', {}, `${c.contactName ?? ''} ${c.phone}`.trim()),
        h('td', {}, c.address ?? '—'),
        h('td', {}, fmtDateTime(c.dueBy)),
        h('td', { id: `cb-left-${cssId(c.id)}` }, leftText(c)),
        h('td', {}, h('button', { class: 'btn', type: 'button', id: `cb-open-${cssId(c.id)}`, onclick: () => this.start(c) }, '回访')),
      ),
    );
    replace(this.list, h('table', { class: 'orders' }, h('thead', {}, head), h('tbody', {}, ...body)));
  }

  private start(c: CallbackView): void {
    this.open = c;
    this.busyOnCallbacks();
    this.form.hidden = false;
    this.form.reset();
    this.out.textContent = '';
    this.out.className = '';
    const queue = c.reason === 'queue_callback';
    replace(
      byId('cb-who'),
      queue
        ? `排队回拨 · ${c.phone} · 来电排队时要求回拨，自动回拨${c.lastAgent ? `（坐席 ${c.lastAgent}）` : ''}未接通，请再次拨打`
        : `${REASON_LABEL[c.reason]} · 工单 ${c.workOrderNumber ?? ''}（${c.category ? CATEGORY_LABEL[c.category] : ''}） · ${c.contactName ?? ''} ${c.phone} · ${c.address ?? ''}`,
    );
    // A queue callback has no order to grade: only whether the caller was reached, and a note.
    byId('cb-verdict-row').hidden = queue;
    byId('cb-words-label').textContent = queue ? '备注（来电诉求、联系情况）' : '客户意见和建议';
    const engineering = !!c.category && ENGINEERING_CATEGORIES.includes(c.category);
    replace(
      byId('cb-grades'),
      ...(queue
        ? [h('label', {}, '结果 ', h('select', { id: 'cb-reached', name: 'reached' }, h('option', { value: '' }, '— 请选择 —'), h('option', { value: 'yes' }, '已联系上客户'), h('option', { value: 'no' }, '仍未联系上')))]
        : []),
      ...(queue ? [] : ASPECTS).map(([field, label]) =>
        h(
          'label',
          {},
          `${label} `,
          h(
            'select',
            { id: `cb-${field}`, name: field },
            // 工程质量 only where works were done; elsewhere it may stay 不涉及.
            field === 'engineeringQuality' ? h('option', { value: '' }, engineering ? '— 请选择 —' : '不涉及') : h('option', { value: '' }, '— 请选择 —'),
            ...CALLBACK_GRADES.map((g) => h('option', { value: g }, GRADE_LABEL[g])),
          ),
        ),
      ),
    );
    byId('cb-hint').textContent = '已置为未就绪（回访），回访期间不会接入热线来电；全部完成后请按“就绪”。';
    this.callId = null;
    this.showCall('', '');
    byId<HTMLButtonElement>('cb-dial').disabled = false;
    byId('cb-dial').textContent = '拨打';
    byId('cb-calls').textContent = callsText(c);
  }

  /** 拨打: the agent's own phone rings first, then the customer's (the server tells each step: `callback:call`). */
  private async dial(): Promise<void> {
    const c = this.open;
    if (!c) return;
    const button = byId<HTMLButtonElement>('cb-dial');
    button.disabled = true;
    this.showCall('正在发起呼叫…', 'live');
    try {
      const call = await api<CallbackCallView>(`/api/callbacks/${encodeURIComponent(c.id)}/call`, { method: 'POST', token: this.session.token });
      this.callId = call.callId;
      // A step may have come over the socket before this answer.
      if (this.lastStage?.callId !== call.callId) this.onCall(call);
      else this.onCall(this.lastStage);
    } catch (err) {
      this.showCall(`无法拨打：${errorText(err)}`, 'failed');
      button.disabled = false;
    }
  }

  /** A step of the agent's callback call, from the socket. */
  onCall(call: CallbackCallView): void {
    this.lastStage = call;
    if (!this.open || call.callbackId !== this.open.id || (this.callId && call.callId !== this.callId)) return;
    const failed = call.stage === 'ended' && call.reason !== null;
    this.showCall(failed ? failureText(call.reason) : STAGE_TEXT[call.stage], failed ? 'failed' : call.stage === 'ended' ? '' : 'live');
    if (call.stage === 'ended') {
      byId<HTMLButtonElement>('cb-dial').disabled = false;
      byId('cb-dial').textContent = '重拨';
      // The call is kept on the callback before this step is told: the list read again shows it.
      const id = call.callbackId;
      void this.load().then(() => {
        const fresh = this.rows.find((r) => r.id === id);
        if (fresh && this.open?.id === id) byId('cb-calls').textContent = callsText(fresh);
      });
    }
  }

  private showCall(text: string, cls: string): void {
    const el = byId('cb-call');
    el.textContent = text;
    el.className = cls;
  }

  private close(): void {
    this.open = null;
    this.form.hidden = true;
  }

  private async submit(): Promise<void> {
    const c = this.open;
    if (!c) return;
    const value = (id: string) => byId<HTMLSelectElement | HTMLTextAreaElement>(id).value;
    if (c.reason === 'queue_callback') return this.submitQueue(c, value('cb-reached'), value('cb-words').trim());
    const verdict = this.form.querySelector<HTMLInputElement>('input[name="cb-verdict"]:checked')?.value;
    const missing = [
      ...ASPECTS.filter(([f]) => f !== 'engineeringQuality' || (!!c.category && ENGINEERING_CATEGORIES.includes(c.category)))
        .filter(([f]) => !value(`cb-${f}`))
        .map(([, label]) => label),
      ...(verdict ? [] : ['满意程度']),
    ];
    if (missing.length) {
      this.out.className = 'error';
      this.out.textContent = `请选择：${missing.join('、')}`;
      return;
    }
    const words = value('cb-words').trim();
    const body: RecordCallbackResultBody = {
      serviceQuality: value('cb-serviceQuality') as CallbackGrade,
      attitude: value('cb-attitude') as CallbackGrade,
      ...(value('cb-engineeringQuality') ? { engineeringQuality: value('cb-engineeringQuality') as CallbackGrade } : {}),
      timeliness: value('cb-timeliness') as CallbackGrade,
      verdict: verdict as RecordCallbackResultBody['verdict'],
      ...(words ? { customerWords: words } : {}),
    };
    await this.send(c, 'result', body, (done) =>
      done.followUp?.workOrderNumber
        ? `回访已登记（不满意），已生成跟进工单 ${done.followUp.workOrderNumber} 派往责任部门上门处理`
        : `回访已登记：工单 ${done.workOrderNumber ?? ''}，${done.verdict === 'satisfied' ? '满意' : '不满意'}`,
    );
  }

  /** A queue callback's short result: reached or not, and a note. */
  private async submitQueue(c: CallbackView, reached: string, note: string): Promise<void> {
    if (!reached) {
      this.out.className = 'error';
      this.out.textContent = '请选择：结果';
      return;
    }
    const body: RecordQueueCallbackResultBody = { reached: reached === 'yes', ...(note ? { note } : {}) };
    await this.send(c, 'queue-result', body, (done) => `排队回拨已登记：${done.phone}，${done.reached ? '已联系上客户' : '仍未联系上'}`);
  }

  private async send(c: CallbackView, route: 'result' | 'queue-result', body: RecordCallbackResultBody | RecordQueueCallbackResultBody, told: (done: CallbackView) => string): Promise<void> {
    this.out.className = '';
    this.out.textContent = '提交中…';
    try {
      const done = await api<CallbackView>(`/api/callbacks/${encodeURIComponent(c.id)}/${route}`, { method: 'POST', token: this.session.token, body });
      this.close();
      this.out.className = 'ok';
      this.out.textContent = told(done);
      await this.load();
    } catch (err) {
      this.out.className = 'error';
      this.out.textContent = `回访未登记：${errorText(err)}`;
      // Finished meanwhile (another agent, a second tab): the list is read again.
      if (err instanceof ApiError && err.status === 409) await this.load();
    }
  }
}

/** 投诉回访 · 漏水; 排队回拨 · 上次坐席 1003. */
function kindText(c: CallbackView): string {
  if (c.reason === 'queue_callback') return `${REASON_LABEL[c.reason]}${c.lastAgent ? ` · 上次坐席 ${c.lastAgent}` : ''}`;
  return `${REASON_LABEL[c.reason]}${c.category ? ` · ${CATEGORY_LABEL[c.category]}` : ''}`;
}

/** The calls already placed for it: 已拨打 2 次：客户忙线；通话 1 分 5 秒. */
function callsText(c: CallbackView): string {
  if (!c.calls.length) return '';
  const each = c.calls.map((x) => (x.outcome === 'answered' ? `通话 ${fmtDuration(x.talkMs ?? 0)}` : failureText(x.failureReason)));
  return `已拨打 ${c.calls.length} 次：${each.join('；')}`;
}

function leftText(c: CallbackView): string {
  const left = c.dueBy - now();
  if (c.overdue || left <= 0) return '超时';
  const days = Math.floor(left / 86_400_000);
  return days > 0 ? `${days} 天 ${Math.floor((left % 86_400_000) / 3_600_000)} 小时` : fmtDuration(left);
}

/** Callback ids hold a dot: element ids use a dash instead. */
function cssId(id: string): string {
  return id.replace(/\./g, '-');
}
