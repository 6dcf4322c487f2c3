import type { Job } from 'bullmq';
import { raiseAlarm } from '../alarms/raise';
import type { Logger } from '../core/logger';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import { CATEGORY_LABEL, DEPARTMENT_LABEL, type DepartmentCode, type WorkOrderCategory, type WorkOrderStatus } from '../models/enums';
import type { RecordOutbox } from '../queue/record-outbox';
import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';
import { escalate } from './escalate';
import type { OrderLocks } from './order-lock';
import type { OrderRef, WorkOrderDeadlines } from './ports';

export interface NoticeDeadlineJob {
  number: string;
}
export interface AcceptDeadlineJob {
  number: string;
}
export interface DueDeadlineJob {
  number: string;
  /** The order's `dueVersion` when armed: a job of an older version finds the order moved on and does nothing. */
  dueVersion: number;
}

/** Art. 8: `wo-notice.<number>`, due WORK_ORDER_NOTICE_MS after the order's creation. */
export class NoticeDeadlineRule extends TimedRule<NoticeDeadlineJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'wo-notice' });
  }
  idFor(number: string): string {
    return this.jobId(number);
  }
}

/** Art. 9: `wo-accept.<number>`, complaints only, due at the order's `acceptBy`. */
export class AcceptDeadlineRule extends TimedRule<AcceptDeadlineJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'wo-accept' });
  }
  idFor(number: string): string {
    return this.jobId(number);
  }
}

/** The category's completion limit: `wo-due.<number>.<dueVersion>`, due at the order's `dueBy`. */
export class DueDeadlineRule extends TimedRule<DueDeadlineJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'wo-due' });
  }
  idFor(number: string, dueVersion: number): string {
    return this.jobId(number, dueVersion);
  }
}

export interface DeadlineRules {
  notice: NoticeDeadlineRule;
  accept: AcceptDeadlineRule;
  due: DueDeadlineRule;
}

/** Builds the three rules on one set of BullMQ options (main.ts's `ruleOpts`). */
export function deadlineRules(opts: Omit<TimedRuleOptions, 'name'>): DeadlineRules {
  return { notice: new NoticeDeadlineRule(opts), accept: new AcceptDeadlineRule(opts), due: new DueDeadlineRule(opts) };
}

export interface DeadlineSettings {
  /** WORK_ORDER_NOTICE_MS: from the order's creation. */
  noticeMs: number;
  /** WORK_ORDER_COMPLAINT_ACCEPT_MS: only used when a complaint carries no `acceptBy` of its own. */
  acceptMs: number;
  /** WORK_ORDER_ESCALATE_NOTICE_LATE. */
  escalateNoticeLate: boolean;
}

export interface DeadlineDeps {
  models: Models;
  bus: EventBus;
  /** Where alarms wait for MongoDB (raiseAlarm). */
  outbox: RecordOutbox;
  rules: DeadlineRules;
  settings: DeadlineSettings;
  logger: Logger;
  /** Every write to an order holds its lock (FerretDB does not apply a conditional update atomically). */
  locks: Pick<OrderLocks, 'run'>;
  onAlarm?: (kind: string) => void;
}

/** Waiting for the department to hear of it: the notice rule still stands. */
const NOT_YET_HEARD: readonly WorkOrderStatus[] = ['open', 'dispatched'];
/** Not accepted yet (Art. 9). */
const NOT_YET_ACCEPTED: readonly WorkOrderStatus[] = ['open', 'dispatched'];
/** The completion limit runs until the department enters its result. */
const UNFINISHED: readonly WorkOrderStatus[] = ['open', 'dispatched', 'accepted', 'in_progress'];

const SYSTEM = 'system';

/** `11-29 14:00` in Asia/Shanghai. */
function shortTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(5, 16).replace('T', ' ');
}

function minutes(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} 小时` : ms >= 60_000 ? `${Math.round(ms / 60_000)} 分钟` : `${Math.round(ms / 1000)} 秒`;
}

interface Flagged {
  number: string;
  category: string;
  department: string;
  emergency?: boolean | null;
  address: string;
  createdAt?: Date | null;
  dueBy?: Date | null;
}

const FLAGGED_FIELDS = { number: 1, category: 1, department: 1, emergency: 1, address: 1, createdAt: 1, dueBy: 1 } as const;

/**
 * The time-driven rules of a work order (issue 12): three BullMQ rules with deterministic job ids,
 * run by every CTI process's worker. Each handler reads the order again and acts only if it is
 * still due; its effects are each once, whichever process runs it and however often it is retried:
 * the flag by a conditional update (`noticeLate: false` …), the alarm by its deterministic key,
 * the escalation once per reason (escalate.ts).
 */
export class WorkOrderDeadlineRules implements WorkOrderDeadlines {
  private readonly log: Logger;

  constructor(private readonly d: DeadlineDeps) {
    this.log = d.logger.child({ component: 'work-order-deadlines' });
  }

  get rules(): DeadlineRules {
    return this.d.rules;
  }

  /** Runs due deadlines on this process (every process does; BullMQ runs each job once). */
  start(): void {
    this.d.rules.notice.process((job) => this.noticeDue(job));
    this.d.rules.accept.process((job) => this.acceptDue(job));
    this.d.rules.due.process((job, j, token) => this.completionDue(job, j, token));
  }

  async close(): Promise<void> {
    await Promise.all([this.d.rules.notice.close(), this.d.rules.accept.close(), this.d.rules.due.close()]);
  }

  // ---- WorkOrderDeadlines: called by the lifecycle; each call idempotent ----

  async opened(o: OrderRef): Promise<void> {
    const { notice, accept, due } = this.d.rules;
    const now = Date.now();
    await notice.schedule(notice.idFor(o.number), { number: o.number }, o.createdAt + this.d.settings.noticeMs - now);
    if (o.category === 'complaint' || o.acceptBy !== null) {
      const acceptBy = o.acceptBy ?? o.createdAt + this.d.settings.acceptMs;
      await accept.schedule(accept.idFor(o.number), { number: o.number }, acceptBy - now);
    }
    if (o.dueBy !== null) await due.schedule(due.idFor(o.number, o.dueVersion), { number: o.number, dueVersion: o.dueVersion }, o.dueBy - now);
  }

  async acknowledged(number: string): Promise<void> {
    await this.d.rules.notice.cancel(this.d.rules.notice.idFor(number));
  }

  /** Accepting implies the department heard of it: the notice rule stands down too. */
  async accepted(number: string): Promise<void> {
    await this.d.rules.accept.cancel(this.d.rules.accept.idFor(number));
    await this.d.rules.notice.cancel(this.d.rules.notice.idFor(number));
  }

  /**
   * The lifecycle bumped `dueVersion` and stored the new `dueBy` before calling this. Older versions'
   * jobs are cancelled (and would find the version changed if one was already running). An order
   * flagged overdue under its old limit is no longer overdue when the new one lies ahead, so it
   * leaves the 催办 list; the escalation and the alarm stay in its record.
   */
  async dueMoved(o: OrderRef): Promise<void> {
    const { due } = this.d.rules;
    for (let v = 0; v < o.dueVersion; v++) await due.cancel(due.idFor(o.number, v));
    if (o.dueBy === null) return;
    await due.schedule(due.idFor(o.number, o.dueVersion), { number: o.number, dueVersion: o.dueVersion }, o.dueBy - Date.now());
    if (o.dueBy > Date.now()) {
      const res = await this.d.locks.run(o.number, () =>
        this.d.models.WorkOrder.updateOne({ number: o.number, dueVersion: o.dueVersion, overdue: true, dueBy: { $gt: new Date() } }, { $set: { overdue: false } }),
      );
      if (res.modifiedCount > 0) await this.changed(o.number, o.department);
    }
  }

  async reopened(o: OrderRef, at: number): Promise<void> {
    const { notice } = this.d.rules;
    // A job of the first round still pending is moved, not kept: the new round has its own 5 minutes.
    await notice.reschedule(notice.idFor(o.number), { number: o.number }, at + this.d.settings.noticeMs - Date.now());
    await this.dueMoved(o);
  }

  async closed(number: string): Promise<void> {
    const { notice, accept, due } = this.d.rules;
    await notice.cancel(notice.idFor(number));
    await accept.cancel(accept.idFor(number));
    const doc = await this.d.models.WorkOrder.findOne({ number }).select('dueVersion').lean();
    const current = doc?.dueVersion ?? 0;
    for (let v = 0; v <= current; v++) await due.cancel(due.idFor(number, v));
  }

  // ---- the handlers (public for tests and tools) ----

  /** Art. 8: nobody acknowledged the notice in time → flagged late, one supervisor alarm. */
  async noticeDue(job: NoticeDeadlineJob): Promise<void> {
    const at = new Date();
    const order = await this.flagOnce(
      { number: job.number, noticeLate: false, 'notice.acknowledgedAt': { $exists: false }, status: { $in: NOT_YET_HEARD } },
      { number: job.number, noticeLate: true },
      'noticeLate',
      { at, by: SYSTEM, action: 'notice-late', note: `${minutes(this.d.settings.noticeMs)}内未确认接收通知` },
    );
    if (!order) {
      this.log.info({ workOrder: job.number }, 'notice acknowledged (or order moved on) in time: nothing to do');
      return;
    }
    await this.alarm(`wo-notice-late.${order.number}`, order.emergency ? 'critical' : 'warning', at,
      `工单 ${order.number}（${this.what(order)}）派单 ${minutes(this.d.settings.noticeMs)}内无人确认接收，请电话督促部门：${order.address}`);
    if (this.d.settings.escalateNoticeLate) {
      await escalate(this.d, { number: order.number, reason: 'notice-late', by: SYSTEM, note: '通知超时未确认', at });
    }
  }

  /** Art. 9: a complaint not accepted in time → flagged, escalated to admin_hr (Art. 7), supervisor alarm. */
  async acceptDue(job: AcceptDeadlineJob): Promise<void> {
    const at = new Date();
    const order = await this.flagOnce(
      { number: job.number, acceptLate: false, acceptedAt: { $exists: false }, status: { $in: NOT_YET_ACCEPTED } },
      { number: job.number, acceptLate: true },
      'acceptLate',
      { at, by: SYSTEM, action: 'accept-late', note: '投诉工单超时未受理' },
    );
    if (!order) {
      this.log.info({ workOrder: job.number }, 'complaint accepted (or closed) in time: nothing to do');
      return;
    }
    await escalate(this.d, { number: order.number, reason: 'accept-late', by: SYSTEM, note: '投诉工单超时未受理', at });
    await this.alarm(`wo-accept-late.${order.number}`, 'warning', at,
      `投诉工单 ${order.number}（${DEPARTMENT_LABEL[order.department as DepartmentCode] ?? order.department}）超时未受理，已升级至行政人事部`);
  }

  /**
   * The completion limit passed unfinished → flagged overdue (the 催办 list), escalated to admin_hr
   * (Art. 7), supervisor alarm. Only for the `dueVersion` the job was armed with.
   */
  async completionDue(job: DueDeadlineJob, bull?: Job<DueDeadlineJob, void, string>, token?: string): Promise<void> {
    const doc = await this.d.models.WorkOrder.findOne({ number: job.number }).select({ dueVersion: 1, dueBy: 1, status: 1 }).lean();
    if (!doc || doc.dueVersion !== job.dueVersion || !UNFINISHED.includes(doc.status as WorkOrderStatus)) {
      this.log.info({ workOrder: job.number, jobVersion: job.dueVersion, orderVersion: doc?.dueVersion, status: doc?.status }, 'completion limit superseded or order finished: nothing to do');
      return;
    }
    // dueBy moved later without a new version: wait for it rather than accuse the department early.
    const left = (doc.dueBy?.getTime() ?? 0) - Date.now();
    if (bull && left > 1000) {
      this.log.warn({ workOrder: job.number, leftMs: left }, 'completion job ran before the order\'s dueBy: waiting again');
      await this.d.rules.due.again(bull, token, left);
    }
    const at = new Date();
    const order = await this.flagOnce(
      { number: job.number, dueVersion: job.dueVersion, overdue: false, status: { $in: UNFINISHED } },
      { number: job.number, dueVersion: job.dueVersion, overdue: true },
      'overdue',
      { at, by: SYSTEM, action: 'overdue', note: '超过办结时限未办结' },
    );
    if (!order) return;
    await escalate(this.d, { number: order.number, reason: 'overdue', by: SYSTEM, note: '超过办结时限未办结', at });
    const dueText = order.dueBy ? `，应于 ${shortTime(order.dueBy.getTime())} 前办结` : '';
    await this.alarm(`wo-overdue.${order.number}.${job.dueVersion}`, order.emergency ? 'critical' : 'warning', at,
      `工单 ${order.number}（${this.what(order)}）超过办结时限未办结${dueText}，已升级至行政人事部并列入催办`);
  }

  // ---- steps ----

  /**
   * Sets `flag` if the order is still due (`due` filter) and adds the history entry, in one
   * conditional update. Returns the order when the flag is set, by this call or by an earlier
   * attempt of the same job that died before its alarm (`done` filter); null when it was not due.
   */
  private async flagOnce(
    due: Record<string, unknown>,
    done: Record<string, unknown>,
    flag: 'noticeLate' | 'acceptLate' | 'overdue',
    entry: { at: Date; by: string; action: 'notice-late' | 'accept-late' | 'overdue'; note: string },
  ): Promise<Flagged | null> {
    const { WorkOrder } = this.d.models;
    // No projection: FerretDB 1.x does not implement `fields` on findAndModify.
    const won = await this.d.locks.run(String(due.number), () =>
      WorkOrder.findOneAndUpdate(due, { $set: { [flag]: true }, $push: { history: entry } }, { returnDocument: 'after' }).lean<Flagged>(),
    );
    if (won) {
      this.log.warn({ workOrder: won.number, flag }, 'work-order deadline missed');
      await this.changed(won.number, won.department as DepartmentCode);
      return won;
    }
    return WorkOrder.findOne(done).select(FLAGGED_FIELDS).lean<Flagged>();
  }

  private what(o: Flagged): string {
    const category = CATEGORY_LABEL[o.category as WorkOrderCategory] ?? o.category;
    const department = DEPARTMENT_LABEL[o.department as DepartmentCode] ?? o.department;
    return `${o.emergency ? '紧急 · ' : ''}${category} · ${department}`;
  }

  private async alarm(key: string, severity: 'warning' | 'critical', at: Date, message: string): Promise<void> {
    const raised = await raiseAlarm(this.d, { key, kind: 'deadline', severity, message, at: at.getTime() });
    if (raised) this.d.onAlarm?.('deadline');
  }

  private async changed(number: string, department: DepartmentCode): Promise<void> {
    try {
      await this.d.bus.publish({ type: 'work-order.changed', number, department, at: Date.now() });
    } catch (err) {
      // The flag is stored; consoles see it with their next snapshot.
      this.log.error({ err, workOrder: number }, 'work-order event could not be published');
    }
  }
}
