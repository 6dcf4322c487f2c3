import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { PbxModel } from '../../sim/pbx';
import { EVENT_MODEL_NAMES, OPERATIONS, RESOURCE_NAMES } from '../../sim/ari/api-docs';
import { AriSimulator } from '../../sim/ari/server';
import { SNOOP_DIRECTIONS } from '../../sim/ari/snoop';
import { ariErrorBody, connectAri, type AriClient } from '../../sim/ari/testkit';
import { EMITTED_EVENT_TYPES } from '../../sim/ari/types';

/**
 * The Swagger 1.2 listings: unmodified ari-client 2.2.0 loads them and builds every method the
 * product uses, and events.json has a model for every event type a real Asterisk 22 sends in
 * the traces and every type the simulator can emit (ari-client throws on an unknown type).
 */

const TRACES = join(__dirname, '..', 'fixtures', 'asterisk-traces');

/** Event models the brief requires beyond the ones in the traces. */
const REQUIRED_EVENT_MODELS = [
  'StasisStart', 'StasisEnd', 'ChannelCreated', 'ChannelDestroyed', 'ChannelStateChange', 'ChannelDtmfReceived',
  'ChannelHangupRequest', 'ChannelVarset', 'ChannelDialplan', 'ChannelCallerId', 'ChannelConnectedLine',
  'ChannelEnteredBridge', 'ChannelLeftBridge', 'ChannelHold', 'ChannelUnhold', 'ChannelTalkingStarted',
  'ChannelTalkingFinished', 'Dial', 'BridgeCreated', 'BridgeDestroyed', 'BridgeMerged', 'BridgeBlindTransfer',
  'BridgeAttendedTransfer', 'PlaybackStarted', 'PlaybackContinuing', 'PlaybackFinished', 'RecordingStarted',
  'RecordingFinished', 'RecordingFailed', 'ApplicationReplaced', 'ApplicationMoveFailed', 'CallBroadcast',
  'CallClaimed', 'DeviceStateChanged', 'EndpointStateChange', 'ContactStatusChange', 'PeerStatusChange',
  'TextMessageReceived', 'ChannelUserevent', 'ChannelToneDetected', 'MissingParams', 'Event', 'Message',
];

describe('ARI simulator api-docs', function () {
  this.timeout(10_000);
  let sim: AriSimulator;
  let url: string;
  let client: AriClient;

  before(async () => {
    sim = new AriSimulator({ pbx: new PbxModel({ extensions: ['1001'] }) });
    ({ url } = await sim.start());
    client = await connectAri(url);
  });
  after(async () => {
    await sim.stop();
  });

  it('serves resources.json and every API declaration with basePath rewritten to its own address', async () => {
    const auth = { Authorization: `Basic ${Buffer.from('cti:cti').toString('base64')}` };
    const res = await fetch(`${url}/ari/api-docs/resources.json`, { headers: auth });
    expect(res.status).to.equal(200);
    const listing = (await res.json()) as { basePath: string; swaggerVersion: string; apis: Array<{ path: string }> };
    expect(listing.basePath).to.equal(`${url}/ari`);
    expect(listing.swaggerVersion).to.equal('1.2');
    expect(listing.apis.map((a) => a.path)).to.deep.equal(RESOURCE_NAMES.map((n) => `/api-docs/${n}.{format}`));
    for (const name of RESOURCE_NAMES) {
      const decl = (await (await fetch(`${url}/ari/api-docs/${name}.json`, { headers: auth })).json()) as {
        basePath: string;
        resourcePath: string;
        apis: unknown[];
      };
      expect(decl.basePath, name).to.equal(`${url}/ari`);
      expect(decl.resourcePath, name).to.equal(`/api-docs/${name}.{format}`);
      expect(decl.apis, name).to.not.be.empty;
    }
    const unauth = await fetch(`${url}/ari/api-docs/resources.json`);
    expect(unauth.status).to.equal(401);
  });

  it('lets ari-client build every listed operation, including events.claimChannel', () => {
    for (const op of OPERATIONS) {
      const resource = (client as unknown as Record<string, Record<string, unknown>>)[op.resource];
      expect(resource, op.resource).to.be.an('object');
      expect(resource?.[op.nickname], `${op.resource}.${op.nickname}`).to.be.a('function');
    }
    const used: Array<[keyof AriClient, string]> = [
      ['channels', 'originate'], ['channels', 'create'], ['channels', 'dial'], ['channels', 'hangup'],
      ['channels', 'answer'], ['channels', 'ring'], ['channels', 'startMoh'], ['channels', 'stopMoh'],
      ['channels', 'play'], ['channels', 'playWithId'], ['channels', 'record'], ['channels', 'getChannelVar'],
      ['channels', 'setChannelVar'], ['channels', 'continueInDialplan'], ['channels', 'list'], ['channels', 'get'],
      ['bridges', 'create'], ['bridges', 'createWithId'], ['bridges', 'list'], ['bridges', 'get'], ['bridges', 'destroy'],
      ['bridges', 'addChannel'], ['bridges', 'removeChannel'], ['bridges', 'startMoh'], ['bridges', 'play'],
      ['bridges', 'record'], ['playbacks', 'get'], ['playbacks', 'stop'], ['recordings', 'getLive'],
      ['recordings', 'stop'], ['recordings', 'listStored'], ['recordings', 'getStored'], ['recordings', 'deleteStored'],
      ['recordings', 'getStoredFile'], ['events', 'claimChannel'], ['events', 'userEvent'], ['applications', 'list'],
      ['applications', 'get'], ['endpoints', 'list'], ['endpoints', 'get'], ['asterisk', 'getInfo'], ['asterisk', 'ping'],
      ['channels', 'snoopChannel'], ['channels', 'snoopChannelWithId'], ['applications', 'subscribe'], ['playbacks', 'control'],
    ];
    for (const [res, op] of used) expect((client[res] as Record<string, unknown>)[op], `${String(res)}.${op}`).to.be.a('function');
    for (const ctor of ['Channel', 'Bridge', 'Playback', 'LiveRecording'] as const) expect(client[ctor]).to.be.a('function');
    expect(client.LiveRecording('named').name).to.equal('named');
  });

  it('declares the snoop operations as they are served: parameters, directions, errors', async () => {
    for (const nickname of ['snoopChannel', 'snoopChannelWithId']) {
      const op = OPERATIONS.find((o) => o.resource === 'channels' && o.nickname === nickname);
      const param = (name: string) => op?.params.find((p) => p.name === name);
      expect(param('spy')?.allowableValues, nickname).to.deep.equal(SNOOP_DIRECTIONS);
      expect(param('whisper')?.allowableValues, nickname).to.deep.equal(SNOOP_DIRECTIONS);
      expect(param('app')?.required, nickname).to.equal(true);
      expect(op?.errors, nickname).to.include.members([400, 404]);
    }
    const missing = await client.channels.snoopChannel({ channelId: 'no-such-channel', spy: 'both', app: 'hotline' }).catch((e: unknown) => e);
    expect(ariErrorBody(missing)).to.deep.equal({ message: 'Provided channel was not found' });
    const withId = await client.channels
      .snoopChannelWithId({ channelId: 'no-such-channel', snoopId: 's1', whisper: 'out', app: 'hotline' })
      .catch((e: unknown) => e);
    expect(ariErrorBody(withId)).to.deep.equal({ message: 'Provided channel was not found' });
  });

  it('declares an events.json model for every event in the golden traces', () => {
    const models = Object.keys(client._swagger.apis.events?.models ?? {});
    const seen = new Set<string>();
    for (const f of readdirSync(TRACES).filter((x) => x.endsWith('.jsonl'))) {
      for (const line of readFileSync(join(TRACES, f), 'utf8').split('\n').filter(Boolean)) {
        const l = JSON.parse(line) as { dir: string; data?: { type: string } };
        if (l.dir === 'event' && l.data) seen.add(l.data.type);
      }
    }
    expect(seen.size).to.be.greaterThan(15);
    for (const t of seen) expect(models, t).to.include(t);
  });

  it('declares a model for every event the simulator can emit and every Asterisk 22 event the brief lists', () => {
    const models = Object.keys(client._swagger.apis.events?.models ?? {});
    expect(models).to.deep.equal(EVENT_MODEL_NAMES);
    for (const t of EMITTED_EVENT_TYPES) expect(models, t).to.include(t);
    for (const t of REQUIRED_EVENT_MODELS) expect(models, t).to.include(t);
  });

  it('types event properties so ari-client promotes them to instances (per-instance listeners)', () => {
    type Model = { properties: Array<{ name: string; dataType: string }> };
    const models = client._swagger.apis.events?.models as Record<string, Model>;
    const prop = (m: string, p: string): string | undefined => models[m]?.properties.find((x) => x.name === p)?.dataType;
    expect(prop('StasisStart', 'channel')).to.equal('Channel');
    expect(prop('Dial', 'peer')).to.equal('Channel');
    expect(prop('ChannelEnteredBridge', 'bridge')).to.equal('Bridge');
    expect(prop('PlaybackFinished', 'playback')).to.equal('Playback');
    expect(prop('RecordingFinished', 'recording')).to.equal('LiveRecording');
    expect(prop('CallBroadcast', 'caller')).to.equal('string');
    expect(prop('EndpointStateChange', 'endpoint')).to.equal('Endpoint');
  });

  it('answers REST through ari-client with Asterisk shapes (info, ping, endpoints)', async () => {
    const info = await client.asterisk.getInfo<{ system: { version: string; entity_id: string } }>();
    expect(info.system.version).to.equal('22.10.1');
    const ping = await client.asterisk.ping<{ ping: string; asterisk_id: string; timestamp: string }>();
    expect(ping.ping).to.equal('pong');
    expect(ping.timestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const eps = await client.endpoints.list<Array<{ resource: string; state: string }>>();
    expect(eps.map((e) => [e.resource, e.state])).to.deep.equal([
      ['1001', 'online'],
      ['pstn', 'offline'],
    ]);
  });
});
