import { join } from 'node:path';
import { expect } from 'chai';
import WebSocket from 'ws';
import type { CalleeBehaviour } from '../../sim/ari/outbound';
import { AriSimulator } from '../../sim/ari/server';
import { replayTrace } from '../../sim/ari/trace-replay';
import { PbxModel } from '../../sim/pbx';
import { waitFor } from '../helpers/wait';

/**
 * The notice call's telephony facts, from trace 12 (a real Asterisk 22.10.1): the trace itself
 * replayed against the simulator, and the product's own flow on the simulator's carrier trunk
 * (`PJSIP/<number>@carrier`): Stasis only at answer, a channel recording holding a later play on
 * that channel while a bridge recording does not, busy → cause 17, no answer → cause 19.
 */

const TRACE = join(__dirname, '..', 'fixtures', 'asterisk-traces', '12-outbound-notification-call-dtmf.jsonl');

type Ev = { type: string; [k: string]: unknown };

class Box {
  readonly sim = new AriSimulator({ pbx: new PbxModel({ extensions: [] }), trunkEndpoint: 'carrier', timeScale: 0.1, soundDurationMs: () => 1000, defaultCallee: { kind: 'unreachable' } });
  readonly events: Ev[] = [];
  private ws?: WebSocket;
  url = '';

  async start(): Promise<void> {
    this.url = (await this.sim.start()).url;
    this.ws = new WebSocket(`${this.url.replace('http', 'ws')}/ari/events?app=hotline-a&api_key=cti:cti&subscribeAll=false`);
    this.ws.on('message', (d) => {
      const e = JSON.parse(String(d)) as Ev;
      if (!(e.type === 'ChannelVarset' && String(e.variable).startsWith('RTPAUDIOQOS'))) this.events.push(e);
    });
    await new Promise((r) => this.ws!.once('open', r));
  }

  async stop(): Promise<void> {
    this.ws?.terminate();
    await this.sim.stop();
  }

  async rest(method: string, path: string, query: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.url}/ari${path}?${new URLSearchParams(query).toString()}`, { method, headers: { Authorization: `Basic ${Buffer.from('cti:cti').toString('base64')}` } });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  originate(id: string, number: string): Promise<{ status: number; body: unknown }> {
    return this.rest('POST', '/channels', { endpoint: `PJSIP/${number}@carrier`, app: 'hotline-a', appArgs: `notify,${id}`, callerId: '952525', timeout: '10', channelId: id });
  }

  of(id: string): Ev[] {
    return this.events.filter((e) => {
      const c = (e.channel ?? e.peer) as { id?: string } | undefined;
      const p = e.playback as { target_uri?: string } | undefined;
      return c?.id === id || p?.target_uri === `channel:${id}`;
    });
  }

  callee(number: string, b: CalleeBehaviour): void {
    this.sim.setCallee(number, b);
  }
}

describe('notice call telephony (trace 12)', function () {
  this.timeout(30_000);

  it('replays trace 12 against the simulator: same events, fields and REST answers', async () => {
    const report = await replayTrace(TRACE, { timeScale: 0.05 });
    for (const [ws, seq] of Object.entries(report.sequences)) expect(seq.actual, `events on ${ws}`).to.deep.equal(seq.expected);
    expect(report.mismatches, report.mismatches.join('\n')).to.deep.equal([]);
  });

  describe('the product flow on the carrier trunk', () => {
    const box = new Box();
    before(() => box.start());
    after(() => box.stop());

    it('enters Stasis only at answer, after Dial, Dial RINGING and Ringing; args notify,<id>', async () => {
      box.callee('13800001111', { kind: 'answer', afterMs: 500 });
      expect((await box.originate('notice-a-1', '13800001111')).status).to.equal(200);
      await waitFor(() => box.of('notice-a-1').some((e) => e.type === 'StasisStart'), { what: 'StasisStart' });
      const types = box.of('notice-a-1').map((e) => (e.type === 'Dial' ? `Dial(${String(e.dialstatus)})` : e.type === 'ChannelStateChange' ? `State(${String((e.channel as { state: string }).state)})` : e.type));
      // Dial(RINGING) and State(Ringing) race on a real Asterisk (trace-replay.ts): either order.
      expect(types[0]).to.equal('Dial()');
      expect([...types.slice(1, 3)].sort()).to.deep.equal(['Dial(RINGING)', 'State(Ringing)']);
      expect(types.slice(3, 5)).to.deep.equal(['State(Up)', 'Dial(ANSWER)']);
      expect(types.indexOf('StasisStart')).to.be.greaterThan(types.indexOf('Dial(ANSWER)'));
      const start = box.of('notice-a-1').find((e) => e.type === 'StasisStart')!;
      expect(start.args).to.deep.equal(['notify', 'notice-a-1']);
      expect((start.channel as { caller: { number: string } }).caller.number).to.equal('952525');
    });

    it('a channel recording holds a later play on that channel (no PlaybackStarted, pause → 409)', async () => {
      expect((await box.rest('POST', '/channels/notice-a-1/record', { name: 'rec-channel', format: 'wav' })).status).to.equal(201);
      expect((await box.rest('POST', '/channels/notice-a-1/play/pb-held', { media: 'sound:hotline/cmn/notice-intro' })).status).to.equal(201);
      expect((await box.rest('POST', '/playbacks/pb-held/control', { operation: 'pause' })).status).to.equal(409);
      await box.rest('DELETE', '/channels/notice-a-1');
      await waitFor(() => box.of('notice-a-1').some((e) => e.type === 'ChannelDestroyed'), { what: 'the hang-up' });
      // Events arrive in order: up to the hang-up, the held play never started (as in the trace).
      expect(box.events.some((e) => e.type === 'PlaybackStarted' && (e.playback as { id: string }).id === 'pb-held')).to.equal(false);
    });

    it('a bridge recording does not: the play on the bridged channel starts at once, and DTMF arrives', async () => {
      box.callee('13800002222', { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 1500 }] });
      await box.originate('notice-b-1', '13800002222');
      await waitFor(() => box.of('notice-b-1').some((e) => e.type === 'StasisStart'), { what: 'StasisStart' });
      expect((await box.rest('POST', '/bridges/br-notice-b-1', { type: 'mixing' })).status).to.equal(200);
      expect((await box.rest('POST', '/bridges/br-notice-b-1/addChannel', { channel: 'notice-b-1' })).status).to.equal(204);
      expect((await box.rest('POST', '/bridges/br-notice-b-1/record', { name: 'notice-b-1', format: 'wav' })).status).to.equal(201);
      expect((await box.rest('POST', '/channels/notice-b-1/play/pb-free', { media: 'sound:hotline/cmn/notice-intro' })).status).to.equal(201);
      await waitFor(() => box.events.some((e) => e.type === 'PlaybackStarted' && (e.playback as { id: string }).id === 'pb-free'), { what: 'PlaybackStarted' });
      const dtmf = await waitFor(() => box.of('notice-b-1').find((e) => e.type === 'ChannelDtmfReceived'), { what: 'the key press' });
      expect(dtmf.digit).to.equal('1');
      await box.rest('DELETE', '/channels/notice-b-1');
      await waitFor(() => box.events.some((e) => e.type === 'RecordingFinished' && (e.recording as { name: string }).name === 'notice-b-1'), { what: 'the recording to finish' });
    });

    it('a prompt played into the recorded bridge: 201 and events with target bridge:<id>, stopped by DELETE /playbacks like a channel playback, DTMF arrives', async () => {
      box.callee('13800005555', { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 600 }] });
      await box.originate('notice-e-1', '13800005555');
      await waitFor(() => box.of('notice-e-1').some((e) => e.type === 'StasisStart'), { what: 'StasisStart' });
      await box.rest('POST', '/bridges/br-notice-e-1', { type: 'mixing' });
      await box.rest('POST', '/bridges/br-notice-e-1/addChannel', { channel: 'notice-e-1' });
      expect((await box.rest('POST', '/bridges/br-notice-e-1/record', { name: 'notice-e-1', format: 'wav' })).status).to.equal(201);
      const played = await box.rest('POST', '/bridges/br-notice-e-1/play', { media: 'sound:hotline/cmn/notice-intro', playbackId: 'pb-bridge' });
      expect(played.status).to.equal(201);
      expect(played.body).to.include({ id: 'pb-bridge', media_uri: 'sound:hotline/cmn/notice-intro', target_uri: 'bridge:br-notice-e-1' });
      const ofPlayback = (type: string) => box.events.find((e) => e.type === type && (e.playback as { id: string }).id === 'pb-bridge');
      const started = await waitFor(() => ofPlayback('PlaybackStarted'), { what: 'PlaybackStarted' });
      expect(started.playback).to.include({ target_uri: 'bridge:br-notice-e-1', state: 'playing' });
      // The receiver's key while the prompt plays (1000 ms simulated here) stops it, as barge-in does.
      await waitFor(() => box.of('notice-e-1').find((e) => e.type === 'ChannelDtmfReceived'), { what: 'the key press' });
      expect(ofPlayback('PlaybackFinished'), 'still playing at the key press').to.equal(undefined);
      expect((await box.rest('DELETE', '/playbacks/pb-bridge')).status).to.equal(204);
      const finished = await waitFor(() => ofPlayback('PlaybackFinished'), { what: 'PlaybackFinished' });
      expect(finished.playback).to.include({ target_uri: 'bridge:br-notice-e-1', state: 'done' });
      expect((await box.rest('DELETE', '/playbacks/pb-bridge')).status).to.equal(404);
      await box.rest('DELETE', '/channels/notice-e-1');
      await waitFor(() => box.events.some((e) => e.type === 'RecordingFinished' && (e.recording as { name: string }).name === 'notice-e-1'), { what: 'the recording to finish' });
    });

    it('busy → only Dial events and ChannelDestroyed cause 17; no answer → ChannelDestroyed cause 19 at the timeout', async () => {
      box.callee('13800003333', { kind: 'busy' });
      box.callee('13800004444', { kind: 'no-answer' });
      await box.originate('notice-c-1', '13800003333');
      await box.originate('notice-d-1', '13800004444');
      const busy = await waitFor(() => box.of('notice-c-1').find((e) => e.type === 'ChannelDestroyed'), { what: 'busy end' });
      const none = await waitFor(() => box.of('notice-d-1').find((e) => e.type === 'ChannelDestroyed'), { what: 'no-answer end', timeoutMs: 5000 });
      expect(busy.cause).to.equal(17);
      expect(none.cause).to.equal(19);
      for (const id of ['notice-c-1', 'notice-d-1']) expect(box.of(id).some((e) => e.type === 'StasisStart')).to.equal(false);
    });
  });
});
