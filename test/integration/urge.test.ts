import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Connection } from 'mongoose';
import { createApp } from '../../api/app';
import { ApiRoutes } from '../../api/routes';
import { TokenService } from '../../auth/token-service';
import type { Config } from '../../core/config';
import { openMongo, type RedisClient } from '../../core/connections';
import { AppError } from '../../core/errors';
import { createLogger } from '../../core/logger';
import type { DomainEvent } from '../../events/domain-events';
import { RedisEventBus } from '../../events/event-bus';
import { createModels, syncIndexes, type Models } from '../../models';
import type { NoticeChannel, WorkOrderStatus } from '../../models/enums';
import type { ErrorBody, SessionUser, UrgeResult } from '../../contracts';
import type { DepartmentNotifier, NoticeReason, OrderRef } from '../../work-orders/ports';
import { ShiftHandover } from '../../work-orders/shift-handover';
import { UrgeService } from '../../work-orders/urge';
import { urgeRoutes } from '../../work-orders/urge-routes';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';
import { OrderLocks } from '../../work-orders/order-lock';

const logger = createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'test' });

/** The AppError a call was refused with; fails the test when the call succeeds. */
async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err;
}

/**
 * A recording implementation of the DepartmentNotifier port: it keeps every notice asked of it
 * (the real notifier, SMS and the recorded call, is wired by main.ts and tested with it). Set
 * `failing` to stand for a notifier that cannot reach the department.
 */
class RecordingNotifier implements DepartmentNotifier {
  readonly sent: Array<{ order: OrderRef; reason: NoticeReason; by: string }> = [];
  failing = false;
  async notify(order: OrderRef, reason: NoticeReason, by: string): Promise<{ channels: NoticeChannel[] }> {
    if (this.failing) throw new Error('gateway down');
    this.sent.push({ order, reason, by });
    return { channels: ['sms', 'call'] };
  }
}

const agent = (workNumber: string): SessionUser => ({ workNumber, name: `坐席${workNumber}`, role: 'agent' });

describe('催办 (urging): re-notifies the department once, records the urging, refuses what it must', function () {
  this.timeout(30_000);
  let config: Config;
  let conn: Connection;
  let models: Models;
  let redis: RedisClient;
  let bus: RedisEventBus;
  let notifier: RecordingNotifier;
  let urge: UrgeService;
  let handover: ShiftHandover;
  const events: DomainEvent[] = [];

  before(async () => {
    config = testConfig({ URGE_REPEAT_MS: '1500' });
    conn = await openMongo(config.MONGO_URL, logger);
    models = createModels(conn);
    await syncIndexes(models);
    redis = testRedis(config);
    bus = new RedisEventBus(redis, `${config.REDIS_PREFIX}:events`, logger);
    bus.subscribe((e) => events.push(e));
    await bus.whenSubscribed();
    notifier = new RecordingNotifier();
    handover = new ShiftHandover({ models, bus, logger, shifts: config.SHIFTS });
    urge = new UrgeService({ models, redis, bus, notifier, onDuty: (wn) => handover.onDuty(wn), keyPrefix: config.REDIS_PREFIX, repeatMs: config.URGE_REPEAT_MS, logger, locks: new OrderLocks(redis, config.REDIS_PREFIX) });
  });
  after(async () => {
    await bus?.close();
    await deleteKeys(redis, `*${config.REDIS_PREFIX}*`);
    redis?.disconnect();
    await conn?.dropDatabase();
    await conn?.close();
  });

  let seq = 0;
  async function order(status: WorkOrderStatus, extra: Record<string, unknown> = {}): Promise<string> {
    const number = `WO20260310-${String(++seq).padStart(4, '0')}`;
    await models.WorkOrder.create({
      number,
      category: 'leak',
      department: 'engineering',
      status,
      createdBy: '1001',
      owner: '1001',
      contactPhone: '13800000000',
      address: `解放路 ${seq} 号`,
      description: '漏水',
      dueBy: new Date(Date.now() - 60_000),
      dueVersion: 2,
      overdue: true,
      ...extra,
    });
    return number;
  }

  it('a double click urges once: the department is notified once with reason urge, the order records one urging', async () => {
    const number = await order('dispatched');
    const from = events.length;
    const [a, b] = await Promise.all([urge.urge(number, agent('1001')), urge.urge(number, agent('1001'))]);
    expect([a.repeated, b.repeated].sort()).to.deep.equal([false, true]);
    const done = a.repeated ? b : a;
    expect(done.channels).to.deep.equal(['sms', 'call']);
    expect(done.order.urgeCount).to.equal(1);
    expect(notifier.sent.filter((s) => s.order.number === number)).to.have.length(1);
    const sent = notifier.sent.find((s) => s.order.number === number)!;
    expect(sent.reason).to.equal('urge');
    expect(sent.by).to.equal('1001');
    expect(sent.order).to.include({ number, department: 'engineering', category: 'leak', address: '解放路 1 号', dueVersion: 2 });

    const doc = await models.WorkOrder.findOne({ number }).lean();
    expect(doc?.urgeCount).to.equal(1);
    expect(doc?.urgedAt).to.be.instanceOf(Date);
    const urged = doc!.history.filter((h) => h.action === 'urged');
    expect(urged).to.have.length(1);
    expect(urged[0]!.by).to.equal('1001');
    expect(urged[0]!.note).to.equal('催办（短信、语音电话）');
    await waitFor(() => events.slice(from).some((e) => e.type === 'work-order.changed' && e.number === number), { what: 'work-order.changed' });
  });

  it('after the repeat window, a second urging notifies again and counts 2', async () => {
    const number = await order('accepted');
    await urge.urge(number, agent('1001'));
    const again = await urge.urge(number, agent('1001'));
    expect(again.repeated).to.equal(true);
    await waitFor(async () => (await redis.exists(`${config.REDIS_PREFIX}:wo-urge:${number}`)) === 0, { what: 'the repeat window to pass', timeoutMs: 5000 });
    const second = await urge.urge(number, { workNumber: '2001', name: '班长', role: 'supervisor' });
    expect(second.repeated).to.equal(false);
    expect(second.order.urgeCount).to.equal(2);
    expect(notifier.sent.filter((s) => s.order.number === number).map((s) => s.by)).to.deep.equal(['1001', '2001']);
  });

  it('refuses resolved and archived orders in Chinese, and tells nobody', async () => {
    for (const [status, zh] of [
      ['resolved', '已办结，无需催办'],
      ['archived', '已归档，无需催办'],
    ] as const) {
      const number = await order(status);
      const err = await refusal(urge.urge(number, agent('1001')));
      expect(err).to.be.instanceOf(AppError);
      expect(err.status).to.equal(409);
      expect(err.zh).to.equal(`工单 ${number} ${zh}`);
      expect(notifier.sent.some((s) => s.order.number === number)).to.equal(false);
      expect((await models.WorkOrder.findOne({ number }).lean())?.urgeCount).to.equal(0);
    }
  });

  it('an agent urges their own orders, or those of their shift; not another\'s when off the roster; a department user never', async () => {
    const number = await order('open');
    const now = Date.now();
    const shift = handover.current(now);
    await models.Shift.create({ name: shift.label, startsAt: new Date(shift.start), endsAt: new Date(shift.end), leader: '1003', agents: ['1001', '1002', '1003'] });
    const off = await refusal(urge.urge(number, agent('1009')));
    expect(off.status).to.equal(403);
    expect(off.zh).to.equal('只能催办自己负责的工单，或本班交接的工单');
    const dept = await refusal(urge.urge(number, { workNumber: '3001', name: '工程', role: 'department', department: 'engineering' }));
    expect(dept.status).to.equal(403);
    expect(dept.zh).to.equal('只有话务中心可以催办工单');
    expect(notifier.sent.some((s) => s.order.number === number)).to.equal(false);
    // 1002 is on this shift's roster.
    expect((await urge.urge(number, agent('1002'))).repeated).to.equal(false);
    await models.Shift.deleteMany({});
  });

  it('when the department cannot be notified: 503 in Chinese, nothing recorded, and the next click tries again', async () => {
    const number = await order('dispatched');
    notifier.failing = true;
    const err = await refusal(urge.urge(number, agent('1001')));
    notifier.failing = false;
    expect(err.status).to.equal(503);
    expect(err.zh).to.equal('催办通知未能发出，请稍后重试');
    const doc = await models.WorkOrder.findOne({ number }).lean();
    expect(doc?.urgeCount).to.equal(0);
    expect(doc?.history.some((h) => h.action === 'urged')).to.equal(false);
    const retry = await urge.urge(number, agent('1001'));
    expect(retry.repeated).to.equal(false);
    expect(retry.order.urgeCount).to.equal(1);
  });

  describe('over REST (the routes main.ts mounts)', () => {
    let server: Server;
    let url: string;
    let tokens: TokenService;
    before(async () => {
      tokens = new TokenService(config.JWT_SECRET, config.TOKEN_TTL);
      const api = new ApiRoutes(tokens);
      urgeRoutes(api, urge, handover);
      server = createApp({ logger, probes: [], api }).listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server?.close());

    const post = async (path: string, user: SessionUser) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens.issue(user).token}` } });

    it('POST /api/work-orders/:number/urge: 200 with the urging, 409 with the Chinese reason, 403 for a department user', async () => {
      const number = await order('in_progress');
      const ok = await post(`/api/work-orders/${number}/urge`, agent('1001'));
      expect(ok.status).to.equal(200);
      const body = (await ok.json()) as UrgeResult;
      expect(body).to.deep.include({ repeated: false, channels: ['sms', 'call'] });
      expect(body.order).to.include({ number, urgeCount: 1, overdue: true, owner: '1001' });

      const done = await order('resolved');
      const refused = await post(`/api/work-orders/${done}/urge`, agent('1001'));
      expect(refused.status).to.equal(409);
      expect(((await refused.json()) as ErrorBody).error.zh).to.equal(`工单 ${done} 已办结，无需催办`);

      const dept = await post(`/api/work-orders/${number}/urge`, { workNumber: '3001', name: '工程', role: 'department', department: 'engineering' });
      expect(dept.status).to.equal(403);
      const bad = await post('/api/work-orders/nonsense/urge', agent('1001'));
      expect(bad.status).to.equal(400);
    });

    it('GET /api/shifts/current and POST /api/shifts/current/ack', async () => {
      const view = await fetch(`${url}/api/shifts/current`, { headers: { authorization: `Bearer ${tokens.issue(agent('1001')).token}` } });
      expect(view.status).to.equal(200);
      const refused = await post('/api/shifts/current/ack', agent('1001'));
      expect(refused.status).to.equal(403);
      expect(((await refused.json()) as ErrorBody).error.zh).to.equal('只有本班班长或值班主管可以确认交接');
      const acked = await post('/api/shifts/current/ack', { workNumber: '2001', name: '班长', role: 'supervisor' });
      expect(acked.status).to.equal(200);
    });
  });
});
