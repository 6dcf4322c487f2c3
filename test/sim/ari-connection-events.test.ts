import { expect } from 'chai';
import { AriConnection } from '../../cti/ari/connection';
import type { AriEvent } from '../../cti/ari/events';
import { AriSimulator } from '../../sim/ari/server';
import { PbxModel } from '../../sim/pbx';
import { LogCapture } from '../helpers/log-capture';

/**
 * The connection reads events off ari-client's socket itself (not through ari-client's handler):
 * what reaches the call flow, what is dropped, and that it keeps reading after ari-client
 * reconnects on a new socket.
 */
describe('ARI connection: events read off the socket', function () {
  this.timeout(20_000);
  let sim: AriSimulator;
  let conn: AriConnection;
  let logs: LogCapture;

  beforeEach(async () => {
    sim = new AriSimulator({ pbx: new PbxModel({ extensions: ['1001'], trunkName: 'pstn' }), timeScale: 0.05 });
    const { url } = await sim.start();
    logs = new LogCapture();
    conn = new AriConnection({ url, username: 'cti', password: 'cti', apps: ['hotline'], logger: logs.logger, reconnectMinMs: 50 });
    await conn.start();
  });
  afterEach(async () => {
    await conn.stop();
    await sim.stop();
  });

  const next = (type: AriEvent['type']) => new Promise<AriEvent>((r) => conn.on('event', (e) => e.type === type && r(e)));
  const channel = { id: 'c-1', name: 'PJSIP/pstn-1', state: 'Up' };

  it('passes consumed events on validated; drops unknown types quietly and malformed events with a log line', async () => {
    const seen: string[] = [];
    conn.on('event', (e) => seen.push(e.type));
    const dtmf = next('ChannelDtmfReceived');
    sim.sendWsEvent({ type: 'SomethingAsterisk23Adds', channel });
    sim.sendWsEvent({ type: 'ChannelDtmfReceived', channel: { id: 'c-1' } });
    sim.sendWsEvent({ type: 'ChannelDtmfReceived', channel, digit: '7', duration_ms: 100 });
    const e = await dtmf;
    expect(e).to.include({ type: 'ChannelDtmfReceived', digit: '7' });
    expect(seen).to.deep.equal(['ChannelDtmfReceived']);
    expect(logs.messages('warn')).to.include('malformed ARI event dropped');
    expect(logs.messages('error')).to.deep.equal([]);
  });

  it('keeps reading events after ari-client reconnects on a new socket', async () => {
    const reconnected = new Promise<void>((r) => conn.once('reconnected', () => r()));
    sim.dropWebSockets({ forMs: 100 });
    await reconnected;
    const dtmf = next('ChannelDtmfReceived');
    sim.sendWsEvent({ type: 'ChannelDtmfReceived', channel, digit: '3' });
    expect((await dtmf).type).to.equal('ChannelDtmfReceived');
  });
});
