import { expect } from 'chai';
import { queueConnection, type RedisClient } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { SilenceAlarmRule } from '../../cti/health/silence-rule';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

/**
 * The silence window on real Redis and BullMQ: a call only stamps its arrival (the job is not
 * touched), and the job, when due, moves itself to a whole window after the latest call.
 */
describe('silence window: calls stamp their arrival, the due job finds the latest', function () {
  this.timeout(30_000);
  const config = testConfig();
  const tag = `{${config.REDIS_PREFIX}}`;
  const WINDOW = 600;
  let redis: RedisClient;
  let rule: SilenceAlarmRule;
  const fired: Array<{ since: number; at: number }> = [];
  const openKey = `${tag}:silence-open`;

  before(async () => {
    redis = testRedis(config);
    await deleteKeys(redis, `${tag}:silence-*`);
    rule = new SilenceAlarmRule({ connection: queueConnection(config, redis), prefix: `${tag}-bull`, logger: createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'test' }) }, WINDOW, redis, tag);
    await rule.queue.obliterate({ force: true });
    rule.process(async (_data, job, token) => {
      fired.push({ since: await rule.windowDue(job, token), at: Date.now() });
    });
  });
  after(async () => {
    await rule?.close();
    if (redis) await deleteKeys(redis, `${tag}-bull:silence-alarm*`);
    if (redis) await deleteKeys(redis, `${tag}:silence-*`);
    redis?.disconnect();
  });

  it('keeps the latest arrival of calls reported out of order, and hands over an open alarm once', async () => {
    await redis.set(openKey, '1');
    expect(await rule.callArrived(openKey, 5_000)).to.equal('1');
    expect(await rule.callArrived(openKey, 4_000)).to.equal(null);
    expect(await rule.lastCall()).to.equal(5_000);
    expect(await rule.callArrived(openKey, 6_000)).to.equal(null);
    expect(await rule.lastCall()).to.equal(6_000);
  });

  it('a call inside the window leaves the job as it is; the job then fires a whole window after the call', async () => {
    const start = Date.now();
    await rule.ensureArmed(start);
    const armed = await rule.queue.getJob(rule.id);
    // Stamped as arriving halfway through the window (the stamp is the call's own arrival time).
    const call = start + WINDOW / 2;
    await rule.callArrived(openKey, call);
    const after = await rule.queue.getJob(rule.id);
    expect([after?.data, after?.delay, after?.timestamp]).to.deep.equal([armed?.data, armed?.delay, armed?.timestamp]);
    await waitFor(() => fired.length > 0, { what: 'the silence to fire' });
    expect(fired).to.have.length(1);
    expect(fired[0]!.since).to.equal(call);
    expect(fired[0]!.at).to.be.at.least(call + WINDOW);
  });

  it('a run retried after dying between updating its window and moving itself still waits for that window', async () => {
    fired.length = 0;
    const call = Date.now();
    await rule.callArrived(openKey, call);
    // What the dead run left: the job's window already starting at the call, and the job due now.
    await rule.reschedule(rule.id, { since: call }, 0);
    await waitFor(() => fired.length > 0, { what: 'the silence to fire' });
    expect(fired[0]!.since).to.equal(call);
    expect(fired[0]!.at).to.be.at.least(call + WINDOW);
  });

  it('with no call since, it fires when due, counting from the last call', async () => {
    fired.length = 0;
    await rule.silentSince(Date.now() - WINDOW);
    await waitFor(() => fired.length > 0, { what: 'the silence to fire' });
    const since = (await rule.lastCall())!;
    expect(fired).to.deep.equal([{ since, at: fired[0]!.at }]);
  });
});
