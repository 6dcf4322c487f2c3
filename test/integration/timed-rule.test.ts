import { expect } from 'chai';
import { queueConnection, type RedisClient } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { TimedRule } from '../../queue/timed-rule';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

/**
 * The BullMQ side of the timed rules (answer alarm, after-call work, silence alarm, SMS), built
 * the way main.ts builds it: on a single Redis from options, on a Redis Cluster (`npm run
 * test:cluster`) from the shared Cluster client that its workers duplicate for blocking reads.
 */
describe('timed rules on BullMQ: schedule once, reschedule, cancel', function () {
  this.timeout(30_000);
  const config = testConfig();
  const prefix = `{${config.REDIS_PREFIX}}-bull`;
  let redis: RedisClient;
  let rule: TimedRule<{ n: number }>;
  const ran: Array<{ id: string; n: number }> = [];

  before(() => {
    redis = testRedis(config);
    rule = new TimedRule<{ n: number }>({ name: 'test-rule', connection: queueConnection(config, redis), prefix, logger: createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'test' }) });
    rule.process(async (data, job) => {
      ran.push({ id: String(job.id), n: data.n });
    });
  });
  after(async () => {
    await rule?.close();
    if (redis) await deleteKeys(redis, `${prefix}*`);
    redis?.disconnect();
  });

  it('runs an instance once when it is due, however often it was scheduled', async () => {
    const id = rule.jobId('once');
    await rule.schedule(id, { n: 1 }, 200);
    await rule.schedule(id, { n: 2 }, 200);
    await waitFor(async () => ran.some((r) => r.id === id), { what: 'the job to run' });
    await new Promise((r) => setTimeout(r, 300));
    expect(ran.filter((r) => r.id === id)).to.deep.equal([{ id, n: 1 }]);
  });

  it('moves a pending instance to a new due time with new data', async () => {
    const id = rule.jobId('moved');
    const start = Date.now();
    await rule.schedule(id, { n: 1 }, 60_000);
    await rule.reschedule(id, { n: 7 }, 100);
    await waitFor(async () => ran.some((r) => r.id === id), { what: 'the rescheduled job to run' });
    expect(Date.now() - start).to.be.lessThan(10_000);
    expect(ran.filter((r) => r.id === id)).to.deep.equal([{ id, n: 7 }]);
  });

  it('a cancelled instance never runs', async () => {
    const id = rule.jobId('cancelled');
    await rule.schedule(id, { n: 1 }, 300);
    expect(await rule.cancel(id)).to.equal(true);
    await new Promise((r) => setTimeout(r, 800));
    expect(ran.some((r) => r.id === id)).to.equal(false);
  });
});
