import { stepStored } from '../helpers/calls';
import { expect } from 'chai';
import { startCti } from '../../main';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

/**
 * A CTI process that dies and is started again under its own NODE_ID (as a service manager
 * restarts it) finds its calls still in Asterisk, in its own Stasis app. It takes them back as a
 * survivor takes over a dead process's calls; it used to close them as failed and hang them up.
 */
describe('a CTI process restarted under its own name takes its calls back', function () {
  this.timeout(60_000);
  let h: PbxHarness;

  before(async () => {
    h = await PbxHarness.start({ ready: [], env: { AFTER_CALL_WORK_MS: '100' } });
    for (const wn of EXTENSIONS) await h.calls.agents.login(wn);
  });
  after(async () => h?.stop());

  const recordState = async (callId: string) => (await h.node.models.Call.findOne({ callId }).lean())?.state;

  it('a conversation goes on and closes when the caller hangs up; one ended meanwhile is closed with wrap-up; a waiting caller is answered', async () => {
    const talk = async (wn: string, number: string) => {
      await h.calls.agents.change(wn, 'ready');
      const caller = h.ari.placeCall({ callerNumber: number, dtmf: [{ digit: '1', afterMs: 10 }] });
      const a = await waitFor(async () => {
        const x = await h.calls.acd.agent(wn);
        return x?.state === 'talking' && x;
      }, { what: `${wn} talking` });
      await waitFor(async () => (await recordState(a.callId)) === 'talking', { what: 'record talking' });
      return { caller, callId: a.callId };
    };
    const goesOn = await talk('1001', '13600000101');
    const endsMeanwhile = await talk('1002', '13600000102');
    const waiting = h.ari.placeCall({ callerNumber: '13600000103', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 200 });
    const [q] = await waitFor(async () => {
      const list = await h.calls.acd.queued();
      return list.length === 1 && list;
    }, { what: 'a caller waiting' });
    await stepStored(h, q!.callId, 'queued');

    // Killed: nothing runs for its calls any more (stable states: bridged, and on hold music).
    const dead = h.nodes.splice(0)[0]!;
    await dead.stop();
    endsMeanwhile.caller.hangup();
    await endsMeanwhile.caller.ended;
    h.nodes.push(await startCti({ ...h.config, NODE_ID: 'a' }));

    // The caller hung up while it was down: answered, closed, and 1002's wrap-up ends by its timer.
    await waitFor(async () => (await recordState(endsMeanwhile.callId)) === 'ended', { what: 'call ended meanwhile closed' });
    expect(await h.node.models.Call.findOne({ callId: endsMeanwhile.callId }).lean()).to.include({ outcome: 'answered' });
    await waitFor(async () => (await h.calls.acd.agent('1002'))?.state === 'ready', { what: '1002 ready after wrap-up' });

    // The conversation is still on: not hung up, the agent still Talking.
    expect(h.ari.channels().some((c) => c.id === goesOn.caller.id), 'caller still on the line').to.equal(true);
    expect(await h.calls.acd.agent('1001')).to.include({ state: 'talking', callId: goesOn.callId });

    // The waiting caller is queued again and answered, here by 1002 after their wrap-up.
    expect((await waiting.ended).by).to.equal('caller');
    await waitFor(async () => (await recordState(q!.callId)) === 'ended', { what: 'waiting call closed' });
    expect(await h.node.models.Call.findOne({ callId: q!.callId }).lean()).to.include({ outcome: 'answered', agentWorkNumber: '1002' });

    // Its caller hangs up: the process, in its own Stasis app, sees it leave and closes the call.
    goesOn.caller.hangup();
    await waitFor(async () => (await recordState(goesOn.callId)) === 'ended', { what: 'conversation closed' });
    expect(await h.node.models.Call.findOne({ callId: goesOn.callId }).lean()).to.include({ outcome: 'answered', hangupBy: 'caller' });
    await waitFor(async () => (await h.calls.acd.agent('1001'))?.state === 'ready', { what: '1001 ready after wrap-up' });
    expect(await h.node.models.Call.countDocuments({ outcome: 'failed' })).to.equal(0);
  });
});
