import type { LifecycleAction, SessionUser } from '../contracts';
import { DEPARTMENT_LABEL, type DepartmentCode, type WorkOrderAction, type WorkOrderStatus } from '../models/enums';

/**
 * The order's life as one table (issue 12): which statuses each action leaves from, where it goes,
 * who may take it and what it must carry. Everything that moves an order's status asks `judge`
 * first; the service then makes the move with the same from-status as its Mongo precondition.
 */

/** Who may take an action: the system itself, the order's departments, or the call centre. */
export type Actor = 'system' | 'department' | 'call-centre';

export interface Transition {
  from: readonly WorkOrderStatus[];
  to: WorkOrderStatus;
  by: Actor;
  /** A text the action cannot go without. */
  requires?: 'result' | 'reason';
  /** What the history entry records. */
  history: WorkOrderAction;
}

export const TRANSITIONS: Readonly<Record<LifecycleAction, Transition>> = {
  dispatch: { from: ['open'], to: 'dispatched', by: 'system', history: 'dispatched' },
  accept: { from: ['open', 'dispatched'], to: 'accepted', by: 'department', history: 'accepted' },
  start: { from: ['accepted'], to: 'in_progress', by: 'department', history: 'started' },
  resolve: { from: ['accepted', 'in_progress'], to: 'resolved', by: 'department', requires: 'result', history: 'resolved' },
  archive: { from: ['resolved'], to: 'archived', by: 'call-centre', history: 'archived' },
  reopen: { from: ['resolved', 'archived'], to: 'dispatched', by: 'call-centre', requires: 'reason', history: 'reopened' },
};

/** The system's own hand (dispatch after the notice went out, deadline rules). */
export const SYSTEM = 'system' as const;
export type Judged = SessionUser | typeof SYSTEM;

/** What the judge needs of an order. */
export interface OrderFacts {
  status: WorkOrderStatus;
  department: DepartmentCode;
  participants: readonly DepartmentCode[];
  owner: string | null;
}

export interface ActionInput {
  result?: string | undefined;
  reason?: string | undefined;
}

export type Refusal = { ok: false; status: 400 | 403 | 409; code: 'bad_request' | 'forbidden' | 'conflict'; message: string; zh: string };
export type Verdict = { ok: true; transition: Transition } | Refusal;

export const ACTION_ZH: Readonly<Record<LifecycleAction, string>> = {
  dispatch: '派单',
  accept: '受理',
  start: '开始处理',
  resolve: '办结',
  archive: '归档',
  reopen: '重新派单',
};

/** Statuses as the consoles name them (web/src/common.ts STATUS_LABEL says the same). */
export const STATUS_ZH: Readonly<Record<WorkOrderStatus, string>> = {
  open: '待派单',
  dispatched: '已派单',
  accepted: '已受理',
  in_progress: '处理中',
  resolved: '已办结',
  archived: '已归档',
};

const ACTOR_ZH: Readonly<Record<Actor, string>> = {
  system: '系统',
  department: '工单所属部门',
  'call-centre': '话务中心（工单负责坐席、班长或管理员）',
};

/** A department user of the order's lead department or of a participating one. */
export function isOrderDepartment(order: Pick<OrderFacts, 'department' | 'participants'>, user: SessionUser): boolean {
  return user.role === 'department' && !!user.department && (user.department === order.department || order.participants.includes(user.department));
}

/** 首问负责制: the agent who owns the order, or the call centre's supervisors and admins. */
export function isCallCentreFor(order: Pick<OrderFacts, 'owner'>, user: SessionUser): boolean {
  return user.role === 'supervisor' || user.role === 'admin' || (user.role === 'agent' && order.owner === user.workNumber);
}

function allowedActor(t: Transition, order: OrderFacts, user: Judged): Refusal | null {
  const refuse = (message: string, zh: string): Refusal => ({ ok: false, status: 403, code: 'forbidden', message, zh });
  if (t.by === 'system') return user === SYSTEM ? null : refuse('only the system dispatches an order', '派单由系统在通知部门后自动完成，不能手动操作');
  if (user === SYSTEM) return refuse(`the system does not take this action`, `该操作须由${ACTOR_ZH[t.by]}完成`);
  if (t.by === 'department') {
    if (isOrderDepartment(order, user)) return null;
    if (user.role === 'department') return refuse('the order belongs to another department', `该工单属于${DEPARTMENT_LABEL[order.department]}，本部门无权操作`);
    return refuse('only the order’s department takes this action', `该操作须由${ACTOR_ZH.department}完成`);
  }
  if (isCallCentreFor(order, user)) return null;
  if (user.role === 'agent') return refuse('only the owning agent, a supervisor or an admin takes this action', '该工单由其他坐席负责（首问负责制），请联系负责坐席或班长');
  return refuse('only the call centre takes this action', `该操作须由${ACTOR_ZH['call-centre']}完成`);
}

/**
 * May `user` take `action` on `order` now? Who first (403), then the status (409), then the text
 * the action needs (400): a person who may not act at all is told so before anything else.
 */
export function judge(action: LifecycleAction, order: OrderFacts, user: Judged, input: ActionInput = {}): Verdict {
  const t = TRANSITIONS[action];
  const who = allowedActor(t, order, user);
  if (who) return who;
  if (!t.from.includes(order.status)) {
    return {
      ok: false,
      status: 409,
      code: 'conflict',
      message: `cannot ${action} an order that is ${order.status}`,
      zh: `工单当前为「${STATUS_ZH[order.status]}」，不能${ACTION_ZH[action]}（须为${t.from.map((s) => `「${STATUS_ZH[s]}」`).join('或')}）`,
    };
  }
  if (t.requires && !input[t.requires]?.trim()) {
    return t.requires === 'result'
      ? { ok: false, status: 400, code: 'bad_request', message: 'the result is required to resolve an order', zh: '请填写办理结果后再办结' }
      : { ok: false, status: 400, code: 'bad_request', message: `a reason is required to ${action} an order`, zh: `请填写${ACTION_ZH[action]}原因` };
  }
  return { ok: true, transition: t };
}
