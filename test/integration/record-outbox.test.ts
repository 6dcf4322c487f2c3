import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { createLogger } from '../../core/logger';
import { createModels, syncIndexes, type Models } from '../../models';
import { applyWrite } from '../../models/apply-write';
import { RecordOutbox } from '../../queue/record-outbox';
import type { RedisClient } from '../../core/connections';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { DisposableFerretDb, ferretdbBinary } from '../helpers/ferretdb-server';
import { waitFor } from '../helpers/wait';

/**
 * Record writes through the outbox against a real FerretDB of its own, stopped (SIGKILL) and
 * started again mid-traffic: every write arrives, in order, none twice.
 */
describe('record outbox: MongoDB down mid-traffic loses no record', function () {
  this.timeout(120_000);
  const config = testConfig();
  const logger = createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'outbox-test' });
  let db: DisposableFerretDb;
  let conn: mongoose.Connection;
  let models: Models;
  let redis: RedisClient;
  let outbox: RecordOutbox;
  let second: RecordOutbox;
  const prefix = `{${config.REDIS_PREFIX}}`;

  before(async function () {
    const bin = ferretdbBinary();
    // Runs wherever the suite runs (CI builds the launcher); a real mongod can't be stopped from here.
    if (!bin) throw new Error('FerretDB launcher not built: run scripts/bootstrap.sh');
    db = await DisposableFerretDb.create(bin);
    conn = mongoose.createConnection(db.url('outbox'), { serverSelectionTimeoutMS: 1000, retryWrites: false });
    conn.on('error', () => undefined);
    await conn.asPromise();
    models = createModels(conn);
    await syncIndexes(models);
    redis = testRedis(config);
    outbox = new RecordOutbox(redis, prefix, applyWrite(models, logger), logger, 100);
    // A second process draining the same outbox: records are never written twice at once.
    second = new RecordOutbox(redis, prefix, applyWrite(models, logger), logger, 100);
    outbox.start();
    second.start();
  });
  after(async () => {
    outbox?.stop();
    second?.stop();
    if (redis) await deleteKeys(redis, `${prefix}*`);
    redis?.disconnect();
    await conn?.close().catch(() => undefined);
    await db?.stop();
  });

  /** One call's life as the call path writes it: created, then a patch per step. */
  async function callLife(callId: string, steps: number): Promise<void> {
    const key = `call:${callId}`;
    await outbox.write(key, {
      collection: 'calls',
      filter: { callId },
      set: {},
      setOnInsert: { callId, node: 'a', callerChannelId: `ch-${callId}`, callerNumber: '13900000000', dialledNumber: '952525', state: 'arrived', arrivedAt: new Date(), test: false },
    });
    const states = ['greeting', 'queued', 'ringing', 'announcing', 'talking', 'ended'];
    for (let i = 0; i < steps; i++) await outbox.write(key, { collection: 'calls', filter: { callId }, set: { state: states[Math.min(i, states.length - 1)], abandonWaitMs: i } });
  }

  it('writes arrive while MongoDB is up', async () => {
    const ids = Array.from({ length: 10 }, () => randomUUID());
    await Promise.all(ids.map((id) => callLife(id, 6)));
    await waitFor(async () => (await outbox.backlog()) === 0, { what: 'outbox drained' });
    const docs = await models.Call.find({ callId: { $in: ids } }).lean();
    expect(docs).to.have.length(10);
    for (const d of docs) expect(d).to.include({ state: 'ended', abandonWaitMs: 5, callerNumber: '13900000000' });
  });

  it('MongoDB killed mid-traffic and started again: every write of every record arrives, the last one wins', async () => {
    const before: string[] = Array.from({ length: 10 }, () => randomUUID());
    const during: string[] = Array.from({ length: 20 }, () => randomUUID());
    // Traffic, then the database dies with part of it still to write.
    await Promise.all(before.map((id) => callLife(id, 3)));
    await db.stop();
    await Promise.all([...before.map((id) => outbox.write(`call:${id}`, { collection: 'calls', filter: { callId: id }, set: { state: 'ended', abandonWaitMs: 99 } })), ...during.map((id) => callLife(id, 6))]);
    // Nothing can drain while it is down: the writes wait in Redis.
    const waiting = await outbox.backlog();
    expect(waiting).to.be.greaterThan(0);
    await db.start();
    await waitFor(async () => (await outbox.backlog()) === 0, { what: 'outbox drained after the outage', timeoutMs: 60_000 });
    const docs = await models.Call.find({ callId: { $in: [...before, ...during] } }).lean();
    expect(docs).to.have.length(30);
    for (const d of docs) {
      expect(d.state, d.callId).to.equal('ended');
      expect(d.abandonWaitMs, d.callId).to.equal(before.includes(d.callId) ? 99 : 5);
      expect(d.callerChannelId).to.equal(`ch-${d.callId}`);
    }
    expect(await models.Call.countDocuments({ callId: { $in: [...before, ...during] } })).to.equal(30);
  });

  it('an alarm is queued once per key however many times it is asked for, and stored once', async () => {
    const key = `answer-alarm.${randomUUID()}.1`;
    const asks = await Promise.all(
      [outbox, second, outbox].map((o) =>
        o.writeOnce(`alarm:${key}`, 60_000, `alarm:${key}`, { collection: 'alarms', filter: { key }, set: {}, setOnInsert: { key, kind: 'answer-timeout', severity: 'warning', message: 'm', raisedAt: new Date() } }),
      ),
    );
    expect(asks.filter(Boolean)).to.have.length(1);
    await waitFor(async () => (await models.Alarm.countDocuments({ key })) === 1, { what: 'alarm stored' });
    await waitFor(async () => (await outbox.backlog()) === 0, { what: 'drained' });
    expect(await models.Alarm.countDocuments({ key })).to.equal(1);
  });
});
