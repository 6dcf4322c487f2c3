import type { AdminClientToServer, AdminServerToClient, CheckItem, NodeHealth, RecordingAccessView, SelfCheckRecord, SelfCheckResult, SystemHealth } from '../../contracts';
import { SELF_CHECK_ITEM_ZH } from '../../contracts/zh';
import { AlarmFeed } from './alarms';
import { AlarmTrend } from './alarm-trend';
import { ackResult, api, byId, connect, errorText, fmtDateTime, h, header, replace, requireSession, syncClock } from './common';

/** Registration and AMI states in the words of the page (the English reasons are in the server's log). */
const REGISTRATION_ZH: Record<string, string> = { registered: '已注册', rejected: '注册被拒', unregistered: '未注册', other: '状态未知' };
const AMI_STATE_ZH: Record<string, string> = { connected: '已连接', connecting: '正在连接', disconnected: '断开' };

const session = requireSession(['admin']);
header(session, '系统管理');
const socket = connect<AdminServerToClient, AdminClientToServer>('/admin', session);

const feed = new AlarmFeed(byId('alarms'), (alarmId, done) =>
  socket.timeout(10_000).emit('alarm:ack', { alarmId }, (e, res) => {
    const r = ackResult(e, res);
    if (r.ok) feed.updated(r.data);
    done(r.ok ? undefined : r.message);
  }),
);
socket.on('alarms:snapshot', (list) => feed.setAll(list));
const trend = new AlarmTrend(session, byId('alarm-trend'), byId('alarm-trend-note'));
void trend.load();

/** 录音调听记录: who listened to which call's recording, or monitored which live call, and when (the audit is written before any listen). */
async function loadListens(): Promise<void> {
  const out = byId('listens');
  try {
    const rows = await api<RecordingAccessView[]>('/api/audit/recordings?limit=30', { token: session.token });
    if (rows.length === 0) return replace(out, h('p', { class: 'muted' }, '暂无调听记录'));
    const ROLE: Record<RecordingAccessView['role'], string> = { agent: '坐席', supervisor: '班长', admin: '管理员', department: '部门' };
    // Live monitoring is audited alongside the recordings (cti/monitor/).
    const VIA: Record<RecordingAccessView['via'], string> = { play: '在线播放', download: '下载', listen: '监听', whisper: '耳语', barge: '强插' };
    replace(
      out,
      h(
        'table',
        { class: 'listens-table' },
        h('thead', {}, h('tr', {}, ...['时间', '工号', '身份', '录音/通话', '方式', '地址'].map((x) => h('th', {}, x)))),
        h('tbody', {}, ...rows.map((r) => h('tr', {}, h('td', {}, fmtDateTime(r.at)), h('td', {}, r.workNumber), h('td', {}, ROLE[r.role]), h('td', {}, r.recording ?? `通话 ${r.callId ?? '—'}`), h('td', {}, VIA[r.via]), h('td', {}, r.ip ?? '—')))),
      ),
    );
  } catch (err) {
    replace(out, h('p', { class: 'error' }, `读取失败：${errorText(err)}`));
  }
}
void loadListens();
byId('listens-reload').addEventListener('click', () => void loadListens());
socket.on('alarm:raised', (a) => {
  feed.raised(a);
  trend.soon();
});
socket.on('alarm:updated', (a) => feed.updated(a));
socket.on('health:snapshot', (hs) => render(hs));

const ok = (good: boolean | null, text: string) => h('span', { class: good === null ? 'muted' : good ? 'good' : 'bad' }, text);

function nodeCard(n: NodeHealth & { stale: boolean }): HTMLElement {
  const phonesUp = n.phones.filter((p) => p.reachable).length;
  return h(
    'div',
    { class: `node${n.stale ? ' stale' : ''}`, id: `node-${n.node}` },
    h('h3', {}, `CTI 进程 ${n.node}`, n.stale ? h('span', { class: 'bad' }, `（${fmtDateTime(n.at)} 后无上报）`) : null),
    h(
      'table',
      { class: 'grid health wrap' },
      h('tr', {}, h('th', {}, 'ARI'), h('td', { id: `ari-${n.node}` }, n.ari ? ok(n.ari.connected, n.ari.connected ? '已连接' : '断开') : ok(null, '未启用话务'))),
      h(
        'tr',
        {},
        h('th', {}, 'AMI'),
        h('td', {}, n.ami ? ok(n.ami.connected, `${AMI_STATE_ZH[n.ami.state] ?? '状态未知'}，重连 ${n.ami.reconnects} 次${n.ami.lastError ? '，曾出错（原因见服务日志）' : ''}`) : ok(null, '未启用话务')),
      ),
      h(
        'tr',
        {},
        h('th', {}, '中继注册'),
        h(
          'td',
          {},
          n.trunk
            ? ok(n.trunk.registered, n.trunk.registrations.map((r) => `${r.name}：${REGISTRATION_ZH[r.status] ?? r.status}`).join('；') || '无注册信息')
            : ok(null, '未启用话务'),
        ),
      ),
      h('tr', {}, h('th', {}, '坐席话机'), h('td', {}, n.phones.length ? ok(phonesUp === n.phones.length, `${phonesUp} / ${n.phones.length} 可达`) : ok(null, '无数据'))),
      h('tr', {}, h('th', {}, 'Redis'), h('td', { id: `redis-${n.node}` }, ok(n.redis.ok, n.redis.ok ? `正常（${n.redis.ms} ms）` : (n.redis.reason ?? '异常')))),
      h('tr', {}, h('th', {}, 'MongoDB'), h('td', { id: `mongodb-${n.node}` }, ok(n.mongodb.ok, n.mongodb.ok ? `正常（${n.mongodb.ms} ms）` : (n.mongodb.reason ?? '异常')))),
      h('tr', {}, h('th', {}, '在线控制台'), h('td', {}, `坐席 ${n.consoles.agent} · 班长 ${n.consoles.supervisor} · 管理 ${n.consoles.admin}`)),
    ),
    n.phones.length
      ? h(
          'div',
          { class: 'phones' },
          ...n.phones.map((p) => h('span', { class: `phone ${p.reachable ? 'good' : 'bad'}`, title: `${p.status} · ${p.since}` }, p.extension)),
        )
      : null,
  );
}

function render(hs: SystemHealth): void {
  syncClock(hs.serverNow);
  replace(byId('health'), ...hs.nodes.map(nodeCard));
  renderHistory(hs.selfChecks);
}

const ITEM_LABEL = SELF_CHECK_ITEM_ZH;

/** Details can be long (every unreachable phone is named): the table wraps them inside the panel. */
function itemsTable(items: CheckItem[], id?: string): HTMLElement {
  return h(
    'table',
    { class: 'grid wrap self-check-items', ...(id ? { id } : {}) },
    ...items.map((i) =>
      h('tr', { 'data-item': i.item }, h('th', {}, ITEM_LABEL[i.item] ?? i.item), h('td', {}, ok(i.ok, i.ok ? '正常' : '故障')), h('td', { class: 'num' }, `${i.durationMs} ms`), h('td', { class: 'detail' }, i.zh)),
    ),
  );
}

const TRIGGER_LABEL: Record<SelfCheckRecord['trigger'], string> = { silence: '自动（30 分钟无来电）', manual: '手动' };

/**
 * Every self-check of the hotline, newest first, from whichever process ran it: the admin sees
 * whether the overnight automatic checks passed without waiting for an alarm. Details fold away.
 */
function renderHistory(list: SelfCheckRecord[]): void {
  if (list.length === 0) {
    replace(byId('self-check-history'), h('p', { class: 'muted' }, '暂无自检记录'));
    return;
  }
  replace(
    byId('self-check-history'),
    h(
      'ul',
      { class: 'check-history' },
      ...list.map((r) => {
        const failed = r.items.filter((i) => !i.ok).map((i) => ITEM_LABEL[i.item] ?? i.item);
        return h(
          'li',
          { class: `check-entry ${r.ok ? 'ok' : 'failed'}`, 'data-trigger': r.trigger },
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('span', { class: 'when' }, fmtDateTime(r.at)),
              h('span', { class: 'tag' }, r.trigger === 'manual' && r.by ? `${TRIGGER_LABEL.manual} ${r.by}` : TRIGGER_LABEL[r.trigger]),
              ok(r.ok, r.ok ? `正常（${r.items.length} 项）` : `故障：${failed.join('、')}`),
            ),
            itemsTable(r.items),
          ),
        );
      }),
    ),
  );
}

const runButton = byId<HTMLButtonElement>('run-self-check');
runButton.addEventListener('click', () => {
  runButton.disabled = true;
  replace(byId('self-check'), h('span', { class: 'muted' }, '自检进行中…'));
  api<SelfCheckResult>('/api/admin/self-check', { method: 'POST', token: session.token })
    .then((r) => {
      replace(
        byId('self-check'),
        h('p', {}, ok(r.ok, r.ok ? `自检正常（${fmtDateTime(r.at)}）` : `自检发现故障（${fmtDateTime(r.at)}）`)),
        itemsTable(r.items, 'self-check-items'),
      );
      // The run joined the history; fetch it now rather than at the next health round.
      socket.timeout(10_000).emit('health:resync', (e, res) => {
        const s = ackResult(e, res);
        if (s.ok) render(s.data);
      });
    })
    .catch((err: unknown) => replace(byId('self-check'), h('span', { class: 'bad' }, `自检失败：${errorText(err)}`)))
    .finally(() => {
      runButton.disabled = false;
    });
});
