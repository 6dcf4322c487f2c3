import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { AgentClientToServer, AgentServerToClient, CallbackCallView, CallbackView, LoginResponse } from '../../contracts';
import type { DeliveredEvent, RestLogEntry } from '../../sim/ari/types';
import { startCti } from '../../main';
import { ConsoleClient, login } from '../helpers/consoles';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const CUSTOMER = '13700001111';
let seq = 0;

/**
 * Click-to-call for phone callbacks (回访) through the real ari-client against the ARI simulator:
 * the agent's own phone rings first; once the agent answers, the customer is called through the
 * carrier trunk into the same bridge, which is recorded once both talk. The Call is outbound,
 * never a hotline statistic; the callback keeps each call; the console is told every step.
 */
describe('callbacks: click-to-call from the agent console (agent phone first, then the customer, bridged and recorded)', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  let agent: LoginResponse;
  let socket: ConsoleClient<AgentServerToClient, AgentClientToServer>;
  const rest: RestLogEntry[] = [];
  const events: Array<DeliveredEvent & { at: number }> = [];

  before(async () => {
    h = await PbxHarness.start({ ready: ['1001'], trunkEndpoint: 'carrier', env: { CALLBACK_AGENT_RING_SEC: '5', CALLBACK_CUSTOMER_RING_SEC: '5' } });
    h.ari.on('rest', (r) => rest.push(r));
    h.ari.on('event', (e) => events.push({ ...e, at: Date.now() }));
    agent = await login(h.node.url, '1001', 'test-password');
    socket = new ConsoleClient(h.node.url, '/agent', agent.token);
    await socket.connect();
  });
  after(async () => {
    socket?.close();
    await h?.stop();
  });
  beforeEach(async () => {
    h.pbx.setPhone('1001', { behaviour: { kind: 'answer', afterMs: 300 } });
    await waitFor(async () => !['reserved', 'ringing', 'talking'].includes((await h.calls.acd.agent('1001'))?.state ?? ''), { what: '1001 free' });
    await h.calls.agents.change('1001', 'ready');
  });

  async function phoneCallback(method: 'phone' | 'sms' = 'phone'): Promise<string> {
    const number = `WO20261203-${String(++seq).padStart(4, '0')}`;
    const id = `${number}.complaint`;
    await h.node.models.Callback.create({
      id,
      workOrderNumber: number,
      category: 'complaint',
      department: 'business',
      reason: 'complaint',
      method,
      phone: CUSTOMER,
      contactName: '陈女士',
      address: '人民路12号',
      status: method === 'phone' ? 'pending' : 'sms_sent',
      completedAt: new Date(),
      dueBy: new Date(Date.now() + 3 * 86_400_000),
    });
    return id;
  }

  async function dial(id: string, token = agent.token): Promise<{ status: number; body: CallbackCallView; zh?: string }> {
    const res = await fetch(`${h.node.url}/api/callbacks/${encodeURIComponent(id)}/call`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as CallbackCallView & { error?: { zh?: string } };
    return { status: res.status, body, ...(body.error?.zh ? { zh: body.error.zh } : {}) };
  }

  const ended = (callId: string) =>
    waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: `call ${callId} closed`, timeoutMs: 30_000 });

  /** The originates of a call's legs, in order: `POST /ari/channels` naming the leg's id. */
  const originates = (callId: string) => rest.filter((r) => r.method === 'POST' && r.path === '/ari/channels' && String(r.query.channelId ?? '').startsWith(`${callId}-`));

  it('rings the agent first, then calls the customer through the trunk, bridges and records them; the Call is outbound and kept on the callback', async () => {
    const id = await phoneCallback();
    h.ari.setCallee(CUSTOMER, { kind: 'answer', afterMs: 400, hangupAfterMs: 1500 });
    const from = socket.mark();
    const placed = await dial(id);
    expect(placed.status, JSON.stringify(placed.body)).to.equal(200);
    const { callId } = placed.body;
    expect(callId).to.match(/^cbcall-[0-9a-f-]{36}$/);
    // Not Ready 「回访」 while calling: no hotline call rings meanwhile.
    expect(await h.calls.acd.agent('1001')).to.include({ state: 'not_ready', reason: 'callback' });

    const stages = await waitFor(() => {
      const s = (socket.events('callback:call', from) as CallbackCallView[]).filter((c) => c.callId === callId).map((c) => c.stage);
      return s.includes('ended') && s;
    }, { what: 'the console to be told the call ended', timeoutMs: 30_000 });
    expect(stages).to.deep.equal(['agent', 'customer', 'talking', 'ended']);

    const call = await ended(callId);
    expect(call).to.include({ direction: 'outbound', callbackId: id, dialledNumber: CUSTOMER, callerNumber: '952525', agentWorkNumber: '1001', outcome: 'answered', hangupBy: 'caller' });
    expect(call.agentAnsweredAt!.getTime()).to.be.at.most(call.answeredAt!.getTime());

    // The agent's phone first; the customer only once the agent's leg entered Stasis (answered).
    const [agentLeg, customerLeg, ...more] = originates(callId);
    expect(more).to.have.length(0);
    expect(agentLeg!.query).to.include({ channelId: `${callId}-a`, endpoint: 'PJSIP/1001', app: 'hotline-a', appArgs: `callback,${callId},agent`, callerId: CUSTOMER });
    expect(customerLeg!.query).to.include({ channelId: `${callId}-c`, endpoint: `PJSIP/${CUSTOMER}@carrier`, app: 'hotline-a', appArgs: `callback,${callId},customer`, callerId: '952525' });
    const agentUp = events.find((e) => e.event.type === 'StasisStart' && (e.event.channel as { id: string }).id === `${callId}-a`)!;
    const agentRang = events.find((e) => e.event.type === 'ChannelStateChange' && (e.event.channel as { id: string; state: string }).id === `${callId}-a` && (e.event.channel as { state: string }).state === 'Ringing');
    expect(agentRang, 'the agent phone rang').to.not.equal(undefined);
    expect(agentUp.at).to.be.at.most(customerLeg!.at);

    // The bridge is recorded, not a channel; the Recording is done and its file kept.
    const recs = rest.filter((r) => r.method === 'POST' && r.path.endsWith('/record') && r.path.includes(callId));
    expect(recs.map((r) => r.path)).to.deep.equal([`/ari/bridges/br-${callId}/record`]);
    const rec = await waitFor(async () => {
      const r = await h.node.models.Recording.findOne({ name: callId }).lean();
      return r?.state === 'done' && r;
    }, { what: 'the recording to finish' });
    expect(rec.callId).to.equal(callId);
    expect(existsSync(join(h.recordingsDir, rec.file))).to.equal(true);

    // Both legs gone, the bridge too.
    await waitFor(() => !h.ari.channels().some((c) => c.id.startsWith(callId)), { what: 'both legs gone' });

    const cb = await waitFor(async () => {
      const c = await h.node.models.Callback.findOne({ id }).lean();
      return c?.calls?.length === 1 && c;
    }, { what: 'the callback to keep the call' });
    expect(cb.calls[0]).to.include({ callId, by: '1001', outcome: 'answered', recordingName: callId });
    expect(cb.calls[0]!.talkMs).to.be.within(500, 10_000);
    expect(cb.status).to.equal('pending');
    // The agent may play it: the Call names them.
    const res = await fetch(`${h.node.url}/api/recordings/${callId}`, { headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.status).to.equal(200);
    // Still Not Ready 「回访」 afterwards: the agent records the result, then goes Ready.
    expect(await h.calls.acd.agent('1001')).to.include({ state: 'not_ready', reason: 'callback' });
    // Not a hotline call: the board's figures and the wait estimate never see it.
    const view = (await (await fetch(`${h.node.url}/api/callbacks/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${agent.token}` } })).json()) as CallbackView;
    expect(view.calls).to.have.length(1);
    expect(view.calls[0]).to.include({ outcome: 'answered', recordingName: callId, failureReason: null });
  });

  it('the customer is busy: the agent leg is ended, the call kept as failed (customer-busy), and the agent may dial again', async () => {
    const id = await phoneCallback();
    h.ari.setCallee(CUSTOMER, { kind: 'busy' });
    const first = await dial(id);
    expect(first.status).to.equal(200);
    const call = await ended(first.body.callId);
    expect(call).to.include({ outcome: 'failed', failureReason: 'customer-busy', hangupBy: 'system', callbackId: id });
    expect(call.answeredAt ?? null).to.equal(null);
    await waitFor(() => !h.ari.channels().some((c) => c.id.startsWith(first.body.callId)), { what: 'the agent leg ended' });
    expect(rest.filter((r) => r.path.includes(first.body.callId) && r.path.endsWith('/record'))).to.have.length(0);

    h.ari.setCallee(CUSTOMER, { kind: 'answer', afterMs: 200, hangupAfterMs: 500 });
    const again = await dial(id);
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    await ended(again.body.callId);
    const cb = await waitFor(async () => {
      const c = await h.node.models.Callback.findOne({ id }).lean();
      return c?.calls?.length === 2 && c;
    }, { what: 'both calls kept' });
    expect(cb.calls.map((c) => [c.outcome, c.failureReason ?? null])).to.deep.equal([
      ['failed', 'customer-busy'],
      ['answered', null],
    ]);
  });

  it("the agent's phone is not answered: the customer is never called", async () => {
    const id = await phoneCallback();
    h.pbx.setPhone('1001', { behaviour: { kind: 'no-answer' } });
    const placed = await dial(id);
    expect(placed.status).to.equal(200);
    const call = await ended(placed.body.callId);
    expect(call).to.include({ outcome: 'failed', failureReason: 'agent-no-answer' });
    expect(originates(placed.body.callId).map((r) => r.query.channelId)).to.deep.equal([`${placed.body.callId}-a`]);
  });

  it('refuses what cannot be called, with a Chinese message: a second call while one is up, an SMS callback, a finished one, a supervisor', async () => {
    const id = await phoneCallback();
    h.pbx.setPhone('1001', { behaviour: { kind: 'no-answer' } });
    const first = await dial(id);
    expect(first.status).to.equal(200);
    const second = await dial(id);
    expect(second.status).to.equal(409);
    expect(second.zh).to.contain('正在进行');
    h.ari.agentHangup(`${first.body.callId}-a`);
    await ended(first.body.callId);

    const sms = await dial(await phoneCallback('sms'));
    expect(sms.status).to.equal(409);
    expect(sms.zh).to.contain('短信回访');

    await h.node.models.Callback.updateOne({ id }, { $set: { status: 'done', doneAt: new Date(), doneBy: '1002' } });
    const done = await dial(id);
    expect(done.status).to.equal(409);
    expect(done.zh).to.contain('登记完成');

    const sup = await login(h.node.url, '2001', 'test-password');
    const refused = await dial(await phoneCallback(), sup.token);
    expect(refused.status).to.equal(403);
    expect(refused.zh).to.contain('无权');
    // Nothing was placed for the refused ones: every agent leg rung belongs to a Call.
    const rung = rest.filter((r) => r.method === 'POST' && r.path === '/ari/channels' && /^cbcall-.*-a$/.test(String(r.query.channelId ?? ''))).length;
    expect(rung).to.equal(await h.node.models.Call.countDocuments({ callbackId: { $exists: true } }));
  });
});

describe('callbacks: a callback call whose CTI process dies', function () {
  this.timeout(60_000);
  let h: PbxHarness;

  before(async () => {
    h = await PbxHarness.start({ nodes: 2, ready: ['1001', '1002'], trunkEndpoint: 'carrier', env: { CALLBACK_AGENT_RING_SEC: '5', CALLBACK_CUSTOMER_RING_SEC: '10' } });
  });
  after(async () => h?.stop());

  async function placeFrom(node: 'a' | 'b', agentWn: string): Promise<{ id: string; callId: string }> {
    const id = `WO20261203-${String(++seq).padStart(4, '0')}.complaint`;
    await h.node.models.Callback.create({
      id,
      workOrderNumber: id.split('.')[0]!,
      category: 'complaint',
      department: 'business',
      reason: 'complaint',
      method: 'phone',
      phone: CUSTOMER,
      address: '人民路12号',
      status: 'pending',
      completedAt: new Date(),
      dueBy: new Date(Date.now() + 3 * 86_400_000),
    });
    const n = h.nodes.find((x) => x.config.NODE_ID === node)!;
    const { token } = await login(n.url, agentWn, 'test-password');
    const res = await fetch(`${n.url}/api/callbacks/${encodeURIComponent(id)}/call`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).to.equal(200);
    return { id, callId: ((await res.json()) as CallbackCallView).callId };
  }

  const kill = (id: string) => h.kill(id);

  it('in conversation: the survivor watches it on, and when the customer hangs up ends the agent leg and closes the call once', async () => {
    h.pbx.setPhone('1001', { behaviour: { kind: 'answer', afterMs: 200 } });
    h.ari.setCallee(CUSTOMER, { kind: 'answer', afterMs: 200, hangupAfterMs: 2500 });
    const { id, callId } = await placeFrom('a', '1001');
    await waitFor(async () => (await h.nodes[0]!.models.Call.findOne({ callId }).lean())?.state === 'talking', { what: 'talking' });
    await kill('a');
    const survivor = h.node;
    await survivor.calls!.app.sweep();
    // Still talking: a take-over ends no conversation.
    expect(h.ari.channels().filter((c) => c.id.startsWith(callId)).map((c) => c.state).sort()).to.deep.equal(['Up', 'Up']);
    const call = await waitFor(async () => {
      const c = await survivor.models.Call.findOne({ callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'closed by the survivor', timeoutMs: 20_000 });
    expect(call).to.include({ outcome: 'answered', hangupBy: 'caller', node: 'b' });
    await waitFor(() => !h.ari.channels().some((c) => c.id.startsWith(callId)), { what: 'the agent leg ended' });
    const cb = await waitFor(async () => {
      const c = await survivor.models.Callback.findOne({ id }).lean();
      return c?.calls?.length === 1 && c;
    }, { what: 'the callback keeps the call' });
    expect(cb.calls[0]).to.include({ outcome: 'answered', recordingName: callId });
    const rec = await waitFor(async () => {
      const r = await survivor.models.Recording.findOne({ name: callId }).lean();
      return r?.state === 'done' && r;
    }, { what: 'the recording finished' });
    expect(rec.callId).to.equal(callId);
    // Another sweep finds nothing left to do.
    await survivor.calls!.app.sweep();
    expect(await survivor.redis.hlen(`${survivor.calls!.acd.keys.p}:callback-calls`)).to.equal(0);
  });

  it("while the customer's phone rings: the survivor ends both legs, the call is kept as cti-stopped, and the agent may dial again", async () => {
    h.pbx.setPhone('1002', { behaviour: { kind: 'answer', afterMs: 200 } });
    h.ari.setCallee(CUSTOMER, { kind: 'no-answer' });
    const { id, callId } = await placeFrom('b', '1002');
    await waitFor(() => h.ari.channels().some((c) => c.id === `${callId}-c`), { what: "the customer's phone called" });
    // The only process left: a new one takes its place, then it dies.
    const fresh = await startCti({ ...h.config, NODE_ID: 'c' });
    h.nodes.push(fresh);
    await kill('b');
    await fresh.calls!.app.sweep();
    const call = await waitFor(async () => {
      const c = await fresh.models.Call.findOne({ callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'ended by the new process' });
    expect(call).to.include({ outcome: 'failed', failureReason: 'cti-stopped', hangupBy: 'system', node: 'c' });
    await waitFor(() => !h.ari.channels().some((c) => c.id.startsWith(callId)), { what: 'both legs ended' });
    const cb = await waitFor(async () => {
      const c = await fresh.models.Callback.findOne({ id }).lean();
      return c?.calls?.length === 1 && c;
    }, { what: 'the callback keeps the call' });
    expect(cb.calls[0]).to.include({ outcome: 'failed', failureReason: 'cti-stopped' });
    // The guards were let go with it: 1002 dials again at once.
    h.ari.setCallee(CUSTOMER, { kind: 'answer', afterMs: 100, hangupAfterMs: 300 });
    const { token } = await login(fresh.url, '1002', 'test-password');
    const again = await fetch(`${fresh.url}/api/callbacks/${encodeURIComponent(id)}/call`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(again.status).to.equal(200);
  });
});
