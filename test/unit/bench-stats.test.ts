import { expect } from 'chai';
import { percentile, summarize } from '../../scripts/bench/stats';
import { growthOf } from '../../scripts/bench/report';

describe('bench percentiles (scripts/bench/stats.ts)', () => {
  it('takes the nearest rank: p99 of 1..100 is 99, p50 is 50, p100 the max', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).to.equal(50);
    expect(percentile(xs, 95)).to.equal(95);
    expect(percentile(xs, 99)).to.equal(99);
    expect(percentile(xs, 100)).to.equal(100);
    expect(percentile(xs, 0)).to.equal(1);
  });

  it('with few samples p99 is the largest, never past the end', () => {
    expect(percentile([3, 7, 9], 99)).to.equal(9);
    expect(percentile([3, 7, 9], 50)).to.equal(7);
    expect(percentile([5], 1)).to.equal(5);
  });

  it('has nothing to say about no samples', () => {
    expect(percentile([], 50)).to.equal(null);
    expect(summarize([])).to.deep.equal({ n: 0, p50: null, p95: null, p99: null, max: null, mean: null });
  });

  it('summarizes unsorted samples (sorting a copy) and leaves out non-finite ones', () => {
    const xs = [40, 10, 30, 20, Number.NaN, Infinity];
    const s = summarize(xs);
    expect(s).to.deep.equal({ n: 4, p50: 20, p95: 40, p99: 40, max: 40, mean: 25 });
    expect(xs[0]).to.equal(40);
  });

  it('keeps negative values (a pop shown before the ring was reported)', () => {
    expect(summarize([-2, 1, 3]).p50).to.equal(1);
  });
});

describe("bench: a soak's growth (scripts/bench/report.ts growthOf)", () => {
  it('gives start → end, and from the first tenth when given; none from a missing or zero start', () => {
    expect(growthOf(200, 250, 300)).to.deep.equal({ start: 200, middle: 250, end: 300, growthPct: 50 });
    const g = growthOf(200, 250, 300, 250);
    expect(g.growthPct).to.equal(50);
    expect(g.firstTenthGrowthPct).to.equal(20);
    expect(growthOf(null, 250, 300, null)).to.deep.include({ growthPct: null, firstTenthGrowthPct: null });
    expect(growthOf(0, 1, 2).growthPct).to.equal(null);
  });
});
