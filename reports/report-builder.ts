import { DateTime } from 'luxon';
import type { Models } from '../models';
import { WORK_ORDER_CALLBACK_REASONS, DEPARTMENTS, WORK_ORDER_CATEGORIES, type DepartmentCode, type WorkOrderCategory } from '../models/enums';
import type { MonthlyReport } from '../contracts/reports';
import { callbackFigures } from '../callbacks/figures';
import { CALL_FACT_FIELDS, callFactOf, dayMetrics } from '../supervisor-board/day-metrics';
import { HOTLINE_ZONE } from '../work-orders/time-limits';
import { streetOf } from './street';

/** How many hot spots the report ranks. */
export const HOT_SPOTS = 10;
/** Art. 8: the department is notified within 5 minutes. */
const NOTICE_WITHIN_MS = 5 * 60_000;

export interface ReportOptions {
  /** "Answered within": the 20 s of the hotline. */
  serviceLevelMs: number;
  /** The big users' notice lead (24 h): a planned outage published this long before its start was noticed in time. */
  outageLeadMs: number;
}

export type ReportFigures = Omit<MonthlyReport, 'build' | 'builtAt' | 'builtBy'>;

function monthRange(month: string): { start: Date; end: Date; days: number; startMs: number } {
  const start = DateTime.fromISO(`${month}-01`, { zone: HOTLINE_ZONE });
  return { start: start.toJSDate(), end: start.plus({ months: 1 }).toJSDate(), days: start.daysInMonth ?? 31, startMs: start.toMillis() };
}

const lastMonthOf = (month: string) => DateTime.fromISO(`${month}-01`, { zone: HOTLINE_ZONE }).minus({ months: 1 }).toFormat('yyyy-MM');

const ORDER_FIELDS = 'number category department customerAccount address createdAt notice noticeLate acceptedAt acceptLate resolvedAt dueBy overdue escalated extensions linkedFrom';
type OrderRow = Awaited<ReturnType<typeof readOrders>>[number];

function readOrders(models: Pick<Models, 'WorkOrder'>, range: { start: Date; end: Date }) {
  return models.WorkOrder.find({ createdAt: { $gte: range.start, $lt: range.end } }).select(ORDER_FIELDS).lean();
}

function tally<K extends string>(keys: readonly K[], rows: readonly { key: string }[]): Map<K, number> {
  const m = new Map<K, number>(keys.map((k) => [k, 0]));
  for (const r of rows) if (m.has(r.key as K)) m.set(r.key as K, m.get(r.key as K)! + 1);
  return m;
}

/** Supply area of each order, through its customer's account (orders carry the account, the customer the area). */
async function areasOf(models: Pick<Models, 'Customer'>, orders: readonly OrderRow[]): Promise<Map<string, string>> {
  const accounts = [...new Set(orders.flatMap((o) => (o.customerAccount ? [o.customerAccount] : [])))];
  if (accounts.length === 0) return new Map();
  const customers = await models.Customer.find({ accountNumber: { $in: accounts } }).select('accountNumber areaCode').lean();
  return new Map(customers.map((c) => [c.accountNumber, c.areaCode]));
}

function hotSpots(now: readonly OrderRow[], before: readonly OrderRow[], areaNow: Map<string, string>, areaBefore: Map<string, string>): MonthlyReport['hotSpots'] {
  const spot = (o: OrderRow, areas: Map<string, string>) => `${(o.customerAccount && areas.get(o.customerAccount)) || ''}|${o.category}`;
  const lastMonth = new Map<string, number>();
  for (const o of before) lastMonth.set(spot(o, areaBefore), (lastMonth.get(spot(o, areaBefore)) ?? 0) + 1);
  const spots = new Map<string, OrderRow[]>();
  for (const o of now) {
    const k = spot(o, areaNow);
    spots.set(k, [...(spots.get(k) ?? []), o]);
  }
  return [...spots.entries()]
    .map(([k, orders]) => {
      const [areaCode, category] = k.split('|') as [string, WorkOrderCategory];
      const streets = new Map<string, number>();
      for (const o of orders) {
        const s = streetOf(o.address);
        if (s) streets.set(s, (streets.get(s) ?? 0) + 1);
      }
      return {
        areaCode,
        category,
        count: orders.length,
        lastMonth: lastMonth.get(k) ?? 0,
        streets: [...streets.entries()]
          .filter(([, n]) => n >= 2)
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh'))
          .map(([street, n]) => ({ street, count: n })),
      };
    })
    // Most orders first; then the sharper rise on last month; then a stable order by name.
    .sort((a, b) => b.count - a.count || b.count - b.lastMonth - (a.count - a.lastMonth) || a.areaCode.localeCompare(b.areaCode) || a.category.localeCompare(b.category))
    .slice(0, HOT_SPOTS)
    .map((s, i) => ({ rank: i + 1, ...s }));
}

function orderSummary(orders: readonly OrderRow[], resolvedInMonth: readonly OrderRow[]): MonthlyReport['workOrders'] {
  const empty = () => ({ opened: 0, notifiedInTime: 0, complaints: 0, acceptedInTime: 0, resolved: 0, resolvedInTime: 0, late: 0, extended: 0, escalated: 0 });
  const rows = new Map<DepartmentCode, ReturnType<typeof empty>>(DEPARTMENTS.map((d) => [d, empty()]));
  const row = (d: string) => rows.get(d as DepartmentCode) ?? empty();
  for (const o of orders) {
    const r = row(o.department);
    r.opened++;
    const told = o.notice?.acknowledgedAt ?? o.notice?.sentAt;
    if (told && o.createdAt && told.getTime() - o.createdAt.getTime() <= NOTICE_WITHIN_MS && !o.noticeLate) r.notifiedInTime++;
    if (o.category === 'complaint') {
      r.complaints++;
      if (o.acceptedAt && !o.acceptLate) r.acceptedInTime++;
    }
    if (o.overdue) r.late++;
    if ((o.extensions ?? []).some((e) => e.status === 'approved')) r.extended++;
    if (o.escalated) r.escalated++;
  }
  for (const o of resolvedInMonth) {
    const r = row(o.department);
    r.resolved++;
    if (o.resolvedAt && (!o.dueBy || o.resolvedAt.getTime() <= o.dueBy.getTime())) r.resolvedInTime++;
  }
  const total = empty();
  for (const r of rows.values()) for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r[k];
  return { departments: DEPARTMENTS.map((department) => ({ department, ...rows.get(department)! })), total };
}

async function hotline(models: Pick<Models, 'Call' | 'Alarm' | 'Agent'>, range: { start: Date; end: Date; days: number; startMs: number }, opts: ReportOptions) {
  const calls = await models.Call.find({ arrivedAt: { $gte: range.start, $lt: range.end }, test: { $ne: true }, direction: { $ne: 'outbound' } })
    .select(`${CALL_FACT_FIELDS} arrivedAt`)
    .lean();
  const facts = calls.map(callFactOf);
  const { metrics, byAgent } = dayMetrics(facts, { serviceLevelMs: opts.serviceLevelMs });
  const heat = Array.from({ length: range.days }, (_, i) => ({ day: i + 1, hours: Array<number>(24).fill(0) }));
  for (const c of calls) {
    const at = DateTime.fromJSDate(c.arrivedAt, { zone: HOTLINE_ZONE });
    const day = heat[at.day - 1];
    if (day) day.hours[at.hour]!++;
  }
  const [alarms, agents] = await Promise.all([
    models.Alarm.find({ raisedAt: { $gte: range.start, $lt: range.end }, kind: { $in: ['answer-timeout', 'silence'] } }).select('kind').lean(),
    byAgent.length ? models.Agent.find({ workNumber: { $in: byAgent.map((r) => r.workNumber) } }).select('workNumber name').lean() : Promise.resolve([]),
  ]);
  const names = new Map(agents.map((a) => [a.workNumber, a.name]));
  const stage = (o: string) => calls.filter((c) => c.outcome === o).length;
  return {
    read: { calls: calls.length, alarms: alarms.length },
    section: {
      metrics,
      abandonByStage: { greeting: stage('abandoned-greeting'), queue: stage('abandoned-queue'), ringing: stage('abandoned-ringing') },
      alarms: { ringNoAnswer: alarms.filter((a) => a.kind === 'answer-timeout').length, silence: alarms.filter((a) => a.kind === 'silence').length },
      heat,
      byAgent: byAgent.map((r) => ({ ...r, name: names.get(r.workNumber) ?? '' })),
    },
  };
}

/** Callbacks owed for work completed in the month, per kind: made means the SMS went out, or the call was done. */
async function callbacksByType(models: Pick<Models, 'Callback'>, range: { start: Date; end: Date }): Promise<MonthlyReport['callbacks']['byType']> {
  // Queue callbacks (排队回拨) are owed to a caller, not for work: not among these.
  const owed = await models.Callback.find({ completedAt: { $gte: range.start, $lt: range.end }, reason: { $in: [...WORK_ORDER_CALLBACK_REASONS] } }).select('reason method status sms').lean();
  return WORK_ORDER_CALLBACK_REASONS.map((reason) => {
    const mine = owed.filter((c) => c.reason === reason);
    const made = mine.filter((c) => (c.method === 'sms' ? !!c.sms?.sentAt : c.status === 'done')).length;
    return { reason, owed: mine.length, made, rate: mine.length ? made / mine.length : null };
  });
}

async function outages(models: Pick<Models, 'Outage'>, range: { start: Date; end: Date }, opts: ReportOptions) {
  const docs = await models.Outage.find({ startsAt: { $gte: range.start, $lt: range.end }, status: { $ne: 'draft' } })
    .select('kind large peopleAffected status startsAt publishedAt')
    .lean();
  const held = docs.filter((o) => o.status !== 'cancelled');
  return {
    read: docs.length,
    section: {
      total: held.length,
      planned: held.filter((o) => o.kind === 'planned').length,
      unplanned: held.filter((o) => o.kind === 'unplanned').length,
      large: held.filter((o) => o.large).length,
      peopleAffected: held.reduce((n, o) => n + (o.peopleAffected ?? 0), 0),
      cancelled: docs.length - held.length,
      plannedNoticedInTime: held.filter((o) => o.kind === 'planned' && o.publishedAt && o.publishedAt.getTime() <= o.startsAt.getTime() - opts.outageLeadMs).length,
    },
  };
}

/**
 * The figures of one month (Art. 15, rule 十二), read from the records as they stand: every count
 * is over the Asia/Shanghai calendar month, test calls and outbound calls (callbacks, notices) apart.
 */
export async function buildReportFigures(models: Models, month: string, opts: ReportOptions): Promise<ReportFigures> {
  const range = monthRange(month);
  const before = monthRange(lastMonthOf(month));
  const [orders, ordersBefore, resolved, figures, unsatisfiedToOrders, line, out, byType] = await Promise.all([
    readOrders(models, range),
    readOrders(models, before),
    models.WorkOrder.find({ resolvedAt: { $gte: range.start, $lt: range.end } }).select(ORDER_FIELDS).lean(),
    callbackFigures(models, month),
    models.WorkOrder.countDocuments({ createdAt: { $gte: range.start, $lt: range.end }, 'linkedFrom.callbackId': { $exists: true } }),
    hotline(models, range, opts),
    outages(models, range, opts),
    callbacksByType(models, range),
  ]);
  const [areaNow, areaBefore] = await Promise.all([areasOf(models, orders), areasOf(models, ordersBefore)]);
  const cats = (rows: readonly OrderRow[]) => tally(WORK_ORDER_CATEGORIES, rows.map((o) => ({ key: o.category })));
  const depts = (rows: readonly OrderRow[]) => tally(DEPARTMENTS, rows.map((o) => ({ key: o.department })));
  const [catNow, catBefore, deptNow, deptBefore] = [cats(orders), cats(ordersBefore), depts(orders), depts(ordersBefore)];
  const callbacksRead = byType.reduce((n, t) => n + t.owed, 0);
  return {
    month,
    complaints: {
      total: { count: orders.length, lastMonth: ordersBefore.length },
      byCategory: WORK_ORDER_CATEGORIES.map((category) => ({ category, count: catNow.get(category)!, lastMonth: catBefore.get(category)! })),
      byDepartment: DEPARTMENTS.map((department) => ({ department, count: deptNow.get(department)!, lastMonth: deptBefore.get(department)! })),
    },
    hotSpots: hotSpots(orders, ordersBefore, areaNow, areaBefore),
    workOrders: orderSummary(orders, resolved),
    callbacks: { figures, unsatisfiedToOrders, byType },
    outages: out.section,
    hotline: line.section,
    inputs: { calls: line.read.calls, workOrders: orders.length, workOrdersLastMonth: ordersBefore.length, callbacks: callbacksRead, outages: out.read, alarms: line.read.alarms },
  };
}
