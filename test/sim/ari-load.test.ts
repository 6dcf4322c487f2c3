import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { PbxModel } from '../../sim/pbx';
import { AriSimulator } from '../../sim/ari/server';
import { connectAri, type AriClient, type AriInstance } from '../../sim/ari/testkit';

/** Load generation against a minimal Stasis app (ari-client), and the standalone CLI. */

const PHONES = Array.from({ length: 10 }, (_, i) => String(1001 + i));

describe('ARI simulator load generator and CLI', function () {
  this.timeout(30_000);
  let sim: AriSimulator;
  let client: AriClient | null = null;

  afterEach(async () => {
    client?.stop();
    client = null;
    await sim?.stop();
  });

  /** Answer, wait for the language key, bridge with the next phone; tidy up when the caller leaves. */
  function runApp(ari: AriClient): void {
    let next = 0;
    ari.on('StasisStart', (e, caller) => {
      if (e.args?.[0] === 'agent') return;
      void (async () => {
        const gotKey = new Promise<void>((r) => caller.once('ChannelDtmfReceived', () => r()));
        await caller.answer();
        await gotKey;
        const bridge = await ari.bridges.create({ type: 'mixing' });
        const agent = ari.Channel();
        let agentUp = false;
        caller.once('StasisEnd', () => {
          if (agentUp) void agent.hangup().catch(() => undefined);
          void bridge.destroy().catch(() => undefined);
        });
        agent.once('StasisStart', (_ev: unknown, inst: AriInstance) => {
          agentUp = true;
          void bridge.addChannel({ channel: `${caller.id},${inst.id}` }).catch(() => undefined);
        });
        const phone = PHONES[next++ % PHONES.length] as string;
        await agent.originate({ endpoint: `PJSIP/${phone}`, app: 'hotline', appArgs: 'agent' });
      })().catch(() => undefined);
    });
  }

  it('generates N calls per second whose callers press a key, talk, and hang up; stats add up', async () => {
    const pbx = new PbxModel({ extensions: PHONES, trunkName: 'pstn', defaultBehaviour: { kind: 'answer', afterMs: 200 } });
    sim = new AriSimulator({ pbx, timeScale: 0.1 });
    const { url } = await sim.start();
    client = await connectAri(url);
    runApp(client);
    await client.start('hotline');

    let destroyed = 0;
    let expected = Number.POSITIVE_INFINITY;
    let allAgentsGone!: () => void;
    const agentsGone = new Promise<void>((r) => {
      allAgentsGone = r;
    });
    sim.on('event', (e) => {
      if (e.event.type === 'ChannelDestroyed' && ++destroyed >= expected) allAgentsGone();
    });
    const load = sim.startLoad({ callsPerSecond: 10, durationMs: 1000, talkMs: [300, 600], dtmfDigits: ['1', '2'], dtmfAfterMs: [50, 150] });
    const stats = await load.done;
    expected = stats.bridged;
    if (destroyed >= expected) allAgentsGone();
    await agentsGone;
    expect(stats).to.include({ placed: 10, answered: 10, bridged: 10, completed: 10, abandoned: 0, rejected: 0, endedByApp: 0, active: 0 });
    expect(stats.waitMs.count).to.equal(10);
    expect(stats.waitMs.p50).to.be.greaterThan(0);
    expect(sim.channels()).to.deep.equal([]);
    const keys = sim
      .callerHandles()
      .flatMap((h) => h.heard())
      .filter((h) => h.kind === 'dtmf-sent')
      .map((h) => (h.kind === 'dtmf-sent' ? h.digit : ''));
    expect(keys).to.have.length(10);
    expect(keys.every((k) => k === '1' || k === '2')).to.equal(true);
  });

  it('counts calls the PBX rejects when no app is registered, and stop() ends generation early', async () => {
    sim = new AriSimulator({ pbx: new PbxModel({ extensions: ['1001'] }), timeScale: 0.1 });
    await sim.start();
    const load = sim.startLoad({ callsPerSecond: 20, durationMs: 60_000, talkMs: [100, 100], callerPool: ['85291234567'] });
    const fifth = new Promise<void>((r) => {
      let n = 0;
      sim.on('call', () => {
        if (++n === 5) r();
      });
    });
    await fifth;
    load.stop();
    const stats = await load.done;
    expect(stats.placed).to.be.at.least(5);
    expect(stats.rejected).to.equal(stats.placed);
    expect(stats.active).to.equal(0);
  });

  it('CLI: starts standalone on an ephemeral port with phones 1001-1010 and stops on SIGTERM', async () => {
    sim = new AriSimulator({ pbx: new PbxModel({ extensions: [] }) }); // keeps afterEach uniform
    const root = join(__dirname, '..', '..');
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['sim/ari/cli.ts', '--port', '0', '--rate', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`CLI did not start: ${out}`)), 15_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1] as string);
          }
        });
        child.once('exit', (code) => reject(new Error(`CLI exited ${String(code)}: ${out}`)));
      });
      const cli = await connectAri(url); // REST only: never started, so nothing to stop
      const eps = await cli.endpoints.list<Array<{ resource: string; state: string }>>();
      expect(eps.map((e) => e.resource)).to.deep.equal([...PHONES, 'pstn']);
      expect(eps.filter((e) => e.state === 'online')).to.have.length(10);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
