import type { Logger } from '../core/logger';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import type { DepartmentCode, EscalationReason } from '../models/enums';
import type { OrderLocks } from './order-lock';

export interface EscalateDeps {
  models: Models;
  bus: EventBus;
  logger: Logger;
  /** Every write to an order holds its lock (FerretDB does not apply a conditional update atomically). */
  locks: Pick<OrderLocks, 'run'>;
}

type Escalation = { number: string; reason: EscalationReason; by: string; note?: string; at?: Date };

/**
 * Art. 7: an order that is late or beyond its department goes to `admin_hr`. The order keeps its
 * status and gains the `escalated` flag. Once per reason: a retried job or a second process finds
 * the entry there and changes nothing. Returns whether this call added it.
 */
export function escalate(d: EscalateDeps, e: Escalation): Promise<boolean> {
  return d.locks.run(e.number, () => escalateHeld(d, e));
}

/** `escalate` for a caller that already holds the order's lock (the lock is not re-entrant). */
export async function escalateHeld(d: Omit<EscalateDeps, 'locks'>, e: Escalation): Promise<boolean> {
  const at = e.at ?? new Date();
  const entry = { at, reason: e.reason, to: 'admin_hr' as DepartmentCode, by: e.by, ...(e.note ? { note: e.note } : {}) };
  const res = await d.models.WorkOrder.findOneAndUpdate(
    // Manual escalations may repeat (each with its own reason text); automatic ones happen once.
    e.reason === 'manual' ? { number: e.number } : { number: e.number, 'escalations.reason': { $ne: e.reason } },
    {
      $set: { escalated: true },
      $push: { escalations: entry, history: { at, by: e.by, action: 'escalated', note: e.note ?? e.reason } },
    },
    // No projection: FerretDB 1.x does not implement `fields` on findAndModify.
    { returnDocument: 'after' },
  ).lean();
  if (!res) return false;
  d.logger.warn({ workOrder: e.number, reason: e.reason, by: e.by }, 'work order escalated to admin_hr');
  try {
    await d.bus.publish({ type: 'work-order.changed', number: res.number, department: res.department as DepartmentCode, at: at.getTime() });
  } catch (err) {
    d.logger.error({ err, workOrder: e.number }, 'work-order event could not be published');
  }
  return true;
}
