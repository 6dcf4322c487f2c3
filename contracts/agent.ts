import { z } from 'zod';
import {
  NOT_READY_REASONS,
  type AgentState,
  type CallOutcome,
  type CallState,
  type Language,
} from '../models/enums';
import type { AlarmView } from './alarms';
import type { AckFn } from './common';
import type { CreateWorkOrderCommand, WorkOrderSummary, WorkOrderView } from './work-orders';

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
  kind: 'planned' | 'unplanned';
  scope: 'network' | 'plant';
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
  afterCallWorkMs: number;
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
}

export interface AgentClientToServer {
  'agent:set-state': (cmd: SetStateCommand, ack: AckFn<AgentStateView>) => void;
  'agent:decline': (cmd: DeclineCommand, ack: AckFn<AgentStateView>) => void;
  'work-order:create': (cmd: CreateWorkOrderCommand, ack: AckFn<WorkOrderView>) => void;
  'session:resync': (ack: AckFn<AgentSnapshot>) => void;
}

/** Events the supervisor and admin consoles share: the alarm feed. */
export interface AlarmFeedServerToClient {
  'alarms:snapshot': (a: AlarmView[]) => void;
  'alarm:raised': (a: AlarmView) => void;
  'alarm:updated': (a: AlarmView) => void;
}
