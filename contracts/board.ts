import type { AgentState, CallOutcome, CallState, DepartmentCode, Language } from '../models/enums';
import type { AgentStateView, AlarmFeedServerToClient, SessionEvents, WorkOrderBrief } from './agent';
import type { AlarmAckCommand, AlarmView } from './alarms';
import type { AckFn } from './common';
import type { BoardConsultNotice } from './board-consult';
import type { MonitorCommands, MonitorView } from './monitor';
import type { CallCentreActionCommand, WorkOrderView } from './work-orders';

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
  /** A virtual caller (queue callback, 回拨): hung up keeping their place; this number is called back. */
  callback?: string;
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
  /** A supervisor listening, whispering or barged in (cti/monitor/); null when none. */
  monitor: MonitorView | null;
}

/** Today's figures; the README's "Supervisor board" section defines each one. Ratios are 0–1, or null when undefined (÷ 0). */
export interface DayMetrics {
  arrived: number;
  offered: number;
  answered: number;
  /** Of the answered: queue callbacks (排队回拨) that reached the caller. */
  answeredViaCallback: number;
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

/** Unfinished orders of one department: all of them, those past their time limit, those escalated. */
export interface DepartmentOrderCounts {
  open: number;
  overdue: number;
  escalated: number;
}

/**
 * The board's work orders (issue 12): what needs a supervisor now. Only unfinished orders; each
 * list most urgent first and cut at a screenful (`total` says how many there are).
 */
export interface WorkOrderPanel {
  /** Notice not acknowledged in time (Art. 8), complaint not accepted in time (Art. 9), or overdue. */
  late: { total: number; orders: WorkOrderBrief[] };
  /** Escalated to admin_hr (Art. 7). */
  escalated: { total: number; orders: WorkOrderBrief[] };
  /** Emergencies the department has not accepted yet (Art. 10): shown until accepted. */
  emergencies: WorkOrderBrief[];
  /** Resolved by the department, waiting for the call centre to 归档 (or 重新派单). */
  toArchive: { total: number; orders: WorkOrderBrief[] };
  byDepartment: Record<DepartmentCode, DepartmentOrderCounts>;
}

export interface BoardSnapshot {
  /**
   * The sending process's refresh this board is at: `board:update` number seq + 1 follows it. Per
   * process (a console that reconnects elsewhere starts from that process's snapshot).
   */
  seq: number;
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
  workOrders: WorkOrderPanel;
}

/** A keyed list's difference from the previous refresh: rows new or changed, and the keys gone. */
export interface KeyedChanges<T> {
  changed: T[];
  removed: string[];
}

/**
 * Every refresh after the console's snapshot. The per-agent lists (a thousand rows each on a big
 * floor) come as their changes since refresh `seq - 1`; the rest, small, whole.
 */
export type BoardUpdate = Omit<BoardSnapshot, 'agents' | 'byAgent'> & {
  agents: KeyedChanges<BoardAgent>;
  byAgent: KeyedChanges<AgentDayRow>;
};

export interface SupervisorServerToClient extends SessionEvents, AlarmFeedServerToClient {
  /** The whole board: on connecting and in answer to `board:resync`. */
  'board:snapshot': (b: BoardSnapshot) => void;
  'board:update': (u: BoardUpdate) => void;
  /** A consult of this board's own user (咨询 / 转接 to them), or null once it is over. */
  'board:consult': (n: BoardConsultNotice | null) => void;
}

export interface SupervisorClientToServer extends MonitorCommands {
  'alarm:ack': (cmd: AlarmAckCommand, ack: AckFn<AlarmView>) => void;
  'board:resync': (ack: AckFn<BoardSnapshot>) => void;
  /** 归档, 升级, 增加协办部门 (and 转交, 重新派单) on any order. */
  'work-order:act': (cmd: CallCentreActionCommand, ack: AckFn<WorkOrderView>) => void;
}
