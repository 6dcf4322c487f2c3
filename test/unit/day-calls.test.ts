import { expect } from 'chai';
import { prng } from '../../scripts/seed-data';
import { fullReadEvery } from '../../supervisor-board/board-service';
import { DayCalls, lastEnded, type DayCall } from '../../supervisor-board/day-calls';
import { DayTotals } from '../../supervisor-board/day-metrics';

describe('board: the day\'s calls, whole while shown, only their write once settled', () => {
  it('give the same last ended and figures as every call held whole, over 4,000 seeded writes of 500 calls (re-read whole when incomplete)', () => {
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
    /** As the board holds the day: calls and their running figures. */
    const held = () => ({ calls: new DayCalls(20, 500), totals: new DayTotals({ serviceLevelMs: 20_000 }) });
    const take = (into: ReturnType<typeof held>, c: DayCall): boolean => {
      const a = into.calls.admit(c.callId, c.updatedAt);
      if (!a.take) return false;
      into.totals.replace(a.seen, c);
      into.calls.set(c);
      return true;
    };
    /** The board's re-read of the whole day: every call's latest write, in the order stored, settled in batches. */
    const reread = () => {
      const fresh = held();
      let n = 0;
      for (const c of all.values()) {
        take(fresh, c);
        if (++n % 50 === 0) fresh.calls.settle();
      }
      fresh.calls.settle();
      return fresh;
    };
    const all = new Map<string, DayCall>();
    let day = held();
    let settledSeen = 0;
    let rereads = 0;
    let skipped = 0;
    for (let i = 0; i < 4_000; i++) {
      const id = String(Math.floor(rnd() * 500)).padStart(4, '0');
      // A skipped write stays missing until the re-read.
      if (!day.calls.incomplete) expect(day.calls.writtenAt(id), id).to.equal(all.get(id)?.updatedAt);
      const c = write(id, 1_000 + i);
      // A write is a new map entry in the reference too, so calls ended at the same ms keep one order.
      all.delete(id);
      all.set(id, c);
      if (!take(day, c)) {
        // Only a settled call's later write is refused, and it leaves the day incomplete.
        expect(day.calls.shown(id)).to.equal(undefined);
        expect(day.calls.incomplete).to.equal(true);
        skipped++;
      }
      // The same write read again (slots overlap) is taken or skipped, never counted twice.
      take(day, c);
      if (i % 7 === 0) {
        const listed = day.calls.lastEnded().map((x) => x.callId);
        if (day.calls.incomplete) {
          day = reread();
          rereads++;
          expect(day.calls.incomplete).to.equal(false);
        } else {
          expect(listed).to.deep.equal(lastEnded(all.values(), 20).map((x) => x.callId));
          const reference = held();
          for (const x of all.values()) reference.totals.replace(undefined, x);
          expect(day.totals.figures()).to.deep.equal(reference.totals.figures());
        }
        // Only the shown calls are whole: those in progress and the last 20 ended.
        const whole = [...all.keys()].filter((k) => day.calls.shown(k) !== undefined);
        const inProgress = [...all.values()].filter((x) => x.state !== 'ended' || x.endedAt === null || !x.outcome).length;
        expect(whole.length).to.be.at.most(inProgress + 20);
        for (const k of whole) expect(day.calls.shown(k), k).to.deep.equal(all.get(k));
        settledSeen = Math.max(settledSeen, all.size - whole.length);
      }
      expect(day.calls.size).to.equal(all.size);
      expect(day.calls.has(id)).to.equal(true);
    }
    expect(settledSeen).to.be.above(100);
    // Random writes rewrite settled calls often (a real day seldom does): each led to one re-read.
    expect(skipped).to.be.above(0);
    expect(rereads).to.be.within(1, skipped);
    expect(day.calls.has('9999')).to.equal(false);
  });

  it('takes a settled call\'s same write again as nothing, and its later write as a reason to read the day again', () => {
    const day = new DayCalls(1, 1_000);
    const base = { outcome: 'answered' as const, queuedAt: null, answeredAt: null, answerDelayMs: null, answerRingMs: null, abandonWaitMs: null, agentWorkNumber: null, offers: [], test: false, answeredVia: null };
    const row = { callerNumber: '13800000000', arrivedAt: 1_000, node: 'a', language: 'yue', recordingName: null, fallback: false };
    day.set({ callId: 'old', state: 'ended', ...base, ...row, endedAt: 2_000, updatedAt: 2_000 });
    day.set({ callId: 'new', state: 'ended', ...base, ...row, endedAt: 3_000, updatedAt: 3_000 });
    expect(day.lastEnded().map((c) => c.callId)).to.deep.equal(['new']);
    expect(day.shown('old')).to.equal(undefined);
    expect(day.writtenAt('old')).to.equal(2_000);
    expect(day.admit('old', 1_500)).to.deep.equal({ take: false });
    expect(day.admit('old', 2_000)).to.deep.equal({ take: false });
    expect(day.incomplete).to.equal(false);
    expect(day.admit('new', 3_000)).to.deep.include({ take: true });
    expect(day.admit('old', 2_500)).to.deep.equal({ take: false });
    expect(day.incomplete).to.equal(true);
    expect(() => day.set({ callId: 'old', state: 'ended', ...base, ...row, endedAt: 2_000, updatedAt: 2_500 })).to.throw(/settled/);
  });

  it('needs the day read again when the listed call is written back as in progress and a settled call would follow it', () => {
    const day = new DayCalls(1);
    const base = { outcome: 'answered' as const, queuedAt: null, answeredAt: null, answerDelayMs: null, answerRingMs: null, abandonWaitMs: null, agentWorkNumber: null, offers: [], test: false, answeredVia: null };
    const row = { callerNumber: '13800000000', arrivedAt: 0, node: 'a', language: 'yue', recordingName: null, fallback: false };
    day.set({ callId: 'a', state: 'ended', ...base, ...row, endedAt: 10, updatedAt: 10 });
    day.set({ callId: 'b', state: 'ended', ...base, ...row, endedAt: 20, updatedAt: 20 });
    expect(day.lastEnded().map((c) => c.callId)).to.deep.equal(['b']);
    expect(day.admit('b', 30)).to.deep.include({ take: true });
    day.set({ callId: 'b', state: 'talking', ...base, outcome: null, ...row, endedAt: null, updatedAt: 30 });
    expect(day.lastEnded()).to.deep.equal([]);
    expect(day.incomplete).to.equal(true);
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
    expect(day.shown('c5')).to.equal(undefined);
    expect(day.writtenAt('c5')).to.be.a('number');
    expect(day.incomplete).to.equal(false);
  });

  it('are read whole again every 5 minutes, 50 ms per call held on a big day, and at least every 30 minutes', () => {
    expect(fullReadEvery(0)).to.equal(5 * 60_000);
    expect(fullReadEvery(6_000)).to.equal(5 * 60_000);
    expect(fullReadEvery(20_000)).to.equal(1_000_000);
    // At 20 calls/s the calls held grow as fast as the interval: without the cap it never comes.
    expect(fullReadEvery(100_000)).to.equal(30 * 60_000);
  });
});
