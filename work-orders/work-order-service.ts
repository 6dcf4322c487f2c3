import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../core/connections';
import { AppError, badRequest, conflict, forbidden, isDuplicateKey, notFound } from '../core/errors';
import type { Logger } from '../core/logger';
import { fmtZh, shanghaiDay } from '../core/time';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import {
  DEPARTMENT_FOR_CATEGORY,
  DEPARTMENT_LABEL,
  EMERGENCY_CATEGORIES,
  ENGINEERING_CATEGORIES,
  LEAK_DETAIL_CATEGORIES,
  type DepartmentCode,
  type EscalationReason,
  type ExtensionStatus,
  type NoticeChannel,
  type WorkOrderAction,
  type WorkOrderCategory,
  type WorkOrderStatus,
} from '../models/enums';
import type { WorkOrderDoc } from '../models/work-order';
import { raiseAlarm } from '../alarms/raise';
import type { RecordOutbox } from '../queue/record-outbox';
import type {
  AddParticipantsBody,
  CreateWorkOrderCommand,
  DecideExtensionBody,
  EscalateWorkOrderBody,
  HandOverWorkOrderBody,
  LifecycleAction,
  ListWorkOrdersQuery,
  RequestExtensionBody,
  SessionUser,
  WorkOrderView,
} from '../contracts';
import { escalateHeld } from './escalate';
import { isCallCentreFor, isOrderDepartment, judge, SYSTEM, type ActionInput, type OrderFacts, type Refusal } from './lifecycle';
import { OrderLocks } from './order-lock';
import type { CompletedOrders, DepartmentNotifier, FollowUpOrders, NoticeAcknowledgements, OrderRef, WorkOrderDeadlines } from './ports';

/** Who opens work orders: the call centre. */
export const CREATOR_ROLES = ['agent', 'supervisor', 'admin'] as const;

/** Art. 8: the department is notified within 5 minutes; Art. 9: a complaint is accepted within 1 hour. */
const DISPATCH_WITHIN_MS = 5 * 60_000;
const COMPLAINT_ACCEPT_WITHIN_MS = 60 * 60_000;

/** Statuses in which the department still has work to do (an extension, an escalation still mean something). */
const UNFINISHED: readonly WorkOrderStatus[] = ['open', 'dispatched', 'accepted', 'in_progress'];

/** The deadlines stamped at creation; the deadline rules (work-orders/time-limits.ts) hand theirs in. */
export interface OrderTimes {
  /** Completion limit of a category, counted from creation; null: none. */
  dueByFor?: (category: WorkOrderCategory, createdAtMs: number) => number | null;
  noticeByFor?: (createdAtMs: number) => number;
  /** Complaints only (Art. 9), counted from the caller's report. */
  acceptByFor?: (category: WorkOrderCategory, reportedAtMs: number) => number | null;
}

/** The parts that may be missing: a process without telephony, or tests of other folders. */
export interface WorkOrderPorts {
  deadlines?: WorkOrderDeadlines;
  notifier?: DepartmentNotifier;
  callbacks?: CompletedOrders;
}

export interface WorkOrderServiceDeps extends WorkOrderPorts {
  models: Models;
  redis: RedisClient;
  bus: EventBus;
  outbox: RecordOutbox;
  keyPrefix: string;
  logger: Logger;
  times?: OrderTimes;
  locks?: OrderLocks;
}

type Lean = WorkOrderDoc & { createdAt?: Date; updatedAt?: Date };
type Update = Record<string, unknown>;


const refused = (r: Refusal): AppError => new AppError(r.status, r.code, r.message, { zh: r.zh });
const changedMeanwhile = () => conflict('the order changed meanwhile', '工单刚刚被其他人更新，请刷新后重试');

const facts = (d: Lean): OrderFacts => ({
  status: d.status as WorkOrderStatus,
  department: d.department as DepartmentCode,
  participants: (d.participants ?? []) as DepartmentCode[],
  owner: d.owner || d.createdBy,
});

/** Who may see an order: its owner or creator, its departments (lead and participants), the supervisors and admins. */
export function canSee(d: Pick<Lean, 'department' | 'participants' | 'owner' | 'createdBy'>, by: SessionUser): boolean {
  if (by.role === 'supervisor' || by.role === 'admin') return true;
  if (by.role === 'agent') return d.owner === by.workNumber || d.createdBy === by.workNumber;
  return isOrderDepartment({ department: d.department as DepartmentCode, participants: (d.participants ?? []) as DepartmentCode[] }, by);
}

function notYours(d: Lean, by: SessionUser): AppError {
  if (by.role === 'department') return forbidden('the order belongs to another department', `该工单属于${DEPARTMENT_LABEL[d.department as DepartmentCode]}，本部门无权查看或操作`);
  return forbidden('the order is owned by another agent', '该工单由其他坐席负责（首问负责制），请联系负责坐席或班长');
}

/**
 * Work orders from call to archive. Opening: the number comes from one atomic Redis INCR per
 * Asia/Shanghai day (any CTI process may number orders), the department from the category
 * (DOMAIN.md), a burst main raises an emergency alarm (Art. 10), the department is notified and
 * the deadlines are armed. Afterwards every change is one conditional Mongo update whose filter
 * holds the state it was judged on (work-orders/lifecycle.ts): two people acting at once, one of
 * them wins and the other is told, never a half-written order. Each change lands in the history,
 * is announced on the bus (`work-order.changed`) and told to the deadline rules.
 */
export class WorkOrderService implements NoticeAcknowledgements, FollowUpOrders {
  private ports: WorkOrderPorts;
  private times: OrderTimes;
  /** Every change to an order is made holding its lock (see order-lock.ts: FerretDB's updates are not atomic). */
  readonly locks: OrderLocks;

  constructor(private readonly deps: WorkOrderServiceDeps) {
    this.locks = deps.locks ?? new OrderLocks(deps.redis, deps.keyPrefix);
    this.ports = {
      ...(deps.deadlines ? { deadlines: deps.deadlines } : {}),
      ...(deps.notifier ? { notifier: deps.notifier } : {}),
      ...(deps.callbacks ? { callbacks: deps.callbacks } : {}),
    };
    this.times = deps.times ?? {};
  }

  /**
   * The notifier and the deadline rules take this service in turn (key-press acknowledgements), so
   * they may come after it; so may the time-limit table, built from the same configuration.
   */
  usePorts(p: WorkOrderPorts & { times?: OrderTimes }): void {
    const { times, ...ports } = p;
    this.ports = { ...this.ports, ...ports };
    if (times) this.times = times;
  }

  /** `link`: a follow-up order (openFollowUp): the first order's department, and where it came from. */
  async create(cmd: CreateWorkOrderCommand, by: SessionUser, link?: { department: DepartmentCode; linkedFrom: { workOrderNumber: string; callbackId: string } }): Promise<WorkOrderView> {
    if (!(CREATOR_ROLES as readonly string[]).includes(by.role)) throw forbidden('only the call centre opens work orders', '只有话务中心可以新建工单');
    const { models, logger } = this.deps;
    const times = this.times;
    const call = cmd.callId ? await models.Call.findOne({ callId: cmd.callId }).select('callerNumber arrivedAt').lean() : null;
    if (cmd.callId && !call) throw notFound(`call ${cmd.callId}`, '未找到这通来电的记录，请刷新页面后重试');
    if (cmd.customerAccount && !(await models.Customer.exists({ accountNumber: cmd.customerAccount }))) {
      throw notFound(`customer ${cmd.customerAccount}`, `户号 ${cmd.customerAccount} 不存在`);
    }
    const department = link?.department ?? DEPARTMENT_FOR_CATEGORY[cmd.category];
    const emergency = EMERGENCY_CATEGORIES.includes(cmd.category);
    const now = new Date();
    const at = now.getTime();
    // Art. 9 counts from the caller's report: the call's arrival when the order was taken on a call.
    const reportedAt = call?.arrivedAt ? call.arrivedAt.getTime() : at;
    const acceptBy = times.acceptByFor ? times.acceptByFor(cmd.category, reportedAt) : cmd.category === 'complaint' ? reportedAt + COMPLAINT_ACCEPT_WITHIN_MS : null;
    const dueBy = times.dueByFor?.(cmd.category, at) ?? null;
    const base = {
      category: cmd.category,
      department,
      status: 'open' as const,
      emergency,
      callId: cmd.callId,
      createdBy: by.workNumber,
      // 首问负责制: whoever takes the caller's report owns it until handing it over.
      ...(by.role === 'agent' ? { owner: by.workNumber } : {}),
      customerAccount: cmd.customerAccount,
      contactName: cmd.contactName || undefined,
      contactPhone: cmd.contactPhone,
      ...(call?.callerNumber ? { callerNumber: call.callerNumber } : {}),
      address: cmd.address,
      description: cmd.description,
      ...(cmd.leak && LEAK_DETAIL_CATEGORIES.includes(cmd.category) ? { leak: cmd.leak } : {}),
      // The deadlines count from the order's own stamp, not from a second clock reading.
      createdAt: now,
      dispatchBy: new Date(times.noticeByFor ? times.noticeByFor(at) : at + DISPATCH_WITHIN_MS),
      ...(acceptBy !== null ? { acceptBy: new Date(acceptBy) } : {}),
      ...(dueBy !== null ? { dueBy: new Date(dueBy) } : {}),
      dueVersion: 0,
      ...(link ? { linkedFrom: link.linkedFrom } : {}),
      history: [
        {
          at: now,
          by: by.workNumber,
          action: 'created',
          note: `${cmd.category} → ${department}${emergency ? ' (emergency)' : ''}${link ? ` (callback ${link.linkedFrom.callbackId} unsatisfied)` : ''}`,
        },
      ],
    };
    let doc;
    for (let attempt = 0; ; attempt++) {
      const number = await this.nextNumber(at);
      try {
        doc = await models.WorkOrder.create({ ...base, number });
        break;
      } catch (err) {
        // The day counter is behind the stored orders (e.g. Redis lost its data): catch up, retry.
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
        await this.catchUp(at);
      }
    }
    const stored = doc.toObject() as Lean;
    logger.info({ workOrder: stored.number, category: stored.category, department, emergency, callId: cmd.callId, by: by.workNumber }, 'work order opened');
    if (emergency) await this.raiseEmergency(toWorkOrderView(stored), at);
    // Armed before the notice goes out: should this process die while notifying, the 5-minute rule still stands.
    await this.tellDeadlines('opened', stored.number, (d) => d.opened(orderRef(stored)));
    const dispatched = await this.dispatch(stored);
    await this.announce(dispatched);
    return toWorkOrderView(dispatched);
  }

  /**
   * Art. 8/10: the department (its leader too for an emergency) is told at once; the order is
   * `dispatched` once the notice is out. A notifier that fails leaves the order `open` with a
   * 'notice-failed' entry: the 5-minute rule raises the alarm.
   */
  private async dispatch(d: Lean): Promise<Lean> {
    const { notifier } = this.ports;
    if (!notifier) return d;
    const { models, logger } = this.deps;
    let channels: NoticeChannel[];
    try {
      ({ channels } = await notifier.notify(orderRef(d), d.emergency ? 'emergency' : 'dispatch', SYSTEM));
    } catch (err) {
      logger.error({ err, workOrder: d.number }, 'department notice failed');
      const note = err instanceof Error ? err.message.slice(0, 500) : 'notifier failed';
      const after = await this.locks.run(d.number, () =>
        models.WorkOrder.findOneAndUpdate({ number: d.number }, { $push: { history: entry('notice-failed', SYSTEM, { note }) } }, { returnDocument: 'after' }).lean(),
      );
      return (after as Lean | null) ?? d;
    }
    if (channels.length === 0) {
      // Nobody was told (no on-duty contact, no channel): the order is not dispatched, and the
      // 5-minute rule raises the alarm as for a failed notice.
      const note = 'nobody to notify: no on-duty contact or no notice channel for this department';
      const after = await this.locks.run(d.number, () =>
        models.WorkOrder.findOneAndUpdate({ number: d.number }, { $push: { history: entry('notice-failed', SYSTEM, { note }) } }, { returnDocument: 'after' }).lean(),
      );
      return (after as Lean | null) ?? d;
    }
    const at = new Date();
    const notice = { 'notice.channels': channels, 'notice.sentAt': at };
    const sent = entry('notice-sent', SYSTEM, { note: channels.join('+') || 'none', at });
    return this.locks.run(d.number, async () => {
      const now = await this.load(d.number);
      const verdict = judge('dispatch', facts(now), SYSTEM);
      if (verdict.ok) {
        const moved = await models.WorkOrder.findOneAndUpdate(
          { number: d.number, status: 'open' },
          { $set: { status: verdict.transition.to, dispatchedAt: at, ...notice }, $push: { history: { $each: [sent, entry('dispatched', SYSTEM, { from: 'open', to: verdict.transition.to, at })] } } },
          { returnDocument: 'after' },
        ).lean();
        if (moved) return moved as Lean;
      }
      // Accepted from the page while the notice was going out: the notice is still on record.
      const noted = await models.WorkOrder.findOneAndUpdate({ number: d.number }, { $set: notice, $push: { history: sent } }, { returnDocument: 'after' }).lean();
      return (noted as Lean | null) ?? now;
    });
  }

  /**
   * A receiver pressed 1 on the notice call (or acknowledged on the page). The first
   * acknowledgement wins; a repeated key press or a second process changes nothing.
   */
  async acknowledgeNotice(number: string, by: string, via: NoticeChannel | 'page'): Promise<void> {
    const at = new Date();
    const res = await this.locks.run(number, () =>
      this.deps.models.WorkOrder.findOneAndUpdate(
        { number, 'notice.acknowledgedAt': null },
        { $set: { 'notice.acknowledgedAt': at, 'notice.acknowledgedBy': by }, $push: { history: entry('notice-acknowledged', by, { note: via, at }) } },
        { returnDocument: 'after' },
      ).lean(),
    );
    if (!res) {
      this.deps.logger.info({ workOrder: number, by, via }, 'notice acknowledgement ignored (unknown order or already acknowledged)');
      return;
    }
    this.deps.logger.info({ workOrder: number, by, via }, 'department notice acknowledged');
    await this.tellDeadlines('acknowledged', number, (d) => d.acknowledged(number));
    await this.announce(res as Lean);
  }

  /** accept, start, resolve, archive, reopen: judged by the lifecycle table, then moved atomically. */
  async act(action: Exclude<LifecycleAction, 'dispatch'>, number: string, by: SessionUser, input: ActionInput = {}): Promise<WorkOrderView> {
    const { after, from, to } = await this.locks.run(number, () => this.move(action, number, by, input));
    this.deps.logger.info({ workOrder: number, action, from, to, by: by.workNumber }, 'work order moved');
    if (action === 'accept') {
      await this.tellDeadlines('accepted', number, (p) => p.accepted(number));
      // Accepting on the page is the department's answer to the notice too.
      await this.acknowledgeNotice(number, by.workNumber, 'page');
    } else if (action === 'resolve' || action === 'archive') {
      await this.tellDeadlines('closed', number, (p) => p.closed(number));
      if (action === 'resolve') await this.tellCallbacks(number);
    } else if (action === 'reopen') {
      await this.tellDeadlines('reopened', number, (p) => p.reopened(orderRef(after), Date.now()));
      // Back to the department: the same notice as a new order's (SMS and/or the recorded call).
      await this.announce(await this.dispatch(after));
      return toWorkOrderView((await this.deps.models.WorkOrder.findOne({ number }).lean()) ?? after);
    }
    await this.announce(after);
    return toWorkOrderView((await this.deps.models.WorkOrder.findOne({ number }).lean()) ?? after);
  }

  private async move(action: Exclude<LifecycleAction, 'dispatch'>, number: string, by: SessionUser, input: ActionInput): Promise<{ after: Lean; from: WorkOrderStatus; to: WorkOrderStatus }> {
    const d = await this.load(number);
    const verdict = judge(action, facts(d), by, input);
    if (!verdict.ok) throw refused(verdict);
    const t = verdict.transition;
    const at = new Date();
    const from = d.status as WorkOrderStatus;
    const set: Update = { status: t.to };
    const unset: Update = {};
    const inc: Update = {};
    let note: string | undefined;
    switch (action) {
      case 'accept':
        set.acceptedAt = at;
        break;
      case 'resolve':
        set.resolvedAt = at;
        set.result = input.result!.trim();
        // With the move, in one write: the callback it owes is then never lost to a crash (callbacks/).
        set.callbackPending = true;
        note = set.result as string;
        break;
      case 'archive':
        set.archivedAt = at;
        break;
      case 'reopen': {
        // A new round for the department: a fresh completion limit from now, under a new version (the old job never fires).
        const dueBy = this.times.dueByFor?.(d.category as WorkOrderCategory, at.getTime()) ?? null;
        if (dueBy !== null) set.dueBy = new Date(dueBy);
        set.overdue = false;
        // The department is told again (below, once the move is stored): the last round's notice is history.
        set.noticeLate = false;
        inc.dueVersion = 1;
        Object.assign(unset, { acceptedAt: '', resolvedAt: '', archivedAt: '', result: '', 'notice.acknowledgedAt': '', 'notice.acknowledgedBy': '' });
        note = input.reason!.trim();
        break;
      }
      case 'start':
        break;
    }
    const update: Update = { $set: set, $push: { history: entry(t.history, by.workNumber, { from, to: t.to, at, ...(note ? { note } : {}) }) } };
    if (Object.keys(unset).length) update.$unset = unset;
    if (Object.keys(inc).length) update.$inc = inc;
    // The status it was judged in is the precondition: of two people acting at once, one wins.
    const after = (await this.deps.models.WorkOrder.findOneAndUpdate({ number, status: from }, update, { returnDocument: 'after' }).lean()) as Lean | null;
    if (!after) {
      const now = await this.load(number);
      const again = judge(action, facts(now), by, input);
      throw again.ok ? changedMeanwhile() : refused(again);
    }
    return { after, from, to: t.to };
  }

  /** Art. 9: the lead department explains why and proposes a new time; one request waits at a time. */
  async requestExtension(number: string, by: SessionUser, body: RequestExtensionBody): Promise<WorkOrderView> {
    const after = await this.locks.run(number, () => this.fileExtension(number, by, body));
    this.deps.logger.info({ workOrder: number, by: by.workNumber, newDueBy: body.newDueBy }, 'extension requested');
    await this.announce(after);
    return toWorkOrderView(after);
  }

  private async fileExtension(number: string, by: SessionUser, body: RequestExtensionBody): Promise<Lean> {
    const d = await this.load(number);
    if (by.role !== 'department' || by.department !== d.department) {
      if (by.role === 'department' && isOrderDepartment(facts(d), by)) {
        throw forbidden('only the lead department requests an extension', `延期须由牵头部门${DEPARTMENT_LABEL[d.department as DepartmentCode]}申请`);
      }
      throw by.role === 'department' ? notYours(d, by) : forbidden('only the order’s department requests an extension', '延期申请须由工单所属部门提出');
    }
    if (!UNFINISHED.includes(d.status as WorkOrderStatus)) throw conflict(`cannot extend an order that is ${d.status}`, '工单已办结或归档，无需申请延期');
    const now = Date.now();
    if (body.newDueBy <= now) {
      throw badRequest('the new time must be in the future', '延期后的办结时间须晚于现在', [{ field: 'newDueBy', message: 'must be in the future', zh: '延期后的办结时间须晚于现在' }]);
    }
    const current = d.dueBy ? d.dueBy.getTime() : null;
    if (current !== null && body.newDueBy <= current) {
      const zh = `延期后的办结时间须晚于原办结时限（${fmtZh(current)}）`;
      throw badRequest('the new time must be later than the current limit', zh, [{ field: 'newDueBy', message: 'must be later than the current limit', zh }]);
    }
    const list = d.extensions ?? [];
    if (list.some((e) => e.status === 'pending')) throw conflict('an extension request is already pending', '已有一份延期申请等待负责人审批，请等审批后再申请');
    const at = new Date();
    const ext = { id: randomBytes(8).toString('hex'), requestedAt: at, requestedBy: by.workNumber, reason: body.extensionReason, newDueBy: new Date(body.newDueBy), status: 'pending' };
    const after = (await this.deps.models.WorkOrder.findOneAndUpdate(
      // The list's length is the precondition: a request filed meanwhile makes this one fail.
      { number, status: { $in: UNFINISHED }, extensions: { $size: list.length } },
      { $push: { extensions: ext, history: entry('extension-requested', by.workNumber, { at, note: `${body.extensionReason}（申请延至 ${fmtZh(body.newDueBy)}）` }) } },
      { returnDocument: 'after' },
    ).lean()) as Lean | null;
    if (!after) throw changedMeanwhile();
    return after;
  }

  /** Art. 9: the department's leader approves (the deadline moves, the old rule never fires) or rejects. */
  async decideExtension(number: string, id: string, by: SessionUser, body: DecideExtensionBody): Promise<WorkOrderView> {
    const after = await this.locks.run(number, () => this.decide(number, id, by, body));
    this.deps.logger.info({ workOrder: number, extension: id, decision: body.decision, by: by.workNumber }, 'extension decided');
    if (body.decision === 'approve') await this.tellDeadlines('dueMoved', number, (p) => p.dueMoved(orderRef(after)));
    await this.announce(after);
    return toWorkOrderView(after);
  }

  private async decide(number: string, id: string, by: SessionUser, body: DecideExtensionBody): Promise<Lean> {
    const d = await this.load(number);
    if (by.role !== 'department' || by.department !== d.department) {
      throw by.role === 'department' && !isOrderDepartment(facts(d), by)
        ? notYours(d, by)
        : forbidden('only the leader of the order’s department decides', `延期申请须由${DEPARTMENT_LABEL[d.department as DepartmentCode]}负责人审批`);
    }
    // The token may be a shift old: the leader flag is read where it is kept.
    const person = await this.deps.models.Agent.findOne({ workNumber: by.workNumber, active: true }).select('leader department role').lean();
    if (!person?.leader || person.department !== d.department || person.role !== 'department') {
      throw forbidden('only the department’s leader decides extension requests', '只有本部门负责人可以审批延期申请');
    }
    const list = d.extensions ?? [];
    const i = list.findIndex((e) => e.id === id);
    const ext = list[i];
    if (!ext) throw notFound(`extension ${id}`, '未找到该延期申请，请刷新后重试');
    if (ext.status !== 'pending') throw conflict(`the request was already ${ext.status}`, `该延期申请已${ext.status === 'approved' ? '批准' : '驳回'}`);
    if (!UNFINISHED.includes(d.status as WorkOrderStatus)) throw conflict(`the order is ${d.status}`, '工单已办结或归档，延期申请无需审批');
    const approve = body.decision === 'approve';
    if (approve && ext.newDueBy.getTime() <= Date.now()) {
      throw conflict('the requested time has passed', `申请的延期时间（${fmtZh(ext.newDueBy.getTime())}）已过，请驳回后由部门重新申请`);
    }
    const at = new Date();
    const status: ExtensionStatus = approve ? 'approved' : 'rejected';
    const set: Update = { [`extensions.${i}.status`]: status, [`extensions.${i}.decidedAt`]: at, [`extensions.${i}.decidedBy`]: by.workNumber };
    if (body.note) set[`extensions.${i}.note`] = body.note;
    if (approve) Object.assign(set, { dueBy: ext.newDueBy, overdue: false });
    const note = `${approve ? '批准' : '驳回'}延期至 ${fmtZh(ext.newDueBy.getTime())}${body.note ? `：${body.note}` : ''}`;
    const update: Update = { $set: set, $push: { history: entry(approve ? 'extension-approved' : 'extension-rejected', by.workNumber, { at, note }) } };
    if (approve) update.$inc = { dueVersion: 1 };
    // Still that request, still pending: a second decision (or a second leader) finds nothing to change.
    const after = (await this.deps.models.WorkOrder.findOneAndUpdate(
      { number, status: { $in: UNFINISHED }, [`extensions.${i}.id`]: id, [`extensions.${i}.status`]: 'pending' },
      update,
      { returnDocument: 'after' },
    ).lean()) as Lean | null;
    if (!after) throw changedMeanwhile();
    return after;
  }

  /** 首问负责制: the owner (or a supervisor) hands the caller's order to another agent, on record. */
  async handOver(number: string, by: SessionUser, body: HandOverWorkOrderBody): Promise<WorkOrderView> {
    const after = await this.locks.run(number, () => this.passOn(number, by, body));
    await this.announce(after);
    return toWorkOrderView(after);
  }

  private async passOn(number: string, by: SessionUser, body: HandOverWorkOrderBody): Promise<Lean> {
    const d = await this.load(number);
    const owner = d.owner || d.createdBy;
    if (!isCallCentreFor({ owner }, by)) {
      throw forbidden('only the owning agent or a supervisor hands an order over', by.role === 'agent' ? '只有该工单的负责坐席或班长可以转交工单' : '只有负责坐席或班长可以转交工单');
    }
    if (d.status === 'archived') throw conflict('the order is archived', '工单已归档，无需转交');
    if (body.to === owner) throw badRequest('the order is already owned by that agent', `工单已由工号 ${body.to} 负责`);
    const target = await this.deps.models.Agent.findOne({ workNumber: body.to, role: 'agent', active: true }).select('name').lean();
    if (!target) throw notFound(`agent ${body.to}`, `工号 ${body.to} 不是在岗坐席，请核对工号`);
    const at = new Date();
    const note = `${owner} → ${body.to}（${target.name}）${body.note ? `：${body.note}` : ''}`;
    const after = (await this.deps.models.WorkOrder.findOneAndUpdate(
      // Still the owner it was judged with; an order stored before owners existed is owned by its creator.
      d.owner ? { number, owner: d.owner } : { number, owner: null },
      { $set: { owner: body.to }, $push: { history: entry('handed-over', by.workNumber, { at, note }) } },
      { returnDocument: 'after' },
    ).lean()) as Lean | null;
    if (!after) throw changedMeanwhile();
    this.deps.logger.info({ workOrder: number, from: owner, to: body.to, by: by.workNumber }, 'work order handed over');
    return after;
  }

  /**
   * 首问负责制 across a transferred call: the orders filed on the call and owned by the agent who
   * handed it on go to the colleague who took it, on record; a transfer to a department's line keeps
   * the owner (the caller's order stays with the agent who first took it) and notes the transfer.
   */
  async callHandedOver(h: { callId: string; from: string; to?: string; kind: 'consult' | 'department'; department?: string; number?: string; at: Date }): Promise<void> {
    const { WorkOrder } = this.deps.models;
    const orders = await WorkOrder.find({ callId: h.callId, status: { $ne: 'archived' }, $or: [{ owner: h.from }, { owner: null, createdBy: h.from }] })
      .select('number owner')
      .lean();
    const to = h.kind === 'consult' && h.to && h.to !== h.from ? h.to : undefined;
    for (const o of orders) {
      const after = await this.locks.run(o.number, async () => {
        const note = to
          ? `通话转接：${h.from} → ${to}，工单随通话转交（首问负责）`
          : `通话已转${h.department ? DEPARTMENT_LABEL[h.department as DepartmentCode] ?? h.department : '部门'}${h.number ? `（${h.number}）` : ''}，工单仍由 ${h.from} 负责`;
        return (await WorkOrder.findOneAndUpdate(
          { number: o.number, owner: o.owner ?? null },
          { ...(to ? { $set: { owner: to } } : {}), $push: { history: entry('handed-over', h.from, { at: h.at, note }) } },
          { returnDocument: 'after' },
        ).lean()) as Lean | null;
      });
      if (!after) continue;
      this.deps.logger.info({ workOrder: o.number, callId: h.callId, from: h.from, to, kind: h.kind }, 'work order followed a transferred call');
      await this.announce(after);
    }
  }

  /** Orders needing several departments: the lead stays, these take part (they see and work the order). */
  async addParticipants(number: string, by: SessionUser, body: AddParticipantsBody): Promise<WorkOrderView> {
    if (by.role !== 'supervisor' && by.role !== 'admin') throw forbidden('only a supervisor or an admin adds departments', '只有班长或管理员可以增加协办部门');
    const after = await this.locks.run(number, () => this.join(number, by, body));
    await this.announce(after);
    return toWorkOrderView(after);
  }

  private async join(number: string, by: SessionUser, body: AddParticipantsBody): Promise<Lean> {
    const d = await this.load(number);
    if (d.status === 'archived') throw conflict('the order is archived', '工单已归档，不能增加协办部门');
    const have = new Set<string>([d.department, ...(d.participants ?? [])]);
    const add = [...new Set(body.departments)].filter((x) => !have.has(x));
    if (!add.length) throw badRequest('those departments already work on the order', '所选部门已是本工单的牵头或协办部门');
    const at = new Date();
    const after = (await this.deps.models.WorkOrder.findOneAndUpdate(
      { number },
      { $addToSet: { participants: { $each: add } }, $push: { history: entry('participant-added', by.workNumber, { at, note: add.map((x) => DEPARTMENT_LABEL[x]).join('、') }) } },
      { returnDocument: 'after' },
    ).lean()) as Lean | null;
    if (!after) throw changedMeanwhile();
    return after;
  }

  /**
   * 竣工结算: the engineering company records that a job's works were settled, once; the monthly
   * callback sample (callbacks/engineering-sample.ts) counts settled jobs. Only its department, only
   * engineering categories, only once the works are done (resolved or archived).
   */
  async settle(number: string, by: SessionUser): Promise<WorkOrderView> {
    const after = await this.locks.run(number, async () => {
      const d = await this.load(number);
      if (!isOrderDepartment(facts(d), by)) throw notYours(d, by);
      if (!ENGINEERING_CATEGORIES.includes(d.category as WorkOrderCategory)) {
        throw conflict('only engineering jobs are settled', '只有报装、表位改造、表后维修等工程类工单需要登记竣工结算');
      }
      if (d.settledAt) throw conflict('the job is settled already', `该工程已于 ${fmtZh(d.settledAt.getTime())} 登记结算`);
      if (d.status !== 'resolved' && d.status !== 'archived') throw conflict('the works are not finished', '工程尚未办结，办结后才能登记竣工结算');
      const at = new Date();
      const moved = (await this.deps.models.WorkOrder.findOneAndUpdate(
        { number, settledAt: { $exists: false } },
        { $set: { settledAt: at }, $push: { history: entry('settled', by.workNumber, { at }) } },
        { returnDocument: 'after' },
      ).lean()) as Lean | null;
      if (!moved) throw changedMeanwhile();
      return moved;
    });
    this.deps.logger.info({ workOrder: number, by: by.workNumber }, 'engineering job settled');
    await this.announce(after);
    return toWorkOrderView(after);
  }

  /** Art. 7: beyond the department (or stuck), sent on to admin_hr by hand; the order keeps its status. */
  async escalateManually(number: string, by: SessionUser, body: EscalateWorkOrderBody): Promise<WorkOrderView> {
    const { models, bus, logger } = this.deps;
    await this.locks.run(number, async () => {
      const d = await this.load(number);
      const allowed = by.role === 'supervisor' || by.role === 'admin' || isOrderDepartment(facts(d), by);
      if (!allowed) throw by.role === 'department' ? notYours(d, by) : forbidden('only the order’s department, a supervisor or an admin escalates', '坐席不能直接升级工单，请联系班长');
      if (d.status === 'archived') throw conflict('the order is archived', '工单已归档，不能升级');
      await escalateHeld({ models, bus, logger }, { number, reason: 'manual', by: by.workNumber, note: body.escalationReason });
    });
    return toWorkOrderView(await this.load(number));
  }

  /** One order by number for a console that already knows who may see it (the department pages). */
  async find(number: string): Promise<WorkOrderView | null> {
    const doc = await this.deps.models.WorkOrder.findOne({ number }).lean();
    return doc ? toWorkOrderView(doc) : null;
  }

  private async load(number: string): Promise<Lean> {
    const doc = (await this.deps.models.WorkOrder.findOne({ number }).lean()) as Lean | null;
    if (!doc) throw notFound(`work order ${number}`, `工单 ${number} 不存在`);
    return doc;
  }

  /**
   * The deadline rules are told after the order changed; should they fail, the order stands and
   * the rules re-check the stored order when they fire (their jobs carry the status and version).
   */
  private async tellDeadlines(what: string, number: string, fn: (d: WorkOrderDeadlines) => Promise<void>): Promise<void> {
    const d = this.ports.deadlines;
    if (!d) return;
    try {
      await fn(d);
    } catch (err) {
      this.deps.logger.error({ err, workOrder: number, what }, 'deadline rules could not be told of an order change');
    }
  }

  /** Completed: the callback it owes. Should that fail, the order's `callbackPending` leaves it to the sweep. */
  private async tellCallbacks(number: string): Promise<void> {
    const c = this.ports.callbacks;
    if (!c) return;
    try {
      await c.orderCompleted(number);
    } catch (err) {
      this.deps.logger.error({ err, workOrder: number }, 'callback of a completed order not made yet (the sweep makes it)');
    }
  }

  /**
   * Art. 21 (三): a customer answered a callback "unsatisfied". A new order of the same category
   * to the same department, linked to the first, owned by the agent who owned that one (首问负责制);
   * notified and timed like any order. One per callback: asked again, the existing one is returned.
   */
  async openFollowUp(from: { workOrderNumber: string; callbackId: string; customerWords: string | null }): Promise<string> {
    const existing = await this.deps.models.WorkOrder.findOne({ 'linkedFrom.callbackId': from.callbackId }).select('number').lean();
    if (existing) return existing.number;
    const orig = await this.load(from.workOrderNumber);
    const owner = orig.owner || orig.createdBy;
    const words = from.customerWords?.trim();
    const view = await this.create(
      {
        category: orig.category as WorkOrderCategory,
        contactPhone: orig.contactPhone,
        ...(orig.contactName ? { contactName: orig.contactName } : {}),
        ...(orig.customerAccount ? { customerAccount: orig.customerAccount } : {}),
        address: orig.address,
        description: `客户回访不满意，请上门回访直至问题解决。原工单 ${orig.number}${words ? `；客户意见：${words}` : ''}`.slice(0, 4000),
        ...(orig.leak?.location ? { leak: { location: orig.leak.location, ...(orig.leak.landmarks ? { landmarks: orig.leak.landmarks } : {}) } } : {}),
      },
      { workNumber: owner, name: owner, role: 'agent' },
      { department: orig.department as DepartmentCode, linkedFrom: { workOrderNumber: orig.number, callbackId: from.callbackId } },
    );
    return view.number;
  }

  /** Tells every process's consoles; they re-read the order themselves. */
  private async announce(wo: Pick<Lean, 'number' | 'department'> & { updatedAt?: Date }): Promise<void> {
    try {
      await this.deps.bus.publish({ type: 'work-order.changed', number: wo.number, department: wo.department as DepartmentCode, at: (wo.updatedAt ?? new Date()).getTime() });
    } catch (err) {
      // The order is stored; the consoles still get it with their next snapshot.
      this.deps.logger.error({ err, workOrder: wo.number }, 'work-order event could not be published');
    }
  }

  async list(by: SessionUser, q: ListWorkOrdersQuery): Promise<WorkOrderView[]> {
    const filter: Record<string, unknown> = {};
    if (by.role === 'agent') filter.$or = [{ owner: by.workNumber }, { createdBy: by.workNumber }];
    else if (by.role === 'department') {
      const mine = by.department ?? '__none__';
      filter.$or = [{ department: mine }, { participants: mine }];
    } else if (q.department) filter.department = q.department;
    if (q.status) filter.status = q.status;
    const docs = await this.deps.models.WorkOrder.find(filter).sort({ createdAt: -1 }).limit(q.limit).lean();
    return docs.map(toWorkOrderView);
  }

  async get(by: SessionUser, number: string): Promise<WorkOrderView> {
    const doc = await this.load(number);
    if (!canSee(doc, by)) throw notYours(doc, by);
    return toWorkOrderView(doc);
  }

  private seqKey(compact: string): string {
    return `${this.deps.keyPrefix}:wo-seq:${compact}`;
  }

  private async nextNumber(at: number): Promise<string> {
    const day = shanghaiDay(at);
    const key = this.seqKey(day.compact);
    const res = await this.deps.redis.multi().incr(key).pexpire(key, 3 * 24 * 3600_000).exec();
    const seq = Number(res?.[0]?.[1]);
    if (!Number.isInteger(seq) || seq < 1) throw new Error('work-order counter unavailable');
    return `WO${day.compact}-${String(seq).padStart(4, '0')}`;
  }

  private async catchUp(at: number): Promise<void> {
    const day = shanghaiDay(at);
    const last = await this.deps.models.WorkOrder.findOne({ number: new RegExp(`^WO${day.compact}-`) })
      .sort({ number: -1 })
      .select('number')
      .lean();
    const seq = Number(last?.number.split('-')[1] ?? 0);
    // Raise the counter to the highest stored number, never lower it (another process may be ahead).
    await this.deps.redis.eval(
      "local c = tonumber(redis.call('GET', KEYS[1]) or '0') if c < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end return 1",
      1,
      this.seqKey(day.compact),
      String(seq),
      String(3 * 24 * 3600_000),
    );
  }

  private async raiseEmergency(wo: WorkOrderView, at: number): Promise<void> {
    const { outbox, bus, logger } = this.deps;
    const key = `emergency:${wo.number}`;
    const message = emergencyMessage(wo);
    try {
      await raiseAlarm({ outbox, bus }, { key, kind: 'emergency', severity: 'critical', message, ...(wo.callId ? { callId: wo.callId } : {}), at });
    } catch (err) {
      // The order exists either way; a missing alarm must not fail the agent's command.
      logger.error({ err, workOrder: wo.number }, 'emergency alarm could not be raised');
    }
  }
}

const METER_SIDE_LABEL = { before: '表前', after: '表后', unknown: '表前表后不确定' } as const;

/**
 * The alarm names where the main burst, not the customer's registered address: the repair crew
 * goes to the burst. The address is the fallback for an order stored without a location.
 */
export function emergencyMessage(wo: Pick<WorkOrderView, 'number' | 'department' | 'address' | 'leak'>): string {
  const leak = wo.leak;
  const place = leak?.location || wo.address;
  const pipe = [
    typeof leak?.pipeDiameterMm === 'number' ? `管径 ${leak.pipeDiameterMm} 毫米` : '',
    leak?.meterSide ? METER_SIDE_LABEL[leak.meterSide] : '',
  ].filter(Boolean);
  return `紧急工单 ${wo.number}：${place} 爆管${pipe.length ? `（${pipe.join('，')}）` : ''}，已转${DEPARTMENT_LABEL[wo.department]}负责人`;
}

type StoredWorkOrder = WorkOrderDoc & { createdAt?: Date; updatedAt?: Date };
const epoch = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

export function toWorkOrderView(d: StoredWorkOrder): WorkOrderView {
  const leak = d.leak && Object.values(d.leak).some((v) => v !== undefined && v !== null) ? d.leak : null;
  return {
    number: d.number,
    category: d.category as WorkOrderCategory,
    department: d.department as DepartmentCode,
    status: d.status as WorkOrderStatus,
    emergency: !!d.emergency,
    createdAt: (d.createdAt ?? new Date()).getTime(),
    address: d.address,
    description: d.description,
    callId: d.callId ?? null,
    createdBy: d.createdBy,
    customerAccount: d.customerAccount ?? null,
    contactName: d.contactName ?? null,
    contactPhone: d.contactPhone,
    callerNumber: d.callerNumber || null,
    leak: leak
      ? {
          ...(leak.location ? { location: leak.location } : {}),
          ...(typeof leak.pipeDiameterMm === 'number' ? { pipeDiameterMm: leak.pipeDiameterMm } : {}),
          ...(leak.meterSide ? { meterSide: leak.meterSide as 'before' | 'after' | 'unknown' } : {}),
          ...(leak.landmarks ? { landmarks: leak.landmarks } : {}),
        }
      : null,
    dispatchBy: epoch(d.dispatchBy),
    acceptBy: epoch(d.acceptBy),
    dueBy: epoch(d.dueBy),
    dueVersion: d.dueVersion ?? 0,
    owner: d.owner || d.createdBy || null,
    participants: (d.participants ?? []) as DepartmentCode[],
    notice: {
      channels: (d.notice?.channels ?? []) as NoticeChannel[],
      sentAt: epoch(d.notice?.sentAt),
      acknowledgedAt: epoch(d.notice?.acknowledgedAt),
      acknowledgedBy: d.notice?.acknowledgedBy ?? null,
    },
    flags: { noticeLate: !!d.noticeLate, acceptLate: !!d.acceptLate, overdue: !!d.overdue, escalated: !!d.escalated },
    escalations: (d.escalations ?? []).map((e) => ({ at: e.at.getTime(), reason: e.reason as EscalationReason, to: e.to as DepartmentCode, by: e.by, note: e.note ?? null })),
    extensions: (d.extensions ?? []).map((e) => ({
      id: e.id,
      requestedAt: e.requestedAt.getTime(),
      requestedBy: e.requestedBy,
      reason: e.reason,
      newDueBy: e.newDueBy.getTime(),
      status: e.status as ExtensionStatus,
      decidedAt: epoch(e.decidedAt),
      decidedBy: e.decidedBy ?? null,
      note: e.note ?? null,
    })),
    result: d.result ?? null,
    acceptedAt: epoch(d.acceptedAt),
    resolvedAt: epoch(d.resolvedAt),
    archivedAt: epoch(d.archivedAt),
    settledAt: epoch(d.settledAt),
    linkedFrom: d.linkedFrom?.workOrderNumber && d.linkedFrom.callbackId ? { workOrderNumber: d.linkedFrom.workOrderNumber, callbackId: d.linkedFrom.callbackId } : null,
    history: (d.history ?? []).map((e) => ({
      at: e.at.getTime(),
      by: e.by,
      action: e.action as WorkOrderAction,
      from: (e.from as WorkOrderStatus | null | undefined) ?? null,
      to: (e.to as WorkOrderStatus | null | undefined) ?? null,
      note: e.note ?? null,
    })),
    updatedAt: (d.updatedAt ?? d.createdAt ?? new Date()).getTime(),
  };
}

/** What the deadline rules and the notifier know of an order. */
export function orderRef(d: Lean): OrderRef {
  return {
    number: d.number,
    category: d.category as WorkOrderCategory,
    department: d.department as DepartmentCode,
    emergency: !!d.emergency,
    createdAt: (d.createdAt ?? new Date()).getTime(),
    address: d.address,
    dueBy: epoch(d.dueBy),
    dueVersion: d.dueVersion ?? 0,
    acceptBy: epoch(d.acceptBy),
  };
}

/** One history entry; transitions carry from/to. */
function entry(
  action: WorkOrderAction,
  by: string,
  o: { at?: Date; from?: WorkOrderStatus; to?: WorkOrderStatus; note?: string } = {},
): { at: Date; by: string; action: WorkOrderAction; from?: WorkOrderStatus; to?: WorkOrderStatus; note?: string } {
  return { at: o.at ?? new Date(), by, action, ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}), ...(o.note ? { note: o.note.slice(0, 2000) } : {}) };
}
