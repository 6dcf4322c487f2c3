import { DEPARTMENT_FOR_CATEGORY, LEAK_DETAIL_CATEGORIES, NOT_READY_REASONS, WORK_ORDER_CATEGORIES, type WorkOrderCategory } from '../../models/enums';
import type {
  Ack,
  AgentClientToServer,
  AgentProfile,
  AgentServerToClient,
  AgentStateView,
  CreateWorkOrderCommand,
  CurrentCallView,
  LastCallView,
  LeakDetails,
  ScreenPop,
} from '../../contracts';
import {
  ackResult,
  AGENT_STATE_LABEL,
  byId,
  CATEGORY_LABEL,
  connect,
  DEPARTMENT_LABEL,
  fmtDateTime,
  fmtDuration,
  h,
  header,
  LANGUAGE_LABEL,
  now,
  OUTCOME_LABEL,
  playRecording,
  REASON_LABEL,
  replace,
  requireSession,
  STATUS_LABEL,
  syncClock,
} from './common';

const session = requireSession(['agent']);
header(session, '坐席工作台');
const socket = connect<AgentServerToClient, AgentClientToServer>('/agent', session);

interface View {
  me: AgentProfile | null;
  state: AgentStateView | null;
  /** The live pop: the phone is ringing or the call is on. */
  pop: ScreenPop | null;
  call: CurrentCallView | null;
  last: LastCallView | null;
  acwMs: number;
}
const v: View = { me: null, state: null, pop: null, call: null, last: null, acwMs: 0 };
/** Offers and calls known to be over: a late or replayed pop for them is never shown. */
const over = new Set<string>();
const offerKey = (callId: string, attempt: number) => `${callId}#${attempt}`;

/** The call the work-order form is filled from; it outlives the pop so the order can be filed in after-call work. */
let formPop: ScreenPop | null = null;

// ───────────────────────────── events ─────────────────────────────

socket.on('session:snapshot', (s) => {
  syncClock(s.serverNow);
  v.me = s.me;
  v.state = s.state;
  v.pop = s.pop;
  v.call = s.call;
  v.last = s.lastCall;
  v.acwMs = s.afterCallWorkMs;
  if (s.pop) useForForm(s.pop);
  else if (!formPop && s.lastCall?.pop) useForForm(s.lastCall.pop);
  render();
});

socket.on('agent:state', (s) => {
  v.state = s;
  // The live state is the truth: no pop unless the phone rings or the call is on for that call.
  if (v.pop && !((s.state === 'ringing' || s.state === 'talking') && s.callId === v.pop.callId)) v.pop = null;
  if (v.call && !(s.state === 'talking' && s.callId === v.call.callId)) v.call = null;
  render();
});

socket.on('pop:show', (p) => {
  if (over.has(offerKey(p.callId, p.attempt)) || over.has(p.callId)) return;
  v.pop = p;
  useForForm(p);
  render();
});

socket.on('pop:clear', (c) => {
  over.add(offerKey(c.callId, c.attempt));
  if (v.pop && v.pop.callId === c.callId && v.pop.attempt === c.attempt) v.pop = null;
  render();
});

socket.on('call:answered', (c) => {
  if (over.has(c.callId)) return;
  v.call = c;
  render();
});

socket.on('call:ended', (l) => {
  over.add(l.callId);
  v.last = l;
  if (v.pop?.callId === l.callId) v.pop = null;
  if (v.call?.callId === l.callId) v.call = null;
  if (!formPop && l.pop) useForForm(l.pop);
  render();
});

// ───────────────────────────── state commands ─────────────────────────────

const reasonSelect = byId<HTMLSelectElement>('nr-reason');
for (const r of NOT_READY_REASONS) reasonSelect.append(h('option', { value: r }, REASON_LABEL[r] ?? r));

function setState(state: 'ready' | 'not_ready' | 'acw' | 'offline'): void {
  const reason = state === 'not_ready' ? (reasonSelect.value as (typeof NOT_READY_REASONS)[number]) : undefined;
  socket.timeout(10_000).emit('agent:set-state', { state, ...(reason ? { reason } : {}) }, stateAck());
}

/** The answer to a state command: the new state shown, or why not under the state bar. */
function stateAck(): (e: Error | null, res: Ack<AgentStateView> | undefined) => void {
  const err = byId('state-error');
  err.textContent = '';
  return (e, res) => {
    const r = ackResult(e, res);
    if (!r.ok) {
      err.textContent = r.message;
      return;
    }
    v.state = r.data;
    render();
  };
}
byId('btn-ready').addEventListener('click', () => setState('ready'));
byId('btn-notready').addEventListener('click', () => setState('not_ready'));
byId('btn-acw').addEventListener('click', () => setState('acw'));
byId('btn-offline').addEventListener('click', () => setState('offline'));

// ───────────────────────────── work-order form ─────────────────────────────

const f = {
  form: byId<HTMLFormElement>('wo-form'),
  category: byId<HTMLSelectElement>('wo-category'),
  dept: byId('wo-dept'),
  contactName: byId<HTMLInputElement>('wo-contactName'),
  contactPhone: byId<HTMLInputElement>('wo-contactPhone'),
  address: byId<HTMLInputElement>('wo-address'),
  leak: byId<HTMLFieldSetElement>('wo-leak'),
  location: byId<HTMLInputElement>('wo-location'),
  diameter: byId<HTMLInputElement>('wo-diameter'),
  meterSide: byId<HTMLSelectElement>('wo-meterSide'),
  landmarks: byId<HTMLInputElement>('wo-landmarks'),
  description: byId<HTMLTextAreaElement>('wo-description'),
  context: byId('wo-context'),
  submit: byId<HTMLButtonElement>('wo-submit'),
  result: byId('wo-result'),
};
f.category.append(h('option', { value: '' }, '— 请选择 —'));
for (const c of WORK_ORDER_CATEGORIES) f.category.append(h('option', { value: c }, CATEGORY_LABEL[c]));

function onCategory(): void {
  const c = f.category.value as WorkOrderCategory | '';
  f.dept.textContent = c ? `→ ${DEPARTMENT_LABEL[DEPARTMENT_FOR_CATEGORY[c]]}${c === 'pipe_burst' ? '（紧急，立即通知负责人）' : ''}` : '';
  const leak = c !== '' && LEAK_DETAIL_CATEGORIES.includes(c);
  f.leak.hidden = !leak;
  f.location.required = leak;
}
f.category.addEventListener('change', onCategory);

function clearDetails(): void {
  f.category.value = '';
  for (const el of [f.location, f.diameter, f.landmarks, f.description]) el.value = '';
  f.meterSide.value = '';
  onCategory();
}

/** Prefills the form from a pop (once per call: what the agent typed is kept on re-renders). */
function useForForm(p: ScreenPop): void {
  if (formPop?.callId === p.callId) {
    formPop = p;
    return;
  }
  formPop = p;
  clearDetails();
  f.contactName.value = p.customer?.name ?? '';
  f.contactPhone.value = /^\+?\d{3,20}$/.test(p.callerNumber) ? p.callerNumber : '';
  f.address.value = p.customer?.address ?? '';
  f.result.textContent = '';
  f.context.textContent = `来电 ${p.callerNumber || '未知号码'}${p.customer ? ` · 户号 ${p.customer.accountNumber}` : ''}`;
}

f.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const category = f.category.value as WorkOrderCategory;
  const leak: LeakDetails = {};
  if (LEAK_DETAIL_CATEGORIES.includes(category)) {
    if (f.location.value.trim()) leak.location = f.location.value.trim();
    if (f.diameter.value) leak.pipeDiameterMm = Number(f.diameter.value);
    if (f.meterSide.value) leak.meterSide = f.meterSide.value as NonNullable<LeakDetails['meterSide']>;
    if (f.landmarks.value.trim()) leak.landmarks = f.landmarks.value.trim();
  }
  const cmd: CreateWorkOrderCommand = {
    category,
    contactPhone: f.contactPhone.value.trim(),
    address: f.address.value.trim(),
    description: f.description.value.trim(),
    ...(f.contactName.value.trim() ? { contactName: f.contactName.value.trim() } : {}),
    ...(formPop ? { callId: formPop.callId } : {}),
    ...(formPop?.customer ? { customerAccount: formPop.customer.accountNumber } : {}),
    ...(Object.keys(leak).length ? { leak } : {}),
  };
  f.submit.disabled = true;
  f.result.className = '';
  f.result.textContent = '提交中…';
  socket.timeout(10_000).emit('work-order:create', cmd, (e, res) => {
    f.submit.disabled = false;
    const r = ackResult(e, res);
    if (!r.ok) {
      f.result.className = 'error';
      f.result.textContent = `未能创建：${r.message}`;
      return;
    }
    f.result.className = 'ok';
    f.result.textContent = `工单 ${r.data.number} 已创建，转${DEPARTMENT_LABEL[r.data.department]}${r.data.emergency ? '（紧急）' : ''}`;
    clearDetails();
  });
});

// ───────────────────────────── rendering ─────────────────────────────

const player = byId<HTMLAudioElement>('player');

/** 拒接: stop the ring; the call goes to the next agent and this agent is Not Ready until they choose Ready. */
function decline(): void {
  const pop = v.pop;
  if (!pop) return;
  socket.timeout(10_000).emit('agent:decline', { callId: pop.callId, attempt: pop.attempt }, stateAck());
}

function render(): void {
  const s = v.state;
  const badge = byId('state');
  badge.textContent = s ? AGENT_STATE_LABEL[s.state] + (s.state === 'not_ready' && s.reason ? ` · ${REASON_LABEL[s.reason] ?? s.reason}` : '') : '—';
  badge.className = `state-badge st-${s?.state ?? 'none'}`;
  if (v.me) {
    byId('languages').textContent = `语言技能：${v.me.languages.map((l) => LANGUAGE_LABEL[l]).join(' / ') || '—'} · 分机 ${v.me.extension}`;
    byId('opening').textContent = `您好，供水服务热线${v.me.workNumber}号为您服务`;
  }
  const st = s?.state;
  byId<HTMLButtonElement>('btn-ready').disabled = !(st === 'not_ready' || st === 'offline' || st === 'acw');
  byId<HTMLButtonElement>('btn-notready').disabled = !(st === 'ready' || st === 'acw' || st === 'offline');
  byId<HTMLButtonElement>('btn-acw').disabled = !(st === 'ready' || st === 'not_ready');
  byId<HTMLButtonElement>('btn-offline').disabled = !(st === 'ready' || st === 'not_ready' || st === 'acw');

  const banner = byId('banner');
  if (v.call && v.pop) {
    banner.className = 'banner talking';
    replace(
      banner,
      h('strong', {}, '通话中 '),
      h('span', { id: 'call-timer', class: 'timer' }, fmtDuration(now() - v.call.answeredAt)),
      ` · 来电 ${v.pop.callerNumber || '未知号码'} · ${LANGUAGE_LABEL[v.pop.language]}`,
      h('div', { class: 'closing' }, '结束时请说：「感谢您的来电，再见」，并让来电人先挂机'),
    );
  } else if (v.pop) {
    banner.className = 'banner ringing';
    replace(
      banner,
      h('strong', {}, '来电振铃 '),
      `${v.pop.callerNumber || '未知号码'} · ${LANGUAGE_LABEL[v.pop.language]} · `,
      h('span', { id: 'ring-timer', class: 'timer' }, ''),
      h('div', { class: 'ringbar' }, h('div', { id: 'ring-bar' })),
      h('div', { class: 'muted' }, '请拿起话机接听（20 秒内）', ' ', h('button', { id: 'btn-decline', class: 'btn notready', type: 'button' }, '拒接')),
    );
    byId('btn-decline').addEventListener('click', decline);
  } else if (st === 'acw') {
    banner.className = 'banner acw';
    replace(banner, h('strong', {}, '话后处理 '), h('span', { id: 'acw-timer', class: 'timer' }, ''), ' 后自动就绪');
  } else {
    banner.className = 'banner idle';
    banner.textContent = st === 'ready' ? '就绪 · 等待来电…' : st === 'offline' ? '已签退 · 点击「就绪」开始接听' : '未就绪 · 不会分配来电';
  }

  const shown = v.pop ?? v.last?.pop ?? null;
  const pop = byId('pop');
  replace(pop, shown ? popDetails(shown) : null, !v.pop && v.last ? lastCallBox(v.last) : null);
  tick();
}

function popDetails(p: ScreenPop): HTMLElement {
  const c = p.customer;
  return h(
    'div',
    { class: 'pop' },
    c
      ? h(
          'div',
          { class: 'customer' },
          h('div', { class: 'cust-name', id: 'customer-name' }, c.name, c.bigUser ? h('span', { class: 'tag big' }, '大用户') : null),
          h('div', {}, `户号 ${c.accountNumber} · 片区 ${c.areaCode}`),
          h('div', { id: 'customer-address' }, c.address),
        )
      : h('div', { class: 'customer unknown', id: 'customer-name' }, '未知来电（非登记用户）'),
    p.outages.length
      ? h(
          'div',
          { class: 'outages' },
          h('strong', {}, '⚠ 该片区停水：'),
          ...p.outages.map((o) =>
            h('div', {}, `${o.kind === 'planned' ? '计划停水' : '临时停水'} ${fmtDateTime(o.startsAt)} – ${fmtDateTime(o.expectedEndAt)}：${o.areaDescription}`),
          ),
        )
      : null,
    h('h3', {}, '最近来电'),
    p.recentCalls.length
      ? h(
          'table',
          { class: 'grid' },
          h('tr', {}, h('th', {}, '时间'), h('th', {}, '结果'), h('th', {}, '坐席')),
          ...p.recentCalls.map((r) =>
            h('tr', {}, h('td', {}, fmtDateTime(r.arrivedAt)), h('td', {}, r.outcome ? OUTCOME_LABEL[r.outcome] : '进行中'), h('td', {}, r.agentWorkNumber ?? '—')),
          ),
        )
      : h('p', { class: 'muted' }, '无'),
    h('h3', {}, '未办结工单'),
    p.openWorkOrders.length
      ? h(
          'table',
          { class: 'grid' },
          h('tr', {}, h('th', {}, '工单号'), h('th', {}, '类别'), h('th', {}, '状态'), h('th', {}, '描述')),
          ...p.openWorkOrders.map((o) =>
            h('tr', {}, h('td', {}, o.number), h('td', {}, CATEGORY_LABEL[o.category]), h('td', {}, STATUS_LABEL[o.status]), h('td', { class: 'clip' }, o.description)),
          ),
        )
      : h('p', { class: 'muted' }, '无'),
  );
}

function lastCallBox(l: LastCallView): HTMLElement {
  return h(
    'div',
    { class: 'lastcall', id: 'last-call' },
    `上一通电话已结束（${OUTCOME_LABEL[l.outcome]}）`,
    l.recordingName
      ? h(
          'button',
          {
            class: 'btn',
            id: 'play-last',
            onclick: () => void playRecording(session, l.recordingName!, player).catch(() => (byId('state-error').textContent = '录音暂不可用')),
          },
          '▶ 播放录音',
        )
      : null,
  );
}

/** Timers only: cheap, four times a second. */
function tick(): void {
  const s = v.state;
  const t = now();
  if (s) byId('state-time').textContent = `已持续 ${fmtDuration(t - s.since)}`;
  const ring = document.getElementById('ring-timer');
  if (ring && v.pop) {
    const ms = t - v.pop.ringingAt;
    ring.textContent = `振铃 ${Math.floor(ms / 1000)} 秒 / ${Math.round(v.pop.ringLimitMs / 1000)} 秒`;
    const bar = document.getElementById('ring-bar');
    if (bar) {
      bar.style.width = `${Math.min(100, (ms / v.pop.ringLimitMs) * 100)}%`;
      bar.className = ms > v.pop.ringLimitMs * 0.75 ? 'late' : '';
    }
  }
  const call = document.getElementById('call-timer');
  if (call && v.call) call.textContent = fmtDuration(t - v.call.answeredAt);
  const acw = document.getElementById('acw-timer');
  if (acw && s?.state === 'acw') acw.textContent = fmtDuration(s.since + v.acwMs - t);
}
setInterval(tick, 250);
render();
