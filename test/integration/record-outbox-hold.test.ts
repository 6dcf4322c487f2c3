import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createLogger } from '../../core/logger';
import type { RedisClient } from '../../core/connections';
import { mergeByDocument, RecordOutbox, type RecordWrite } from '../../queue/record-outbox';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

/**
 * Held writes (a call's steps between its milestones): durable in Redis at once, applied only
 * with the record's next write that is not held, merged per document, on the real Redis.
 */
describe('record outbox: held writes ride along with the next milestone', function () {
  this.timeout(30_000);
  const config = testConfig();
  const logger = createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'outbox-hold' });
  const prefix = `{${config.REDIS_PREFIX}-hold}`;
  let redis: RedisClient;
  let outbox: RecordOutbox;
  const applied: RecordWrite[] = [];

  before(() => {
    redis = testRedis(config);
    outbox = new RecordOutbox(redis, prefix, async (ws) => void applied.push(...ws), logger, 50);
    outbox.start();
  });
  after(async () => {
    outbox?.stop();
    if (redis) await deleteKeys(redis, `${prefix}*`);
    redis?.disconnect();
  });
  beforeEach(() => {
    applied.length = 0;
  });

  const call = (callId: string, set: Record<string, unknown>): RecordWrite => ({ collection: 'calls', filter: { callId }, set });

  it('held writes are kept, not applied, until a write that is not held; then one write per document', async () => {
    const id = randomUUID();
    const key = `call:${id}`;
    await outbox.write(key, { ...call(id, {}), setOnInsert: { callId: id, state: 'arrived' } });
    await waitFor(async () => applied.length === 1, { what: 'creation applied' });
    await outbox.write(key, call(id, { state: 'queued', queuedAt: 1 }), { hold: true });
    await outbox.write(key, { collection: 'recordings', filter: { name: `call-${id}` }, set: {}, setOnInsert: { name: `call-${id}` } }, { hold: true });
    await outbox.write(key, call(id, { state: 'ringing', ringingAt: 2 }), { hold: true });
    // Several drain passes go by: nothing held is applied, and the record is not kept in the drain set.
    outbox.kick();
    await waitFor(async () => !(await redis.smembers(`${prefix}:outbox-records`)).includes(key), { what: 'record left the drain set' });
    expect(applied).to.have.length(1);
    expect(await redis.llen(`${prefix}:outbox:${key}`)).to.equal(3);

    await outbox.write(key, call(id, { state: 'talking', talkingAt: 3 }));
    await waitFor(async () => applied.length === 3, { what: 'answer applied' });
    expect(applied.slice(1)).to.deep.equal([
      { collection: 'calls', filter: { callId: id }, set: { state: 'talking', queuedAt: 1, ringingAt: 2, talkingAt: 3 }, setOnInsert: {} },
      { collection: 'recordings', filter: { name: `call-${id}` }, set: {}, setOnInsert: { name: `call-${id}` } },
    ]);
    expect(await redis.llen(`${prefix}:outbox:${key}`)).to.equal(0);
  });

  it('drained() applies what was held before it (a take-over reads the record after it); later held writes wait again', async () => {
    const id = randomUUID();
    const key = `call:${id}`;
    await outbox.write(key, call(id, { state: 'queued' }), { hold: true });
    expect(await outbox.drained(key, 5000)).to.equal(true);
    await outbox.write(key, call(id, { state: 'ringing' }), { hold: true });
    outbox.kick();
    await waitFor(async () => !(await redis.smembers(`${prefix}:outbox-records`)).includes(key), { what: 'record left the drain set' });
    expect(applied).to.deep.equal([{ collection: 'calls', filter: { callId: id }, set: { state: 'queued' }, setOnInsert: {} }]);
    expect(await redis.llen(`${prefix}:outbox:${key}`)).to.equal(1);
  });

  it("a record another process left behind (its write in Redis, no kick here) is drained by the next tick's pass", async () => {
    const id = randomUUID();
    const key = `call:${id}`;
    // As a process that died right after its write: the list entry and the set member, nothing else.
    await redis.multi().rpush(`${prefix}:outbox:${key}`, JSON.stringify(call(id, { state: 'ended' }))).sadd(`${prefix}:outbox-records`, key).exec();
    await waitFor(async () => applied.some((w) => w.filter.callId === id), { what: 'left-behind write applied by the tick' });
    expect(applied).to.deep.equal([{ collection: 'calls', filter: { callId: id }, set: { state: 'ended' }, setOnInsert: {} }]);
    await waitFor(async () => (await redis.llen(`${prefix}:outbox:${key}`)) === 0, { what: 'list emptied' });
  });

  it('a drainer whose lease ran out and went to another removes nothing: the new holder applies and removes', async () => {
    const id = randomUUID();
    const key = `call:${id}`;
    const list = `${prefix}:outbox:${key}`;
    const lease = `${prefix}:outbox-lease:${key}`;
    const step = (token: string, appliedCount: number) =>
      (redis as RedisClient & { outboxDrainStep(...a: string[]): Promise<string[] | null> }).outboxDrainStep(
        list, `${prefix}:outbox-records`, lease, key, token, '10000', String(appliedCount), 'H', '50',
      );
    await redis.multi().rpush(list, JSON.stringify(call(id, { state: 'queued' })), JSON.stringify(call(id, { state: 'ringing' }))).exec();
    expect(await step('slow', 0)).to.have.length(2);
    expect(await step('other', 0), 'the lease is held').to.equal(null);
    // The slow drainer's lease expires while it applies; another drainer takes it.
    await redis.del(lease);
    expect(await step('other', 0)).to.have.length(2);
    expect(await step('slow', 2), 'the slow drainer no longer holds the lease').to.equal(null);
    expect(await redis.llen(list)).to.equal(2);
    expect(await step('other', 2)).to.deep.equal([]);
    expect(await redis.llen(list)).to.equal(0);
    expect(await redis.exists(lease)).to.equal(0);
  });

  it('merges per document in order: later fields win, a field set later leaves the creation fields', () => {
    const merged = mergeByDocument([
      { collection: 'calls', filter: { callId: 'a' }, set: {}, setOnInsert: { callId: 'a', state: 'arrived' } },
      { collection: 'recordings', filter: { name: 'r' }, set: { state: 'recording' } },
      { collection: 'calls', filter: { callId: 'a' }, set: { state: 'talking' } },
      { collection: 'recordings', filter: { name: 'r' }, set: { state: 'done' } },
    ]);
    expect(merged).to.deep.equal([
      { collection: 'calls', filter: { callId: 'a' }, set: { state: 'talking' }, setOnInsert: { callId: 'a' } },
      { collection: 'recordings', filter: { name: 'r' }, set: { state: 'done' }, setOnInsert: {} },
    ]);
  });
});
