import { expect } from 'chai';
import { queueToOriginate, type TracePoint } from '../../scripts/bench/analysis';

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
