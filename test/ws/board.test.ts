import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { AgentStateView, AlarmView, BoardSnapshot, BoardUpdate, SystemHealth, WorkOrderView } from '../../contracts';
import { ConsoleNode } from '../helpers/console-node';
import type { ConsoleClient } from '../helpers/consoles';

describe('/supervisor board and /admin page', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  let sup: ConsoleClient;
  let first: BoardSnapshot;

  before(async () => {
    n = await ConsoleNode.start();
    sup = await n.client('/supervisor', '2001');
    first = await sup.next<BoardSnapshot>('board');
  });
  after(async () => n?.stop());

  const board = (pred: (b: BoardSnapshot) => boolean, from: number) => sup.next<BoardSnapshot>('board', pred, { from });

  it('sends a snapshot on connect: empty day, nobody waiting', () => {
    expect(first.metrics).to.include({ arrived: 0, answered: 0, serviceLevel: null });
    expect(first.waiting).to.deep.equal({ yue: { count: 0, longestSince: null }, cmn: { count: 0, longestSince: null } });
    expect(first.day).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(first.serviceLevelMs).to.equal(20_000);
  });

  it('changes when an agent changes state (pushed, not polled)', async () => {
    const agent = await n.client('/agent', '1001');
    await agent.next('session:snapshot');
    const m = sup.mark();
    const r = await agent.command<AgentStateView>('agent:set-state', { state: 'ready' });
    expect(r.ok).to.equal(true);
    const b = await board((x) => x.agents.find((a) => a.workNumber === '1001')?.state === 'ready', m);
    const a = b.agents.find((x) => x.workNumber === '1001')!;
    expect(a).to.include({ name: '陈嘉欣', phoneReachable: true });
    expect(a.since).to.be.closeTo(Date.now(), 5000);
    expect(b.agentCounts.ready).to.be.at.least(1);
  });

  it('sends each refresh after the first as an update carrying only the agents that changed', async () => {
    const agent = await n.client('/agent', '1004');
    await agent.next('session:snapshot');
    const m = sup.mark();
    expect((await agent.command<AgentStateView>('agent:set-state', { state: 'ready' })).ok).to.equal(true);
    const u = await sup.next<BoardUpdate>('board:update', (x) => x.agents.changed.some((a) => a.workNumber === '1004' && a.state === 'ready'), { from: m });
    // The board holds every agent signed in (1001 from the test before), but only the one who moved is sent.
    const whole = await sup.next<BoardSnapshot>('board', (b) => b.seq === u.seq, { from: m });
    expect(whole.agents.map((a) => a.workNumber)).to.include.members(['1001', '1004']);
    expect(u.agents.changed.map((a) => a.workNumber)).to.deep.equal(['1004']);
    expect(u.agents.removed).to.deep.equal([]);
    expect(sup.events('board:gap')).to.deep.equal([]);
    // A console that asks again is given the whole board at the refresh it reached.
    const again = await sup.command<BoardSnapshot>('board:resync');
    expect(again.ok && again.data.seq).to.be.at.least(u.seq);
    expect(again.ok && again.data.agents.find((a) => a.workNumber === '1004')?.state).to.equal('ready');
    agent.close();
  });

  it('shows waiting calls per language with the longest wait, then the call in progress and the service level once answered', async () => {
    const { Call } = n.node.models;
    const { acd } = n.live;
    const callId = randomUUID();
    const arrivedAt = Date.now() - 30_000;
    const queuedAt = Date.now() - 12_000;
    await Call.create({ callId, node: 'a', callerChannelId: `ch-${callId}`, callerNumber: '13912340000', dialledNumber: '952525', state: 'queued', language: 'cmn', arrivedAt: new Date(arrivedAt), queuedAt: new Date(queuedAt) });
    await acd.markLive(callId, 'a');
    await acd.enqueue({ callId, language: 'cmn', queuedAt, node: 'a', callerNumber: '13912340000' });
    let m = sup.mark();
    await n.publish({ type: 'call.state', callId, state: 'queued', language: 'cmn', at: queuedAt });
    const waiting = await board((b) => b.waiting.cmn.count === 1, m);
    expect(waiting.waiting.cmn.longestSince).to.equal(queuedAt);
    expect(waiting.queue.map((q) => q.callId)).to.deep.equal([callId]);
    expect(waiting.inProgress.map((c) => c.callId)).to.include(callId);

    // 1004 answers after 12 s in the queue: within 20 s.
    await acd.dequeue(callId);
    const answeredAt = Date.now();
    await Call.updateOne(
      { callId },
      { $set: { state: 'talking', answeredAt: new Date(answeredAt), agentWorkNumber: '1004', answerDelayMs: answeredAt - queuedAt, answerRingMs: 2500, offers: [{ attempt: 1, agentWorkNumber: '1004', extension: '1004', offeredAt: new Date(), result: 'answered', ringMs: 2500 }] } },
    );
    m = sup.mark();
    await n.publish({ type: 'call.answered', callId, agentWorkNumber: '1004', answeredAt, ringMs: 2500, waitMs: answeredAt - queuedAt });
    const answered = await board((b) => b.metrics.answered === 1, m);
    expect(answered.waiting.cmn.count).to.equal(0);
    expect(answered.inProgress.find((c) => c.callId === callId)).to.include({ state: 'talking', agentWorkNumber: '1004', answeredAt });
    expect(answered.metrics).to.include({ offered: 1, answeredWithinSl: 1, serviceLevel: 1, serviceLevelOffered: 1 });
    expect(answered.byAgent[0]).to.include({ workNumber: '1004', name: '王丽娜', answered: 1, answeredWithinSl: 1, avgRingMs: 2500 });

    // Another caller gives up in the queue: the service level over offered calls drops to 1/2.
    const gone = randomUUID();
    await Call.create({ callId: gone, node: 'a', callerChannelId: `ch-${gone}`, callerNumber: '13912340001', dialledNumber: '952525', state: 'ended', outcome: 'abandoned-queue', abandonWaitMs: 31_000, language: 'yue', arrivedAt: new Date(Date.now() - 40_000), queuedAt: new Date(Date.now() - 31_000), endedAt: new Date() });
    m = sup.mark();
    await n.publish({ type: 'call.ended', callId: gone, outcome: 'abandoned-queue', hangupBy: 'caller', at: Date.now(), test: false });
    const dropped = await board((b) => b.metrics.abandoned === 1, m);
    expect(dropped.metrics).to.include({ offered: 2, serviceLevel: 1, serviceLevelOffered: 0.5, abandonRate: 0.5, avgAbandonWaitMs: 31_000 });

    // The answered call ends: out of "in progress", into the recent calls with its recording.
    await Call.updateOne({ callId }, { $set: { state: 'ended', outcome: 'answered', endedAt: new Date(), recordingName: `call-${callId}` } });
    await acd.markDone(callId);
    m = sup.mark();
    await n.publish({ type: 'call.ended', callId, outcome: 'answered', agentWorkNumber: '1004', hangupBy: 'caller', recordingName: `call-${callId}`, at: Date.now(), test: false });
    const ended = await board((b) => !b.inProgress.some((c) => c.callId === callId), m);
    expect(ended.recentCalls.find((c) => c.callId === callId)).to.include({ outcome: 'answered', recordingName: `call-${callId}` });
  });

  it('leaves test calls out of every figure', async () => {
    const callId = randomUUID();
    await n.node.models.Call.create({ callId, node: 'a', callerChannelId: `ch-${callId}`, callerNumber: '10000', dialledNumber: '952525', state: 'ended', outcome: 'answered', arrivedAt: new Date(), test: true });
    const m = sup.mark();
    await n.live.agents.change('1001', 'not_ready', 'break'); // any event refreshes the board
    const b = await board((x) => x.agents.find((a) => a.workNumber === '1001')?.state === 'not_ready', m);
    expect(b.metrics.arrived).to.equal(2);
    expect(b.recentCalls.some((c) => c.callId === callId)).to.equal(false);
  });

  it('alarm feed: a 20 s alarm and an emergency order reach supervisors and admins; one acknowledgement updates all', async () => {
    const admin = await n.client('/admin', '9001');
    await admin.next<AlarmView[]>('alarms:snapshot');
    const sup2 = await n.client('/supervisor', '9001'); // an admin may watch the board too
    await sup2.next('alarms:snapshot');

    // The call path's answer alarm, as it publishes it.
    const alarm = await n.node.models.Alarm.create({ key: `answer-alarm.${randomUUID()}.1`, kind: 'answer-timeout', severity: 'warning', message: '坐席 1002 振铃 20 秒未接听', agentWorkNumber: '1002', ringMs: 20_000, raisedAt: new Date() });
    await n.publish({ type: 'alarm.raised', alarmId: String(alarm._id), key: alarm.key, kind: 'answer-timeout', severity: 'warning', message: alarm.message, agentWorkNumber: '1002', ringMs: 20_000, at: alarm.raisedAt.getTime() });
    const raised = await sup.next<AlarmView>('alarm:raised', (a) => a.id === String(alarm._id));
    expect(raised).to.include({ kind: 'answer-timeout', agentWorkNumber: '1002', ringMs: 20_000, acknowledgedAt: null });
    await admin.next<AlarmView>('alarm:raised', (a) => a.id === String(alarm._id));

    // A burst main filed by an agent: emergency alarm at once.
    const agent = await n.client('/agent', '1003');
    const r = await agent.command<WorkOrderView>('work-order:create', {
      category: 'pipe_burst',
      contactPhone: '13912345678',
      address: '西城区建设路与文明路口',
      description: '路面冒水，水柱约一米高',
      leak: { location: '建设路与文明路交叉口东北角', pipeDiameterMm: 300 },
    });
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    const wo = (r as { data: WorkOrderView }).data;
    expect(wo).to.include({ department: 'engineering', emergency: true });
    const emergency = await sup.next<AlarmView>('alarm:raised', (a) => a.kind === 'emergency');
    expect(emergency.severity).to.equal('critical');
    expect(emergency.message).to.contain(wo.number);
    await admin.next<AlarmView>('alarm:raised', (a) => a.kind === 'emergency');

    // Supervisor acknowledges; every supervisor and admin console sees it.
    const ack = await sup.command<AlarmView>('alarm:ack', { alarmId: emergency.id });
    expect(ack.ok).to.equal(true);
    expect((ack as { data: AlarmView }).data.acknowledgedBy).to.equal('2001');
    const seen = await admin.next<AlarmView>('alarm:updated', (a) => a.id === emergency.id);
    expect(seen.acknowledgedAt).to.be.a('number');
    await sup2.next<AlarmView>('alarm:updated', (a) => a.id === emergency.id);
    const doc = await n.node.models.Alarm.findById(emergency.id).lean();
    expect(doc?.acknowledgedBy).to.equal('2001');
    expect(doc?.acknowledgedAt).to.be.instanceOf(Date);

    // A second acknowledgement (the admin, late) is answered with the first one.
    const again = await admin.command<AlarmView>('alarm:ack', { alarmId: emergency.id });
    expect((again as { data: AlarmView }).data.acknowledgedBy).to.equal('2001');
    const bad = await admin.command<AlarmView>('alarm:ack', { alarmId: '../../etc' });
    expect(bad).to.deep.include({ ok: false });
    const none = await admin.command<AlarmView>('alarm:ack', { alarmId: 'aaaaaaaaaaaaaaaaaaaaaaaa' });
    expect((none as { ok: false; error: { code: string } }).error.code).to.equal('not_found');

    // The same through REST.
    const rest = await fetch(`${n.url}/api/alarms/${String(alarm._id)}/ack`, { method: 'POST', headers: { authorization: `Bearer ${await n.token('9001')}` } });
    expect(rest.status).to.equal(200);
    expect(((await rest.json()) as AlarmView).acknowledgedBy).to.equal('9001');
    await sup.next<AlarmView>('alarm:updated', (a) => a.id === String(alarm._id));
  });

  it('admin page: health of this process (Redis, MongoDB; no telephony here) pushed on connect', async () => {
    const admin = await n.client('/admin', '9001');
    const h = await admin.next<SystemHealth>('health:snapshot');
    const me = h.nodes.find((x) => x.node === n.config.NODE_ID)!;
    expect(me.stale).to.equal(false);
    expect(me.redis.ok).to.equal(true);
    expect(me.mongodb.ok).to.equal(true);
    expect(me.ari).to.equal(null);
    expect(me.consoles.admin).to.be.at.least(1);
    const r = await admin.command<SystemHealth>('health:resync');
    expect(r.ok).to.equal(true);
  });
});
