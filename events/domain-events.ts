import type { AgentState, CallOutcome, CallState, DepartmentCode, Language } from '../models/enums';

/**
 * Domain events: cti/ → Redis pub/sub → ws/ (any CTI process may serve the console that
 * needs one). They stay small; the ringing event alone carries its screen-pop, joined in Redis.
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
      /** A colleague's consult (咨询), not a caller offered by the queue. */
      consult?: { from: string; fromName: string };
      /** A queue callback (回拨): the caller is off the line; this number is dialled when the agent answers. */
      queueCallback?: { number: string };
      /**
       * The screen-pop (the console's ScreenPop; events/ does not know the consoles' contracts) as
       * its owner stored it when publishing (agent-console/ringing-pop-bus.ts): null when the
       * offer had already ended. Absent: each process shows it from Redis itself.
       */
      pop?: ({ callId: string; attempt: number } & Record<string, unknown>) | null;
      /** Whether `pop` has the content gathered at arrival (false: the customer data is still to be read). */
      popFull?: boolean;
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
  /**
   * A transfer of a call in conversation moved on (consult, return, completion, department). Both
   * agents' consoles follow it; `reason` says why one ended without a hand-over.
   */
  | {
      type: 'call.transfer';
      callId: string;
      /** The agent who started it. */
      agentWorkNumber: string;
      kind: 'consult' | 'department';
      stage: 'ringing' | 'consulting' | 'returned' | 'completed' | 'failed';
      /** The consulted colleague or supervisor; for a department, its code. */
      target: string;
      targetName: string;
      number?: string;
      reason?: 'no-answer' | 'busy' | 'unreachable' | 'hung-up' | 'cancelled' | 'failed';
      /** The consult of a supervisor: who is calling, for their board (their desk phone has no pop). */
      callerNumber?: string;
      customerAccount?: string;
      at: number;
    }
  /** Rule 八: the shift starting at `startsAt` began (its handover is announced) or its leader acknowledged the handover. */
  | { type: 'shift.handover'; startsAt: number; what: 'announced' | 'reviewed'; at: number }
  /**
   * A supervisor started, switched or ended monitoring a call (`mode` null: ended). The board reads
   * the monitor again; the agent's console is told when `tellAgent`.
   */
  | {
      type: 'call.monitor';
      callId: string;
      agentWorkNumber: string | null;
      supervisor: string;
      supervisorName: string;
      mode: 'listen' | 'whisper' | 'barge' | null;
      /** What the agent's console shows: a barge always, listen and whisper only with MONITOR_TELL_AGENT. */
      agentSees: 'listen' | 'whisper' | 'barge' | null;
      /** Whether what the agent's console shows changed. */
      tellAgent: boolean;
      at: number;
    }
  /** 退出登录: the token may no longer be used, on any process. */
  | { type: 'token.revoked'; tokenId: string; expiresAt: number };

export type DomainEventType = DomainEvent['type'];
