import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { DomainEvent } from '../../events/domain-events';
import { customers } from '../../scripts/seed-data';
import type { Ack, AgentSnapshot, AgentStateView, CurrentCallView, LastCallView, ScreenPop, WorkOrderView } from '../../contracts';
import { PopStore } from '../../agent-console/pops';
import { RingingPopBus } from '../../agent-console/ringing-pop-bus';
import { ConsoleNode } from '../helpers/console-node';
import type { ConsoleClient } from '../helpers/consoles';

type Ringing = Extract<DomainEvent, { type: 'call.ringing' }>;

describe('/agent console driven by domain events on the Redis bus', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  const known = customers()[0]!; // account 20000001, a big user in DC-01
  const knownPhone = known.phones[0]!;

  before(async () => {
    n = await ConsoleNode.start();
    const { Call, WorkOrder, Outage } = n.node.models;
    const day = Date.now() - 3 * 24 * 3600_000;
    await Call.create({
      callId: randomUUID(),
      node: 'a',
      callerChannelId: 'old-1',
      callerNumber: knownPhone,
      dialledNumber: '952525',
      state: 'ended',
      outcome: 'answered',
      arrivedAt: new Date(day),
      agentWorkNumber: '1003',
      language: 'yue',
    });
    await WorkOrder.create({
      number: 'WO20200101-0001',
      category: 'metering',
      department: 'business',
      createdBy: '1003',
      contactPhone: knownPhone,
      address: known.address,
      description: '水表读数异常',
    });
    await Outage.create({
      kind: 'planned',
      number: 'TS20261201-02',
      source: 'network',
      department: 'engineering',
      areaCodes: [known.areaCode],
      areaDescription: '东风路一带管网改造',
      startsAt: new Date(Date.now() - 3600_000),
      expectedEndAt: new Date(Date.now() + 3 * 3600_000),
      peopleAffected: 1200,
      status: 'published',
      createdBy: '9001',
    });
  });
  after(async () => n?.stop());

  /** An agent's console, connected, with its first snapshot received. */
  async function agentConsole(wn: string): Promise<{ c: ConsoleClient; snap: AgentSnapshot }> {
    const c = await n.client('/agent', wn);
    const snap = await c.next<AgentSnapshot>('session:snapshot');
    return { c, snap };
  }

  /** What the call path does before publishing call.ringing: Ready → Reserved → Ringing for the call. */
  async function ring(wn: string, callId: string, opts: Partial<Ringing> = {}, prepared = true): Promise<Ringing> {
    const { agents } = n.live;
    // The owning process gathers the pop's content while the caller is greeted.
    if (prepared) await n.node.popContext.prepare({ callId, callerNumber: opts.callerNumber ?? knownPhone });
    await agents.change(wn, 'ready').catch(() => undefined);
    await n.reserve(wn, callId);
    expect(await agents.forCall(wn, callId, 'ringing', ['reserved'])).to.equal(true);
    const e: Ringing = {
      type: 'call.ringing',
      callId,
      attempt: 1,
      agentWorkNumber: wn,
      callerNumber: knownPhone,
      language: 'yue',
      customerAccount: known.accountNumber,
      queuedAt: Date.now() - 4000,
      ringingAt: Date.now(),
      ...opts,
    };
    // As the call path publishes it: the owner joins the pop in (RingingPopBus).
    await ringingBus().publish(e);
    return e;
  }

  /** The call path's bus: its ringing events carry their pop. */
  const ringingBus = () => new RingingPopBus(n.live.bus, new PopStore(n.node.redis, n.live.acd.keys.p), n.node.popContext, n.live.acd.keys.events());

  async function reconnect(c: ConsoleClient, wn: string): Promise<{ c: ConsoleClient; snap: AgentSnapshot }> {
    c.close();
    return agentConsole(wn);
  }

  it('a pop reaches only the offered agent, with customer, history, open orders, outages and the ring limit', async () => {
    const { c: a1, snap } = await agentConsole('1001');
    expect(snap.pop).to.equal(null);
    expect(snap.state.state).to.equal('offline');
    const { c: a2 } = await agentConsole('1002');
    const sup = await n.client('/supervisor', '2001');
    const m2 = a2.mark();
    const mSup = sup.mark();
    const callId = randomUUID();
    await ring('1001', callId);

    const pop = await a1.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    expect(pop.customer).to.deep.include({ accountNumber: known.accountNumber, name: known.name, address: known.address, bigUser: true });
    expect(pop.callerNumber).to.equal(knownPhone);
    expect(pop.language).to.equal('yue');
    expect(pop.ringLimitMs).to.equal(20_000);
    expect(pop.recentCalls).to.have.length(1);
    expect(pop.recentCalls[0]).to.include({ outcome: 'answered', agentWorkNumber: '1003' });
    expect(pop.openWorkOrders.map((o) => o.number)).to.deep.equal(['WO20200101-0001']);
    expect(pop.outages).to.have.length(1);
    expect(pop.outages[0]!.areaDescription).to.equal('东风路一带管网改造');

    // 1002 hears about its own state change, and never saw the pop of 1001's call before it.
    await n.live.agents.change('1002', 'ready');
    await a2.next<AgentStateView>('agent:state', (s) => s.state === 'ready', { from: m2 });
    expect(a2.events('pop:show', m2)).to.deep.equal([]);
    expect(sup.events('pop:show', mSup)).to.deep.equal([]);
  });

  it('one pop at ringing from the prepared context; without it the caller shows at once and the content follows from MongoDB', async () => {
    const { c } = await agentConsole('1001');
    const m = c.mark();
    const callId = randomUUID();
    await ring('1001', callId);
    const pop = await c.next<ScreenPop>('pop:show', (p) => p.callId === callId, { from: m });
    expect(pop.customer?.accountNumber).to.equal(known.accountNumber);
    // A refresh (any process) gets the same stored pop.
    const { snap } = await reconnect(c, '1001');
    expect(snap.pop).to.deep.equal(pop);

    const { c: c2 } = await agentConsole('1002');
    const m2 = c2.mark();
    const late = randomUUID();
    await ring('1002', late, {}, false);
    const full = await c2.next<ScreenPop>('pop:show', (p) => p.callId === late && p.customer !== null, { from: m2 });
    expect(full.openWorkOrders.map((o) => o.number)).to.deep.equal(['WO20200101-0001']);
    const shown = c2.events('pop:show', m2) as ScreenPop[];
    expect(shown.map((p) => p.customer?.accountNumber ?? null)).to.deep.equal([null, known.accountNumber]);
  });

  it('an unknown caller gets "unknown" with nothing else; the pop shows as the phone rings', async () => {
    const { c } = await agentConsole('1004');
    const callId = randomUUID();
    await ring('1004', callId, { callerNumber: '13700000001', customerAccount: undefined, language: 'cmn' });
    const pop = await c.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    expect(pop.customer).to.equal(null);
    expect(pop.recentCalls).to.deep.equal([]);
    expect(pop.openWorkOrders).to.deep.equal([]);
    expect(pop.outages).to.deep.equal([]);
    expect(pop.language).to.equal('cmn');
  });

  it('after a reconnect the console gets its full state: ringing pop, then the call, then the last call with its recording', async () => {
    let { c } = await agentConsole('1005');
    const callId = randomUUID();
    await ring('1005', callId);
    await c.next<ScreenPop>('pop:show', (p) => p.callId === callId);

    let snap: AgentSnapshot;
    ({ c, snap } = await reconnect(c, '1005'));
    expect(snap.state).to.include({ state: 'ringing', callId });
    expect(snap.pop?.callId).to.equal(callId);
    expect(snap.pop?.customer?.accountNumber).to.equal(known.accountNumber);
    expect(snap.call).to.equal(null);

    // Answered.
    const answeredAt = Date.now();
    expect(await n.live.agents.forCall('1005', callId, 'talking', ['ringing'])).to.equal(true);
    await n.publish({ type: 'call.answered', callId, agentWorkNumber: '1005', answeredAt, ringMs: 3000, waitMs: 7000 });
    expect(await c.next<CurrentCallView>('call:answered')).to.deep.equal({ callId, answeredAt });
    ({ c, snap } = await reconnect(c, '1005'));
    expect(snap.state.state).to.equal('talking');
    expect(snap.call).to.deep.equal({ callId, answeredAt });
    expect(snap.pop?.callId).to.equal(callId);

    // Ended: after-call work, no pop, the last call carries the recording and the pop for the form.
    const m = c.mark();
    expect(await n.live.agents.forCall('1005', callId, 'acw', ['talking'])).to.equal(true);
    await n.publish({ type: 'call.ended', callId, outcome: 'answered', agentWorkNumber: '1005', hangupBy: 'caller', recordingName: `call-${callId}`, at: Date.now(), test: false });
    const ended = await c.next<LastCallView>('call:ended', () => true, { from: m });
    expect(ended).to.include({ callId, outcome: 'answered', recordingName: `call-${callId}` });
    expect(ended.pop?.customer?.accountNumber).to.equal(known.accountNumber);
    expect((c.events('agent:state', m) as AgentStateView[]).map((s) => s.state)).to.include('acw');
    ({ c, snap } = await reconnect(c, '1005'));
    expect(snap.state.state).to.equal('acw');
    expect(snap.pop).to.equal(null);
    expect(snap.call).to.equal(null);
    expect(snap.lastCall).to.include({ callId, recordingName: `call-${callId}` });
    expect(snap.lastCall?.pop?.callId).to.equal(callId);
  });

  it('a pop is cleared when the offer ends, and never comes back on reconnect', async () => {
    let { c } = await agentConsole('1006');
    const callId = randomUUID();
    await ring('1006', callId, { callerNumber: '13700000002', customerAccount: undefined, language: 'cmn' });
    await c.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    expect(await n.live.agents.forCall('1006', callId, 'not_ready', ['ringing'], 'no-answer')).to.equal(true);
    await n.publish({ type: 'call.offer-ended', callId, attempt: 1, agentWorkNumber: '1006', result: 'no-answer', ringMs: 20_000, at: Date.now() });
    expect(await c.next('pop:clear')).to.deep.equal({ callId, attempt: 1, reason: 'no-answer' });
    let snap: AgentSnapshot;
    ({ c, snap } = await reconnect(c, '1006'));
    expect(snap.pop).to.equal(null);
    expect(snap.state).to.include({ state: 'not_ready', reason: 'no-answer' });
  });

  for (const [how, publish] of [
    ['published as it is', (e: DomainEvent) => n.publish(e)],
    ['published by the call path, pop joined in', (e: DomainEvent) => ringingBus().publish(e)],
  ] as const) {
    it(`a late ringing event cannot resurrect an offer that already ended (any process, any order; ${how})`, async () => {
      const { c } = await agentConsole('1007');
      const callId = randomUUID();
      const m = c.mark();
      await n.live.agents.change('1007', 'ready');
      await publish({ type: 'call.offer-ended', callId, attempt: 1, agentWorkNumber: '1007', result: 'caller-gone', ringMs: 1000, at: Date.now() });
      await publish({
        type: 'call.ringing',
        callId,
        attempt: 1,
        agentWorkNumber: '1007',
        callerNumber: '13700000003',
        language: 'yue',
        queuedAt: Date.now(),
        ringingAt: Date.now(),
      });
      // One agent's events are handled in order: this state change is sent after both events above.
      await n.live.agents.change('1007', 'not_ready', 'meal');
      await c.next<AgentStateView>('agent:state', (s) => s.state === 'not_ready', { from: m });
      expect(c.events('pop:show', m)).to.deep.equal([]);
      expect(await new PopStore(n.node.redis, n.live.acd.keys.p).pop('1007')).to.equal(null);
      await n.live.agents.change('1007', 'offline').catch(() => undefined);
    });
  }

  it('the call path\'s ringing event carries the pop as stored for the agent, and every other event passes unchanged', async () => {
    const heard: DomainEvent[] = [];
    const off = n.live.bus.subscribe((e) => heard.push(e));
    try {
      const { c } = await agentConsole('1010');
      const callId = randomUUID();
      await ring('1010', callId);
      const pop = await c.next<ScreenPop>('pop:show', (p) => p.callId === callId);
      const told = heard.find((e): e is Ringing => e.type === 'call.ringing' && e.callId === callId);
      expect(told?.pop).to.deep.equal(pop);
      expect(told?.popFull).to.equal(true);
      expect(pop.customer?.accountNumber).to.equal(known.accountNumber);
      expect(await new PopStore(n.node.redis, n.live.acd.keys.p).pop('1010')).to.deep.equal(pop);
      const ended = { type: 'call.offer-ended', callId, attempt: 1, agentWorkNumber: '1010', result: 'no-answer', ringMs: 20_000, at: Date.now() } as const;
      await ringingBus().publish(ended);
      expect(await c.next('pop:clear')).to.deep.equal({ callId, attempt: 1, reason: 'no-answer' });
      expect(heard.find((e) => e.type === 'call.offer-ended' && e.callId === callId)).to.deep.equal(ended);
    } finally {
      off();
    }
  });

  it('a pop left in Redis for a call the agent is no longer on is not shown after a reconnect', async () => {
    const store = new PopStore(n.node.redis, n.live.acd.keys.p);
    const stale: ScreenPop = {
      callId: randomUUID(),
      attempt: 1,
      callerNumber: '13700000004',
      language: 'yue',
      queuedAt: Date.now(),
      ringingAt: Date.now(),
      ringLimitMs: 20_000,
      customer: null,
      recentCalls: [],
      openWorkOrders: [],
      outages: [],
    };
    // e.g. the process owning that call died before publishing its end.
    expect(await store.setPop('1008', stale)).to.equal(true);
    await n.live.agents.login('1008');
    await n.live.agents.change('1008', 'ready');
    const { snap } = await agentConsole('1008');
    expect(snap.state.state).to.equal('ready');
    expect(snap.pop).to.equal(null);
  });

  describe('commands', () => {
    let c: ConsoleClient;
    before(async () => {
      ({ c } = await agentConsole('1009'));
    });

    it('state changes are validated and acknowledged with the new state or the reason', async () => {
      const bad = await c.command<AgentStateView>('agent:set-state', { state: 'dancing' });
      expect(bad.ok).to.equal(false);
      expect((bad as Extract<Ack<unknown>, { ok: false }>).error.code).to.equal('validation');
      const noReason = await c.command<AgentStateView>('agent:set-state', { state: 'not_ready' });
      expect(noReason).to.deep.include({ ok: false });
      expect(JSON.stringify(noReason)).to.contain('reason');
      const notObject = await c.command<AgentStateView>('agent:set-state', 'ready');
      expect(notObject.ok).to.equal(false);
      const extra = await c.command<AgentStateView>('agent:set-state', { state: 'ready', $where: 'x' });
      expect(extra.ok).to.equal(false);

      const ok = await c.command<AgentStateView>('agent:set-state', { state: 'not_ready', reason: 'meal' });
      expect(ok).to.deep.include({ ok: true });
      expect((ok as { data: AgentStateView }).data).to.include({ workNumber: '1009', state: 'not_ready', reason: 'meal' });
      const ready = await c.command<AgentStateView>('agent:set-state', { state: 'ready' });
      expect((ready as { data: AgentStateView }).data.state).to.equal('ready');
    });

    it('a move the state machine forbids is refused with conflict', async () => {
      const callId = randomUUID();
      await n.reserve('1009', callId);
      expect(await n.live.agents.forCall('1009', callId, 'ringing', ['reserved'])).to.equal(true);
      expect(await n.live.agents.forCall('1009', callId, 'talking', ['ringing'])).to.equal(true);
      const r = await c.command<AgentStateView>('agent:set-state', { state: 'not_ready', reason: 'break' });
      expect(r).to.deep.include({ ok: false });
      expect((r as Extract<Ack<unknown>, { ok: false }>).error.code).to.equal('conflict');
      expect(await n.live.agents.forCall('1009', callId, 'acw', ['talking'])).to.equal(true);
      const back = await c.command<AgentStateView>('agent:set-state', { state: 'ready' });
      expect(back.ok).to.equal(true);
    });

    it('unknown events and commands without an ack are ignored; the socket keeps working', async () => {
      const unknown = c.raw.timeout(300).emitWithAck('admin:drop-everything', { all: true });
      let err: unknown;
      try {
        await unknown;
      } catch (e) {
        err = e;
      }
      expect(String(err)).to.match(/timed out/);
      c.raw.emit('agent:set-state', { state: 'offline' }); // no ack: not run
      const r = await c.command<AgentSnapshot>('session:resync');
      expect(r.ok).to.equal(true);
      expect((r as { data: AgentSnapshot }).data.state.state).to.equal('ready');
      expect(c.raw.connected).to.equal(true);
    });

    it('a socket that floods is rate-limited (rate_limited acks), then served again', async () => {
      const { c } = await agentConsole('1009'); // a fresh socket: a full bucket of 20
      const results = await Promise.all(Array.from({ length: 40 }, () => c.command<AgentSnapshot>('session:resync')));
      const limited = results.filter((r) => !r.ok && r.error.code === 'rate_limited').length;
      expect(limited).to.be.greaterThan(10);
      expect(results.filter((r) => r.ok).length).to.be.within(20, 25);
      expect(c.raw.connected).to.equal(true);
      // The bucket refills (5/s): wait for one token by retrying on the ack, not by sleeping blindly.
      let again: Ack<AgentSnapshot> = { ok: false, error: { code: 'rate_limited', message: '', zh: '' } };
      for (let i = 0; i < 20 && !again.ok; i++) {
        await new Promise((r) => setTimeout(r, 100));
        again = await c.command<AgentSnapshot>('session:resync');
      }
      expect(again.ok).to.equal(true);
    });

    it('files a work order from the pop over the socket: number per day, department by category, call linked, history', async () => {
      // A second console of the same agent: its own rate-limit bucket, untouched by the flood above.
      const { c } = await agentConsole('1009');
      const callId = randomUUID();
      await n.node.models.Call.create({
        callId,
        node: 'a',
        callerChannelId: `ch-${callId}`,
        callerNumber: knownPhone,
        dialledNumber: '952525',
        state: 'talking',
        arrivedAt: new Date(),
        agentWorkNumber: '1009',
      });
      const r = await c.command<WorkOrderView>('work-order:create', {
        category: 'leak',
        callId,
        customerAccount: known.accountNumber,
        contactName: known.name,
        contactPhone: knownPhone,
        address: known.address,
        description: '门口水表前管道漏水',
        leak: { location: '东风路 12 号门口', pipeDiameterMm: 25, meterSide: 'before', landmarks: '邮局对面' },
      });
      expect(r.ok, JSON.stringify(r)).to.equal(true);
      const wo = (r as { data: WorkOrderView }).data;
      expect(wo.number).to.match(/^WO\d{8}-\d{4}$/);
      // Dispatched at once: the engineering company's duty receiver was notified (Art. 8).
      expect(wo).to.include({ category: 'leak', department: 'engineering', emergency: false, callId, createdBy: '1009', owner: '1009', status: 'dispatched' });
      expect(wo.leak).to.deep.equal({ location: '东风路 12 号门口', pipeDiameterMm: 25, meterSide: 'before', landmarks: '邮局对面' });
      const doc = await n.node.models.WorkOrder.findOne({ number: wo.number }).lean();
      expect(doc?.history.map((e) => e.action)).to.deep.equal(['created', 'notice-sent', 'dispatched']);
      expect(doc?.history[0]).to.include({ by: '1009', action: 'created' });
      expect(doc?.history[2]).to.include({ by: 'system', from: 'open', to: 'dispatched' });

      const missing = await c.command<WorkOrderView>('work-order:create', {
        category: 'fault',
        contactPhone: knownPhone,
        address: known.address,
        description: '停水',
      });
      expect(missing.ok).to.equal(false);
      expect(JSON.stringify(missing)).to.contain('leak.location');

      const noCall = await c.command<WorkOrderView>('work-order:create', {
        category: 'inquiry',
        callId: randomUUID(),
        contactPhone: knownPhone,
        address: known.address,
        description: '咨询水费',
      });
      expect((noCall as Extract<Ack<unknown>, { ok: false }>).error.code).to.equal('not_found');
    });
  });
});
