import { once } from 'node:events';
import { expect } from 'chai';
import type { AgentState, BoardSnapshot, SystemHealth } from '../../contracts';
import type { CallerHandle } from '../../sim/ari/script';
import { ConsoleClient, login } from '../helpers/consoles';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';
import { ACW_MS, ALARM_MS, audit, inFlight, readyFive, traffic } from './drill-kit';

/**
 * Failure drills of the link to Asterisk: the ARI events socket gone for a minute, a half-open
 * ARI link, Asterisk restarted, AMI dropped and an AMI action that never answers. Each runs with
 * calls talking, ringing and waiting, is audited (./drill-kit.ts), and checks that the consoles
 * show what Redis holds once it is over.
 */

const ENV = { ANSWER_ALARM_MS: String(ALARM_MS), AFTER_CALL_WORK_MS: String(ACW_MS) };

interface Consoles {
  board: ConsoleClient;
  admin: ConsoleClient;
  close(): void;
}

/** The supervisor board and the admin page, connected as a person would (login, then the socket). */
async function consoles(h: PbxHarness): Promise<Consoles> {
  const connect = async (nsp: '/supervisor' | '/admin', workNumber: string) => {
    const c = new ConsoleClient(h.node.url, nsp, (await login(h.node.url, workNumber, 'test-password')).token, { reconnection: true });
    await c.connect();
    return c;
  };
  const board = await connect('/supervisor', '2001');
  const admin = await connect('/admin', '9001');
  await board.next('board');
  await admin.next('health:snapshot');
  return { board, admin, close: () => [board, admin].forEach((c) => c.close()) };
}

/** Calls in every stage at once: someone talking, a phone ringing, a caller waiting. */
async function mixInFlight(h: PbxHarness): Promise<void> {
  await waitFor(
    async () => {
      const states = new Set<AgentState>((await h.calls.acd.agents()).map((a) => a.state));
      return states.has('talking') && (states.has('ringing') || states.has('reserved')) && (await h.calls.acd.queued()).length > 0;
    },
    { what: 'calls talking, ringing and waiting', timeoutMs: 30_000 },
  );
}

/**
 * The consoles tell the truth once it is over: the board last pushed (not a fresh read) shows every
 * agent in the state Redis holds, no call in progress and nobody waiting.
 */
async function boardShowsTruth(h: PbxHarness, c: Consoles): Promise<void> {
  await waitFor(
    async () => {
      const live = await h.calls.acd.agents();
      const shown = c.board.events('board').at(-1) as BoardSnapshot | undefined;
      if (!shown) return false;
      const same = live.every((a) => shown.agents.find((x) => x.workNumber === a.workNumber)?.state === a.state);
      return same && shown.inProgress.length === 0 && shown.waiting.yue.count + shown.waiting.cmn.count === 0;
    },
    { what: 'the board showing what Redis holds, no call in progress', timeoutMs: 35_000 },
  );
}

/**
 * The admin page's health of this process, as last pushed (it pushes on change), satisfies `pred`
 * within 20 s. `since`: only pushes received after that mark count.
 */
async function healthShows(c: Consoles, what: string, pred: (n: SystemHealth['nodes'][number]) => boolean, since = 0): Promise<void> {
  const own = () => (c.admin.events('health:snapshot', since).at(-1) as SystemHealth | undefined)?.nodes.find((n) => n.node === 'a');
  await waitFor(() => {
    const n = own();
    return !!n && pred(n);
  }, { what: `the admin page showing ${what}`, timeoutMs: 20_000 }).catch((err: Error) => {
    const n = own();
    throw new Error(`${err.message} (last pushed: ari ${JSON.stringify(n?.ari)}, ami ${JSON.stringify(n?.ami)})`);
  });
}

describe('Asterisk link drills', function () {
  this.timeout(240_000);

  it('ARI events socket dropped for 60 s', async () => {
    const gapMs = Number(process.env.DRILL_ARI_GAP_MS ?? 60_000);
    const h = await PbxHarness.start({ ready: [], env: ENV });
    const c = await consoles(h);
    try {
      await readyFive(h);
      // Callers wait out the gap: those still queued when it ends must be served, not give up.
      const callers = traffic(h, '11', 12, { patienceMs: gapMs + 90_000 });
      await mixInFlight(h);
      const flying = inFlight(h, callers);
      const mark = c.admin.mark();
      h.ari.dropWebSockets({ forMs: gapMs });
      await waitFor(() => !h.calls.ari.connected, { what: 'socket down' });
      await healthShows(c, 'ARI down', (n) => n.ari?.connected === false, mark);
      const gapEnds = Date.now() + gapMs;
      await waitFor(() => h.calls.ari.connected, { what: 'socket back', timeoutMs: gapMs + 30_000 });
      const recoverMs = Date.now() - gapEnds;
      const row = await audit(h, `ARI events socket dropped ${Math.round(gapMs / 1000)} s`, callers, flying, recoverMs);
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
      await boardShowsTruth(h, c);
    } finally {
      c.close();
      await h.stop();
    }
  });

  it('ARI half-open: no pong, no events, REST unanswered; detected within 15 s', async () => {
    const h = await PbxHarness.start({ ready: [], env: ENV });
    const c = await consoles(h);
    try {
      await readyFive(h);
      const callers = traffic(h, '12');
      await mixInFlight(h);
      const flying = inFlight(h, callers);
      const t0 = Date.now();
      // The link dies silently; for 8 s new connections get no answer either (the network is out).
      expect(h.ari.halfOpen({ forMs: 8000 })).to.equal(1);
      await waitFor(() => !h.calls.ari.connected, { what: 'the dead link detected', timeoutMs: 30_000, intervalMs: 20 });
      const detectMs = Date.now() - t0;
      expect(detectMs, 'half-open link detected').to.be.below(15_000);
      await waitFor(() => h.calls.ari.connected, { what: 'events socket back', timeoutMs: 60_000 });
      const recoverMs = Date.now() - t0;
      // What the page shows last must be the truth. The outage may be too short for a health round
      // to see it at all (the link comes back as soon as it is found dead): then nothing changed for
      // the page, and no new push is owed.
      await healthShows(c, 'ARI connected again', (n) => n.ari?.connected === true);
      const row = await audit(h, `ARI half-open, no pong (detected in ${(detectMs / 1000).toFixed(1)} s)`, callers, flying, recoverMs);
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
      await boardShowsTruth(h, c);
    } finally {
      c.close();
      await h.stop();
    }
  });

  it('Asterisk restarted with calls up', async () => {
    const h = await PbxHarness.start({ ready: [], env: ENV });
    const c = await consoles(h);
    try {
      await readyFive(h);
      const callers = traffic(h, '13');
      await mixInFlight(h);
      const flying = inFlight(h, callers);
      const up = new Set(h.ari.channels().map((ch) => ch.id));
      const cut = new Set(callers.filter((x) => up.has(x.id)).map((x) => x.id));
      // Agents on a call (answered; maybe still hearing the agent-ID announcement) at the cut.
      const talking = new Set((await h.calls.acd.agents()).filter((a) => a.state === 'talking').map((a) => a.callId));
      const reconnected = once(h.calls.ari, 'reconnected');
      const t0 = Date.now();
      await Promise.all([h.ari.restart({ downMs: 1000 }), h.ami.restart({ downMs: 650 })]);
      expect(h.ari.channels(), 'no channel survives a restart').to.deep.equal([]);
      await reconnected;
      await waitFor(() => h.calls.ami.connected, { what: 'AMI back' });
      // Served again: every cut call closed, and the agents free for the callers who come next.
      await waitFor(async () => (await h.node.models.Call.countDocuments({ callerChannelId: { $in: [...cut] }, state: { $ne: 'ended' } })) === 0, {
        what: 'the cut calls closed',
        timeoutMs: 30_000,
      });
      const recoverMs = Date.now() - t0;
      const after = traffic(h, '14', 6);
      const all: CallerHandle[] = [...callers, ...after];
      const row = await audit(h, 'Asterisk restarted', all, flying, recoverMs, { cutOff: cut });
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
      // The right outcome: the system hung these calls up, not their callers. One an agent had
      // answered stays answered (every call talking at the cut among them); any other failed.
      const docs = await h.node.models.Call.find({ callerChannelId: { $in: [...cut] } }).lean();
      for (const d of docs) {
        expect(d, `call ${d.callId}, cut by the restart`).to.include({ hangupBy: 'system', outcome: d.answeredAt ? 'answered' : 'failed' });
        if (talking.has(d.callId)) expect(d.outcome, `call ${d.callId}, talking at the restart`).to.equal('answered');
      }
      await boardShowsTruth(h, c);
    } finally {
      c.close();
      await h.stop();
    }
  });

  it('AMI dropped for 5 s, then an AMI action that never answers', async () => {
    const h = await PbxHarness.start({ ready: [], env: ENV });
    const c = await consoles(h);
    try {
      await readyFive(h);
      const callers = traffic(h, '15');
      await mixInFlight(h);
      const flying = inFlight(h, callers);
      const ami = h.calls.ami;
      // The snapshots after the reconnect hang (one on login, one on its FullyBooted): Asterisk
      // reads the requests and never answers.
      h.ami.swallowActions('PJSIPShowContacts', 2);
      const refreshed = once(h.calls.pbx, 'refreshed');
      const mark = c.admin.mark();
      const t0 = Date.now();
      const outage = h.ami.refuseConnections({ forMs: 5000 });
      await waitFor(() => !ami.connected, { what: 'AMI down' });
      await healthShows(c, 'AMI down', (n) => n.ami?.connected === false, mark);
      await outage;
      await waitFor(() => ami.connected, { what: 'AMI back', timeoutMs: 20_000 });
      // While that list hangs, nothing else does: the phones keep their last known state and the
      // self-check answers in its own time, AMI item included.
      const checkStarted = Date.now();
      const items = await h.calls.selfCheck.run();
      expect(items.filter((i) => !i.ok), 'self-check during the hung action').to.deep.equal([]);
      expect(Date.now() - checkStarted, 'self-check duration').to.be.below(5000);
      expect(EXTENSIONS.filter((e) => !h.calls.pbx.isPhoneReachable(e)), 'phones unreachable').to.deep.equal([]);
      expect(await h.calls.acd.unreachablePhones()).to.deep.equal([]);
      // The hung list timed out (5 s) and was asked again: the snapshot is fresh.
      await refreshed;
      expect(Date.now() - checkStarted, 'snapshot only after the hung list timed out').to.be.above(4000);
      const recoverMs = Date.now() - t0;
      expect(ami.reconnects).to.equal(1);
      const row = await audit(h, 'AMI dropped 5 s + an action never answered', callers, flying, recoverMs);
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
      await healthShows(c, 'AMI connected again', (n) => n.ami?.connected === true && n.ami.reconnects === 1);
      await boardShowsTruth(h, c);
    } finally {
      c.close();
      await h.stop();
    }
  });
});
