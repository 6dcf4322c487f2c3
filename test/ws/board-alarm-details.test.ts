import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { raiseAlarm } from '../../alarms/raise';
import type { AlarmView, BoardSnapshot, SelfCheckRecord, SystemHealth } from '../../contracts';
import { ConsoleNode } from '../helpers/console-node';
import { waitFor } from '../helpers/wait';

const record = (at: number, trigger: SelfCheckRecord['trigger'], ok = true): SelfCheckRecord => ({
  at,
  ok,
  trigger,
  by: trigger === 'manual' ? '9001' : null,
  items: [{ item: 'redis', ok, durationMs: 3, detail: ok ? 'PING → PONG' : 'timeout', zh: ok ? '应答正常' : '超时' }],
});

describe('board and admin details: who a ringing call rings, names in alarms, self-check history', function () {
  this.timeout(30_000);
  let n: ConsoleNode;

  before(async () => {
    n = await ConsoleNode.start();
  });
  after(async () => n?.stop());

  it('a ringing call names the agent whose phone rings, before the Call record knows any agent', async () => {
    const sup = await n.client('/supervisor', '2001');
    await sup.next('board');
    const callId = randomUUID();
    await n.live.agents.login('1007');
    await n.node.models.Call.create({ callId, node: 'a', callerChannelId: `ch-${callId}`, callerNumber: '13912345000', dialledNumber: '952525', state: 'ringing', language: 'yue', arrivedAt: new Date() });
    await n.live.acd.markLive(callId, 'a');
    await n.reserve('1007', callId);
    const m = sup.mark();
    await n.publish({ type: 'call.state', callId, state: 'ringing', language: 'yue', at: Date.now() });
    const b = await sup.next<BoardSnapshot>('board', (x) => x.inProgress.some((c) => c.callId === callId), { from: m });
    expect(b.inProgress.find((c) => c.callId === callId)).to.include({ state: 'ringing', agentWorkNumber: '1007', agentName: '梁少华' });
  });

  it('an alarm carries the agent name and the caller number, live and as stored', async () => {
    const sup = await n.client('/supervisor', '2001');
    await sup.next('alarms:snapshot');
    const key = `answer-alarm.${randomUUID()}.1`;
    const message = '坐席 1010 吴家豪 振铃 20 秒未接听，来电 18812345678';
    await raiseAlarm(n.live, { key, kind: 'answer-timeout', severity: 'warning', message, agentWorkNumber: '1010', agentName: '吴家豪', callerNumber: '18812345678', ringMs: 20_000 });
    const live = await sup.next<AlarmView>('alarm:raised', (a) => a.key === key);
    expect(live).to.include({ agentWorkNumber: '1010', agentName: '吴家豪', callerNumber: '18812345678', message });
    const stored = await waitFor(async () => {
      const res = await fetch(`${n.url}/api/alarms`, { headers: { authorization: `Bearer ${await n.token('2001')}` } });
      return ((await res.json()) as AlarmView[]).find((a) => a.key === key);
    }, { what: 'alarm stored' });
    expect(stored).to.include({ agentName: '吴家豪', callerNumber: '18812345678' });
  });

  it('the admin snapshot lists the last 20 self-checks of any process, newest first, skipping entries it cannot read', async () => {
    const t0 = Date.now() - 3_600_000;
    for (let i = 0; i < 22; i++) await n.live.selfChecks.record(record(t0 + i * 60_000, i % 2 ? 'manual' : 'silence', i !== 21));
    // An entry of another shape (an older version, a hand edit) is left out, not shown half-read.
    await n.node.redis.lpush(`${n.live.acd.keys.p}:self-check:log`, '{"at":"yesterday"}');
    const admin = await n.client('/admin', '9001');
    const r = await admin.command<SystemHealth>('health:resync');
    expect(r.ok).to.equal(true);
    const list = r.ok ? r.data.selfChecks : [];
    expect(list).to.have.length(19); // the newest 20 entries, one of them unreadable
    expect(list[0]).to.deep.include({ at: t0 + 21 * 60_000, ok: false, trigger: 'manual', by: '9001' });
    expect(list.map((c) => c.at)).to.deep.equal([...list.map((c) => c.at)].sort((a, b) => b - a));
    expect(list.at(-1)!.at).to.equal(t0 + 3 * 60_000);
  });

  it('the history reaches an admin page without a reload when a check is recorded', async () => {
    const admin = await n.client('/admin', '9001');
    await admin.next('health:snapshot');
    const m = admin.mark();
    const at = Date.now();
    await n.live.selfChecks.record(record(at, 'manual'));
    const h = await admin.next<SystemHealth>('health:snapshot', (x) => x.selfChecks[0]?.at === at, { from: m, timeoutMs: 10_000 });
    expect(h.selfChecks[0]).to.include({ trigger: 'manual', by: '9001' });
  });
});
