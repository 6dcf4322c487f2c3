import type { CallbackView, LoginResponse, RecordCallbackResultBody } from '../../contracts';
import { CALLBACK_GRADES, ENGINEERING_CATEGORIES, type CallbackGrade, type CallbackReason } from '../../models/enums';
import { api, ApiError, byId, CATEGORY_LABEL, errorText, fmtDateTime, fmtDuration, h, now, replace } from './common';

const REASON_LABEL: Record<CallbackReason, string> = {
  after_sales: '售后抽检',
  complaint: '投诉回访',
  engineering: '工程回访',
  sms_unsatisfied: '短信不满意转人工',
};
const GRADE_LABEL: Record<CallbackGrade, string> = { satisfied: '满意', fair: '基本满意', unsatisfied: '不满意' };
const ASPECTS = [
  ['serviceQuality', '服务质量'],
  ['attitude', '服务态度'],
  ['engineeringQuality', '工程质量'],
  ['timeliness', '工程时限'],
] as const;
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
        h('td', {}, c.workOrderNumber),
        h('td', {}, `${REASON_LABEL[c.reason]} · ${CATEGORY_LABEL[c.category]}`),
        h('td', {}, `${c.contactName ?? ''} ${c.phone}`.trim()),
        h('td', {}, c.address),
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
    replace(
      byId('cb-who'),
      `${REASON_LABEL[c.reason]} · 工单 ${c.workOrderNumber}（${CATEGORY_LABEL[c.category]}） · ${c.contactName ?? ''} ${c.phone} · ${c.address}`,
    );
    const engineering = ENGINEERING_CATEGORIES.includes(c.category);
    replace(
      byId('cb-grades'),
      ...ASPECTS.map(([field, label]) =>
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
  }

  private close(): void {
    this.open = null;
    this.form.hidden = true;
  }

  private async submit(): Promise<void> {
    const c = this.open;
    if (!c) return;
    const value = (id: string) => byId<HTMLSelectElement | HTMLTextAreaElement>(id).value;
    const verdict = this.form.querySelector<HTMLInputElement>('input[name="cb-verdict"]:checked')?.value;
    const missing = [
      ...ASPECTS.filter(([f]) => f !== 'engineeringQuality' || ENGINEERING_CATEGORIES.includes(c.category))
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
    this.out.className = '';
    this.out.textContent = '提交中…';
    try {
      const done = await api<CallbackView>(`/api/callbacks/${encodeURIComponent(c.id)}/result`, { method: 'POST', token: this.session.token, body });
      this.close();
      this.out.className = 'ok';
      this.out.textContent = done.followUp?.workOrderNumber
        ? `回访已登记（不满意），已生成跟进工单 ${done.followUp.workOrderNumber} 派往责任部门上门处理`
        : `回访已登记：工单 ${done.workOrderNumber}，${done.verdict === 'satisfied' ? '满意' : '不满意'}`;
      await this.load();
    } catch (err) {
      this.out.className = 'error';
      this.out.textContent = `回访未登记：${errorText(err)}`;
      // Finished meanwhile (another agent, a second tab): the list is read again.
      if (err instanceof ApiError && err.status === 409) await this.load();
    }
  }
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
