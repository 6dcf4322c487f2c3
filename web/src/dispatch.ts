import type { CreateDispatchEntryBody, DispatchEntryView } from '../../contracts';
import { api, byId, errorText, fmtDateTime, h, header, HOME_FOR_ROLE, replace, requireSession, showReachable } from './common';

/**
 * 调度交换 (Art. 19): dispatch posts network anomalies; the call centre and the works departments
 * enter large leaks, repairs and valve closures for dispatch. Open entries first; each may be
 * closed. Read again every 15 s and after every change.
 */
const session = requireSession(['department', 'supervisor', 'admin', 'agent']);
header(session, '调度交换');
const isDispatch = session.role === 'department' && session.department === 'dispatch';
const back = byId<HTMLAnchorElement>('dd-back');
back.href = HOME_FOR_ROLE[session.role];

const KIND: Record<DispatchEntryView['kind'], string> = { leak: '大面积漏水', repair: '抢修', valve: '关阀', anomaly: '管网异常' };
const VALVE: Record<NonNullable<DispatchEntryView['valveStatus']>, string> = { open: '已开启', closed: '已关闭', partly: '部分关闭' };
// Dispatch posts anomalies; everyone else enters works for dispatch.
const kinds: Array<DispatchEntryView['kind']> = isDispatch ? ['anomaly'] : session.role === 'admin' ? ['leak', 'repair', 'valve', 'anomaly'] : ['leak', 'repair', 'valve'];
replace(byId('dd-kind'), ...kinds.map((k) => h('option', { value: k }, KIND[k])));
byId('dd-form-title').textContent = isDispatch ? '发布管网异常' : '登记漏水 / 抢修 / 关阀';

let entries: DispatchEntryView[] = [];
const notes = new Map<string, { text: string; ok: boolean }>();
const value = (id: string) => byId<HTMLInputElement>(id).value.trim();

async function load(): Promise<void> {
  try {
    entries = await api<DispatchEntryView[]>('/api/dispatch?limit=200', { token: session.token });
    showReachable(true);
    render();
  } catch (err) {
    showReachable(false);
    replace(byId('dd-list'), h('p', { class: 'ot-note error' }, `读取失败：${errorText(err)}`));
  }
}

function render(): void {
  const open = entries.filter((e) => e.status === 'open');
  byId('dd-summary').textContent = `未关闭 ${open.length} 条`;
  if (!entries.length) {
    replace(byId('dd-list'), h('p', { class: 'muted' }, '暂无条目'));
    return;
  }
  const sorted = [...open, ...entries.filter((e) => e.status === 'closed')];
  const head = h('tr', {}, ...['类别', '位置', '管径', '阀门', '影响区域', '预计修复', '登记', '状态', ''].map((t) => h('th', {}, t)));
  const rows = sorted.map((e) => {
    const note = notes.get(e.id);
    return h(
      'tr',
      { id: `dd-${e.id}`, class: e.status === 'closed' ? 'muted' : '' },
      h('td', {}, KIND[e.kind]),
      h('td', {}, e.location, e.note ? h('div', { class: 'muted' }, e.note) : null),
      h('td', {}, e.diameterMm ? `DN${e.diameterMm}` : '—'),
      h('td', {}, e.valveStatus ? VALVE[e.valveStatus] : '—'),
      h('td', {}, [e.affectedArea, e.areaCodes.join('、')].filter(Boolean).join(' · ') || '—'),
      h('td', {}, e.expectedRepairAt ? fmtDateTime(e.expectedRepairAt) : '—'),
      h('td', {}, `${fmtDateTime(e.createdAt)} · ${e.createdBy}`),
      h('td', { 'data-field': 'status' }, e.status === 'open' ? '处理中' : `已关闭 ${e.closedAt ? fmtDateTime(e.closedAt) : ''}`),
      h(
        'td',
        {},
        e.status === 'open' ? h('button', { class: 'btn', type: 'button', 'data-act': 'close', onclick: () => void close(e) }, '关闭') : null,
        note ? h('span', { class: `ot-note ${note.ok ? 'ok' : 'error'}` }, note.text) : null,
      ),
    );
  });
  replace(byId('dd-list'), h('table', { class: 'orders' }, h('thead', {}, head), h('tbody', {}, ...rows)));
}

async function close(e: DispatchEntryView): Promise<void> {
  try {
    await api<DispatchEntryView>(`/api/dispatch/${e.id}/close`, { method: 'POST', token: session.token });
    notes.delete(e.id);
    await load();
  } catch (err) {
    notes.set(e.id, { text: errorText(err), ok: false });
    render();
  }
}

byId('dd-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  void create();
});

async function create(): Promise<void> {
  const out = byId('dd-form-note');
  const kind = value('dd-kind') as CreateDispatchEntryBody['kind'];
  if (!value('dd-location')) {
    out.className = 'ot-note error';
    out.textContent = '请填写位置';
    return;
  }
  const repair = value('dd-repair');
  const body: CreateDispatchEntryBody = {
    kind,
    location: value('dd-location'),
    ...(value('dd-dn') ? { diameterMm: Number(value('dd-dn')) } : {}),
    ...(value('dd-valve') ? { valveStatus: value('dd-valve') as NonNullable<CreateDispatchEntryBody['valveStatus']> } : {}),
    areaCodes: value('dd-areas')
      .split(/[,，、\s]+/)
      .map((x) => x.trim().toUpperCase())
      .filter(Boolean),
    ...(value('dd-area') ? { affectedArea: value('dd-area') } : {}),
    ...(repair ? { expectedRepairAt: Date.parse(`${repair}:00+08:00`) } : {}),
    ...(value('dd-note') ? { note: value('dd-note') } : {}),
  };
  try {
    await api<DispatchEntryView>('/api/dispatch', { method: 'POST', token: session.token, body });
    out.className = 'ot-note ok';
    out.textContent = `已提交：${KIND[kind]} · ${body.location}`;
    byId<HTMLFormElement>('dd-form').reset();
    await load();
  } catch (err) {
    out.className = 'ot-note error';
    out.textContent = `未提交：${errorText(err)}`;
  }
}

void load();
setInterval(() => void load(), 15_000);
