import { expect } from 'chai';
import type { Ack, AgentClientToServer, AgentServerToClient, LoginResponse, ScreenPop, TransferTargetsView, TransferView, WorkOrderView } from '../../contracts';
import type { CtiNode } from '../../main';
import type { CallerHandle } from '../../sim/ari/script';
import { callClosed } from '../helpers/calls';
import { ConsoleClient, login } from '../helpers/consoles';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

type AgentSocket = ConsoleClient<AgentServerToClient, AgentClientToServer>;

const DEPT_NUMBER = '075786000101'; // 营业部's transfer line (seed)
let seq = 0;
/** The agent's number read to the caller (报工号) lasts this long: a test stretches it to ask during it. */
let introMs = 40;

/**
 * Consult transfer, return to the caller and blind transfer to a department (issue 18), through the
 * real ari-client against the ARI simulator, on two CTI nodes: whichever node owns the call runs
 * the transfer, whichever node serves the agent's console.
 */
describe('transfer: consult → complete / return, department, hand-over of the work orders', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  const tokens = new Map<string, LoginResponse>();
  const sockets: AgentSocket[] = [];

  before(async () => {
    h = await PbxHarness.start({
      nodes: 2,
      ready: [],
      soundMs: 40,
      soundMsFor: (uri) => (uri.includes('agent-intro-suffix') ? introMs : undefined),
      trunkEndpoint: 'carrier',
      env: { ANSWER_ALARM_MS: '2000', AFTER_CALL_WORK_MS: '60000', TRANSFER_RING_SEC: '2' },
    });
    for (const wn of EXTENSIONS) await h.calls.agents.login(wn);
    for (const wn of ['1004', '1005', '1006']) tokens.set(wn, await login(h.node.url, wn, 'test-password'));
  });
  after(async () => {
    for (const s of sockets) s.close();
    await h?.stop();
  });
  beforeEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const e of EXTENSIONS) h.pbx.setPhone(e, { behaviour: { kind: 'answer', afterMs: 300 } });
    for (const wn of EXTENSIONS) {
      await waitFor(async () => !['reserved', 'ringing', 'talking'].includes((await h.calls.acd.agent(wn))?.state ?? ''), { what: `${wn} free` });
      const a = await h.calls.acd.agent(wn);
      if (a?.state !== 'not_ready') await h.calls.agents.change(wn, 'not_ready', 'other');
    }
  });

  async function socketOf(wn: string, node: CtiNode): Promise<AgentSocket> {
    const s: AgentSocket = new ConsoleClient(node.url, '/agent', tokens.get(wn)!.token);
    await s.connect();
    sockets.push(s);
    return s;
  }

  /**
   * 1004 answers a Mandarin caller; returns the call and the node that owns it. Unless `bridged` is
   * false, only once the caller and 1004 share the call's bridge.
   */
  async function answered({ bridged = true } = {}): Promise<{ caller: CallerHandle; callId: string; owner: CtiNode; other: CtiNode }> {
    await h.calls.agents.change('1004', 'ready');
    const caller = h.ari.placeCall({ callerNumber: `1380000${String(4000 + ++seq)}`, dtmf: [{ digit: '2', afterMs: 0 }] });
    const callId = await waitFor(async () => {
      const a = await h.calls.acd.agent('1004');
      return a?.state === 'talking' && a.callId;
    }, { what: '1004 talking' });
    if (bridged) await waitFor(() => callerBridges(caller).some((b) => b.channels.length === 2), { what: 'caller bridged with 1004' });
    const ownerId = await h.calls.acd.liveOwner(callId);
    const owner = h.nodes.find((n) => n.config.NODE_ID === ownerId)!;
    const other = h.nodes.find((n) => n !== owner)!;
    return { caller, callId, owner, other };
  }

  const callerBridges = (caller: CallerHandle) => h.ari.bridges().filter((b) => b.channels.includes(caller.id));
  const consultBridges = (callId: string) => h.ari.bridges().filter((b) => b.id.startsWith(`consult-${callId}`));
  const state = async (wn: string) => (await h.calls.acd.agent(wn))?.state;

  function ok<T>(r: Ack<T>): T {
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    return (r as { data: T }).data;
  }

  async function fileOrder(s: AgentSocket, callId: string): Promise<WorkOrderView> {
    return ok(
      await s.command<WorkOrderView>('work-order:create', {
        category: 'billing',
        callId,
        contactPhone: '13800004321',
        address: '人民路12号',
        description: '水费账单疑问',
      }),
    );
  }

  it('a consult asked while the caller still hears the agent\'s number (报工号) waits for the conversation instead of being refused', async () => {
    introMs = 1500;
    try {
      const { caller, callId, other } = await answered({ bridged: false });
      // The console shows the call as answered already; the caller is not yet bridged with the agent.
      expect((await h.calls.acd.liveStep(callId))?.state).to.equal('announcing');
      await h.calls.agents.change('1005', 'ready');
      const first = await socketOf('1004', other);
      const started = ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
      expect(started).to.include({ stage: 'ringing', kind: 'consult', target: '1005' });
      expect((await h.calls.acd.liveStep(callId))?.state).to.equal('talking');
      ok(await first.command<TransferView>('call:consult-cancel', { callId }));
      await waitFor(() => callerBridges(caller).some((b) => b.channels.length === 2), { what: 'back with the caller' });
      caller.hangup();
      await callClosed(h, caller);
    } finally {
      introMs = 40;
    }
  });

  it('consult → complete: the colleague takes the caller in the one call bridge, the first agent goes to after-call work, the recording goes on in a linked part, the order follows', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    const order = await fileOrder(first, callId);
    await h.calls.agents.change('1005', 'ready');
    const colleague = await socketOf('1005', h.nodes[1]!);

    const targets = ok(await first.command<TransferTargetsView>('call:transfer-targets', {}));
    expect(targets.agents.map((a) => a.workNumber)).to.include('1005').and.not.include('1004');
    expect(targets.supervisors.map((a) => a.workNumber)).to.include('2001');
    expect(targets.departments.map((d) => d.number)).to.include(DEPT_NUMBER);

    const started = ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    expect(started).to.include({ stage: 'ringing', kind: 'consult', target: '1005', agentWorkNumber: '1004' });
    // The colleague's pop says who consults them.
    const pop = await colleague.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    expect(pop.consult).to.deep.equal({ from: '1004', fromName: '王丽娜' });
    await first.next<TransferView>('transfer:update', (t) => t.stage === 'consulting');
    expect(await state('1005')).to.equal('talking');
    // Meanwhile the caller is alone with music; the two agents talk in the consult bridge.
    expect(callerBridges(caller).map((b) => b.channels)).to.deep.equal([[caller.id]]);
    expect(consultBridges(callId)[0]!.channels).to.have.members([`${callId}-1`, `${callId}-c1`]);
    expect(caller.heard().some((e) => e.kind === 'moh' && e.source === 'bridge')).to.equal(true);

    const done = ok(await first.command<TransferView>('call:consult-complete', { callId }));
    expect(done.stage).to.equal('completed');
    await waitFor(() => callerBridges(caller).length === 1 && callerBridges(caller)[0]!.channels.length === 2 && consultBridges(callId).length === 0, { what: 'one caller bridge' });
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-c1`]);
    expect(h.ari.channels().some((c) => c.id === `${callId}-1`), 'first agent leg hung up').to.equal(false);
    expect(await state('1004')).to.equal('acw');
    expect((await h.calls.acd.agent('1005'))).to.include({ state: 'talking', callId });
    const ended = await first.next<{ callId: string }>('call:ended', (c) => c.callId === callId);
    expect(ended.callId).to.equal(callId);

    // The order is now the colleague's, on record.
    const wo = await waitFor(async () => {
      const d = await h.node.models.WorkOrder.findOne({ number: order.number }).lean();
      return d?.owner === '1005' && d;
    }, { what: 'order handed over' });
    const last = wo.history[wo.history.length - 1]!;
    expect(last).to.include({ action: 'handed-over', by: '1004' });
    expect(last.note).to.contain('1004 → 1005');

    // The call ends later: the colleague goes to after-call work, and the call names them.
    caller.hangup();
    const call = await callClosed(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1005', recordingName: `call-${callId}-2` });
    expect(call.handovers).to.have.length(1);
    expect(call.handovers![0]).to.include({ from: '1004', to: '1005', kind: 'consult' });
    await waitFor(async () => (await state('1005')) === 'acw', { what: '1005 in after-call work' });
    const recs = await waitFor(async () => {
      const r = await h.node.models.Recording.find({ callId }).sort({ startedAt: 1 }).lean();
      return r.length === 2 && r.every((x) => x.state === 'done') && r;
    }, { what: 'two recording parts' });
    expect(recs[0]!.name).to.equal(`call-${callId}`);
    expect(recs[1]).to.include({ name: `call-${callId}-2`, part: 2, previous: `call-${callId}` });
  });

  it('a supervisor can be consulted on their desk phone and take the call', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    ok(await first.command<TransferView>('call:consult', { callId, target: '2001' }));
    await first.next<TransferView>('transfer:update', (t) => t.stage === 'consulting' && t.target === '2001');
    expect(consultBridges(callId)[0]!.channels).to.have.members([`${callId}-1`, `${callId}-c1`]);
    expect(h.ari.channels().find((c) => c.id === `${callId}-c1`)?.name).to.match(/^PJSIP\/2001-/);
    ok(await first.command<TransferView>('call:consult-complete', { callId }));
    await waitFor(() => callerBridges(caller).length === 1 && callerBridges(caller)[0]!.channels.includes(`${callId}-c1`), { what: 'supervisor with the caller' });
    expect(await state('1004')).to.equal('acw');
    caller.hangup();
    const call = await callClosed(h, caller);
    expect(call.handovers![0]).to.include({ from: '1004', to: '2001', kind: 'consult' });
  });

  it('consult → return: the colleague is let go (Ready), the agent is back with the caller in the one call bridge', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    await h.calls.agents.change('1005', 'ready');
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    await first.next<TransferView>('transfer:update', (t) => t.stage === 'consulting');
    const back = ok(await first.command<TransferView>('call:consult-cancel', { callId }));
    expect(back).to.include({ stage: 'returned', reason: 'cancelled' });
    await waitFor(() => consultBridges(callId).length === 0 && callerBridges(caller)[0]?.channels.length === 2, { what: 'back with the caller' });
    expect(callerBridges(caller)).to.have.length(1);
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-1`]);
    await waitFor(async () => (await state('1005')) === 'ready', { what: '1005 Ready again' });
    expect(await h.calls.acd.agent('1004')).to.include({ state: 'talking', callId });
    caller.hangup();
    const call = await callClosed(h, caller);
    expect(call).to.include({ agentWorkNumber: '1004', outcome: 'answered' });
    expect(call.handovers ?? []).to.have.length(0);
  });

  it('the colleague does not answer: the consult ends with the ring time and the agent is back with the caller, told why', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    h.pbx.setPhone('1005', { behaviour: { kind: 'no-answer' } });
    await h.calls.agents.change('1005', 'ready');
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    const failed = await first.next<TransferView>('transfer:update', (t) => t.stage === 'failed', { timeoutMs: 15_000 });
    expect(failed.reason).to.equal('no-answer');
    await waitFor(() => consultBridges(callId).length === 0 && callerBridges(caller)[0]?.channels.length === 2, { what: 'back with the caller' });
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-1`]);
    await waitFor(async () => (await state('1005')) === 'ready', { what: '1005 Ready again' });
    caller.hangup();
    await callClosed(h, caller);
  });

  it('the colleague declines (拒接) on the console: the consult ends, the agent is back with the caller, the colleague Ready', async () => {
    const { caller, callId, owner, other } = await answered();
    const first = await socketOf('1004', owner);
    h.pbx.setPhone('1005', { behaviour: { kind: 'no-answer' } });
    await h.calls.agents.change('1005', 'ready');
    const colleague = await socketOf('1005', other);
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    const pop = await colleague.next<ScreenPop>('pop:show', (p) => p.callId === callId);
    await waitFor(async () => (await state('1005')) === 'ringing', { what: '1005 ringing' });
    ok(await colleague.command('agent:decline', { callId, attempt: pop.attempt }));
    const failed = await first.next<TransferView>('transfer:update', (t) => t.stage === 'failed');
    expect(failed.reason).to.equal('busy');
    await waitFor(() => consultBridges(callId).length === 0 && callerBridges(caller)[0]?.channels.length === 2, { what: 'back with the caller' });
    await waitFor(async () => (await state('1005')) === 'ready', { what: '1005 Ready again' });
    caller.hangup();
    await callClosed(h, caller);
  });

  it('a colleague who is not Ready, someone else’s call, a number not in the directory: refused in Chinese', async () => {
    const { caller, callId, owner, other } = await answered();
    const first = await socketOf('1004', owner);
    const busy = await first.command<TransferView>('call:consult', { callId, target: '1006' });
    expect(busy.ok).to.equal(false);
    expect((busy as { error: { zh: string } }).error.zh).to.contain('不是就绪状态');
    // Not 1005's call: refused by the owner, asked from either node.
    const intruder = await socketOf('1005', other);
    const theirs = await intruder.command<TransferView>('call:consult', { callId, target: '1006' });
    expect(theirs.ok).to.equal(false);
    expect((theirs as { error: { code: string; zh: string } }).error).to.include({ code: 'forbidden' });
    expect((theirs as { error: { zh: string } }).error.zh).to.contain('只有正在接听该通话的坐席');
    const stranger = await first.command<TransferView>('call:transfer-out', { callId, number: '13912345678' });
    expect(stranger.ok).to.equal(false);
    expect((stranger as { error: { code: string; zh: string } }).error.code).to.equal('bad_request');
    expect((stranger as { error: { zh: string } }).error.zh).to.contain('不在转接号码簿');
    const malformed = await first.command<TransferView>('call:consult', { callId: 'x', target: '1005' });
    expect(malformed.ok).to.equal(false);
    // Nothing changed on the call.
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-1`]);
    caller.hangup();
    await callClosed(h, caller);
  });

  it('转部门: the department’s line is dialled through the trunk and takes the caller; the agent goes to after-call work, the order stays theirs with a note', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    const order = await fileOrder(first, callId);
    h.ari.setCallee(DEPT_NUMBER, { kind: 'answer', afterMs: 300 });
    const dialling = ok(await first.command<TransferView>('call:transfer-out', { callId, number: DEPT_NUMBER }));
    expect(dialling).to.include({ stage: 'ringing', kind: 'department', target: 'business', number: DEPT_NUMBER });
    // The agent stays with the caller while the department's phone rings.
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-1`]);
    await first.next<TransferView>('transfer:update', (t) => t.stage === 'completed');
    await waitFor(() => callerBridges(caller).length === 1 && callerBridges(caller)[0]!.channels.includes(`${callId}-d1`) && callerBridges(caller)[0]!.channels.length === 2, { what: 'department in the call bridge' });
    expect(await state('1004')).to.equal('acw');
    const wo = await waitFor(async () => {
      const d = await h.node.models.WorkOrder.findOne({ number: order.number }).lean();
      return d && d.history.some((x) => x.note?.includes('通话已转营业部')) && d;
    }, { what: 'order noted' });
    expect(wo.owner).to.equal('1004');
    // The department's clerk ends the call first: no hotline agent broke the hang-up rule.
    h.ari.agentHangup(`${callId}-d1`);
    const call = await callClosed(h, caller);
    expect(call.handovers![0]).to.include({ from: '1004', kind: 'department', number: DEPT_NUMBER, department: 'business' });
    expect(call).to.include({ outcome: 'answered', hangupBy: 'agent', agentHungUpFirst: false });
  });

  it('转部门 unanswered: the agent stays with the caller and is told', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    h.ari.setCallee(DEPT_NUMBER, { kind: 'no-answer' });
    ok(await first.command<TransferView>('call:transfer-out', { callId, number: DEPT_NUMBER }));
    const failed = await first.next<TransferView>('transfer:update', (t) => t.stage === 'failed', { timeoutMs: 15_000 });
    expect(failed.reason).to.equal('no-answer');
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-1`]);
    expect(await h.calls.acd.agent('1004')).to.include({ state: 'talking', callId });
    caller.hangup();
    await callClosed(h, caller);
  });

  it('two nodes: the agent’s console on the node that does not own the call consults and completes through the owner', async () => {
    const { caller, callId, other } = await answered();
    const first = await socketOf('1004', other);
    await h.calls.agents.change('1005', 'ready');
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    await first.next<TransferView>('transfer:update', (t) => t.stage === 'consulting');
    ok(await first.command<TransferView>('call:consult-complete', { callId }));
    await waitFor(() => callerBridges(caller).length === 1 && callerBridges(caller)[0]!.channels.includes(`${callId}-c1`), { what: 'colleague with the caller' });
    expect(await state('1004')).to.equal('acw');
    caller.hangup();
    const call = await callClosed(h, caller);
    expect(call.agentWorkNumber).to.equal('1005');
  });

  it('the caller hangs up during a consult: the colleague is freed and no bridge is left', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    await h.calls.agents.change('1005', 'ready');
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    await first.next<TransferView>('transfer:update', (t) => t.stage === 'consulting');
    caller.hangup();
    await callClosed(h, caller);
    await waitFor(async () => (await state('1005')) === 'ready' && (await state('1004')) === 'acw', { what: 'both agents freed' });
    await waitFor(() => consultBridges(callId).length === 0 && !h.ari.channels().some((c) => c.id.startsWith(callId)), { what: 'no leg or consult bridge left' });
  });

  it('the agent hangs up their phone while consulting: the transfer completes (as 完成转接), not "agent hung up first"', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    await h.calls.agents.change('1005', 'ready');
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    await first.next<TransferView>('transfer:update', (t) => t.stage === 'consulting');
    h.ari.agentHangup(`${callId}-1`);
    const done = await first.next<TransferView>('transfer:update', (t) => t.stage === 'completed');
    expect(done).to.include({ target: '1005', agentWorkNumber: '1004' });
    await waitFor(() => callerBridges(caller).length === 1 && callerBridges(caller)[0]!.channels.length === 2 && consultBridges(callId).length === 0, { what: 'the caller with the colleague' });
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-c1`]);
    expect(caller.isUp()).to.equal(true);
    await waitFor(async () => (await state('1004')) === 'acw', { what: '1004 in after-call work' });
    expect(await h.calls.acd.agent('1005')).to.include({ state: 'talking', callId });
    caller.hangup();
    const call = await callClosed(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1005', hangupBy: 'caller', agentHungUpFirst: false });
    expect(call.handovers![0]).to.include({ from: '1004', to: '1005', kind: 'consult' });
  });

  it('the agent hangs up while the colleague’s phone rings: the caller (on music) goes to the colleague when they answer', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    h.pbx.setPhone('1005', { behaviour: { kind: 'answer', afterMs: 1200 } });
    await h.calls.agents.change('1005', 'ready');
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    await waitFor(async () => (await state('1005')) === 'ringing', { what: '1005 ringing' });
    h.ari.agentHangup(`${callId}-1`);
    // Until the answer the caller waits alone with music; the call goes on.
    await waitFor(() => !h.ari.channels().some((c) => c.id === `${callId}-1`), { what: 'first leg gone' });
    expect(caller.isUp()).to.equal(true);
    const done = await first.next<TransferView>('transfer:update', (t) => t.stage === 'completed');
    expect(done.target).to.equal('1005');
    await waitFor(() => callerBridges(caller).length === 1 && callerBridges(caller)[0]!.channels.length === 2 && consultBridges(callId).length === 0, { what: 'the caller with the colleague' });
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-c1`]);
    await waitFor(async () => (await state('1004')) === 'acw', { what: '1004 in after-call work' });
    expect(await h.calls.acd.agent('1005')).to.include({ state: 'talking', callId });
    caller.hangup();
    const call = await callClosed(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1005', agentHungUpFirst: false });
  });

  it('the agent hangs up while the colleague’s phone rings and nobody answers: the call ends as the agent hanging up first', async () => {
    const { caller, callId, owner } = await answered();
    const first = await socketOf('1004', owner);
    h.pbx.setPhone('1005', { behaviour: { kind: 'no-answer' } });
    await h.calls.agents.change('1005', 'ready');
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    await waitFor(async () => (await state('1005')) === 'ringing', { what: '1005 ringing' });
    h.ari.agentHangup(`${callId}-1`);
    const failed = await first.next<TransferView>('transfer:update', (t) => t.stage === 'failed', { timeoutMs: 15_000 });
    expect(failed.reason).to.equal('no-answer');
    const call = await callClosed(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1004', hangupBy: 'agent', agentHungUpFirst: true });
    await waitFor(async () => (await state('1005')) === 'ready' && (await state('1004')) === 'acw', { what: '1005 Ready, 1004 in after-call work' });
    await waitFor(() => consultBridges(callId).length === 0 && !h.ari.channels().some((c) => c.id.startsWith(callId)), { what: 'no leg or consult bridge left' });
  });

  // Last: it leaves one node.
  it('the owning process dies mid-consult: the survivor puts the agent back with the caller and frees the colleague', async () => {
    const { caller, callId, owner, other } = await answered();
    const first = await socketOf('1004', other);
    await h.calls.agents.change('1005', 'ready');
    ok(await first.command<TransferView>('call:consult', { callId, target: '1005' }));
    await first.next<TransferView>('transfer:update', (t) => t.stage === 'consulting');
    await h.kill(owner.config.NODE_ID);
    const undone = await first.next<TransferView>('transfer:update', (t) => t.stage === 'failed', { timeoutMs: 20_000 });
    expect(undone.callId).to.equal(callId);
    await waitFor(() => consultBridges(callId).length === 0 && callerBridges(caller)[0]?.channels.length === 2, { what: 'back with the caller', timeoutMs: 20_000 });
    expect(callerBridges(caller)[0]!.channels).to.have.members([caller.id, `${callId}-1`]);
    expect(h.ari.channels().some((c) => c.id === `${callId}-c1`)).to.equal(false);
    await waitFor(async () => (await state('1005')) === 'ready', { what: '1005 Ready again' });
    caller.hangup();
    const call = await callClosed(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1004' });
  });
});
