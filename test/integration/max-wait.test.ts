import { stepStored } from '../helpers/calls';
import { expect } from 'chai';
import { startCti } from '../../main';
import type { MaxWaitLook } from '../../cti/calls/max-wait';
import type { DomainEvent } from '../../events/domain-events';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

/**
 * The maximum-wait watchdog (`max-wait.<callId>`, cti/calls/max-wait.ts) on two CTI processes, the
 * simulated PBX, real Redis and FerretDB. The limit is shortened to 3 s and the re-look to 0.5 s.
 */
describe('the maximum-wait watchdog: no caller waits forever because of a fault', function () {
  this.timeout(60_000);
  let h: PbxHarness;

  before(async () => {
    h = await PbxHarness.start({ nodes: 2, ready: [], env: { QUEUE_MAX_WAIT_MS: '3000', QUEUE_MAX_WAIT_RECHECK_MS: '500', AFTER_CALL_WORK_MS: '100' } });
    for (const wn of EXTENSIONS) await h.calls.agents.login(wn);
  });
  after(async () => h?.stop());

  /** The next domain event that `match` accepts (every process receives every event). */
  function nextEvent<T extends DomainEvent>(match: (e: DomainEvent) => e is T): Promise<T> {
    return new Promise((resolve) => {
      const off = h.node.live.bus.subscribe((e) => {
        if (!match(e)) return;
        off();
        resolve(e);
      });
    });
  }

  /** Every look of the watchdog at `callId`, on whichever process ran it, until `done` says enough. */
  function looks(callId: string, done: (all: MaxWaitLook[]) => boolean): Promise<MaxWaitLook[]> {
    const watches = h.nodes.map((n) => n.calls!.maxWaitWatch);
    const all: MaxWaitLook[] = [];
    return new Promise((resolve) => {
      const on = (l: MaxWaitLook) => {
        if (l.callId !== callId) return;
        all.push(l);
        if (!done(all)) return;
        for (const w of watches) w.off('look', on);
        resolve(all);
      };
      for (const w of watches) w.on('look', on);
    });
  }

  const longWait = (e: DomainEvent): e is Extract<DomainEvent, { type: 'alarm.raised' }> => e.type === 'alarm.raised' && e.kind === 'long-wait';
  const jobOf = (callId: string) => h.calls.maxWait.queue.getJob(h.calls.maxWait.idFor(callId));


  it('raises one long-wait alarm for a caller still waiting past the limit, however often it looks again; answered, the watch ends', async () => {
    await h.quiet();
    const alarmed = nextEvent(longWait);
    const caller = h.ari.placeCall({ callerNumber: '13600000101', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const alarm = await alarmed;
    const callId = alarm.callId!;
    expect(alarm.message).to.match(/^来电 13600000101 已排队等待 \d+ 秒$/);
    const queued = (await h.node.models.Call.findOne({ callId }).lean())!;
    expect(alarm.at - queued.queuedAt!.getTime()).to.be.at.least(3000);

    // Three more looks while the caller waits (0.5 s apart): the alarm stays one.
    const seen = await looks(callId, (all) => all.filter((l) => !l.raised).length >= 3);
    expect(seen.every((l) => l.waiting && ['none', 'asked-owner'].includes(l.action))).to.equal(true);
    const stored = await waitFor(async () => {
      const docs = await h.node.models.Alarm.find({ callId, kind: 'long-wait' }).lean();
      return docs.length > 0 && docs;
    }, { what: 'alarm stored' });
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ key: `max-wait.${callId}`, severity: 'warning', message: alarm.message });

    // An agent becomes Ready: answered, and the watch is over (no instance left to fire).
    await h.calls.agents.change('1001', 'ready');
    expect((await caller.ended).by).to.equal('caller');
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1001' });
    await waitFor(async () => !(await jobOf(callId)), { what: 'watchdog gone' });
    expect(await h.node.models.Alarm.countDocuments({ callId, kind: 'long-wait' })).to.equal(1);
  });

  it('raises nothing for a caller answered in time: the answer disarms the watch', async () => {
    await h.quiet();
    await h.calls.agents.change('1002', 'ready');
    const ringing = nextEvent((e): e is Extract<DomainEvent, { type: 'call.ringing' }> => e.type === 'call.ringing' && e.callerNumber === '13600000102');
    const caller = h.ari.placeCall({ callerNumber: '13600000102', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const { callId } = await ringing;
    // Armed when the caller entered the queue, due 3 s after.
    const armed = await jobOf(callId);
    expect(armed, 'armed at queue entry').to.not.equal(undefined);
    expect(await armed!.isDelayed()).to.equal(true);
    const answered = await nextEvent((e): e is Extract<DomainEvent, { type: 'call.answered' }> => e.type === 'call.answered' && e.callId === callId);
    expect(answered.waitMs).to.be.lessThan(3000);
    expect(await jobOf(callId), 'disarmed at the answer').to.equal(undefined);
    expect((await caller.ended).by).to.equal('caller');
    await waitFor(async () => (await h.node.models.Call.findOne({ callId }).lean())?.state === 'ended', { what: 'record closed' });
    expect(await h.node.models.Alarm.countDocuments({ callId })).to.equal(0);
  });

  it('a call whose queue entry was removed behind the system’s back is put back at its place and answered', async () => {
    await h.quiet();
    const caller = h.ari.placeCall({ callerNumber: '13600000103', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const [q] = await waitFor(async () => {
      const list = await h.calls.acd.queued();
      return list.length === 1 && list;
    }, { what: 'caller queued' });
    const callId = q!.callId;
    await stepStored(h, callId, 'queued');
    // Lost from the shared queue (a Redis fault, a bad hand): no dispatcher would ever offer it now.
    await h.calls.acd.dequeue(callId);
    await h.calls.agents.change('1003', 'ready');
    expect(await h.calls.acd.isQueued(callId)).to.equal(false);
    expect((await h.calls.acd.agent('1003'))?.state, 'nobody offers the lost call').to.equal('ready');

    const alarmed = nextEvent((e): e is Extract<DomainEvent, { type: 'alarm.raised' }> => longWait(e) && e.callId === callId);
    // Healed by the owner: at once when the watchdog ran there, else at the owner's next beat.
    const healed = looks(callId, (all) => all.some((l) => l.action === 'requeued' || l.action === 'asked-owner'));
    await alarmed;
    await healed;
    expect((await caller.ended).by).to.equal('caller');
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    // Answered, the wait counted from the first queue entry (its place kept).
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1003' });
    expect(call.queuedAt!.getTime()).to.equal(q!.queuedAt);
    expect(call.answerDelayMs).to.be.at.least(3000);
  });

  /** A caller queued with nobody Ready, then lost from the shared queue; returns its entry. */
  async function lostCall(number: string) {
    await h.quiet();
    const caller = h.ari.placeCall({ callerNumber: number, dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const [q] = await waitFor(async () => {
      const list = await h.calls.acd.queued();
      return list.length === 1 && list;
    }, { what: 'caller queued' });
    await stepStored(h, q!.callId, 'queued');
    await h.calls.acd.dequeue(q!.callId);
    return { caller, q: q! };
  }

  it('run on another process than the owner, the watchdog asks the owner, which puts the call back at its next beat', async () => {
    const { caller, q } = await lostCall('13600000104');
    const owner = h.nodes.find((n) => n.config.NODE_ID === q.node)!.calls!;
    const other = h.nodes.find((n) => n.config.NODE_ID !== q.node)!.calls!;
    // Looked at before its due time, so the armed instance plays no part here.
    const look = await other.maxWaitWatch.look({ callId: q.callId, callerNumber: q.callerNumber, queuedAt: q.queuedAt }, other.maxWait.idFor(q.callId));
    expect(look).to.include({ waiting: true, raised: true, action: 'asked-owner' });
    expect(await other.acd.isQueued(q.callId)).to.equal(false);
    await owner.app.sweep();
    expect((await owner.acd.queued()).map((e) => [e.callId, e.queuedAt, e.node])).to.deep.equal([[q.callId, q.queuedAt, q.node]]);
    await h.calls.agents.change('1007', 'ready');
    expect((await caller.ended).by).to.equal('caller');
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId: q.callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1007' });
    expect(await h.node.models.Alarm.countDocuments({ callId: q.callId, kind: 'long-wait' })).to.equal(1);
  });

  it('its owner stopped beating: the watchdog takes the call over through the adoption path, and it is answered', async () => {
    const { caller, q } = await lostCall('13600000105');
    const dead = h.nodes.find((n) => n.config.NODE_ID === q.node)!;
    h.nodes.splice(h.nodes.indexOf(dead), 1);
    await dead.stop();
    await h.node.redis.del(h.calls.acd.keys.node(q.node));
    const look = await h.calls.maxWaitWatch.look({ callId: q.callId, callerNumber: q.callerNumber, queuedAt: q.queuedAt }, h.calls.maxWait.idFor(q.callId));
    // The survivor's own sweep (every 5 s) may claim it in the same instant: one of the two takes it.
    expect(look.waiting).to.equal(true);
    expect(['adopted', 'claimed-elsewhere']).to.include(look.action);
    const back = await waitFor(async () => (await h.calls.acd.queued()).find((e) => e.callId === q.callId), { what: 'queued again' });
    expect(back).to.include({ queuedAt: q.queuedAt, node: h.node.config.NODE_ID });
    await h.calls.agents.change('1008', 'ready');
    expect((await caller.ended).by).to.equal('caller');
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId: q.callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1008', node: h.node.config.NODE_ID });
  });

  it('its owner stopped beating and the caller has gone meanwhile: the watchdog closes the record as abandoned', async () => {
    h.nodes.push(await startCti({ ...h.config, NODE_ID: 'c' }));
    const { caller, q } = await lostCall('13600000106');
    const dead = h.nodes.find((n) => n.config.NODE_ID === q.node)!;
    h.nodes.splice(h.nodes.indexOf(dead), 1);
    await dead.stop();
    await h.node.redis.del(h.calls.acd.keys.node(q.node));
    caller.hangup();
    await waitFor(() => !h.ari.channels().some((c) => c.id === caller.id), { what: 'caller gone' });
    const look = await h.calls.maxWaitWatch.look({ callId: q.callId, callerNumber: q.callerNumber, queuedAt: q.queuedAt }, h.calls.maxWait.idFor(q.callId));
    expect(['adopted', 'claimed-elsewhere']).to.include(look.action);
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId: q.callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    expect(call).to.include({ outcome: 'abandoned-queue', hangupBy: 'caller' });
    expect(await h.calls.acd.queued()).to.deep.equal([]);
    expect((await h.calls.acd.liveCalls()).has(q.callId)).to.equal(false);
  });
});
