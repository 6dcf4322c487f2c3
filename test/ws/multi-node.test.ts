import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { AgentSnapshot, AlarmView, ScreenPop, SystemHealth } from '../../contracts';
import { ConsoleNode } from '../helpers/console-node';

describe('two CTI processes on one Redis: any process serves any console', function () {
  this.timeout(30_000);
  let a: ConsoleNode;
  let b: ConsoleNode;

  before(async () => {
    a = await ConsoleNode.start();
    b = await ConsoleNode.start({}, { ...a.config, NODE_ID: 'b' });
  });
  after(async () => {
    await b?.stop({ dropDb: false });
    await a?.stop();
  });

  it('a token issued by one process is accepted by the other', async () => {
    const c = await a.client('/agent', '1001', b.url);
    const snap = await c.next<AgentSnapshot>('session:snapshot');
    expect(snap.me.workNumber).to.equal('1001');
  });

  it('a pop produced on one process reaches the agent on the other, and replays from Redis on either', async () => {
    const onB = await a.client('/agent', '1002', b.url);
    await onB.next('session:snapshot');
    const callId = randomUUID();
    const { agents } = a.live;
    await agents.change('1002', 'ready');
    await a.reserve('1002', callId);
    expect(await agents.forCall('1002', callId, 'ringing', ['reserved'])).to.equal(true);
    // Published through node a's bus, its context prepared at arrival: as the process owning the call would.
    await a.node.popContext.prepare({ callId, callerNumber: '13800001234' });
    await a.publish({ type: 'call.ringing', callId, attempt: 1, agentWorkNumber: '1002', callerNumber: '13800001234', language: 'yue', queuedAt: Date.now(), ringingAt: Date.now() });
    const pop = await onB.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    expect(pop.customer).to.equal(null);
    // Exactly one pop per console, although both processes handled the event.
    const onA = await a.client('/agent', '1002');
    const snap = await onA.next<AgentSnapshot>('session:snapshot');
    expect(snap.pop?.callId).to.equal(callId);
    expect(await a.live.agents.forCall('1002', callId, 'ready', ['ringing'])).to.equal(true);
    await onB.next('agent:state', (s: { state: string }) => s.state === 'ready');
    expect(onB.events('pop:show').length).to.equal(1);
  });

  it('an acknowledgement on one process reaches admins on the other through the adapter', async () => {
    const sup = await a.client('/supervisor', '2001');
    await sup.next('alarms:snapshot');
    const admin = await a.client('/admin', '9001', b.url);
    await admin.next('alarms:snapshot');
    const alarm = await a.node.models.Alarm.create({ key: `t-${randomUUID()}`, kind: 'system', severity: 'warning', message: '测试告警', raisedAt: new Date() });
    const ack = await sup.command<AlarmView>('alarm:ack', { alarmId: String(alarm._id) });
    expect(ack.ok).to.equal(true);
    const seen = await admin.next<AlarmView>('alarm:updated', (x) => x.id === String(alarm._id));
    expect(seen.acknowledgedBy).to.equal('2001');
  });

  it('the admin page lists both processes', async () => {
    const admin = await a.client('/admin', '9001');
    const h = await admin.next<SystemHealth>('health:snapshot', (x) => x.nodes.length >= 2);
    expect(h.nodes.map((x) => x.node)).to.include.members(['a', 'b']);
  });
});
