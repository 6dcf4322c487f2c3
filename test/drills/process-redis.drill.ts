import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import type { AgentSnapshot, AgentStateView, LastCallView } from '../../contracts';
import type { DomainEvent } from '../../events/domain-events';
import { AcdStore } from '../../cti/acd/acd-store';
import { startCti } from '../../main';
import { ConsoleClient, login } from '../helpers/consoles';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { testRedis } from '../helpers/redis';
import { DisposableRedis, freePort, killHard } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait';
import { ACW_MS, ALARM_MS, audit, inFlight, readyFive, traffic } from './drill-kit';

/**
 * Failure drills of the processes around the call path: Redis restarted, every CTI process gone,
 * an agent console offline, a CTI process paused past its lease. Each runs real traffic through
 * the simulated PBX, breaks one part with calls in flight and audits the result (./drill-kit.ts),
 * including what the agents' consoles show afterwards.
 */

const ENV = { ANSWER_ALARM_MS: String(ALARM_MS), AFTER_CALL_WORK_MS: String(ACW_MS) };

/** An agent console through the real log-in, reconnecting by itself as the browser's does. */
async function agentConsole(h: PbxHarness, wn: string, baseUrl = h.node.url): Promise<ConsoleClient> {
  const { token } = await login(h.node.url, wn, 'test-password');
  const c = new ConsoleClient(baseUrl, '/agent', token, { reconnection: true });
  await c.connect();
  await c.next<AgentSnapshot>('session:snapshot');
  return c;
}

/** The state a console shows: its last snapshot or state event, whichever came last. */
function shownState(c: ConsoleClient): AgentStateView | undefined {
  for (let i = c.received.length - 1; i >= 0; i--) {
    const r = c.received[i]!;
    if (r.event === 'agent:state') return r.args[0] as AgentStateView;
    if (r.event === 'session:snapshot') return (r.args[0] as AgentSnapshot).state;
  }
  return undefined;
}

/**
 * The consoles show the truth: what each was pushed last is the agent's live state, and a fresh
 * snapshot agrees (no pop or call once the agent is no longer on one).
 */
async function consolesTruthful(h: PbxHarness, consoles: ConsoleClient[], workNumbers: string[]): Promise<void> {
  for (const [i, c] of consoles.entries()) {
    const wn = workNumbers[i]!;
    const live = (await h.calls.acd.agent(wn))!;
    await waitFor(() => shownState(c)?.state === live.state, { what: `console of ${wn} shows ${live.state}`, timeoutMs: 15_000 });
    const ack = await c.command<AgentSnapshot>('session:resync');
    if (!ack.ok) throw new Error(`resync of ${wn}: ${ack.error.message}`);
    expect(ack.data.state.state, `snapshot state of ${wn}`).to.equal(live.state);
    if (live.state !== 'ringing' && live.state !== 'talking') expect(ack.data.pop, `pop of ${wn}`).to.equal(null);
    if (live.state !== 'talking') expect(ack.data.call, `call of ${wn}`).to.equal(null);
  }
}

/** Domain events as every process publishes them: who was moved where, which call ended how often. */
function recordEvents(h: PbxHarness): { events: DomainEvent[]; stop: () => void } {
  const events: DomainEvent[] = [];
  const stop = h.node.live.bus.subscribe((e) => events.push(e));
  return { events, stop };
}

/** A TCP link between a console and its CTI process that the drill can cut (a lost network) and mend. */
class CuttableLink {
  private readonly sockets = new Set<Socket>();
  private cut = false;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async open(target: string): Promise<CuttableLink> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    const own = await freePort();
    const link = new CuttableLink(server, own);
    server.on('connection', (inbound) => {
      // While cut, a reconnect attempt is refused as a dead network would: closed at once.
      if (link.cut) return void inbound.destroy();
      const outbound = connect(Number(port), hostname);
      for (const s of [inbound, outbound]) {
        link.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          link.sockets.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => server.listen(own, '127.0.0.1', resolve));
    return link;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  drop(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  mend(): void {
    this.cut = false;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type LogLine = { msg?: string; callId?: string; time?: number } & Record<string, unknown>;

/** A CTI process of its own (`node -r tsx/cjs main.ts`), its JSON log lines kept for the drill to read. */
class ChildCti {
  readonly lines: LogLine[] = [];
  private readonly exited: Promise<unknown>;
  private constructor(readonly proc: ChildProcess) {
    this.exited = new Promise((resolve) => proc.once('exit', resolve));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log line (a stray print): ignored.
      }
    });
    proc.stderr!.on('data', () => undefined);
  }

  static async start(env: Record<string, string>): Promise<ChildCti> {
    const proc = spawn(process.execPath, ['--require', 'tsx/cjs', 'main.ts'], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new ChildCti(proc);
    await waitFor(() => child.logged('hotline-cti listening').length > 0 || proc.exitCode !== null, { what: 'the child CTI listening', timeoutMs: 60_000 });
    if (proc.exitCode !== null) throw new Error(`child CTI exited (${proc.exitCode})`);
    return child;
  }

  logged(msg: string, since = 0): LogLine[] {
    return this.lines.filter((l) => l.msg === msg && (l.time ?? 0) >= since);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGCONT');
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => void killHard(this.proc), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The shared ACD state read through a Redis client of the drill's own (while no in-process CTI runs). */
function acdView(h: PbxHarness): AcdStore & { disconnect(): void } {
  const redis = testRedis(h.config);
  return Object.assign(new AcdStore(redis, h.config.REDIS_PREFIX), { disconnect: () => redis.disconnect() });
}

/** A child CTI's environment: the harness's PBX, Redis prefix and database, its own NODE_ID. */
function childEnv(h: PbxHarness, nodeId: string, extra: Record<string, string>): Record<string, string> {
  const c = h.config;
  return {
    NODE_ENV: 'test',
    NODE_ID: nodeId,
    HTTP_PORT: '0',
    REDIS_URL: c.REDIS_URL,
    REDIS_PREFIX: c.REDIS_PREFIX,
    MONGO_URL: c.MONGO_URL,
    ARI_URL: c.ARI_URL,
    AMI_PORT: String(c.AMI_PORT),
    ARI_MODE: 'broadcast',
    RECORDINGS_DIR: c.RECORDINGS_DIR,
    ...extra,
  };
}

describe('failure drills: Redis, processes, consoles', function () {
  this.timeout(180_000);

  it('Redis killed and restarted (append-only file) with calls in flight', async () => {
    const redis = await DisposableRedis.create({ persist: true });
    const h = await PbxHarness.start({ nodes: 2, ready: [], env: { ...ENV, REDIS_URL: redis.url } });
    const watched = ['1001', '1004', '1010'];
    const consoles: ConsoleClient[] = [];
    try {
      await readyFive(h);
      for (const wn of watched) consoles.push(await agentConsole(h, wn));
      const callers = traffic(h, '11');
      // A ring that the 20 s rule will stop is pending, callers wait: then Redis goes.
      await waitFor(async () => (await h.calls.acd.agent('1010'))?.state === 'ringing' && (await h.calls.acd.queued()).length > 0, {
        what: 'a ring on 1010 and callers waiting',
        timeoutMs: 30_000,
      });
      const flying = inFlight(h, callers);
      await redis.stop();
      const t0 = Date.now();
      // Callers keep arriving; a restart takes a few seconds, and the 20 s rule's job falls due meanwhile.
      const during = traffic(h, '21', 4);
      await new Promise<void>((resolve) => setTimeout(resolve, ALARM_MS + 500));
      await redis.start();
      await waitFor(async () => (await Promise.all(h.nodes.map((n) => n.redis.ping()))).every((p) => p === 'PONG'), { what: 'every process back on Redis', timeoutMs: 30_000 });
      const recoverMs = Date.now() - t0;
      const row = await audit(h, 'Redis restarted (append-only file, down 3 s)', [...callers, ...during], flying + during.length, recoverMs);
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
      await consolesTruthful(h, consoles, watched);
      // The silence rule is still armed (its window counts from the last call when it is due).
      const silence = h.calls.silence.rule;
      const job = await silence.queue.getJob(silence.id);
      expect(job && (await job.isDelayed()), 'silence alarm armed').to.equal(true);
    } finally {
      for (const c of consoles) c.close();
      await h.stop().catch(() => undefined);
      await redis.stop();
    }
  });

  it("every CTI process killed (SIGKILL) with calls in flight; Asterisk's own queue serves the outage; one process started again", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-all-down-'));
    const queueLog = join(dir, 'queue_log');
    const env = { ...ENV, ASTERISK_QUEUE_LOG: queueLog, FALLBACK_IMPORT_MS: '1000' };
    const h = await PbxHarness.start({ ready: [], queue: { queueLogFile: queueLog, monitorDir: join(dir, 'monitor') }, env });
    const view = acdView(h);
    let children: ChildCti[] = [];
    try {
      await readyFive(h);
      // The calls are carried by two real processes, so that killing them runs none of their code.
      children = await Promise.all(['b', 'c'].map((id) => ChildCti.start(childEnv(h, id, env))));
      await Promise.all(h.nodes.splice(0).map((n) => n.stop()));
      const before = traffic(h, '12');
      await waitFor(async () => (await view.agents()).some((a) => a.state === 'talking') && (await view.queued()).length > 1, {
        what: 'calls talking and waiting',
        timeoutMs: 30_000,
      });
      const flying = inFlight(h, before);
      await Promise.all(children.map((c) => killHard(c.proc)));
      // Nobody claims the broadcast: the dialplan's own queue rings the agents' phones.
      const during = traffic(h, '22', 4);
      await waitFor(() => during.every((c) => c.talkingSince() !== null), { what: "the outage's callers answered by Asterisk's queue", timeoutMs: 60_000 });
      // One comes back under its own name, as a restarted process does; c's calls wait for its mark to lapse.
      const t0 = Date.now();
      h.nodes.push(await startCti({ ...h.config, NODE_ID: 'b' }));
      await waitFor(
        async () => {
          const owners = new Set([...(await view.liveCalls()).values(), ...(await view.queued()).map((q) => q.node)]);
          return !owners.has('c');
        },
        { what: 'the calls of both processes taken over', timeoutMs: 40_000 },
      );
      const recoverMs = Date.now() - t0;
      const row = await audit(h, 'every CTI process killed, one restarted', [...before, ...during], flying + during.length, recoverMs);
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
      // The outage's calls as Call and Recording documents, once each, whatever the later imports.
      const { Call, Recording } = h.node.models;
      await h.calls.fallbackImport!.run();
      await h.calls.outbox.settled('call:fallback-', 10_000);
      const ids = during.map((c) => c.id);
      const imported = await Call.find({ callerChannelId: { $in: ids } }).lean();
      expect(imported.map((d) => [d.callerChannelId, d.fallback, d.outcome]).sort()).to.deep.equal(ids.map((id) => [id, true, 'answered']).sort());
      expect(await Recording.countDocuments({ name: { $in: ids.map((id) => `fallback-${id}`) } }), 'fallback recordings').to.equal(ids.length);
      // The callers the dead processes held were taken over, none cut off by the restart.
      expect(await Call.countDocuments({ callerChannelId: { $in: before.map((c) => c.id) }, outcome: 'failed' }), 'calls failed').to.equal(0);
      const consoles = await Promise.all(['1001', '1004', '1007'].map((wn) => agentConsole(h, wn)));
      try {
        await consolesTruthful(h, consoles, ['1001', '1004', '1007']);
      } finally {
        for (const c of consoles) c.close();
      }
    } finally {
      for (const c of children) await c.stop();
      view.disconnect();
      await h.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an agent console offline for 30 s while its agent rings and talks', async () => {
    const h = await PbxHarness.start({ ready: [], env: ENV });
    const link = await CuttableLink.open(h.node.url);
    const rec = recordEvents(h);
    try {
      await readyFive(h);
      for (const wn of ['1007', '1008', '1010']) await h.calls.agents.change(wn, 'not_ready', 'other');
      // 1001 (Cantonese) picks up after 1.5 s: its console loses the network while the phone rings.
      h.pbx.setPhone('1001', { behaviour: { kind: 'answer', afterMs: 1500 } });
      const ringer = await agentConsole(h, '1001', link.url);
      const talker = await agentConsole(h, '1004', link.url);
      // 1004 (Mandarin) is in a short call that ends while its console is away; 1001's outlasts the gap.
      const short = h.ari.placeCall({ callerNumber: '13700000001', dtmf: [{ digit: '2', afterMs: 10 }], hangupAfterBridgedMs: 5000, hangupAfterMs: 60_000 });
      await waitFor(async () => (await h.calls.acd.agent('1004'))?.state === 'talking', { what: '1004 talking', timeoutMs: 30_000 });
      const long = h.ari.placeCall({ callerNumber: '13700000002', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 40_000, hangupAfterMs: 90_000 });
      const pop = await ringer.next<{ callId: string }>('pop:show', () => true, { timeoutMs: 30_000 });
      const longCall = (await h.calls.acd.agent('1001'))!.callId;
      expect(pop.callId).to.equal(longCall);
      const flying = inFlight(h, [short, long]);
      link.drop();
      const t0 = Date.now();
      // The others take calls meanwhile.
      for (const wn of ['1007', '1008', '1010']) await h.calls.agents.change(wn, 'ready');
      const others = traffic(h, '13', 8);
      await waitFor(() => !ringer.raw.connected && !talker.raw.connected, { what: 'both consoles cut off' });
      await new Promise<void>((resolve) => setTimeout(resolve, 30_000));
      const marks = [ringer.mark(), talker.mark()];
      link.mend();
      const [snapRinger, snapTalker] = await Promise.all([
        ringer.next<AgentSnapshot>('session:snapshot', () => true, { from: marks[0], timeoutMs: 30_000 }),
        talker.next<AgentSnapshot>('session:snapshot', () => true, { from: marks[1], timeoutMs: 30_000 }),
      ]);
      const recoverMs = Date.now() - t0 - 30_000;
      // 1001 is still on the call: the snapshot brings the state, the pop and the answered call it missed.
      expect(snapRinger.state).to.include({ state: 'talking', callId: longCall });
      expect(snapRinger.pop?.callId, '1001 pop').to.equal(longCall);
      expect(snapRinger.call?.callId, '1001 call').to.equal(longCall);
      // 1004's call ended in the gap: its last call is the latest it finished, with the recording.
      const live1004 = (await h.calls.acd.agent('1004'))!;
      expect(snapTalker.state.state).to.equal(live1004.state);
      const last = await h.node.models.Call.findOne({ agentWorkNumber: '1004', state: 'ended', endedAt: { $lte: new Date(snapTalker.serverNow) } })
        .sort({ endedAt: -1 })
        .lean();
      expect(snapTalker.lastCall as LastCallView | null, '1004 last call').to.deep.include({ callId: last!.callId, outcome: 'answered', recordingName: last!.recordingName });
      const row = await audit(h, 'agent console offline 30 s', [short, long, ...others], flying + others.length, recoverMs);
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
      // Losing the console moved neither agent anywhere they did not go by their calls.
      const moves = rec.events.flatMap((e) => (e.type === 'agent.state' && ['1001', '1004'].includes(e.agentWorkNumber) ? [e.state] : []));
      expect(moves, 'states of 1001 and 1004').to.not.include.members(['offline', 'not_ready']);
      expect(await h.node.models.Call.findOne({ callerChannelId: long.id }).lean()).to.deep.include({ outcome: 'answered', agentWorkNumber: '1001', hangupBy: 'caller' });
      await consolesTruthful(h, [ringer, talker], ['1001', '1004']);
    } finally {
      rec.stop();
      await link.close();
      await h.stop().catch(() => undefined);
    }
  });

  it('a CTI process paused (SIGSTOP) past its lease while callers wait on it, then resumed', async () => {
    const h = await PbxHarness.start({ ready: [], env: ENV });
    let child: ChildCti | undefined;
    try {
      for (const wn of EXTENSIONS) {
        await h.calls.agents.login(wn);
        await h.calls.agents.change(wn, 'not_ready', 'other');
      }
      const c = h.config;
      child = await ChildCti.start(childEnv(h, 'b', ENV));
      // Every caller waits on the child: the in-process one steps aside until they are queued there.
      const first = h.nodes.splice(0);
      await Promise.all(first.map((n) => n.stop()));
      const callers = traffic(h, '14', 6);
      const view = acdView(h);
      try {
        await waitFor(async () => (await view.queued()).filter((q) => q.node === 'b').length === 6, { what: 'six callers queued on the child', timeoutMs: 30_000 });
      } finally {
        view.disconnect();
      }
      h.nodes.push(await startCti({ ...c, NODE_ID: 'c' }));
      const rec = recordEvents(h);
      const flying = inFlight(h, callers);
      child.proc.kill('SIGSTOP');
      const t0 = Date.now();
      await waitFor(async () => {
        const q = await h.calls.acd.queued();
        return q.length === 6 && q.every((x) => x.node === 'c');
      }, { what: "the paused process's callers taken over", timeoutMs: 40_000 });
      const recoverMs = Date.now() - t0;
      // Served while the child is still stopped; some finish before it runs again.
      await readyFive(h);
      const ended: string[] = [];
      for (const cl of callers) void cl.ended.then(() => ended.push(cl.id));
      await waitFor(() => ended.length >= 2, { what: 'two calls over while the child sleeps', timeoutMs: 40_000 });
      const resumedAt = Date.now();
      child.proc.kill('SIGCONT');
      await waitFor(() => child!.logged('heartbeat had lapsed: calls put back in the shared state', resumedAt).length > 0, { what: 'the child noticing its lapse', timeoutMs: 20_000 });
      const row = await audit(h, 'a process paused (SIGSTOP) past its lease', callers, flying, recoverMs);
      rec.stop();
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
      // Once each: one record per caller, closed by the process that took it over; one end each.
      const docs = await h.node.models.Call.find({ callerChannelId: { $in: callers.map((x) => x.id) } }).lean();
      expect(docs.map((d) => [d.outcome, d.node])).to.deep.equal(docs.map(() => ['answered', 'c']));
      const ends = new Map<string, number>();
      for (const e of rec.events) if (e.type === 'call.ended') ends.set(e.callId, (ends.get(e.callId) ?? 0) + 1);
      expect([...ends.values()], 'call.ended per call').to.deep.equal(docs.map(() => 1));
      // The child's sessions let go of every one and did nothing else with them after waking (its
      // lines with a channel are its sessions'; timed rules run on any process and are not counted).
      const ids = new Set(docs.map((d) => d.callId));
      const after = child.lines.filter((l) => (l.time ?? 0) >= resumedAt && l.callId && ids.has(l.callId) && typeof l.channelId === 'string');
      expect(after.map((l) => l.msg)).to.deep.equal(docs.map(() => 'call taken over by another process: let go'));
      const consoles = await Promise.all(['1001', '1004', '1010'].map((wn) => agentConsole(h, wn)));
      try {
        await consolesTruthful(h, consoles, ['1001', '1004', '1010']);
      } finally {
        for (const x of consoles) x.close();
      }
    } finally {
      await child?.stop();
      await h.stop().catch(() => undefined);
    }
  });
});
