import type { DepartmentCode } from '../models/enums';
import type { SessionEvents } from './agent';
import type { AckFn } from './common';
import type { DepartmentActionCommand, WorkOrderView } from './work-orders';

/** What a department page shows: its department's latest orders, newest first. */
export interface DepartmentSnapshot {
  serverNow: number;
  department: DepartmentCode;
  /** The user leads the department (read from the Agent collection, not the token): the page shows the extension decisions. */
  leader: boolean;
  /** Its orders and those it takes part in, newest first. */
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
  /** 受理 / 开始处理 / 办结 / 升级 / 申请延期 / 审批延期: answered with the order as it is now, or the refusal in Chinese. */
  'order:act': (cmd: DepartmentActionCommand, ack: AckFn<WorkOrderView>) => void;
}
