import { ENGINEERING_CATEGORIES, LEAK_DETAIL_CATEGORIES } from '../../models/enums';
import type { DepartmentActionCommand, DepartmentClientToServer, DepartmentServerToClient, LeakDetails, WorkOrderExtensionView, WorkOrderView } from '../../contracts';
import {
  ackResult,
  api,
  byId,
  CATEGORY_LABEL,
  connect,
  errorText,
  DEPARTMENT_LABEL,
  ESCALATION_REASON_LABEL,
  EXTENSION_STATUS_LABEL,
  FLAG_LABEL,
  fmtDateTime,
  fmtDuration,
  fmtTime,
  h,
  header,
  now,
  replace,
  requireSession,
  STATUS_LABEL,
  syncClock,
  WORK_ORDER_ACTION_LABEL,
} from './common';
import { loadNotices } from './order-briefs';

const session = requireSession(['department']);
header(session, '部门工单');
if (session.department) byId('dept-title').textContent = `${DEPARTMENT_LABEL[session.department]} · 工单`;
// 营业部 publishes the outage notices (Art. 3).
byId('link-outages').hidden = session.department !== 'business';
// The monthly report is 营业部's (Art. 15).
byId('link-report').hidden = session.department !== 'business';
const socket = connect<DepartmentServerToClient, DepartmentClientToServer>('/department', session);

const METER_SIDE_LABEL: Record<NonNullable<LeakDetails['meterSide']>, string> = { before: '表前', after: '表后', unknown: '不确定' };
/** Statuses in which a deadline still matters to the department. */
const PENDING = new Set<WorkOrderView['status']>(['open', 'dispatched', 'accepted', 'in_progress']);
/** Within this much of a deadline the countdown turns orange. */
const SOON_MS = 15 * 60_000;

type Form = 'resolve' | 'extend' | 'escalate';

const orders = new Map<string, WorkOrderView>();
/** Orders that arrived while the page was open; marked until the next full snapshot. */
const fresh = new Set<string>();
/** The form open on each order, what was typed in it, and the last refusal shown there. */
const forms = new Map<string, Form>();
const drafts = new Map<string, string>();
const notes = new Map<string, { text: string; ok: boolean }>();
/** History panels left open: a live change must not fold them. */
const historyOpen = new Set<string>();
/** 通知记录 panels left open: read again whenever their card is rebuilt (the order changed). */
const noticesOpen = new Set<string>();
const busy = new Set<string>();
let leader = false;
let loaded = false;
let syncedAt = 0;

// Every (re)connect brings the whole list: whatever was missed while disconnected is in it.
socket.on('orders:snapshot', (s) => {
  syncClock(s.serverNow);
  orders.clear();
  fresh.clear();
  for (const o of s.orders) orders.set(o.number, o);
  leader = s.leader;
  loaded = true;
  syncedAt = s.serverNow;
  render();
});

socket.on('order:changed', (o) => {
  const known = orders.get(o.number);
  // Two processes may deliver copies out of order: the newer one wins.
  if (known && known.updatedAt > o.updatedAt) return;
  if (!known) fresh.add(o.number);
  orders.set(o.number, o);
  syncedAt = now();
  render();
});

// ───────────────────────────── urgency ─────────────────────────────

interface Deadline {
  key: 'notice' | 'accept' | 'due';
  label: string;
  at: number;
  /** Met: acknowledged, accepted or resolved; the time stays visible, the countdown stops. */
  met: string | null;
}

function deadlines(o: WorkOrderView): Deadline[] {
  const out: Deadline[] = [];
  const accepted = o.acceptedAt !== null || ['accepted', 'in_progress', 'resolved', 'archived'].includes(o.status);
  if (o.dispatchBy !== null) {
    const ack = o.notice.acknowledgedAt ?? (accepted ? o.acceptedAt : null);
    out.push({ key: 'notice', label: '通知', at: o.dispatchBy, met: ack !== null ? `已确认 ${fmtDateTime(ack)}` : accepted ? '已受理' : null });
  }
  if (o.acceptBy !== null) out.push({ key: 'accept', label: '受理', at: o.acceptBy, met: accepted ? (o.acceptedAt !== null ? `已受理 ${fmtDateTime(o.acceptedAt)}` : '已受理') : null });
  if (o.dueBy !== null) out.push({ key: 'due', label: '办结', at: o.dueBy, met: PENDING.has(o.status) ? null : o.resolvedAt !== null ? `已办结 ${fmtDateTime(o.resolvedAt)}` : '已办结' });
  return out;
}

/** The nearest deadline not yet met; finished orders have none. */
function nextDeadline(o: WorkOrderView): number {
  if (!PENDING.has(o.status)) return Infinity;
  const open = deadlines(o).filter((d) => d.met === null).map((d) => d.at);
  return open.length ? Math.min(...open) : Infinity;
}

/** Emergencies first, then the nearest deadline; finished orders last, newest first. */
function byUrgency(a: WorkOrderView, b: WorkOrderView): number {
  const rank = (o: WorkOrderView) => (!PENDING.has(o.status) ? 2 : o.emergency ? 0 : 1);
  return rank(a) - rank(b) || nextDeadline(a) - nextDeadline(b) || b.createdAt - a.createdAt;
}

// ───────────────────────────── rendering ─────────────────────────────

/** A card is rebuilt only when its order or its form changed, so typing in one card survives a change in another. */
const cards = new Map<string, { key: string; el: HTMLElement }>();

function render(): void {
  if (!loaded) return;
  const list = [...orders.values()].sort(byUrgency);
  const emergencies = list.filter((o) => o.emergency && PENDING.has(o.status)).length;
  const pending = list.filter((o) => PENDING.has(o.status)).length;
  const waiting = leader ? list.filter((o) => pendingExtension(o)).length : 0;
  byId('summary').textContent = `共 ${list.length} 张 · 未办结 ${pending} 张${emergencies ? ` · 紧急 ${emergencies} 张` : ''}${waiting ? ` · 待审批延期 ${waiting} 张` : ''} · 更新于 ${fmtTime(syncedAt)}`;
  const box = byId('orders');
  if (!list.length) {
    replace(box, h('p', { class: 'muted' }, '暂无工单'));
    cards.clear();
    return;
  }
  const els = list.map((o) => {
    const key = [o.updatedAt, forms.get(o.number) ?? '', busy.has(o.number), leader, fresh.has(o.number), notes.get(o.number)?.text ?? ''].join('|');
    const cached = cards.get(o.number);
    if (cached && cached.key === key) return cached.el;
    const el = card(o);
    cards.set(o.number, { key, el });
    return el;
  });
  let wrap = box.querySelector<HTMLElement>(':scope > .wo-list');
  if (!wrap) {
    wrap = h('div', { class: 'wo-list' });
    replace(box, wrap);
  }
  const same = els.length === wrap.children.length && els.every((el, i) => wrap!.children[i] === el);
  if (!same) wrap.replaceChildren(...els);
  tick();
}

function card(o: WorkOrderView): HTMLElement {
  const classes = ['wo-card', o.emergency ? 'emergency' : '', fresh.has(o.number) ? 'fresh' : '', !PENDING.has(o.status) ? 'done' : ''].filter(Boolean).join(' ');
  const lead = o.department === session.department;
  return h(
    'article',
    { class: classes, id: `wo-${o.number}`, 'data-number': o.number, 'data-status': o.status },
    h(
      'div',
      { class: 'wo-head' },
      h('strong', { class: 'wo-number' }, o.number),
      h('span', { class: `tag cat${o.emergency ? ' urgent' : ''}`, 'data-field': 'category' }, CATEGORY_LABEL[o.category]),
      o.emergency ? h('span', { class: 'tag urgent' }, '紧急') : null,
      h('span', { class: 'tag', 'data-field': 'status' }, STATUS_LABEL[o.status]),
      ...flagTags(o),
      lead ? null : h('span', { class: 'tag' }, `协办（牵头：${DEPARTMENT_LABEL[o.department]}）`),
      fresh.has(o.number) ? h('span', { class: 'tag new' }, '新') : null,
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted' }, `登记 ${fmtDateTime(o.createdAt)} · 坐席 ${o.createdBy}${o.owner && o.owner !== o.createdBy ? ` · 现由 ${o.owner} 负责` : ''}`),
    ),
    h('dl', { class: 'wo-fields' }, ...fields(o)),
    actions(o, lead),
    leader && lead ? extensionDecision(o) : null,
    history(o),
    notices(o),
  );
}

function flagTags(o: WorkOrderView): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (const k of ['overdue', 'escalated', 'noticeLate', 'acceptLate'] as const) {
    if (o.flags[k]) out.push(h('span', { class: `tag ${k === 'escalated' ? 'flag-escalated' : 'flag-late'}`, 'data-flag': k }, FLAG_LABEL[k]));
  }
  return out;
}

/** Every field the order carries; the Art. 13 leak questions first for leak, fault and burst orders. */
function fields(o: WorkOrderView): HTMLElement[] {
  const out: HTMLElement[] = [];
  const field = (name: string, label: string, value: string | null | undefined, cls = '') => {
    out.push(h('div', { class: `wo-field ${cls}`.trim() }, h('dt', {}, label), h('dd', { 'data-field': name }, value || '—')));
  };
  if (LEAK_DETAIL_CATEGORIES.includes(o.category)) {
    const leak = o.leak;
    field('location', o.category === 'pipe_burst' ? '爆管位置' : '漏点位置', leak?.location, 'wide strong');
    field('diameter', '管径', typeof leak?.pipeDiameterMm === 'number' ? `${leak.pipeDiameterMm} 毫米` : null);
    field('meterSide', '表前 / 表后', leak?.meterSide ? METER_SIDE_LABEL[leak.meterSide] : null);
    field('landmarks', '附近标志物', leak?.landmarks, 'wide');
  }
  field('address', '用户地址', o.address, 'wide');
  field('account', '户号', o.customerAccount);
  field('contact', '联系人', o.contactName);
  field('contactPhone', '联系电话', o.contactPhone);
  field('callerNumber', '来电号码', o.callerNumber ?? (o.callId ? '未知号码' : '非来电登记'));
  field('description', '情况描述', o.description, 'full');
  if (o.result) field('result', '办理结果', o.result, 'full strong');
  const ds = deadlines(o);
  out.push(h('div', { class: 'wo-field full' }, h('dt', {}, '时限'), h('dd', { 'data-field': 'deadline' }, ...(ds.length ? ds.map((d) => deadline(d, o)) : ['—']))));
  return out;
}

/** 「办结 12/02 16:30 · 剩余 03:59:12」: the countdown ticks every second (tick()). */
function deadline(d: Deadline, o: WorkOrderView): HTMLElement {
  const counting = d.met === null && PENDING.has(o.status);
  return h(
    'span',
    { class: 'deadline', 'data-deadline': d.key, ...(counting ? { 'data-until': d.at } : {}) },
    `${d.label} ${fmtDateTime(d.at)}`,
    ' · ',
    h('span', { class: 'left' }, counting ? '' : (d.met ?? '')),
  );
}

function tick(): void {
  const t = now();
  document.querySelectorAll<HTMLElement>('[data-until]').forEach((el) => {
    const left = Number(el.dataset.until) - t;
    el.classList.toggle('over', left < 0);
    el.classList.toggle('late', left < 0);
    el.classList.toggle('soon', left >= 0 && left < SOON_MS);
    const span = el.querySelector('.left');
    if (span) span.textContent = left >= 0 ? `剩余 ${fmtDuration(left)}` : `已超时 ${fmtDuration(-left)}`;
  });
}

function pendingExtension(o: WorkOrderView): WorkOrderExtensionView | undefined {
  return PENDING.has(o.status) && o.department === session.department ? o.extensions.find((e) => e.status === 'pending') : undefined;
}

// ───────────────────────────── actions ─────────────────────────────

function send(o: WorkOrderView, cmd: DepartmentActionCommand, done: string): void {
  busy.add(o.number);
  notes.delete(o.number);
  render();
  socket.timeout(10_000).emit('order:act', cmd, (e, res) => {
    busy.delete(o.number);
    const r = ackResult(e, res);
    if (r.ok) {
      forms.delete(o.number);
      for (const k of [...drafts.keys()]) if (k.startsWith(`${o.number}:`)) drafts.delete(k);
      notes.set(o.number, { text: done, ok: true });
      orders.set(o.number, r.data.updatedAt >= (orders.get(o.number)?.updatedAt ?? 0) ? r.data : orders.get(o.number)!);
    } else {
      notes.set(o.number, { text: r.message, ok: false });
    }
    render();
  });
}

/**
 * 竣工结算 of an engineering job (报装, 表位改造, 表后维修) its department completed: recorded once
 * (REST), after which the job may be drawn in the next monthly callback sample (Art. 21 四).
 */
async function settle(o: WorkOrderView): Promise<void> {
  if (!window.confirm(`登记工单 ${o.number} 竣工结算？登记后不能撤销。`)) return;
  busy.add(o.number);
  notes.delete(o.number);
  render();
  try {
    const done = await api<WorkOrderView>(`/api/work-orders/${encodeURIComponent(o.number)}/settle`, { method: 'POST', token: session.token });
    orders.set(o.number, done);
    notes.set(o.number, { text: '已登记竣工结算', ok: true });
  } catch (err) {
    notes.set(o.number, { text: `未登记：${errorText(err)}`, ok: false });
  } finally {
    busy.delete(o.number);
    render();
  }
}

const draftKey = (o: WorkOrderView, name: string) => `${o.number}:${name}`;

function input(o: WorkOrderView, name: string, el: HTMLInputElement | HTMLTextAreaElement): HTMLInputElement | HTMLTextAreaElement {
  el.value = drafts.get(draftKey(o, name)) ?? el.value;
  el.addEventListener('input', () => drafts.set(draftKey(o, name), el.value));
  el.setAttribute('data-input', name);
  return el;
}

function toggle(o: WorkOrderView, f: Form): void {
  if (forms.get(o.number) === f) forms.delete(o.number);
  else forms.set(o.number, f);
  notes.delete(o.number);
  render();
}

function actions(o: WorkOrderView, lead: boolean): HTMLElement {
  const dis = busy.has(o.number);
  const btn = (act: string, label: string, onclick: () => void, primary = false) =>
    h('button', { class: `btn${primary ? ' primary' : ''}`, type: 'button', 'data-act': act, disabled: dis, onclick }, label);
  const bar: HTMLElement[] = [];
  if (o.status === 'open' || o.status === 'dispatched') bar.push(btn('accept', '受理', () => send(o, { number: o.number, action: 'accept' }, '已受理'), true));
  if (o.status === 'accepted') bar.push(btn('start', '开始处理', () => send(o, { number: o.number, action: 'start' }, '已开始处理'), true));
  if (o.status === 'accepted' || o.status === 'in_progress') bar.push(btn('resolve', '填写结果并办结', () => toggle(o, 'resolve')));
  if (PENDING.has(o.status) && lead) bar.push(btn('extend', pendingExtension(o) ? '延期审批中' : '申请延期', () => toggle(o, 'extend')));
  if (PENDING.has(o.status)) bar.push(btn('escalate', '升级', () => toggle(o, 'escalate')));
  if (pendingExtension(o)) bar.find((b) => b.dataset.act === 'extend')?.setAttribute('disabled', '');
  if (ENGINEERING_CATEGORIES.includes(o.category) && (o.status === 'resolved' || o.status === 'archived')) {
    if (o.settledAt === null) bar.push(btn('settle', '竣工结算', () => void settle(o)));
    else bar.push(h('span', { class: 'muted', 'data-settled': '' }, `已竣工结算 ${fmtDateTime(o.settledAt)}`));
  }
  const note = notes.get(o.number);
  return h(
    'div',
    { class: 'wo-actions' },
    h('div', { class: 'wo-buttons' }, ...bar, note ? h('span', { class: note.ok ? 'act-ok' : 'error', role: 'status', 'data-note': '' }, note.text) : null),
    form(o),
  );
}

function form(o: WorkOrderView): HTMLElement | null {
  const f = forms.get(o.number);
  if (!f) return null;
  const dis = busy.has(o.number);
  if (f === 'resolve') {
    const text = input(o, 'result', h('textarea', { rows: 3, maxlength: 4000, placeholder: '处理经过与结果，例如：已更换 DN100 阀门，18:20 恢复供水' })) as HTMLTextAreaElement;
    return h(
      'div',
      { class: 'wo-form', 'data-form': 'resolve' },
      h('label', {}, '办理结果', text),
      h('button', { class: 'btn primary', type: 'button', 'data-submit': 'resolve', disabled: dis, onclick: () => send(o, { number: o.number, action: 'resolve', result: text.value }, '已办结') }, '确认办结'),
      h('button', { class: 'btn', type: 'button', onclick: () => toggle(o, 'resolve') }, '取消'),
    );
  }
  if (f === 'extend') {
    const reason = input(o, 'extensionReason', h('textarea', { rows: 2, maxlength: 2000, placeholder: '不能按时办结的原因' })) as HTMLTextAreaElement;
    const when = input(o, 'newDueBy', h('input', { type: 'datetime-local' })) as HTMLInputElement;
    return h(
      'div',
      { class: 'wo-form', 'data-form': 'extend' },
      h('label', {}, '延期原因', reason),
      h('label', {}, '申请延至', when),
      h(
        'button',
        {
          class: 'btn primary',
          type: 'button',
          'data-submit': 'extend',
          disabled: dis,
          onclick: () => {
            const at = when.value ? new Date(when.value).getTime() : NaN;
            if (!Number.isFinite(at)) {
              notes.set(o.number, { text: '请选择延期后的办结时间', ok: false });
              render();
              return;
            }
            send(o, { number: o.number, action: 'request-extension', extensionReason: reason.value, newDueBy: at }, '延期申请已提交，等待负责人审批');
          },
        },
        '提交延期申请',
      ),
      h('button', { class: 'btn', type: 'button', onclick: () => toggle(o, 'extend') }, '取消'),
    );
  }
  const reason = input(o, 'escalate', h('textarea', { rows: 2, maxlength: 2000, placeholder: '升级原因，例如：需市政配合开挖' })) as HTMLTextAreaElement;
  return h(
    'div',
    { class: 'wo-form', 'data-form': 'escalate' },
    h('label', {}, '升级原因（转行政人事部）', reason),
    h('button', { class: 'btn primary', type: 'button', 'data-submit': 'escalate', disabled: dis, onclick: () => send(o, { number: o.number, action: 'escalate', escalationReason: reason.value }, '已升级至行政人事部') }, '确认升级'),
    h('button', { class: 'btn', type: 'button', onclick: () => toggle(o, 'escalate') }, '取消'),
  );
}

/** Art. 9: the department's leader sees the waiting request with 批准 / 驳回. */
function extensionDecision(o: WorkOrderView): HTMLElement | null {
  const ext = pendingExtension(o);
  if (!ext) return null;
  const note = input(o, `decision-${ext.id}`, h('input', { type: 'text', maxlength: 2000, placeholder: '审批意见（可不填）' })) as HTMLInputElement;
  const dis = busy.has(o.number);
  const decide = (decision: 'approve' | 'reject') =>
    send(o, { number: o.number, action: 'decide-extension', id: ext.id, decision, ...(note.value.trim() ? { note: note.value.trim() } : {}) }, decision === 'approve' ? '已批准延期' : '已驳回延期');
  return h(
    'div',
    { class: 'wo-extension', 'data-extension': ext.id },
    h('strong', {}, '延期申请待审批：'),
    `${ext.requestedBy} 于 ${fmtDateTime(ext.requestedAt)} 申请延至 ${fmtDateTime(ext.newDueBy)}，原因：${ext.reason}`,
    note,
    h('button', { class: 'btn primary', type: 'button', 'data-decide': 'approve', disabled: dis, onclick: () => decide('approve') }, '批准'),
    h('button', { class: 'btn', type: 'button', 'data-decide': 'reject', disabled: dis, onclick: () => decide('reject') }, '驳回'),
  );
}

function history(o: WorkOrderView): HTMLElement {
  const d = h(
    'details',
    { class: 'wo-history', open: historyOpen.has(o.number) },
    h('summary', {}, `处理记录（${o.history.length}）`),
    h(
      'ol',
      {},
      ...o.history.map((e) =>
        h(
          'li',
          { 'data-action': e.action },
          h('span', { class: 'muted' }, fmtDateTime(e.at)),
          ' ',
          h('strong', {}, WORK_ORDER_ACTION_LABEL[e.action]),
          e.from && e.to ? ` ${STATUS_LABEL[e.from]} → ${STATUS_LABEL[e.to]}` : '',
          ` · ${e.by === 'system' ? '系统' : e.by}`,
          e.note ? ` · ${e.note}` : '',
        ),
      ),
      ...o.escalations.map((x) => h('li', { class: 'muted' }, `升级：${ESCALATION_REASON_LABEL[x.reason]}（${fmtDateTime(x.at)}）`)),
      ...o.extensions.map((x) => h('li', { class: 'muted' }, `延期申请：延至 ${fmtDateTime(x.newDueBy)} · ${EXTENSION_STATUS_LABEL[x.status]}${x.note ? ` · ${x.note}` : ''}`)),
    ),
  );
  d.addEventListener('toggle', () => {
    if ((d as HTMLDetailsElement).open) historyOpen.add(o.number);
    else historyOpen.delete(o.number);
  });
  return d;
}

/** 通知记录: how the department was told of the order (SMS, recorded calls), read when opened. */
function notices(o: WorkOrderView): HTMLElement {
  const box = h('div', { class: 'order-notices', 'data-notices': o.number }, h('p', { class: 'muted' }, '通知记录读取中…'));
  const d = h('details', { class: 'wo-notices', open: noticesOpen.has(o.number) }, h('summary', {}, '通知记录'), box) as HTMLDetailsElement;
  if (noticesOpen.has(o.number)) void loadNotices(session.token, o.number, box);
  d.addEventListener('toggle', () => {
    if (!d.open) noticesOpen.delete(o.number);
    else if (!noticesOpen.has(o.number)) {
      noticesOpen.add(o.number);
      void loadNotices(session.token, o.number, box);
    }
  });
  return d;
}

// Deadlines count down and turn late with time alone, without any event.
setInterval(tick, 1000);
