import { expect } from 'chai';
import mongoose from 'mongoose';
import { AcdStore } from '../../cti/acd/acd-store';
import { WaitEstimator } from '../../cti/acd/wait-estimate';
import type { RedisClient } from '../../core/connections';
import { createModels, syncIndexes, type Models } from '../../models';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';

/** "About N minutes": the handle time is the last day's answered calls', not every call's ever stored. */
describe('queue wait estimate: the handle time of the last day', function () {
  this.timeout(30_000);
  const config = testConfig();
  let conn: mongoose.Connection;
  let models: Models;
  let redis: RedisClient;
  let acd: AcdStore;

  before(async () => {
    conn = await mongoose.createConnection(config.MONGO_URL, { serverSelectionTimeoutMS: 5000, retryWrites: false }).asPromise();
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

  const answered = (callId: string, arrivedAt: number, talkMs: number) => ({
    callId,
    node: 'a',
    callerChannelId: `ch-${callId}`,
    callerNumber: '13900000002',
    dialledNumber: '952525',
    arrivedAt: new Date(arrivedAt),
    state: 'ended' as const,
    outcome: 'answered' as const,
    test: false,
    answeredAt: new Date(arrivedAt + 10_000),
    endedAt: new Date(arrivedAt + 10_000 + talkMs),
  });

  it('a call of three days ago does not count; with no agent on duty, one caller ahead waits one handle time', async () => {
    const now = Date.now();
    await models.Call.create([answered('recent', now - 3600_000, 60_000), answered('old', now - 3 * 86_400_000, 600_000)]);
    // 60 s alone → 1 minute; with the old call's 600 s the mean would be 330 s → 6 minutes.
    expect(await new WaitEstimator(models, acd).minutes('yue', 1)).to.equal(1);
    await models.Call.deleteOne({ callId: 'recent' });
    // Nothing in the last day: the default handle time (3 minutes).
    expect(await new WaitEstimator(models, acd).minutes('yue', 1)).to.equal(3);
  });
});
