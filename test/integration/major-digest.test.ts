import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Connection } from 'mongoose';
import { openMongo, queueConnection, type RedisClient } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { RedisEventBus } from '../../events/event-bus';
import { createModels, syncIndexes, type Models } from '../../models';
import { applyWrites } from '../../models/apply-write';
import type { WorkOrderCategory, WorkOrderStatus } from '../../models/enums';
import { parseContacts, WebhookSmsGateway } from '../../notify/sms';
import { SmsOutbox } from '../../notify/sms-outbox';
import { RecordOutbox } from '../../queue/record-outbox';
import { collectMajorDigest, dailyAt, digestDayOf, MajorDigest, MajorDigestRule, majorDigestText } from '../../work-orders/major-digest';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

/** A real HTTP endpoint standing in for the SMS provider's webhook. */
async function smsSink(): Promise<{ server: Server; url: string; got: Array<{ to: string; role: string; text: string }> }> {
  const got: Array<{ to: string; role: string; text: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push(JSON.parse(body) as { to: string; role: string; text: string });
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, got };
}

const sh = (local: string) => new Date(`${local}+08:00`);

describe('daily digest of major matters for company leaders', function () {
  this.timeout(60_000);
  const config = testConfig({ MAJOR_DIGEST_CONTACTS: 'general_manager=13800000201,deputy_manager=13800000202' });
  const logger = createLogger({ LOG_LEVEL: config.LOG_LEVEL, NODE_ID: 'digest-test' });
  let mongo: Connection;
  let models: Models;
  let sms: Awaited<ReturnType<typeof smsSink>>;
  const closers: Array<() => Promise<void>> = [];

  before(async () => {
    mongo = await openMongo(config.MONGO_URL, logger);
    models = createModels(mongo);
    await syncIndexes(models);
    sms = await smsSink();
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    const r = testRedis(config);
    await deleteKeys(r, `*${config.REDIS_PREFIX}*`);
    r.disconnect();
    sms?.server.close();
    await mongo?.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  let seq = 0;
  async function order(o: {
    category: WorkOrderCategory;
    createdAt: Date;
    status?: WorkOrderStatus;
    emergency?: boolean;
    overdue?: boolean;
    dueBy?: Date;
    escalations?: Array<{ at: Date; reason: 'notice-late' | 'accept-late' | 'overdue' | 'manual' }>;
  }): Promise<string> {
    seq += 1;
    const number = `WO20260301-${String(seq).padStart(4, '0')}`;
    await models.WorkOrder.create({
      number,
      category: o.category,
      department: o.category === 'complaint' || o.category === 'billing' ? 'business' : 'engineering',
      status: o.status ?? 'dispatched',
      emergency: o.emergency ?? false,
      createdBy: '1001',
      contactPhone: '13100000001',
      address: `建设路 ${seq} 号`,
      description: '测试',
      createdAt: o.createdAt,
      overdue: o.overdue ?? false,
      ...(o.dueBy ? { dueBy: o.dueBy } : {}),
      escalated: (o.escalations ?? []).length > 0,
      escalations: (o.escalations ?? []).map((e) => ({ ...e, to: 'admin_hr', by: 'system' })),
    });
    return number;
  }

  /** One CTI process: its own Redis client, bus, outbox, SMS outbox and digest rule. */
  async function startProcess(prefix: string, every?: number, onRun?: (day: string, first: boolean) => void): Promise<MajorDigest> {
    const redis: RedisClient = testRedis(config);
    const bus = new RedisEventBus(redis, `${config.REDIS_PREFIX}:events`, logger);
    const outbox = new RecordOutbox(redis, `{${config.REDIS_PREFIX}}`, applyWrites(models, logger), logger, 100);
    outbox.start();
    const ruleOpts = { connection: queueConnection(config, redis), prefix, logger };
    const smsOutbox = new SmsOutbox(ruleOpts, new WebhookSmsGateway(sms.url));
    smsOutbox.start();
    const rule = new MajorDigestRule(ruleOpts);
    const digest = new MajorDigest({
      models,
      bus,
      outbox,
      sms: smsOutbox,
      contacts: parseContacts(config.MAJOR_DIGEST_CONTACTS),
      rule,
      at: config.MAJOR_DIGEST_AT,
      logger,
      ...(every ? { every } : {}),
      ...(onRun ? { onRun } : {}),
    });
    closers.push(async () => {
      await rule.close();
      await smsOutbox.close();
      outbox.stop();
      await bus.close();
      redis.disconnect();
    });
    if (every !== undefined) await digest.start();
    return digest;
  }

  it('lists the day\'s emergencies and escalations and the orders still overdue, in leaders\' words', async () => {
    // The digest of 2 March 2026 covers 1 March 08:00 to 2 March 08:00 (Asia/Shanghai).
    const burst = await order({ category: 'pipe_burst', emergency: true, status: 'resolved', createdAt: sh('2026-03-01T20:15') });
    await order({ category: 'pipe_burst', emergency: true, createdAt: sh('2026-03-01T07:59') }); // the day before: not listed
    await order({ category: 'pipe_burst', emergency: true, createdAt: sh('2026-03-02T08:00') }); // the next digest's
    const complaint = await order({
      category: 'complaint',
      createdAt: sh('2026-02-27T10:00'),
      escalations: [
        { at: sh('2026-02-27T11:00'), reason: 'accept-late' }, // an older escalation of the same order: not listed again
        { at: sh('2026-03-02T07:30'), reason: 'overdue' },
      ],
      overdue: true,
      status: 'accepted',
      dueBy: sh('2026-03-02T07:30'),
    });
    const leak = await order({ category: 'leak', createdAt: sh('2026-02-20T09:00'), overdue: true, status: 'in_progress', dueBy: sh('2026-02-20T13:00') });
    await order({ category: 'leak', createdAt: sh('2026-02-20T09:00'), overdue: true, status: 'resolved', dueBy: sh('2026-02-20T13:00') }); // finished: not listed

    const data = await collectMajorDigest(models, '2026-03-02', '08:00');
    expect(data.from).to.equal(sh('2026-03-01T08:00').getTime());
    expect(data.to).to.equal(sh('2026-03-02T08:00').getTime());
    expect(majorDigestText(data)).to.equal(
      [
        '【952525热线】重大事项日报 2026-03-02（03-01 08:00 至 03-02 08:00）',
        `一、紧急工单 1 件：${burst} 爆管 工程公司 建设路 1 号（已办结）`,
        `二、升级至行政人事部 1 件：${complaint} 投诉 营业部 超时未办结`,
        `三、仍超时未办结 2 件：${leak} 报漏 工程公司 应于 02-20 13:00 前办结（处理中）；${complaint} 投诉 营业部 应于 03-02 07:30 前办结（已受理）`,
      ].join('\n'),
    );
  });

  it('a quiet day says so', async () => {
    const quiet = await collectMajorDigest(models, '2026-01-05', '08:00');
    expect(quiet.emergencies).to.deep.equal([]);
    expect(quiet.escalations).to.deep.equal([]);
    expect(majorDigestText({ ...quiet, overdue: [] }).split('\n')).to.deep.equal([
      '【952525热线】重大事项日报 2026-01-05（01-04 08:00 至 01-05 08:00）',
      '一、紧急工单：无',
      '二、升级至行政人事部：无',
      '三、仍超时未办结：无',
    ]);
  });

  it('is scheduled once, at MAJOR_DIGEST_AT Asia/Shanghai, however many processes upsert it', async () => {
    const prefix = `{${config.REDIS_PREFIX}}-bull-cron`;
    const redis = [testRedis(config), testRedis(config)];
    const [a, b] = redis.map((r) => new MajorDigestRule({ connection: queueConnection(config, r), prefix, logger })) as [MajorDigestRule, MajorDigestRule];
    closers.push(async () => {
      await a.close();
      await b.close();
      for (const r of redis) r.disconnect();
    });
    await a.ensureScheduled(dailyAt('08:00'));
    await b.ensureScheduled(dailyAt('08:00'));
    expect(await a.queue.getJobSchedulersCount()).to.equal(1);
    const s = await a.queue.getJobScheduler(a.schedulerId);
    expect(s).to.include({ pattern: '0 8 * * *', tz: 'Asia/Shanghai' });
    const next = s!.next!;
    expect(new Date(next + 8 * 3600_000).toISOString().slice(11, 16)).to.equal('08:00');
    expect(next - Date.now()).to.be.within(0, 24 * 3600_000);
    expect(await a.queue.getDelayedCount(), 'one pending run').to.equal(1);
  });

  it('two processes ticking every half second: leaders get one SMS each per day, and one record is stored', async () => {
    const today = digestDayOf(Date.now());
    const runs: Array<{ day: string; first: boolean }> = [];
    const prefix = `{${config.REDIS_PREFIX}}-bull-tick`;
    await startProcess(prefix, 500, (day, first) => runs.push({ day, first }));
    await startProcess(prefix, 500, (day, first) => runs.push({ day, first }));
    await waitFor(() => runs.length >= 4, { what: 'four ticks of the digest', timeoutMs: 20_000 });
    await waitFor(() => sms.got.length >= 2, { what: 'the digest SMS' });
    expect(runs.filter((r) => r.first)).to.deep.equal([{ day: today, first: true }]);
    expect(runs.every((r) => r.day === today)).to.equal(true);
    expect(sms.got.map((m) => m.to).sort()).to.deep.equal(['13800000201', '13800000202']);
    expect(sms.got[0]!.text).to.match(new RegExp(`^【952525热线】重大事项日报 ${today}（`));
    const stored = await waitFor(async () => {
      const a = await models.Alarm.find({ key: `major-digest.${today}` }).lean();
      return a.length > 0 && a;
    }, { what: 'the stored digest' });
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ kind: 'deadline', severity: 'info', message: sms.got[0]!.text });
  });
});
