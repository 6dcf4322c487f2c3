import { expect } from 'chai';
import { prng } from '../../scripts/seed-data';
import { DayTotals, dayMetrics, type CallFact } from '../../supervisor-board/day-metrics';

describe('board day figures kept as running sums', () => {
  const opts = { serviceLevelMs: 20_000 };

  it('equal the figures computed from every call, while 300 calls are added and their records replaced 3,000 times', () => {
    const rnd = prng(952525);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const ms = () => Math.floor(rnd() * 60_000);
    const agents = ['1001', '1002', '1003', '1004'];
    const fact = (callId: string): CallFact => {
      const outcome = pick(['answered', null, null, 'abandoned-queue', 'abandoned-ringing', 'abandoned-greeting', 'failed'] as const);
      const queuedAt = rnd() < 0.8 ? 1_000_000 : null;
      const answeredAt = outcome === 'answered' || (outcome === null && rnd() < 0.5) ? 1_000_000 + ms() : null;
      const endedAt = answeredAt !== null && rnd() < 0.7 ? answeredAt + ms() - 5_000 : null;
      return {
        callId,
        state: endedAt !== null ? 'ended' : pick(['queued', 'ringing', 'talking'] as const),
        outcome,
        queuedAt,
        answeredAt,
        endedAt,
        answerDelayMs: rnd() < 0.9 ? pick([ms(), 20_000, 20_001]) : null,
        answerRingMs: rnd() < 0.9 ? ms() : null,
        abandonWaitMs: rnd() < 0.8 ? ms() : null,
        agentWorkNumber: rnd() < 0.8 ? pick(agents) : null,
        offers: Array.from({ length: Math.floor(rnd() * 3) }, () => ({ agentWorkNumber: pick(agents), result: pick(['answered', 'no-answer', 'caller-gone']), alarmed: rnd() < 0.3, ringMs: ms() })),
        test: rnd() < 0.05,
        answeredVia: rnd() < 0.1 ? 'callback' : null,
      };
    };

    const totals = new DayTotals(opts);
    const calls = new Map<string, CallFact>();
    let compared = 0;
    for (let i = 1; i <= 3000; i++) {
      const id = `c${Math.floor(rnd() * 300)}`;
      const now = fact(id);
      totals.replace(calls.get(id), now);
      calls.set(id, now);
      if (i % 150 === 0) {
        expect(totals.figures(), `after ${i} writes`).to.deep.equal(dayMetrics([...calls.values()], opts));
        compared++;
      }
    }
    expect(compared).to.equal(20);
    // The sequence reached every kind of figure (a run of only nulls would prove nothing).
    const { metrics, byAgent } = totals.figures();
    expect(metrics.answered).to.be.greaterThan(0);
    expect(metrics.abandoned).to.be.greaterThan(0);
    expect(metrics.alarmedOffers).to.be.greaterThan(0);
    expect(metrics.avgTalkMs).to.be.a('number');
    expect(byAgent.map((r) => r.workNumber).sort()).to.deep.equal(agents);
  });

  it('an agent whose only answered call is replaced by an unanswered one leaves the table', () => {
    const totals = new DayTotals(opts);
    const answered: CallFact = { callId: 'c1', state: 'ended', outcome: 'answered', queuedAt: 1, answeredAt: 2, endedAt: 3, answerDelayMs: 1, agentWorkNumber: '1001', offers: [] };
    totals.replace(undefined, answered);
    expect(totals.figures().byAgent.map((r) => r.workNumber)).to.deep.equal(['1001']);
    totals.replace(answered, { ...answered, outcome: 'abandoned-queue', answeredAt: null, agentWorkNumber: null });
    expect(totals.figures()).to.deep.equal(dayMetrics([{ ...answered, outcome: 'abandoned-queue', answeredAt: null, agentWorkNumber: null }], opts));
    expect(totals.figures().byAgent).to.deep.equal([]);
  });
});
