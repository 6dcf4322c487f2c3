import { expect } from 'chai';
import type { AcdStore } from '../../cti/acd/acd-store';
import type { Models } from '../../models';
import { changeSlot } from '../../models/call';
import { shanghaiDay } from '../../core/time';
import { BoardService } from '../../supervisor-board/board-service';
import { testConfig } from '../helpers/env';
import { storeRig } from '../helpers/store-rig';

/**
 * What a board refresh (several a second per process) reads from MongoDB: the work-order panel
 * only after an order changed, and of today's calls only the write slots since its last read.
 */
describe('supervisor board: what a refresh reads', function () {
  this.timeout(30_000);
  const config = testConfig();
  const rig = storeRig(config);
  /** MongoDB commands on the workorders collection, counted from the driver's command events. */
  let orderReads = 0;
  /** The filters of the finds on the calls collection. */
  const callFinds: Array<Record<string, unknown>> = [];
  let models: Models;
  let acd: AcdStore;

  before(() => {
    ({ models, acd } = rig);
    rig.conn.getClient().on('commandStarted', (ev) => {
      const target = (ev.command as Record<string, unknown>)[ev.commandName];
      if (target === 'workorders' && ev.commandName !== 'insert') orderReads++;
      if (target === 'calls' && ev.commandName === 'find') callFinds.push((ev.command as { filter: Record<string, unknown> }).filter);
    });
  });

  const order = (n: number, status: 'dispatched' | 'resolved') => ({
    number: `WO20261203-${String(n).padStart(4, '0')}`,
    category: 'leak' as const,
    department: 'production' as const,
    status,
    createdBy: '1001',
    contactPhone: '13900000000',
    address: '东城区和平路 1 号',
    description: '水管漏水',
    overdue: true,
  });

  it('two refreshes read the panel once; an order written behind the bus shows after ordersChanged(), not before', async () => {
    await models.WorkOrder.create(order(1, 'dispatched'));
    const board = new BoardService({ models, acd, serviceLevelMs: 20_000 });
    const reads0 = orderReads;
    const first = await board.snapshot();
    const readsFirst = orderReads - reads0;
    expect(readsFirst, 'the first refresh reads the panel').to.be.greaterThan(0);
    expect(first.workOrders.late.orders.map((o) => o.number)).to.deep.equal(['WO20261203-0001']);

    await board.snapshot();
    expect(orderReads - reads0, 'the second refresh reads no order').to.equal(readsFirst);

    await models.WorkOrder.create(order(2, 'resolved'));
    expect((await board.snapshot()).workOrders.toArchive.total, 'not announced yet').to.equal(0);

    board.ordersChanged();
    const after = await board.snapshot();
    expect(after.workOrders.toArchive.orders.map((o) => o.number)).to.deep.equal(['WO20261203-0002']);
    expect(after.workOrders.late.total).to.equal(1);
    expect(orderReads - reads0, 'read once more').to.equal(2 * readsFirst);
  });

  const endedCall = (callId: string, arrivedAt: Date) => ({
    callId,
    node: 'a',
    callerChannelId: `ch-${callId}`,
    callerNumber: '13900000001',
    dialledNumber: '952525',
    arrivedAt,
  });
  const ended = { state: 'ended' as const, outcome: 'answered' as const, endedAt: new Date() };

  it("a refresh reads today's calls by the write slots since its last read, not every call stored; each write through the model stamps its slot", async () => {
    const board = new BoardService({ models, acd, serviceLevelMs: 20_000 });
    const now = new Date();
    await models.Call.create(endedCall('call-1', now));
    await models.Call.updateOne({ callId: 'call-1' }, { $set: ended });
    const before = Date.now();
    expect((await models.Call.findOne({ callId: 'call-1' }).lean())?.changedIn).to.be.within(changeSlot(before) - 1, changeSlot(before));
    expect((await board.snapshot()).recentCalls.map((c) => c.callId)).to.deep.equal(['call-1']);

    // A write behind the model's back carries no slot: only the periodic full read would see it.
    await models.Call.collection.insertOne({ ...endedCall('call-raw', now), ...ended, test: false });
    // The outbox's way: an upsert through the model.
    await models.Call.updateOne({ callId: 'call-2' }, { $set: ended, $setOnInsert: endedCall('call-2', now) }, { upsert: true });
    callFinds.length = 0;
    const second = await board.snapshot();
    expect(second.recentCalls.map((c) => c.callId).sort()).to.deep.equal(['call-1', 'call-2']);
    expect(callFinds.length, 'a few slots').to.be.within(1, 6);
    for (const f of callFinds) expect(f, 'each read asks for one slot').to.have.property('changedIn').that.is.a('number');
    // call-1 came again in an overlapping slot: counted once in the day's running figures.
    expect(second.metrics.arrived).to.equal(2);

    // The periodic full read (every 5 minutes on a small day) sees the write behind the model's
    // back, and rebuilds the figures: each call counted once. It runs beside the refreshes: the
    // refresh that starts it answers from the cache, the one after it shows the day as re-read.
    // (Not across the day's turn, which starts a new day with none of these calls.)
    const t0 = Date.now();
    const later = t0 + 5 * 60_000;
    if (shanghaiDay(later).label !== shanghaiDay(t0).label) return;
    // Refreshes up to then, close enough together to read by slots (a longer gap reads the whole day at once).
    for (const dt of [90_000, 180_000, 270_000]) expect((await board.snapshot(t0 + dt)).metrics.arrived).to.equal(2);
    callFinds.length = 0;
    const third = await board.snapshot(later);
    expect(third.metrics.arrived, 'answered from the cache meanwhile').to.equal(2);
    await board.rereadDone();
    expect(callFinds.some((f) => !('changedIn' in f)), 'a full read').to.equal(true);
    callFinds.length = 0;
    const fourth = await board.snapshot(later + 1_000);
    for (const f of callFinds) expect(f, 'slots again').to.have.property('changedIn').that.is.a('number');
    expect(fourth.recentCalls.map((c) => c.callId).sort()).to.deep.equal(['call-1', 'call-2', 'call-raw']);
    expect(fourth.metrics.arrived).to.equal(3);
  });

  it("a settled call written again (a queue callback reaching a caller who left) is counted anew after one re-read of the day; its same write read again starts none", async () => {
    const board = new BoardService({ models, acd, serviceLevelMs: 20_000 });
    const now = new Date();
    // 22 ended calls: the first two are settled once the list shows the 20 ended last.
    await models.Call.create({ ...endedCall('left-1', now), state: 'ended', outcome: 'abandoned-queue', queuedAt: now, endedAt: new Date(now.getTime() - 60_000), abandonWaitMs: 30_000 });
    for (let i = 0; i < 21; i++) {
      await models.Call.create({ ...endedCall(`done-${i}`, now), state: 'ended', outcome: 'answered', queuedAt: now, answeredAt: now, endedAt: new Date(now.getTime() + i), agentWorkNumber: '1001' });
    }
    const first = await board.snapshot();
    expect(first.recentCalls.map((c) => c.callId)).to.not.include('left-1');
    // Refreshes re-read the same writes (overlapping slots): no full read for them.
    callFinds.length = 0;
    expect((await board.snapshot()).metrics).to.deep.equal(first.metrics);
    await board.rereadDone();
    expect(callFinds.every((f) => 'changedIn' in f), 'slots only').to.equal(true);

    await models.Call.updateOne({ callId: 'left-1' }, { $set: { outcome: 'answered', answeredVia: 'callback', answeredAt: new Date(), agentWorkNumber: '1001' } });
    callFinds.length = 0;
    const meanwhile = await board.snapshot();
    expect(meanwhile.metrics, 'the earlier write counts until the re-read').to.deep.equal(first.metrics);
    await board.rereadDone();
    expect(callFinds.filter((f) => !('changedIn' in f)), 'one full read').to.have.length(1);
    const after = await board.snapshot();
    expect(after.metrics.arrived).to.equal(first.metrics.arrived);
    expect(after.metrics.answered).to.equal(first.metrics.answered + 1);
    expect(after.metrics.answeredViaCallback).to.equal(first.metrics.answeredViaCallback + 1);
    expect(after.metrics.abandoned).to.equal(first.metrics.abandoned - 1);
  });

  it('a call that arrived before midnight and is still going shows in progress, read by its id', async () => {
    const board = new BoardService({ models, acd, serviceLevelMs: 20_000 });
    const yesterday = new Date(Date.now() - 25 * 3600_000);
    await models.Call.create({ ...endedCall('call-night', yesterday), state: 'talking', answeredAt: yesterday, agentWorkNumber: '1001' });
    await acd.markLive('call-night', 'a');
    callFinds.length = 0;
    const snap = await board.snapshot();
    expect(snap.inProgress.map((c) => c.callId)).to.deep.equal(['call-night']);
    expect(callFinds.filter((f) => f.callId === 'call-night'), 'one equality read').to.have.length(1);
  });
});
