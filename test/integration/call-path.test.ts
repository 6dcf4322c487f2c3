import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { HeardEntry } from '../../sim/ari/types';
import { callClosed as ended } from '../helpers/calls';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

/** Exactly these agents Ready, made Ready in this order (the first is the longest idle). */
async function onlyReady(h: PbxHarness, ready: string[]): Promise<void> {
  for (const wn of EXTENSIONS) {
    await waitFor(async () => !['reserved', 'ringing', 'talking'].includes((await h.calls.acd.agent(wn))?.state ?? ''), { what: `${wn} free` });
    const a = await h.calls.acd.agent(wn);
    if (a?.state !== 'not_ready' && a?.state !== 'offline') await h.calls.agents.change(wn, 'not_ready', 'test');
  }
  for (const wn of ready) await h.calls.agents.change(wn, 'ready');
}

const playbacks = (heard: HeardEntry[]) => heard.filter((e): e is Extract<HeardEntry, { kind: 'playback' }> => e.kind === 'playback');

describe('call path: 952525 through the real ari-client against the ARI simulator', function () {
  this.timeout(60_000);
  let h: PbxHarness;

  before(async () => {
    h = await PbxHarness.start({ soundMs: 100, env: { ANSWER_ALARM_MS: '2000', AFTER_CALL_WORK_MS: '150', ARI_REQUEST_TIMEOUT_MS: '1500' } });
  });
  after(async () => h?.stop());
  beforeEach(async () => {
    for (const e of EXTENSIONS) h.pbx.setPhone(e, { behaviour: { kind: 'answer', afterMs: 200 } });
    await onlyReady(h, EXTENSIONS);
  });

  it('a new caller presses 2: Mandarin greeting, a Mandarin agent answers, the caller hears the agent number, then bridge + recording', async () => {
    await onlyReady(h, ['1001', '1004']); // 1001 speaks only Cantonese, 1004 only Mandarin
    const caller = h.ari.placeCall({ callerNumber: '13800009999', hangupAfterBridgedMs: 1200 });
    // The caller presses 2 while the Cantonese menu is playing.
    await new Promise<void>((resolve) =>
      caller.on('heard', (e) => {
        if (e.kind === 'playback' && e.media === 'sound:hotline/yue/greeting-choose') resolve();
      }),
    );
    caller.sendDtmf('2');
    expect((await caller.ended).by).to.equal('caller');
    const call = await ended(h, caller);

    expect(call).to.include({ language: 'cmn', languageSource: 'dtmf', outcome: 'answered', hangupBy: 'caller', agentWorkNumber: '1004', agentHungUpFirst: false });
    // A timestamp for every state, in order.
    const order = ['arrivedAt', 'greetingAt', 'queuedAt', 'ringingAt', 'answeredAt', 'announcingAt', 'talkingAt', 'endedAt'] as const;
    const times = order.map((k) => new Date(call[k] as Date).getTime());
    expect(times.every((t) => Number.isFinite(t))).to.equal(true);
    expect([...times].sort((a, b) => a - b)).to.deep.equal(times);
    expect(call.offers).to.have.length(1);
    expect(call.offers[0]).to.include({ agentWorkNumber: '1004', result: 'answered', alarmed: false });
    expect(call.answerRingMs).to.be.within(150, 2000);
    expect(call.answerDelayMs).to.be.at.least(call.answerRingMs!);

    // What the caller heard: the bilingual menu cut short by the key, then the agent's number, then the bridge.
    const heard = caller.heard();
    const media = playbacks(heard).map((p) => p.media);
    expect(media[0]).to.equal('sound:hotline/yue/greeting-welcome');
    expect(media).to.not.include('sound:hotline/cmn/greeting-choose'); // barge-in stopped the menu
    const intro = ['agent-intro-prefix', 'digit-1', 'digit-0', 'digit-0', 'digit-4', 'agent-intro-suffix'].map((k) => `sound:hotline/cmn/${k}`);
    const introAt = media.indexOf(intro[0]!);
    expect(media.slice(introAt, introAt + intro.length)).to.deep.equal(intro);
    const lastIntro = playbacks(heard).find((p) => p.media === intro[intro.length - 1]);
    const bridge = heard.find((e): e is Extract<HeardEntry, { kind: 'bridge' }> => e.kind === 'bridge' && e.bridgeType === 'mixing');
    expect(bridge, 'caller bridged').to.not.equal(undefined);
    expect(lastIntro!.finishedAt!).to.be.at.most(bridge!.joinedAt);
    expect(heard.some((e) => e.kind === 'moh'), 'music on hold while queued').to.equal(true);

    // The recording: stored by the PBX, and a complete Recording document pointing at it.
    const rec = await waitFor(async () => {
      const r = await h.node.models.Recording.findOne({ callId: call.callId }).lean();
      return r?.state === 'done' && r;
    }, { what: 'recording finished' });
    expect(rec.name).to.equal(call.recordingName);
    expect(rec.durationSec).to.be.at.least(1);
    const file = join(h.recordingsDir, rec.file);
    expect(existsSync(file), file).to.equal(true);
    expect(statSync(file).size).to.be.greaterThan(44);

    // The key press is remembered for this number: next time, no menu.
    const again = h.ari.placeCall({ callerNumber: '13800009999', hangupAfterBridgedMs: 100 });
    const second = await ended(h, again);
    expect(second).to.include({ language: 'cmn', languageSource: 'remembered', agentWorkNumber: '1004' });
    expect(playbacks(again.heard()).map((p) => p.media)[0]).to.equal('sound:hotline/cmn/greeting-welcome');

    // The agent did after-call work, then became Ready again by the timed job.
    await waitFor(async () => (await h.calls.acd.agent('1004'))?.state === 'ready', { what: '1004 ready after ACW' });
  });

  it('an answered call costs three Call writes (arrival, answer, end) and its Recording one (created with its end); the steps between ride along', async () => {
    const writes = async () => {
      const m = await h.calls.metrics.mongoWrites.get();
      const of = (c: string) => m.values.find((v) => v.labels.collection === c)?.value ?? 0;
      return { calls: of('calls'), recordings: of('recordings') };
    };
    // Nothing of an earlier test still on its way to MongoDB.
    expect(await h.node.live.outbox.settled('call:', 10_000)).to.equal(true);
    expect(await h.node.live.outbox.settled('recording:', 10_000)).to.equal(true);
    const before = await writes();
    const caller = h.ari.placeCall({ callerNumber: '13800007777', dtmf: [{ digit: '1', afterMs: 0 }], hangupAfterBridgedMs: 300 });
    await caller.ended;
    const call = await ended(h, caller);
    expect(call.outcome).to.equal('answered');
    // Every step stamped, though only three writes carried them.
    for (const k of ['greetingAt', 'queuedAt', 'ringingAt', 'answeredAt', 'announcingAt', 'talkingAt'] as const) expect(call[k], k).to.be.instanceOf(Date);
    expect(call.offers[0]).to.include({ result: 'answered' });
    const rec = await waitFor(async () => {
      const r = await h.node.models.Recording.findOne({ callId: call.callId }).lean();
      return r?.state === 'done' && r;
    }, { what: 'recording finished' });
    // One upsert carried both the creation (held since the bridge) and the end.
    expect(rec).to.include({ name: call.recordingName, format: 'wav', file: `${call.recordingName}.wav` });
    expect(rec.startedAt).to.be.instanceOf(Date);
    expect(rec.endedAt).to.be.instanceOf(Date);
    expect(await h.node.live.outbox.settled('call:', 10_000)).to.equal(true);
    expect(await h.node.live.outbox.settled('recording:', 10_000)).to.equal(true);
    const after = await writes();
    expect({ calls: after.calls - before.calls, recordings: after.recordings - before.recordings }).to.deep.equal({ calls: 3, recordings: 1 });
  });

  it('a key pressed before the menu has started still counts', async () => {
    await onlyReady(h, ['1004']);
    const caller = h.ari.placeCall({ callerNumber: '13800008888', dtmf: [{ digit: '2', afterMs: 0 }], hangupAfterBridgedMs: 100 });
    const call = await ended(h, caller);
    expect(call).to.include({ language: 'cmn', languageSource: 'dtmf', agentWorkNumber: '1004' });
    expect(playbacks(caller.heard()).map((p) => p.media)).to.not.include('sound:hotline/cmn/greeting-choose');
  });

  it('a known customer hears the greeting in their language only; no key → Cantonese by default', async () => {
    const known = await h.node.models.Customer.findOne({ preferredLanguage: 'cmn' }).lean();
    const c1 = h.ari.placeCall({ callerNumber: known!.phones[0]!, hangupAfterBridgedMs: 100 });
    const call1 = await ended(h, c1);
    expect(call1).to.include({ language: 'cmn', languageSource: 'customer', customerAccount: known!.accountNumber });
    expect(playbacks(c1.heard()).map((p) => p.media)[0]).to.equal('sound:hotline/cmn/greeting-welcome');
    expect(playbacks(c1.heard()).map((p) => p.media)).to.not.include('sound:hotline/yue/greeting-choose');

    const c2 = h.ari.placeCall({ callerNumber: '13700000001', hangupAfterBridgedMs: 100 });
    const call2 = await ended(h, c2);
    expect(call2).to.include({ language: 'yue', languageSource: 'default', outcome: 'answered' });
    expect(playbacks(c2.heard()).map((p) => p.media).slice(0, 4)).to.deep.equal([
      'sound:hotline/yue/greeting-welcome',
      'sound:hotline/yue/greeting-choose',
      'sound:hotline/cmn/greeting-welcome',
      'sound:hotline/cmn/greeting-choose',
    ]);
  });

  it('an agent who lets it ring past the alarm time: exactly one alarm, Not Ready "no-answer", the next agent gets the call', async () => {
    await onlyReady(h, ['1001', '1002']);
    h.pbx.setPhone('1001', { behaviour: { kind: 'no-answer' } });
    h.pbx.setPhone('1002', { behaviour: { kind: 'answer', afterMs: 200 } });
    const alarms: string[] = [];
    const unsubscribe = h.calls.bus.subscribe((e) => {
      if (e.type === 'alarm.raised') alarms.push(e.key);
    });
    const caller = h.ari.placeCall({ callerNumber: '13700000002', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 200 });
    const call = await ended(h, caller);
    unsubscribe();
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1002' });
    expect(call.offers.map((o) => [o.agentWorkNumber, o.result, o.alarmed])).to.deep.equal([
      ['1001', 'no-answer', true],
      ['1002', 'answered', false],
    ]);
    expect(call.offers[0]!.ringMs).to.be.at.least(2000);
    // Stored through the record outbox: it reaches MongoDB a moment after the event.
    const stored = await waitFor(async () => {
      const list = await h.node.models.Alarm.find({ callId: call.callId }).lean();
      return list.length > 0 && list;
    }, { what: 'alarm stored' });
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ kind: 'answer-timeout', agentWorkNumber: '1001', key: `answer-alarm.${call.callId}.1` });
    // Supervisors read whom to go to and whom to call back, without looking anything up.
    expect(stored[0]).to.include({ agentName: '陈嘉欣', callerNumber: '13700000002' });
    expect(stored[0]!.message).to.match(/^坐席 1001 陈嘉欣 振铃 \d+ 秒未接听，来电 13700000002$/);
    expect(stored[0]!.ringMs).to.be.at.least(2000);
    expect(alarms).to.deep.equal([`answer-alarm.${call.callId}.1`]);
    expect(await h.calls.acd.agent('1001')).to.include({ state: 'not_ready', reason: 'no-answer' });
    // The ring really stopped: no channel of 1001 is left on the PBX.
    expect(h.ari.findAgentChannel('1001')).to.equal(undefined);
  });

  it('an answer just before the alarm time raises nothing', async () => {
    await onlyReady(h, ['1003']);
    h.pbx.setPhone('1003', { behaviour: { kind: 'answer', afterMs: 1600 } });
    const caller = h.ari.placeCall({ callerNumber: '13700000003', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 300 });
    const call = await ended(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1003' });
    expect(call.offers[0]!.ringMs).to.be.within(1550, 2000);
    expect(await h.node.models.Alarm.countDocuments({ callId: call.callId })).to.equal(0);
    expect((await h.calls.answerAlarm.queue.getJob(`answer-alarm.${call.callId}.1`)) ?? null).to.equal(null);
  });

  it('caller hangs up in the queue → abandoned-queue with the wait time', async () => {
    await onlyReady(h, []);
    const caller = h.ari.placeCall({ callerNumber: '13700000004', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterMs: 1500 });
    const call = await ended(h, caller);
    expect(call).to.include({ outcome: 'abandoned-queue', hangupBy: 'caller' });
    expect(call.abandonWaitMs).to.be.within(500, 1600);
    expect(await h.calls.acd.isQueued(call.callId)).to.equal(false);
  });

  it('caller hangs up while the agent rings → abandoned-ringing, the ring stops, the agent is Ready again', async () => {
    await onlyReady(h, ['1005']);
    h.pbx.setPhone('1005', { behaviour: { kind: 'no-answer' } });
    const caller = h.ari.placeCall({ callerNumber: '13700000005', dtmf: [{ digit: '2', afterMs: 10 }], hangupAfterMs: 800 });
    const call = await ended(h, caller);
    expect(call.outcome).to.equal('abandoned-ringing');
    expect(call.offers[0]).to.include({ result: 'caller-gone', alarmed: false });
    await waitFor(() => h.ari.findAgentChannel('1005') === undefined, { what: 'agent ring stopped' });
    expect(await h.calls.acd.agent('1005')).to.include({ state: 'ready' });
    expect(await h.node.models.Alarm.countDocuments({ callId: call.callId })).to.equal(0);
  });

  it('agent hangs up first → flagged, the caller is released, the recording is kept', async () => {
    await onlyReady(h, ['1006']);
    h.pbx.setPhone('1006', { behaviour: { kind: 'answer', afterMs: 100, hangupAfterMs: 1200 } });
    const caller = h.ari.placeCall({ callerNumber: '13700000006', dtmf: [{ digit: '2', afterMs: 10 }] });
    const end = await caller.ended;
    expect(end.by).to.equal('app');
    const call = await ended(h, caller);
    expect(call).to.include({ outcome: 'answered', hangupBy: 'agent', agentHungUpFirst: true });
    await waitFor(async () => (await h.node.models.Recording.findOne({ callId: call.callId }).lean())?.state === 'done', { what: 'recording kept' });
  });

  it('a busy phone and an unknown endpoint are skipped; the call reaches a working phone', async () => {
    await onlyReady(h, ['1007', '1008', '1009']);
    h.pbx.setPhone('1007', { behaviour: { kind: 'busy' } });
    // 1008's profile points at an extension the PBX does not have: originate fails (500 Allocation failed).
    await h.node.models.Agent.updateOne({ workNumber: '1008' }, { $set: { extension: '1088' } });
    await h.calls.agents.login('1008');
    const caller = h.ari.placeCall({ callerNumber: '13700000007', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const call = await ended(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1009' });
    const results = Object.fromEntries(call.offers.map((o) => [o.agentWorkNumber, o.result]));
    expect(results).to.deep.include({ '1007': 'busy', '1008': 'unreachable', '1009': 'answered' });
    expect(await h.calls.acd.agent('1007')).to.include({ state: 'not_ready', reason: 'phone-busy' });
    expect(await h.calls.acd.agent('1008')).to.include({ state: 'not_ready', reason: 'phone-unreachable' });
    await h.node.models.Agent.updateOne({ workNumber: '1008' }, { $set: { extension: '1008' } });
    await h.calls.agents.login('1008');
  });

  it('declined on the console (拒接) or on the phone (603): the ring stops, the agent goes Not Ready "declined", the next agent gets the call', async () => {
    await onlyReady(h, ['1001', '1002', '1003']);
    h.pbx.setPhone('1001', { behaviour: { kind: 'no-answer' } });
    h.pbx.setPhone('1002', { behaviour: { kind: 'decline', afterMs: 300 } });
    const caller = h.ari.placeCall({ callerNumber: '13700000017', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    // 1001 is the longest idle: their phone rings, and they press 拒接 on the console.
    const callId = await waitFor(async () => {
      const a = await h.calls.acd.agent('1001');
      return a?.state === 'ringing' && a.callId;
    }, { what: '1001 ringing' });
    await h.calls.decline.decline('1001', callId, 1);
    const call = await ended(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1003' });
    expect(call.offers.map((o) => [o.agentWorkNumber, o.result, o.alarmed])).to.deep.equal([
      ['1001', 'declined', false],
      ['1002', 'declined', false],
      ['1003', 'answered', false],
    ]);
    expect(await h.calls.acd.agent('1001')).to.include({ state: 'not_ready', reason: 'declined', callId: '' });
    expect(await h.calls.acd.agent('1002')).to.include({ state: 'not_ready', reason: 'declined', callId: '' });
    expect(await h.node.models.Alarm.countDocuments({ callId })).to.equal(0);
    // A second decline of the same ring is refused: it has ended.
    const again = await h.calls.decline.decline('1001', callId, 1).catch((e: Error) => e);
    expect((again as Error).message).to.match(/not ringing/);
  });

  it('the wrap-up timer of a call ends only that wrap-up, not one the agent chose by hand afterwards', async () => {
    await onlyReady(h, ['1004']);
    const caller = h.ari.placeCall({ callerNumber: '13700000018', dtmf: [{ digit: '2', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const call = await ended(h, caller);
    expect(call.agentWorkNumber).to.equal('1004');
    // The agent leaves the call's wrap-up and chooses wrap-up by hand before the call's timer (150 ms) runs.
    await h.calls.agents.change('1004', 'ready').catch(() => undefined);
    await h.calls.agents.change('1004', 'acw');
    const mine = await h.calls.acd.agent('1004');
    expect(mine).to.include({ state: 'acw', callId: '' });
    // The call's timer runs after that, whatever this machine's speed: if it already ran, it is armed
    // again (same deterministic id, so never twice at once) and runs now.
    await h.calls.afterCallWork.start({ agentWorkNumber: '1004', callId: call.callId });
    await waitFor(async () => {
      const c = await h.calls.afterCallWork.queue.getJobCounts('active', 'wait', 'delayed');
      return c.active + c.wait + c.delayed === 0;
    }, { what: 'no wrap-up job left' });
    expect(await h.calls.acd.agent('1004')).to.include({ state: 'acw', callId: '', since: mine!.since });
  });

  it('Asterisk refuses to bridge the answered call: it fails cleanly, both legs hung up, the agent free, the record closed', async () => {
    await onlyReady(h, ['1005']);
    // The bridge is created, then adding the two channels to it answers 500.
    const arm = (r: { method: string; path: string }) => {
      if (r.method !== 'POST' || r.path !== '/ari/bridges') return;
      h.ari.off('rest', arm);
      h.ari.failRequests({ status: 500, count: 1 });
    };
    h.ari.on('rest', arm);
    // (The caller would hang up 30 s after being bridged: this call must end long before.)
    const caller = h.ari.placeCall({ callerNumber: '13700000019', dtmf: [{ digit: '2', afterMs: 10 }], hangupAfterBridgedMs: 30_000 });
    const call = await ended(h, caller);
    expect(call).to.include({ outcome: 'failed', agentWorkNumber: '1005', hangupBy: 'system' });
    expect(call.failureReason).to.match(/agent could not be connected/);
    expect((await caller.ended).by).to.equal('app');
    await waitFor(async () => (await h.calls.acd.agent('1005'))?.state === 'ready', { what: '1005 free again' });
    expect(h.ari.channels().filter((c) => c.id.startsWith(call.callId))).to.deep.equal([]);
  });

  it('the recording will not start: the caller and the agent stay connected, the call is marked unrecorded', async () => {
    await onlyReady(h, ['1006']);
    const arm = (r: { method: string; path: string }) => {
      if (r.method !== 'POST' || !r.path.endsWith('/addChannel')) return;
      h.ari.off('rest', arm);
      h.ari.failRequests({ status: 500, count: 1 });
    };
    h.ari.on('rest', arm);
    const caller = h.ari.placeCall({ callerNumber: '13700000020', dtmf: [{ digit: '2', afterMs: 10 }], hangupAfterBridgedMs: 300 });
    expect((await caller.ended).by).to.equal('caller');
    const call = await ended(h, caller);
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1006', hangupBy: 'caller' });
    const rec = await waitFor(() => h.node.models.Recording.findOne({ callId: call.callId }).lean(), { what: 'recording record' });
    expect(rec.state).to.equal('failed');
  });

  it('a phone that AMI reports unregistered is never offered a call', async () => {
    await onlyReady(h, ['1001', '1002']);
    h.pbx.setPhone('1001', { registered: false });
    await waitFor(async () => (await h.calls.acd.unreachablePhones()).includes('1001'), { what: 'AMI reports 1001 gone' });
    const caller = h.ari.placeCall({ callerNumber: '13700000008', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const call = await ended(h, caller);
    expect(call.offers.map((o) => o.agentWorkNumber)).to.deep.equal(['1002']);
    h.pbx.setPhone('1001', { registered: true, reachable: true });
    await waitFor(async () => !(await h.calls.acd.unreachablePhones()).includes('1001'), { what: 'AMI reports 1001 back' });
  });

  it('survives bad input: unknown channels, stray keys, malformed events, ARI errors', async () => {
    await onlyReady(h, ['1001']);
    h.ari.sendWsEvent({ type: 'StasisEnd', timestamp: '2026-11-29T04:20:45.639+0000', channel: { id: 'nope.1', name: 'PJSIP/x', state: 'Up' } } as never);
    h.ari.sendWsEvent({ type: 'ChannelDtmfReceived', digit: '9', channel: { id: 'nope.2', name: 'PJSIP/x', state: 'Up' } } as never);
    h.ari.sendWsEvent({ type: 'PlaybackFinished', playback: { id: 'unknown', state: 'done' } } as never);
    h.ari.sendWsEvent({ type: 'StasisStart', args: ['agent', 'no-such-call', '1'] } as never); // no channel: malformed
    // Keys pressed while queued are ignored; the call still completes.
    const caller = h.ari.placeCall({ callerNumber: '13700000009', dtmf: [{ digit: '1', afterMs: 10 }, { digit: '5', afterMs: 300 }], hangupAfterBridgedMs: 100 });
    expect((await ended(h, caller)).outcome).to.equal('answered');
    // ARI answers the caller's answer with a 500: the call fails cleanly, with a record and no stuck agent.
    const armFault = (r: { path: string }) => {
      if (r.path !== '/ari/events/claim') return;
      h.ari.off('rest', armFault);
      h.ari.failRequests({ status: 500, count: 1 });
    };
    h.ari.on('rest', armFault);
    const failing = h.ari.placeCall({ callerNumber: '13700000010' });
    const failed = await ended(h, failing);
    expect(failed.outcome).to.equal('failed');
    expect((await failing.ended).by).to.equal('app');
    expect(failed.failureReason).to.match(/answer/);
    // 1001 wraps up the earlier call and is Ready again; nobody was offered the failed call.
    await waitFor(async () => (await h.calls.acd.agent('1001'))?.state === 'ready', { what: '1001 ready' });
    expect(failed.offers).to.deep.equal([]);

    // Asterisk stops answering requests (hung): the ARI timeout fails the call instead of hanging it.
    const armSilence = (r: { path: string }) => {
      if (r.path !== '/ari/events/claim') return;
      h.ari.off('rest', armSilence);
      h.ari.setSilent(true);
    };
    h.ari.on('rest', armSilence);
    const hung = h.ari.placeCall({ callerNumber: '13700000011' });
    const timedOut = await ended(h, hung);
    h.ari.setSilent(false);
    expect(timedOut.outcome).to.equal('failed');
    expect(timedOut.failureReason).to.match(/timed out/);
  });
});
