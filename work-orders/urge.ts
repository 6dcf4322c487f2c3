import type { RedisClient } from '../core/connections';
import { conflict, forbidden, notFound, unavailable } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import type { DepartmentCode } from '../models/enums';
import type { SessionUser, UrgeResult } from '../contracts';
import { BRIEF_FIELDS, isUnfinished, orderRefOf, ownerOf, toOrderBrief, UNFINISHED_STATUSES } from './order-brief';
import type { DepartmentNotifier } from './ports';
import type { OrderLocks } from './order-lock';

/** Who may urge: the call centre. An agent only their own orders or while on the shift in progress. */
export const URGE_ROLES = ['agent', 'supervisor', 'admin'] as const;

export interface UrgeDeps {
  models: Models;
  redis: RedisClient;
  bus: EventBus;
  notifier: DepartmentNotifier;
  /** Whether an agent works the shift in progress (ShiftHandover.onDuty). */
  onDuty: (workNumber: string) => Promise<boolean>;
  keyPrefix: string;
  /** A second urging of one order within this long is the same urging (URGE_REPEAT_MS). */
  repeatMs: number;
  logger: Logger;
  /** Every write to an order holds its lock (FerretDB does not apply a conditional update atomically). */
  locks: Pick<OrderLocks, 'run'>;
}

/**
 * 催办 (rule 八): the department is told of the order again (the same notice as the dispatch, SMS
 * and/or the recorded call, reason `urge`) and the urging is recorded on the order in one update
 * (when, how often, who, in its history). A double click, or two agents urging one order at once,
 * urges once: the first takes a per-order Redis key (SET NX PX) and the others answer `repeated`.
 */
export class UrgeService {
  constructor(private readonly d: UrgeDeps) {}

  private key(number: string): string {
    return `${this.d.keyPrefix}:wo-urge:${number}`;
  }

  async urge(number: string, by: SessionUser): Promise<UrgeResult> {
    const { models, redis, notifier, logger } = this.d;
    if (!(URGE_ROLES as readonly string[]).includes(by.role)) throw forbidden('only the call centre urges work orders', '只有话务中心可以催办工单');
    const doc = await models.WorkOrder.findOne({ number }).select(BRIEF_FIELDS).lean();
    if (!doc) throw notFound(`work order ${number}`, `工单 ${number} 不存在`);
    if (!isUnfinished(doc.status)) {
      throw conflict(`work order ${number} is ${doc.status}: nothing to urge`, doc.status === 'archived' ? `工单 ${number} 已归档，无需催办` : `工单 ${number} 已办结，无需催办`);
    }
    if (by.role === 'agent' && ownerOf(doc) !== by.workNumber && !(await this.d.onDuty(by.workNumber))) {
      throw forbidden('an agent urges their own orders, or the handover of their shift', '只能催办自己负责的工单，或本班交接的工单');
    }
    const taken = await redis.set(this.key(number), by.workNumber, 'PX', this.d.repeatMs, 'NX');
    if (taken === null) return { order: toOrderBrief(doc), repeated: true, channels: [] };

    let channels: UrgeResult['channels'];
    try {
      ({ channels } = await notifier.notify(orderRefOf(doc), 'urge', by.workNumber));
      // No on-duty contact or no channel: nobody was told, so there is no urging to record either.
      if (channels.length === 0) throw new Error('nobody to notify: no on-duty contact or no notice channel for this department');
    } catch (err) {
      // Nobody was told: the next click must be able to try again at once.
      await redis.del(this.key(number)).catch(() => undefined);
      logger.error({ err, workOrder: number, by: by.workNumber }, 'urging: the department could not be notified');
      throw unavailable(`the department of ${number} could not be notified`, '催办通知未能发出，请稍后重试');
    }

    const at = new Date();
    const note = channels.length ? `催办（${channels.map((c) => (c === 'sms' ? '短信' : '语音电话')).join('、')}）` : '催办';
    // The status precondition: an order resolved meanwhile is not marked urged after the fact.
    const updated = await this.d.locks.run(number, () =>
      models.WorkOrder.findOneAndUpdate(
        { number, status: { $in: [...UNFINISHED_STATUSES] } },
        { $set: { urgedAt: at }, $inc: { urgeCount: 1 }, $push: { history: { at, by: by.workNumber, action: 'urged', note } } },
        // No projection: FerretDB's findAndModify does not take one.
        { returnDocument: 'after' },
      ).lean(),
    );
    if (!updated) throw conflict(`work order ${number} was finished meanwhile`, `工单 ${number} 刚刚已办结，无需催办`);
    logger.info({ workOrder: number, by: by.workNumber, channels, urgeCount: updated.urgeCount }, 'work order urged');
    try {
      await this.d.bus.publish({ type: 'work-order.changed', number, department: updated.department as DepartmentCode, at: at.getTime() });
    } catch (err) {
      logger.error({ err, workOrder: number }, 'work-order event could not be published');
    }
    return { order: toOrderBrief(updated), repeated: false, channels };
  }
}
