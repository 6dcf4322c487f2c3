import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { AcdStore } from '../../cti/acd/acd-store';
import { NoticeSpeech } from '../../cti/notice-call/notice-speech';
import { parseWavHeader } from '../../core/wav';
import { NoticeDispatcher } from '../../notices/department-notifier';
import { MongoSmsRecords } from '../../notify/sms-records';
import { BoardService } from '../../supervisor-board/board-service';
import { waitFor } from '../helpers/wait';
import { LEADER, noticeChannelIdOf, ON_DUTY, order, Rig, SECOND, type Node } from './notice-call-rig';

/**
 * The department notice (Art. 8, 10) end to end on real Redis, FerretDB and the ARI simulator:
 * the notifier writes the Notice, sends the SMS through the outbox (to a webhook), and a notice
 * call is placed through the carrier trunk by whichever process's worker takes the job; the
 * simulated receiver answers and presses keys. HotlineApp routes the call's events (args
 * `notify,…`) to the notice calls. Durations are shortened: retry 400 ms, key wait 400 ms.
 */

describe('department notices: SMS and the recorded notice call with key-press acknowledgement', function () {
  this.timeout(60_000);

  describe('one process', () => {
    const rig = new Rig();
    before(() => rig.start(1));
    after(() => rig.stop());
    beforeEach(() => {
      rig.acks.calls.length = 0;
    });

    it('reaches the receiver through the trunk, plays the prompt into a recorded bridge, and key 1 acknowledges once', async () => {
      const o = order();
      rig.callee(ON_DUTY, { kind: 'answer', afterMs: 400 });
      const r = await rig.nodes[0]!.notifier.notify(o, 'dispatch', 'system');
      expect(r.channels).to.deep.equal(['sms', 'call']);
      // The receiver listens to the whole prompt, then presses 1.
      const channelId = await waitFor(() => rig.played(noticeChannelIdOf(o.number)).includes('sound:hotline/cmn/notice-press') && noticeChannelIdOf(o.number), { what: 'the prompt to reach 「请按一」' });
      rig.sim.farEndDtmf(channelId, '1');

      const call = await waitFor(() => rig.models.Call.findOne({ workOrderNumber: o.number, state: 'ended' }).lean(), { what: 'the notice call to end', timeoutMs: 30_000 });
      expect(call.direction).to.equal('outbound');
      expect(call.dialledNumber).to.equal(ON_DUTY);
      expect(call.callerNumber).to.equal('952525');
      expect(call.noticeResult).to.equal('acknowledged');
      expect(call.outcome).to.equal('answered');
      expect(rig.acks.calls).to.deep.equal([[o.number, ON_DUTY, 'call']]);

      // Originated through the carrier endpoint into this process's app, as trace 12 did.
      const [orig, ...more] = rig.originates(ON_DUTY);
      expect(more).to.have.length(0);
      expect(orig!.query).to.include({ endpoint: `PJSIP/${ON_DUTY}@carrier`, app: 'hotline-a', callerId: '952525' });
      expect(String(orig!.query.appArgs)).to.match(/^notify,WO20261201-\d{4}\.dispatch\.1\.13800001111$/);

      // The bridge is recorded (not the channel, whose recording would hold every playback).
      const recs = rig.rest.filter((x) => x.method === 'POST' && /\/record$/.test(x.path));
      expect(recs.map((x) => x.path)).to.deep.equal([`/ari/bridges/br-${call.callId}/record`]);
      const played = rig.played(call.callId);
      const speech = `sound:hotline-notices/${NoticeSpeech.fileName(o)}`;
      expect(played.slice(0, 2)).to.deep.equal(['sound:hotline/cmn/notice-intro', 'sound:hotline/cmn/digit-2']);
      expect(played, JSON.stringify(played)).to.include(speech);
      expect(played, JSON.stringify(played)).to.include('sound:hotline/cmn/notice-press');
      expect(played.at(-1)).to.equal('sound:hotline/cmn/notice-thanks');
      // The per-order speech file exists where Asterisk reads it and played to its end.
      expect(readdirSync(join(rig.soundsDir, 'hotline-notices'))).to.include(`${NoticeSpeech.fileName(o)}.wav`);
      const finished = rig.events.filter((d) => d.event.type === 'PlaybackFinished').map((d) => d.event.playback as { media_uri: string; state: string });
      expect(finished.find((p) => p.media_uri === speech)?.state).to.equal('done');

      const recording = await waitFor(() => rig.models.Recording.findOne({ name: call.recordingName, state: 'done' }).lean(), { what: 'the recording to finish' });
      expect(recording.callId).to.equal(call.callId);

      // Every prompt was played into the recorded bridge, none on the channel alone: the bridge's
      // recorder hears it, with the receiver's key presses and voice.
      const bridge = `bridge:br-${call.callId}`;
      const started = rig.playbacks(call.callId, 'PlaybackStarted');
      const ended = rig.playbacks(call.callId, 'PlaybackFinished');
      expect(started.map((p) => p.target_uri)).to.have.length.above(3).and.satisfy((t: string[]) => t.every((x) => x === bridge));
      expect(ended.every((p) => p.target_uri === bridge)).to.equal(true);
      // The recording ran from before the first prompt to after the last (「谢谢」), and its file is that long.
      const recEvents = rig.events.filter((d) => (d.event.recording as { name?: string } | undefined)?.name === call.recordingName);
      const recStart = recEvents.find((d) => d.event.type === 'RecordingStarted')!.at;
      const recEnd = recEvents.find((d) => d.event.type === 'RecordingFinished')!.at;
      expect(recStart).to.be.at.most(started[0]!.at);
      expect(recEnd).to.be.at.least(ended.at(-1)!.at);
      expect(ended.at(-1)!.media_uri).to.equal('sound:hotline/cmn/notice-thanks');
      const file = parseWavHeader(readFileSync(join(rig.recordingsDir, `${call.recordingName}.wav`)));
      const promptSimMs = (ended.at(-1)!.at - started[0]!.at) / rig.timeScale;
      expect(file.durationMs).to.be.at.least(Math.floor(promptSimMs));
      // At the least the whole first prompt: its catalogue pieces (60 ms each here) and the spoken address.
      const speechMs = parseWavHeader(readFileSync(join(rig.soundsDir, 'hotline-notices', `${NoticeSpeech.fileName(o)}.wav`))).durationMs;
      const firstPrompt = played.slice(0, played.indexOf('sound:hotline/cmn/notice-press') + 1);
      expect(file.durationMs).to.be.at.least(speechMs + 60 * (firstPrompt.length - 1));
      expect(recording.durationSec).to.be.closeTo(file.durationMs / 1000, 1);
      const notice = await rig.models.Notice.findOne({ workOrderNumber: o.number }).lean();
      expect(notice?.call?.status).to.equal('acknowledged');
      expect(notice?.acknowledgedAt).to.be.instanceOf(Date);

      // The SMS went out too, recorded with its delivery status.
      const sms = await waitFor(() => rig.models.SmsMessage.findOne({ workOrderNumber: o.number, status: 'sent' }).lean(), { what: 'the SMS to be sent' });
      expect(sms).to.include({ to: ON_DUTY, purpose: 'notice', gateway: 'webhook', attempts: 1 });
      expect(sms.text).to.contain(o.number).and.contain('报漏').and.contain('人民路12号').and.not.contain('紧急');
      expect(rig.sink.got.filter((m) => m.to === ON_DUTY && m.text.includes(o.number))).to.have.length(1);
    });

    it('key 2 plays the notice again; 1 then acknowledges', async () => {
      const o = order();
      rig.callee(ON_DUTY, { kind: 'answer', afterMs: 200 });
      await rig.nodes[0]!.notifier.notify(o, 'dispatch', 'system');
      const ch = noticeChannelIdOf(o.number);
      const times = (m: string) => rig.played(ch).filter((x) => x === m).length;
      await waitFor(() => times('sound:hotline/cmn/notice-press') === 1, { what: 'the first 「请按一」' });
      rig.sim.farEndDtmf(ch, '2');
      await waitFor(() => times('sound:hotline/cmn/notice-intro') === 2, { what: 'the prompt to start again' });
      rig.sim.farEndDtmf(ch, '1');
      const call = await waitFor(() => rig.models.Call.findOne({ workOrderNumber: o.number, state: 'ended' }).lean(), { what: 'the call to end', timeoutMs: 30_000 });
      expect(call.noticeResult).to.equal('acknowledged');
      expect(rig.played(call.callId).filter((m) => m === 'sound:hotline/cmn/notice-intro')).to.have.length(2);
      expect(rig.acks.calls).to.deep.equal([[o.number, ON_DUTY, 'call']]);
    });

    it('no key: plays it once more, then hangs up unacknowledged (no retry, the port never called)', async () => {
      const o = order();
      rig.callee(ON_DUTY, { kind: 'answer', afterMs: 200 });
      await rig.nodes[0]!.notifier.notify(o, 'dispatch', 'system');
      const call = await waitFor(() => rig.models.Call.findOne({ workOrderNumber: o.number, state: 'ended' }).lean(), { what: 'the call to end', timeoutMs: 30_000 });
      expect(call.noticeResult).to.equal('unacknowledged');
      const played = rig.played(call.callId);
      expect(played.filter((m) => m === 'sound:hotline/cmn/notice-intro')).to.have.length(2);
      expect(played.at(-1)).to.equal('sound:hotline/cmn/notice-unconfirmed');
      const notice = await rig.models.Notice.findOne({ workOrderNumber: o.number }).lean();
      expect(notice?.call).to.include({ status: 'unacknowledged', attempts: 1 });
      expect(rig.acks.calls).to.deep.equal([]);
    });

    it('busy: calls once more after the retry delay, then gives up', async () => {
      const o = order({ number: 'WO20261201-0777' });
      rig.callee(ON_DUTY, { kind: 'busy' });
      await rig.nodes[0]!.notifier.notify(o, 'dispatch', 'system');
      const notice = await waitFor(() => rig.models.Notice.findOne({ workOrderNumber: o.number, 'call.status': 'unreached' }).lean(), { what: 'the notice to give up', timeoutMs: 20_000 });
      expect(notice.call).to.include({ attempts: 2, lastResult: 'busy' });
      const calls = await waitFor(async () => {
        const list = await rig.models.Call.find({ workOrderNumber: o.number, state: 'ended' }).sort({ noticeAttempt: 1 }).lean();
        return list.length === 2 ? list : null;
      }, { what: 'both attempts recorded' });
      expect(calls.map((c) => [c.noticeAttempt, c.noticeResult, c.outcome, c.direction])).to.deep.equal([
        [1, 'busy', 'failed', 'outbound'],
        [2, 'busy', 'failed', 'outbound'],
      ]);
      expect(calls[1]!.arrivedAt.getTime() - calls[0]!.endedAt!.getTime()).to.be.at.least(350);
      // Nothing further is armed: two originates, no third.
      await new Promise((r) => setTimeout(r, 900));
      expect(rig.originates(ON_DUTY).filter((x) => String(x.query.appArgs).includes('0777'))).to.have.length(2);
    });

    it('an emergency SMSes and calls the leader at once, with 紧急 in the message', async () => {
      const o = order({ category: 'pipe_burst', emergency: true });
      rig.callee(ON_DUTY, { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 1500 }] });
      rig.callee(LEADER, { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 1500 }] });
      const before = rig.originates(LEADER).length;
      await rig.nodes[0]!.notifier.notify(o, 'emergency', 'system');
      const msgs = await waitFor(async () => {
        const list = await rig.models.SmsMessage.find({ workOrderNumber: o.number, status: 'sent' }).lean();
        return list.length === 2 ? list : null;
      }, { what: 'two SMS sent' });
      expect(msgs.map((m) => m.to).sort()).to.deep.equal([ON_DUTY, LEADER].sort());
      for (const m of msgs) expect(m.text).to.contain('紧急').and.contain('爆管');
      await waitFor(() => rig.originates(LEADER).length > before, { what: 'the leader to be called' });
      const calls = await waitFor(async () => {
        const list = await rig.models.Call.find({ workOrderNumber: o.number, state: 'ended' }).lean();
        return list.length === 2 ? list : null;
      }, { what: 'both calls to end', timeoutMs: 30_000 });
      expect(calls.map((c) => c.dialledNumber).sort()).to.deep.equal([ON_DUTY, LEADER].sort());
      const leaderCall = calls.find((c) => c.dialledNumber === LEADER)!;
      expect(rig.played(leaderCall.callId)[0]).to.equal('sound:hotline/cmn/notice-emergency');
    });

    it('SMS delivery status: a refused attempt is retried and recorded (attempts, then sent)', async () => {
      const o = order({ category: 'billing', department: 'engineering' });
      rig.sink.failFirst = 1;
      await new NoticeDispatcher({ models: rig.models, sms: rig.nodes[0]!.sms, channels: ['sms'], logger: rig.log.logger }).notify(o, 'dispatch', '1001');
      const queued = await rig.models.SmsMessage.findOne({ workOrderNumber: o.number }).lean();
      expect(queued?.status).to.be.oneOf(['queued', 'sent']);
      const sent = await waitFor(() => rig.models.SmsMessage.findOne({ workOrderNumber: o.number, status: 'sent' }).lean(), { what: 'the retried SMS to be sent' });
      expect(sent.attempts).to.equal(2);
      expect(sent.error).to.equal(undefined);
      expect(sent.sentAt).to.be.instanceOf(Date);
      const failed = new MongoSmsRecords(rig.models);
      await failed.queued('sms.test-failed', { role: 'on_duty', phone: SECOND }, 'x', { purpose: 'notice' }, 'webhook');
      await failed.attemptFailed('sms.test-failed', 8, 'SMS webhook answered 503', true);
      expect(await rig.models.SmsMessage.findOne({ key: 'sms.test-failed' }).lean()).to.include({ status: 'failed', attempts: 8, error: 'SMS webhook answered 503' });
    });

    it('a key press from an unknown notice call is ignored with a log line', async () => {
      const acksBefore = rig.acks.calls.length;
      const noticesBefore = await rig.models.Notice.find({}).lean();
      const sent = rig.sim.sendWsEvent({
        type: 'ChannelDtmfReceived',
        timestamp: new Date().toISOString(),
        digit: '1',
        duration_ms: 280,
        channel: { id: 'notice-WO20990101-0001-dispatch-1-13800009999-1', name: 'PJSIP/carrier-000000ff', state: 'Up' },
        application: 'hotline-a',
      }, 'hotline-a');
      expect(sent).to.equal(1);
      await waitFor(() => rig.log.lines.some((l) => l.msg === 'key press from an unknown notice call ignored'), { what: 'the log line' });
      expect(rig.acks.calls.length).to.equal(acksBefore);
      expect(await rig.models.Notice.find({}).lean()).to.deep.equal(noticesBefore);
    });

    it('an outbound notice call is never counted in the hotline statistics', async () => {
      const acd = new AcdStore(rig.nodes[0]!.redis, rig.config.REDIS_PREFIX);
      const snap = await new BoardService({ models: rig.models, acd, serviceLevelMs: 20_000 }).snapshot();
      const outbound = await rig.models.Call.countDocuments({ direction: 'outbound', outcome: 'answered' });
      expect(outbound).to.be.greaterThan(0);
      expect(snap.metrics.offered).to.equal(0);
      expect(snap.recentCalls).to.deep.equal([]);
    });
  });

  describe('two processes', () => {
    const rig = new Rig();
    before(() => rig.start(2));
    after(() => rig.stop());

    it('notifying the same order from both sends one SMS and places one call', async () => {
      const o = order();
      rig.callee(ON_DUTY, { kind: 'answer', afterMs: 300, dtmf: [{ digit: '1', afterMs: 1500 }] });
      const [a, b] = rig.nodes as [Node, Node];
      await Promise.all([a.notifier.notify(o, 'dispatch', 'system'), b.notifier.notify(o, 'dispatch', 'system'), a.notifier.notify(o, 'dispatch', 'system')]);
      await waitFor(() => rig.models.Call.findOne({ workOrderNumber: o.number, state: 'ended' }).lean(), { what: 'the call to end', timeoutMs: 30_000 });
      await waitFor(() => rig.models.SmsMessage.findOne({ workOrderNumber: o.number, status: 'sent' }).lean(), { what: 'the SMS' });
      // A late ask after both finished queues nothing: the placed call's job is kept, so its id is taken.
      const counts = async () => JSON.stringify(await b.rule.queue.getJobCounts('wait', 'delayed', 'active', 'completed'));
      const before = await counts();
      await b.notifier.notify(o, 'dispatch', 'system');
      expect(await counts()).to.equal(before);
      expect(JSON.parse(before)).to.include({ wait: 0, delayed: 0, active: 0, completed: 1 });
      expect(rig.originates(ON_DUTY)).to.have.length(1);
      expect(rig.sink.got.filter((m) => m.text.includes(o.number))).to.have.length(1);
      expect(await rig.models.SmsMessage.countDocuments({ workOrderNumber: o.number })).to.equal(1);
      expect(await rig.models.Notice.countDocuments({ workOrderNumber: o.number })).to.equal(1);
      expect(await rig.models.Call.countDocuments({ workOrderNumber: o.number })).to.equal(1);
      expect(rig.acks.calls).to.deep.equal([[o.number, ON_DUTY, 'call']]);
    });
  });
});
