import { DateTime } from 'luxon';
import type { CallbackFigures, CallbackFiguresRow } from '../contracts';
import type { Models } from '../models';
import { DEPARTMENTS, ENGINEERING_CATEGORIES, WORK_ORDER_CALLBACK_REASONS, type DepartmentCode } from '../models/enums';
import { HOTLINE_ZONE } from '../work-orders/time-limits';

const orderReasons = [...WORK_ORDER_CALLBACK_REASONS];

const emptyRow = (): CallbackFiguresRow => ({
  afterSales: 0,
  calledBack: 0,
  callbackRate: null,
  satisfied: 0,
  unsatisfied: 0,
  satisfactionRate: null,
  overdue: 0,
  noReply: 0,
  engineeringSampled: 0,
  engineeringDone: 0,
});

function withRates(r: CallbackFiguresRow): CallbackFiguresRow {
  const judged = r.satisfied + r.unsatisfied;
  return { ...r, callbackRate: r.afterSales ? r.calledBack / r.afterSales : null, satisfactionRate: judged ? r.satisfied / judged : null };
}

/**
 * A month's callbacks per department (Art. 21 四: after-sales callback rate 100 %; satisfaction):
 * the supervisor board shows the current month, the monthly report the one it covers.
 */
export async function callbackFigures(models: Pick<Models, 'WorkOrder' | 'Callback'>, month: string): Promise<CallbackFigures> {
  const start = DateTime.fromISO(`${month}-01`, { zone: HOTLINE_ZONE });
  const range = { $gte: start.toJSDate(), $lt: start.plus({ months: 1 }).toJSDate() };
  const [completed, owed, judged, overdue, noReply, sampled] = await Promise.all([
    models.WorkOrder.find({ resolvedAt: range, category: { $nin: [...ENGINEERING_CATEGORIES] } }).select('number department').lean(),
    models.Callback.find({ completedAt: range, reason: { $in: ['after_sales', 'complaint'] } }).select('workOrderNumber method status sms').lean(),
    // Queue callbacks (排队回拨) belong to no order and no department: never in these figures.
    models.Callback.find({ doneAt: range, verdict: { $in: ['satisfied', 'unsatisfied'] }, reason: { $in: orderReasons } }).select('department verdict').lean(),
    models.Callback.find({ dueBy: range, method: 'phone', overdue: true, reason: { $in: orderReasons } }).select('department').lean(),
    models.Callback.find({ doneAt: range, status: 'no_reply', reason: { $in: orderReasons } }).select('department').lean(),
    models.Callback.find({ reason: 'engineering', 'sample.month': month }).select('department status').lean(),
  ]);
  const rows = new Map<DepartmentCode, CallbackFiguresRow>(DEPARTMENTS.map((d) => [d, emptyRow()]));
  const row = (d: string | null | undefined) => rows.get(d as DepartmentCode) ?? emptyRow();
  const calledBack = new Set(
    owed.filter((c) => (c.method === 'sms' ? !!c.sms?.sentAt : c.status === 'done')).map((c) => c.workOrderNumber),
  );
  for (const o of completed) {
    const r = row(o.department);
    r.afterSales++;
    if (calledBack.has(o.number)) r.calledBack++;
  }
  for (const c of judged) row(c.department)[c.verdict === 'satisfied' ? 'satisfied' : 'unsatisfied']++;
  for (const c of overdue) row(c.department).overdue++;
  for (const c of noReply) row(c.department).noReply++;
  for (const c of sampled) {
    const r = row(c.department);
    r.engineeringSampled++;
    if (c.status === 'done') r.engineeringDone++;
  }
  const total = emptyRow();
  for (const r of rows.values()) for (const k of Object.keys(total) as Array<keyof CallbackFiguresRow>) if (k !== 'callbackRate' && k !== 'satisfactionRate') total[k] += r[k];
  return {
    month,
    departments: DEPARTMENTS.map((department) => ({ department, ...withRates(rows.get(department)!) })),
    total: withRates(total),
  };
}
