import mongoose from 'mongoose';
import { AcdStore } from '../../cti/acd/acd-store';
import type { Config } from '../../core/config';
import type { RedisClient } from '../../core/connections';
import { createModels, syncIndexes, type Models } from '../../models';
import { deleteKeys, testRedis } from './redis';

export interface StoreRig {
  conn: mongoose.Connection;
  models: Models;
  redis: RedisClient;
  acd: AcdStore;
}

/**
 * The test file's own database (with the driver's command events on) and Redis key prefix, with
 * the ACD store over them: opened before the file's tests, dropped after them.
 */
export function storeRig(config: Config): StoreRig {
  const rig = {} as StoreRig;
  before(async () => {
    rig.conn = await mongoose.createConnection(config.MONGO_URL, { serverSelectionTimeoutMS: 5000, retryWrites: false, monitorCommands: true }).asPromise();
    rig.models = createModels(rig.conn);
    await syncIndexes(rig.models);
    rig.redis = testRedis(config);
    rig.acd = new AcdStore(rig.redis, config.REDIS_PREFIX);
  });
  after(async () => {
    if (rig.redis) await deleteKeys(rig.redis, `${rig.acd.keys.p}*`);
    rig.redis?.disconnect();
    await rig.conn?.dropDatabase().catch(() => undefined);
    await rig.conn?.close();
  });
  return rig;
}
