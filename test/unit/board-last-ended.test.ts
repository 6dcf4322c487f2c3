import { expect } from 'chai';
import { lastEnded } from '../../supervisor-board/day-calls';

describe('board: the calls ended last', () => {
  const call = (id: string, endedAt: number | null, state = 'ended', outcome: string | null = 'answered') => ({ id, state, outcome, endedAt });

  it('keeps the k latest ended calls, latest first, whatever their order in the day', () => {
    const day = [call('a', 5), call('b', 1), call('live', null, 'talking', null), call('c', 9), call('d', 3), call('e', 7), call('no-outcome', 8, 'ended', null)];
    expect(lastEnded(day, 3).map((c) => c.id)).to.deep.equal(['c', 'e', 'a']);
    expect(lastEnded(day, 10).map((c) => c.id)).to.deep.equal(['c', 'e', 'a', 'd', 'b']);
    expect(lastEnded([], 3)).to.deep.equal([]);
  });

  it('orders calls ended at the same ms as a stable sort would (the one met first stays first)', () => {
    const day = [call('x', 4), call('y', 4), call('z', 6), call('w', 4)];
    const bySort = [...day].sort((p, q) => q.endedAt! - p.endedAt!).slice(0, 3);
    expect(lastEnded(day, 3).map((c) => c.id)).to.deep.equal(bySort.map((c) => c.id));
  });
});
