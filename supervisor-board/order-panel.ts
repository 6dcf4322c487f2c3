import type { Models } from '../models';
import { DEPARTMENTS, type DepartmentCode } from '../models/enums';
import type { DepartmentOrderCounts, WorkOrderPanel } from '../contracts';
import { BRIEF_FIELDS, byUrgency, isLate, toOrderBrief, UNFINISHED_STATUSES } from '../work-orders/order-brief';

/** Rows per list: the panel is one part of a 1366×768 screen. */
const SHOWN = 20;
/** Before accepting, an emergency is `open` (not yet notified) or `dispatched` (notified). */
const NOT_ACCEPTED = ['open', 'dispatched'];

/**
 * The board's work-order panel from the unfinished orders (the brief's fields only): the counts
 * are exact, the lists the most urgent first; beside them the resolved orders waiting for 归档.
 */
export async function workOrderPanel(models: Models): Promise<WorkOrderPanel> {
  const [docs, resolved, toArchiveTotal] = await Promise.all([
    models.WorkOrder.find({ status: { $in: [...UNFINISHED_STATUSES] } })
      .select(BRIEF_FIELDS)
      .lean(),
    // Oldest result first: the longest waiting for 归档.
    models.WorkOrder.find({ status: 'resolved' }).select(BRIEF_FIELDS).sort({ resolvedAt: 1 }).limit(SHOWN).lean(),
    models.WorkOrder.countDocuments({ status: 'resolved' }),
  ]);
  const orders = docs.map(toOrderBrief).sort(byUrgency);
  const byDepartment = Object.fromEntries(DEPARTMENTS.map((d) => [d, { open: 0, overdue: 0, escalated: 0 }])) as Record<DepartmentCode, DepartmentOrderCounts>;
  for (const o of orders) {
    const c = byDepartment[o.department];
    c.open++;
    if (o.overdue) c.overdue++;
    if (o.escalated) c.escalated++;
  }
  const late = orders.filter(isLate);
  const escalated = orders.filter((o) => o.escalated);
  return {
    late: { total: late.length, orders: late.slice(0, SHOWN) },
    escalated: { total: escalated.length, orders: escalated.slice(0, SHOWN) },
    emergencies: orders.filter((o) => o.emergency && NOT_ACCEPTED.includes(o.status)),
    toArchive: { total: toArchiveTotal, orders: resolved.map(toOrderBrief) },
    byDepartment,
  };
}
