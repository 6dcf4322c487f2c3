import { expect } from 'chai';
import { popSplit, queueToOriginate, type TracePoint } from '../../scripts/bench/analysis';
import type { PopSeen, Ring } from '../../scripts/bench/api';

describe('bench: queue entry → originate, split at the reservation script (scripts/bench/analysis.ts)', () => {
  const at = (ev: TracePoint['ev'], callId: string, t: number): TracePoint => ({ ev, callId, t, node: 'a' });

  it('pairs each request with its latest queue entry and the reservation just before it; a refused reservation is not counted', () => {
    const points = [
      at('queued', 'c1', 100),
      at('reserving', 'c1', 101),
      at('reserved', 'c1', 104), // no agent: the call waits
      at('reserving', 'c1', 150),
      at('reserved', 'c1', 152),
      at('originate', 'c1', 153),
      // Re-queued after a ring no one answered: counted again from the new entry.
      at('queued', 'c1', 200),
      at('reserving', 'c1', 200.5),
      at('reserved', 'c1', 201),
      at('originate', 'c1', 201.25),
      // A process without the dispatcher's points still gives the total.
      at('queued', 'c2', 300),
      at('originate', 'c2', 302),
      // Outside the measured window.
      at('queued', 'c3', 900),
      at('reserving', 'c3', 901),
      at('reserved', 'c3', 902),
      at('originate', 'c3', 903),
    ];
    const r = queueToOriginate(points, { from: 0, to: 500 });
    expect(r.total).to.deep.equal([53, 1.25, 2]);
    expect(r.toPass).to.deep.equal([50, 0.5]);
    expect(r.script).to.deep.equal([2, 0.5]);
    expect(r.toRequest).to.deep.equal([1, 0.25]);
  });
});

describe('bench: the pop split at the emit and at the owner hearing the ring (scripts/bench/analysis.ts popSplit)', () => {
  const at = (ev: TracePoint['ev'], node: string, callId: string, attempt: number, t: number): TracePoint => ({ ev, callId, attempt, t, node });

  it("takes the emit of the process holding the agent's socket, and the owner's first hearing of that leg", () => {
    const points = [
      // c1: owner a hears at 105; both processes run the pop, the agent (ext 1001) is on b.
      at('heard', 'a', 'c1', 1, 105),
      at('pop', 'a', 'c1', 1, 108),
      at('pop', 'b', 'c1', 1, 112),
      // c2 rang twice: the second leg's points are its own.
      at('heard', 'b', 'c2', 1, 203),
      at('pop', 'a', 'c2', 1, 206),
      at('heard', 'b', 'c2', 2, 260),
      at('pop', 'a', 'c2', 2, 270),
    ];
    const rings: Ring[] = [
      ['c1-1', 100, '1001'],
      ['c2-1', 200, '1002'],
      ['c2-2', 250, '1002'],
    ];
    const pops: PopSeen[] = [
      ['c1-1', 113],
      ['c2-1', 207],
      ['c2-2', 272],
    ];
    const nodeOf = (ext: string): string | undefined => ({ '1001': 'b', '1002': 'a' })[ext];
    const r = popSplit(points, rings, pops, nodeOf);
    expect(r).to.not.equal(null);
    expect(r!.heard).to.deep.equal([5, 3, 10]);
    expect(r!.server).to.deep.equal([12, 6, 20]);
    expect(r!.transport).to.deep.equal([1, 1, 2]);
  });

  it('is null when no process traced a pop', () => {
    expect(popSplit([at('heard', 'a', 'c1', 1, 105)], [['c1-1', 100, '1001']], [], () => 'a')).to.equal(null);
  });
});
