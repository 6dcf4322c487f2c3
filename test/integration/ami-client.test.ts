import type { EventEmitter } from 'node:events';
import { expect } from 'chai';
import pino from 'pino';
import { AmiClient, type AmiClientEvents, type AmiClientOptions } from '../../cti/ami/client';
import { AmiError } from '../../cti/ami/errors';
import { PbxHealth, type PbxHealthEvents } from '../../cti/ami/health';
import { AmiSimulator } from '../../sim/ami/server';
import { PbxModel } from '../../sim/pbx';
import { waitFor } from '../helpers/wait';

/**
 * AmiClient (the port over npm asterisk-manager) and PbxHealth against the AMI simulator over
 * real TCP: heartbeat, timeouts, reconnects and the phone/trunk state the ACD relies on.
 */

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Resolves with the first `name` event that satisfies `match`, or fails after `timeoutMs`. */
function nextEvent<E extends Record<keyof E, unknown[]>, K extends keyof E & string>(
  emitter: EventEmitter<E>,
  name: K,
  match: (...args: E[K]) => boolean = () => true,
  timeoutMs = 3000,
): Promise<E[K]> {
  // Node's generic EventEmitter typing is awkward to satisfy generically; the runtime API is plain.
  const em = emitter as unknown as NodeJS.EventEmitter;
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      if (!match(...(args as E[K]))) return;
      clearTimeout(timer);
      em.off(name, listener);
      resolve(args as E[K]);
    };
    const timer = setTimeout(() => {
      em.off(name, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${name}'`));
    }, timeoutMs);
    em.on(name, listener);
  });
}

const connected = (c: AmiClient) =>
  c.state === 'connected'
    ? Promise.resolve()
    : nextEvent<AmiClientEvents, 'state'>(c, 'state', (s) => s.state === 'connected').then(() => undefined);

async function rejection(p: Promise<unknown>): Promise<AmiError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(AmiError);
    return err as AmiError;
  }
  throw new Error('expected a rejection');
}

describe('AmiClient and PbxHealth against the AMI simulator', function () {
  this.timeout(15_000);
  let pbx: PbxModel;
  let sim: AmiSimulator;
  let port: number;
  const clients: AmiClient[] = [];
  const healths: PbxHealth[] = [];

  function client(over: Partial<AmiClientOptions> = {}): AmiClient {
    const c = new AmiClient({
      host: '127.0.0.1',
      port,
      username: 'cti',
      secret: 'cti',
      logger,
      pingIntervalMs: 100,
      actionTimeoutMs: 300,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      ...over,
    });
    clients.push(c);
    return c;
  }

  function health(c: AmiClient): PbxHealth {
    const h = new PbxHealth({ ami: c, logger, refreshRetryMs: 100 });
    healths.push(h);
    return h;
  }

  /** A started client and health whose first snapshot has been applied. */
  async function started(): Promise<{ c: AmiClient; h: PbxHealth }> {
    const c = client();
    const h = health(c);
    h.start();
    const refreshed = nextEvent<PbxHealthEvents, 'refreshed'>(h, 'refreshed');
    c.start();
    await refreshed;
    return { c, h };
  }

  beforeEach(async () => {
    pbx = new PbxModel({ extensions: ['1001', '1002', '1003'], trunkName: 'carrier' });
    sim = new AmiSimulator({ username: 'cti', secret: 'cti', pbx, logger, authFailDelayMs: 50, bootDelayMs: 300 });
    ({ port } = await sim.start());
  });

  afterEach(async () => {
    for (const h of healths.splice(0)) h.stop();
    for (const c of clients.splice(0)) await c.stop();
    await sim.stop();
  });

  it('logs in, answers actions with their own replies and keeps a heartbeat', async () => {
    const c = client();
    const states: string[] = [];
    c.on('state', (s) => states.push(s.state));
    c.start();
    await connected(c);
    expect(states).to.deep.equal(['connecting', 'connected']);

    const pong = await c.action({ Action: 'Ping' });
    expect(pong.response).to.equal('Success');
    expect(pong.ping).to.equal('Pong');

    // Concurrent actions must each get their own reply (asterisk-manager alone can cross them).
    const [settings, status, ...pings] = await Promise.all([
      c.action({ Action: 'CoreSettings' }),
      c.action({ Action: 'CoreStatus' }),
      ...Array.from({ length: 20 }, () => c.action({ Action: 'Ping' })),
    ]);
    expect(settings?.asteriskversion).to.equal('22.10.1');
    expect(status?.corecurrentcalls).to.equal('0');
    expect(new Set(pings.map((p) => p.actionid)).size).to.equal(20);
    for (const p of pings) expect(p.ping).to.equal('Pong');

    // Commands are serialised; each still gets its own answer (here: unknown to the simulator).
    const cmds = await Promise.all([1, 2, 3].map(() => rejection(c.action({ Action: 'Command', Command: 'core show uptime' }))));
    expect(new Set(cmds.map((e) => e.response?.actionid)).size).to.equal(3);
    for (const e of cmds) expect(e.amiCode).to.equal('ami_action_failed');

    const [a] = await nextEvent<AmiClientEvents, 'heartbeat'>(c, 'heartbeat');
    const [b] = await nextEvent<AmiClientEvents, 'heartbeat'>(c, 'heartbeat');
    expect(b.at.getTime()).to.be.greaterThan(a.at.getTime());
    expect(c.reconnects).to.equal(0);
  });

  it('times an action out when Asterisk goes silent, drops the link on a missed pong and comes back', async () => {
    // The first Ping goes out 1 s after login, so the action below is the first to time out.
    const c = client({ pingIntervalMs: 1000 });
    c.start();
    await connected(c);
    sim.setSilent(true);
    const t0 = Date.now();
    const err = await rejection(c.action({ Action: 'CoreStatus' }));
    expect(err.amiCode).to.equal('ami_timeout');
    expect(Date.now() - t0).to.be.within(250, 1000);

    const [down] = await nextEvent<AmiClientEvents, 'state'>(c, 'state', (s) => s.state === 'disconnected');
    expect(down.reason).to.match(/^heartbeat failed: AMI Ping got no reply within 300 ms/);
    // While the link is down an action fails at once instead of hanging.
    expect((await rejection(c.action({ Action: 'Ping' }))).amiCode).to.be.oneOf(['ami_not_connected', 'ami_timeout']);

    sim.setSilent(false);
    await connected(c);
    expect(c.reconnects).to.equal(1);
    expect((await c.action({ Action: 'Ping' })).ping).to.equal('Pong');
  });

  it('reconnects after an Asterisk restart and reports Shutdown and FullyBooted', async () => {
    const c = client();
    c.start();
    await connected(c);
    const shutdown = nextEvent<AmiClientEvents, 'shutdown'>(c, 'shutdown');
    const booted = nextEvent<AmiClientEvents, 'fullyBooted'>(c, 'fullyBooted');
    const restarted = sim.restart({ downMs: 200 });
    const [sd] = await shutdown;
    expect(sd).to.include({ restart: true, clean: true });
    await nextEvent<AmiClientEvents, 'state'>(c, 'state', (s) => s.state === 'disconnected');
    await restarted;
    await connected(c);
    // Logged in while the simulated Asterisk was still booting: FullyBooted comes as a broadcast.
    const [fb] = await booted;
    expect(fb.uptimeSec).to.equal(0);
    expect(c.reconnects).to.equal(1);
    expect(c.connectAttempts).to.be.at.least(2);
  });

  it('reconnects after the connections are dropped and fails the action in flight', async () => {
    const c = client({ actionTimeoutMs: 2000 });
    c.start();
    await connected(c);
    sim.setSilent(true);
    const inFlight = c.action({ Action: 'CoreStatus' });
    sim.dropConnections();
    sim.setSilent(false);
    const err = await rejection(inFlight);
    expect(err.amiCode).to.equal('ami_disconnected');
    await nextEvent<AmiClientEvents, 'state'>(c, 'state', (s) => s.state === 'connected');
    expect(c.reconnects).to.equal(1);
  });

  it('reports a wrong secret clearly and keeps retrying without ever connecting', async () => {
    const c = client({ secret: 'wrong-secret' });
    let connectedOnce = false;
    c.on('state', (s) => {
      if (s.state === 'connected') connectedOnce = true;
    });
    const failed = nextEvent<AmiClientEvents, 'authFailed'>(c, 'authFailed');
    c.start();
    const [err] = await failed;
    expect(err.amiCode).to.equal('ami_auth_failed');
    expect(err.message).to.include("login as 'cti'").and.include('Authentication failed').and.include(`127.0.0.1:${port}`);
    expect(err.response?.message).to.equal('Authentication failed');
    expect((await rejection(c.action({ Action: 'Ping' }))).amiCode).to.equal('ami_not_connected');
    await nextEvent<AmiClientEvents, 'authFailed'>(c, 'authFailed');
    expect(c.connectAttempts).to.be.at.least(2);
    expect(connectedOnce).to.equal(false);
    expect(c.lastError?.message).to.include('Authentication failed');
  });

  it('stop() logs off, fails nothing later and does not reconnect', async () => {
    const c = client();
    c.start();
    await connected(c);
    expect(sim.connectionCount).to.equal(1);
    await c.stop();
    expect(c.state).to.equal('disconnected');
    await waitFor(() => sim.connectionCount === 0, { timeoutMs: 2000, what: 'the simulator to see the session end' });
    expect((await rejection(c.action({ Action: 'Ping' }))).amiCode).to.equal('ami_stopped');
    expect(c.connectAttempts).to.equal(1);
  });

  describe('PbxHealth', () => {
    it('takes a snapshot on connect: every registered phone reachable, trunk registered', async () => {
      const { h } = await started();
      for (const ext of ['1001', '1002', '1003']) expect(h.isPhoneReachable(ext), ext).to.equal(true);
      expect(h.isPhoneReachable('4711')).to.equal(false);
      const snap = h.snapshot();
      expect(snap.ami).to.include({ connected: true, state: 'connected', reconnects: 0 });
      expect(snap.trunk.registered).to.equal(true);
      expect(snap.trunk.registrations[0]).to.include({ name: 'carrier', status: 'registered' });
      expect(snap.phones.map((p) => [p.extension, p.status])).to.deep.equal([
        ['1001', 'reachable'],
        ['1002', 'reachable'],
        ['1003', 'reachable'],
      ]);
    });

    it('an unregistered or unreachable phone is not reachable; a re-registered one is again', async () => {
      const { h } = await started();
      const phone = (ext: string, status: string) =>
        nextEvent<PbxHealthEvents, 'phone'>(h, 'phone', (p) => p.extension === ext && p.status === status);

      let changed = phone('1002', 'removed');
      pbx.setPhone('1002', { registered: false });
      const [removed] = await changed;
      expect(removed.reachable).to.equal(false);
      expect(h.isPhoneReachable('1002')).to.equal(false);

      changed = phone('1001', 'unreachable');
      pbx.setPhone('1001', { reachable: false });
      await changed;
      expect(h.isPhoneReachable('1001')).to.equal(false);

      changed = phone('1002', 'reachable');
      pbx.setPhone('1002', { registered: true, reachable: true });
      await changed;
      expect(h.isPhoneReachable('1002')).to.equal(true);
      // Registered but never answering OPTIONS: NonQualified first, then Unreachable; never offered.
      changed = phone('1003', 'unreachable');
      pbx.setPhone('1003', { registered: false });
      pbx.setPhone('1003', { registered: true, reachable: false });
      await changed;
      expect(h.isPhoneReachable('1003')).to.equal(false);
      expect(h.snapshot().phones.find((p) => p.extension === '1001')?.status).to.equal('unreachable');
    });

    it('trunk down → not registered (Rejected); back → registered; removed → unregistered', async () => {
      const { h } = await started();
      const trunk = (registered: boolean) => nextEvent<PbxHealthEvents, 'trunk'>(h, 'trunk', (t) => t.registered === registered);

      let next = trunk(false);
      pbx.setTrunk(false);
      const [down] = await next;
      expect(down.registrations[0]?.status).to.equal('rejected');
      expect(h.isTrunkRegistered()).to.equal(false);
      expect(h.snapshot().trunk.lastEventAt).to.be.a('string');

      next = trunk(true);
      pbx.setTrunk(true);
      await next;
      expect(h.isTrunkRegistered()).to.equal(true);

      next = trunk(false);
      sim.setTrunkConfigured(false);
      const [gone] = await next;
      expect(gone.registrations[0]?.status).to.equal('unregistered');
    });

    it('re-reads the PBX after a reconnect: changes made while AMI was down are picked up', async () => {
      const { c, h } = await started();
      const restarted = sim.restart({ downMs: 300 });
      await nextEvent<AmiClientEvents, 'state'>(c, 'state', (s) => s.state === 'disconnected');
      // No session is open: only the snapshot after the reconnect can reveal these.
      pbx.setPhone('1002', { registered: false });
      pbx.setPhone('1003', { reachable: false });
      expect(h.isPhoneReachable('1002'), 'last known state is kept while AMI is down').to.equal(true);
      expect(h.snapshot().ami.connected).to.equal(false);
      await restarted;
      const [snap] = await nextEvent<PbxHealthEvents, 'refreshed'>(h, 'refreshed');
      expect(snap.ami.reconnects).to.equal(1);
      expect(h.isPhoneReachable('1001')).to.equal(true);
      expect(h.isPhoneReachable('1002')).to.equal(false);
      expect(h.isPhoneReachable('1003')).to.equal(false);
      expect(snap.phones.find((p) => p.extension === '1002')?.status).to.equal('removed');
      expect(snap.phones.find((p) => p.extension === '1003')?.status).to.equal('unreachable');
    });

    it('logs and ignores malformed events, and survives a throwing listener', async () => {
      const { c, h } = await started();
      const malformed: string[] = [];
      c.on('malformed', (m) => malformed.push(`${m.event}: ${m.problems.join('; ')}`));
      c.on('contact', () => {
        throw new Error('a buggy listener');
      });
      sim.injectEvent({ Event: 'ContactStatus', Privilege: 'system,all', URI: 'sip:1001@x', ContactStatus: 'Bogus', AOR: '1001' });
      sim.injectEvent({ Event: 'ContactStatus', Privilege: 'system,all', URI: 'sip:1001@x', ContactStatus: 'Removed' });
      sim.injectEvent({ Event: 'Registry', Privilege: 'system,all', ChannelType: 'PJSIP', Username: 'sip:hotline@127.0.0.1:5095' });
      sim.injectEvent({ Event: 'PeerStatus', Privilege: 'system,all', Peer: 'nonsense', PeerStatus: 'Reachable' });
      // A valid event after the bad ones proves the stream is still processed.
      const removed = nextEvent<PbxHealthEvents, 'phone'>(h, 'phone', (p) => p.extension === '1002' && !p.reachable);
      pbx.setPhone('1002', { registered: false });
      await removed;
      expect(malformed).to.have.length(4);
      expect(malformed[0]).to.match(/^ContactStatus: contactstatus/);
      expect(malformed[1]).to.match(/^ContactStatus: aor/);
      expect(malformed[2]).to.match(/^Registry: domain: .*; status: /);
      expect(malformed[3]).to.match(/^PeerStatus: peer/);
      expect(c.malformedEvents).to.equal(4);
      expect(h.isPhoneReachable('1001')).to.equal(true);
      expect(h.isTrunkRegistered()).to.equal(true);
      expect(c.state).to.equal('connected');
    });
  });
});
