import { expect } from 'chai';
import { claimDelayMs, preferredClaimer } from '../../cti/calls/claim-order';

// Channel ids as Asterisk makes them: <epoch seconds>.<sequence>.
const channels = Array.from({ length: 400 }, (_, i) => `1764650${String(100 + (i % 37)).padStart(3, '0')}.${i * 7 + 1}`);

describe('broadcast claims: which live process takes which call', () => {
  it('a process alone (or knowing of no other) claims at once', () => {
    expect(claimDelayMs(channels[0]!, 'a', [], 300)).to.equal(0);
    expect(claimDelayMs(channels[0]!, 'a', ['a'], 300)).to.equal(0);
  });

  it('of two live processes exactly one claims at once; the other waits the hand-off, whatever order each read the list in', () => {
    for (const ch of channels) {
      const a = claimDelayMs(ch, 'a', ['a', 'b'], 300);
      const b = claimDelayMs(ch, 'b', ['b', 'a'], 300);
      expect([a, b].sort(), ch).to.deep.equal([0, 300]);
    }
  });

  it('spreads calls evenly over the live processes', () => {
    const count = new Map<string, number>();
    for (const ch of channels) {
      const p = preferredClaimer(ch, ['a', 'b', 'c'])!;
      count.set(p, (count.get(p) ?? 0) + 1);
    }
    // 400 calls over 3 processes: about 133 each.
    for (const p of ['a', 'b', 'c']) expect(count.get(p), p).to.be.within(100, 166);
  });

  it('a process that leaves gives up only its own share: every other call keeps its claimer', () => {
    let moved = 0;
    for (const ch of channels) {
      const before = preferredClaimer(ch, ['a', 'b', 'c']);
      const after = preferredClaimer(ch, ['a', 'b']);
      if (before === 'c') moved++;
      else expect(after, ch).to.equal(before);
    }
    expect(moved).to.be.greaterThan(0);
  });

  it('a process missing from a stale list still counts itself', () => {
    const delays = channels.map((ch) => claimDelayMs(ch, 'b', ['a'], 250));
    expect(delays).to.include(0).and.to.include(250);
  });
});
