import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '../../core/connections';
import type { MonitorMode, MonitorView } from '../../contracts/monitor';
import { AcdKeys } from '../acd/keys';

/** One call's monitor, shared by every CTI process (the supervisor's socket may be on any). */
export interface MonitorSession {
  /** Names the monitor's bridge and legs (see monitor-ids.ts). */
  id: string;
  callId: string;
  supervisor: string;
  supervisorName: string;
  extension: string;
  /** The mode asked for; in effect once `phase` is `active`. */
  mode: MonitorMode;
  phase: 'dialing' | 'active';
  /** The Stasis app the supervisor's leg and the snoops were created in: their events go to it. */
  app: string;
  /** The process of that app: a survivor ends the monitor when it stops beating. */
  node: string;
  agentChannel: string;
  agentWorkNumber: string | null;
  callBridge: string;
  /** The snoop in use (listen, whisper); null while dialing or barged in. */
  snoop: string | null;
  /** Snoops made so far: each new one gets the next number (a snoop's directions cannot change). */
  snoops: number;
  /** Bumped by every change: the compare in compare-and-set. */
  rev: number;
  /** When `mode` took effect (or the phone started ringing). */
  since: number;
}

/** One entry of the Call document's `monitoring`. */
export interface MonitoringEntry {
  supervisor: string;
  mode: MonitorMode;
  startedAt: string;
  endedAt?: string;
}

export interface LogStep {
  /** Closes the open entry at this time. */
  closeAt?: Date;
  /** Opens a new entry. */
  open?: { supervisor: string; mode: MonitorMode; at: Date };
}

const lua = (name: string) => readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');

type MonitorRedis = RedisClient & {
  monitorPut(monitors: string, log: string, callId: string, rev: string, next: string, closeAt: string, entry: string, keepMs: string): Promise<[number, string | string[]]>;
};

const LOG_KEEP_MS = 24 * 3600_000;

export const viewOf = (s: MonitorSession): MonitorView => ({
  callId: s.callId,
  supervisor: s.supervisor,
  supervisorName: s.supervisorName,
  mode: s.mode,
  phase: s.phase,
  since: s.since,
});

/**
 * The monitors in Redis: one hash field per call (so one monitor per call), changed only by
 * compare-and-set on its `rev`, in one script with the call's monitoring log, so two boards
 * cannot both start, switch or stop the same monitor.
 */
export class MonitorStore {
  private readonly r: MonitorRedis;
  private readonly keys: AcdKeys;

  constructor(redis: RedisClient, prefix: string) {
    if (!('monitorPut' in redis)) redis.defineCommand('monitorPut', { numberOfKeys: 2, lua: lua('monitor-put') });
    this.r = redis as MonitorRedis;
    this.keys = new AcdKeys(prefix);
  }

  private monitors = () => `${this.keys.p}:monitors`;
  private log = (callId: string) => `${this.keys.p}:monitor-log:${callId}`;

  async get(callId: string): Promise<MonitorSession | null> {
    const raw = await this.r.hget(this.monitors(), callId);
    return raw ? (JSON.parse(raw) as MonitorSession) : null;
  }

  async all(): Promise<MonitorSession[]> {
    return Object.values(await this.r.hgetall(this.monitors())).map((raw) => JSON.parse(raw) as MonitorSession);
  }

  async views(): Promise<Map<string, MonitorView>> {
    return new Map((await this.all()).map((s) => [s.callId, viewOf(s)]));
  }

  /**
   * `next` stored (null: removed) if the call's monitor is still `read` (null: none), with the log
   * step. The log as it now is, or the monitor found instead when it was not.
   */
  async put(callId: string, read: MonitorSession | null, next: MonitorSession | null, step: LogStep = {}): Promise<{ ok: true; log: MonitoringEntry[] } | { ok: false; found: MonitorSession | null }> {
    const entry = step.open ? JSON.stringify({ supervisor: step.open.supervisor, mode: step.open.mode, startedAt: step.open.at.toISOString() }) : '';
    const [ok, out] = await this.r.monitorPut(
      this.monitors(),
      this.log(callId),
      callId,
      read ? String(read.rev) : '',
      next ? JSON.stringify(next) : '',
      step.closeAt ? step.closeAt.toISOString() : '',
      entry,
      String(LOG_KEEP_MS),
    );
    if (ok !== 1) return { ok: false, found: typeof out === 'string' && out ? (JSON.parse(out) as MonitorSession) : null };
    return { ok: true, log: (out as string[]).map((e) => JSON.parse(e) as MonitoringEntry) };
  }
}
