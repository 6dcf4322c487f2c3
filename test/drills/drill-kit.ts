import { expect } from 'chai';
import type { CallerHandle } from '../../sim/ari/script';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

/**
 * What every failure drill shares (`npm run test:drills` runs test/drills/*.drill.ts): the traffic,
 * the audit after recovery, and the table printed once at the end, which the README's reliability
 * section quotes.
 */

export interface DrillRow {
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
export const ACW_MS = 200;
export const ALARM_MS = 2500;

/**
 * Calls that keep the system busy: 12 callers for 5 Ready agents, one of whom never answers.
 * `patienceMs`: when a caller nobody answered gives up (longer for a drill whose fault lasts a minute).
 */
export function traffic(h: PbxHarness, tag: string, n = 12, { patienceMs = 60_000 } = {}): CallerHandle[] {
  return Array.from({ length: n }, (_, i) =>
    h.ari.placeCall({
      callerNumber: `137${tag}${String(i).padStart(4, '0')}`,
      dtmf: [{ digit: i % 3 === 0 ? '2' : '1', afterMs: 10 }],
      hangupAfterBridgedMs: 1500 + (i % 4) * 500,
      // Nobody waits forever: a call the system cannot finish ends here and shows in the table.
      hangupAfterMs: patienceMs,
    }),
  );
}

export async function readyFive(h: PbxHarness): Promise<void> {
  for (const wn of EXTENSIONS) {
    h.pbx.setPhone(wn, { behaviour: wn === '1010' ? { kind: 'no-answer' } : { kind: 'answer', afterMs: 300 } });
    await h.calls.agents.login(wn);
  }
  // 1007–1010 speak both languages; 1010's phone never answers (the 20 s rule fires).
  for (const wn of ['1001', '1004', '1007', '1008', '1010']) await h.calls.agents.change(wn, 'ready').catch(() => undefined);
}

/**
 * Waits for the traffic to end, then counts what was lost, stranded or duplicated. `cutOff`: callers
 * the fault itself hung up (an Asterisk restart ends every call); they need an outcome like every
 * call, but only the others must have been answered.
 */
export async function audit(
  h: PbxHarness,
  drill: string,
  callers: CallerHandle[],
  inFlight: number,
  recoverMs: number,
  { cutOff = new Set<string>() }: { cutOff?: ReadonlySet<string> } = {},
): Promise<DrillRow> {
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
  const spared = docs.filter((d) => !cutOff.has(d.callerChannelId));
  // The ones that were not, with how they ended, so a failure says what to look for.
  const unanswered = spared.filter((d) => d.outcome !== 'answered').map((d) => `${d.callId} ${d.outcome} by ${d.hangupBy}`);
  expect(spared.filter((d) => d.outcome === 'answered').length, `${drill}: callers answered; not: ${unanswered.join('; ')}`).to.equal(ids.length - cutOff.size);
  return row;
}

/** Callers still on the line right now: talking, ringing or waiting. */
export function inFlight(h: PbxHarness, callers: CallerHandle[]): number {
  const up = new Set(h.ari.channels().map((c) => c.id));
  return callers.filter((c) => up.has(c.id)).length;
}

// A root hook (this module is loaded by every drill file): the table once, after all drills.
after(() => {
  const head = '| drill | calls in flight | answered | calls lost | records lost | alarms lost | alarms duplicated | agents stranded | time to recover |';
  const lines = rows.map((r) => `| ${r.drill} | ${r.inFlight} | ${r.answered} | ${r.callsLost} | ${r.recordsLost} | ${r.alarmsLost} | ${r.alarmsDuplicated} | ${r.agentsStranded} | ${(r.recoverMs / 1000).toFixed(1)} s |`);
  process.stdout.write(`\n${head}\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n${lines.join('\n')}\n\n`);
});
