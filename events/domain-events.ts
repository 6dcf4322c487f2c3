import type { AgentState, CallOutcome, CallState, DepartmentCode, Language } from '../models/enums';

/**
 * Domain events: cti/ → Redis pub/sub → ws/ (any CTI process may serve the console that
 * needs one). The screen-pop is enriched by ws/ from MongoDB; these stay small.
 */
export type DomainEvent =
  | { type: 'call.arrived'; callId: string; channelId: string; callerNumber: string; at: number; test: boolean }
  | { type: 'call.state'; callId: string; state: CallState; language?: Language; at: number }
  | {
      type: 'call.ringing';
      callId: string;
      attempt: number;
      agentWorkNumber: string;
      callerNumber: string;
      language: Language;
      customerAccount?: string;
      queuedAt: number;
      ringingAt: number;
    }
  | { type: 'call.offer-ended'; callId: string; attempt: number; agentWorkNumber: string; result: string; ringMs: number; at: number }
  | { type: 'call.answered'; callId: string; agentWorkNumber: string; answeredAt: number; ringMs: number; waitMs: number }
  | {
      type: 'call.ended';
      callId: string;
      outcome: CallOutcome;
      agentWorkNumber?: string;
      hangupBy?: 'caller' | 'agent' | 'system';
      recordingName?: string;
      at: number;
      test: boolean;
    }
  | { type: 'agent.state'; agentWorkNumber: string; state: AgentState; reason: string; callId: string; at: number }
  | {
      type: 'alarm.raised';
      alarmId: string;
      key: string;
      kind: string;
      severity: string;
      message: string;
      callId?: string;
      agentWorkNumber?: string;
      agentName?: string;
      callerNumber?: string;
      ringMs?: number;
      at: number;
    }
  /** An order was opened or changed; the department pages re-read it (the event carries no order data). */
  | { type: 'work-order.changed'; number: string; department: DepartmentCode; at: number }
  /** An outage notice changed (drafted, published, begun, over, moved): pages and the board read it again. */
  | { type: 'outage.changed'; number: string; at: number }
  /** A callback call (click-to-call) moved on: the agent's console shows where it is. */
  | {
      type: 'callback.call';
      callId: string;
      callbackId: string;
      agentWorkNumber: string;
      stage: 'agent' | 'customer' | 'talking' | 'ended';
      /** Why it ended unanswered (`customer-busy`, `agent-no-answer`, `cancelled`, …); null otherwise. */
      reason: string | null;
      at: number;
    }
  /** Rule 八: the shift starting at `startsAt` began (its handover is announced) or its leader acknowledged the handover. */
  | { type: 'shift.handover'; startsAt: number; what: 'announced' | 'reviewed'; at: number }
  /** 退出登录: the token may no longer be used, on any process. */
  | { type: 'token.revoked'; tokenId: string; expiresAt: number };

export type DomainEventType = DomainEvent['type'];
