import { expect } from 'chai';
import { CallRecord, type CallStore, type NewCallRecord } from '../../cti/calls/call-record';
import { deferred, drained, settled, type Deferred } from './deferred';

type Write = { kind: 'create'; doc: NewCallRecord } | { kind: 'update'; callId: string; set: Record<string, unknown> };

/** A store whose every write stays in flight until the test settles it. */
class HeldStore implements CallStore {
  readonly writes: Array<Write & { done: Deferred<unknown> }> = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  create(doc: NewCallRecord): Promise<unknown> {
    return this.held({ kind: 'create', doc });
  }

  updateOne(callId: string, set: Record<string, unknown>): Promise<unknown> {
    return this.held({ kind: 'update', callId, set });
  }

  /** Resolves once the n-th write (1-based) has been issued, and returns it. */
  async issued(n: number): Promise<Write & { done: Deferred<unknown> }> {
    if (this.writes.length < n) await new Promise<void>((resolve) => this.waiters.push({ n, resolve }));
    return this.writes[n - 1]!;
  }

  private held(w: Write): Promise<unknown> {
    const done = deferred<unknown>();
    this.writes.push({ ...w, done });
    for (const x of this.waiters.filter((x) => this.writes.length >= x.n)) x.resolve();
    this.waiters = this.waiters.filter((x) => this.writes.length < x.n);
    return done.promise;
  }
}

class Log {
  readonly errors: string[] = [];
  error(fields: object, msg: string): void {
    this.errors.push(`${msg}: ${(fields as { err?: string }).err}`);
  }
}

const arrived: NewCallRecord = {
  callId: 'c1',
  node: 'n1',
  callerChannelId: 'ch1',
  callerNumber: '91234567',
  dialledNumber: '952525',
  state: 'arrived',
  arrivedAt: new Date(0),
  test: false,
};

describe('call record writer', () => {
  it('writes nothing behind the create until it lands, then merges what waited into one update', async () => {
    const store = new HeldStore();
    const record = new CallRecord(store, 'c1', new Log());
    record.create(arrived);
    record.save({ state: 'greeting', greetingAt: new Date(1) });
    record.save({ state: 'queued', queuedAt: new Date(2), language: undefined });

    const create = await store.issued(1);
    expect(create.kind).to.equal('create');
    expect(await settled(store.issued(2))).to.equal(false);

    create.done.resolve(undefined);
    const update = await store.issued(2);
    expect(update).to.deep.include({ kind: 'update', callId: 'c1', set: { state: 'queued', greetingAt: new Date(1), queuedAt: new Date(2) } });
  });

  it('keeps the order: patches made during an in-flight update go out after it, merged, the later value winning', async () => {
    const store = new HeldStore();
    const record = new CallRecord(store, 'c1', new Log());
    record.save({ state: 'queued' });
    const first = await store.issued(1);

    record.save({ state: 'ringing', ringingAt: new Date(5) });
    record.save({ state: 'announcing', answeredAt: new Date(6) });
    record.save({ state: 'talking' });
    expect(await settled(store.issued(2)), 'nothing overtakes the write in flight').to.equal(false);

    first.done.resolve(undefined);
    const second = await store.issued(2);
    expect(second).to.deep.include({ set: { state: 'talking', ringingAt: new Date(5), answeredAt: new Date(6) } });
    second.done.resolve(undefined);
    await record.flushed();
    expect(store.writes.map((w) => (w.kind === 'update' ? w.set.state : w.kind))).to.deep.equal(['queued', 'talking']);
  });

  it('stores a mutable value as it is when the write runs, not when it was saved', async () => {
    const store = new HeldStore();
    const record = new CallRecord(store, 'c1', new Log());
    record.save({ state: 'queued' });
    const first = await store.issued(1);
    const offers = [{ attempt: 1, result: 'ringing' }];
    record.save({ offers });
    offers[0]!.result = 'no-answer';
    offers.push({ attempt: 2, result: 'ringing' });
    first.done.resolve(undefined);
    const second = await store.issued(2);
    expect(second).to.deep.include({ set: { offers: [{ attempt: 1, result: 'no-answer' }, { attempt: 2, result: 'ringing' }] } });
  });

  it('flushed() waits for every write asked for so far', async () => {
    const store = new HeldStore();
    const record = new CallRecord(store, 'c1', new Log());
    record.create(arrived);
    record.save({ state: 'greeting' });
    const flushed = record.flushed();

    (await store.issued(1)).done.resolve(undefined);
    const update = await store.issued(2);
    expect(await settled(flushed)).to.equal(false);
    update.done.resolve(undefined);
    expect(await settled(flushed)).to.equal(true);
  });

  it('logs a failed write and goes on with the next', async () => {
    const store = new HeldStore();
    const log = new Log();
    const record = new CallRecord(store, 'c1', log);
    record.create(arrived);
    record.save({ state: 'greeting' });
    (await store.issued(1)).done.reject(new Error('duplicate key'));
    const update = await store.issued(2);
    update.done.reject(new Error('timed out'));
    record.save({ state: 'ended' });
    (await store.issued(3)).done.resolve(undefined);
    await record.flushed();
    expect(log.errors).to.deep.equal(['call record create failed: duplicate key', 'call record update failed: timed out']);
    expect(store.writes.map((w) => w.kind)).to.deep.equal(['create', 'update', 'update']);
  });

  it('runs an appended write in the same chain, after the writes before it and before those after it', async () => {
    const store = new HeldStore();
    const log = new Log();
    const record = new CallRecord(store, 'c1', log);
    const order: string[] = [];
    record.save({ state: 'announcing' });
    const first = await store.issued(1);
    const recording = deferred<unknown>();
    record.append(() => {
      order.push('recording');
      return recording.promise;
    }, 'recording record create failed');
    record.save({ state: 'talking' });

    expect(order, 'the recording waits for the update in flight').to.deep.equal([]);
    first.done.resolve(undefined);
    await drained();
    expect(order).to.deep.equal(['recording']);
    expect(await settled(store.issued(2)), 'the next update waits for the recording').to.equal(false);
    recording.reject(new Error('validation failed'));
    const second = await store.issued(2);
    expect(second).to.deep.include({ set: { state: 'talking' } });
    expect(log.errors).to.deep.equal(['recording record create failed: validation failed']);
  });
});
