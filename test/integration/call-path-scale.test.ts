import { expect } from 'chai';
import { CALL_OUTCOMES } from '../../models/enums';
import type { CallerHandle } from '../../sim/ari/script';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

describe('two CTI processes on one Redis and one Asterisk: 50 concurrent calls, 10 agents', function () {
  this.timeout(120_000);
  let h: PbxHarness;

  before(async () => {
    // Both processes and the simulated Asterisk share this test's one event loop, where a burst of
    // 50 claims can take 0.8 s to be served: past the usual 300 ms hand-off the other process takes
    // the slow one's share (as it should), and which one is slow is chance. At the hand-off's
    // maximum each preferred claim is served first, so the split below tests the spreading itself.
    h = await PbxHarness.start({ nodes: 2, env: { ANSWER_ALARM_MS: '1000', AFTER_CALL_WORK_MS: '50', LANGUAGE_FALLBACK_MS: '1500', BROADCAST_HANDOFF_MS: '1500' } });
    // Agents answer after 100–370 ms; 1010 never answers, so the 20-second rule runs under load too.
    EXTENSIONS.forEach((e, i) => h.pbx.setPhone(e, { behaviour: { kind: 'answer', afterMs: 100 + 30 * i } }));
    h.pbx.setPhone('1010', { behaviour: { kind: 'no-answer' } });
  });
  after(async () => h?.stop());

  it('never offers one agent two calls at once, and every call ends with an outcome', async () => {
    // Watch the PBX itself: how many agent legs ring or talk per phone at any instant.
    const live = new Map<string, Set<string>>();
    let maxPerPhone = 0;
    const overlaps: Array<{ phone: string; legs: string[]; type: string; at: number }> = [];
    h.ari.on('event', (d) => {
      const e = d.event as { type: string; peer?: { id: string; name: string }; channel?: { id: string; name: string } };
      const ch = e.type === 'Dial' ? e.peer : e.channel;
      const m = ch && /^PJSIP\/(\d{4})-/.exec(ch.name);
      if (!m || !ch) return;
      const set = live.get(m[1]!) ?? new Set<string>();
      if (e.type === 'ChannelDestroyed') set.delete(ch.id);
      else if (e.type === 'Dial') set.add(ch.id);
      live.set(m[1]!, set);
      maxPerPhone = Math.max(maxPerPhone, set.size);
      if (set.size > 1 && process.env.DEBUG_OVERLAP) overlaps.push({ phone: m[1]!, legs: [...set], type: e.type, at: Date.now() });
    });

    const callers: CallerHandle[] = [];
    for (let i = 0; i < 50; i++) {
      callers.push(
        h.ari.placeCall({
          callerNumber: `1360000${String(i).padStart(4, '0')}`,
          dtmf: [{ digit: i % 3 === 0 ? '2' : '1', afterMs: 10 }],
          hangupAfterBridgedMs: 150 + (i % 5) * 50,
          // A few give up while waiting, as callers do.
          ...(i % 10 === 9 ? { hangupAfterMs: 1200 } : {}),
        }),
      );
    }
    await Promise.all(callers.map((c) => c.ended));
    const calls = await waitFor(
      async () => {
        const docs = await h.node.models.Call.find({ callerChannelId: { $in: callers.map((c) => c.id) } }).lean();
        return docs.length === 50 && docs.every((d) => d.state === 'ended' && d.outcome) && docs;
      },
      { what: 'all 50 calls closed', timeoutMs: 90_000 },
    );

    if (overlaps.length) {
      const o = overlaps[0]!;
      console.log(JSON.stringify(o));
      for (const leg of o.legs) {
        const c = calls.find((x) => leg.startsWith(x.callId));
        console.log(JSON.stringify({ leg, node: c?.node, outcome: c?.outcome, hangupBy: c?.hangupBy, ended: c?.endedAt, answeredAt: c?.answeredAt, offers: c?.offers }));
      }
    }
    expect(maxPerPhone, 'agent legs per phone at once').to.equal(1);
    for (const c of calls) expect(CALL_OUTCOMES).to.include(c.outcome);
    const answered = calls.filter((c) => c.outcome === 'answered');
    expect(answered.length).to.be.at.least(40);
    // Both processes took calls (each claimed its share of the broadcasts).
    expect(new Set(calls.map((c) => c.node))).to.deep.equal(new Set(['a', 'b']));

    // From the records too: an agent's offers (ring, and talk if answered) never overlap.
    const spans = new Map<string, Array<[number, number]>>();
    for (const c of calls) {
      for (const o of c.offers) {
        const start = new Date(o.offeredAt).getTime();
        const end = o.result === 'answered' ? new Date(c.endedAt!).getTime() : new Date(o.endedAt ?? c.endedAt!).getTime();
        spans.set(o.agentWorkNumber, [...(spans.get(o.agentWorkNumber) ?? []), [start, end]]);
      }
    }
    for (const [agent, list] of spans) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) expect(list[i]![0], `agent ${agent} offer ${i}`).to.be.at.least(list[i - 1]![1]);
    }

    // 1010 rang out once: one alarm, then Not Ready, never offered again.
    // Stored through the record outbox: drained once nothing waits there any more.
    await waitFor(async () => (await h.calls.outbox.backlog()) === 0, { what: 'record outbox drained' });
    const alarms = await h.node.models.Alarm.find({ kind: 'answer-timeout' }).lean();
    expect(alarms.map((a) => a.agentWorkNumber)).to.deep.equal(['1010']);
    expect(await h.calls.acd.agent('1010')).to.include({ state: 'not_ready', reason: 'no-answer' });

    // Nobody is left holding a call.
    await waitFor(async () => (await h.calls.acd.agents()).every((a) => !['reserved', 'ringing', 'talking'].includes(a.state)), { what: 'agents free' });
    expect(await h.calls.acd.queued()).to.deep.equal([]);
    expect((await h.calls.acd.liveCalls()).size).to.equal(0);
  });
});
