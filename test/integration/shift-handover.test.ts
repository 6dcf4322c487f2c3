import { expect } from 'chai';
import type { Connection } from 'mongoose';
import type { Config } from '../../core/config';
import { openMongo, queueConnection, type RedisClient } from '../../core/connections';
import { AppError } from '../../core/errors';
import { createLogger } from '../../core/logger';
import type { DomainEvent } from '../../events/domain-events';
import { RedisEventBus } from '../../events/event-bus';
import { createModels, syncIndexes, type Models } from '../../models';
import type { WorkOrderStatus } from '../../models/enums';
import type { SessionUser } from '../../contracts';
import { ShiftHandover, ShiftStartAnnouncer, ShiftStartRule } from '../../work-orders/shift-handover';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

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
const sh = (iso: string) => Date.parse(`${iso}+08:00`);
const agent = (workNumber: string): SessionUser => ({ workNumber, name: `坐席${workNumber}`, role: 'agent' });
const supervisor: SessionUser = { workNumber: '2001', name: '班长', role: 'supervisor' };

/**
 * Rule 八 on the real database and Redis: the handover of the 08:00-16:00 shift of 2026-03-10
 * (the clock is the service's, set to 10:00 that day), its acknowledgement and the shift-start job.
 */
describe('shift handover (rule 八): the previous shift\'s unfinished orders, the leader\'s acknowledgement, the shift-start job', function () {
  this.timeout(30_000);
  let config: Config;
  let conn: Connection;
  let models: Models;
  let redis: RedisClient;
  let bus: RedisEventBus;
  const events: DomainEvent[] = [];
  let clock = sh('2026-03-10T10:00:00');
  let handover: ShiftHandover;

  before(async () => {
    config = testConfig();
    conn = await openMongo(config.MONGO_URL, logger);
    models = createModels(conn);
    await syncIndexes(models);
    redis = testRedis(config);
    bus = new RedisEventBus(redis, `${config.REDIS_PREFIX}:events`, logger);
    bus.subscribe((e) => events.push(e));
    await bus.whenSubscribed();
    handover = new ShiftHandover({ models, bus, logger, shifts: config.SHIFTS, now: () => clock });
  });
  after(async () => {
    await bus?.close();
    await deleteKeys(redis, `*${config.REDIS_PREFIX}*`);
    redis?.disconnect();
    await conn?.dropDatabase();
    await conn?.close();
  });

  let seq = 0;
  async function order(createdAt: string, status: WorkOrderStatus, extra: Record<string, unknown> = {}): Promise<string> {
    const number = `WO20260310-${String(++seq).padStart(4, '0')}`;
    await models.WorkOrder.create({
      number,
      category: 'leak',
      department: 'engineering',
      status,
      createdBy: '1001',
      contactPhone: '13800000000',
      address: `测试路 ${seq} 号`,
      description: '测试',
      createdAt: new Date(sh(createdAt)),
      ...extra,
    });
    return number;
  }

  const numbers = {} as Record<string, string>;
  before(async () => {
    // The previous shift (00:00-08:00) and older, and the current one (from 08:00).
    numbers.prevOpen = await order('2026-03-10T02:00:00', 'open');
    numbers.prevAccepted = await order('2026-03-10T07:59:59', 'accepted');
    numbers.prevOverdue = await order('2026-03-10T05:00:00', 'in_progress', { overdue: true });
    numbers.prevResolved = await order('2026-03-10T03:00:00', 'resolved', { overdue: true });
    numbers.prevArchived = await order('2026-03-10T04:00:00', 'archived');
    numbers.olderDispatched = await order('2026-03-09T20:00:00', 'dispatched');
    numbers.olderResolved = await order('2026-03-09T18:00:00', 'resolved');
    numbers.currentAtStart = await order('2026-03-10T08:00:00', 'open');
    numbers.currentOpen = await order('2026-03-10T09:30:00', 'open', { overdue: true });
  });

  it('stores the creation stamps given (the fixture is what the test says)', async () => {
    const doc = await models.WorkOrder.findOne({ number: numbers.prevOpen }).lean();
    expect(doc?.createdAt?.getTime()).to.equal(sh('2026-03-10T02:00:00'));
  });

  it('lists exactly the unfinished orders opened before the shift began, overdue first; not resolved or archived ones, not the current shift\'s', async () => {
    const view = await handover.view(agent('1002'));
    expect(view.shift).to.deep.equal({ label: '08:00-16:00', start: sh('2026-03-10T08:00:00'), end: sh('2026-03-10T16:00:00') });
    expect(view.previous.label).to.equal('00:00-08:00');
    expect(view.orders.map((o) => o.number).sort()).to.deep.equal([numbers.prevOpen, numbers.prevAccepted, numbers.prevOverdue, numbers.olderDispatched].sort());
    expect(view.orders[0]!.number).to.equal(numbers.prevOverdue);
    expect(view.orders[0]!.overdue).to.equal(true);
    expect(view.reviewed).to.equal(null);
    expect(view.leader).to.equal(null);
    expect(view.canReview).to.equal(false);
    // The same rule the consoles use for a single order.
    expect(handover.inHandover({ createdAt: sh('2026-03-10T07:59:59'), status: 'accepted' })).to.equal(true);
    expect(handover.inHandover({ createdAt: sh('2026-03-10T08:00:00'), status: 'open' })).to.equal(false);
    expect(handover.inHandover({ createdAt: sh('2026-03-10T07:00:00'), status: 'resolved' })).to.equal(false);
  });

  it('an order resolved meanwhile drops off the list at once', async () => {
    const extra = await order('2026-03-10T06:00:00', 'dispatched');
    expect((await handover.orders()).map((o) => o.number)).to.include(extra);
    await models.WorkOrder.updateOne({ number: extra }, { $set: { status: 'resolved' } });
    expect((await handover.orders()).map((o) => o.number)).not.to.include(extra);
  });

  it('the acknowledgement: refused in Chinese for an agent who is not the leader; the leader\'s is stored once, a second one changes nothing', async () => {
    await models.Shift.create({ name: '早班', startsAt: new Date(sh('2026-03-10T08:00:00')), endsAt: new Date(sh('2026-03-10T16:00:00')), leader: '1003', agents: ['1002', '1003', '1004'] });
    const refused = await handover.acknowledge(agent('1002')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(AppError);
    expect((refused as AppError).status).to.equal(403);
    expect((refused as AppError).zh).to.equal('只有本班班长或值班主管可以确认交接');
    expect((await models.Shift.findOne({ startsAt: new Date(sh('2026-03-10T08:00:00')) }).lean())?.reviewedAt).to.equal(undefined);

    const before = events.length;
    clock = sh('2026-03-10T08:20:00');
    const first = await handover.acknowledge(agent('1003'));
    expect(first.reviewed).to.deep.equal({ at: sh('2026-03-10T08:20:00'), by: '1003', count: 4 });
    expect(first.leader).to.equal('1003');
    expect(first.canReview).to.equal(true);
    const stored = await models.Shift.findOne({ startsAt: new Date(sh('2026-03-10T08:00:00')) }).lean();
    expect(stored?.reviewedBy).to.equal('1003');
    expect([...(stored?.reviewedOrders ?? [])].sort()).to.deep.equal([numbers.prevOpen, numbers.prevAccepted, numbers.prevOverdue, numbers.olderDispatched].sort());
    await waitFor(() => events.slice(before).some((e) => e.type === 'shift.handover' && e.what === 'reviewed'), { what: 'reviewed event' });

    // Again, by the leader and by a supervisor, later: the first acknowledgement stands.
    clock = sh('2026-03-10T09:00:00');
    const again = await handover.acknowledge(agent('1003'));
    const bySupervisor = await handover.acknowledge(supervisor);
    expect(again.reviewed).to.deep.equal(first.reviewed);
    expect(bySupervisor.reviewed).to.deep.equal(first.reviewed);
    const after = await models.Shift.findOne({ startsAt: new Date(sh('2026-03-10T08:00:00')) }).lean();
    expect(after?.reviewedAt?.getTime()).to.equal(sh('2026-03-10T08:20:00'));
    expect(after?.reviewedBy).to.equal('1003');
    expect(events.slice(before).filter((e) => e.type === 'shift.handover' && e.what === 'reviewed')).to.have.length(1);
    expect(await models.Shift.countDocuments({})).to.equal(1);
  });

  it('without a roster the supervisors lead: a supervisor acknowledges, an agent may not; every agent is on duty', async () => {
    clock = sh('2026-03-10T17:00:00'); // 16:00-24:00, no Shift document yet
    expect(await handover.onDuty('1009')).to.equal(true);
    const refused = await refusal(handover.acknowledge(agent('1001')));
    expect((refused as AppError).zh).to.equal('只有本班班长或值班主管可以确认交接');
    const view = await handover.acknowledge(supervisor);
    expect(view.reviewed?.by).to.equal('2001');
    // This shift takes over the morning's unfinished orders too, and the one opened at 08:00.
    expect(view.orders.map((o) => o.number)).to.include.members([numbers.currentAtStart, numbers.currentOpen, numbers.prevOpen]);
    clock = sh('2026-03-10T10:00:00');
    expect(await handover.onDuty('1009')).to.equal(false); // the morning roster names 1002–1004
    expect(await handover.onDuty('1004')).to.equal(true);
  });

  it('a department user cannot read the handover (Chinese refusal)', async () => {
    const err = await refusal(handover.view({ workNumber: '3001', name: '工程', role: 'department', department: 'engineering' }));
    expect((err as AppError).status).to.equal(403);
    expect((err as AppError).zh).to.equal('只有话务中心可以查看交接班');
  });

  it('the shift-start job: armed by two processes for one start, it announces once (one Shift stamp, one event)', async () => {
    const ruleOpts = { connection: queueConnection(config, redis), prefix: `{${config.REDIS_PREFIX}}-bull`, logger };
    const realClock = () => Date.now();
    const a = new ShiftHandover({ models, bus, logger, shifts: config.SHIFTS, now: realClock });
    const b = new ShiftHandover({ models, bus, logger, shifts: config.SHIFTS, now: realClock });
    const ruleA = new ShiftStartRule(ruleOpts);
    const ruleB = new ShiftStartRule(ruleOpts);
    const procA = new ShiftStartAnnouncer(ruleA, a, logger);
    const procB = new ShiftStartAnnouncer(ruleB, b, logger);
    try {
      await procA.start();
      await procB.start();
      // Both processes armed the next real shift start: one job.
      const next = a.next();
      const armed = await ruleA.queue.getJob(ruleA.idFor(next.start));
      expect(armed?.data).to.include({ start: next.start, end: next.end, label: next.label });
      expect(await ruleA.queue.getDelayedCount()).to.equal(1);

      // A start due now (shortened: a shift of 2026-03-11 armed with no delay), armed by both.
      const start = { label: '00:00-08:00', start: sh('2026-03-11T00:00:00'), end: sh('2026-03-11T08:00:00') };
      const from = events.length;
      await Promise.all([ruleA.arm(start, start.start), ruleB.arm(start, start.start)]);
      const doc = await waitFor(async () => (await models.Shift.findOne({ startsAt: new Date(start.start), announcedAt: { $exists: true } }).lean()) ?? undefined, { what: 'announced shift' });
      expect(doc.name).to.equal('00:00-08:00');
      expect(doc.endsAt.getTime()).to.equal(start.end);
      // Run again as a retried job on the other process would: no second announcement.
      await procB.run(start);
      // A marker published after the run arrives after anything the run published (one ordered channel).
      const marker = { type: 'work-order.changed' as const, number: 'WO20000101-0000', department: 'engineering' as const, at: Date.now() };
      await bus.publish(marker);
      await waitFor(async () => events.some((e) => e.type === 'work-order.changed' && e.number === marker.number), { what: 'the marker event' });
      const announced = events.slice(from).filter((e) => e.type === 'shift.handover' && e.what === 'announced' && e.startsAt === start.start);
      expect(announced).to.have.length(1);
      expect(await models.Shift.countDocuments({ startsAt: new Date(start.start) })).to.equal(1);
    } finally {
      await procA.close();
      await procB.close();
    }
  });
});
