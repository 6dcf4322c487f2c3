import { expect } from 'chai';
import { noticeChannelId } from '../../cti/notice-call/notice-calls';
import { waitFor } from '../helpers/wait';
import { ON_DUTY, order, Rig, type Node } from './notice-call-rig';

/**
 * A notice call whose CTI process dies mid-call (Art. 8): Asterisk keeps the receiver's channel in
 * the dead process's app, with nobody playing the prompt. A survivor's sweep (HotlineApp.sweep, as
 * every process runs it on its heartbeat) takes the call over exactly once: the receiver is hung
 * up, the attempt closed — acknowledged if they had pressed 1, else unacknowledged with the one
 * retry after NOTICE_CALL_RETRY_MS (400 ms here). A process that restarts under the same name
 * does the same at start-up for the calls it left. Real Redis, FerretDB and the ARI simulator.
 */

const INTRO = 'sound:hotline/cmn/notice-intro';
const THANKS = 'sound:hotline/cmn/notice-thanks';
const chan = (number: string, attempt: number) => noticeChannelId(`${number}.dispatch.1.${ON_DUTY}`, attempt);

describe('notice calls whose process dies mid-call', function () {
  this.timeout(60_000);
  const rig = new Rig();
  before(async () => {
    await rig.start(3);
    // A long prompt, so a process can die while it plays (simulated ms; real = ×0.25).
    rig.promptMs.set(INTRO, 20_000);
  });
  after(() => rig.stop());
  beforeEach(() => {
    rig.acks.calls.length = 0;
  });

  /** The node whose app the attempt was originated into. */
  const ownerOf = (channelId: string): Node => {
    const orig = rig.rest.find((r) => r.method === 'POST' && r.path === '/ari/channels' && r.query.channelId === channelId);
    return rig.node(String(orig!.query.app).replace(/^hotline-/, ''));
  };
  const hangups = (channelId: string) => rig.rest.filter((r) => r.method === 'DELETE' && r.path === `/ari/channels/${channelId}`);
  const takeOvers = (number: string) => rig.log.lines.filter((l) => l.msg === 'notice call of a process that stopped taken over and ended' && l.key === `${number}.dispatch.1.${ON_DUTY}`);
  const alive = () => rig.nodes.filter((n) => !n.dead);

  it('dies while the prompt plays: one survivor of two hangs the receiver up, closes the attempt unacknowledged, and the retry is placed once; 1 on it acknowledges', async () => {
    const o = order();
    rig.callee(ON_DUTY, { kind: 'answer', afterMs: 200 });
    await rig.nodes[0]!.notifier.notify(o, 'dispatch', 'system');
    const first = chan(o.number, 1);
    await waitFor(() => rig.played(first).includes(INTRO), { what: 'the prompt to start' });
    const owner = ownerOf(first);
    const survivors = alive().filter((n) => n !== owner);

    // While the owner beats, nobody else touches its call.
    for (const s of survivors) await s.app.sweep();
    expect(hangups(first)).to.have.length(0);
    expect(rig.sim.channels().some((c) => c.id === first)).to.equal(true);

    await rig.kill(owner.name);
    // The retry's receiver presses 1 while the prompt plays.
    rig.callee(ON_DUTY, { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 1500 }] });
    await Promise.all(survivors.map((s) => s.app.sweep()));

    // Hung up at once: the receiver is not left on a line where nothing plays.
    expect(rig.sim.channels().some((c) => c.id === first)).to.equal(false);
    expect(hangups(first)).to.have.length(1);
    const call1 = await waitFor(() => rig.models.Call.findOne({ callId: first, state: 'ended' }).lean(), { what: 'the first attempt closed' });
    expect(call1).to.include({ noticeResult: 'unacknowledged', outcome: 'answered', hangupBy: 'system', noticeAttempt: 1 });
    expect(survivors.map((s) => s.name)).to.include(call1.node);
    // Its bridge's recording ended with the call, and is kept.
    await waitFor(() => rig.models.Recording.findOne({ name: first, state: 'done' }).lean(), { what: 'the first recording finished' });

    const notice = await waitFor(() => rig.models.Notice.findOne({ workOrderNumber: o.number, 'call.status': 'acknowledged' }).lean(), { what: 'the retry acknowledged', timeoutMs: 30_000 });
    expect(notice.call).to.include({ attempts: 2, lastResult: 'acknowledged' });
    const second = chan(o.number, 2);
    const call2 = await waitFor(() => rig.models.Call.findOne({ callId: second, state: 'ended' }).lean(), { what: 'the retry closed', timeoutMs: 30_000 });
    expect(call2).to.include({ noticeResult: 'acknowledged', noticeAttempt: 2 });
    expect(call2.arrivedAt.getTime() - call1.endedAt!.getTime()).to.be.at.least(350);
    expect(ownerOf(second).name).to.not.equal(owner.name);
    // Exactly once: one take-over, one hang-up, two originates in all, one acknowledgement.
    expect(takeOvers(o.number)).to.have.length(1);
    expect(rig.originates(ON_DUTY).filter((r) => String(r.query.appArgs).includes(o.number))).to.have.length(2);
    expect(rig.acks.calls).to.deep.equal([[o.number, ON_DUTY, 'call']]);
    // Sweeping again finds nothing left.
    for (const s of alive()) await s.app.sweep();
    expect(takeOvers(o.number)).to.have.length(1);
  });

  it('dies after the receiver pressed 1: the notice stays acknowledged, the call is hung up, nothing is placed again', async () => {
    const o = order();
    rig.callee(ON_DUTY, { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 800 }] });
    await alive()[0]!.notifier.notify(o, 'dispatch', 'system');
    const first = chan(o.number, 1);
    // Pressed 1 and thanked (a long 「谢谢」 here): the process dies before it hangs up.
    rig.promptMs.set(THANKS, 20_000);
    await waitFor(() => rig.played(first).includes(THANKS), { what: 'the thanks to start' });
    await waitFor(() => rig.models.Notice.findOne({ workOrderNumber: o.number, acknowledgedAt: { $exists: true } }).lean(), { what: 'the acknowledgement stored' });
    const owner = ownerOf(first);
    await rig.kill(owner.name);
    rig.promptMs.delete(THANKS);
    const survivor = alive()[0]!;
    await survivor.app.sweep();

    expect(rig.sim.channels().some((c) => c.id === first)).to.equal(false);
    const notice = await rig.models.Notice.findOne({ workOrderNumber: o.number }).lean();
    expect(notice?.call).to.include({ status: 'acknowledged', attempts: 1, lastResult: 'acknowledged' });
    const call = await waitFor(() => rig.models.Call.findOne({ callId: first, state: 'ended' }).lean(), { what: 'the attempt closed' });
    expect(call).to.include({ noticeResult: 'acknowledged', outcome: 'answered', node: survivor.name });
    // The lifecycle is told again (it ignores a repeat): never of anything but this key press.
    expect(rig.acks.calls.length).to.be.within(1, 2);
    for (const a of rig.acks.calls) expect(a).to.deep.equal([o.number, ON_DUTY, 'call']);
    // No retry armed, none placed.
    expect(await survivor.rule.queue.getJob(survivor.rule.jobId(`${o.number}.dispatch.1.${ON_DUTY}`, 2))).to.equal(undefined);
    await new Promise((r) => setTimeout(r, 900));
    expect(rig.originates(ON_DUTY).filter((r) => String(r.query.appArgs).includes(o.number))).to.have.length(1);
  });

  it('restarts under the same name: at start-up it ends the call it left, and places the retry', async () => {
    const o = order();
    rig.callee(ON_DUTY, { kind: 'answer', afterMs: 200 });
    await alive()[0]!.notifier.notify(o, 'dispatch', 'system');
    const first = chan(o.number, 1);
    await waitFor(() => rig.played(first).includes(INTRO), { what: 'the prompt to start' });
    const owner = ownerOf(first);
    await rig.kill(owner.name);
    rig.callee(ON_DUTY, { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 1500 }] });
    const back = await rig.restart(owner.name);
    await back.app.recoverStale();

    expect(rig.sim.channels().some((c) => c.id === first)).to.equal(false);
    const call1 = await waitFor(() => rig.models.Call.findOne({ callId: first, state: 'ended' }).lean(), { what: 'the first attempt closed' });
    expect(call1).to.include({ noticeResult: 'unacknowledged', node: owner.name });
    const notice = await waitFor(() => rig.models.Notice.findOne({ workOrderNumber: o.number, 'call.status': 'acknowledged' }).lean(), { what: 'the retry acknowledged', timeoutMs: 30_000 });
    expect(notice.call).to.include({ attempts: 2 });
    expect(takeOvers(o.number)).to.have.length(1);
  });
});
