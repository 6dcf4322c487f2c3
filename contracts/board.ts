import type { AgentState, CallOutcome, CallState, Language } from '../models/enums';
import type { AgentStateView, AlarmFeedServerToClient, SessionEvents } from './agent';
import type { AlarmAckCommand, AlarmView } from './alarms';
import type { AckFn } from './common';

export interface BoardAgent extends AgentStateView {
  name: string;
  extension: string;
  languages: Language[];
  phoneReachable: boolean;
}

export interface WaitingCall {
  callId: string;
  callerNumber: string;
  language: Language;
  queuedAt: number;
}

export interface CallInProgress {
  callId: string;
  callerNumber: string;
  state: CallState;
  language: Language | null;
  arrivedAt: number;
  /** The agent on the call, or whose phone it is ringing (or about to ring) now. */
  agentWorkNumber: string | null;
  agentName: string | null;
  answeredAt: number | null;
  node: string;
}

/** Today's figures; the README's "Supervisor board" section defines each one. Ratios are 0–1, or null when undefined (÷ 0). */
export interface DayMetrics {
  arrived: number;
  offered: number;
  answered: number;
  answeredWithinSl: number;
  abandoned: number;
  greetingAbandons: number;
  failed: number;
  serviceLevel: number | null;
  serviceLevelOffered: number | null;
  asaMs: number | null;
  abandonRate: number | null;
  avgAbandonWaitMs: number | null;
  ringNoAnswer: number;
  alarmedOffers: number;
  avgTalkMs: number | null;
}

export interface AgentDayRow {
  workNumber: string;
  name: string;
  answered: number;
  answeredWithinSl: number;
  avgRingMs: number | null;
  avgTalkMs: number | null;
  ringNoAnswer: number;
}

export interface EndedCallView {
  callId: string;
  callerNumber: string;
  arrivedAt: number;
  endedAt: number;
  outcome: CallOutcome;
  agentWorkNumber: string | null;
  recordingName: string | null;
  /** Taken by Asterisk's own queue while no CTI process answered (imported from queue_log). */
  fallback: boolean;
}

export interface BoardSnapshot {
  serverNow: number;
  /** Asia/Shanghai calendar day the metrics cover, YYYY-MM-DD. */
  day: string;
  serviceLevelMs: number;
  waiting: Record<Language, { count: number; longestSince: number | null }>;
  queue: WaitingCall[];
  agents: BoardAgent[];
  agentCounts: Record<AgentState, number>;
  inProgress: CallInProgress[];
  metrics: DayMetrics;
  byAgent: AgentDayRow[];
  /** Today's last ended calls (newest first), to play recordings. */
  recentCalls: EndedCallView[];
}

export interface SupervisorServerToClient extends SessionEvents, AlarmFeedServerToClient {
  'board:snapshot': (b: BoardSnapshot) => void;
}

export interface SupervisorClientToServer {
  'alarm:ack': (cmd: AlarmAckCommand, ack: AckFn<AlarmView>) => void;
  'board:resync': (ack: AckFn<BoardSnapshot>) => void;
}
