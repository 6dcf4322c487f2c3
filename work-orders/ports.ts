import type { DepartmentCode, NoticeChannel, WorkOrderCategory } from '../models/enums';

/** What the deadline rules and the notices need to know of an order. */
export interface OrderRef {
  number: string;
  category: WorkOrderCategory;
  department: DepartmentCode;
  emergency: boolean;
  createdAt: number;
  address: string;
  /** Completion deadline (category time limit, or an approved extension) and its version. */
  dueBy: number | null;
  dueVersion: number;
  /** Complaints only (Art. 9). */
  acceptBy: number | null;
}

/**
 * The time-driven rules of an order (issue 12), as BullMQ jobs with deterministic ids: the 5-minute
 * notice, the 1-hour complaint acceptance and the completion limit. The lifecycle calls these on
 * each transition; each call is idempotent.
 */
export interface WorkOrderDeadlines {
  /** A new order: arms the notice rule, the acceptance rule (complaints) and the completion rule. */
  opened(o: OrderRef): Promise<void>;
  /** The department acknowledged the notice (key 1, or on its page): the 5-minute rule stands down. */
  acknowledged(number: string): Promise<void>;
  /** The department accepted: the acceptance rule stands down. */
  accepted(number: string): Promise<void>;
  /** An approved extension moved `dueBy`: the old completion job never fires, a new one is armed. */
  dueMoved(o: OrderRef): Promise<void>;
  /** Resolved or archived: nothing more is due. */
  closed(number: string): Promise<void>;
  /**
   * Reopened (a new round for the department, notified again at `at`): the notice rule runs from
   * `at`, the completion rule under the new `dueVersion`.
   */
  reopened(o: OrderRef, at: number): Promise<void>;
}

/** Why a department is told of an order. */
export type NoticeReason = 'dispatch' | 'emergency' | 'urge';

/**
 * Tells a department of an order (Art. 8, 10): SMS and/or a recorded phone call with a key-press
 * acknowledgement. Returns how the notice went out; delivery and the key press come later.
 */
export interface DepartmentNotifier {
  notify(o: OrderRef, reason: NoticeReason, by: string): Promise<{ channels: NoticeChannel[] }>;
}

/** The lifecycle's side of a notice: a receiver pressed 1 on the notice call of this order. */
export interface NoticeAcknowledgements {
  acknowledgeNotice(number: string, by: string, via: NoticeChannel | 'page'): Promise<void>;
}

/** The callbacks' side of an order (callbacks/): it was completed, so a callback may be owed. */
export interface CompletedOrders {
  orderCompleted(number: string): Promise<void>;
}

/** The orders' side of a callback: a customer answered "unsatisfied" (Art. 21 三); returns the new order's number. */
export interface FollowUpOrders {
  openFollowUp(from: { workOrderNumber: string; callbackId: string; customerWords: string | null }): Promise<string>;
}
