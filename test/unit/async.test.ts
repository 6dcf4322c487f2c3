import { expect } from 'chai';
import { Backoff, OnePassAtATime, withTimeout } from '../../core/async';

describe('core/async: the one timeout and back-off helpers', () => {
  it('Backoff doubles from min to max, then stays at max; reset starts again', () => {
    const b = new Backoff({ minMs: 250, maxMs: 5000 });
    expect([1, 2, 3, 4, 5, 6, 7].map(() => b.next())).to.deep.equal([250, 500, 1000, 2000, 4000, 5000, 5000]);
    b.reset();
    expect(b.next()).to.equal(250);
  });

  it('with jitter each delay falls in [d/2, d] (random source injected)', () => {
    expect(new Backoff({ minMs: 1000, maxMs: 8000, jitter: true }, () => 0).next()).to.equal(500);
    expect(new Backoff({ minMs: 1000, maxMs: 8000, jitter: true }, () => 1).next()).to.equal(1000);
    const b = new Backoff({ minMs: 1000, maxMs: 8000, jitter: true }, () => 0.5);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).to.deep.equal([750, 1500, 3000, 6000, 6000]);
  });

  it('withTimeout passes the value through, or rejects naming what timed out', async () => {
    expect(await withTimeout(Promise.resolve(7), 1000, 'x')).to.equal(7);
    const never = new Promise<never>(() => undefined);
    const err = await withTimeout(never, 5, 'ARI ping').catch((e: Error) => e);
    expect((err as Error).message).to.equal('ARI ping timed out after 5 ms');
    const custom = await withTimeout(never, 5, () => new RangeError('custom')).catch((e: Error) => e);
    expect(custom).to.be.instanceOf(RangeError);
  });

  it('OnePassAtATime: triggers during a pass ask for exactly one more pass after it', async () => {
    const gates: Array<() => void> = [];
    let passes = 0;
    const runner = new OnePassAtATime(async () => {
      passes++;
      await new Promise<void>((resolve) => gates.push(resolve));
    });
    runner.trigger();
    runner.trigger();
    runner.trigger();
    runner.trigger();
    expect(passes).to.equal(1);
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(passes).to.equal(2);
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(passes).to.equal(2);
    expect(gates).to.have.length(0);
  });
});
