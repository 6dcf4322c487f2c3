import { expect } from 'chai';
import { shanghaiDay } from '../../core/time';
import { dayMetrics, type CallFact } from '../../supervisor-board/day-metrics';

const T0 = Date.parse('2026-03-02T01:00:00Z'); // 09:00 in Asia/Shanghai
const s = (n: number) => n * 1000;
let seq = 0;
const call = (c: Partial<CallFact>): CallFact => ({ callId: `c${++seq}`, state: 'ended', ...c });
const answered = (delayS: number, ringS: number, agent: string, talkS: number | null, extra: Partial<CallFact> = {}): CallFact =>
  call({
    outcome: talkS === null ? null : 'answered',
    state: talkS === null ? 'talking' : 'ended',
    queuedAt: T0,
    answeredAt: T0 + s(delayS),
    endedAt: talkS === null ? null : T0 + s(delayS + talkS),
    answerDelayMs: s(delayS),
    answerRingMs: s(ringS),
    agentWorkNumber: agent,
    offers: [{ agentWorkNumber: agent, result: 'answered', alarmed: false, ringMs: s(ringS) }],
    ...extra,
  });

/** A scripted day at the hotline; every figure below is worked out by hand in the terms of the README's "Board metrics" section. */
const day: CallFact[] = [
  answered(5, 3, '1001', 120), // 1: within 20 s
  answered(25, 4, '1002', 60), // 2: waited 25 s in the queue: answered, but not within 20 s
  answered(26, 2, '1003', 30, {
    // 3: 1001 let it ring 20 s (alarm), then 1003 answered
    offers: [
      { agentWorkNumber: '1001', result: 'no-answer', alarmed: true, ringMs: s(20) },
      { agentWorkNumber: '1003', result: 'answered', alarmed: false, ringMs: s(2) },
    ],
  }),
  call({ outcome: 'abandoned-queue', queuedAt: T0, abandonWaitMs: s(40) }), // 4
  call({ outcome: 'abandoned-ringing', queuedAt: T0, abandonWaitMs: s(10), offers: [{ agentWorkNumber: '1002', result: 'caller-gone', ringMs: s(3) }] }), // 5
  call({ outcome: 'abandoned-greeting', abandonWaitMs: s(4) }), // 6: hung up during the greeting: never offered
  call({ outcome: 'failed', queuedAt: T0 }), // 7: failed after queueing: offered, not answered
  call({ outcome: 'failed' }), // 8: failed before the queue: not offered
  answered(1, 1, '1004', 10, { test: true }), // 9: the self-check call: not counted at all
  answered(20, 2, '1001', null), // 10: still talking, answered exactly at 20 s: counts as within
  call({ state: 'queued', queuedAt: T0 }), // 11: still waiting: not offered yet
];

describe('board metrics on a scripted day of calls', () => {
  const { metrics: m, byAgent } = dayMetrics(day, { serviceLevelMs: 20_000 });

  it('counts calls: test calls out, greeting abandons and pre-queue failures not offered', () => {
    expect(m.arrived).to.equal(10);
    expect(m.answered).to.equal(4);
    expect(m.answeredWithinSl).to.equal(2);
    expect(m.abandoned).to.equal(2);
    expect(m.greetingAbandons).to.equal(1);
    expect(m.failed).to.equal(2);
    expect(m.offered).to.equal(7); // 4 answered + 2 abandoned + 1 failed after queueing
  });

  it('service level: within 20 s ÷ answered, and ÷ offered including abandons', () => {
    expect(m.serviceLevel).to.equal(2 / 4);
    expect(m.serviceLevelOffered).to.equal(2 / 7);
  });

  it('average speed of answer, abandon rate and wait, ring-no-answer, talk time', () => {
    expect(m.asaMs).to.equal(s((5 + 25 + 26 + 20) / 4));
    expect(m.abandonRate).to.equal(2 / 7);
    expect(m.avgAbandonWaitMs).to.equal(s(25));
    expect(m.ringNoAnswer).to.equal(1);
    expect(m.alarmedOffers).to.equal(1);
    expect(m.avgTalkMs).to.equal(s(70)); // (120 + 60 + 30) / 3; the call in progress has no talk time yet
  });

  it('answered-by-agent table', () => {
    expect(byAgent).to.deep.equal([
      { workNumber: '1001', answered: 2, answeredWithinSl: 2, avgRingMs: 2500, avgTalkMs: s(120), ringNoAnswer: 1 },
      { workNumber: '1002', answered: 1, answeredWithinSl: 0, avgRingMs: s(4), avgTalkMs: s(60), ringNoAnswer: 0 },
      { workNumber: '1003', answered: 1, answeredWithinSl: 0, avgRingMs: s(2), avgTalkMs: s(30), ringNoAnswer: 0 },
    ]);
  });

  it('an empty day has no ratios (null, not 0 or NaN)', () => {
    const { metrics, byAgent: rows } = dayMetrics([], { serviceLevelMs: 20_000 });
    expect(metrics).to.include({ arrived: 0, offered: 0, serviceLevel: null, serviceLevelOffered: null, asaMs: null, abandonRate: null, avgTalkMs: null });
    expect(rows).to.deep.equal([]);
  });

  it('a queue callback that reached its caller counts as answered (via callback), its wait running to that moment', () => {
    // Asked for the callback after 60 s, reached after 180 s: answered, 180 s to answer, not within 20 s.
    const cb = answered(180, 4, '1002', 90, { answeredVia: 'callback' });
    // One never reached after its retries: failed after queueing (offered, not answered).
    const lost = call({ outcome: 'failed', queuedAt: T0 });
    const { metrics } = dayMetrics([...day, cb, lost], { serviceLevelMs: 20_000 });
    expect(metrics).to.include({ answered: 5, answeredViaCallback: 1, answeredWithinSl: 2, offered: 9 });
    expect(metrics.asaMs).to.equal(Math.round((5_000 + 25_000 + 26_000 + 20_000 + 180_000) / 5));
    expect(dayMetrics(day, { serviceLevelMs: 20_000 }).metrics.answeredViaCallback).to.equal(0);
  });

  it('one more call answered within 20 s moves both service levels', () => {
    const { metrics } = dayMetrics([...day, answered(3, 3, '1002', 45)], { serviceLevelMs: 20_000 });
    expect(metrics.serviceLevel).to.equal(3 / 5);
    expect(metrics.serviceLevelOffered).to.equal(3 / 8);
  });
});

describe('the Asia/Shanghai day', () => {
  it('starts at 16:00 UTC of the previous day', () => {
    const before = shanghaiDay(Date.parse('2026-01-01T15:59:59.999Z'));
    expect(before.label).to.equal('2026-01-01');
    const after = shanghaiDay(Date.parse('2026-01-01T16:00:00.000Z'));
    expect(after).to.deep.equal({
      label: '2026-01-02',
      compact: '20260102',
      start: Date.parse('2026-01-01T16:00:00Z'),
      end: Date.parse('2026-01-02T16:00:00Z'),
    });
  });
});
