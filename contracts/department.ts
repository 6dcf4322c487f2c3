import type { DepartmentCode } from '../models/enums';
import type { SessionEvents } from './agent';
import type { AckFn } from './common';
import type { WorkOrderView } from './work-orders';

/** What a department page shows: its department's latest orders, newest first. */
export interface DepartmentSnapshot {
  serverNow: number;
  department: DepartmentCode;
  orders: WorkOrderView[];
}

/**
 * `/department`: the server picks the department from the token, never from the browser, so there
 * is nothing a user could ask for to see another department's orders.
 */
export interface DepartmentServerToClient extends SessionEvents {
  /** Sent on every (re)connect and on request; replaces the whole list. */
  'orders:snapshot': (s: DepartmentSnapshot) => void;
  /** An order of this department was opened or changed: the full order as it is now. */
  'order:changed': (o: WorkOrderView) => void;
}

export interface DepartmentClientToServer {
  'orders:resync': (ack: AckFn<DepartmentSnapshot>) => void;
}
