import { expect } from 'chai';
import { SharedRead, SharedReads } from '../../core/shared-read';
import { deferred, type Deferred } from './deferred';

/** A read the test settles by hand, counting how often it was started. */
function reads<T>() {
  const started: Array<Deferred<T>> = [];
  return { started, read: () => { const d = deferred<T>(); started.push(d); return d.promise; } };
}

describe('core/shared-read: one read for many readers (consoles connecting together)', () => {
  it('concurrent readers share one read and get its value', async () => {
    const r = reads<string[]>();
    const shared = new SharedRead(r.read, 0);
    const all = [shared.get(), shared.get(), shared.get()];
    expect(r.started).to.have.length(1);
    r.started[0]!.resolve(['1001', '1002']);
    expect(await Promise.all(all)).to.deep.equal([['1001', '1002'], ['1001', '1002'], ['1001', '1002']]);
  });

  it('keeps a value for its time to live, then reads again', async () => {
    let clock = 1_000;
    const r = reads<number>();
    const shared = new SharedRead(r.read, 30_000, () => clock);
    const first = shared.get();
    r.started[0]!.resolve(1);
    expect(await first).to.equal(1);
    clock += 29_999;
    expect(await shared.get()).to.equal(1);
    expect(r.started).to.have.length(1);
    clock += 1;
    const again = shared.get();
    expect(r.started).to.have.length(2);
    r.started[1]!.resolve(2);
    expect(await again).to.equal(2);
  });

  it('with no time to live nothing is kept once the read is done', async () => {
    const r = reads<number>();
    const shared = new SharedRead(r.read, 0);
    const first = shared.get();
    r.started[0]!.resolve(1);
    await first;
    const second = shared.get();
    expect(r.started).to.have.length(2);
    r.started[1]!.resolve(2);
    expect(await second).to.equal(2);
  });

  it('a change fences off a read begun before it: later readers start their own, the old value is not kept', async () => {
    const r = reads<string>();
    const shared = new SharedRead(r.read, 60_000);
    const before = shared.get();
    shared.invalidate();
    const after = shared.get();
    expect(r.started).to.have.length(2);
    r.started[1]!.resolve('after the change');
    r.started[0]!.resolve('before the change');
    expect(await before).to.equal('before the change');
    expect(await after).to.equal('after the change');
    // The older read finished last, yet what is kept is the newer one.
    expect(await shared.get()).to.equal('after the change');
    expect(r.started).to.have.length(2);
  });

  it('a failed read fails its readers and is not kept: the next reader tries again', async () => {
    const r = reads<number>();
    const shared = new SharedRead(r.read, 60_000);
    const a = shared.get();
    const b = shared.get();
    r.started[0]!.reject(new Error('database down'));
    for (const p of [a, b]) expect(((await p.catch((e: Error) => e)) as Error).message).to.equal('database down');
    const next = shared.get();
    expect(r.started).to.have.length(2);
    r.started[1]!.resolve(5);
    expect(await next).to.equal(5);
  });

  it('keyed: each key is its own read, kept for its own time; a change drops every key', async () => {
    let clock = 0;
    const started: Array<{ key: string; d: Deferred<string> }> = [];
    const shared = new SharedReads((key) => { const d = deferred<string>(); started.push({ key, d }); return d.promise; }, 10_000, () => clock);
    const a = [shared.get('DC-01'), shared.get('DC-02'), shared.get('DC-01')];
    expect(started.map((s) => s.key)).to.deep.equal(['DC-01', 'DC-02']);
    started[0]!.d.resolve('east');
    started[1]!.d.resolve('west');
    expect(await Promise.all(a)).to.deep.equal(['east', 'west', 'east']);
    clock += 5_000;
    expect(await shared.get('DC-02')).to.equal('west');
    expect(started).to.have.length(2);
    shared.invalidate();
    const b = shared.get('DC-01');
    expect(started.map((s) => s.key)).to.deep.equal(['DC-01', 'DC-02', 'DC-01']);
    started[2]!.d.resolve('east 2');
    expect(await b).to.equal('east 2');
  });
});
