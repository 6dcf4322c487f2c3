import type { Job } from 'bullmq';
import { forbidden, isDuplicateKey } from '../core/errors';
import type { Logger } from '../core/logger';
import { previousShift, shiftAt, nextShift, type ShiftSlot, type ShiftWindow } from '../core/shifts';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';
import type { HandoverView, SessionUser, WorkOrderBrief } from '../contracts';
import { BRIEF_FIELDS, byUrgency, isUnfinished, toOrderBrief, UNFINISHED_STATUSES } from './order-brief';

/** Who may read a handover: the call centre. */
export const HANDOVER_READERS = ['agent', 'supervisor', 'admin'] as const;
/** Who may acknowledge one: the shift's leader (an agent named on the roster) or a supervisor. */
export const HANDOVER_REVIEWERS = ['agent', 'supervisor'] as const;

const LIST_LIMIT = 200;

/**
 * Rule 八, the shift handover. The shift in progress takes over **every unfinished order opened
 * before it began**: created before the shift's start instant, with status open, dispatched,
 * accepted or in progress. That is the previous shift's unfinished orders plus anything older
 * still unfinished (an order is never dropped because two shifts passed it on). Overdue orders are
 * among them (overdue is a flag, the order is unfinished) and come first; an order resolved or
 * archived is done even if it was late, and an order opened during the current shift is this
 * shift's own, not handed over. The list is read live, so an order the department resolves drops
 * off at once; the leader's acknowledgement records the numbers listed at that moment.
 *
 * The shift's Shift document (one per start instant) holds the roster (leader, agents) when one
 * was entered, the announcement stamp and the acknowledgement. Without a roster every agent is
 * taken to be on duty and the supervisors lead the shift.
 */
export class ShiftHandover {
  private readonly now: () => number;

  constructor(
    private readonly d: { models: Models; bus: EventBus; logger: Logger; shifts: readonly ShiftSlot[]; now?: () => number },
  ) {
    this.now = d.now ?? Date.now;
  }

  current(at = this.now()): ShiftWindow {
    return shiftAt(this.d.shifts, at);
  }

  previous(at = this.now()): ShiftWindow {
    return previousShift(this.d.shifts, at);
  }

  next(at = this.now()): ShiftWindow {
    return nextShift(this.d.shifts, at);
  }

  /** The orders the shift in progress at `at` takes over, most urgent first. */
  async orders(at = this.now()): Promise<WorkOrderBrief[]> {
    const shift = this.current(at);
    const docs = await this.d.models.WorkOrder.find({ createdAt: { $lt: new Date(shift.start) }, status: { $in: [...UNFINISHED_STATUSES] } })
      .select(BRIEF_FIELDS)
      .sort({ createdAt: 1 })
      .limit(LIST_LIMIT)
      .lean();
    return docs.map(toOrderBrief).sort(byUrgency);
  }

  /** Whether an order belongs on the handover list of the shift in progress at `at` (the same rule as `orders`). */
  inHandover(o: Pick<WorkOrderBrief, 'createdAt' | 'status'>, at = this.now()): boolean {
    return o.createdAt < this.current(at).start && isUnfinished(o.status);
  }

  /** The roster of the shift in progress: null when none was entered (then every agent is on duty). */
  async roster(at = this.now()): Promise<{ leader: string | null; agents: string[] } | null> {
    const doc = await this.d.models.Shift.findOne({ startsAt: new Date(this.current(at).start) }).select('leader agents').lean();
    if (!doc || (!doc.leader && !doc.agents?.length)) return null;
    return { leader: doc.leader ?? null, agents: doc.agents ?? [] };
  }

  /** Whether `workNumber` works the shift in progress (always, without a roster). */
  async onDuty(workNumber: string, at = this.now()): Promise<boolean> {
    const r = await this.roster(at);
    return !r || r.agents.length === 0 || r.agents.includes(workNumber) || r.leader === workNumber;
  }

  async view(user: SessionUser, at = this.now()): Promise<HandoverView> {
    if (!(HANDOVER_READERS as readonly string[]).includes(user.role)) throw forbidden('only the call centre reads the shift handover', '只有话务中心可以查看交接班');
    return this.build(at, user);
  }

  /** The view with `canReview` left for the caller to set per person (a console pushing to many). */
  async build(at = this.now(), user?: SessionUser): Promise<HandoverView> {
    const shift = this.current(at);
    const [doc, orders] = await Promise.all([this.d.models.Shift.findOne({ startsAt: new Date(shift.start) }).lean(), this.orders(at)]);
    const leader = doc?.leader ?? null;
    return {
      serverNow: this.now(),
      shift,
      previous: this.previous(at),
      leader,
      canReview: user ? canReview(user, leader) : false,
      reviewed: doc?.reviewedAt ? { at: doc.reviewedAt.getTime(), by: doc.reviewedBy ?? '', count: doc.reviewedOrders?.length ?? 0 } : null,
      orders,
    };
  }

  /**
   * 确认交接: the leader (or a supervisor) has gone through the list. Once per shift: the first
   * acknowledgement is stored with the numbers listed; a second one changes nothing and answers
   * with the first.
   */
  async acknowledge(user: SessionUser, at = this.now()): Promise<HandoverView> {
    const shift = this.current(at);
    await this.ensureShift(shift);
    const doc = await this.d.models.Shift.findOne({ startsAt: new Date(shift.start) }).select('leader').lean();
    if (!canReview(user, doc?.leader ?? null)) {
      throw forbidden('only the shift leader or a supervisor acknowledges the handover', '只有本班班长或值班主管可以确认交接');
    }
    const numbers = (await this.orders(at)).map((o) => o.number);
    const res = await this.d.models.Shift.updateOne(
      { startsAt: new Date(shift.start), reviewedAt: { $exists: false } },
      { $set: { reviewedAt: new Date(this.now()), reviewedBy: user.workNumber, reviewedOrders: numbers } },
    );
    if (res.modifiedCount === 1) {
      this.d.logger.info({ shift: shift.label, startsAt: shift.start, by: user.workNumber, orders: numbers.length }, 'shift handover acknowledged');
      await this.publish(shift.start, 'reviewed');
    }
    return this.build(at, user);
  }

  /**
   * The shift-start rule's step: the shift's document exists and is stamped announced, once; only
   * the call that stamped it tells the consoles, so two processes (or a retried job) announce once.
   */
  async announce(shift: ShiftWindow): Promise<boolean> {
    await this.ensureShift(shift);
    const res = await this.d.models.Shift.updateOne({ startsAt: new Date(shift.start), announcedAt: { $exists: false } }, { $set: { announcedAt: new Date(this.now()) } });
    if (res.modifiedCount !== 1) return false;
    this.d.logger.info({ shift: shift.label, startsAt: shift.start }, 'shift started: handover announced');
    await this.publish(shift.start, 'announced');
    return true;
  }

  /** The shift's document, created on first need; a roster entered beforehand is kept as it is. */
  private async ensureShift(shift: ShiftWindow): Promise<void> {
    try {
      await this.d.models.Shift.updateOne(
        { startsAt: new Date(shift.start) },
        { $setOnInsert: { name: shift.label, startsAt: new Date(shift.start), endsAt: new Date(shift.end) } },
        { upsert: true },
      );
    } catch (err) {
      // Two processes inserted at once: the unique start kept one, which is all we need.
      if (!isDuplicateKey(err)) throw err;
    }
  }

  private async publish(startsAt: number, what: 'announced' | 'reviewed'): Promise<void> {
    try {
      await this.d.bus.publish({ type: 'shift.handover', startsAt, what, at: this.now() });
    } catch (err) {
      // Stored either way: consoles read the handover with their next snapshot.
      this.d.logger.error({ err, startsAt, what }, 'shift handover event could not be published');
    }
  }
}

export function canReview(user: Pick<SessionUser, 'role' | 'workNumber'>, leader: string | null): boolean {
  return user.role === 'supervisor' || (user.role === 'agent' && leader !== null && leader === user.workNumber);
}

export interface ShiftStartJob {
  label: string;
  start: number;
  end: number;
}

/** One job per shift start, id `shift-start.<start ms>`: every process arms it, BullMQ keeps one. */
export class ShiftStartRule extends TimedRule<ShiftStartJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'shift-start' });
  }
  idFor(start: number): string {
    return this.jobId(start);
  }
  arm(shift: ShiftWindow, now = Date.now()): Promise<void> {
    return this.schedule(this.idFor(shift.start), { label: shift.label, start: shift.start, end: shift.end }, shift.start - now);
  }
}

/**
 * Runs the shift-start rule: at each start the handover is announced (once, see `announce`) and the
 * next start is armed. Each process arms the next start when it starts, so the chain survives a
 * restart of every process; the deterministic id makes all those arms one job.
 */
export class ShiftStartAnnouncer {
  constructor(
    private readonly rule: ShiftStartRule,
    private readonly handover: ShiftHandover,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.rule.process((job, j) => this.run(job, j));
    await this.rule.arm(this.handover.next());
  }

  async run(job: ShiftStartJob, _j?: Job<ShiftStartJob, void, string>): Promise<void> {
    await this.handover.announce({ label: job.label, start: job.start, end: job.end });
    // The start after this one; a job run late (all processes were down) still arms a future one.
    const next = this.handover.next(Math.max(job.start, Date.now()));
    await this.rule.arm(next).catch((err: Error) => this.logger.error({ err: err.message, next: next.start }, 'next shift start could not be armed'));
  }

  close(): Promise<void> {
    return this.rule.close();
  }
}
