import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PbxModel } from '../../sim/pbx';
import { AriSimulator } from '../../sim/ari/server';
import { ariErrorBody, connectAri, nextEvent, recordEvents, type AriClient, type AriEvent, type AriInstance } from '../../sim/ari/testkit';
import type { HeardEntry } from '../../sim/ari/types';
import { wavDurationMs } from '../../core/wav';

/**
 * Call flows the product runs, driven through the real ari-client 2.2.0 (client-level and
 * per-instance listeners) with callers and phones scripted through the simulator.
 */

const SCALE = 0.05;

async function setup(opts: { broadcast?: boolean; recordingsDir?: string } = {}): Promise<{ sim: AriSimulator; pbx: PbxModel; url: string }> {
  const pbx = new PbxModel({ extensions: ['1001', '1002'], trunkName: 'pstn' });
  pbx.setPhone('1001', { behaviour: { kind: 'answer', afterMs: 300 } });
  pbx.setPhone('1002', { behaviour: { kind: 'answer', afterMs: 300 } });
  const sim = new AriSimulator({
    pbx,
    timeScale: SCALE,
    soundDurationMs: (uri) => (uri.includes('missing') ? null : 1000),
    ...(opts.recordingsDir ? { recordingsDir: opts.recordingsDir } : {}),
    dialplan: opts.broadcast
      ? { exten: '952525', mode: 'broadcast', appPattern: '^hotline-.*', timeoutMs: 2000 }
      : { exten: '952525', mode: 'stasis', app: 'hotline' },
  });
  const { url } = await sim.start();
  return { sim, pbx, url };
}

const types = (events: AriEvent[], channelId?: string): string[] =>
  events
    .filter((e) => !channelId || e.channel?.id === channelId || e.peer?.id === channelId)
    .map((e) => e.type);

describe('ARI simulator call flows through ari-client', function () {
  this.timeout(20_000);
  let sim: AriSimulator;
  let pbx: PbxModel;
  let url: string;
  const clients: AriClient[] = [];
  let dir: string | undefined;

  afterEach(async () => {
    for (const c of clients.splice(0)) c.stop();
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function client(app: string | string[] = 'hotline'): Promise<AriClient> {
    const c = await connectAri(url);
    clients.push(c);
    await c.start(app);
    return c;
  }

  it('announcement, language key, MOH while the agent rings, bridge + recording written as a wav of the right length', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ari-sim-rec-'));
    ({ sim, pbx, url } = await setup({ recordingsDir: dir }));
    const ari = await client();
    const seen = recordEvents(ari);
    const done = new Promise<{ agentId: string; recName: string; digit: string }>((resolve, reject) => {
      ari.on('StasisStart', (e, caller) => {
        if (e.args?.[0] === 'agent') return;
        void (async () => {
          const digit = nextEvent(ari, 'ChannelDtmfReceived', (d) => d.channel?.id === caller.id);
          await caller.answer();
          const welcome = ari.Playback();
          const finished = new Promise<AriEvent>((r) => welcome.once('PlaybackFinished', (pe) => r(pe)));
          await caller.play({ media: 'sound:hotline/yue/welcome' }, welcome);
          expect((await finished).playback?.state).to.equal('done');
          const key = String((await digit).event.digit);
          const hold = ari.Bridge();
          await hold.create({ type: 'holding', name: 'hold' });
          await hold.addChannel({ channel: caller.id });
          await hold.startMoh();
          const agent = ari.Channel();
          agent.once('StasisStart', () => {
            void (async () => {
              await hold.removeChannel({ channel: caller.id });
              const mix = ari.Bridge();
              await mix.create({ type: 'mixing', name: 'mix' });
              await mix.addChannel({ channel: [caller.id, agent.id].join(',') });
              const rec = ari.LiveRecording(`call-${caller.id}`);
              rec.once('RecordingFinished', () => resolve({ agentId: agent.id, recName: rec.name, digit: key }));
              await mix.record({ format: 'wav' }, rec);
              caller.once('StasisEnd', () => void agent.hangup().catch(reject));
            })().catch(reject);
          });
          await agent.originate({ endpoint: 'PJSIP/1001', app: 'hotline', appArgs: 'agent', timeout: 30 });
        })().catch(reject);
      });
    });

    const caller = sim.placeCall({ callerNumber: '13800138000', dtmf: [{ digit: '2', afterMs: 300 }], hangupAfterBridgedMs: 3000 });
    const { agentId, recName, digit } = await done;
    expect(digit).to.equal('2');
    expect((await caller.ended).by).to.equal('caller');

    // What the caller heard, in order: the announcement, then holding + MOH, then the agent.
    const heard = caller.heard();
    const welcome = heard.find((h): h is Extract<HeardEntry, { kind: 'playback' }> => h.kind === 'playback');
    const bridges = heard.filter((h): h is Extract<HeardEntry, { kind: 'bridge' }> => h.kind === 'bridge');
    expect(welcome).to.include({ media: 'sound:hotline/yue/welcome', state: 'done', target: 'channel' });
    expect(bridges.map((b) => b.bridgeType)).to.deep.equal(['holding', 'mixing']);
    expect(welcome!.finishedAt!).to.be.at.most(bridges[0]!.joinedAt);
    expect(heard.some((h) => h.kind === 'moh' && h.source === 'bridge')).to.equal(true);
    expect(bridges[1]!.peersAtJoin).to.deep.equal([]);

    // Trace-shaped lifecycle: the caller never gets ChannelDestroyed, the originated agent does.
    expect(types(seen, caller.id)).to.not.include('ChannelDestroyed');
    const agentTypes = types(seen, agentId);
    expect(agentTypes.slice(0, 6)).to.deep.equal(['Dial', 'ChannelStateChange', 'Dial', 'ChannelStateChange', 'Dial', 'ChannelVarset']);
    expect(agentTypes.slice(-4)).to.deep.equal(['ChannelLeftBridge', 'StasisEnd', 'ChannelVarset', 'ChannelDestroyed']);
    const hangupReq = seen.find((e) => e.type === 'ChannelHangupRequest' && e.channel?.id === agentId);
    expect(hangupReq).to.include({ cause: 32, soft: true });

    // The stored recording: listed, downloadable, and a real 8 kHz 16-bit mono wav of ~3 s.
    const stored = await ari.recordings.getStored<{ name: string; format: string }>({ recordingName: recName });
    expect(stored).to.include({ name: recName, format: 'wav' });
    const file = join(dir, `${recName}.wav`);
    expect(existsSync(file)).to.equal(true);
    const wav = readFileSync(file);
    expect(wav.readUInt32LE(24)).to.equal(8000);
    expect(wav.readUInt16LE(22)).to.equal(1);
    expect(wav.readUInt16LE(34)).to.equal(16);
    // The file lasts exactly what the PBX measured; that is the ~3 s talk time, less the few real
    // ms before the record request arrived (×20 at this time scale).
    const measured = sim.storedRecordings().find((r) => r.name === recName)?.durationMs ?? -1;
    expect(wavDurationMs(wav)).to.be.closeTo(measured, 0.5);
    expect(measured).to.be.within(1500, 4000);
    const finished = seen.find((e) => e.type === 'RecordingFinished');
    expect(finished?.recording).to.include({ name: recName, state: 'done', duration: Math.floor(measured / 1000) });
  });

  it('agent hangs up first: agent leg destroyed, caller stays Up in the bridge until the app acts (trace 06)', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    const seen = recordEvents(ari);
    const callerStart = nextEvent(ari, 'StasisStart', (e) => e.args?.length === 0);
    const caller = sim.placeCall({ callerNumber: '13800138001' });
    const { instance: callerCh } = await callerStart;
    await callerCh.answer();
    const agentStart = nextEvent(ari, 'StasisStart', (e) => e.args?.[0] === 'agent');
    const agent = await ari.channels.originate({ endpoint: 'PJSIP/1002', app: 'hotline', appArgs: 'agent' });
    expect(agent.state).to.equal('Down');
    await agentStart;
    const mix = await ari.bridges.create({ type: 'mixing' });
    await mix.addChannel({ channel: `${callerCh.id},${agent.id}` });
    expect(sim.findAgentChannel('1002')?.id).to.equal(agent.id);

    const destroyed = nextEvent(ari, 'ChannelDestroyed', (e) => e.channel?.id === agent.id);
    sim.agentHangup(agent.id);
    const d = await destroyed;
    expect(d.event).to.include({ cause: 16, cause_txt: 'Normal Clearing' });
    const req = seen.find((e) => e.type === 'ChannelHangupRequest' && e.channel?.id === agent.id);
    expect(req).to.not.have.property('cause');
    expect(req).to.not.have.property('soft');

    const still = await ari.channels.get({ channelId: callerCh.id });
    expect(still.state).to.equal('Up');
    const bridge = await ari.bridges.get<{ channels: string[] }>({ bridgeId: mix.id });
    expect(bridge.channels).to.deep.equal([callerCh.id]);
    expect(types(seen, callerCh.id)).to.not.include('ChannelLeftBridge');
    expect(caller.isUp()).to.equal(true);

    await callerCh.hangup();
    expect((await caller.ended).by).to.equal('app');
  });

  it('unanswered (19/480 at the timeout), busy (17/486) and unregistered phones (500 Allocation failed)', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    pbx.setPhone('1001', { behaviour: { kind: 'no-answer' } });
    const seen = recordEvents(ari);
    const ringing = await ari.channels.originate({ endpoint: 'PJSIP/1001', app: 'hotline', appArgs: 'agent', timeout: 2 });
    const gone = await nextEvent(ari, 'ChannelDestroyed', (e) => e.channel?.id === ringing.id);
    expect(gone.event).to.include({ cause: 19, cause_txt: 'User alerting, no answer', tech_cause: 480 });
    expect(types(seen, ringing.id)).to.deep.equal(['Dial', 'ChannelStateChange', 'Dial', 'ChannelDestroyed']);

    pbx.setPhone('1001', { behaviour: { kind: 'busy' } });
    const busy = await ari.channels.originate({ endpoint: 'PJSIP/1001', app: 'hotline', appArgs: 'agent' });
    const b = await nextEvent(ari, 'ChannelDestroyed', (e) => e.channel?.id === busy.id);
    expect(b.event).to.include({ cause: 17, cause_txt: 'User busy', tech_cause: 486 });
    const busyEvents = seen.filter((e) => e.channel?.id === busy.id || e.peer?.id === busy.id);
    expect(busyEvents.map((e) => (e.type === 'Dial' ? `Dial:${String(e.dialstatus)}` : e.type))).to.deep.equal([
      'Dial:',
      'ChannelHangupRequest',
      'Dial:BUSY',
      'ChannelDestroyed',
    ]);

    for (const patch of [{ registered: false }, { registered: true, reachable: false }]) {
      pbx.setPhone('1002', patch);
      const err = await ari.channels.originate({ endpoint: 'PJSIP/1002', app: 'hotline' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(ariErrorBody(err)).to.deep.equal({ error: 'Allocation failed' });
    }
    const unknown = await ari.channels.create({ endpoint: 'PJSIP/9999', app: 'hotline' }).catch((e: unknown) => e);
    expect(ariErrorBody(unknown)).to.deep.equal({ error: 'Allocation failed' });
    const endpoints = await ari.endpoints.list<Array<{ resource: string; state: string }>>();
    expect(endpoints.find((e) => e.resource === '1002')?.state).to.equal('offline');
  });

  it('create + dial with caller=: StasisStart before dialling, connected line, then answer events', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    const callerStart = nextEvent(ari, 'StasisStart', (e) => e.args?.length === 0);
    sim.placeCall({ callerNumber: '13800138002' });
    const { instance: callerCh } = await callerStart;
    const seen = recordEvents(ari);
    const agent = ari.Channel();
    const inStasis = new Promise<AriEvent>((r) => agent.once('StasisStart', (e) => r(e)));
    const created = await agent.create({ endpoint: 'PJSIP/1001', app: 'hotline', appArgs: 'agent' });
    expect(created.id).to.equal(agent.id);
    expect((await inStasis).channel?.state).to.equal('Down');
    const up = nextEvent(ari, 'Dial', (e) => e.dialstatus === 'ANSWER' && e.peer?.id === agent.id);
    await agent.dial({ caller: callerCh.id, timeout: 10 });
    await up;
    expect(types(seen, agent.id)).to.deep.equal([
      'ChannelDialplan', 'ChannelVarset', 'StasisStart', 'ChannelConnectedLine', 'Dial', 'ChannelStateChange', 'Dial',
      'ChannelStateChange', 'Dial',
    ]);
    const connected = seen.find((e) => e.type === 'ChannelConnectedLine');
    expect(connected?.channel?.connected).to.deep.equal({ name: '', number: '13800138002' });
    const again = await agent.dial().catch((e: unknown) => e);
    expect(ariErrorBody(again)).to.have.property('message');
  });

  it('notification call through the trunk: callee keys reach the app, a channel recording holds a play back (12)', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    sim.setCallee('13800001111', { kind: 'answer', afterMs: 300, dtmf: [{ digit: '1', afterMs: 500 }] });
    const seen = recordEvents(ari);
    const start = nextEvent(ari, 'StasisStart');
    const ch = await ari.channels.originate({ endpoint: 'PJSIP/13800001111@pstn', app: 'hotline', appArgs: 'notify,WO1', callerId: '952525' });
    expect(ch.name).to.match(/^PJSIP\/pstn-[0-9a-f]{8}$/);
    const { event: started, instance: callee } = await start;
    expect(started.args).to.deep.equal(['notify', 'WO1']);
    expect(started.channel?.connected).to.deep.equal({ name: '', number: '952525' });
    const key = nextEvent(ari, 'ChannelDtmfReceived');
    const rec = await callee.record<{ state: string }>({ name: 'notify-1', format: 'wav' });
    expect(rec.state).to.equal('recording');
    const prompt = ari.Playback();
    const prompted = new Promise<AriEvent>((r) => prompt.once('PlaybackStarted', (e) => r(e)));
    expect((await callee.play<{ state: string }>({ media: 'sound:hotline/cmn/notify' }, prompt)).state).to.equal('queued');
    const pause = await ari.playbacks.control({ playbackId: prompt.id, operation: 'pause' }).catch((e: unknown) => e);
    expect(ariErrorBody(pause)).to.deep.equal({ message: 'Can only pause while media is playing' });
    expect((await key).event.digit).to.equal('1');
    await ari.recordings.stop({ recordingName: 'notify-1' });
    expect((await prompted).playback?.state).to.equal('playing');
    const destroyed = nextEvent(ari, 'ChannelDestroyed', (e) => e.channel?.id === ch.id);
    await callee.hangup();
    await destroyed;
    expect(types(seen, ch.id).filter((t) => t !== 'ChannelVarset')).to.deep.equal([
      'Dial', 'ChannelStateChange', 'Dial', 'ChannelStateChange', 'Dial', 'StasisStart', 'ChannelDtmfReceived',
      'ChannelHangupRequest', 'StasisEnd', 'ChannelDestroyed',
    ]);

    // Nothing answers: only Dial, then ChannelDestroyed at the timeout.
    sim.setCallee('*', { kind: 'unreachable' });
    const lost = await ari.channels.originate({ endpoint: 'PJSIP/pstn/sip:13800002222@127.0.0.1:5099', app: 'hotline', timeout: 2 });
    const gone = await nextEvent(ari, 'ChannelDestroyed', (e) => e.channel?.id === lost.id);
    expect(gone.event).to.include({ cause: 19, tech_cause: 480 });
    expect(types(seen, lost.id)).to.deep.equal(['Dial', 'ChannelDestroyed']);
  });

  it('snoop: a supervisor listens through a snoop channel, then barges into the call bridge (11)', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    const callerStart = nextEvent(ari, 'StasisStart', (e) => e.args?.length === 0);
    sim.placeCall({ callerNumber: '13800138003' });
    const { instance: caller } = await callerStart;
    await caller.answer();
    const call = await ari.bridges.create({ type: 'mixing', name: 'call' });
    await call.addChannel({ channel: caller.id });
    const agentUp = nextEvent(ari, 'StasisStart', (e) => e.args?.[0] === 'agent');
    await ari.channels.originate({ endpoint: 'PJSIP/1001', app: 'hotline', appArgs: 'agent' });
    const { instance: agent } = await agentUp;
    await call.addChannel({ channel: agent.id });

    const bad = await ari.channels.snoopChannel({ channelId: agent.id, spy: 'none', app: 'hotline' }).catch((e: unknown) => e);
    expect(ariErrorBody(bad)).to.deep.equal({ message: 'Direction must be specified for at least spy or whisper' });
    const listenStart = nextEvent(ari, 'StasisStart', (e) => e.args?.[0] === 'listen');
    const snoop = await ari.channels.snoopChannel({ channelId: agent.id, spy: 'both', app: 'hotline', appArgs: 'listen', snoopId: 'sn-1' });
    expect(snoop).to.include({ id: 'sn-1', name: `Snoop/${agent.id}-00000000`, state: 'Up' });
    await listenStart;
    const supUp = nextEvent(ari, 'StasisStart', (e) => e.args?.[0] === 'supervisor');
    await ari.channels.originate({ endpoint: 'PJSIP/1002', app: 'hotline', appArgs: 'supervisor' });
    const { instance: sup } = await supUp;
    const monitor = await ari.bridges.create({ type: 'mixing', name: 'monitor' });
    await monitor.addChannel({ channel: `sn-1,${sup.id}` });
    expect((await ari.bridges.get<{ channels: string[] }>({ bridgeId: monitor.id })).channels).to.deep.equal(['sn-1', sup.id]);

    // Barge; the agent hanging up takes its snoop with it (StasisEnd, no ChannelDestroyed).
    await monitor.removeChannel({ channel: sup.id });
    await call.addChannel({ channel: sup.id });
    expect((await ari.bridges.get<{ technology: string }>({ bridgeId: call.id })).technology).to.equal('softmix');
    const snoopEnd = nextEvent(ari, 'StasisEnd', (e) => e.channel?.id === 'sn-1');
    sim.agentHangup(agent.id);
    await snoopEnd;
    expect(sim.channels().map((c) => c.id)).to.not.include('sn-1');
  });

  it('StasisBroadcast: both apps get CallBroadcast, the first claim wins (204), the other gets 409; unclaimed calls fall back', async () => {
    ({ sim, pbx, url } = await setup({ broadcast: true }));
    const a = await client('hotline-a');
    const b = await client('hotline-b');
    const bcA = nextEvent(a, 'CallBroadcast');
    const bcB = nextEvent(b, 'CallBroadcast');
    const caller = sim.placeCall({ callerNumber: '85291234567', callerName: 'HK Caller' });
    const [ea, eb] = await Promise.all([bcA, bcB]);
    expect(ea.event).to.include({ caller: '85291234567', called: '952525', application: 'hotline-a' });
    expect(eb.event.channel?.id).to.equal(caller.id);
    expect(eb.event.channel?.dialplan).to.include({ app_name: 'StasisBroadcast', app_data: '2000,^hotline-.*' });

    const won = nextEvent(b, 'StasisStart');
    const claims = await Promise.allSettled([
      b.events.claimChannel<void>({ channelId: caller.id, application: 'hotline-b' }),
      a.events.claimChannel<void>({ channelId: caller.id, application: 'hotline-a' }),
    ]);
    expect(claims[0].status).to.equal('fulfilled');
    expect(claims[1].status).to.equal('rejected');
    expect(ariErrorBody((claims[1] as PromiseRejectedResult).reason)).to.deep.equal({
      message: 'Channel has already been claimed by another application',
    });
    const start = await won;
    expect(start.event.channel?.state).to.equal('Ring');
    await start.instance.answer();
    await start.instance.hangup();
    expect((await caller.ended).by).to.equal('app');

    const lonely = sim.placeCall({ callerNumber: '85291234568' });
    const end = await lonely.ended;
    expect(end).to.include({ by: 'pbx', reason: 'broadcast-unclaimed' });
    expect(lonely.heard().map((h) => (h.kind === 'playback' ? h.media : h.kind))).to.deep.equal(['sound:hotline/please-call-again']);
    const late = await a.events.claimChannel({ channelId: lonely.id, application: 'hotline-a' }).catch((e: unknown) => e);
    expect(ariErrorBody(late)).to.deep.equal({ message: 'Channel not found or not in broadcast state' });
  });

  it('a second socket for one app replaces the first; closing the newer one unregisters the app (trace 09)', async () => {
    ({ sim, pbx, url } = await setup());
    const first = await client();
    const replaced = nextEvent(first, 'ApplicationReplaced');
    const second = await client();
    expect((await replaced).event).to.include({ application: 'hotline' });
    const start = nextEvent(second, 'StasisStart');
    const firstSaw = recordEvents(first);
    const c = sim.placeCall({ callerNumber: '1', hangupAfterMs: 100 });
    await start;
    await start.then((s) => s.instance.answer());
    await c.ended;
    expect(firstSaw).to.deep.equal([]);

    const unregistered = new Promise<void>((r) => sim.apps.once('unregistered', () => r()));
    second.stop();
    await unregistered;
    const err = await first.applications.get({ applicationName: 'hotline' }).catch((e: unknown) => e);
    expect(ariErrorBody(err)).to.deep.equal({ message: 'Application not found' });
    const rejected = sim.placeCall({ callerNumber: '2' });
    expect(await rejected.ended).to.include({ by: 'pbx', reason: 'stasis-failed' });
  });

  it('playbacks: queue, stop → done then next starts, multi-media continuing, missing file fails', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    const start = nextEvent(ari, 'StasisStart');
    const caller = sim.placeCall({ callerNumber: '3' });
    const { instance: ch } = await start;
    await ch.answer();
    const seen = recordEvents(ari);
    const p1 = await ch.play<{ id: string; state: string }>({ media: 'sound:one' });
    const p2 = await ch.play<{ id: string; state: string }>({ media: ['sound:two', 'sound:three'].join(',') });
    expect(p1.state).to.equal('playing');
    expect(p2.state).to.equal('queued');
    const second = nextEvent(ari, 'PlaybackStarted', (e) => e.playback?.id === p2.id);
    await ari.playbacks.stop({ playbackId: p1.id });
    await second;
    const done = await nextEvent(ari, 'PlaybackFinished', (e) => e.playback?.id === p2.id);
    expect(done.event.playback).to.include({ state: 'done', media_uri: 'sound:three' });
    const pbEvents = seen.filter((e) => e.type.startsWith('Playback')).map((e) => `${e.type}:${String(e.playback?.media_uri)}:${String(e.playback?.state)}`);
    expect(pbEvents).to.deep.equal([
      'PlaybackStarted:sound:one:playing',
      'PlaybackFinished:sound:one:done',
      'PlaybackStarted:sound:two:playing',
      'PlaybackContinuing:sound:two:continuing',
      'PlaybackStarted:sound:three:playing',
      'PlaybackFinished:sound:three:done',
    ]);
    const missing = nextEvent(ari, 'PlaybackFinished', (e) => e.playback?.media_uri === 'sound:missing');
    await ch.play({ media: 'sound:missing' });
    expect((await missing).event.playback?.state).to.equal('failed');
    const noMedia = await ch.play({}).catch((e: unknown) => e);
    expect(ariErrorBody(noMedia)).to.deep.equal({ message: 'Failed to queue media for playback' });
    const heard = caller.heard().filter((h) => h.kind === 'playback');
    expect(heard.map((h) => (h.kind === 'playback' ? `${h.media}:${h.state}` : ''))).to.deep.equal([
      'sound:one:stopped',
      'sound:two:done',
      'sound:three:done',
      'sound:missing:failed',
    ]);
  });

  it('ring, MOH, variables, user events, channel/bridge recordings, bridge announcements, continue, subscribeAll', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    const all = await client(['watcher']);
    const watcherSaw = recordEvents(all);
    const start = nextEvent(ari, 'StasisStart');
    const caller = sim.placeCall({ callerNumber: '6', callerName: 'Six' });
    const { instance: ch } = await start;
    await ch.ring();
    await ch.startMoh({ mohClass: 'hotline' });
    await ch.stopMoh();
    const early = await ch.answer().then(() => 'answered');
    expect(early).to.equal('answered');

    const varset = nextEvent(ari, 'ChannelVarset', (e) => e.variable === 'LANG');
    await ch.setChannelVar({ variable: 'LANG', value: 'yue' });
    expect((await varset).event.value).to.equal('yue');
    expect(await ch.getChannelVar<{ value: string }>({ variable: 'LANG' })).to.deep.equal({ value: 'yue' });
    expect(await ch.getChannelVar<{ value: string }>({ variable: 'CALLERID(num)' })).to.deep.equal({ value: '6' });
    const noVar = await ch.getChannelVar({ variable: 'NOPE' }).catch((e: unknown) => e);
    expect(ariErrorBody(noVar)).to.deep.equal({ message: 'Provided variable was not found' });

    const user = nextEvent(ari, 'ChannelUserevent');
    await ari.events.userEvent({ eventName: 'wrapup', application: 'hotline', source: `channel:${ch.id}`, variables: { reason: 'x' } });
    expect((await user).event).to.include({ eventname: 'wrapup' });
    expect((await user).event.userevent).to.deep.equal({ reason: 'x' });

    // A channel recording outside a bridge works; inside a bridge it fails (record the bridge instead).
    const recDone = nextEvent(ari, 'RecordingFinished', (e) => e.recording?.name === 'voicemail');
    await ch.record({ name: 'voicemail', format: 'wav', maxDurationSeconds: 1 });
    expect((await recDone).event.recording).to.include({ state: 'done', duration: 1 });
    const bridge = await ari.bridges.create({ type: 'mixing' });
    await bridge.addChannel({ channel: ch.id });
    const failed = nextEvent(ari, 'RecordingFailed');
    await ch.record({ name: 'in-bridge', format: 'wav' });
    expect((await failed).event.recording).to.include({ name: 'in-bridge', state: 'failed' });
    const canceled = nextEvent(ari, 'RecordingFinished', (e) => e.recording?.name === 'discard');
    await bridge.record({ name: 'discard', format: 'wav' });
    await ari.recordings.cancel({ recordingName: 'discard' });
    expect((await canceled).event.recording?.state).to.equal('canceled');
    const stored = await ari.recordings.listStored<Array<{ name: string }>>();
    expect(stored.map((r) => r.name)).to.deep.equal(['voicemail']);

    const announced = nextEvent(ari, 'PlaybackFinished');
    const pb = await bridge.play<{ target_uri: string }>({ media: 'sound:hotline/please-hold' });
    expect(pb.target_uri).to.equal(`bridge:${bridge.id}`);
    await announced;

    const end = nextEvent(ari, 'StasisEnd');
    await ch.continueInDialplan();
    await end;
    expect(await caller.ended).to.include({ by: 'pbx', reason: 'dialplan' });
    expect(caller.heard().map((h) => h.kind)).to.deep.equal(['ringing', 'moh', 'bridge', 'playback']);
    const bridgePb = caller.heard().find((h) => h.kind === 'playback');
    expect(bridgePb).to.include({ target: 'bridge', media: 'sound:hotline/please-hold', state: 'done' });

    // A subscribeAll=true socket sees channel creation for every channel (raw socket: ari-client can't ask).
    const raw = new (await import('ws')).default(`${url.replace('http', 'ws')}/ari/events?app=spy&subscribeAll=true&api_key=cti:cti`);
    const spied: string[] = [];
    raw.on('message', (d) => spied.push((JSON.parse(String(d)) as { type: string }).type));
    await new Promise((r) => raw.once('open', r));
    const created = sim.waitForEvent((e) => e.app === 'spy' && e.event.type === 'ChannelCreated');
    sim.placeCall({ callerNumber: '7' });
    await created;
    raw.close();
    expect(watcherSaw).to.deep.equal([]);
  });

  it('deleting a bridge with the caller and a recording inside: LeftBridge, RecordingFinished, no BridgeDestroyed (08)', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    const start = nextEvent(ari, 'StasisStart');
    const caller = sim.placeCall({ callerNumber: '8' });
    const { instance: ch } = await start;
    await ch.answer();
    const bridge = await ari.bridges.create({ type: 'mixing', name: 'b' });
    await bridge.addChannel({ channel: ch.id });
    await bridge.record({ name: 'gone-bridge', format: 'wav' });
    const seen = recordEvents(ari);
    const finished = nextEvent(ari, 'RecordingFinished');
    await bridge.destroy();
    expect((await finished).event.recording).to.include({ name: 'gone-bridge', state: 'done' });
    expect(seen.map((e) => e.type)).to.deep.equal(['ChannelVarset', 'ChannelLeftBridge', 'RecordingFinished']);
    expect((await ari.channels.get({ channelId: ch.id })).state).to.equal('Up');
    expect(caller.isUp()).to.equal(true);
    const again = await bridge.destroy().catch((e: unknown) => e);
    expect(ariErrorBody(again)).to.deep.equal({ message: 'Bridge not found' });
  });

  it('per-instance listeners fire for the instance only and REST errors carry Asterisk bodies', async () => {
    ({ sim, pbx, url } = await setup());
    const ari = await client();
    const starts: AriInstance[] = [];
    ari.on('StasisStart', (_e, ch) => starts.push(ch));
    const one = nextEvent(ari, 'StasisStart');
    const c1 = sim.placeCall({ callerNumber: '4' });
    await one;
    const two = nextEvent(ari, 'StasisStart');
    const c2 = sim.placeCall({ callerNumber: '5' });
    await two;
    const ch1 = ari.Channel(c1.id);
    const got: string[] = [];
    ch1.on('ChannelDtmfReceived', (e) => got.push(String(e.digit)));
    const dtmf2 = nextEvent(ari, 'ChannelDtmfReceived', (e) => e.channel?.id === c2.id);
    const dtmf1 = nextEvent(ari, 'ChannelDtmfReceived', (e) => e.channel?.id === c1.id);
    c2.sendDtmf('9');
    c1.sendDtmf('7');
    await Promise.all([dtmf1, dtmf2]);
    expect(got).to.deep.equal(['7']);
    expect(starts).to.have.length(2);
    const errors = await Promise.all([
      ari.channels.get({ channelId: 'nope' }).catch((e: unknown) => ariErrorBody(e)),
      ari.bridges.addChannel({ bridgeId: 'nope', channel: c1.id }).catch((e: unknown) => ariErrorBody(e)),
      ari.playbacks.get({ playbackId: 'nope' }).catch((e: unknown) => ariErrorBody(e)),
      ari.recordings.getLive({ recordingName: 'nope' }).catch((e: unknown) => ariErrorBody(e)),
      ari.channels.answer({ channelId: c1.id }).then(() => 'ok'),
    ]);
    expect(errors).to.deep.equal([
      { message: 'Channel not found' },
      { message: 'Bridge not found' },
      { message: 'Playback not found' },
      { message: 'Recording not found' },
      'ok',
    ]);
    await ari.channels.hangup({ channelId: c1.id, reason: 'normal' });
    await ari.channels.hangup({ channelId: c2.id });
    expect((await c1.ended).by).to.equal('app');
  });
});
