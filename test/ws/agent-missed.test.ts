import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { DomainEvent } from '../../events/domain-events';
import { customers } from '../../scripts/seed-data';
import type { Ack, AgentSnapshot, MissedCallView, PopOrdersView, ScreenPop, WorkOrderView } from '../../contracts';
import { PopStore } from '../../agent-console/pops';
import { ConsoleNode } from '../helpers/console-node';
import type { ConsoleClient } from '../helpers/consoles';

type Ringing = Extract<DomainEvent, { type: 'call.ringing' }>;
type Refused = Extract<Ack<unknown>, { ok: false }>;

/**
 * A ring the agent's phone did not take must never leave the console on the call before it: the
 * server says so (`offer:missed`, before `pop:clear`) and remembers it for a refresh. Also the
 * pop's open orders after filing one, and the demo-only 接听 refused outside the demo.
 */
describe('/agent console: a missed ring, the pop after filing an order, 接听 outside the demo', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  const first = customers()[1]!;
  const second = customers()[2]!;

  before(async () => {
    n = await ConsoleNode.start();
  });
  after(async () => n?.stop());

  async function agentConsole(wn: string): Promise<{ c: ConsoleClient; snap: AgentSnapshot }> {
    const c = await n.client('/agent', wn);
    return { c, snap: await c.next<AgentSnapshot>('session:snapshot') };
  }

  async function ring(wn: string, callId: string, who: { phone: string; account?: string }): Promise<Ringing> {
    const { agents } = n.live;
    await agents.change(wn, 'ready').catch(() => undefined);
    await n.reserve(wn, callId);
    expect(await agents.forCall(wn, callId, 'ringing', ['reserved'])).to.equal(true);
    const e: Ringing = {
      type: 'call.ringing',
      callId,
      attempt: 1,
      agentWorkNumber: wn,
      callerNumber: who.phone,
      language: 'yue',
      ...(who.account ? { customerAccount: who.account } : {}),
      queuedAt: Date.now() - 2000,
      ringingAt: Date.now(),
    };
    await n.publish(e);
    return e;
  }

  /** Ring → answer → end: the agent's last call, as after a real call. */
  async function answeredCall(c: ConsoleClient, wn: string, who: { phone: string; account?: string }): Promise<string> {
    const callId = randomUUID();
    await ring(wn, callId, who);
    await c.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    expect(await n.live.agents.forCall(wn, callId, 'talking', ['ringing'])).to.equal(true);
    await n.publish({ type: 'call.answered', callId, agentWorkNumber: wn, answeredAt: Date.now(), ringMs: 1000, waitMs: 3000 });
    expect(await n.live.agents.forCall(wn, callId, 'acw', ['talking'])).to.equal(true);
    await n.publish({ type: 'call.ended', callId, outcome: 'answered', agentWorkNumber: wn, hangupBy: 'caller', at: Date.now(), test: false });
    await c.next('call:ended', (l: { callId: string }) => l.callId === callId);
    return callId;
  }

  it('the 20 s alarm: offer:missed (with the missed caller, before pop:clear), and after a refresh the miss, not the call before it', async () => {
    let { c } = await agentConsole('1001');
    const before = await answeredCall(c, '1001', { phone: first.phones[0]!, account: first.accountNumber });

    const callId = randomUUID();
    await ring('1001', callId, { phone: second.phones[0]!, account: second.accountNumber });
    await c.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    const m = c.mark();
    // What the alarm job and the call's owner publish: the agent Not Ready "no-answer", the offer ended.
    expect(await n.live.agents.forCall('1001', callId, 'not_ready', ['ringing'], 'no-answer')).to.equal(true);
    const endedAt = Date.now();
    await n.publish({ type: 'call.offer-ended', callId, attempt: 1, agentWorkNumber: '1001', result: 'no-answer', ringMs: 20_000, at: endedAt });
    const missed = await c.next<MissedCallView>('offer:missed', () => true, { from: m });
    expect(missed).to.deep.equal({ callId, attempt: 1, callerNumber: second.phones[0], result: 'no-answer', ringMs: 20_000, at: endedAt });
    await c.next('pop:clear', () => true, { from: m });
    const order = c.received.slice(m).map((r) => r.event).filter((e) => e === 'offer:missed' || e === 'pop:clear');
    expect(order).to.deep.equal(['offer:missed', 'pop:clear']);

    c.close();
    let snap: AgentSnapshot;
    ({ c, snap } = await agentConsole('1001'));
    expect(snap.pop).to.equal(null);
    expect(snap.state).to.include({ state: 'not_ready', reason: 'no-answer' });
    expect(snap.missed).to.deep.equal(missed);
    // The call before is still there for the record, but older than the miss: the page shows the miss.
    expect(snap.lastCall?.callId).to.equal(before);
    expect(snap.missed!.at).to.be.greaterThan(snap.lastCall!.endedAt);

    // The next answered call supersedes the miss.
    await answeredCall(c, '1001', { phone: first.phones[0]!, account: first.accountNumber });
    c.close();
    ({ snap } = await agentConsole('1001'));
    expect(snap.missed).to.equal(null);
  });

  it('拒接 is a miss too; a caller who hangs up while it rings is not (the agent did nothing wrong)', async () => {
    const { c } = await agentConsole('1002');
    const declined = randomUUID();
    await ring('1002', declined, { phone: '13700000011' });
    await c.next<ScreenPop>('pop:show', (p) => p.callId === declined);
    let m = c.mark();
    await n.publish({ type: 'call.offer-ended', callId: declined, attempt: 1, agentWorkNumber: '1002', result: 'declined', ringMs: 4000, at: Date.now() });
    expect(await c.next<MissedCallView>('offer:missed', () => true, { from: m })).to.include({ callId: declined, result: 'declined', callerNumber: '13700000011' });

    const gone = randomUUID();
    await ring('1002', gone, { phone: '13700000012' });
    await c.next<ScreenPop>('pop:show', (p) => p.callId === gone);
    m = c.mark();
    await n.publish({ type: 'call.offer-ended', callId: gone, attempt: 1, agentWorkNumber: '1002', result: 'caller-gone', ringMs: 2000, at: Date.now() });
    await c.next('pop:clear', (p: { callId: string }) => p.callId === gone, { from: m });
    expect(c.events('offer:missed', m)).to.deep.equal([]);
  });

  it('every process applies the same end: the miss is stored once, and a late older miss never replaces a newer one', async () => {
    const store = new PopStore(n.node.redis, n.live.acd.keys.p);
    const newer = { callId: randomUUID(), attempt: 2, result: 'no-answer', ringMs: 20_000, at: Date.now() };
    const older = { callId: randomUUID(), attempt: 1, result: 'busy', ringMs: 0, at: newer.at - 60_000 };
    const a = await store.clearPop('1003', newer);
    const b = await store.clearPop('1003', newer);
    expect(a).to.deep.equal(b);
    expect(a).to.include({ callId: newer.callId, attempt: 2, result: 'no-answer', callerNumber: '' });
    expect(await store.clearPop('1003', older)).to.equal(null);
    expect((await store.missed('1003'))?.callId).to.equal(newer.callId);
  });

  it('filing an order on the call refreshes the pop\'s open orders, pushed at once and kept for a refresh', async () => {
    let { c } = await agentConsole('1004');
    const callId = randomUUID();
    await n.node.models.Call.create({
      callId,
      node: 'a',
      callerChannelId: `ch-${callId}`,
      callerNumber: first.phones[0]!,
      dialledNumber: '952525',
      state: 'talking',
      arrivedAt: new Date(),
      agentWorkNumber: '1004',
    });
    await ring('1004', callId, { phone: first.phones[0]!, account: first.accountNumber });
    const pop = await c.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    expect(await n.live.agents.forCall('1004', callId, 'talking', ['ringing'])).to.equal(true);
    const m = c.mark();
    // Another contact number than the caller's: the order is still the call's own.
    const r = await c.command<WorkOrderView>('work-order:create', {
      category: 'inquiry',
      callId,
      customerAccount: first.accountNumber,
      contactPhone: '13812340000',
      address: first.address,
      description: '咨询水费账单',
    });
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    const number = (r as { data: WorkOrderView }).data.number;
    const pushed = await c.next<PopOrdersView>('pop:orders', (o) => o.callId === callId, { from: m });
    expect(pushed.openWorkOrders.map((o) => o.number)).to.include(number);
    expect(pushed.openWorkOrders.length).to.equal(pop.openWorkOrders.length + 1);

    c.close();
    let snap: AgentSnapshot;
    ({ c, snap } = await agentConsole('1004'));
    expect(snap.pop?.openWorkOrders.map((o) => o.number)).to.include(number);

    // After the call the last call's pop carries it too.
    expect(await n.live.agents.forCall('1004', callId, 'acw', ['talking'])).to.equal(true);
    await n.publish({ type: 'call.ended', callId, outcome: 'answered', agentWorkNumber: '1004', hangupBy: 'caller', at: Date.now(), test: false });
    await c.next('call:ended');
    c.close();
    ({ snap } = await agentConsole('1004'));
    expect(snap.lastCall?.pop?.openWorkOrders.map((o) => o.number)).to.include(number);
  });

  it('outside the demo there is no 接听: the snapshot says so and demo:answer is refused in Chinese', async () => {
    const { c, snap } = await agentConsole('1005');
    expect(snap.demoDeskPhone).to.equal(false);
    const callId = randomUUID();
    await ring('1005', callId, { phone: '13700000013' });
    await c.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    const r = await c.command('demo:answer', { callId, attempt: 1 });
    expect(r.ok).to.equal(false);
    expect((r as Refused).error.code).to.equal('forbidden');
    expect((r as Refused).error.zh).to.match(/演示/);
    const bad = await c.command('demo:answer', { callId: 'x', attempt: 1 });
    expect((bad as Refused).error.code).to.equal('validation');
  });
});
