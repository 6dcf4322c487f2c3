import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { AmiClient } from '../../cti/ami/client';
import type { AmiMessage } from '../../cti/ami/events';
import { PbxHealth, type PbxHealthAmi, type PbxHealthEvents } from '../../cti/ami/health';
import { AmiSimulator } from '../../sim/ami/server';
import { PbxModel } from '../../sim/pbx';
import { LogCapture } from '../helpers/log-capture';
import { waitFor } from '../helpers/wait';

/**
 * The carrier trunk as pjsip.conf configures it (asterisk-conf/): an outbound registration with
 * `outbound_auth` and `endpoint = carrier`, and a static AOR contact qualified by OPTIONS. A real
 * Asterisk lists an AuthDetail row after the registration and reports the carrier's qualify by
 * ContactStatus like a phone's; PbxHealth must read both as the trunk's.
 */
describe('PbxHealth and the carrier trunk: AuthDetail rows and the carrier’s own qualify', function () {
  this.timeout(15_000);
  const PASSWORD = 'carrier-secret-Xy7';
  let pbx: PbxModel;
  let sim: AmiSimulator;
  let client: AmiClient;
  let health: PbxHealth;
  let log: LogCapture;

  beforeEach(async () => {
    log = new LogCapture();
    pbx = new PbxModel({ extensions: ['1001', '1002'], trunkName: 'carrier' });
    sim = new AmiSimulator({
      username: 'cti',
      secret: 'cti',
      pbx,
      trunk: {
        objectName: 'carrier',
        endpoint: 'carrier',
        outboundAuth: { name: 'carrier-auth', username: 'hotline952525', password: PASSWORD },
        qualifiedContact: 'sip:203.0.113.10:5060',
      },
    });
    const { port } = await sim.start();
    client = new AmiClient({ host: '127.0.0.1', port, username: 'cti', secret: 'cti', logger: log.logger, pingIntervalMs: 200, actionTimeoutMs: 1000, reconnectMinMs: 50, reconnectMaxMs: 200 });
    health = new PbxHealth({ ami: client, logger: log.logger, refreshRetryMs: 100 });
    health.start();
    const refreshed = new Promise<PbxHealthEvents['refreshed']>((resolve) => health.once('refreshed', (...a) => resolve(a)));
    client.start();
    await refreshed;
  });

  afterEach(async () => {
    health.stop();
    await client.stop();
    await sim.stop();
  });

  it('the simulator lists the AuthDetail row after the registration, counted in ListItems, as Asterisk does', async () => {
    const r = await client.actionList({ Action: 'PJSIPShowRegistrationsOutbound' });
    expect(r.events.map((e) => e.event)).to.deep.equal(['OutboundRegistrationDetail', 'AuthDetail']);
    expect(r.events[0]).to.include({ endpoint: 'carrier', outboundauth: 'carrier-auth', status: 'Registered' });
    expect(r.events[1]).to.include({ objecttype: 'auth', objectname: 'carrier-auth', username: 'hotline952525', authtype: 'userpass' });
    expect(r.complete).to.include({ listitems: '2', registered: '1', notregistered: '0' });
  });

  it('reads the registration, skips the auth row without calling it malformed, and never logs the password', async () => {
    expect(health.isTrunkRegistered()).to.equal(true);
    expect(health.snapshot().trunk.registrations).to.have.length(1);
    expect(health.snapshot().trunk.registrations[0]).to.include({ name: 'carrier', status: 'registered' });
    await health.refresh();
    expect(log.messages('warn')).to.deep.equal([]);
    expect(log.messages().filter((m) => /malformed/.test(m))).to.deep.equal([]);
    expect(log.raw.join('\n')).to.not.contain(PASSWORD);
  });

  it('the carrier’s qualify is logged as the trunk’s, never as an agent phone, and the carrier is not counted as a phone', async () => {
    const down = waitFor(() => log.messages('warn').includes('carrier trunk not reachable (OPTIONS)'), { what: 'trunk unreachable logged' });
    pbx.setTrunk(false);
    await down;
    const up = waitFor(() => log.messages('info').includes('carrier trunk reachable (OPTIONS)'), { what: 'trunk reachable logged' });
    pbx.setTrunk(true);
    await up;
    await waitFor(() => health.isTrunkRegistered(), { what: 'trunk registered again' });
    const aboutCarrier = log.lines.filter((l) => l.extension === 'carrier' || (/agent phone/.test(l.msg) && JSON.stringify(l).includes('carrier')));
    expect(aboutCarrier).to.deep.equal([]);
    expect(health.snapshot().phones.map((p) => p.extension)).to.deep.equal(['1001', '1002']);
    expect(health.isPhoneReachable('carrier')).to.equal(false);
    const trunkLines = log.lines.filter((l) => /carrier trunk/.test(l.msg));
    expect(trunkLines.map((l) => [l.level, l.trunk])).to.deep.equal([
      [40, 'carrier'],
      [30, 'carrier'],
    ]);
  });

  it('a carrier contact reported before the registration list was read is dropped from the phones once the trunk is known', async () => {
    // A fake AMI, to order the two exactly: the qualify event first, the snapshot after.
    const lists: Record<string, AmiMessage[]> = {
      PJSIPShowContacts: [],
      PJSIPShowRegistrationsOutbound: [
        { event: 'OutboundRegistrationDetail', objectname: 'carrier', clienturi: 'sip:hotline@203.0.113.10', serveruri: 'sip:203.0.113.10', status: 'Registered', endpoint: 'carrier' },
      ],
    };
    const fake = Object.assign(new EventEmitter(), {
      state: 'disconnected',
      since: new Date(),
      reconnects: 0,
      lastError: undefined,
      actionList: async (req: { Action: string }) => ({ response: {}, events: lists[req.Action] ?? [] }),
    });
    const h = new PbxHealth({ ami: fake as unknown as PbxHealthAmi, logger: log.logger });
    h.start();
    fake.emit('contact', { endpoint: 'carrier', aor: 'carrier', uri: 'sip:203.0.113.10:5060', status: 'reachable', at: new Date() });
    expect(h.snapshot().phones.map((p) => p.extension), 'unknown yet: taken for a phone').to.deep.equal(['carrier']);
    fake.state = 'connected';
    await h.refresh();
    expect(h.snapshot().phones).to.deep.equal([]);
    expect(h.isPhoneReachable('carrier')).to.equal(false);
    // From now on its qualify is the trunk's.
    fake.emit('contact', { endpoint: 'carrier', aor: 'carrier', uri: 'sip:203.0.113.10:5060', status: 'unreachable', at: new Date() });
    expect(h.snapshot().phones).to.deep.equal([]);
    h.stop();
  });
});
