import type { Logger } from '../core/logger';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import type { DepartmentCode, EscalationReason } from '../models/enums';

export interface EscalateDeps {
  models: Models;
  bus: EventBus;
  logger: Logger;
}

/**
 * Art. 7: an order that is late or beyond its department goes to `admin_hr`. The order keeps its
 * status and gains the `escalated` flag. Once per reason: a retried job or a second process finds
 * the entry there and changes nothing. Returns whether this call added it.
 */
export async function escalate(
  d: EscalateDeps,
  e: { number: string; reason: EscalationReason; by: string; note?: string; at?: Date },
): Promise<boolean> {
  const at = e.at ?? new Date();
  const entry = { at, reason: e.reason, to: 'admin_hr' as DepartmentCode, by: e.by, ...(e.note ? { note: e.note } : {}) };
  const res = await d.models.WorkOrder.findOneAndUpdate(
    // Manual escalations may repeat (each with its own reason text); automatic ones happen once.
    e.reason === 'manual' ? { number: e.number } : { number: e.number, 'escalations.reason': { $ne: e.reason } },
    {
      $set: { escalated: true },
      $push: { escalations: entry, history: { at, by: e.by, action: 'escalated', note: e.note ?? e.reason } },
    },
    { new: true, projection: { number: 1, department: 1 } },
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
