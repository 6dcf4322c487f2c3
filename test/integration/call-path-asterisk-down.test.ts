import { expect } from 'chai';
import { once } from 'node:events';
import { callClosed as closed, callInState as state } from '../helpers/calls';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

/**
 * Asterisk going away under calls (found by test/drills/asterisk-link.drill.ts): a call whose
 * caller left must end even when Asterisk does not answer the request that stops the agent's ring,
 * and calls Asterisk itself hung up while restarting are the system's doing, not abandoned.
 */
describe('calls when Asterisk stops answering or restarts', function () {
  this.timeout(60_000);
  let h: PbxHarness;

  beforeEach(async () => {
    h = await PbxHarness.start({ ready: [], env: { ARI_REQUEST_TIMEOUT_MS: '500', ANSWER_ALARM_MS: '30000', AFTER_CALL_WORK_MS: '100', RECORDING_END_GRACE_MS: '300' } });
    for (const e of EXTENSIONS) await h.calls.agents.login(e);
  });
  afterEach(async () => h?.stop());

  it('the caller leaves while the phone rings and Asterisk does not answer the hangup: the call still ends', async () => {
    h.pbx.setPhone('1002', { behaviour: { kind: 'no-answer' } });
    await h.calls.agents.change('1002', 'ready');
    const caller = h.ari.placeCall({ callerNumber: '13500000011', dtmf: [{ digit: '1', afterMs: 10 }] });
    await state(h, caller, 'ringing');
    h.ari.setSilent(true);
    caller.hangup();
    const call = await closed(h, caller);
    expect(call).to.include({ outcome: 'abandoned-ringing', hangupBy: 'caller' });
    h.ari.setSilent(false);
    await waitFor(async () => (await h.calls.acd.agents()).find((a) => a.workNumber === '1002')?.state === 'ready', { what: '1002 ready again' });
  });

  it('Asterisk restarts: the answered call stays answered, the waiting one failed, both hung up by the system', async () => {
    h.pbx.setPhone('1001', { behaviour: { kind: 'answer', afterMs: 50 } });
    await h.calls.agents.change('1001', 'ready');
    const talking = h.ari.placeCall({ callerNumber: '13500000012', dtmf: [{ digit: '1', afterMs: 10 }] });
    await state(h, talking, 'talking');
    const waiting = h.ari.placeCall({ callerNumber: '13500000013', dtmf: [{ digit: '1', afterMs: 10 }] });
    await state(h, waiting, 'queued');

    await h.ari.restart({ downMs: 300 });
    const answered = await closed(h, talking);
    expect(answered).to.include({ outcome: 'answered', hangupBy: 'system', agentWorkNumber: '1001' });
    const cut = await closed(h, waiting);
    expect(cut).to.include({ outcome: 'failed', hangupBy: 'system', failureReason: 'Asterisk shut down' });

    // Served again once Asterisk is back.
    await waitFor(() => h.calls.ari.connected, { what: 'ARI back' });
    const next = h.ari.placeCall({ callerNumber: '13500000014', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 200 });
    expect(await closed(h, next)).to.include({ outcome: 'answered', agentWorkNumber: '1001' });
    // The restart cut the first call's recording with no end reported: its record is stored all the same.
    const rec = await waitFor(() => h.node.models.Recording.findOne({ name: answered.recordingName }).lean(), { what: 'recording of the cut call stored', timeoutMs: 20_000 });
    expect(rec).to.include({ callId: answered.callId, format: 'wav' });
  });

  it('both sides hang up while the events link is down: the recording\'s end is never heard, and its record is stored after the grace, as it began', async () => {
    h.pbx.setPhone('1001', { behaviour: { kind: 'answer', afterMs: 50 } });
    await h.calls.agents.change('1001', 'ready');
    const caller = h.ari.placeCall({ callerNumber: '13500000015', dtmf: [{ digit: '1', afterMs: 10 }] });
    await state(h, caller, 'talking');
    const { callId } = (await h.node.models.Call.findOne({ callerChannelId: caller.id }).lean())!;

    const reconnected = once(h.calls.ari, 'reconnected');
    h.ari.dropWebSockets({ forMs: 500 });
    await waitFor(() => !h.calls.ari.connected, { what: 'socket down' });
    // In the gap the bridge empties, so its recording ends (RecordingFinished) with nobody listening.
    caller.hangup();
    h.ari.agentHangup(`${callId}-1`);
    await caller.ended;
    await reconnected;

    const call = await closed(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1001' });
    const rec = await waitFor(() => h.node.models.Recording.findOne({ name: call.recordingName }).lean(), { what: 'recording stored without its end' });
    expect(rec).to.include({ callId, state: 'recording', format: 'wav', file: `${call.recordingName}.wav` });
  });
});
