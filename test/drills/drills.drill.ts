import { expect } from 'chai';
import type { CallerHandle } from '../../sim/ari/script';
import { DisposableFerretDb, ferretdbBinary } from '../helpers/ferretdb-server';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

/**
 * Failure drills (`npm run test:drills`): each one runs real traffic through the simulated PBX and
 * real CTI processes, breaks one part with calls in flight (talking, ringing, queued), lets the
 * system recover by itself, and then audits what it cost. The table at the end is what the README's
 * reliability section quotes.
 */

interface DrillRow {
  drill: string;
  inFlight: number;
  /** Of all the drill's calls, how many an agent answered (the others gave up or failed). */
  answered: string;
  callsLost: number;
  recordsLost: number;
  alarmsLost: number;
  alarmsDuplicated: number;
  agentsStranded: number;
  recoverMs: number;
}

const rows: DrillRow[] = [];
const ACW_MS = 200;
const ALARM_MS = 2500;

/** Calls that keep the system busy: 12 callers for 5 Ready agents, one of whom never answers. */
function traffic(h: PbxHarness, tag: string, n = 12): CallerHandle[] {
  return Array.from({ length: n }, (_, i) =>
    h.ari.placeCall({
      callerNumber: `137${tag}${String(i).padStart(4, '0')}`,
      dtmf: [{ digit: i % 3 === 0 ? '2' : '1', afterMs: 10 }],
      hangupAfterBridgedMs: 1500 + (i % 4) * 500,
      // Nobody waits forever: a call the system cannot finish ends here and shows in the table.
      hangupAfterMs: 60_000,
    }),
  );
}

async function readyFive(h: PbxHarness): Promise<void> {
  for (const wn of EXTENSIONS) {
    h.pbx.setPhone(wn, { behaviour: wn === '1010' ? { kind: 'no-answer' } : { kind: 'answer', afterMs: 300 } });
    await h.calls.agents.login(wn);
  }
  // 1007–1010 speak both languages; 1010's phone never answers (the 20 s rule fires).
  for (const wn of ['1001', '1004', '1007', '1008', '1010']) await h.calls.agents.change(wn, 'ready').catch(() => undefined);
}

/** Waits for the traffic to end, then counts what was lost, stranded or duplicated. */
async function audit(h: PbxHarness, drill: string, callers: CallerHandle[], inFlight: number, recoverMs: number): Promise<DrillRow> {
  await Promise.all(callers.map((c) => c.ended));
  const calls = h.node.calls!;
  const ids = callers.map((c) => c.id);
  // The caller's side ends first; the CTI then closes the record. A call not closed within 30 s counts as lost.
  await waitFor(
    async () => {
      const list = await h.node.models.Call.find({ callerChannelId: { $in: ids } }).lean();
      return list.length === ids.length && list.every((d) => d.state === 'ended' && d.outcome);
    },
    { what: 'every record closed', timeoutMs: 30_000 },
  ).catch(() => undefined);
  await waitFor(async () => (await calls.outbox.backlog()) === 0, { what: 'record outbox drained', timeoutMs: 60_000 });
  const docs = await h.node.models.Call.find({ callerChannelId: { $in: ids } }).lean();
  const recordsLost = ids.length - docs.length;
  const unfinished = docs.filter((d) => d.state !== 'ended' || !d.outcome).length;
  // Every ring stopped by the 20 s rule has exactly one alarm with its deterministic key.
  const alarmed = docs.flatMap((d) => (d.offers ?? []).filter((o) => o.alarmed).map((o) => `answer-alarm.${d.callId}.${o.attempt}`));
  const alarms = await h.node.models.Alarm.find({ kind: 'answer-timeout', callId: { $in: docs.map((d) => d.callId) } }).lean();
  const keys = alarms.map((a) => a.key);
  const alarmsLost = alarmed.filter((k) => !keys.includes(k)).length;
  const perRing = new Map<string, number>();
  for (const a of alarms) perRing.set(`${a.callId}:${a.agentWorkNumber}:${a.key}`, (perRing.get(`${a.callId}:${a.agentWorkNumber}:${a.key}`) ?? 0) + 1);
  const alarmsDuplicated = [...perRing.values()].filter((n) => n > 1).length;
  // After wrap-up (ACW_MS), nobody may be left held by a call that is over; polled for 20 s.
  const stuck = async () => (await calls.acd.agents()).filter((a) => ['reserved', 'ringing', 'talking', 'acw'].includes(a.state));
  let held = await stuck();
  for (const until = Date.now() + 20_000; held.length > 0 && Date.now() < until; held = await stuck()) {
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
  }
  const answeredCount = docs.filter((d) => d.outcome === 'answered').length;
  const answered = `${answeredCount} / ${ids.length}`;
  const row: DrillRow = { drill, inFlight, answered, callsLost: recordsLost + unfinished, recordsLost, alarmsLost, alarmsDuplicated, agentsStranded: held.length, recoverMs };
  rows.push(row);
  // Every caller is answered in the end: agents are there for them, the fault must not lose them.
  expect(answeredCount, `${drill}: callers answered`).to.equal(ids.length);
  return row;
}

/** Callers still on the line right now: talking, ringing or waiting. */
function inFlight(h: PbxHarness, callers: CallerHandle[]): number {
  const up = new Set(h.ari.channels().map((c) => c.id));
  return callers.filter((c) => up.has(c.id)).length;
}

describe('failure drills', function () {
  this.timeout(180_000);

  after(() => {
    const head = '| drill | calls in flight | answered | calls lost | records lost | alarms lost | alarms duplicated | agents stranded | time to recover |';
    const lines = rows.map((r) => `| ${r.drill} | ${r.inFlight} | ${r.answered} | ${r.callsLost} | ${r.recordsLost} | ${r.alarmsLost} | ${r.alarmsDuplicated} | ${r.agentsStranded} | ${(r.recoverMs / 1000).toFixed(1)} s |`);
    process.stdout.write(`\n${head}\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n${lines.join('\n')}\n\n`);
  });

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
      const callers = traffic(h, '02', 16);
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

