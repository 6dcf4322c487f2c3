import type { AdminClientToServer, AdminServerToClient, NodeHealth, SystemHealth } from '../../contracts';
import { AlarmFeed } from './alarms';
import { ackResult, api, byId, connect, fmtDateTime, h, header, replace, requireSession, syncClock } from './common';

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
socket.on('alarm:raised', (a) => feed.raised(a));
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
      { class: 'grid health' },
      h('tr', {}, h('th', {}, 'ARI'), h('td', { id: `ari-${n.node}` }, n.ari ? ok(n.ari.connected, n.ari.connected ? '已连接' : '断开') : ok(null, '未启用话务'))),
      h(
        'tr',
        {},
        h('th', {}, 'AMI'),
        h('td', {}, n.ami ? ok(n.ami.connected, `${n.ami.connected ? '已连接' : n.ami.state}，重连 ${n.ami.reconnects} 次${n.ami.lastError ? `，${n.ami.lastError}` : ''}`) : ok(null, '未启用话务')),
      ),
      h(
        'tr',
        {},
        h('th', {}, '中继注册'),
        h(
          'td',
          {},
          n.trunk
            ? ok(n.trunk.registered, n.trunk.registrations.map((r) => `${r.name}: ${r.status}`).join('；') || '无注册信息')
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
}

/** The self-check's items as the server reports them (cti/health/self-check.ts). */
interface SelfCheckReport {
  at: number;
  ok: boolean;
  items: Array<{ item: string; ok: boolean; durationMs: number; detail: string }>;
}

const ITEM_LABEL: Record<string, string> = {
  ari: 'ARI 与热线应用',
  ami: 'AMI 登录',
  trunk: '中继注册',
  'agent-phones': '坐席话机',
  redis: 'Redis',
  mongodb: 'MongoDB',
  'test-call': '模拟来电',
};

const runButton = byId<HTMLButtonElement>('run-self-check');
runButton.addEventListener('click', () => {
  runButton.disabled = true;
  replace(byId('self-check'), h('span', { class: 'muted' }, '自检进行中…'));
  api<SelfCheckReport>('/api/admin/self-check', { method: 'POST', token: session.token })
    .then((r) =>
      replace(
        byId('self-check'),
        h('p', {}, ok(r.ok, r.ok ? `自检正常（${fmtDateTime(r.at)}）` : `自检发现故障（${fmtDateTime(r.at)}）`)),
        h(
          'table',
          { class: 'grid', id: 'self-check-items' },
          ...r.items.map((i) =>
            h('tr', { 'data-item': i.item }, h('th', {}, ITEM_LABEL[i.item] ?? i.item), h('td', {}, ok(i.ok, i.ok ? '正常' : '故障')), h('td', {}, `${i.durationMs} ms`), h('td', {}, i.detail)),
          ),
        ),
      ),
    )
    .catch((err: Error) => replace(byId('self-check'), h('span', { class: 'bad' }, `自检失败：${err.message}`)))
    .finally(() => {
      runButton.disabled = false;
    });
});
