import { DEPARTMENTS } from '../../models/enums';
import type {
  AgentState,
  BoardSnapshot,
  CallCentreActionCommand,
  CallState,
  MonitorView,
  SupervisorClientToServer,
  SupervisorServerToClient,
  WorkOrderBrief,
  WorkOrderPanel,
  WorkOrderView,
} from '../../contracts';
import { applyBoardUpdate } from '../../contracts/board-updates';
import { AlarmFeed } from './alarms';
import { BoardHistory } from './board-history';
import { CallbackFiguresPanel } from './callback-figures';
import { OutageBoardPanel } from './outage-board';
import {
  ackResult,
  AGENT_STATE_LABEL,
  Beeper,
  byId,
  CALL_STATE_LABEL,
  CATEGORY_LABEL,
  DEPARTMENT_LABEL,
  connect,
  fmtDuration,
  fmtPercent,
  fmtSeconds,
  fmtTime,
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
import { monitorRow, type MonitorDesk } from './monitor-controls';
import { ConsultNoticeBanner } from './consult-notice';
import { flagTags, OrderDetails, tickDeadlines, timeLeft, type ActOutcome, type CallCentreAct, type OrderDesk } from './order-briefs';

const session = requireSession(['supervisor', 'admin']);
header(session, '班长看板');
const socket = connect<SupervisorServerToClient, SupervisorClientToServer>('/supervisor', session);
new BoardHistory(session);
const beeper = new Beeper();
void new CallbackFiguresPanel(session).load();
void new OutageBoardPanel(session).load();
const player = byId<HTMLAudioElement>('player');

// ── alarm sound: the choice is remembered in this browser, so a supervisor sets it once per desk ──
const SOUND_KEY = 'hotline.board.alarm-sound';
const soundButton = byId<HTMLButtonElement>('sound');
const soundHint = byId('sound-hint');
let soundOn = readSoundChoice();

function readSoundChoice(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) === 'on';
  } catch {
    return false; // storage blocked by the browser's policy: the page still works, without memory
  }
}

function showSound(): void {
  soundButton.textContent = soundOn ? '告警提示音：开' : '告警提示音：关';
  soundButton.setAttribute('aria-pressed', String(soundOn));
  soundButton.classList.toggle('on', soundOn);
  // Browsers keep sound off until the person interacts with the page; say so instead of staying silent.
  soundHint.hidden = !soundOn || beeper.running;
}

/** Browsers start audio only after a click or key press on the page; the first one brings it in. */
function unlockOnGesture(): void {
  const unlock = () => {
    if (soundOn) beeper.enable();
    setTimeout(showSound, 100);
  };
  document.addEventListener('pointerdown', unlock, { once: true });
  document.addEventListener('keydown', unlock, { once: true });
}

soundButton.addEventListener('click', () => {
  soundOn = !soundOn;
  try {
    localStorage.setItem(SOUND_KEY, soundOn ? 'on' : 'off');
  } catch {
    /* not remembered; still applies to this page */
  }
  if (soundOn) {
    beeper.enable();
    beeper.beep();
  }
  showSound();
});
if (soundOn) {
  beeper.enable();
  unlockOnGesture();
  // The browser decides on resume() a moment later (at once where the desk's policy allows sound).
  setTimeout(showSound, 500);
}
showSound();

// ── the unacknowledged count, in the header and the tab title, so it is seen from across the room ──
const unacked = h('button', { id: 'unacked', class: 'unacked', type: 'button', title: '查看告警' }, '');
unacked.addEventListener('click', () => byId('alarms').scrollTo({ top: 0 }));
byId('who').insertBefore(unacked, document.getElementById('conn'));
const baseTitle = document.title;

function showCount(n: number): void {
  unacked.textContent = n > 0 ? `未确认告警 ${n}` : '无未确认告警';
  unacked.classList.toggle('none', n === 0);
  byId('alarm-count').textContent = n > 0 ? `（${n} 条未确认）` : '';
  document.title = n > 0 ? `（${n}）${baseTitle}` : baseTitle;
}

const feed = new AlarmFeed(
  byId('alarms'),
  (alarmId, done) =>
    socket.timeout(10_000).emit('alarm:ack', { alarmId }, (e, res) => {
      const r = ackResult(e, res);
      if (r.ok) feed.updated(r.data);
      done(r.ok ? undefined : r.message);
    }),
  { onNew: (a) => beeper.beep(a.severity === 'critical' ? 3 : 1), onCount: showCount },
);
socket.on('alarms:snapshot', (list) => feed.setAll(list));
socket.on('alarm:raised', (a) => feed.raised(a));
socket.on('alarm:updated', (a) => feed.updated(a));

const consultNotice = new ConsultNoticeBanner(byId('consult-notice'));
socket.on('board:consult', (n) => consultNotice.show(n));

let board: BoardSnapshot | null = null;
/** Asked for the whole board again: updates are ignored until it comes (it is at least as new). */
let resyncing = false;
function show(b: BoardSnapshot): void {
  syncClock(b.serverNow);
  board = b;
  render(b);
}
socket.on('board:snapshot', (b) => {
  // Snapshots of one process leave in order; an older one can only be a late duplicate.
  if (board && b.serverNow < board.serverNow) return;
  show(b);
});
socket.on('board:update', (u) => {
  // Before the first snapshot there is nothing to apply it to; the snapshot on its way is as new.
  if (!board || resyncing) return;
  const next = applyBoardUpdate(board, u);
  if (next === 'stale') return;
  if (next === 'gap') {
    resyncing = true;
    socket.timeout(10_000).emit('board:resync', (e, res) => {
      resyncing = false;
      const r = ackResult(e, res);
      if (r.ok) show(r.data);
    });
    return;
  }
  show(next);
});

const since = (t: number) => h('span', { 'data-since': t }, fmtDuration(now() - t));
/** Long lists stay readable on one screen: the first rows, then how many more. */
const MAX_ROWS = 25;
const more = (n: number) => (n > MAX_ROWS ? h('p', { class: 'muted' }, `另有 ${n - MAX_ROWS} 通未列出`) : null);
const CALL_ORDER: CallState[] = ['talking', 'announcing', 'ringing', 'queued', 'callback-waiting', 'greeting', 'arrived', 'ended'];
const STATE_ORDER: AgentState[] = ['ringing', 'talking', 'acw', 'ready', 'reserved', 'not_ready', 'offline'];

/** `id` may carry a layout class after the id (`'kpi-volume wide'`): the long tile takes two columns. */
function tile(idAndClass: string, label: string, value: string, sub: string): HTMLElement {
  const [id, ...cls] = idAndClass.split(' ');
  // Narrow tiles may cut the label; the whole text is one hover away.
  return h('div', { class: ['kpi', ...cls].join(' '), id: id!, title: `${label}：${sub}` }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-sub' }, sub));
}

/**
 * 处理 on the board's orders: 归档 (or 重新派单) a resolved order, 升级 to admin_hr with a reason,
 * 增加协办部门; and the order's 处理记录. The server judges each again and refuses in Chinese.
 */
const desk: OrderDesk = {
  token: session.token,
  act: (cmd: CallCentreActionCommand) =>
    new Promise<ActOutcome>((resolve) =>
      socket.timeout(10_000).emit('work-order:act', cmd, (e, res) => {
        const r = ackResult<WorkOrderView>(e, res);
        resolve(r.ok ? r : { ok: false, message: r.message });
      }),
    ),
  offers: (o): CallCentreAct[] => (o.status === 'resolved' ? ['archive', 'reopen'] : o.status === 'archived' ? [] : ['escalate', 'participants']),
};
/** One per list: an order may be both late and escalated, each list shows it with its own panel. */
const details = {
  emergency: new OrderDetails(desk, 'wo-emergency'),
  late: new OrderDetails(desk, 'wo-late'),
  escalated: new OrderDetails(desk, 'wo-escalated'),
  archive: new OrderDetails(desk, 'wo-archive'),
};
type ListName = keyof typeof details;

/** 监听 / 耳语 / 强插 on the calls in conversation (the supervisor's own desk phone is rung). */
const monitorDesk: MonitorDesk = {
  me: session.workNumber,
  monitor: (cmd) =>
    new Promise((resolve) =>
      socket.timeout(10_000).emit('call:monitor', cmd, (e, res) => {
        const r = ackResult<MonitorView>(e, res);
        resolve(r.ok ? r : { ok: false, message: r.message });
      }),
    ),
  stop: (cmd) =>
    new Promise((resolve) =>
      socket.timeout(10_000).emit('call:monitor-stop', cmd, (e, res) => {
        const r = ackResult(e, res);
        resolve(r.ok ? { ok: true } : { ok: false, message: r.message });
      }),
    ),
  say: (text, bad) => {
    const out = byId('monitor-msg');
    out.textContent = text;
    out.className = bad ? 'error small' : 'muted small';
  },
};

/** One order on the work-order panel: number, department, status, flags, time left, 处理. */
function orderItem(o: WorkOrderBrief, where: ListName): HTMLElement {
  const d = details[where];
  return h(
    'li',
    { id: `wo-${where}-${o.number}`, class: o.emergency ? 'emergency' : '' },
    h('strong', {}, o.number),
    ` ${DEPARTMENT_LABEL[o.department]} · ${CATEGORY_LABEL[o.category]} · `,
    h('span', { class: 'status' }, STATUS_LABEL[o.status]),
    ' ',
    ...flagTags(o),
    ' ',
    timeLeft(o),
    ' ',
    d.toggle(o, () => panel && renderOrders(panel, true)),
    h('div', { class: 'muted clip' }, o.address),
    d.isOpen(o.number) ? d.panel(o) : null,
  );
}

function orderList(id: string, title: string, orders: WorkOrderBrief[], total: number, where: ListName): HTMLElement[] {
  details[where].keepOnly(orders.map((o) => o.number));
  if (!orders.length) return [];
  return [
    h('h3', {}, `${title} ${total}`),
    h('ul', { class: 'wo-list', id }, ...orders.map((o) => orderItem(o, where))),
    total > orders.length ? h('p', { class: 'muted' }, `另有 ${total - orders.length} 张未列出`) : h('span', {}),
  ];
}

/** The panel last drawn, and as text: snapshots come several times a second, the orders seldom change. */
let panel: WorkOrderPanel | null = null;
let panelText = '';

function renderOrders(p: WorkOrderPanel, force = false): void {
  const text = JSON.stringify(p);
  if (!force && text === panelText) return;
  panel = p;
  panelText = text;
  const open = DEPARTMENTS.reduce((n, d) => n + p.byDepartment[d].open, 0);
  byId('wo-summary').textContent = `未办结 ${open} · 超时 ${p.late.total} · 升级 ${p.escalated.total} · 待归档 ${p.toArchive.total}`;
  const depts = DEPARTMENTS.filter((d) => p.byDepartment[d].open > 0);
  // A re-render moves an open panel; whoever was typing in it keeps typing.
  const focused = document.activeElement;
  replace(
    byId('wo-board'),
    ...orderList('wo-emergencies', '紧急未受理', p.emergencies, p.emergencies.length, 'emergency'),
    ...orderList('wo-late', '超时', p.late.orders, p.late.total, 'late'),
    ...orderList('wo-escalated', '已升级', p.escalated.orders, p.escalated.total, 'escalated'),
    ...orderList('wo-to-archive', '待归档', p.toArchive.orders, p.toArchive.total, 'archive'),
    depts.length
      ? h(
          'table',
          { class: 'grid', id: 'wo-departments' },
          h('tr', {}, h('th', {}, '部门'), h('th', {}, '未办结'), h('th', {}, '逾期'), h('th', {}, '升级')),
          ...depts.map((d) =>
            h(
              'tr',
              { id: `wo-dept-${d}` },
              h('td', {}, DEPARTMENT_LABEL[d]),
              h('td', {}, String(p.byDepartment[d].open)),
              h('td', { class: p.byDepartment[d].overdue ? 'error' : '' }, String(p.byDepartment[d].overdue)),
              h('td', {}, String(p.byDepartment[d].escalated)),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '暂无未办结工单'),
  );
  if (focused instanceof HTMLElement && focused !== document.activeElement && document.contains(focused)) focused.focus();
}

function render(b: BoardSnapshot): void {
  renderOrders(b.workOrders);
  const m = b.metrics;
  byId('day').textContent = `${b.day}（北京时间）· 服务水平门限 ${Math.round(b.serviceLevelMs / 1000)} 秒`;
  replace(
    byId('kpis'),
    tile('kpi-sl', '服务水平（÷ 接听）', fmtPercent(m.serviceLevel), `${m.answeredWithinSl} / ${m.answered} 通 ${Math.round(b.serviceLevelMs / 1000)} 秒内接听`),
    tile('kpi-sl-offered', '服务水平（÷ 呼入含放弃）', fmtPercent(m.serviceLevelOffered), `${m.answeredWithinSl} / ${m.offered} 通`),
    tile('kpi-asa', '平均应答时间', fmtSeconds(m.asaMs), '排队至接听'),
    tile('kpi-abandon', '放弃率', fmtPercent(m.abandonRate), `${m.abandoned} / ${m.offered} 通 · 平均等待 ${fmtSeconds(m.avgAbandonWaitMs)}`),
    tile('kpi-rna', '振铃未接', String(m.ringNoAnswer), `其中 ${Math.round(b.serviceLevelMs / 1000)} 秒告警 ${m.alarmedOffers} 次`),
    tile('kpi-volume wide', '今日来电', String(m.arrived), `接听 ${m.answered}${m.answeredViaCallback ? `（回拨 ${m.answeredViaCallback}）` : ''} · 语音阶段挂机 ${m.greetingAbandons} · 失败 ${m.failed} · 平均通话 ${fmtSeconds(m.avgTalkMs)}`),
  );

  replace(
    byId('waiting'),
    h(
      'div',
      { class: 'waiting' },
      ...(['yue', 'cmn'] as const).map((l) =>
        h(
          'div',
          { class: 'wait-lang', id: `wait-${l}` },
          h('div', { class: 'kpi-label' }, LANGUAGE_LABEL[l]),
          h('div', { class: 'kpi-value' }, String(b.waiting[l].count)),
          h('div', { class: 'kpi-sub' }, b.waiting[l].longestSince === null ? '无人等待' : h('span', {}, '最长等待 ', since(b.waiting[l].longestSince!))),
        ),
      ),
    ),
    b.queue.length
      ? h(
          'table',
          { class: 'grid' },
          h('tr', {}, h('th', {}, '来电'), h('th', {}, '语言'), h('th', {}, '已等待')),
          ...b.queue.slice(0, MAX_ROWS).map((q) =>
            h(
              'tr',
              { 'data-call': q.callId },
              // A virtual caller (queue callback) holds its place while the caller is off the line.
              h('td', {}, q.callback ? h('span', { class: 'tag', title: '来电已挂机，轮到时回拨此号码' }, `回拨 ${q.callback}`) : q.callerNumber || '未知'),
              h('td', {}, LANGUAGE_LABEL[q.language]),
              h('td', {}, since(q.queuedAt)),
            ),
          ),
        )
      : null,
    more(b.queue.length),
  );

  replace(
    byId('inprogress'),
    b.inProgress.length
      ? h(
          'table',
          { class: 'grid', id: 'calls-table' },
          h('tr', {}, h('th', {}, '来电'), h('th', {}, '语言'), h('th', {}, '状态'), h('th', {}, '坐席'), h('th', {}, '时长')),
          ...[...b.inProgress]
            .sort((x, y) => CALL_ORDER.indexOf(x.state) - CALL_ORDER.indexOf(y.state) || x.arrivedAt - y.arrivedAt)
            .slice(0, MAX_ROWS)
            .flatMap((c) => [
            h(
              'tr',
              { id: `call-${c.callId}`, class: `call-${c.state}` },
              h('td', {}, c.callerNumber || '未知'),
              h('td', {}, c.language ? LANGUAGE_LABEL[c.language] : '—'),
              h('td', {}, CALL_STATE_LABEL[c.state]),
              // While it rings, the agent whose phone rings: the supervisor sees whom to nudge.
              h('td', { class: 'agent-cell' }, c.agentWorkNumber ? `${c.agentWorkNumber}${c.agentName ? ` ${c.agentName}` : ''}` : '—'),
              h('td', {}, since(c.answeredAt ?? c.arrivedAt)),
            ),
            monitorRow(c, monitorDesk, 5),
          ]),
        )
      : h('p', { class: 'muted' }, '当前无通话'),
    more(b.inProgress.length),
  );

  const agents = [...b.agents].sort((x, y) => STATE_ORDER.indexOf(x.state) - STATE_ORDER.indexOf(y.state) || x.workNumber.localeCompare(y.workNumber));
  replace(
    byId('agents'),
    h(
      'div',
      { class: 'counts' },
      ...STATE_ORDER.filter((s) => b.agentCounts[s] > 0).map((s) => h('span', { class: `state-badge st-${s}` }, `${AGENT_STATE_LABEL[s]} ${b.agentCounts[s]}`)),
    ),
    h(
      'table',
      { class: 'grid' },
      h('tr', {}, h('th', {}, '工号'), h('th', {}, '姓名'), h('th', {}, '语言'), h('th', {}, '状态'), h('th', {}, '状态时长'), h('th', {}, '话机')),
      ...agents.map((a) =>
        h(
          'tr',
          { id: `agent-${a.workNumber}` },
          h('td', {}, a.workNumber),
          h('td', {}, a.name),
          h('td', {}, a.languages.map((l) => LANGUAGE_LABEL[l]).join('/')),
          // The reason beside the state, not in a column of its own: the table fits a third of the screen.
          h(
            'td',
            { class: 'state-cell' },
            h('span', { class: `state-badge st-${a.state}` }, AGENT_STATE_LABEL[a.state]),
            a.reason ? h('span', { class: 'reason' }, REASON_LABEL[a.reason] ?? a.reason) : null,
          ),
          h('td', {}, since(a.since)),
          h('td', { class: a.phoneReachable ? '' : 'error' }, a.phoneReachable ? '在线' : '不可达'),
        ),
      ),
    ),
  );

  replace(
    byId('byagent'),
    b.byAgent.length
      ? h(
          'table',
          { class: 'grid' },
          h('tr', {}, h('th', {}, '工号'), h('th', {}, '姓名'), h('th', {}, '接听'), h('th', {}, '20秒内'), h('th', {}, '平均振铃'), h('th', {}, '平均通话'), h('th', {}, '振铃未接')),
          ...b.byAgent.map((r) =>
            h(
              'tr',
              { id: `byagent-${r.workNumber}` },
              h('td', {}, r.workNumber),
              h('td', {}, r.name),
              h('td', {}, String(r.answered)),
              h('td', {}, String(r.answeredWithinSl)),
              h('td', {}, fmtSeconds(r.avgRingMs)),
              h('td', {}, fmtSeconds(r.avgTalkMs)),
              h('td', {}, String(r.ringNoAnswer)),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '今日暂无接听'),
  );

  replace(
    byId('recent'),
    b.recentCalls.length
      ? h(
          'table',
          { class: 'grid' },
          h('tr', {}, h('th', {}, '结束时间'), h('th', {}, '来电'), h('th', {}, '结果'), h('th', {}, '坐席'), h('th', {}, '录音')),
          ...b.recentCalls.map((c) =>
            h(
              'tr',
              {},
              h('td', {}, fmtTime(c.endedAt)),
              h('td', {}, c.callerNumber || '未知'),
              // No CTI ran these: no language routing, no 20 s alarm; the supervisor should know why.
              h('td', {}, OUTCOME_LABEL[c.outcome], c.fallback ? h('span', { class: 'tag fallback', title: 'CTI 全部停止期间由 Asterisk 应急队列处理，事后导入' }, '应急队列') : null),
              h('td', {}, c.agentWorkNumber ?? '—'),
              h('td', {}, c.recordingName ? h('button', { class: 'btn', onclick: () => void playRecording(session, c.recordingName!, player) }, '▶ 播放') : '—'),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '暂无'),
  );
}

setInterval(tickDeadlines, 1000);
setInterval(() => {
  const t = now();
  document.querySelectorAll<HTMLElement>('[data-since]').forEach((el) => {
    el.textContent = fmtDuration(t - Number(el.dataset.since));
  });
}, 500);
