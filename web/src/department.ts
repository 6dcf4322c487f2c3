import { LEAK_DETAIL_CATEGORIES } from '../../models/enums';
import type { DepartmentClientToServer, DepartmentServerToClient, LeakDetails, WorkOrderView } from '../../contracts';
import { byId, CATEGORY_LABEL, connect, DEPARTMENT_LABEL, fmtDateTime, fmtTime, h, header, now, replace, requireSession, STATUS_LABEL, syncClock } from './common';

const session = requireSession(['department']);
header(session, '部门工单');
if (session.department) byId('dept-title').textContent = `${DEPARTMENT_LABEL[session.department]} · 工单`;
const socket = connect<DepartmentServerToClient, DepartmentClientToServer>('/department', session);

const METER_SIDE_LABEL: Record<NonNullable<LeakDetails['meterSide']>, string> = { before: '表前', after: '表后', unknown: '不确定' };
/** Statuses in which a deadline still matters to the department. */
const PENDING = new Set<WorkOrderView['status']>(['open', 'dispatched', 'accepted', 'in_progress']);

const orders = new Map<string, WorkOrderView>();
/** Orders that arrived while the page was open; marked until the next full snapshot. */
const fresh = new Set<string>();
let loaded = false;
let syncedAt = 0;

// Every (re)connect brings the whole list: whatever was missed while disconnected is in it.
socket.on('orders:snapshot', (s) => {
  syncClock(s.serverNow);
  orders.clear();
  fresh.clear();
  for (const o of s.orders) orders.set(o.number, o);
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

function render(): void {
  if (!loaded) return;
  const list = [...orders.values()].sort((a, b) => b.createdAt - a.createdAt);
  const emergencies = list.filter((o) => o.emergency && PENDING.has(o.status)).length;
  const pending = list.filter((o) => PENDING.has(o.status)).length;
  byId('summary').textContent = `共 ${list.length} 张 · 未办结 ${pending} 张${emergencies ? ` · 紧急 ${emergencies} 张` : ''} · 更新于 ${fmtTime(syncedAt)}`;
  replace(byId('orders'), list.length ? h('div', { class: 'wo-list' }, ...list.map(card)) : h('p', { class: 'muted' }, '暂无工单'));
}

function card(o: WorkOrderView): HTMLElement {
  const classes = ['wo-card', o.emergency ? 'emergency' : '', fresh.has(o.number) ? 'fresh' : ''].filter(Boolean).join(' ');
  return h(
    'article',
    { class: classes, id: `wo-${o.number}`, 'data-number': o.number },
    h(
      'div',
      { class: 'wo-head' },
      h('strong', { class: 'wo-number' }, o.number),
      h('span', { class: `tag cat${o.emergency ? ' urgent' : ''}`, 'data-field': 'category' }, CATEGORY_LABEL[o.category]),
      o.emergency ? h('span', { class: 'tag urgent' }, '紧急') : null,
      h('span', { class: 'tag', 'data-field': 'status' }, STATUS_LABEL[o.status]),
      fresh.has(o.number) ? h('span', { class: 'tag new' }, '新') : null,
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted' }, `登记 ${fmtDateTime(o.createdAt)} · 坐席 ${o.createdBy}`),
    ),
    h('dl', { class: 'wo-fields' }, ...fields(o)),
  );
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
  const deadlines = [
    o.dispatchBy !== null ? deadline('通知', o.dispatchBy, o) : null,
    o.acceptBy !== null ? deadline('受理', o.acceptBy, o) : null,
    o.dueBy !== null ? deadline('办结', o.dueBy, o) : null,
  ].filter((d): d is HTMLElement => d !== null);
  out.push(h('div', { class: 'wo-field full' }, h('dt', {}, '时限'), h('dd', { 'data-field': 'deadline' }, ...(deadlines.length ? deadlines : ['—']))));
  return out;
}

function deadline(what: string, at: number, o: WorkOrderView): HTMLElement {
  const late = PENDING.has(o.status) && at < now();
  return h('span', { class: late ? 'deadline late' : 'deadline' }, `${what} ${fmtDateTime(at)}${late ? '（已超时）' : ''}`);
}

// Deadlines turn late with time alone, without any event.
setInterval(render, 30_000);
