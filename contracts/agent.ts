import { z } from 'zod';
import {
  NOT_READY_REASONS,
  type AgentState,
  type CallOutcome,
  type CallState,
  type Language,
} from '../models/enums';
import type { AlarmView } from './alarms';
import type { CallbackCallView } from './callbacks';
import type { AgentMonitorNotice } from './monitor';
import { epochMs, type AckFn } from './common';
import { workOrderCoreShape, type CallCentreActionCommand, type CreateWorkOrderCommand, type WorkOrderSummary, type WorkOrderView } from './work-orders';

export const setStateSchema = z
  .object({ state: z.enum(['ready', 'not_ready', 'acw', 'offline']), reason: z.enum(NOT_READY_REASONS).optional() })
  .strict()
  .refine((c) => c.state !== 'not_ready' || !!c.reason, { path: ['reason'], message: 'a reason is required for Not Ready' });
export type SetStateCommand = z.infer<typeof setStateSchema>;

/** 拒接: the agent refuses the call ringing on their phone (the pop names the call and the attempt). */
export const declineSchema = z
  .object({ callId: z.string().regex(/^[0-9a-f-]{36}$/, 'not a call id'), attempt: z.number().int().min(1).max(1000) })
  .strict();
export type DeclineCommand = z.infer<typeof declineSchema>;

/** Demo only: 接听 on the console stands in for the simulated desk phone (same call and attempt as 拒接). */
export const demoAnswerSchema = declineSchema;
export type DemoAnswerCommand = z.infer<typeof demoAnswerSchema>;

const callIdField = z.string().regex(/^[0-9a-f-]{36}$/, 'not a call id');

/** 咨询: the agent holding `callId` puts the caller on hold and rings a Ready colleague or a supervisor. */
export const consultSchema = z.object({ callId: callIdField, target: z.string().regex(/^\d{3,6}$/, 'not a work number') }).strict();
export type ConsultCommand = z.infer<typeof consultSchema>;

/** 完成转接 / 返回通话: the consult in progress on `callId`. */
export const consultActionSchema = z.object({ callId: callIdField }).strict();
export type ConsultActionCommand = z.infer<typeof consultActionSchema>;

/** 转部门: a blind transfer to a department's line from the directory (Department.transferNumber). */
export const transferOutSchema = z.object({ callId: callIdField, number: z.string().regex(/^\+?\d{3,20}$/, 'not a phone number') }).strict();
export type TransferOutCommand = z.infer<typeof transferOutSchema>;

/** 咨询/转部门 choices: asked with an empty object. */
export const transferTargetsSchema = z.object({}).strict();
export type TransferTargetsCommand = z.infer<typeof transferTargetsSchema>;

/** Where a transfer may go: Ready colleagues, supervisors with a desk phone, departments with a line. */
export interface TransferTargetsView {
  agents: Array<{ workNumber: string; name: string }>;
  supervisors: Array<{ workNumber: string; name: string }>;
  departments: Array<{ code: string; name: string; number: string }>;
}

/** A transfer of the agent's call as it stands (the ack of each transfer command, and `transfer:update`). */
export interface TransferView {
  callId: string;
  kind: 'consult' | 'department';
  stage: 'ringing' | 'consulting' | 'returned' | 'completed' | 'failed';
  /** The agent who started it. */
  agentWorkNumber: string;
  target: string;
  targetName: string;
  number?: string;
  reason?: 'no-answer' | 'busy' | 'unreachable' | 'hung-up' | 'cancelled' | 'failed';
  at: number;
}

/** Offer results that mean the agent's own phone did not take the call; the agent is then Not Ready. */
export const MISSED_OFFER_RESULTS = ['no-answer', 'declined', 'busy', 'unreachable'] as const;
export type MissedOfferResult = (typeof MISSED_OFFER_RESULTS)[number];

export interface AgentStateView {
  workNumber: string;
  state: AgentState;
  /** Not-ready reason code (NOT_READY_REASONS or a system reason such as `no-answer`). */
  reason: string;
  /** When this state began. */
  since: number;
  /** The call this state is about (ringing, talking, after-call work), else ''. */
  callId: string;
}

export interface CustomerView {
  accountNumber: string;
  name: string;
  address: string;
  areaCode: string;
  bigUser: boolean;
  phones: string[];
}

export interface RecentCallView {
  callId: string;
  arrivedAt: number;
  state: CallState;
  outcome: CallOutcome | null;
  agentWorkNumber: string | null;
  language: Language | null;
  recordingName: string | null;
}

export interface OutageView {
  id: string;
  /** `TS20261203-01`. */
  number: string;
  kind: 'planned' | 'unplanned';
  source: 'network' | 'plant';
  /** published (announced, not begun) or in_progress. */
  status: 'published' | 'in_progress';
  areaCodes: string[];
  areaDescription: string;
  startsAt: number;
  expectedEndAt: number;
}

/** What the agent sees the moment the phone starts ringing. */
export interface ScreenPop {
  callId: string;
  attempt: number;
  callerNumber: string;
  language: Language;
  queuedAt: number;
  ringingAt: number;
  /** The answer alarm fires after this long (20 s): the ring timer counts towards it. */
  ringLimitMs: number;
  /** null: unknown caller. */
  customer: CustomerView | null;
  /** Last 5 earlier calls of this number, newest first. */
  recentCalls: RecentCallView[];
  /** Open work orders of this number or customer account, newest first. */
  openWorkOrders: WorkOrderSummary[];
  /** Published outages in the customer's area that have not ended. */
  outages: OutageView[];
  /** A colleague consults this agent about their caller (来自 1004 的咨询); absent for a queued caller. */
  consult?: { from: string; fromName: string };
  /** A queue callback (回拨): the caller hung up keeping their place; on the answer the CTI dials this number. */
  queueCallback?: { number: string };
}

export interface CurrentCallView {
  callId: string;
  answeredAt: number;
}

export interface LastCallView {
  callId: string;
  outcome: CallOutcome;
  endedAt: number;
  /** Play it through GET /api/recordings/:name/link. */
  recordingName: string | null;
  /** The pop of that call, so the work-order form survives a refresh during after-call work. */
  pop: ScreenPop | null;
}

/**
 * A call that rang this agent's phone and was not taken by it (the 20 s alarm, 拒接, a busy or
 * unreachable phone). The call itself went on to another agent: nothing of the customer is kept.
 */
export interface MissedCallView {
  callId: string;
  attempt: number;
  callerNumber: string;
  result: MissedOfferResult;
  ringMs: number;
  /** When the ring ended (server clock). */
  at: number;
}

/** The pop's open orders again, after the agent filed one on that call. */
export interface PopOrdersView {
  callId: string;
  openWorkOrders: WorkOrderSummary[];
}

export interface AgentProfile {
  workNumber: string;
  name: string;
  extension: string;
  languages: Language[];
}

export interface AgentSnapshot {
  serverNow: number;
  me: AgentProfile;
  state: AgentStateView;
  /** The ringing or answered call's pop; null otherwise (never stale: checked against the live state). */
  pop: ScreenPop | null;
  /** Set while talking. */
  call: CurrentCallView | null;
  lastCall: LastCallView | null;
  /** The latest missed ring when it is newer than `lastCall` (then the console shows the miss, not that call). */
  missed: MissedCallView | null;
  afterCallWorkMs: number;
  /** Demo only: the console shows 接听, standing in for the simulated desk phone (`demo:answer`). */
  demoDeskPhone: boolean;
  /** A supervisor on the current call as the console is told of it (`call:monitor`); null otherwise. */
  monitor: AgentMonitorNotice | null;
}

export interface SessionEvents {
  /** The token expired while connected; the socket is closed right after. */
  'session:expired': () => void;
}

export interface AgentServerToClient extends SessionEvents {
  /** Full state; sent on every (re)connect and on request. Replaces everything the console shows. */
  'session:snapshot': (s: AgentSnapshot) => void;
  'agent:state': (s: AgentStateView) => void;
  'pop:show': (p: ScreenPop) => void;
  'pop:clear': (p: { callId: string; attempt: number; reason: string }) => void;
  'call:answered': (c: CurrentCallView) => void;
  'call:ended': (c: LastCallView) => void;
  /** Sent just before `pop:clear` when the ring ended because this agent's phone did not take the call. */
  'offer:missed': (m: MissedCallView) => void;
  'pop:orders': (o: PopOrdersView) => void;
  /** 我的工单 and the handover, on connect and on request. */
  'orders:snapshot': (s: AgentOrdersSnapshot) => void;
  'orders:changed': (c: AgentOrderChange) => void;
  /** A shift began (its handover to review) or its leader acknowledged the handover. */
  'handover:changed': (h: HandoverView) => void;
  /** The agent's callback call (click-to-call) moved on. */
  'callback:call': (c: CallbackCallView) => void;
  /** A supervisor barged in (or, with MONITOR_TELL_AGENT, listens or whispers) on this agent's call; `mode` null: no more. */
  'call:monitor': (m: AgentMonitorNotice) => void;
  /** A transfer of this agent's call (started by them, or consulting them) moved on. */
  'transfer:update': (t: TransferView) => void;
}

export interface AgentClientToServer {
  'agent:set-state': (cmd: SetStateCommand, ack: AckFn<AgentStateView>) => void;
  'agent:decline': (cmd: DeclineCommand, ack: AckFn<AgentStateView>) => void;
  'demo:answer': (cmd: DemoAnswerCommand, ack: AckFn<AgentStateView>) => void;
  'work-order:create': (cmd: CreateWorkOrderCommand, ack: AckFn<WorkOrderView>) => void;
  /** 归档, 重新派单, 转交 on an order the agent owns (the service refuses the rest, with `zh`). */
  'work-order:act': (cmd: CallCentreActionCommand, ack: AckFn<WorkOrderView>) => void;
  'session:resync': (ack: AckFn<AgentSnapshot>) => void;
  'orders:resync': (ack: AckFn<AgentOrdersSnapshot>) => void;
  'call:transfer-targets': (cmd: TransferTargetsCommand, ack: AckFn<TransferTargetsView>) => void;
  'call:consult': (cmd: ConsultCommand, ack: AckFn<TransferView>) => void;
  'call:consult-complete': (cmd: ConsultActionCommand, ack: AckFn<TransferView>) => void;
  'call:consult-cancel': (cmd: ConsultActionCommand, ack: AckFn<TransferView>) => void;
  'call:transfer-out': (cmd: TransferOutCommand, ack: AckFn<TransferView>) => void;
}

/** Events the supervisor and admin consoles share: the alarm feed. */
export interface AlarmFeedServerToClient {
  'alarms:snapshot': (a: AlarmView[]) => void;
  'alarm:raised': (a: AlarmView) => void;
  'alarm:updated': (a: AlarmView) => void;
}

// ───────────────────────────── work orders on the call-centre side ─────────────────────────────

/**
 * One order as the call centre's consoles list it (我的工单, 催办, the handover, the board): the
 * status, the deadline flags the rules set, the deadlines themselves (time left is counted by the
 * page against `serverNow`) and the urgings.
 */
export const workOrderBriefSchema = z
  .object({
    ...workOrderCoreShape,
    /** 首问负责制: the agent who owns it (the creator until handed over). */
    owner: z.string(),
    createdBy: z.string(),
    noticeLate: z.boolean(),
    acceptLate: z.boolean(),
    overdue: z.boolean(),
    escalated: z.boolean(),
    dispatchBy: epochMs.nullable(),
    acceptBy: epochMs.nullable(),
    dueBy: epochMs.nullable(),
    acceptedAt: epochMs.nullable(),
    resolvedAt: epochMs.nullable(),
    urgedAt: epochMs.nullable(),
    urgeCount: z.number().int().nonnegative(),
    updatedAt: epochMs,
  })
  .meta({ id: 'WorkOrderBrief' });
export type WorkOrderBrief = z.infer<typeof workOrderBriefSchema>;

export const shiftWindowSchema = z.object({ label: z.string(), start: epochMs, end: epochMs }).meta({ id: 'ShiftWindow' });
export type ShiftWindowView = z.infer<typeof shiftWindowSchema>;

/**
 * Rule 八: what the shift in progress takes over. `orders` are the unfinished orders opened before
 * this shift began (the previous shift's and older, overdue ones first); `reviewed` is the shift
 * leader's acknowledgement, once per shift.
 */
export const handoverViewSchema = z
  .object({
    serverNow: epochMs,
    shift: shiftWindowSchema,
    previous: shiftWindowSchema,
    /** The shift's leader from the roster (Shift document), or null: then a supervisor leads. */
    leader: z.string().nullable(),
    /** Whether the user asking may acknowledge (the leader, or a supervisor). */
    canReview: z.boolean(),
    reviewed: z.object({ at: epochMs, by: z.string(), count: z.number().int().nonnegative() }).nullable(),
    orders: z.array(workOrderBriefSchema),
  })
  .meta({ id: 'ShiftHandover' });
export type HandoverView = z.infer<typeof handoverViewSchema>;

/** 催办's answer: `repeated` when the same order was urged moments ago (a double click): nobody is told twice. */
export const urgeResultSchema = z
  .object({
    order: workOrderBriefSchema,
    repeated: z.boolean(),
    /** How the department was told this time (empty when repeated). */
    channels: z.array(z.enum(['sms', 'call'])),
  })
  .meta({ id: 'UrgeResult' });
export type UrgeResult = z.infer<typeof urgeResultSchema>;

/** The agent's side of work orders: sent on connect and on request; replaces what the page shows. */
export interface AgentOrdersSnapshot {
  serverNow: number;
  /** Orders this agent owns: every unfinished one, then the latest finished ones. */
  mine: WorkOrderBrief[];
  /** The current shift's handover; null when this process has no shift roster wired. */
  handover: HandoverView | null;
  /** Active agents besides this one: whom 转交 may hand an order to (首问负责制). */
  colleagues: ColleagueView[];
}

export interface ColleagueView {
  workNumber: string;
  name: string;
}

/** One order changed: where the page shows it (我的工单, the handover), it is replaced by this. */
export interface AgentOrderChange {
  order: WorkOrderBrief;
  /** Whether it is on the current shift's handover list (opened before the shift began, unfinished). */
  inHandover: boolean;
}
