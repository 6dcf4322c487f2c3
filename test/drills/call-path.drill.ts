import { expect } from 'chai';
import { DisposableFerretDb, ferretdbBinary } from '../helpers/ferretdb-server';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';
import { ACW_MS, ALARM_MS, audit, inFlight, readyFive, traffic } from './drill-kit';

/**
 * Failure drills of the call path: each runs real traffic through the simulated PBX and real CTI
 * processes, breaks one part with calls in flight (talking, ringing, queued), lets the system
 * recover by itself, and then audits what it cost (./drill-kit.ts).
 */

describe('failure drills', function () {
  this.timeout(180_000);

  it('ARI events socket dropped for 2 s', async () => {
    const h = await PbxHarness.start({ ready: [], env: { ANSWER_ALARM_MS: String(ALARM_MS), AFTER_CALL_WORK_MS: String(ACW_MS) } });
    try {
      await readyFive(h);
      const callers = traffic(h, '01');
      await waitFor(async () => (await h.calls.acd.queued()).length > 0, { what: 'callers waiting' });
      const flying = inFlight(h, callers);
      const t0 = Date.now();
      h.ari.dropWebSockets({ forMs: 2000 });
      await waitFor(() => !h.calls.ari.connected, { what: 'socket down' });
      await waitFor(() => h.calls.ari.connected, { what: 'socket back', timeoutMs: 30_000 });
      const recoverMs = Date.now() - t0;
      const row = await audit(h, 'ARI events socket dropped 2 s', callers, flying, recoverMs);
      expect(row).to.include({ recordsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
    } finally {
      await h.stop();
    }
  });

  it('one of two CTI processes killed with calls talking, ringing and waiting', async () => {
    const h = await PbxHarness.start({ nodes: 2, ready: [], env: { ANSWER_ALARM_MS: String(ALARM_MS), AFTER_CALL_WORK_MS: String(ACW_MS) } });
    try {
      await readyFive(h);
      // 20 callers for 4 answering agents, and the dead process's share stalls ~15 s until taken
      // over: the last ones wait close to a minute on a loaded machine, so they are patient longer.
      const callers = traffic(h, '02', 20, { patienceMs: 150_000 });
      await waitFor(async () => (await h.calls.acd.queued()).length > 2, { what: 'callers waiting' });
      const flying = inFlight(h, callers);
      const live = await h.calls.acd.liveCalls();
      const victim = [...live.values()].sort((a, b) => [...live.values()].filter((n) => n === b).length - [...live.values()].filter((n) => n === a).length)[0]!;
      const dead = h.nodes.find((n) => n.config.NODE_ID === victim)!;
      h.nodes.splice(h.nodes.indexOf(dead), 1);
      const t0 = Date.now();
      await dead.stop();
      // Recovered: the survivor's sweep (every 5 s, after the dead one's 15 s mark lapsed) took its calls over.
      await waitFor(async () => ![...(await h.calls.acd.liveCalls()).values()].includes(victim) && !(await h.calls.acd.queued()).some((q) => q.node === victim), {
        what: 'calls taken over',
        timeoutMs: 40_000,
      });
      const recoverMs = Date.now() - t0;
      const row = await audit(h, 'one of two processes killed', callers, flying, recoverMs);
      expect(row).to.include({ recordsLost: 0, alarmsDuplicated: 0, agentsStranded: 0, callsLost: 0 });
    } finally {
      await h.stop();
    }
  });

  it('MongoDB stopped for 30 s mid-traffic', async function () {
    const bin = ferretdbBinary();
    if (!bin) throw new Error('FerretDB launcher not built: run scripts/bootstrap.sh');
    const outageMs = Number(process.env.DRILL_MONGO_OUTAGE_MS ?? 30_000);
    const db = await DisposableFerretDb.create(bin);
    const h = await PbxHarness.start({ ready: [], env: { MONGO_URL: db.url('drill'), ANSWER_ALARM_MS: String(ALARM_MS), AFTER_CALL_WORK_MS: String(ACW_MS) } });
    try {
      await readyFive(h);
      const first = traffic(h, '03');
      await waitFor(async () => (await h.calls.acd.queued()).length > 0, { what: 'callers waiting' });
      const flying = inFlight(h, first);
      await db.stop();
      const t0 = Date.now();
      // Calls keep arriving while the database is down; they are answered all the same.
      const during = traffic(h, '04', 6);
      await new Promise<void>((resolve) => setTimeout(resolve, outageMs));
      const ready = await fetch(`${h.node.url}/readyz`);
      expect(ready.status, '/readyz while MongoDB is down').to.equal(503);
      await db.start();
      await waitFor(async () => (await h.calls.outbox.backlog()) === 0, { what: 'writes caught up', timeoutMs: 60_000 });
      const recoverMs = Date.now() - t0 - outageMs;
      const row = await audit(h, `MongoDB stopped ${Math.round(outageMs / 1000)} s`, [...first, ...during], flying + during.length, recoverMs);
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
    } finally {
      await h.stop().catch(() => undefined);
      await db.stop();
    }
  });

  it('a process taken for dead (its heartbeat lapsed) while callers wait, then back', async () => {
    const h = await PbxHarness.start({ nodes: 2, ready: [], env: { ANSWER_ALARM_MS: String(ALARM_MS), AFTER_CALL_WORK_MS: String(ACW_MS) } });
    try {
      await readyFive(h);
      for (const wn of ['1001', '1004', '1007', '1008', '1010']) await h.calls.agents.change(wn, 'not_ready', 'other');
      const callers = traffic(h, '05', 6);
      await waitFor(async () => (await h.calls.acd.queued()).length === 6, { what: 'callers waiting' });
      const flying = inFlight(h, callers);
      const node = (await h.calls.acd.queued())[0]!.node;
      const t0 = Date.now();
      // Its mark lapses (a pause). Whichever comes first: the other process sweeps and takes its
      // callers over (and it lets go of them), or its own next beat puts them back.
      await h.node.redis.del(h.calls.acd.keys.node(node));
      await waitFor(
        async () => {
          const q = await h.calls.acd.queued();
          const alive = await Promise.all(q.map(async (c) => (await h.node.redis.exists(h.calls.acd.keys.node(c.node))) === 1));
          return q.length === 6 && alive.every(Boolean);
        },
        { what: 'every caller queued under a live process', timeoutMs: 30_000 },
      );
      const recoverMs = Date.now() - t0;
      await readyFive(h);
      const row = await audit(h, 'a process taken for dead', callers, flying, recoverMs);
      expect(row).to.include({ recordsLost: 0, callsLost: 0, alarmsDuplicated: 0, agentsStranded: 0 });
    } finally {
      await h.stop();
    }
  });
});

