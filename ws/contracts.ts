/**
 * Every Socket.IO event and command of the three consoles, with its payload: the one contract
 * shared by the server (ws/) and the browser (web/). Types only, apart from tiny constant
 * tables, so the browser bundle stays small. Times are ms since the epoch (server clock; each
 * snapshot carries `serverNow` so a browser can correct its own clock for timers).
 *
 * Socket.IO's typed-events pattern: `Server<ClientToServer, ServerToClient>` on the server,
 * `Socket<ServerToClient, ClientToServer>` in the browser, one pair per namespace.
 */
import type { AgentState } from '../cti/acd/agent-state';
import type {
  AlarmKind,
  CallOutcome,
  CallState,
  DepartmentCode,
  Language,
  Role,
  WorkOrderCategory,
  WorkOrderStatus,
} from '../models/enums';

export type { AgentState, AlarmKind, CallOutcome, CallState, DepartmentCode, Language, Role, WorkOrderCategory, WorkOrderStatus };

// ───────────────────────────── commands: acks ─────────────────────────────

/** Every command is answered with exactly one ack: the result, or why not. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };

export interface AckError {
  /** Stable code clients branch on: validation, conflict, not_found, forbidden, rate_limited, internal… */
  code: string;
  message: string;
  details?: unknown;
}

export type AckFn<T> = (res: Ack<T>) => void;

// ───────────────────────────── REST: log-in ─────────────────────────────

export interface LoginRequest {
  workNumber: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  role: Role;
  workNumber: string;
  name: string;
  department?: DepartmentCode;
  /** ms epoch when the token stops being accepted. */
  expiresAt: number;
}

/** `handshake.auth` of every console socket. */
export interface SocketAuth {
  token: string;
}

/** Which roles may open which namespace (the server enforces it on connect). */
export const NAMESPACE_ROLES = {
  '/agent': ['agent'],
  '/supervisor': ['supervisor', 'admin'],
  '/admin': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type ConsoleNamespace = keyof typeof NAMESPACE_ROLES;

/** `connect_error` data when the server refuses a socket. */
export interface ConnectRefusal {
  code: 'unauthorized' | 'forbidden';
  message: string;
}

// ───────────────────────────── shared views ─────────────────────────────

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

/** Reasons an agent may give for Not Ready; the system adds `no-answer`, `phone-busy`, `phone-unreachable`. */
export const NOT_READY_REASONS = ['break', 'meal', 'meeting', 'training', 'callback', 'other'] as const;
export type NotReadyReason = (typeof NOT_READY_REASONS)[number];

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

export interface WorkOrderSummary {
  number: string;
  category: WorkOrderCategory;
  department: DepartmentCode;
  status: WorkOrderStatus;
  emergency: boolean;
  createdAt: number;
  address: string;
  description: string;
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

export interface WorkOrderView extends WorkOrderSummary {
  callId: string | null;
  createdBy: string;
  customerAccount: string | null;
  contactName: string | null;
  contactPhone: string;
  leak: LeakDetails | null;
}

export interface LeakDetails {
  location?: string;
  pipeDiameterMm?: number;
  meterSide?: 'before' | 'after' | 'unknown';
  landmarks?: string;
}

export interface CreateWorkOrderCommand {
  category: WorkOrderCategory;
  /** The call it was taken on (links the order to the call and its recording). */
  callId?: string;
  customerAccount?: string;
  contactName?: string;
  contactPhone: string;
  address: string;
  description: string;
  /** Art. 13; required (`location`) for leak, fault and pipe burst. */
  leak?: LeakDetails;
}

export interface SetStateCommand {
  state: 'ready' | 'not_ready' | 'acw' | 'offline';
  /** Required with not_ready. */
  reason?: NotReadyReason;
}

export interface AlarmView {
  id: string;
  key: string;
  kind: AlarmKind;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  callId: string | null;
  agentWorkNumber: string | null;
  ringMs: number | null;
  raisedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

export interface AlarmAckCommand {
  alarmId: string;
}

// ───────────────────────────── board ─────────────────────────────

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
  agentWorkNumber: string | null;
  answeredAt: number | null;
  node: string;
}

/** Today's figures; docs/consoles.md defines each one. Ratios are 0–1, or null when undefined (÷ 0). */
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

// ───────────────────────────── admin health ─────────────────────────────

export interface ProbeView {
  ok: boolean;
  ms: number;
  reason?: string;
}

export interface PhoneHealthView {
  extension: string;
  status: string;
  reachable: boolean;
  since: string;
}

export interface NodeHealth {
  node: string;
  at: number;
  /** null: this process runs without telephony. */
  ari: { connected: boolean } | null;
  ami: { connected: boolean; state: string; since: string; reconnects: number; lastError?: string } | null;
  trunk: { registered: boolean; registrations: Array<{ name: string; status: string; since: string }> } | null;
  phones: PhoneHealthView[];
  redis: ProbeView;
  mongodb: ProbeView;
  consoles: { agent: number; supervisor: number; admin: number };
}

export interface SystemHealth {
  serverNow: number;
  /** One entry per CTI process that reported within the last 20 s; `stale` when it stopped reporting. */
  nodes: Array<NodeHealth & { stale: boolean }>;
}

// ───────────────────────────── namespaces ─────────────────────────────

interface SessionEvents {
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
  'work-order:create': (cmd: CreateWorkOrderCommand, ack: AckFn<WorkOrderView>) => void;
  'session:resync': (ack: AckFn<AgentSnapshot>) => void;
}

export interface SupervisorServerToClient extends SessionEvents {
  'board:snapshot': (b: BoardSnapshot) => void;
  'alarms:snapshot': (a: AlarmView[]) => void;
  'alarm:raised': (a: AlarmView) => void;
  'alarm:updated': (a: AlarmView) => void;
}

export interface SupervisorClientToServer {
  'alarm:ack': (cmd: AlarmAckCommand, ack: AckFn<AlarmView>) => void;
  'board:resync': (ack: AckFn<BoardSnapshot>) => void;
}

export interface AdminServerToClient extends SessionEvents {
  'health:snapshot': (h: SystemHealth) => void;
  'alarms:snapshot': (a: AlarmView[]) => void;
  'alarm:raised': (a: AlarmView) => void;
  'alarm:updated': (a: AlarmView) => void;
}

export interface AdminClientToServer {
  'alarm:ack': (cmd: AlarmAckCommand, ack: AckFn<AlarmView>) => void;
  'health:resync': (ack: AckFn<SystemHealth>) => void;
}

/** What the server keeps on each socket (`socket.data`). */
export interface SocketData {
  user: SessionUser;
  tokenExpiresAt: number;
}

export interface SessionUser {
  workNumber: string;
  name: string;
  role: Role;
  department?: DepartmentCode;
}

export interface RecordingLink {
  url: string;
  expiresAt: number;
}
