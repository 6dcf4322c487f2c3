import { io, type Socket } from 'socket.io-client';
import { AGENT_STATE_ZH, zhForCode } from '../../contracts/zh';
import type {
  Ack,
  AckError,
  AlarmKind,
  CallOutcome,
  CallState,
  ConnectRefusal,
  ConsoleNamespace,
  FieldError,
  Language,
  LoginResponse,
  Role,
  WorkOrderStatus,
} from '../../contracts';
import type { EscalationReason, ExtensionStatus, WorkOrderAction } from '../../models/enums';

// ───────────────────────────── session ─────────────────────────────

const SESSION_KEY = 'hotline.session';

/** Per tab (sessionStorage): an agent and a supervisor may be logged in side by side in one browser. */
export function saveSession(s: LoginResponse): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
}

export function loadSession(): LoginResponse | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as LoginResponse | null;
    return s && typeof s.token === 'string' && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export function logout(reason?: string): void {
  // 退出登录 by the person: the server refuses the token from now on (an expired one needs nothing).
  const s = reason ? null : loadSession();
  if (s) void fetch('/api/logout', { method: 'POST', headers: { Authorization: `Bearer ${s.token}` }, keepalive: true }).catch(() => undefined);
  sessionStorage.removeItem(SESSION_KEY);
  location.replace(reason ? `/?reason=${encodeURIComponent(reason)}` : '/');
}

export const HOME_FOR_ROLE: Record<Role, string> = {
  agent: '/agent.html',
  supervisor: '/supervisor.html',
  admin: '/admin.html',
  department: '/department.html',
};

/** The page's session, or back to the log-in page. */
export function requireSession(roles: readonly Role[]): LoginResponse {
  const s = loadSession();
  if (!s) {
    logout();
    // Stops this page's script while the browser goes to the log-in page.
    throw new Error('not logged in');
  }
  if (!roles.includes(s.role)) {
    location.replace(HOME_FOR_ROLE[s.role]);
    throw new Error('wrong page for role');
  }
  return s;
}

/**
 * A refused request or command as a page shows it: `message` is the server's Chinese text
 * (`zh`), `english` its English one for the browser console only, `fields` the per-field details.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    zh: string,
    readonly english: string,
    readonly fields: FieldError[] = [],
  ) {
    super(zh);
  }
}

/**
 * The Chinese a person reads for a refusal. The server always sends `zh`; anything without it
 * (a proxy's error page, an older server) gets the code's Chinese text, never the English.
 */
export function zhOf(error: Partial<AckError> | undefined): string {
  return typeof error?.zh === 'string' && error.zh.trim() ? error.zh : zhForCode(error?.code ?? '');
}

/** Any failure as Chinese text: a refusal's `zh`, else a network or script failure in plain words. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return '网络异常或服务器无响应，请检查网络后重试';
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  const res = await fetch(path, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const body = (await res.json().catch(() => ({}))) as { error?: Partial<AckError> };
  if (!res.ok) {
    if (res.status === 401 && init.token) logout('expired');
    const e = body.error;
    throw new ApiError(res.status, e?.code ?? 'error', zhOf(e), e?.message ?? res.statusText, Array.isArray(e?.details) ? e.details : []);
  }
  return body as T;
}

/** Pages that read over REST only (no socket): the header's light says whether the last read got through. */
export function showReachable(ok: boolean): void {
  const el = document.getElementById('conn');
  if (!el) return;
  el.textContent = ok ? '已连接' : '连接中断，正在重试…';
  el.className = ok ? 'conn ok' : 'conn down';
}

/**
 * A console socket. Socket.IO reconnects by itself; the server answers every connect with the
 * full state, so the page only ever replaces what it shows. A refused token ends the session.
 */
export function connect<S extends object, C extends object>(nsp: ConsoleNamespace, session: LoginResponse): Socket<S, C> {
  // WebSocket first: it needs no sticky sessions, so any CTI process behind a plain load balancer
  // can serve the console; long-polling only where a proxy blocks WebSockets.
  const socket = io(nsp, {
    auth: { token: session.token },
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelayMax: 5000,
  }) as unknown as Socket<S, C>;
  const raw = socket as unknown as Socket;
  raw.on('connect_error', (err: Error & { data?: ConnectRefusal }) => {
    if (err.data?.code === 'unauthorized' || err.data?.code === 'forbidden') logout(err.data.code);
  });
  raw.on('session:expired', () => logout('expired'));
  const status = document.getElementById('conn');
  const show = (text: string, ok: boolean) => {
    if (!status) return;
    status.textContent = text;
    status.className = ok ? 'conn ok' : 'conn down';
  };
  raw.on('connect', () => show('已连接', true));
  raw.on('disconnect', () => show('连接中断，正在重连…', false));
  raw.io.on('reconnect_attempt', () => show('正在重连…', false));
  return socket;
}

/**
 * Resolves a command's ack; a lost connection or silent server counts as a failure. `message` is
 * the Chinese a person reads; `fields` the per-field refusals (the form shows them inline).
 */
export function ackResult<T>(
  err: Error | null,
  res: Ack<T> | undefined,
): { ok: true; data: T } | { ok: false; code: string; message: string; fields: FieldError[] } {
  if (err || !res) return { ok: false, code: 'timeout', message: '服务器无响应，请重试', fields: [] };
  if (!res.ok) {
    // The English stays in the browser's console for whoever debugs; the page shows the Chinese.
    console.debug('refused:', res.error.code, res.error.message);
    return { ok: false, code: res.error.code, message: zhOf(res.error), fields: res.error.details ?? [] };
  }
  return res;
}

// ───────────────────────────── clock ─────────────────────────────

let clockOffset = 0;

/** Timers count on the server's clock: a wrong PC clock must not make the ring timer lie. */
export function syncClock(serverNow: number): void {
  clockOffset = serverNow - Date.now();
}

export const now = (): number => Date.now() + clockOffset;

export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
}

const TZ = 'Asia/Shanghai';
export const fmtTime = (t: number): string => new Date(t).toLocaleTimeString('zh-CN', { timeZone: TZ, hour12: false });
export const fmtDateTime = (t: number): string =>
  new Date(t).toLocaleString('zh-CN', { timeZone: TZ, hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
export const fmtPercent = (r: number | null): string => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
export const fmtSeconds = (ms: number | null): string => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} 秒`);

// ───────────────────────────── DOM ─────────────────────────────

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/** Builds elements with text nodes only (never innerHTML): caller data cannot inject markup. */
/**
 * Bidirectional controls (embeddings, overrides, isolates) and the terminal's escape in text a
 * caller dictated or a user typed: stored verbatim as evidence, but shown as visible marks, so an
 * override (U+202E) cannot reverse what follows it on screen nor disguise a file name.
 */
const INVISIBLE_CONTROLS = /[\u001b\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_MARKS: Record<string, string> = {
  '\u001b': '␛',
  '\u202a': '⟨LRE⟩',
  '\u202b': '⟨RLE⟩',
  '\u202c': '⟨PDF⟩',
  '\u202d': '⟨LRO⟩',
  '\u202e': '⟨RLO⟩',
  '\u2066': '⟨LRI⟩',
  '\u2067': '⟨RLI⟩',
  '\u2068': '⟨FSI⟩',
  '\u2069': '⟨PDI⟩',
};

export function shownText(text: string): string {
  return text.replace(INVISIBLE_CONTROLS, (c) => CONTROL_MARKS[c] ?? '');
}

function shownChild(c: Node | string | number): Node | string {
  return typeof c === 'number' ? String(c) : typeof c === 'string' ? shownText(c) : c;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(shownChild(c));
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

export function replace(el: HTMLElement, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map(shownChild));
}

export function header(session: LoginResponse, title: string): void {
  replace(
    byId('who'),
    h('span', { class: 'title' }, title),
    h('span', { class: 'user' }, `${session.name}（工号 ${session.workNumber}）`),
    h('span', { id: 'conn', class: 'conn down' }, '连接中…'),
    h('button', { class: 'link', onclick: () => logout() }, '退出登录'),
  );
}

// ───────────────────────────── labels ─────────────────────────────

export const LANGUAGE_LABEL: Record<Language, string> = { yue: '粤语', cmn: '普通话' };

export const AGENT_STATE_LABEL = AGENT_STATE_ZH;

export const REASON_LABEL: Record<string, string> = {
  break: '小休',
  meal: '用餐',
  meeting: '会议',
  training: '培训',
  callback: '回访',
  other: '其他',
  'no-answer': '振铃未接（系统）',
  'phone-busy': '话机忙（系统）',
  'phone-unreachable': '话机不可达（系统）',
  declined: '已拒接',
};

export { CATEGORY_LABEL } from '../../models/enums';

export { DEPARTMENT_LABEL } from '../../models/enums';

export const OUTCOME_LABEL: Record<CallOutcome, string> = {
  answered: '已接听',
  'abandoned-greeting': '语音阶段挂机',
  'abandoned-queue': '排队放弃',
  'abandoned-ringing': '振铃时放弃',
  failed: '失败',
  'informed-ivr': '停水告知后离开',
};

export const CALL_STATE_LABEL: Record<CallState, string> = {
  arrived: '呼入',
  greeting: '欢迎语',
  queued: '排队',
  'callback-waiting': '等待回拨',
  ringing: '振铃',
  announcing: '报工号',
  talking: '通话',
  ended: '结束',
};

export const STATUS_LABEL: Record<WorkOrderStatus, string> = {
  open: '待派单',
  dispatched: '已派单',
  accepted: '已受理',
  in_progress: '处理中',
  resolved: '已办结',
  archived: '已归档',
};

export const ALARM_KIND_LABEL: Record<AlarmKind, string> = {
  'answer-timeout': '超时未接',
  silence: '长时间无来电',
  emergency: '紧急事件',
  deadline: '超期',
  system: '系统',
  'long-wait': '排队超时',
  'queue-callback': '排队回拨未接通',
};

/** Plays a recording through a short-lived link (an <audio> element cannot send the bearer token). */
export async function playRecording(session: LoginResponse, name: string, player: HTMLAudioElement): Promise<void> {
  const link = await api<{ url: string }>(`/api/recordings/${encodeURIComponent(name)}/link`, { token: session.token });
  player.src = link.url;
  player.hidden = false;
  await player.play().catch(() => undefined);
}

/** A short beep through WebAudio; browsers allow sound only after a click, hence `enable()`. */
export class Beeper {
  private ctx: AudioContext | null = null;
  get enabled(): boolean {
    return this.ctx !== null;
  }
  /** False while the browser holds sound back (no click on the page yet). */
  get running(): boolean {
    return this.ctx?.state === 'running';
  }
  enable(): void {
    this.ctx ??= new AudioContext();
    void this.ctx.resume();
  }
  beep(times = 1): void {
    const ctx = this.ctx;
    if (!ctx) return;
    for (let i = 0; i < times; i++) {
      const at = ctx.currentTime + i * 0.5;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.25, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + 0.35);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.4);
    }
  }
}

// ───────────────────────────── work-order life (issue 12) ─────────────────────────────

/** History entries as every console that shows an order names them. */
export const WORK_ORDER_ACTION_LABEL: Record<WorkOrderAction, string> = {
  created: '登记',
  dispatched: '派单',
  accepted: '受理',
  started: '开始处理',
  resolved: '办结',
  archived: '归档',
  reopened: '重新派单',
  'notice-sent': '已通知部门',
  'notice-failed': '通知失败',
  'notice-acknowledged': '部门确认收到',
  'notice-late': '通知超时',
  'accept-late': '受理超时',
  overdue: '逾期',
  escalated: '升级至行政人事部',
  'extension-requested': '申请延期',
  'extension-approved': '批准延期',
  'extension-rejected': '驳回延期',
  'handed-over': '转交',
  'participant-added': '增加协办部门',
  urged: '催办',
  settled: '竣工结算',
};

export const EXTENSION_STATUS_LABEL: Record<ExtensionStatus, string> = { pending: '待审批', approved: '已批准', rejected: '已驳回' };

export const ESCALATION_REASON_LABEL: Record<EscalationReason, string> = {
  'notice-late': '通知超时',
  'accept-late': '受理超时',
  overdue: '逾期',
  manual: '人工升级',
};

/** The order's flags as tags: 通知超时 / 受理超时 / 逾期 / 已升级. */
export const FLAG_LABEL = { noticeLate: '通知超时', acceptLate: '受理超时', overdue: '逾期', escalated: '已升级' } as const;
