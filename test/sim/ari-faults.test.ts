import { expect } from 'chai';
import WebSocket from 'ws';
import { PbxModel } from '../../sim/pbx';
import { AriSimulator } from '../../sim/ari/server';
import { ariErrorBody, connectAri, nextEvent, type AriClient } from '../../sim/ari/testkit';

/**
 * Fault injection (dropped WebSockets, 5xx answers, a silent Asterisk), authentication and
 * upgrade errors, and the wazo-style HTTP control API.
 */

const auth = { Authorization: `Basic ${Buffer.from('cti:cti').toString('base64')}` };

function upgrade(url: string): Promise<{ status: number; body: string } | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', () => undefined);
  });
}

describe('ARI simulator faults, auth and control API', function () {
  this.timeout(20_000);
  let sim: AriSimulator;
  let url: string;
  let client: AriClient | null = null;
  let started = false;

  beforeEach(async () => {
    const pbx = new PbxModel({ extensions: ['1001'], trunkName: 'pstn' });
    sim = new AriSimulator({ pbx, timeScale: 0.05 });
    ({ url } = await sim.start());
  });
  afterEach(async () => {
    if (started) client?.stop();
    client = null;
    started = false;
    await sim.stop();
  });

  it('dropWebSockets: sockets close abnormally, upgrades get 503, events in the gap are lost, channels live on', async () => {
    client = await connectAri(url);
    await client.start('hotline');
    started = true;
    const start = nextEvent(client, 'StasisStart');
    const caller = sim.placeCall({ callerNumber: '13800000001' });
    await (await start).instance.answer();

    const reconnecting = new Promise<void>((r) => client?.once('WebSocketReconnecting', () => r()));
    const refused = new Promise<number | undefined>((r) => sim.on('ws', (w) => w.what === 'refused' && r(w.status)));
    sim.dropWebSockets({ forMs: 400 });
    await reconnecting;
    expect(await refused).to.equal(503);
    expect(sim.registeredApps()).to.deep.equal([]);

    const lost = sim.waitForEvent((e) => e.event.type === 'ChannelDtmfReceived');
    caller.sendDtmf('5');
    expect((await lost).delivered).to.equal(false);

    const back = new Promise<void>((r) => client?.once('WebSocketConnected', () => r()));
    await back;
    expect(sim.registeredApps()).to.deep.equal(['hotline']);
    const channels = await client.channels.list<Array<{ id: string; state: string }>>();
    expect(channels.map((c) => [c.id, c.state])).to.deep.equal([[caller.id, 'Up']]);
    const dtmf = nextEvent(client, 'ChannelDtmfReceived');
    caller.sendDtmf('6');
    expect((await dtmf).event.digit).to.equal('6');
  });

  it('halfOpen: the socket stays open and registered but gives no pong and no events; new connections work after forMs', async () => {
    client = await connectAri(url);
    await client.start('hotline');
    started = true;
    const start = nextEvent(client, 'StasisStart');
    const caller = sim.placeCall({ callerNumber: '13800000009' });
    await (await start).instance.answer();

    expect(sim.halfOpen({ forMs: 400 })).to.equal(1);
    let pongs = 0;
    client.on('pong', () => pongs++);
    client.ping();
    const lost = sim.waitForEvent((e) => e.event.type === 'ChannelDtmfReceived');
    caller.sendDtmf('5');
    expect((await lost).delivered).to.equal(false);
    expect(sim.registeredApps()).to.deep.equal(['hotline']);
    // Inside the window a new connection gets no answer either.
    const hung = await fetch(`${url}/ari/asterisk/ping`, { headers: auth, signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    expect((hung as Error).name).to.equal('TimeoutError');
    await new Promise((r) => setTimeout(r, 400));
    expect(pongs).to.equal(0);

    // After it, a new events socket takes the app over (the dead one is replaced, silently) and hears the call.
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ari/events?app=hotline&api_key=cti:cti`);
    const heard = new Promise<void>((r) =>
      ws.on('message', (d) => {
        if ((JSON.parse(String(d)) as { type: string }).type === 'ChannelDtmfReceived') r();
      }),
    );
    await new Promise((r) => ws.once('open', r));
    caller.sendDtmf('6');
    await heard;
    expect((await fetch(`${url}/ari/asterisk/ping`, { headers: auth })).status).to.equal(200);
    ws.close();
  });

  it('restart: every channel hung up for shutdown with its events, sockets closed, port refused, back empty on the same port', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ari/events?app=hotline&api_key=cti:cti`);
    const events: Array<{ type: string; cause?: number; soft?: boolean; channel?: { id: string } }> = [];
    ws.on('message', (d) => events.push(JSON.parse(String(d)) as (typeof events)[number]));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await new Promise((r) => ws.once('open', r));
    const started = sim.waitForEvent((e) => e.event.type === 'StasisStart');
    const caller = sim.placeCall({ callerNumber: '13800000010' });
    await started;
    await fetch(`${url}/ari/channels/${caller.id}/answer`, { method: 'POST', headers: auth });
    sim.addStoredRecording({ name: 'kept' });

    const restarted = sim.restart({ downMs: 300 });
    expect((await caller.ended).by).to.equal('pbx');
    // Abnormal close (no close frame), after the hangup's events.
    expect(await closed).to.equal(1006);
    const mine = events.filter((e) => e.channel?.id === caller.id).map((e) => e.type);
    expect(mine.slice(-2)).to.deep.equal(['ChannelHangupRequest', 'StasisEnd']);
    expect(events.find((e) => e.type === 'ChannelHangupRequest')).to.include({ cause: 4, soft: true });
    const refused = await fetch(`${url}/ari/asterisk/ping`, { headers: auth }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(Error);
    await restarted;
    expect(sim.channels()).to.deep.equal([]);
    expect(sim.registeredApps()).to.deep.equal([]);
    expect(sim.storedRecordings().map((r) => r.name)).to.deep.equal(['kept']);
    expect(await (await fetch(`${url}/ari/applications`, { headers: auth })).json()).to.deep.equal([]);
    expect(await upgrade(`${url.replace('http', 'ws')}/ari/events?app=hotline&api_key=cti:cti`)).to.equal('open');
  });

  it('failRequests: the next N REST calls get 500/503, then service resumes (api-docs untouched)', async () => {
    client = await connectAri(url);
    sim.failRequests({ status: 503, count: 2 });
    const e1 = await client.asterisk.ping().catch((e: unknown) => e);
    const e2 = await client.channels.list().catch((e: unknown) => e);
    expect(ariErrorBody(e1)).to.deep.equal({ message: 'Service Unavailable' });
    expect(ariErrorBody(e2)).to.deep.equal({ message: 'Service Unavailable' });
    expect((await client.asterisk.ping<{ ping: string }>()).ping).to.equal('pong');
    sim.failRequests({ status: 500, count: 1 });
    const docs = await fetch(`${url}/ari/api-docs/resources.json`, { headers: auth });
    expect(docs.status).to.equal(200);
    const e3 = await fetch(`${url}/ari/channels`, { headers: auth });
    expect([e3.status, await e3.json()]).to.deep.equal([500, { message: 'Internal Server Error' }]);
    expect(sim.requests().map((r) => r.status)).to.deep.equal([503, 503, 200, 500]);
  });

  it('setSilent: requests are read and never answered until it is switched off', async () => {
    sim.setSilent(true);
    const hung = await fetch(`${url}/ari/asterisk/ping`, { headers: auth, signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    expect((hung as Error).name).to.equal('TimeoutError');
    sim.setSilent(false);
    const ok = await fetch(`${url}/ari/asterisk/ping`, { headers: auth });
    expect(ok.status).to.equal(200);
  });

  it('authentication and upgrade errors as Asterisk answers them', async () => {
    const bad = await fetch(`${url}/ari/channels`, { headers: { Authorization: `Basic ${Buffer.from('cti:wrong').toString('base64')}` } });
    expect([bad.status, await bad.json()]).to.deep.equal([401, { message: 'Authentication required' }]);
    const none = await fetch(`${url}/ari/channels`);
    expect(none.status).to.equal(401);
    const key = await fetch(`${url}/ari/channels?api_key=cti:cti`);
    expect([key.status, await key.json()]).to.deep.equal([200, []]);
    const unknown = await fetch(`${url}/ari/no-such-resource`, { headers: auth });
    expect([unknown.status, await unknown.json()]).to.deep.equal([404, { message: 'Resource not found' }]);
    const method = await fetch(`${url}/ari/channels`, { method: 'PUT', headers: auth });
    expect([method.status, await method.json()]).to.deep.equal([405, { message: 'Invalid method' }]);

    const ws = url.replace('http', 'ws');
    const noApp = await upgrade(`${ws}/ari/events?app=&api_key=cti:cti`);
    expect(noApp).to.have.property('status', 400);
    expect((noApp as { body: string }).body).to.contain('HTTP request is missing param: [app]');
    expect(await upgrade(`${ws}/ari/events?app=hotline&api_key=cti%3Awrong`)).to.deep.equal({
      status: 401,
      body: JSON.stringify({ message: 'Authentication required' }),
    });
    expect(await upgrade(`${ws}/ari/events?app=hotline,hotline-x&api_key=cti:cti`)).to.equal('open');
  });

  it('control API: calls, phones, agents, requests log, /_send_ws_event, faults, /_reset', async () => {
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    const events: string[] = [];
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ari/events?app=hotline&api_key=cti:cti`);
    ws.on('message', (d) => events.push((JSON.parse(String(d)) as { type: string }).type));
    await new Promise((r) => ws.once('open', r));

    const stasisStart = sim.waitForEvent((e) => e.event.type === 'StasisStart');
    const dtmf = sim.waitForEvent((e) => e.event.type === 'ChannelDtmfReceived');
    const placed = await post('/_control/calls', { callerNumber: '13800000002', dtmf: [{ digit: '1', afterMs: 0 }] });
    expect(placed.status).to.equal(201);
    const { id } = (await placed.json()) as { id: string };
    await stasisStart;
    await fetch(`${url}/ari/channels/${id}/answer`, { method: 'POST', headers: auth });
    await dtmf;
    const call = (await (await fetch(`${url}/_control/calls/${id}`)).json()) as { state: string; heard: Array<{ kind: string }> };
    expect(call.state).to.equal('Up');
    expect(call.heard.map((h) => h.kind)).to.deep.equal(['dtmf-sent']);

    const phone = await fetch(`${url}/_control/phones/1001`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ behaviour: { kind: 'busy' } }),
    });
    expect(((await phone.json()) as { behaviour: { kind: string } }).behaviour.kind).to.equal('busy');
    const callee = await post('/_control/callees/13800001111', { behaviour: { kind: 'answer', afterMs: 500, dtmf: [{ digit: '1', afterMs: 900 }] } });
    expect(callee.status).to.equal(200);
    const callees = (await (await fetch(`${url}/_control/callees`)).json()) as Array<{ target: string; behaviour: { kind: string } }>;
    expect(callees.map((c) => [c.target, c.behaviour.kind])).to.deep.equal([['13800001111', 'answer'], ['*', 'answer']]);
    expect((await post('/_control/callees/13800002222', { behaviour: { kind: 'hover' } })).status).to.equal(400);

    const log = (await (await fetch(`${url}/_requests`)).json()) as { requests: Array<{ method: string; path: string; status: number }> };
    expect(log.requests.map((r) => [r.method, r.path, r.status])).to.deep.equal([['POST', `/ari/channels/${id}/answer`, 204]]);

    const sent = await post('/_send_ws_event', { type: 'ChannelUserevent', eventname: 'poke', userevent: {}, application: 'hotline' });
    expect(((await sent.json()) as { sent: number }).sent).to.equal(1);
    await new Promise<void>((r) => {
      const check = (): void => (events.includes('ChannelUserevent') ? r() : void setTimeout(check, 5));
      check();
    });

    expect((await post('/_control/faults/fail-requests', { status: 503, count: 1 })).status).to.equal(204);
    expect((await fetch(`${url}/ari/asterisk/ping`, { headers: auth })).status).to.equal(503);

    const hangup = await post(`/_control/calls/${id}/hangup`, {});
    expect(hangup.status).to.equal(204);
    expect((await sim.caller(id)?.ended)?.by).to.equal('caller');

    const second = sim.waitForEvent((e) => e.event.type === 'StasisStart');
    sim.placeCall({ callerNumber: '13800000003' });
    await second;
    expect(sim.channels()).to.have.length(1);
    expect((await post('/_reset', {})).status).to.equal(204);
    expect(sim.channels()).to.deep.equal([]);
    expect(((await (await fetch(`${url}/_requests`)).json()) as { requests: unknown[] }).requests).to.deep.equal([]);
    ws.close();
  });
});
