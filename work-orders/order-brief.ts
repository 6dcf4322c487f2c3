import type { DepartmentCode, WorkOrderCategory, WorkOrderStatus } from '../models/enums';
import type { WorkOrderDoc } from '../models/work-order';
import type { WorkOrderBrief } from '../contracts';
import type { OrderRef } from './ports';

/** Statuses of an order nobody has finished: what a handover passes on and the board counts as open. */
export const UNFINISHED_STATUSES = ['open', 'dispatched', 'accepted', 'in_progress'] as const satisfies readonly WorkOrderStatus[];

/** The fields a brief reads (a projection: the history and texts stay in the database). */
export const BRIEF_FIELDS =
  'number category department status emergency createdAt updatedAt address owner createdBy noticeLate acceptLate overdue escalated dispatchBy acceptBy dueBy dueVersion acceptedAt resolvedAt urgedAt urgeCount';

type Stored = Partial<WorkOrderDoc> & Pick<WorkOrderDoc, 'number' | 'category' | 'department' | 'status' | 'createdBy' | 'address'> & { createdAt?: Date; updatedAt?: Date };

const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

/** 首问负责制: the owner is the creator until the order is handed over in the system. */
export const ownerOf = (d: Pick<Stored, 'owner' | 'createdBy'>): string => d.owner || d.createdBy;

/** Mongo filter: the orders `workNumber` owns (older orders have no `owner`: their creator owns them). */
export const ownedBy = (workNumber: string) => ({ $or: [{ owner: workNumber }, { owner: { $exists: false }, createdBy: workNumber }, { owner: null, createdBy: workNumber }] });

export function toOrderBrief(d: Stored): WorkOrderBrief {
  const createdAt = (d.createdAt ?? new Date(0)).getTime();
  return {
    number: d.number,
    category: d.category as WorkOrderCategory,
    department: d.department as DepartmentCode,
    status: d.status as WorkOrderStatus,
    emergency: !!d.emergency,
    createdAt,
    address: d.address,
    owner: ownerOf(d),
    createdBy: d.createdBy,
    noticeLate: !!d.noticeLate,
    acceptLate: !!d.acceptLate,
    overdue: !!d.overdue,
    escalated: !!d.escalated,
    dispatchBy: ms(d.dispatchBy),
    acceptBy: ms(d.acceptBy),
    dueBy: ms(d.dueBy),
    acceptedAt: ms(d.acceptedAt),
    resolvedAt: ms(d.resolvedAt),
    urgedAt: ms(d.urgedAt),
    urgeCount: d.urgeCount ?? 0,
    updatedAt: (d.updatedAt ?? d.createdAt ?? new Date(0)).getTime(),
  };
}

export const isUnfinished = (status: string): boolean => (UNFINISHED_STATUSES as readonly string[]).includes(status);

/** Late in any way the rules flag (Art. 8 notice, Art. 9 acceptance, the time limit). */
export const isLate = (b: Pick<WorkOrderBrief, 'noticeLate' | 'acceptLate' | 'overdue'>): boolean => b.noticeLate || b.acceptLate || b.overdue;

/** Most urgent first: emergencies, overdue, otherwise late, escalated; then the oldest. */
export function byUrgency(a: WorkOrderBrief, b: WorkOrderBrief): number {
  const rank = (o: WorkOrderBrief) => (o.emergency ? 0 : o.overdue ? 1 : isLate(o) ? 2 : o.escalated ? 3 : 4);
  return rank(a) - rank(b) || a.createdAt - b.createdAt;
}

export function orderRefOf(d: Stored): OrderRef {
  return {
    number: d.number,
    category: d.category as WorkOrderCategory,
    department: d.department as DepartmentCode,
    emergency: !!d.emergency,
    createdAt: (d.createdAt ?? new Date(0)).getTime(),
    address: d.address,
    dueBy: ms(d.dueBy),
    dueVersion: d.dueVersion ?? 0,
    acceptBy: ms(d.acceptBy),
  };
}
