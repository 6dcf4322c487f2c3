import { expect } from 'chai';
import { isCluster, type RedisClient } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { AcdStore } from '../../cti/acd/acd-store';
import { RedisEventBus } from '../../events/event-bus';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

/**
 * Only in `npm run test:cluster` (REDIS_CLUSTER_NODES set): proves that run is on a real 3-master
 * Cluster (a mistyped setting would otherwise run everything on one Redis and prove nothing), and
 * that a script whose KEYS span two slots is refused there, which is what makes the ACD, outbox
 * and console tests of that run a check of our hash tags.
 */
describe('Redis Cluster run', function () {
  let redis: RedisClient;
  const config = testConfig();

  before(function () {
    if (!config.REDIS_CLUSTER_NODES) this.skip();
    redis = testRedis(config);
  });
  after(async () => {
    if (!redis) return;
    await deleteKeys(redis, `{${config.REDIS_PREFIX}}*`);
    redis.disconnect();
  });

  it('the clients are Cluster clients of a healthy 3-master cluster', async () => {
    expect(isCluster(redis)).to.equal(true);
    if (!isCluster(redis)) return;
    const info = await redis.cluster('INFO');
    expect(info).to.match(/cluster_state:ok/);
    expect(info).to.match(/cluster_slots_assigned:16384/);
    expect(info).to.match(/cluster_size:3/);
  });

  it('refuses a script whose keys lie in two slots (CROSSSLOT), so the other tests of this run check the hash tags', async () => {
    const acd = new AcdStore(redis, config.REDIS_PREFIX);
    const other = new AcdStore(redis, `${config.REDIS_PREFIX}-other`);
    expect(await acd.reserve('nobody-queued', 'a', 0)).to.equal(null);
    let err: Error | undefined;
    await redis
      .eval("return redis.call('GET', KEYS[1])", 2, acd.keys.queue(), other.keys.queue())
      .catch((e: Error) => {
        err = e;
      });
    expect(err?.message).to.match(/CROSSSLOT/);
  });
});

/**
 * On one Redis and on a Cluster alike. A Cluster client sends a bare PUBLISH to any node, and one
 * process's events then arrived out of order (21 of 500 here): an agent's `acw` after the call's end.
 */
describe('domain events reach subscribers in the order one process published them', () => {
  it('500 events in a row arrive in order', async () => {
    const config = testConfig();
    const redis = testRedis(config);
    const bus = new RedisEventBus(redis, new AcdStore(redis, config.REDIS_PREFIX).keys.events(), createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'test' }));
    const got: number[] = [];
    bus.subscribe((e) => {
      if (e.type === 'agent.state') got.push(e.at);
    });
    await bus.whenSubscribed();
    try {
      for (let i = 0; i < 500; i++) await bus.publish({ type: 'agent.state', agentWorkNumber: '1001', state: 'ready', reason: '', callId: '', at: i });
      await waitFor(async () => got.length === 500, { what: '500 events' });
      expect(got).to.deep.equal(Array.from({ length: 500 }, (_, i) => i));
    } finally {
      await bus.close();
      redis.disconnect();
    }
  });
});
