import { expect } from 'chai';
import mongoose from 'mongoose';
import { AcdStore } from '../../cti/acd/acd-store';
import type { RedisClient } from '../../core/connections';
import { createModels, syncIndexes, type Models } from '../../models';
import { BoardService } from '../../supervisor-board/board-service';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';

/**
 * The board's work-order panel is read from MongoDB when an order changes, not on every refresh:
 * refreshes run several times a second per process, and the panel's three reads were most of the
 * database's work on a quiet hotline.
 */
describe('supervisor board: the work-order panel is read again only after an order changes', function () {
  this.timeout(30_000);
  const config = testConfig();
  let conn: mongoose.Connection;
  let models: Models;
  let redis: RedisClient;
  let acd: AcdStore;
  /** MongoDB commands on the workorders collection, counted from the driver's command events. */
  let orderReads = 0;

  before(async () => {
    conn = await mongoose.createConnection(config.MONGO_URL, { serverSelectionTimeoutMS: 5000, retryWrites: false, monitorCommands: true }).asPromise();
    conn.getClient().on('commandStarted', (ev) => {
      const target = (ev.command as Record<string, unknown>)[ev.commandName];
      if (target === 'workorders' && ev.commandName !== 'insert') orderReads++;
    });
    models = createModels(conn);
    await syncIndexes(models);
    redis = testRedis(config);
    acd = new AcdStore(redis, config.REDIS_PREFIX);
  });
  after(async () => {
    if (redis) await deleteKeys(redis, `${acd.keys.p}*`);
    redis?.disconnect();
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
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
});
