import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { createLogger } from '../../core/logger';
import { createModels, syncIndexes, type Models } from '../../models';
import { applyWrites } from '../../models/apply-write';
import { RecordOutbox, type RecordWrite } from '../../queue/record-outbox';
import { changeSlot } from '../../models/call';
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
    outbox = new RecordOutbox(redis, prefix, applyWrites(models, logger), logger, 100);
    // A second process draining the same outbox: records are never written twice at once.
    second = new RecordOutbox(redis, prefix, applyWrites(models, logger), logger, 100);
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

  /** A call's creation as the call path hands it to the outbox. */
  const created = (callId: string): RecordWrite => ({
    collection: 'calls',
    filter: { callId },
    set: {},
    setOnInsert: { callId, node: 'a', callerChannelId: `ch-${callId}`, callerNumber: '13900000001', dialledNumber: '952525', state: 'arrived', arrivedAt: new Date(), test: false },
  });

  it('a pass of writes reaches MongoDB as one update command per collection, each Call stamped with its change slot', async () => {
    // Its own connection with command events: what the database is sent is counted, not assumed.
    const watched = mongoose.createConnection(db.url('outbox'), { serverSelectionTimeoutMS: 1000, retryWrites: false, monitorCommands: true });
    await watched.asPromise();
    const sent: Array<{ collection: string; updates: number }> = [];
    watched.getClient().on('commandStarted', (e) => {
      if (e.commandName !== 'update') return;
      const cmd = e.command as { update: string; updates: unknown[] };
      sent.push({ collection: cmd.update, updates: cmd.updates.length });
    });
    try {
      const apply = applyWrites(createModels(watched), logger);
      const ids = Array.from({ length: 6 }, () => randomUUID());
      // A call last changed long ago: the batch's update moves it into the current slot.
      const old = randomUUID();
      await models.Call.collection.insertOne({ ...created(old).setOnInsert, changedIn: 1 });
      const slotBefore = changeSlot(Date.now());
      ids.push(old);
      await apply(ids.flatMap((id) => [created(id), { collection: 'recordings', filter: { name: `call-${id}` }, set: {}, setOnInsert: { name: `call-${id}`, callId: id, format: 'wav', startedAt: new Date(), state: 'recording' } }]));
      expect(sent).to.deep.equal([
        { collection: 'calls', updates: 7 },
        { collection: 'recordings', updates: 7 },
      ]);
      const calls = await models.Call.find({ callId: { $in: ids } }).lean();
      expect(calls).to.have.length(7);
      for (const c of calls) expect(c.changedIn).to.be.within(slotBefore, changeSlot(Date.now()));
      expect(await models.Recording.countDocuments({ callId: { $in: ids } })).to.equal(7);

      // A write the schema refuses (a date that is no date) sinks its batch: the batch is then
      // applied one write at a time, so only the bad write is dropped.
      sent.length = 0;
      const more = Array.from({ length: 3 }, () => randomUUID());
      await apply([created(more[0]!), { collection: 'calls', filter: { callId: ids[0] }, set: { answeredAt: 'not a date' } }, created(more[1]!), created(more[2]!)]);
      expect(await models.Call.countDocuments({ callId: { $in: more } })).to.equal(3);
      expect(sent.map((s) => s.updates)).to.deep.equal([1, 1, 1]);
    } finally {
      await watched.close();
    }
  });

  it('records that wait while a pass is applying are applied together in the next pass, each in its own order', async () => {
    const own = `{${config.REDIS_PREFIX}-rounds}`;
    const apply = applyWrites(models, logger);
    const passes: RecordWrite[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Not started (no tick): each write's own kick drives the passes.
    const gated = new RecordOutbox(
      redis,
      own,
      async (ws) => {
        passes.push(ws);
        if (passes.length === 1) await gate;
        await apply(ws);
      },
      logger,
    );
    try {
      const first = randomUUID();
      await gated.write(`call:${first}`, created(first));
      await waitFor(async () => passes.length === 1, { what: 'first pass applying' });
      const ids = Array.from({ length: 8 }, () => randomUUID());
      for (const id of ids) {
        await gated.write(`call:${id}`, created(id));
        await gated.write(`call:${id}`, { collection: 'calls', filter: { callId: id }, set: { state: 'queued', abandonWaitMs: 1 } });
        await gated.write(`call:${id}`, { collection: 'calls', filter: { callId: id }, set: { state: 'ringing' } });
      }
      release();
      await waitFor(async () => (await gated.backlog()) === 0, { what: 'gated outbox drained' });
      // The second pass carried the eight records at once, each merged into one write.
      expect(passes).to.have.length(2);
      expect(passes[1]!.map((w) => w.filter['callId']).sort()).to.deep.equal([...ids].sort());
      const docs = await models.Call.find({ callId: { $in: ids } }).lean();
      expect(docs).to.have.length(8);
      for (const d of docs) expect(d).to.include({ state: 'ringing', abandonWaitMs: 1, callerNumber: '13900000001' });
    } finally {
      gated.stop();
      await deleteKeys(redis, `${own}*`);
    }
  });
});
