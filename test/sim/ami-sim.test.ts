import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { PbxModel } from '../../sim/pbx';
import { AMI_TV_EPOCH, AmiMessageParser, getHeader, type AmiHeaders } from '../../sim/ami/protocol';
import { AmiSimulator, type AmiSimulatorOptions } from '../../sim/ami/server';
import { AmiWireClient } from '../../sim/ami/wire-client';

/**
 * The AMI simulator against the golden traces of a real Asterisk 22.10.1: the trace's `out`
 * lines are sent as they are, and what comes back must match the trace's `in` messages in
 * order, header names and header order, and values — except values that are clock- or
 * session-dependent, which must still have the right shape.
 */

const TRACES = join(__dirname, '..', 'fixtures', 'asterisk-traces', 'ami');

interface TraceRecord {
  t: number;
  dir: 'in' | 'out' | 'sock' | 'note';
  conn?: string;
  text?: string;
  raw?: string;
  what?: string;
}

function loadTrace(name: string): TraceRecord[] {
  return readFileSync(join(TRACES, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceRecord);
}

/** The connect/login part at the start of a trace, up to its first harness note. */
function loginPrefix(records: TraceRecord[]): TraceRecord[] {
  const firstNote = records.findIndex((r) => r.dir === 'note');
  return records.slice(0, firstNote === -1 ? records.length : firstNote);
}

function traceWindow(records: TraceRecord[], fromT: number, toT: number): TraceRecord[] {
  return [...loginPrefix(records), ...records.filter((r) => r.t > fromT && r.t <= toT && r.dir !== 'sock')];
}

function parseText(text: string): AmiHeaders {
  const msgs = new AmiMessageParser().push(text);
  expect(msgs, `trace message ${JSON.stringify(text)}`).to.have.length(1);
  return msgs[0] as AmiHeaders;
}

const uint = /^\d+$/;
const tv = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;
/** Values that differ per run; only their shape (or kind) must match. */
const VOLATILE: Record<string, (expected: string, actual: string) => boolean> = {
  Timestamp: (_e, a) => /^\d{10}\.\d{6}$/.test(a),
  EventTV: (_e, a) => tv.test(a),
  SessionTV: (e, a) => (e === AMI_TV_EPOCH ? a === AMI_TV_EPOCH : tv.test(a) && a !== AMI_TV_EPOCH),
  SessionID: (_e, a) => /^0x[0-9a-f]+$/.test(a),
  LocalAddress: (_e, a) => /^IPV4\/TCP\/127\.0\.0\.1\/\d+$/.test(a),
  RemoteAddress: (_e, a) => /^IPV4\/TCP\/127\.0\.0\.1\/\d+$/.test(a),
  Uptime: (_e, a) => uint.test(a),
  LastReload: (_e, a) => uint.test(a),
  CoreStartupDate: (_e, a) => /^\d{4}-\d\d-\d\d$/.test(a),
  CoreReloadDate: (_e, a) => /^\d{4}-\d\d-\d\d$/.test(a),
  CoreStartupTime: (_e, a) => /^\d\d:\d\d:\d\d$/.test(a),
  CoreReloadTime: (_e, a) => /^\d\d:\d\d:\d\d$/.test(a),
  CoreProcessedCalls: (_e, a) => uint.test(a),
  ExpirationTime: (_e, a) => uint.test(a),
  RegExpire: (e, a) => (e === '0' ? a === '0' : uint.test(a) && a !== '0'),
  CallId: (_e, a) => a.length > 0,
  CallID: (_e, a) => a.length > 0,
  // 0 = not measured, N/A = not in a list, else a measured round trip.
  RoundtripUsec: (e, a) => (e === '0' || e === 'N/A' ? a === e : uint.test(a) && a !== '0'),
};

interface ReplayOptions {
  port: number;
  records: TraceRecord[];
  /** Run before the first record at or after `t`: the PBX change that caused what follows. */
  hooks?: Array<{ t: number; run: () => void | Promise<void> }>;
  /** Trace messages the simulator does not model (e.g. app_queue events). */
  skipIn?: (m: AmiHeaders) => boolean;
  /** Removed from both sides before comparing (state the simulator models differently). */
  ignoreKeys?: string[];
  /** Compared by presence and position only. */
  ignoreValues?: string[];
}

function compare(expected: AmiHeaders, actual: AmiHeaders, opts: ReplayOptions, where: string): void {
  const ignore = new Set(opts.ignoreKeys ?? []);
  const exp = expected.filter(([k]) => !ignore.has(k));
  const act = actual.filter(([k]) => !ignore.has(k));
  const ctx = `${where}\nexpected ${JSON.stringify(exp)}\nactual   ${JSON.stringify(act)}`;
  expect(act.map(([k]) => k), ctx).to.deep.equal(exp.map(([k]) => k));
  exp.forEach(([k, v], i) => {
    const a = (act[i] as [string, string])[1];
    if (opts.ignoreValues?.includes(k)) return;
    const shape = VOLATILE[k];
    if (shape) expect(shape(v, a), `${k}: ${JSON.stringify(a)} vs trace ${JSON.stringify(v)}\n${ctx}`).to.equal(true);
    else expect(a, `${k}\n${ctx}`).to.equal(v);
  });
}

async function replay(opts: ReplayOptions): Promise<Map<string, AmiWireClient>> {
  const conns = new Map<string, AmiWireClient>();
  const hooks = [...(opts.hooks ?? [])].sort((a, b) => a.t - b.t);
  const conn = (name: string | undefined): AmiWireClient => {
    const c = conns.get(name ?? '');
    if (!c) throw new Error(`trace uses connection ${name} before connecting it`);
    return c;
  };
  try {
    for (const rec of opts.records) {
      while (hooks.length > 0 && (hooks[0] as { t: number }).t <= rec.t) await (hooks.shift() as { run: () => void | Promise<void> }).run();
      const where = `t=${rec.t} conn ${rec.conn}`;
      if (rec.dir === 'sock' && rec.what === 'connect') {
        conns.set(rec.conn as string, await AmiWireClient.connectWhenUp(opts.port));
      } else if (rec.dir === 'sock' && rec.what?.startsWith('end')) {
        await conn(rec.conn).waitEnded();
      } else if (rec.dir === 'out') {
        conn(rec.conn).send(rec.text as string);
      } else if (rec.dir === 'in') {
        const c = conn(rec.conn);
        if (!(rec.text as string).includes(': ')) {
          expect(await c.banner(), where).to.equal((rec.text as string).trimEnd());
          continue;
        }
        const expected = parseText(rec.text as string);
        if (opts.skipIn?.(expected)) continue;
        compare(expected, await c.next(3000), opts, where);
        if (rec.raw) expect(c.raw, `${where}: exact bytes`).to.include(rec.raw);
      }
    }
    for (const h of hooks) await h.run();
    for (const [name, c] of conns) {
      expect(c.pending(), `unexpected extra messages on ${name}`).to.deep.equal([]);
    }
    return conns;
  } finally {
    for (const c of conns.values()) c.close();
  }
}

function simFor(pbx: PbxModel, extra: Partial<AmiSimulatorOptions> = {}): AmiSimulator {
  return new AmiSimulator({ username: 'cti', secret: 'cti', pbx, authFailDelayMs: 200, ...extra });
}

/** The trace's PBX: agent1001 (static contact on 5071) and agent1002 (registers from 5082). */
function tracePbx(initial: { agent1001?: [boolean, boolean]; agent1002?: [boolean, boolean] } = {}): PbxModel {
  const pbx = new PbxModel({ extensions: ['agent1001', 'agent1002'], trunkName: 'pstn' });
  for (const ext of ['agent1001', 'agent1002'] as const) {
    const [registered, reachable] = initial[ext] ?? [false, false];
    pbx.setPhone(ext, { registered, reachable });
  }
  return pbx;
}

const traceContactUri = (ext: string) =>
  ext === 'agent1001' ? 'sip:agent1001@127.0.0.1:5071' : `sip:${ext}@127.0.0.1:5082`;

/** app_queue's view of the same phones: the simulator reports member states only for queue calls (ami-queue-fallback.test.ts), not on registration changes. */
const queueEvents = (m: AmiHeaders) =>
  getHeader(m, 'Event') === 'QueueMemberStatus' || (getHeader(m, 'Device') ?? '').startsWith('Queue:');

describe('AMI simulator', function () {
  this.timeout(15_000);
  let sim: AmiSimulator | undefined;

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  describe('replays the golden traces of Asterisk 22.10.1', () => {
    it('01-login-ping: banner, login, Ping/CoreStatus/CoreSettings, pre-auth action, wrong secret, unknown action, ActionID echo, Logoff', async () => {
      sim = simFor(new PbxModel({ extensions: [] }));
      const { port } = await sim.start();
      await replay({ port, records: loadTrace('01-login-ping') });
    });

    it('02-contacts phase 1: PJSIPShowContacts with no contacts (bare-LF quirk), endpoint and AOR lists', async () => {
      sim = simFor(tracePbx(), { contactUri: traceContactUri });
      const { port } = await sim.start();
      await replay({
        port,
        records: traceWindow(loadTrace('02-contacts'), 509, 515),
        // The trace's phones have static contacts (qualify off): Contacts/DeviceState/QualifyFrequency differ.
        ignoreKeys: ['Contacts'],
        ignoreValues: ['DeviceState', 'QualifyFrequency'],
      });
    });

    it('02-contacts phase 4: REGISTER (NonQualified → Reachable), ContactList, inbound statuses, un-REGISTER (Removed)', async () => {
      const pbx = tracePbx();
      sim = simFor(pbx, { contactUri: traceContactUri });
      const { port } = await sim.start();
      await replay({
        port,
        records: traceWindow(loadTrace('02-contacts'), 19176, 34306),
        hooks: [
          { t: 19298, run: () => void pbx.setPhone('agent1002', { registered: true, reachable: true }) },
          { t: 34303, run: () => void pbx.setPhone('agent1002', { registered: false }) },
        ],
      });
    });

    it('02-contacts phase 5: REGISTER of a phone that does not answer OPTIONS (Unreachable, no PeerStatus), then Removed', async () => {
      const pbx = tracePbx();
      sim = simFor(pbx, { contactUri: traceContactUri });
      const { port } = await sim.start();
      await replay({
        port,
        records: traceWindow(loadTrace('02-contacts'), 36307, 41556),
        hooks: [
          { t: 36432, run: () => void pbx.setPhone('agent1002', { registered: true, reachable: false }) },
          { t: 41554, run: () => void pbx.setPhone('agent1002', { registered: false }) },
        ],
      });
    });

    it('02-contacts phase 6: a reachable phone goes away (PeerStatus, DeviceStateChange, ContactStatus Unreachable)', async () => {
      const pbx = tracePbx({ agent1001: [true, true] });
      sim = simFor(pbx, { contactUri: traceContactUri });
      const { port } = await sim.start();
      await replay({
        port,
        // Ends before a-11: PJSIPShowContacts does not list the trace's static contact.
        records: traceWindow(loadTrace('02-contacts'), 43559, 54915),
        hooks: [{ t: 52913, run: () => void pbx.setPhone('agent1001', { reachable: false }) }],
        skipIn: queueEvents,
      });
    });

    it('03-registry: Registered, Registered on refresh, Rejected, Registered again, Unregistered; outbound registration list', async () => {
      const pbx = new PbxModel({ extensions: [], trunkName: 'pstn' });
      sim = simFor(pbx, {
        trunk: {
          objectName: 'reg-test',
          clientUri: 'sip:ctitest@127.0.0.1:5095',
          serverUri: 'sip:127.0.0.1:5095',
          contactUser: 'ctitest',
          expiration: 30,
          retryInterval: 10,
          maxRetries: 10,
          configured: false,
        },
      });
      const { port } = await sim.start();
      const s = sim;
      await replay({
        port,
        records: loadTrace('03-registry'),
        hooks: [
          { t: 1553, run: () => s.setTrunkConfigured(true) },
          { t: 29561, run: () => s.refreshRegistration() },
          { t: 81561, run: () => void pbx.setTrunk(false) },
          { t: 91559, run: () => void pbx.setTrunk(true) },
          { t: 92601, run: () => s.setTrunkConfigured(false) },
        ],
      });
    });

    it('05-fullybooted: Shutdown, every socket closed, login while booting, FullyBooted in both layouts', async () => {
      sim = simFor(new PbxModel({ extensions: [] }), { trunk: { configured: false } });
      const { port } = await sim.start();
      const s = sim;
      await replay({
        port,
        records: loadTrace('05-fullybooted'),
        hooks: [{ t: 833, run: () => s.restart({ downMs: 100, bootDelayMs: 400 }) }],
      });
    });
  });

  describe('beyond the traces', () => {
    it('answers a wrong secret only after the configured delay, then closes the socket', async () => {
      sim = simFor(new PbxModel({ extensions: [] }), { authFailDelayMs: 300 });
      const { port } = await sim.start();
      const c = await AmiWireClient.connect(port);
      await c.banner();
      const t0 = Date.now();
      const res = await c.login('cti', 'nope');
      expect(Date.now() - t0).to.be.at.least(280);
      expect(getHeader(res, 'Response')).to.equal('Error');
      expect(getHeader(res, 'Message')).to.equal('Authentication failed');
      await c.waitEnded();
    });

    it('sends events only to sessions whose read permission and Events mask allow them', async () => {
      const pbx = new PbxModel({ extensions: ['1001'] });
      sim = simFor(pbx, { accounts: [{ username: 'calls', secret: 'c', read: ['call'] }] });
      const { port } = await sim.start();
      const all = await AmiWireClient.connect(port);
      const callOnly = await AmiWireClient.connect(port);
      const off = await AmiWireClient.connect(port);
      const anonymous = await AmiWireClient.connect(port);
      try {
        await all.login('cti', 'cti');
        await callOnly.login('calls', 'c');
        await off.login('cti', 'cti', [['Events', 'off']]);
        await anonymous.banner();
        // Login-time noise (FullyBooted, SuccessfulAuth of the others) is not what this test is about.
        await drain(all);
        await drain(callOnly);
        await drain(off);

        pbx.setPhone('1001', { reachable: false });
        const m = await all.take((x) => getHeader(x, 'Event') === 'ContactStatus');
        expect(getHeader(m, 'ContactStatus')).to.equal('Unreachable');
        const dsc = await callOnly.next();
        expect(getHeader(dsc, 'Event')).to.equal('DeviceStateChange');
        // A Ping round trip orders the check after anything the simulator would have sent.
        await off.action([['Action', 'Ping'], ['ActionID', 'p']]);
        await callOnly.action([['Action', 'Ping'], ['ActionID', 'p']]);
        expect(off.pending()).to.deep.equal([]);
        expect(callOnly.pending()).to.deep.equal([]);
        expect(anonymous.pending()).to.deep.equal([]);
        expect(anonymous.raw).to.equal('Asterisk Call Manager/11.0.0\r\n');
      } finally {
        for (const c of [all, callOnly, off, anonymous]) c.close();
      }
    });

    it('emits Registry Registered on every periodic refresh while the trunk is registered', async () => {
      const pbx = new PbxModel({ extensions: [] });
      sim = simFor(pbx, { registrationRefreshMs: 50 });
      const { port } = await sim.start();
      const c = await AmiWireClient.connect(port);
      try {
        await c.login('cti', 'cti');
        const isRegistry = (m: AmiHeaders) => getHeader(m, 'Event') === 'Registry';
        for (let i = 0; i < 2; i++) expect(getHeader(await c.take(isRegistry), 'Status')).to.equal('Registered');
        pbx.setTrunk(false);
        expect(getHeader(await c.take(isRegistry), 'Status')).to.equal('Rejected');
        // No refresh while rejected: the next Registry is the recovery.
        pbx.setTrunk(true);
        expect(getHeader(await c.take(isRegistry), 'Status')).to.equal('Registered');
      } finally {
        c.close();
      }
    });

    it('in silent mode reads actions but never answers; answers again when un-silenced', async () => {
      sim = simFor(new PbxModel({ extensions: [] }));
      const { port } = await sim.start();
      const c = await AmiWireClient.connect(port);
      try {
        await c.login('cti', 'cti');
        await drain(c);
        sim.setSilent(true);
        let err: Error | undefined;
        await c.action([['Action', 'Ping'], ['ActionID', 's1']], 300).catch((e: Error) => (err = e));
        expect(err?.message).to.match(/timed out/);
        sim.setSilent(false);
        const res = await c.action([['Action', 'Ping'], ['ActionID', 's2']]);
        expect(getHeader(res, 'Ping')).to.equal('Pong');
      } finally {
        c.close();
      }
    });

    it('dropConnections resets every session; the port keeps accepting', async () => {
      sim = simFor(new PbxModel({ extensions: [] }));
      const { port } = await sim.start();
      const c = await AmiWireClient.connect(port);
      await c.login('cti', 'cti');
      sim.dropConnections();
      await c.waitEnded();
      const d = await AmiWireClient.connect(port);
      try {
        expect(getHeader(await d.login('cti', 'cti'), 'Response')).to.equal('Success');
      } finally {
        d.close();
      }
    });

    it('swallowActions: the next N actions of that name get no answer; other actions and later ones do', async () => {
      sim = simFor(new PbxModel({ extensions: [] }));
      const { port } = await sim.start();
      const c = await AmiWireClient.connect(port);
      try {
        await c.login('cti', 'cti');
        await drain(c);
        sim.swallowActions('Ping', 1);
        let err: Error | undefined;
        const hung = c.action([['Action', 'Ping'], ['ActionID', 'w1']], 300).catch((e: Error) => (err = e));
        const other = await c.action([['Action', 'CoreStatus'], ['ActionID', 'w2']]);
        expect(getHeader(other, 'Response')).to.equal('Success');
        await hung;
        expect(err?.message).to.match(/timed out/);
        expect(getHeader(await c.action([['Action', 'Ping'], ['ActionID', 'w3']]), 'Ping')).to.equal('Pong');
      } finally {
        c.close();
      }
    });

    it('refuseConnections resets every session and refuses connections for forMs, with no Shutdown', async () => {
      sim = simFor(new PbxModel({ extensions: [] }));
      const { port } = await sim.start();
      const c = await AmiWireClient.connect(port);
      await c.login('cti', 'cti');
      await drain(c);
      const outage = sim.refuseConnections({ forMs: 300 });
      await c.waitEnded();
      const refused = await new Promise<string>((resolve) => {
        const s = net.createConnection({ host: '127.0.0.1', port });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).to.equal('ECONNREFUSED');
      expect(c.raw).not.to.include('Event: Shutdown');
      await outage;
      const d = await AmiWireClient.connect(port);
      try {
        expect(getHeader(await d.login('cti', 'cti'), 'Response')).to.equal('Success');
      } finally {
        d.close();
      }
    });

    it('restart refuses connections for downMs and keeps its port', async () => {
      sim = simFor(new PbxModel({ extensions: [] }));
      const { port } = await sim.start();
      // restart() closes the listening socket before its first await.
      const restarted = sim.restart({ downMs: 300 });
      const refused = await new Promise<string>((resolve) => {
        const s = net.createConnection({ host: '127.0.0.1', port });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).to.equal('ECONNREFUSED');
      await restarted;
      expect(sim.port).to.equal(port);
      const c = await AmiWireClient.connect(port);
      try {
        expect(await c.banner()).to.equal('Asterisk Call Manager/11.0.0');
      } finally {
        c.close();
      }
    });

    it('a phone added to the model registers (NonQualified, PeerStatus, DeviceStateChange, Reachable)', async () => {
      const pbx = new PbxModel({ extensions: [] });
      sim = simFor(pbx);
      const { port } = await sim.start();
      const c = await AmiWireClient.connect(port);
      try {
        await c.login('cti', 'cti');
        await drain(c);
        pbx.setPhone('1009', { registered: true, reachable: true });
        const seq: string[] = [];
        for (let i = 0; i < 4; i++) {
          const m = await c.next();
          seq.push(`${getHeader(m, 'Event')}:${getHeader(m, 'ContactStatus') ?? getHeader(m, 'PeerStatus') ?? getHeader(m, 'State')}`);
        }
        expect(seq).to.deep.equal([
          'ContactStatus:NonQualified',
          'PeerStatus:Reachable',
          'DeviceStateChange:NOT_INUSE',
          'ContactStatus:Reachable',
        ]);
      } finally {
        c.close();
      }
    });
  });
});

/** Consumes what the login produced (FullyBooted, SuccessfulAuth), using a Ping as a barrier. */
async function drain(c: AmiWireClient): Promise<void> {
  const id = `drain-${Math.random()}`;
  await c.action([
    ['Action', 'Ping'],
    ['ActionID', id],
  ]);
  while (c.pending().length > 0) await c.next();
}
