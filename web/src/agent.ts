import { DEPARTMENT_FOR_CATEGORY, LEAK_DETAIL_CATEGORIES, NOT_READY_REASONS, WORK_ORDER_CATEGORIES, type WorkOrderCategory } from '../../models/enums';
import type {
  Ack,
  AgentClientToServer,
  AgentProfile,
  AgentServerToClient,
  AgentStateView,
  CallCentreActionCommand,
  ColleagueView,
  CreateWorkOrderCommand,
  CurrentCallView,
  HandoverView,
  LastCallView,
  LeakDetails,
  MissedCallView,
  MissedOfferResult,
  ScreenPop,
  UrgeResult,
  WorkOrderBrief,
  WorkOrderView,
} from '../../contracts';
import {
  ackResult,
  AGENT_STATE_LABEL,
  api,
  byId,
  CATEGORY_LABEL,
  connect,
  DEPARTMENT_LABEL,
  errorText,
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
import { WorkOrderChecks } from './work-order-checks';
import { CallbackPanel } from './callbacks-panel';
import { TransferPanel } from './transfer-panel';
import { byUrgency, flagTags, isFinished, isLate, OrderDetails, tickDeadlines, timeLeft, type ActOutcome, type CallCentreAct } from './order-briefs';
import { MonitorNoticeLine } from './agent-monitor';

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
  /** The latest ring this agent's phone did not take, when newer than `last` (server's word on a refresh). */
  missed: MissedCallView | null;
  acwMs: number;
  /** Demo only: 接听 stands in for the simulated desk phone. */
  demoDeskPhone: boolean;
}
const v: View = { me: null, state: null, pop: null, call: null, last: null, missed: null, acwMs: 0, demoDeskPhone: false };
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
  v.missed = s.missed;
  v.acwMs = s.afterCallWorkMs;
  v.demoDeskPhone = s.demoDeskPhone;
  monitorNotice.restore(s.monitor);
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
  render();
});

// Sent just before `pop:clear`: the panel goes straight from the ringing pop to the miss, never
// through the call before it.
socket.on('offer:missed', (m) => {
  over.add(offerKey(m.callId, m.attempt));
  v.missed = m;
  if (v.pop && v.pop.callId === m.callId && v.pop.attempt === m.attempt) v.pop = null;
  render();
});

socket.on('pop:orders', (o) => {
  for (const p of [v.pop, v.last?.pop, formPop]) if (p?.callId === o.callId) p.openWorkOrders = o.openWorkOrders;
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

const monitorNotice = new MonitorNoticeLine(byId('monitor-notice'));
socket.on('call:monitor', (m) => monitorNotice.show(m));

socket.on('call:ended', (l) => {
  monitorNotice.clear(l.callId);
  over.add(l.callId);
  v.last = l;
  if (v.pop?.callId === l.callId) v.pop = null;
  if (v.call?.callId === l.callId) v.call = null;
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

// ───────────────────────────── callbacks (回访) ─────────────────────────────

const callbackPanel = new CallbackPanel(session, () => {
  // Working a callback: Not Ready 「回访」, so no hotline call rings meanwhile (unless already so).
  if (v.state?.state === 'not_ready' && v.state.reason === 'callback') return;
  socket.timeout(10_000).emit('agent:set-state', { state: 'not_ready', reason: 'callback' }, stateAck());
});
void callbackPanel.load();
socket.on('callback:call', (c) => callbackPanel.onCall(c));

// ───────────────────────────── transfers (咨询, 转部门) ─────────────────────────────

const transferPanel = new TransferPanel(socket, () => v.me?.workNumber);
socket.on('transfer:update', (t) => {
  transferPanel.onUpdate(t);
  // A call handed to this agent becomes theirs to transfer on.
  render();
});
setInterval(() => callbackPanel.tick(), 1000);

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
/** Inline Chinese messages, required marks and the x/4000 counter (web/src/work-order-checks.ts). */
const checks = new WorkOrderChecks(f.form);
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
f.context.textContent = '未关联来电';

function clearDetails(): void {
  f.category.value = '';
  for (const el of [f.location, f.diameter, f.landmarks, f.description]) el.value = '';
  f.meterSide.value = '';
  onCategory();
  checks.reset();
}

/** Prefills the form from a pop (once per call: what the agent typed is kept on re-renders). */
function useForForm(p: ScreenPop): void {
  if (formPop?.callId === p.callId) {
    // The customer may come after the first pop (the database was slow at ringing): the fields
    // still empty take it; what the agent typed meanwhile stays.
    if (!formPop.customer && p.customer) {
      if (!f.contactName.value) f.contactName.value = p.customer.name;
      if (!f.address.value) f.address.value = p.customer.address;
      f.context.textContent = `来电 ${p.callerNumber || '未知号码'} · 户号 ${p.customer.accountNumber}`;
    }
    formPop = p;
    return;
  }
  formPop = p;
  f.form.dataset.callId = p.callId;
  clearDetails();
  f.contactName.value = p.customer?.name ?? '';
  f.contactPhone.value = /^\+?\d{3,20}$/.test(p.callerNumber) ? p.callerNumber : '';
  f.address.value = p.customer?.address ?? '';
  f.result.textContent = '';
  f.context.textContent = `来电 ${p.callerNumber || '未知号码'}${p.customer ? ` · 户号 ${p.customer.accountNumber}` : ''}`;
}

/**
 * Empties the form and ties it to no call: after a miss the only call on screen is one this agent
 * did not take, and the one before belongs to another customer.
 */
function unbindForm(why: string): void {
  formPop = null;
  delete f.form.dataset.callId;
  clearDetails();
  for (const el of [f.contactName, f.contactPhone, f.address]) el.value = '';
  f.result.textContent = '';
  f.context.textContent = why;
}

/**
 * The form belongs to the call the left panel shows: the ringing or live call, else the last call
 * unless a miss came after it (then nothing). Called on every render so the two never disagree.
 */
function bindForm(missShown: boolean): void {
  if (v.pop) useForForm(v.pop);
  else if (missShown) {
    if (formPop) unbindForm('未关联来电（上一通来电未接，表单已清空）');
  } else if (v.last?.pop) useForForm(v.last.pop);
}

f.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (!checks.validate()) {
    f.result.className = 'error';
    f.result.textContent = '请按提示修改标出的内容';
    return;
  }
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
      // Field problems go under their fields; the line says what has no field on the form.
      const elsewhere = checks.showRefusal(r.fields);
      f.result.textContent = `未能创建：${r.fields.length ? elsewhere.join('；') || '请按提示修改标出的内容' : r.message}`;
      return;
    }
    f.result.className = 'ok';
    f.result.textContent = `工单 ${r.data.number} 已创建，转${DEPARTMENT_LABEL[r.data.department]}${r.data.emergency ? '（紧急）' : ''}`;
    clearDetails();
  });
});

// ───────────────────────────── rendering ─────────────────────────────

const player = byId<HTMLAudioElement>('player');

/** Demo only: 接听 asks the simulated desk phone to pick up; the call then goes on as if it had. */
function demoAnswer(): void {
  const pop = v.pop;
  if (!pop) return;
  socket.timeout(10_000).emit('demo:answer', { callId: pop.callId, attempt: pop.attempt }, stateAck());
}

/** What the console says after a ring this agent's phone did not take, by the Not Ready reason it left. */
const MISS_NOTICE: Record<string, string> = {
  'no-answer': '您有来电未接，已置为未就绪，点击就绪恢复',
  declined: '您已拒接来电，已置为未就绪，点击就绪恢复',
  'phone-busy': '来电未能接通（话机占线），已置为未就绪，点击就绪恢复',
  'phone-unreachable': '来电未能接通（话机不可达），已置为未就绪，请检查话机后点击就绪',
};

const MISSED_LABEL: Record<MissedOfferResult, string> = {
  'no-answer': '振铃未接',
  declined: '已拒接',
  busy: '话机占线',
  unreachable: '话机不可达',
};

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

  // A miss replaces the call before it on screen: that caller is not the one who just rang.
  const missNotice = s?.state === 'not_ready' ? MISS_NOTICE[s.reason] : undefined;
  const missShown = !v.pop && (missNotice !== undefined || (!!v.missed && (!v.last || v.missed.at > v.last.endedAt)));
  bindForm(missShown);

  const banner = byId('banner');
  if (v.call && v.pop) {
    banner.className = 'banner talking';
    replace(
      banner,
      h('strong', {}, '通话中 '),
      v.pop.consult
        ? h('span', { class: 'tag', id: 'call-consult' }, transferPanel.holds(v.call.callId, true) ? `由 ${v.pop.consult.from} 转接` : `来自 ${v.pop.consult.from} 的咨询`)
        : null,
      h('span', { id: 'call-timer', class: 'timer' }, fmtDuration(now() - v.call.answeredAt)),
      ` · 来电 ${v.pop.callerNumber || '未知号码'} · ${LANGUAGE_LABEL[v.pop.language]}`,
      h('div', { class: 'closing' }, '结束时请说：「感谢您的来电，再见」，并让来电人先挂机'),
    );
  } else if (v.pop) {
    banner.className = 'banner ringing';
    replace(
      banner,
      h('strong', {}, '来电振铃 '),
      // A colleague consults this agent about their caller (the caller waits with music meanwhile).
      v.pop.consult ? h('span', { class: 'tag', id: 'pop-consult', title: v.pop.consult.fromName }, `来自 ${v.pop.consult.from} 的咨询`) : null,
      // A queue callback: the caller is off the line; answering dials them (they wait for the agent, not the other way).
      v.pop.queueCallback
        ? h('span', { class: 'tag', id: 'pop-callback', title: '来电人已挂机保留排队位置，接听后系统拨打此号码' }, `回拨：${v.pop.queueCallback.number}`)
        : null,
      `${v.pop.callerNumber || '未知号码'} · ${LANGUAGE_LABEL[v.pop.language]} · `,
      // Filled at once, not only by the next tick: the ring time shows with the pop, never blank.
      h('span', { id: 'ring-timer', class: 'timer' }, ringText(v.pop, now())),
      h('div', { class: 'ringbar' }, h('div', { id: 'ring-bar' })),
      h(
        'div',
        { class: 'ring-actions' },
        v.demoDeskPhone
          ? h('button', { id: 'btn-answer', class: 'btn ready', type: 'button', onclick: demoAnswer }, '接听')
          : null,
        h('span', { class: 'muted' }, `${v.demoDeskPhone ? '演示：点「接听」代替拿起话机' : '请拿起话机接听'}（${Math.round(v.pop.ringLimitMs / 1000)} 秒内）`),
        h('button', { id: 'btn-decline', class: 'btn notready', type: 'button', onclick: decline }, '拒接'),
        h('span', { id: 'ring-sound', class: 'muted' }, ''),
      ),
    );
  } else if (missNotice !== undefined) {
    banner.className = 'banner missed';
    replace(
      banner,
      h('strong', { id: 'miss-notice' }, missNotice),
      ' ',
      h('button', { id: 'btn-ready-missed', class: 'btn ready', type: 'button', onclick: () => setState('ready') }, '就绪'),
    );
  } else if (st === 'acw') {
    banner.className = 'banner acw';
    const since = v.state?.since;
    replace(banner, h('strong', {}, '话后处理 '), h('span', { id: 'acw-timer', class: 'timer' }, since !== undefined ? fmtDuration(since + v.acwMs - now()) : ''), ' 后自动就绪');
  } else {
    banner.className = 'banner idle';
    banner.textContent = st === 'ready' ? '就绪 · 等待来电…' : st === 'offline' ? '已签退 · 点击「就绪」开始接听' : '未就绪 · 不会分配来电';
  }

  transferPanel.show(v.call && v.pop && transferPanel.holds(v.call.callId, !!v.pop.consult) ? v.call.callId : null);

  // After the banner: a rebuilt banner gets the sound hint again.
  if (v.pop && !v.call) ring.start(v.pop.callerNumber);
  else ring.stop();

  const pop = byId('pop');
  if (v.pop) replace(pop, popDetails(v.pop));
  else if (missShown) replace(pop, v.missed ? missedBox(v.missed) : null);
  else replace(pop, v.last?.pop ? popDetails(v.last.pop) : null, v.last ? lastCallBox(v.last) : null);
  tick();
}

/** The missed ring only: its number and why, nothing of any customer (the call went on to a colleague). */
function missedBox(m: MissedCallView): HTMLElement {
  const secs = Math.round(m.ringMs / 1000);
  return h(
    'div',
    { class: 'missedcall', id: 'missed-call' },
    h('strong', {}, '未接来电 '),
    `${m.callerNumber || '未知号码'} · ${fmtDateTime(m.at)} · ${MISSED_LABEL[m.result]}${m.result === 'no-answer' && secs > 0 ? `（振铃 ${secs} 秒）` : ''}`,
    h('div', { class: 'muted' }, '该来电已转回队列，由其他坐席接听'),
  );
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
            h('div', { 'data-outage': o.number }, `${o.number} ${o.kind === 'planned' ? '计划停水' : '抢修停水'}${o.status === 'in_progress' ? '（停水中）' : ''} ${fmtDateTime(o.startsAt)} – ${fmtDateTime(o.expectedEndAt)}：${o.areaDescription}`),
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
          { class: 'grid', id: 'open-orders' },
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

function ringText(pop: { ringingAt: number; ringLimitMs: number }, t: number): string {
  return `振铃 ${Math.floor(Math.max(0, t - pop.ringingAt) / 1000)} 秒 / ${Math.round(pop.ringLimitMs / 1000)} 秒`;
}

/** Timers only: cheap, four times a second. */
function tick(): void {
  const s = v.state;
  const t = now();
  if (s) byId('state-time').textContent = `已持续 ${fmtDuration(t - s.since)}`;
  const ring = document.getElementById('ring-timer');
  if (ring && v.pop) {
    const ms = t - v.pop.ringingAt;
    ring.textContent = ringText(v.pop, t);
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

// ───────────────────────────── ring cue ─────────────────────────────

/**
 * While the phone rings: a trill through WebAudio (no sound file to fetch) every 3 s and the tab
 * title flashing, so a ring is noticed from another window. Browsers start audio only after the
 * person has clicked or typed in the page, so the context is unlocked on the first such input
 * (going 就绪 is one); until then the cue is the title and the banner alone, and the banner says so.
 */
class RingCue {
  private ctx: AudioContext | null = null;
  private trill: number | undefined;
  private flash: number | undefined;
  private readonly title = document.title;

  constructor() {
    const unlock = () => {
      this.ctx ??= new AudioContext();
      void this.ctx.resume().then(() => this.showSound());
    };
    document.addEventListener('pointerdown', unlock, true);
    document.addEventListener('keydown', unlock, true);
  }

  start(callerNumber: string): void {
    if (this.trill !== undefined) return this.showSound();
    this.play();
    this.trill = window.setInterval(() => this.play(), 3000);
    let on = false;
    const caller = callerNumber || '未知号码';
    this.flash = window.setInterval(() => {
      on = !on;
      document.title = on ? `【来电】${caller}` : this.title;
    }, 700);
    document.title = `【来电】${caller}`;
    document.body.dataset.ringing = 'true';
  }

  stop(): void {
    if (this.trill === undefined) return;
    window.clearInterval(this.trill);
    window.clearInterval(this.flash);
    this.trill = this.flash = undefined;
    document.title = this.title;
    delete document.body.dataset.ringing;
    delete document.body.dataset.ringSound;
  }

  private get audible(): boolean {
    return this.ctx?.state === 'running';
  }

  /** Two short warbling bursts, like a desk phone's ring. */
  private play(): void {
    this.showSound();
    const ctx = this.ctx;
    if (!ctx || !this.audible) return;
    const at = ctx.currentTime + 0.02;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0, at);
    for (const [from, to] of [
      [0, 0.4],
      [0.6, 1.0],
    ] as const) {
      gain.gain.setValueAtTime(0.15, at + from);
      gain.gain.setValueAtTime(0, at + to);
      for (let t = from, i = 0; t < to; t += 0.05, i++) osc.frequency.setValueAtTime(i % 2 ? 880 : 660, at + t);
    }
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 1.05);
  }

  /** Whether the ring is heard, for the person (banner) and for tests (`data-ring-sound`). */
  private showSound(): void {
    if (this.trill === undefined && !document.body.dataset.ringing) return;
    document.body.dataset.ringSound = this.audible ? 'on' : 'off';
    const hint = document.getElementById('ring-sound');
    if (hint) hint.textContent = this.audible ? '铃声提示中' : '（点击页面任意处开启铃声）';
  }
}
const ring = new RingCue();

// ───────────────────────────── 我的工单, 催办, 交接班 ─────────────────────────────

/**
 * The agent's side of work orders, kept live by the server: 我的工单 (the orders this agent owns,
 * 首问负责制), the shift handover (rule 八) and the 催办 list built from both. Each order change
 * replaces that order wherever it is shown; a (re)connect replaces everything.
 */
const wo = {
  mine: new Map<string, WorkOrderBrief>(),
  handover: null as HandoverView | null,
  handed: new Map<string, WorkOrderBrief>(),
  /** A shift began while the page was open: the handover is shown until its leader confirms it. */
  announced: false,
  /** Whom 转交 offers (from the last snapshot). */
  colleagues: [] as ColleagueView[],
};

/**
 * 处理 on 我的工单 (首问负责制): 归档 once the department has resolved the order, 重新派单 with a
 * reason when its result does not hold, 转交 to a colleague while it is not archived; and its
 * 处理记录. The server judges each again and answers a refusal in Chinese.
 */
const details = new OrderDetails(
  {
    token: session.token,
    act: (cmd: CallCentreActionCommand) =>
      new Promise<ActOutcome>((resolve) =>
        socket.timeout(10_000).emit('work-order:act', cmd, (e, res) => {
          const r = ackResult<WorkOrderView>(e, res);
          resolve(r.ok ? r : { ok: false, message: r.message });
        }),
      ),
    offers: (o): CallCentreAct[] =>
      o.status === 'resolved' ? ['archive', 'reopen', 'hand-over'] : o.status === 'archived' ? ['reopen'] : ['hand-over'],
    colleagues: () => wo.colleagues,
  },
  'mine',
);
/** 我的工单 shows this many rows; the unfinished ones come first. */
const MINE_SHOWN = 20;

socket.on('orders:snapshot', (s) => {
  wo.mine = new Map(s.mine.map((o) => [o.number, o]));
  wo.colleagues = s.colleagues;
  setHandover(s.handover);
  renderOrders();
});

socket.on('orders:changed', (c) => {
  if (c.order.owner === session.workNumber) wo.mine.set(c.order.number, c.order);
  else wo.mine.delete(c.order.number);
  if (wo.handover) {
    if (c.inHandover) wo.handed.set(c.order.number, c.order);
    else wo.handed.delete(c.order.number);
  }
  renderOrders();
});

socket.on('handover:changed', (hv) => {
  // A new shift (or its confirmation): the panel says so until the leader has confirmed.
  if (!wo.handover || wo.handover.shift.start !== hv.shift.start) wo.announced = true;
  setHandover(hv);
  renderOrders();
});

function setHandover(hv: HandoverView | null): void {
  wo.handover = hv;
  wo.handed = new Map((hv?.orders ?? []).map((o) => [o.number, o]));
}

function urgeButton(o: WorkOrderBrief, where: string): HTMLElement | null {
  if (isFinished(o)) return null;
  return h('button', { class: 'btn urge', type: 'button', id: `urge-${where}-${o.number}`, 'data-number': o.number, onclick: () => urge(o.number) }, '催办');
}

/** 催办: the department is notified again; a repeat within a minute is the same urging. */
function urge(number: string): void {
  const out = byId('urge-result');
  out.className = '';
  out.textContent = `正在催办 ${number}…`;
  api<UrgeResult>(`/api/work-orders/${encodeURIComponent(number)}/urge`, { method: 'POST', token: session.token }).then(
    (r) => {
      out.className = 'ok';
      const how = r.channels.map((c) => (c === 'sms' ? '短信' : '语音电话')).join('、');
      out.textContent = r.repeated ? `工单 ${number} 刚刚已催办，未重复通知` : `已催办 ${number}${how ? `（${how}通知部门）` : ''}`;
    },
    (err: unknown) => {
      out.className = 'error';
      out.textContent = `催办未成功：${errorText(err)}`;
    },
  );
}

function ackHandover(): void {
  const out = byId('handover-result');
  out.className = '';
  out.textContent = '提交中…';
  api<HandoverView>('/api/shifts/current/ack', { method: 'POST', token: session.token }).then(
    (hv) => {
      out.textContent = '';
      wo.announced = false;
      setHandover(hv);
      renderOrders();
    },
    (err: unknown) => {
      out.className = 'error';
      out.textContent = errorText(err);
    },
  );
}

function orderRow(o: WorkOrderBrief, where: string, extra: Array<HTMLElement | string> = []): HTMLElement {
  return h(
    'tr',
    { id: `${where}-${o.number}`, class: [o.emergency ? 'emergency' : '', isLate(o) && !isFinished(o) ? 'late' : ''].filter(Boolean).join(' ') },
    h('td', {}, o.number),
    h('td', {}, fmtDateTime(o.createdAt)),
    h('td', {}, CATEGORY_LABEL[o.category]),
    h('td', {}, DEPARTMENT_LABEL[o.department]),
    h('td', { class: 'status' }, STATUS_LABEL[o.status]),
    h('td', { class: 'flags' }, ...flagTags(o)),
    h('td', {}, timeLeft(o)),
    ...extra.map((e) => h('td', {}, e)),
    h('td', {}, urgeButton(o, where)),
  );
}

const ORDER_HEAD = ['工单号', '时间', '类别', '转', '状态', '标记', '时限'];
const head = (...cols: string[]) => h('tr', {}, ...[...ORDER_HEAD, ...cols, ''].map((c) => h('th', {}, c)));

/** One of 我的工单: its row with 处理, and under it, when open, its actions and 处理记录. */
function mineRows(o: WorkOrderBrief): HTMLElement[] {
  const row = orderRow(o, 'mine', [details.toggle(o, renderOrders)]);
  if (!details.isOpen(o.number)) return [row];
  return [row, h('tr', { class: 'detail-row', id: `mine-open-${o.number}` }, h('td', { colspan: ORDER_HEAD.length + 2 }, details.panel(o)))];
}

function renderOrders(): void {
  const mine = [...wo.mine.values()].sort(byUrgency).slice(0, MINE_SHOWN);
  details.keepOnly(mine.map((o) => o.number));
  // A re-render moves an open panel; whoever was typing in it keeps typing.
  const focused = document.activeElement;
  replace(
    byId('my-orders'),
    mine.length ? h('table', { class: 'grid orders', id: 'my-orders-table' }, head('处理'), ...mine.flatMap(mineRows)) : h('p', { class: 'muted' }, '暂无工单'),
  );
  if (focused instanceof HTMLElement && focused !== document.activeElement && document.contains(focused)) focused.focus();

  // 催办: my late orders, and the orders this shift took over.
  const urgeList = new Map<string, { o: WorkOrderBrief; why: string }>();
  for (const o of wo.mine.values()) if (!isFinished(o) && (isLate(o) || o.escalated)) urgeList.set(o.number, { o, why: '我的' });
  for (const o of wo.handed.values()) if (!isFinished(o)) urgeList.set(o.number, { o, why: urgeList.has(o.number) ? '我的 · 交接' : '交接' });
  const rows = [...urgeList.values()].sort((a, b) => byUrgency(a.o, b.o));
  replace(
    byId('urge-list'),
    rows.length
      ? h('table', { class: 'grid orders', id: 'urge-table' }, head('来源'), ...rows.map(({ o, why }) => orderRow(o, 'urge', [why])))
      : h('p', { class: 'muted' }, '无需催办的工单'),
  );

  const box = byId('handover');
  const hv = wo.handover;
  box.hidden = !hv;
  if (!hv) return;
  const reviewed = hv.reviewed;
  box.className = `handover${wo.announced && !reviewed ? ' new' : ''}${reviewed ? ' reviewed' : ''}`;
  replace(
    box,
    h('strong', {}, `交接班 · 本班 ${hv.shift.label}`),
    ` · 上一班 ${hv.previous.label} 及更早未办结工单 `,
    h('strong', { id: 'handover-count' }, String(wo.handed.size)),
    ' 张',
    h(
      'div',
      { id: 'handover-state' },
      reviewed ? `已由 ${reviewed.by} 于 ${fmtDateTime(reviewed.at)} 确认交接（当时 ${reviewed.count} 张）` : `待班长${hv.leader ? ` ${hv.leader}` : ''}确认交接`,
      !reviewed && hv.canReview ? h('button', { id: 'btn-handover-ack', class: 'btn primary', type: 'button', onclick: ackHandover }, '确认交接') : null,
      h('span', { id: 'handover-result', role: 'status' }, ''),
    ),
  );
}

byId('btn-my-orders').addEventListener('click', () =>
  socket.timeout(10_000).emit('orders:resync', (e, res) => {
    const r = ackResult(e, res);
    if (!r.ok) {
      replace(byId('my-orders'), h('p', { class: 'error' }, `我的工单暂时无法读取：${r.message}`));
      return;
    }
    wo.mine = new Map(r.data.mine.map((o) => [o.number, o]));
    wo.colleagues = r.data.colleagues;
    setHandover(r.data.handover);
    renderOrders();
  }),
);
setInterval(tickDeadlines, 1000);

render();
