import { expect } from 'chai';
import { MonitorStore } from '../../cti/monitor/monitor-store';
import { startCti } from '../../main';
import type { DomainEvent } from '../../events/domain-events';
import type { CallDoc } from '../../models/call';
import type { CallerHandle } from '../../sim/ari/script';
import type { RestLogEntry } from '../../sim/ari/types';
import { BoardService } from '../../supervisor-board/board-service';
import type { CallbackCallView, CallbackView } from '../../contracts';
import { stepStored } from '../helpers/calls';
import { login } from '../helpers/consoles';
import { chooseCallback, hears, press } from '../helpers/queue-callback';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

type Ringing = Extract<DomainEvent, { type: 'call.ringing' }>;

const params = (r: RestLogEntry): Record<string, unknown> => ({ ...r.query, ...(r.body && typeof r.body === 'object' ? (r.body as Record<string, unknown>) : {}) });
const originates = (reqs: RestLogEntry[]) => reqs.filter((r) => r.method === 'POST' && /^\/ari\/channels(\/[^/]+)?$/.test(r.path) && typeof params(r).endpoint === 'string');
const endpointOf = (r: RestLogEntry) => String(params(r).endpoint);

describe('queue callback (排队回拨): the caller hangs up keeping their place and is called back', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  const events: DomainEvent[] = [];

  before(async () => {
    // Short prompts, quick phones and key waits: the file runs in seconds (the full suite has a budget).
    h = await PbxHarness.start({
      soundMs: 20,
      defaultBehaviour: { kind: 'answer', afterMs: 50 },
      ready: [],
      trunkEndpoint: 'carrier',
      env: {
        NOTICE_TRUNK_ENDPOINT: 'carrier',
        QUEUE_CALLBACK_OFFER_MS: '100',
        QUEUE_CALLBACK_KEY_WAIT_MS: '400',
        QUEUE_CALLBACK_RETRY_MS: '100',
        QUEUE_CALLBACK_RETRIES: '2',
        QUEUE_CALLBACK_RING_SEC: '5',
        AFTER_CALL_WORK_MS: '150',
      },
    });
    h.node.live.bus.subscribe((e) => events.push(e));
  });
  after(async () => h?.stop());
  beforeEach(async () => {
    await h.quiet();
  });

  /** A new caller chooses Cantonese and waits in the queue. */
  async function queuedCaller(number: string, opts: { hangupAfterBridgedMs?: number } = {}): Promise<{ caller: CallerHandle; callId: string }> {
    const caller = h.ari.placeCall({ callerNumber: number, ...opts });
    await hears(caller, 'greeting-choose');
    caller.sendDtmf('1');
    const doc = await waitFor(async () => h.node.models.Call.findOne({ callerChannelId: caller.id }).lean(), { what: `call of ${number} recorded` });
    await stepStored(h, doc.callId, 'queued');
    // The record says queued just before the shared queue holds the entry.
    await waitFor(async () => (await h.calls.acd.queued()).some((q) => q.callId === doc.callId), { what: `${number} in the shared queue` });
    return { caller, callId: doc.callId };
  }

  const record = (callId: string) => h.node.models.Call.findOne({ callId }).lean() as Promise<CallDoc | null>;
  const ended = (callId: string) => waitFor(async () => ((await record(callId))?.state === 'ended' ? (await record(callId))! : undefined), { what: `call ${callId} ended`, timeoutMs: 40_000 });

  it('keeps its place ahead of a caller who came later: the agent is rung first, then the caller through the trunk, greeted, bridged and recorded; answered via callback', async () => {
    const A = '13800001111';
    h.ari.setCallee(A, { kind: 'answer', afterMs: 50, hangupAfterMs: 100 });
    const a = await queuedCaller(A);
    const aHeard = hears(a.caller, 'queue-callback-number');
    await chooseCallback(a.caller, '1');
    await aHeard;
    // The caller's number was read back digit by digit before the question.
    const media = a.caller.heard().flatMap((e) => (e.kind === 'playback' ? [e.media] : []));
    const at = media.indexOf('sound:hotline/yue/queue-callback-number');
    expect(media.slice(at + 1, at + 12)).to.deep.equal([...A].map((d) => `sound:hotline/yue/digit-${d}`));
    // Registered, then hung up by the hotline; the call lives on as a virtual caller.
    expect((await a.caller.ended).by).to.not.equal('caller');
    expect(a.caller.heard().flatMap((e) => (e.kind === 'playback' ? [e.media] : []))).to.include('sound:hotline/yue/queue-callback-registered');
    await stepStored(h, a.callId, 'callback-waiting');
    const queued = await waitFor(async () => (await h.calls.acd.queued()).find((q) => q.callId === a.callId && q.callback), { what: 'virtual caller in the queue' });
    expect(queued.callback).to.equal(A);

    // B arrives later and waits behind A's virtual entry.
    const b = await queuedCaller('13800002222', { hangupAfterBridgedMs: 100 });
    const order = (await h.calls.acd.queued()).map((q) => q.callId);
    expect(order.indexOf(a.callId)).to.be.lessThan(order.indexOf(b.callId));
    expect(order.indexOf(a.callId)).to.be.greaterThan(-1);

    // The board shows the virtual caller (回拨) at its place.
    const board = await new BoardService({ models: h.node.models, acd: h.calls.acd, serviceLevelMs: 20_000, monitors: new MonitorStore(h.node.redis, h.config.REDIS_PREFIX) }).snapshot();
    expect(board.queue.map((q) => q.callId)).to.deep.equal(order);
    expect(board.queue.find((q) => q.callId === a.callId)?.callback).to.equal(A);
    expect(board.queue.find((q) => q.callId === b.callId)?.callback).to.equal(undefined);

    h.ari.clearRequests();
    await h.ready('1001');

    const aDoc = await ended(a.callId);
    const reqs = h.ari.requests();
    const dials = originates(reqs);
    const agentRing = dials.findIndex((r) => endpointOf(r) === 'PJSIP/1001');
    const trunk = dials.findIndex((r) => endpointOf(r) === `PJSIP/${A}@carrier`);
    expect(agentRing, 'the agent was rung').to.equal(0);
    expect(trunk, 'then the caller dialled through the trunk').to.be.greaterThan(agentRing);
    // The agent's ring was A's (B came later).
    const ringing = events.filter((e): e is Ringing => e.type === 'call.ringing');
    expect(ringing[0]).to.include({ callId: a.callId, agentWorkNumber: '1001' });
    expect(ringing[0]!.queueCallback).to.deep.equal({ number: A });
    expect(h.node.popContext.builder.bare(ringing[0]!).queueCallback).to.deep.equal({ number: A });
    // The greeting played to the caller's dial-out leg before the recording started.
    const leg = `${a.callId}-cb1`;
    const greeting = reqs.findIndex((r) => r.method === 'POST' && r.path === `/ari/channels/${leg}/play` && String(params(r).media).includes('queue-callback-greeting'));
    const recording = reqs.findIndex((r) => r.method === 'POST' && /^\/ari\/bridges\/[^/]+\/record$/.test(r.path));
    expect(greeting, 'greeting played to the caller').to.be.greaterThan(trunk);
    expect(recording, 'bridge recorded after the greeting').to.be.greaterThan(greeting);
    const added = reqs.filter((r) => r.method === 'POST' && r.path === `/ari/bridges/br-${a.callId}/addChannel`).map((r) => String(params(r).channel));
    expect(added.join(',')).to.include(leg);

    // Counted as answered via callback; the wait runs to the moment the caller was reached.
    expect(aDoc).to.include({ outcome: 'answered', answeredVia: 'callback', agentWorkNumber: '1001', callerChannelId: leg, recordingName: `call-${a.callId}` });
    const qcb = aDoc.queueCallback!;
    expect(qcb.number).to.equal(A);
    expect(qcb.attempts.map((x) => x.result)).to.deep.equal(['answered']);
    expect(new Date(aDoc.answeredAt!).getTime()).to.equal(new Date(qcb.reachedAt!).getTime());
    expect(aDoc.answerDelayMs).to.equal(new Date(qcb.reachedAt!).getTime() - new Date(aDoc.queuedAt!).getTime());
    expect(aDoc.answerDelayMs).to.be.greaterThan(new Date(qcb.requestedAt).getTime() - new Date(aDoc.queuedAt!).getTime());

    // B is served after, by the same agent once free.
    const bDoc = await ended(b.callId);
    expect(bDoc).to.include({ outcome: 'answered', agentWorkNumber: '1001' });
    expect(bDoc.answeredVia).to.equal(undefined);
    expect(new Date(bDoc.answeredAt!).getTime()).to.be.greaterThan(new Date(aDoc.answeredAt!).getTime());
  });

  it('takes another number keyed by the caller (a wrong one is asked again)', async () => {
    const other = '02088881234';
    h.ari.setCallee(other, { kind: 'answer', afterMs: 50, hangupAfterMs: 100 });
    const c = await queuedCaller('13800003333');
    await chooseCallback(c.caller, '12#');
    await hears(c.caller, 'queue-callback-bad-number');
    await hears(c.caller, 'queue-callback-confirm');
    await press(c.caller, `${other}#`);
    await c.caller.ended;
    await stepStored(h, c.callId, 'callback-waiting');
    const entry = await waitFor(async () => (await h.calls.acd.queued()).find((q) => q.callId === c.callId && q.callback), { what: 'virtual caller in the queue' });
    expect(entry.callback).to.equal(other);
    h.ari.clearRequests();
    await h.ready('1002');
    const doc = await ended(c.callId);
    expect(originates(h.ari.requests()).map(endpointOf)).to.include(`PJSIP/${other}@carrier`);
    expect(doc).to.include({ outcome: 'answered', answeredVia: 'callback', agentWorkNumber: '1002' });
    expect(doc.queueCallback!.number).to.equal(other);
  });

  it('a caller who does not answer is dialled again twice, 2 minutes apart (short here), then one callback task for a person', async () => {
    const D = '13900004444';
    // The caller rejects each ring (603, cause 21: not answered) instead of letting it ring out the
    // ring time three times: the same retries, without waiting the trunk's timeout.
    h.ari.setCallee(D, { kind: 'decline', afterMs: 50 });
    const d = await queuedCaller(D);
    await chooseCallback(d.caller, '1');
    await d.caller.ended;
    await stepStored(h, d.callId, 'callback-waiting');
    await h.ready('1003');
    const doc = await ended(d.callId);
    expect(doc.outcome).to.equal('failed');
    expect(doc.answeredVia).to.equal(undefined);
    expect(doc.queueCallback!.attempts.map((x) => x.result)).to.deep.equal(['no-answer', 'no-answer', 'no-answer']);
    expect(doc.queueCallback!.attempts.every((x) => x.agentWorkNumber === '1003')).to.equal(true);
    // The retries waited their time after each failed dial.
    const times = doc.queueCallback!.attempts.map((x) => new Date(x.at).getTime());
    expect(times[1]! - times[0]!).to.be.at.least(100);
    // Every dial rang the agent first: three answered offers.
    expect(doc.offers.filter((o) => o.result === 'answered')).to.have.length(3);
    expect(originates(h.ari.requests()).filter((r) => endpointOf(r) === `PJSIP/${D}@carrier`)).to.have.length(3);
    // Exactly one task for a person: a phone callback 排队回拨 on the agents' list, linked to the call.
    const taskId = `queue.${d.callId}`;
    const tasks = await waitFor(async () => {
      const list = await h.node.models.Callback.find({ callId: d.callId }).lean();
      return list.length ? list : undefined;
    }, { what: 'callback task' });
    expect(tasks).to.have.length(1);
    expect(tasks[0]).to.include({ id: taskId, reason: 'queue_callback', method: 'phone', status: 'pending', phone: D, lastAgent: '1003' });
    expect(tasks[0]!.workOrderNumber).to.equal(undefined);
    // …and one supervisors' alarm pointing at it.
    const alarms = await waitFor(async () => {
      const list = await h.node.models.Alarm.find({ kind: 'queue-callback', callId: d.callId }).lean();
      return list.length ? list : undefined;
    }, { what: 'queue-callback alarm' });
    expect(alarms).to.have.length(1);
    expect(alarms[0]!.message).to.include(D).and.include('回访任务');
    // The agent is free again (no after-call work: nobody talked).
    await waitFor(async () => (await h.calls.acd.agent('1003'))?.state === 'ready', { what: '1003 ready' });
    expect(await h.calls.acd.isQueued(d.callId)).to.equal(false);

    // Worked from the agent console: listed with the number, 拨打 (agent's phone, then the caller), result.
    const agent = await login(h.node.url, '1003', 'test-password');
    const auth = { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' };
    const listed = (await (await fetch(`${h.node.url}/api/callbacks?method=phone&status=pending`, { headers: auth })).json()) as CallbackView[];
    expect(listed.find((c) => c.id === taskId)).to.include({ reason: 'queue_callback', phone: D, callId: d.callId, workOrderNumber: null, address: null });
    h.ari.setCallee(D, { kind: 'answer', afterMs: 50, hangupAfterMs: 100 });
    const placed = await fetch(`${h.node.url}/api/callbacks/${taskId}/call`, { method: 'POST', headers: auth });
    expect(placed.status, await placed.clone().text()).to.equal(200);
    const { callId: outCallId } = (await placed.json()) as CallbackCallView;
    const out = await ended(outCallId);
    expect(out).to.include({ direction: 'outbound', callbackId: taskId, dialledNumber: D, outcome: 'answered' });
    expect(out.workOrderNumber).to.equal(undefined);
    await waitFor(async () => (await h.node.models.Callback.findOne({ id: taskId }).lean())?.calls?.length, { what: 'the call kept on the task' });
    // An order's grades do not fit it; its own short result does, once.
    const post = (route: string, body: unknown) => fetch(`${h.node.url}/api/callbacks/${taskId}/${route}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    expect((await post('result', { serviceQuality: 'satisfied', attitude: 'satisfied', timeliness: 'satisfied', verdict: 'satisfied' })).status).to.equal(409);
    const done = await post('queue-result', { reached: true, note: '已为客户解答' });
    expect(done.status).to.equal(200);
    expect((await done.json()) as CallbackView).to.include({ status: 'done', reached: true, customerWords: '已为客户解答', doneBy: '1003', verdict: null });
    expect((await post('queue-result', { reached: true })).status).to.equal(409);
    await h.calls.agents.change('1003', 'ready');
  });

  it('a virtual caller outlives its process: a survivor takes it over at its place and calls the caller back', async () => {
    const E = '13700005555';
    h.ari.setCallee(E, { kind: 'answer', afterMs: 50, hangupAfterMs: 100 });
    h.nodes.push(await startCti({ ...h.config, NODE_ID: 'qcb-second' }));
    const e = await queuedCaller(E);
    await chooseCallback(e.caller, '1');
    await e.caller.ended;
    await stepStored(h, e.callId, 'callback-waiting');
    const before = await waitFor(async () => (await h.calls.acd.queued()).find((q) => q.callId === e.callId && q.callback), { what: 'virtual caller in the queue' });
    const owner = before.node;
    await h.kill(owner);
    const survivor = h.nodes[0]!.calls!;
    await survivor.app.sweep();
    const after = await waitFor(async () => (await survivor.acd.queued()).find((q) => q.callId === e.callId && q.node !== owner), { what: 'taken over' });
    expect(after).to.include({ queuedAt: before.queuedAt, callback: E });
    await survivor.agents.login('1007');
    await survivor.agents.change('1007', 'ready');
    const doc = await ended(e.callId);
    expect(doc).to.include({ outcome: 'answered', answeredVia: 'callback', agentWorkNumber: '1007' });
  });
});
