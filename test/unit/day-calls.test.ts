import { expect } from 'chai';
import { prng } from '../../scripts/seed-data';
import { fullReadEvery } from '../../supervisor-board/board-service';
import { DayCalls, lastEnded, type DayCall } from '../../supervisor-board/day-calls';

describe('board: the day\'s calls, whole while shown and packed once settled', () => {
  it('keep every call\'s facts and the same last ended as the calls held whole, over 4,000 seeded writes of 500 calls', () => {
    const rnd = prng(95252);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    // Distinct end times, in no order: a late write (a queue callback, a fallback import) can end before others.
    let clock = 0;
    const endAt = () => 1_000_000 + Math.floor(rnd() * 10_000_000) * 10 + (clock++ % 10);
    const write = (callId: string, updatedAt: number): DayCall => {
      const ended = rnd() < 0.8;
      const answeredAt = rnd() < 0.7 ? 900_000 + Math.floor(rnd() * 50_000) : null;
      return {
        callId,
        state: ended ? 'ended' : pick(['queued', 'ringing', 'talking'] as const),
        outcome: ended ? pick(['answered', 'abandoned-queue', 'abandoned-ringing', null] as const) : null,
        queuedAt: rnd() < 0.8 ? 800_000 : null,
        answeredAt,
        endedAt: ended ? endAt() : null,
        answerDelayMs: rnd() < 0.5 ? Math.floor(rnd() * 30_000) : null,
        answerRingMs: rnd() < 0.5 ? Math.floor(rnd() * 20_000) : null,
        abandonWaitMs: null,
        agentWorkNumber: rnd() < 0.7 ? pick(['1001', '1002']) : null,
        offers: Array.from({ length: Math.floor(rnd() * 3) }, () => ({ agentWorkNumber: pick(['1001', '1002']), result: pick(['answered', 'no-answer']), alarmed: rnd() < 0.3, ringMs: rnd() < 0.8 ? Math.floor(rnd() * 20_000) : null })),
        test: false,
        answeredVia: rnd() < 0.1 ? 'callback' : null,
        updatedAt,
        callerNumber: `1380000${callId}`,
        arrivedAt: 700_000,
        node: pick(['a', 'b']),
        language: pick(['yue', 'cmn', null]),
        recordingName: rnd() < 0.5 ? `rec-${callId}` : null,
        fallback: rnd() < 0.1,
      };
    };
    const day = new DayCalls(20);
    const all = new Map<string, DayCall>();
    let settledSeen = 0;
    for (let i = 0; i < 4_000; i++) {
      const id = String(Math.floor(rnd() * 500)).padStart(4, '0');
      expect(day.get(id), id).to.deep.equal(all.get(id));
      const c = write(id, i);
      day.set(c);
      // A write is a new map entry in the reference too, so calls ended at the same ms keep one order.
      all.delete(id);
      all.set(id, c);
      if (i % 7 === 0) {
        expect(day.lastEnded().map((x) => x.callId)).to.deep.equal(lastEnded(all.values(), 20).map((x) => x.callId));
        // Only the shown calls are whole: those in progress and the last 20 ended.
        const whole = [...all.keys()].filter((k) => day.shown(k) !== undefined);
        const inProgress = [...all.values()].filter((x) => x.state !== 'ended' || x.endedAt === null || !x.outcome).length;
        expect(whole.length).to.be.at.most(inProgress + 20);
        settledSeen = Math.max(settledSeen, all.size - whole.length);
      }
      expect(day.size).to.equal(all.size);
      expect(day.has(id)).to.equal(true);
    }
    for (const [id, c] of all) expect(day.get(id), id).to.deep.equal(c);
    expect(settledSeen).to.be.above(100);
    expect(day.has('9999')).to.equal(false);
  });

  it('over a day of calls each written at arrival, answer and end, holds whole only those in progress and the last 20 ended', () => {
    const day = new DayCalls(20);
    const base = { outcome: null, queuedAt: null, answeredAt: null, endedAt: null, answerDelayMs: null, answerRingMs: null, abandonWaitMs: null, agentWorkNumber: null, offers: [], test: false, answeredVia: null };
    const row = { callerNumber: '13800000000', arrivedAt: 0, node: 'a', language: 'yue', recordingName: null, fallback: false };
    let t = 0;
    for (let i = 0; i < 3_000; i++) {
      const callId = `c${i}`;
      day.set({ callId, state: 'queued', ...base, ...row, arrivedAt: t, updatedAt: t++ });
      day.set({ callId, state: 'talking', ...base, ...row, answeredAt: t, agentWorkNumber: '1001', updatedAt: t++ });
      // Ten calls at a time in progress: the one that arrived ten calls ago ends now.
      if (i >= 10) day.set({ callId: `c${i - 10}`, state: 'ended', ...base, ...row, outcome: 'answered', endedAt: t, updatedAt: t++ });
      if (i % 50 === 0) day.lastEnded();
    }
    const listed = day.lastEnded();
    expect(listed.map((c) => c.callId)).to.deep.equal(Array.from({ length: 20 }, (_, k) => `c${2_989 - k}`));
    const whole = Array.from({ length: 3_000 }, (_, i) => `c${i}`).filter((id) => day.shown(id));
    expect(whole).to.have.length(30);
    expect(day.size).to.equal(3_000);
    expect(day.get('c5')).to.deep.include({ state: 'ended', outcome: 'answered', agentWorkNumber: null });
  });

  it('are read whole again every 5 minutes, 50 ms per call held on a big day, and at least every 30 minutes', () => {
    expect(fullReadEvery(0)).to.equal(5 * 60_000);
    expect(fullReadEvery(6_000)).to.equal(5 * 60_000);
    expect(fullReadEvery(20_000)).to.equal(1_000_000);
    // At 20 calls/s the calls held grow as fast as the interval: without the cap it never comes.
    expect(fullReadEvery(100_000)).to.equal(30 * 60_000);
  });
});
