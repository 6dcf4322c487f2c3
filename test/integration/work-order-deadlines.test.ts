import { expect } from 'chai';
import type { Connection } from 'mongoose';
import { loadConfig } from '../../core/config';
import { openMongo, queueConnection, type RedisClient } from '../../core/connections';
import { createLogger } from '../../core/logger';
import type { DomainEvent } from '../../events/domain-events';
import { RedisEventBus } from '../../events/event-bus';
import { createModels, syncIndexes, type Models } from '../../models';
import { applyWrites } from '../../models/apply-write';
import type { WorkOrderCategory } from '../../models/enums';
import { RecordOutbox } from '../../queue/record-outbox';
import { deadlineRules, WorkOrderDeadlineRules } from '../../work-orders/deadlines';
import type { OrderRef } from '../../work-orders/ports';
import { WorkOrderTimeLimits } from '../../work-orders/time-limits';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';
import { OrderLocks } from '../../work-orders/order-lock';

const NOTICE_MS = 700;
const ACCEPT_MS = 900;

/**
 * The deadline rules of work orders on real Redis (BullMQ) and FerretDB, durations shortened
 * through the config: each CTI process is its own Redis client, event bus, record outbox and set
 * of BullMQ rules, as main.ts builds them.
 */
describe('work-order deadlines: notice, complaint acceptance, completion limit (two processes)', function () {
  this.timeout(60_000);
  const config = testConfig({ WORK_ORDER_NOTICE_MS: String(NOTICE_MS), WORK_ORDER_COMPLAINT_ACCEPT_MS: String(ACCEPT_MS) });
  const limits = WorkOrderTimeLimits.fromConfig(config);
  const logger = createLogger({ LOG_LEVEL: config.LOG_LEVEL, NODE_ID: 'deadlines-test' });
  const bullPrefix = `{${config.REDIS_PREFIX}}-bull`;
  let mongo: Connection;
  let models: Models;
  let watcher: RedisClient;
  let watchBus: RedisEventBus;
  const events: DomainEvent[] = [];

  interface Proc {
    redis: RedisClient;
    bus: RedisEventBus;
    outbox: RecordOutbox;
    deadlines: WorkOrderDeadlineRules;
    stop(): Promise<void>;
  }
  const procs: Proc[] = [];

  function startProcess(name: string): Proc {
    const redis = testRedis(config);
    const log = logger.child({ node: name });
    const bus = new RedisEventBus(redis, `${config.REDIS_PREFIX}:events`, log);
    const outbox = new RecordOutbox(redis, `{${config.REDIS_PREFIX}}`, applyWrites(models, log), log, 100);
    outbox.start();
    const deadlines = new WorkOrderDeadlineRules({
      models,
      bus,
      outbox,
      locks: new OrderLocks(redis, config.REDIS_PREFIX),
      rules: deadlineRules({ connection: queueConnection(config, redis), prefix: bullPrefix, logger: log }),
      settings: { noticeMs: config.WORK_ORDER_NOTICE_MS, acceptMs: config.WORK_ORDER_COMPLAINT_ACCEPT_MS, escalateNoticeLate: config.WORK_ORDER_ESCALATE_NOTICE_LATE },
      logger: log,
    });
    deadlines.start();
    const p: Proc = {
      redis,
      bus,
      outbox,
      deadlines,
      async stop() {
        await deadlines.close();
        outbox.stop();
        await bus.close();
        redis.disconnect();
        procs.splice(procs.indexOf(p), 1);
      },
    };
    procs.push(p);
    return p;
  }

  before(async () => {
    mongo = await openMongo(config.MONGO_URL, logger);
    models = createModels(mongo);
    await syncIndexes(models);
    watcher = testRedis(config);
    watchBus = new RedisEventBus(watcher, `${config.REDIS_PREFIX}:events`, logger);
    watchBus.subscribe((e) => events.push(e));
    await watchBus.whenSubscribed();
    startProcess('a');
    startProcess('b');
  });
  after(async () => {
    for (const p of [...procs]) await p.stop();
    await watchBus?.close();
    if (watcher) {
      await deleteKeys(watcher, `*${config.REDIS_PREFIX}*`);
      watcher.disconnect();
    }
    await mongo?.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  let seq = 0;
  /** A stored order as the lifecycle leaves it after creation, and its ref for the deadlines. */
  async function order(category: WorkOrderCategory, o: { dueInMs?: number } = {}): Promise<OrderRef> {
    seq += 1;
    const number = `WO20260101-${String(seq).padStart(4, '0')}`;
    const createdAt = Date.now();
    const acceptBy = limits.acceptByFor(category, createdAt);
    const dueBy = createdAt + (o.dueInMs ?? 60_000);
    await models.WorkOrder.create({
      number,
      category,
      department: category === 'complaint' ? 'business' : 'engineering',
      status: 'dispatched',
      createdBy: '1001',
      contactPhone: '13100000001',
      address: `东风路 ${seq} 号`,
      description: '测试工单',
      createdAt: new Date(createdAt),
      dispatchBy: new Date(limits.noticeByFor(createdAt)),
      ...(acceptBy ? { acceptBy: new Date(acceptBy) } : {}),
      dueBy: new Date(dueBy),
      dueVersion: 0,
      history: [{ at: new Date(createdAt), by: '1001', action: 'created' }],
    });
    return {
      number,
      category,
      department: category === 'complaint' ? 'business' : 'engineering',
      emergency: false,
      createdAt,
      address: `东风路 ${seq} 号`,
      dueBy,
      dueVersion: 0,
      acceptBy,
    };
  }

  /** Both processes are told (as two lifecycles racing on one order would): one job per deadline. */
  async function opened(o: OrderRef): Promise<void> {
    await Promise.all(procs.map((p) => p.deadlines.opened(o)));
  }

  const alarmsOf = (key: string) => models.Alarm.find({ key }).lean();
  const doc = async (number: string) => (await models.WorkOrder.findOne({ number }).lean())!;
  const historyOf = async (number: string, action: string) => (await doc(number)).history.filter((h) => h.action === action);
  const raisedEvents = (key: string) => events.filter((e) => e.type === 'alarm.raised' && e.key === key);
  const rules = () => procs[0]!.deadlines.rules;
  /** The job ran and is gone (completed and removed): nothing of it can fire any more. */
  const jobGone = (id: string, rule: 'notice' | 'accept' | 'due') =>
    waitFor(async () => (await rules()[rule].queue.getJob(id)) === undefined, { what: `job ${id} done`, timeoutMs: 15_000 });

  it('an unacknowledged order alarms exactly once at the notice deadline and is flagged late', async () => {
    const o = await order('leak');
    await opened(o);
    const key = `wo-notice-late.${o.number}`;
    const [alarm] = await waitFor(async () => {
      const a = await alarmsOf(key);
      return a.length > 0 && a;
    }, { what: 'notice-late alarm', timeoutMs: 15_000 });
    await jobGone(rules().notice.idFor(o.number), 'notice');
    expect(alarm!.raisedAt.getTime()).to.be.at.least(o.createdAt + NOTICE_MS);
    expect(alarm!).to.include({ kind: 'deadline', severity: 'warning' });
    expect(alarm!.message).to.equal(`工单 ${o.number}（报漏 · 工程公司）派单 1 秒内无人确认接收，请电话督促部门：${o.address}`);
    const d = await doc(o.number);
    expect(d.noticeLate).to.equal(true);
    expect(await historyOf(o.number, 'notice-late')).to.have.length(1);
    // Art. 7 escalates what the department is late with; the notice is the call centre's (default off).
    expect(d.escalated).to.equal(false);
    expect(await alarmsOf(key)).to.have.length(1);
    await waitFor(() => raisedEvents(key).length > 0, { what: 'alarm.raised on the bus' });
    expect(raisedEvents(key)).to.have.length(1);
    expect(events.some((e) => e.type === 'work-order.changed' && e.number === o.number)).to.equal(true);
  });

  it('an order acknowledged in time raises nothing: cancelled, or (a job already running) found acknowledged', async () => {
    const cancelled = await order('leak');
    await opened(cancelled);
    await models.WorkOrder.updateOne({ number: cancelled.number }, { $set: { 'notice.acknowledgedAt': new Date(), 'notice.acknowledgedBy': '13900000001' } });
    await procs[1]!.deadlines.acknowledged(cancelled.number);
    expect(await rules().notice.queue.getJob(rules().notice.idFor(cancelled.number))).to.equal(undefined);

    // Acknowledged on the order, but the job is left to run: it reads the order and stands down.
    const running = await order('leak');
    await opened(running);
    await models.WorkOrder.updateOne({ number: running.number }, { $set: { 'notice.acknowledgedAt': new Date(), 'notice.acknowledgedBy': '13900000001' } });
    await jobGone(rules().notice.idFor(running.number), 'notice');
    for (const o of [cancelled, running]) {
      expect(await alarmsOf(`wo-notice-late.${o.number}`), o.number).to.have.length(0);
      expect((await doc(o.number)).noticeLate).to.equal(false);
      expect(await historyOf(o.number, 'notice-late')).to.have.length(0);
    }
  });

  it('a complaint not accepted in time is escalated to admin_hr once, with a supervisor alarm', async () => {
    const o = await order('complaint');
    await opened(o);
    // The department heard of it in time: only the acceptance is late.
    await models.WorkOrder.updateOne({ number: o.number }, { $set: { 'notice.acknowledgedAt': new Date() } });
    await procs[0]!.deadlines.acknowledged(o.number);
    const key = `wo-accept-late.${o.number}`;
    await waitFor(async () => (await alarmsOf(key)).length > 0, { what: 'accept-late alarm', timeoutMs: 15_000 });
    await jobGone(rules().accept.idFor(o.number), 'accept');
    const d = await doc(o.number);
    expect(d.acceptLate).to.equal(true);
    expect(d.escalated).to.equal(true);
    expect(d.escalations.map((e) => ({ reason: e.reason, to: e.to, by: e.by }))).to.deep.equal([{ reason: 'accept-late', to: 'admin_hr', by: 'system' }]);
    expect(d.escalations[0]!.at.getTime()).to.be.at.least(o.acceptBy!);
    expect(await historyOf(o.number, 'accept-late')).to.have.length(1);
    expect(await historyOf(o.number, 'escalated')).to.have.length(1);
    const [alarm] = await alarmsOf(key);
    expect(alarm!.message).to.equal(`投诉工单 ${o.number}（营业部）超时未受理，已升级至行政人事部`);
    expect(d.noticeLate).to.equal(false);
    expect(await alarmsOf(`wo-notice-late.${o.number}`)).to.have.length(0);
  });

  it('a complaint accepted in time: nothing, whether its job was cancelled or found it accepted', async () => {
    const cancelled = await order('complaint');
    await opened(cancelled);
    await models.WorkOrder.updateOne({ number: cancelled.number }, { $set: { status: 'accepted', acceptedAt: new Date() } });
    await procs[0]!.deadlines.accepted(cancelled.number);
    expect(await rules().accept.queue.getJob(rules().accept.idFor(cancelled.number))).to.equal(undefined);
    expect(await rules().notice.queue.getJob(rules().notice.idFor(cancelled.number)), 'accepting stands the notice rule down too').to.equal(undefined);

    const running = await order('complaint');
    await opened(running);
    await models.WorkOrder.updateOne({ number: running.number }, { $set: { status: 'accepted', acceptedAt: new Date() } });
    await jobGone(rules().accept.idFor(running.number), 'accept');
    await jobGone(rules().notice.idFor(running.number), 'notice');
    for (const o of [cancelled, running]) {
      const d = await doc(o.number);
      expect(d.acceptLate, o.number).to.equal(false);
      expect(d.noticeLate, o.number).to.equal(false);
      expect(d.escalations).to.have.length(0);
      expect(await models.Alarm.countDocuments({ key: new RegExp(o.number) })).to.equal(0);
    }
  });

  it('an approved extension moves the deadline: the original completion job never fires, the new one does', async () => {
    const o = await order('leak', { dueInMs: 1200 });
    await opened(o);
    // Acknowledged and accepted, so only the completion limit is left to run.
    await models.WorkOrder.updateOne({ number: o.number }, { $set: { status: 'in_progress', acceptedAt: new Date(), 'notice.acknowledgedAt': new Date() } });
    await procs[0]!.deadlines.accepted(o.number);
    // The leader approves: the lifecycle bumps the version and stores the new time, then tells the rules.
    const newDue = Date.now() + 2500;
    await models.WorkOrder.updateOne({ number: o.number }, { $set: { dueBy: new Date(newDue), dueVersion: 1 } });
    await procs[1]!.deadlines.dueMoved({ ...o, dueBy: newDue, dueVersion: 1 });
    expect(await rules().due.queue.getJob(rules().due.idFor(o.number, 0)), 'old job cancelled').to.equal(undefined);
    expect(await rules().due.queue.getJob(rules().due.idFor(o.number, 1)), 'new job armed').to.not.equal(undefined);
    // Belt and braces: an old-version job that was already running when it was cancelled finds the
    // order moved on and does nothing.
    await rules().due.schedule(rules().due.idFor(o.number, 0), { number: o.number, dueVersion: 0 }, 0);
    await jobGone(rules().due.idFor(o.number, 0), 'due');
    expect((await doc(o.number)).overdue).to.equal(false);

    const key = `wo-overdue.${o.number}.1`;
    const [alarm] = await waitFor(async () => {
      const a = await alarmsOf(key);
      return a.length > 0 && a;
    }, { what: 'overdue alarm of the extended limit', timeoutMs: 15_000 });
    await jobGone(rules().due.idFor(o.number, 1), 'due');
    expect(alarm!.raisedAt.getTime()).to.be.at.least(newDue);
    expect(alarm!.message).to.match(new RegExp(`^工单 ${o.number}（报漏 · 工程公司）超过办结时限未办结，应于 \\d\\d-\\d\\d \\d\\d:\\d\\d 前办结，已升级至行政人事部并列入催办$`));
    expect(await alarmsOf(`wo-overdue.${o.number}.0`)).to.have.length(0);
    const d = await doc(o.number);
    expect(d.overdue).to.equal(true);
    expect(d.escalations.map((e) => e.reason)).to.deep.equal(['overdue']);
    expect(await historyOf(o.number, 'overdue')).to.have.length(1);
  });

  it('a resolved order is never overdue; a later extension takes an overdue order off the 催办 list', async () => {
    const resolved = await order('pressure', { dueInMs: 600 });
    await opened(resolved);
    await models.WorkOrder.updateOne({ number: resolved.number }, { $set: { status: 'resolved', resolvedAt: new Date() } });
    await jobGone(rules().due.idFor(resolved.number, 0), 'due');
    expect((await doc(resolved.number)).overdue).to.equal(false);
    expect(await alarmsOf(`wo-overdue.${resolved.number}.0`)).to.have.length(0);

    const late = await order('pressure', { dueInMs: 400 });
    await models.WorkOrder.updateOne({ number: late.number }, { $set: { status: 'in_progress', 'notice.acknowledgedAt': new Date() } });
    await opened(late);
    // The alarm is the rule's last step: flagged, escalated and alarmed by then.
    await waitFor(async () => (await alarmsOf(`wo-overdue.${late.number}.0`)).length > 0, { what: 'overdue alarm', timeoutMs: 15_000 });
    expect((await doc(late.number)).overdue).to.equal(true);
    const newDue = Date.now() + 60_000;
    await models.WorkOrder.updateOne({ number: late.number }, { $set: { dueBy: new Date(newDue), dueVersion: 1 } });
    await procs[0]!.deadlines.dueMoved({ ...late, dueBy: newDue, dueVersion: 1 });
    const d = await doc(late.number);
    expect(d.overdue).to.equal(false);
    expect(d.escalations.map((e) => e.reason), 'the escalation stays on record').to.deep.equal(['overdue']);
    await procs[0]!.deadlines.closed(late.number);
    expect(await rules().due.queue.getJob(rules().due.idFor(late.number, 1))).to.equal(undefined);
  });

  it('WORK_ORDER_ESCALATE_NOTICE_LATE=true also escalates a late notice to admin_hr, once', async () => {
    const o = await order('leak');
    const p = procs[0]!;
    const strict = new WorkOrderDeadlineRules({
      models,
      bus: p.bus,
      outbox: p.outbox,
      locks: new OrderLocks(p.redis, config.REDIS_PREFIX),
      rules: p.deadlines.rules,
      settings: { noticeMs: NOTICE_MS, acceptMs: ACCEPT_MS, escalateNoticeLate: loadConfig({ WORK_ORDER_ESCALATE_NOTICE_LATE: 'true' }).WORK_ORDER_ESCALATE_NOTICE_LATE },
      logger,
    });
    await p.deadlines.rules.notice.cancel(p.deadlines.rules.notice.idFor(o.number));
    await strict.noticeDue({ number: o.number });
    await strict.noticeDue({ number: o.number });
    const d = await doc(o.number);
    expect(d.noticeLate).to.equal(true);
    expect(d.escalations.map((e) => e.reason)).to.deep.equal(['notice-late']);
    expect(await historyOf(o.number, 'notice-late')).to.have.length(1);
    await waitFor(async () => (await alarmsOf(`wo-notice-late.${o.number}`)).length === 1, { what: 'notice-late alarm' });
  });

  it('each effect once across two processes, a retried job and a restart of every process', async () => {
    const notice = await order('fault');
    const complaint = await order('complaint');
    const due = await order('leak', { dueInMs: 3000 });
    for (const o of [notice, complaint, due]) await opened(o);
    // Every process stops and a fresh one starts on the same Redis and database: the jobs wait for it.
    for (const p of [...procs]) await p.stop();
    const restartedAt = Date.now();
    const fresh = startProcess('c');
    startProcess('d');
    const pending = await rules().due.queue.getJob(rules().due.idFor(due.number, 0));
    expect(await pending?.isDelayed(), 'the completion job crossed the restart').to.equal(true);
    const keys = [`wo-notice-late.${notice.number}`, `wo-accept-late.${complaint.number}`, `wo-overdue.${due.number}.0`];
    await waitFor(async () => (await models.Alarm.countDocuments({ key: { $in: keys } })) === keys.length, { what: 'the three alarms', timeoutMs: 20_000 });
    for (const o of [notice, complaint, due]) await jobGone(rules().notice.idFor(o.number), 'notice');
    await jobGone(rules().accept.idFor(complaint.number), 'accept');
    await jobGone(rules().due.idFor(due.number, 0), 'due');
    // A retry (or the other process) running the same instances again changes nothing.
    await fresh.deadlines.noticeDue({ number: notice.number });
    await fresh.deadlines.acceptDue({ number: complaint.number });
    await fresh.deadlines.completionDue({ number: due.number, dueVersion: 0 });
    for (const key of keys) {
      expect(await alarmsOf(key), key).to.have.length(1);
      await waitFor(() => raisedEvents(key).length > 0, { what: `alarm.raised ${key}` });
      expect(raisedEvents(key), key).to.have.length(1);
    }
    expect(await historyOf(notice.number, 'notice-late')).to.have.length(1);
    expect(await historyOf(complaint.number, 'accept-late')).to.have.length(1);
    expect(await historyOf(complaint.number, 'escalated')).to.have.length(1);
    expect((await doc(complaint.number)).escalations).to.have.length(1);
    expect(await historyOf(due.number, 'overdue')).to.have.length(1);
    expect((await doc(due.number)).escalations.map((e) => e.reason)).to.deep.equal(['overdue']);
    const [overdue] = await alarmsOf(`wo-overdue.${due.number}.0`);
    expect(overdue!.raisedAt.getTime()).to.be.at.least(Math.max(restartedAt, due.dueBy!));
  });
});
