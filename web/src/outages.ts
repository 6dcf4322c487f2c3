import type { CreateOutageBody, OutageNoticeView, OutageStep } from '../../contracts';
import { api, byId, DEPARTMENT_LABEL, errorText, fmtDateTime, h, header, HOME_FOR_ROLE, replace, requireSession, showReachable } from './common';

/**
 * 停水通知: 营业部 drafts an outage, its leader approves it, the bureau's approval is recorded where
 * needed, it is published (to WeChat, the website, 红豆网 over 5000 people; the area and its big
 * users texted), begun, ended or cancelled; times may move. Each card shows where its
 * publications stand and its history. Read again every 15 s and after every step.
 */
const session = requireSession(['department', 'supervisor', 'admin']);
header(session, '停水通知');
const back = byId<HTMLAnchorElement>('link-orders');
back.href = HOME_FOR_ROLE[session.role];
back.textContent = session.role === 'department' ? '部门工单' : '返回';
const isLeader = session.role === 'admin' || (session.department === 'business' && !!session.leader);
const isBusiness = session.role !== 'department' || session.department === 'business';

const STATUS: Record<OutageNoticeView['status'], string> = { draft: '草稿', approved: '已审核', published: '已发布', in_progress: '停水中', restored: '已恢复供水', cancelled: '已取消' };
const CHANNEL: Record<OutageNoticeView['publications'][number]['channel'], string> = { wechat: '微信公众号', website: '公司网站', hongdou: '红豆网' };
const ACTION: Record<OutageNoticeView['history'][number]['action'], string> = {
  created: '登记',
  updated: '修改',
  approved: '审核通过',
  'bureau-approved': '登记水务局审批',
  published: '发布',
  rescheduled: '改期',
  started: '开始停水',
  restored: '恢复供水',
  cancelled: '取消',
  'call-acknowledged': '电话通知已确认',
};
const WHAT: Record<OutageNoticeView['publications'][number]['what'], string> = { notice: '通知', cancelled: '取消', restored: '恢复' };
const STEP_DONE: Record<OutageStep, string> = { approve: '已审核', publish: '已发布', start: '已登记开始停水', restore: '已登记恢复供水', cancel: '已取消' };

let outages: OutageNoticeView[] = [];
const notes = new Map<string, { text: string; ok: boolean }>();
/** The sub-form open on a card: bureau approval or new times. */
const open = new Map<string, 'bureau' | 'move'>();

/** A datetime-local value is Shanghai time. */
const fromLocal = (v: string): number => (v ? Date.parse(`${v}:00+08:00`) : NaN);
const toLocal = (ms: number): string => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
const list = (v: string): string[] =>
  v
    .split(/[,，、\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
const value = (id: string) => byId<HTMLInputElement>(id).value.trim();

async function load(): Promise<void> {
  try {
    outages = await api<OutageNoticeView[]>('/api/outages?limit=100', { token: session.token });
    showReachable(true);
    render();
  } catch (err) {
    showReachable(false);
    replace(byId('ot-list'), h('p', { class: 'ot-note error' }, `读取失败：${errorText(err)}`));
  }
}

function render(): void {
  const active = outages.filter((o) => o.status === 'published' || o.status === 'in_progress').length;
  byId('ot-summary').textContent = `共 ${outages.length} 条 · 已发布或停水中 ${active} 条`;
  if (!outages.length) {
    replace(byId('ot-list'), h('p', { class: 'muted' }, '暂无停水通知'));
    return;
  }
  replace(byId('ot-list'), ...outages.map(card));
}

function card(o: OutageNoticeView): HTMLElement {
  const over = o.status === 'restored' || o.status === 'cancelled';
  const valves = o.valves.map((v) => `${v.count} 个 DN${v.diameterMm}${v.number ? `（${v.number}）` : ''} · ${v.location}`).join('；') || '—';
  const latest = o.publications.filter((p) => p.version === o.version);
  return h(
    'article',
    { class: `ot-card${over ? ' over' : ''}`, id: `ot-${o.number}`, 'data-status': o.status },
    h(
      'h3',
      {},
      o.number,
      h('span', { class: 'ot-badge' }, o.kind === 'planned' ? '计划停水' : '抢修停水'),
      h('span', { class: 'ot-badge' }, o.source === 'network' ? '管网' : '水厂 / 加压站'),
      o.large ? h('span', { class: 'ot-badge large' }, '超 5000 人') : null,
      h('span', { class: 'ot-badge status', 'data-field': 'status' }, STATUS[o.status]),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, '范围'),
      h('dd', {}, `${o.areaDescription}${o.streets.length ? `（${o.streets.join('、')}）` : ''} · 区域 ${o.areaCodes.join('、')}`),
      h('dt', {}, '时间'),
      h('dd', {}, `${fmtDateTime(o.startsAt)} 至 ${fmtDateTime(o.expectedEndAt)}`),
      h('dt', {}, '影响'),
      h('dd', {}, `约 ${o.peopleAffected} 人${o.mainRoadDug ? ' · 需开挖主干道路' : ''} · 责任部门 ${DEPARTMENT_LABEL[o.department]}`),
      h('dt', {}, '阀门'),
      h('dd', {}, valves),
      o.reason ? h('dt', {}, '原因') : null,
      o.reason ? h('dd', {}, o.reason) : null,
      o.needsBureauApproval ? h('dt', {}, '水务局审批') : null,
      o.needsBureauApproval ? h('dd', { 'data-field': 'bureau' }, o.bureauApproval ? `${o.bureauApproval.by} · 文号 ${o.bureauApproval.reference} · ${fmtDateTime(o.bureauApproval.at)}` : '未登记（发布前必须登记）') : null,
    ),
    latest.length
      ? h(
          'p',
          { class: 'ot-pubs', 'data-field': 'publications' },
          `发布（第 ${o.version} 版）：`,
          ...latest.map((p) => h('span', { class: p.status, 'data-channel': p.channel }, `${CHANNEL[p.channel]}${WHAT[p.what]} ${p.status === 'sent' ? '已发送' : p.status === 'failed' ? `失败（第 ${p.attempts} 次，重试中）` : '发送中'}　`)),
        )
      : null,
    actions(o),
    history(o),
  );
}

function actions(o: OutageNoticeView): HTMLElement {
  const note = notes.get(o.number);
  const btn = (act: string, label: string, onclick: () => void, primary = false) => h('button', { class: `btn${primary ? ' primary' : ''}`, type: 'button', 'data-act': act, onclick }, label);
  const bar: HTMLElement[] = [];
  if (o.status === 'draft' && isLeader) bar.push(btn('approve', '审核通过', () => void step(o, 'approve'), true));
  if (isBusiness && o.needsBureauApproval && !o.bureauApproval && !['restored', 'cancelled'].includes(o.status)) bar.push(btn('bureau', '登记水务局审批', () => toggle(o, 'bureau')));
  if (isBusiness && (o.status === 'approved' || (o.status === 'draft' && o.kind === 'unplanned'))) bar.push(btn('publish', '发布', () => void step(o, 'publish'), true));
  if (o.status === 'published') bar.push(btn('start', '开始停水', () => void step(o, 'start')));
  if (o.status === 'published' || o.status === 'in_progress') bar.push(btn('restore', '恢复供水', () => void step(o, 'restore')));
  if (isBusiness && !['restored', 'cancelled'].includes(o.status)) bar.push(btn('move', '修改时间', () => toggle(o, 'move')));
  if (isBusiness && ['draft', 'approved', 'published'].includes(o.status)) bar.push(btn('cancel', '取消', () => void step(o, 'cancel', '确定取消该停水通知？已发布的将发布取消通知。')));
  return h(
    'div',
    {},
    h('div', { class: 'ot-actions' }, ...bar, note ? h('span', { class: `ot-note ${note.ok ? 'ok' : 'error'}`, 'data-note': '' }, note.text) : null),
    subForm(o),
  );
}

function subForm(o: OutageNoticeView): HTMLElement | null {
  const f = open.get(o.number);
  if (f === 'bureau') {
    const by = h('input', { 'data-input': 'bureau-by', placeholder: '如 市水务局 李科长', maxlength: 100 });
    const ref = h('input', { 'data-input': 'bureau-ref', placeholder: '如 水务审〔2026〕118号', maxlength: 100 });
    const at = h('input', { 'data-input': 'bureau-at', type: 'datetime-local', value: toLocal(Date.now()) });
    return h(
      'div',
      { class: 'ot-sub' },
      h('label', {}, '审批人', by),
      h('label', {}, '文号', ref),
      h('label', {}, '审批时间', at),
      h('button', { class: 'btn primary', type: 'button', 'data-submit': 'bureau', onclick: () => void send(o, `/api/outages/${o.number}/bureau-approval`, { by: by.value.trim(), reference: ref.value.trim(), at: fromLocal(at.value) }, '已登记水务局审批') }, '保存'),
    );
  }
  if (f === 'move') {
    const start = h('input', { 'data-input': 'move-start', type: 'datetime-local', value: toLocal(o.startsAt) });
    const end = h('input', { 'data-input': 'move-end', type: 'datetime-local', value: toLocal(o.expectedEndAt) });
    const why = h('input', { 'data-input': 'move-note', maxlength: 500, placeholder: '原因（可选）' });
    return h(
      'div',
      { class: 'ot-sub' },
      h('label', {}, '停水开始', start),
      h('label', {}, '预计恢复', end),
      h('label', {}, '原因', why),
      h('button', { class: 'btn primary', type: 'button', 'data-submit': 'move', onclick: () => void send(o, `/api/outages/${o.number}/reschedule`, { startsAt: fromLocal(start.value), expectedEndAt: fromLocal(end.value), ...(why.value.trim() ? { note: why.value.trim() } : {}) }, '时间已修改') }, '保存'),
    );
  }
  return null;
}

function history(o: OutageNoticeView): HTMLElement {
  return h(
    'details',
    { class: 'ot-history' },
    h('summary', {}, `处理记录（${o.history.length}）`),
    h('ol', {}, ...o.history.map((e) => h('li', { 'data-action': e.action }, `${fmtDateTime(e.at)} ${ACTION[e.action]} · ${e.by}${e.note ? ` · ${e.note}` : ''}`))),
  );
}

function toggle(o: OutageNoticeView, f: 'bureau' | 'move'): void {
  if (open.get(o.number) === f) open.delete(o.number);
  else open.set(o.number, f);
  notes.delete(o.number);
  render();
}

async function step(o: OutageNoticeView, s: OutageStep, confirmText?: string): Promise<void> {
  if (confirmText && !window.confirm(confirmText)) return;
  await send(o, `/api/outages/${o.number}/${s}`, undefined, STEP_DONE[s]);
}

async function send(o: OutageNoticeView, path: string, body: object | undefined, done: string): Promise<void> {
  try {
    const after = await api<OutageNoticeView>(path, { method: 'POST', token: session.token, ...(body ? { body } : {}) });
    outages = outages.map((x) => (x.number === after.number ? after : x));
    open.delete(o.number);
    notes.set(o.number, { text: done, ok: true });
  } catch (err) {
    notes.set(o.number, { text: errorText(err), ok: false });
  }
  render();
}

byId('ot-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void create();
});

async function create(): Promise<void> {
  const out = byId('ot-form-note');
  const count = Number(value('ot-valve-count') || 0);
  const missing = [
    list(value('ot-areas')).length ? null : '停水区域编码',
    value('ot-desc') ? null : '停水范围说明',
    Number.isFinite(fromLocal(value('ot-start'))) ? null : '停水开始',
    Number.isFinite(fromLocal(value('ot-end'))) ? null : '预计恢复',
    value('ot-people') !== '' ? null : '预计影响人数',
    count > 0 && !(value('ot-valve-dn') && value('ot-valve-at')) ? '阀门口径和位置' : null,
  ].filter(Boolean);
  if (missing.length) {
    out.className = 'ot-note error';
    out.textContent = `请填写：${missing.join('、')}`;
    return;
  }
  const body: CreateOutageBody = {
    kind: value('ot-kind') as CreateOutageBody['kind'],
    source: value('ot-source') as CreateOutageBody['source'],
    areaCodes: list(value('ot-areas')).map((c) => c.toUpperCase()),
    streets: list(value('ot-streets')),
    areaDescription: value('ot-desc'),
    startsAt: fromLocal(value('ot-start')),
    expectedEndAt: fromLocal(value('ot-end')),
    valves: count > 0 ? [{ count, diameterMm: Number(value('ot-valve-dn')), ...(value('ot-valve-no') ? { number: value('ot-valve-no') } : {}), location: value('ot-valve-at') }] : [],
    mainRoadDug: byId<HTMLInputElement>('ot-road').checked,
    peopleAffected: Number(value('ot-people')),
    ...(value('ot-reason') ? { reason: value('ot-reason') } : {}),
  };
  try {
    const o = await api<OutageNoticeView>('/api/outages', { method: 'POST', token: session.token, body });
    out.className = 'ot-note ok';
    out.textContent = `已保存草稿 ${o.number}${o.needsBureauApproval ? '（超过 5000 人，发布前须登记市水务局审批）' : ''}`;
    byId<HTMLFormElement>('ot-form').reset();
    await load();
  } catch (err) {
    out.className = 'ot-note error';
    out.textContent = `未保存：${errorText(err)}`;
  }
}

void load();
setInterval(() => void load(), 15_000);
