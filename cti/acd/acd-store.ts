import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '../../core/connections';
import type { CallState, Language, OfferResult } from '../../models/enums';
import { AGENT_STATES, callAfter, fromStates, type AgentLive, type AgentMove, type AgentState } from './agent-state';
import { AcdKeys } from './keys';
import { agentOrder } from '../../contracts/board-updates';

const lua = (name: string) => readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');

export interface QueuedCall {
  callId: string;
  language: Language;
  queuedAt: number;
  node: string;
  callerNumber: string;
  /** A queue callback's virtual caller (the caller hung up keeping their place): the number to call back. */
  callback?: string;
}

export type OfferState = OfferResult;

/** A live call's step as the live-steps hash keeps it (`state|language`). */
export interface LiveStep {
  state: CallState;
  language: Language | null;
}

function parseStep(v: string): LiveStep {
  const [state, language] = v.split('|');
  return { state: state as CallState, language: (language || null) as Language | null };
}

/** The agent the ACD picked for a call, and the phone to ring. */
export interface ReservedAgent {
  workNumber: string;
  extension: string;
}

type LuaRedis = RedisClient & {
  acdReserve(...args: string[]): Promise<[string, string] | null>;
  acdSetState(...args: string[]): Promise<[number, string, string?]>;
  acdUpsertAgent(...args: string[]): Promise<number>;
  acdCas(key: string, expected: string, next: string, ttlMs: string): Promise<number>;
  acdClaimAdoption(adoptedKey: string, node: string, keepMs: string, owner: string): Promise<number>;
};

const OFFER_TTL_MS = 24 * 3600_000;
/** `agentsKnown` reads every agent at least this often, whatever the change marks say. */
const KNOWN_FULL_READ_MS = 30_000;
const NODE_FORGET_MS = 24 * 3600_000;

/**
 * All live ACD state shared by every CTI process: agents, the queue, reservations and offers.
 * Every multi-step change is one Lua script or one MULTI, so two processes never disagree.
 */
export class AcdStore {
  readonly keys: AcdKeys;
  private readonly r: LuaRedis;
  private readonly known: { agents: Map<string, AgentLive>; version: number | null; fullAt: number } = { agents: new Map(), version: null, fullAt: 0 };

  constructor(
    redis: RedisClient,
    prefix: string,
    /**
     * How long an earlier call of another process may wait before it holds later calls back (see
     * reserve.lua): the price of first-come first-served across processes, in fairness, is at most this.
     */
    private readonly fairnessGraceMs = 250,
  ) {
    this.keys = new AcdKeys(prefix);
    // defineCommand loads each script once (EVALSHA, falling back to EVAL after a Redis restart).
    if (!('acdReserve' in redis)) {
      redis.defineCommand('acdReserve', { numberOfKeys: 7, lua: lua('reserve') });
      redis.defineCommand('acdSetState', { numberOfKeys: 6, lua: lua('set-state') });
      redis.defineCommand('acdUpsertAgent', { numberOfKeys: 4, lua: lua('upsert-agent') });
      redis.defineCommand('acdCas', { numberOfKeys: 1, lua: lua('cas') });
      redis.defineCommand('acdClaimAdoption', { numberOfKeys: 1, lua: lua('claim-adoption') });
    }
    this.r = redis as LuaRedis;
  }

  /** Registers (or refreshes) an agent's profile; a new agent starts `offline`. */
  async upsertAgent(a: { workNumber: string; name: string; extension: string; languages: Language[] }): Promise<void> {
    const k = this.keys;
    await this.r.acdUpsertAgent(k.agent(a.workNumber), k.agents(), k.agentsVersion(), k.agentsChanged(), a.workNumber, a.name, a.extension, a.languages.join(','), String(Date.now()));
  }

  /**
   * One agent move, atomically, by the rule of `judgeMove`: a person's choice from the states
   * they may leave, or a call's step while the agent is still on that call. Returns the previous
   * state, or why the move was refused.
   */
  async move(workNumber: string, m: AgentMove, now = Date.now()): Promise<{ ok: true; from: AgentState } | { ok: false; why: 'state' | 'other-call' | 'unknown'; state: string }> {
    const k = this.keys;
    const [ok, cur, why] = await this.r.acdSetState(
      k.agent(workNumber),
      k.ready('yue'),
      k.ready('cmn'),
      k.ready('any'),
      k.agentsVersion(),
      k.agentsChanged(),
      fromStates(m).join(','),
      m.to,
      String(now),
      m.reason ?? '',
      callAfter(m),
      // A consult takes a Ready agent who is on no call yet: no call to check, like a person's move.
      m.by === 'call' ? m.call : '',
      workNumber,
    );
    if (ok === 1) return { ok: true, from: cur as AgentState };
    return { ok: false, why: (why ?? 'state') as 'state' | 'other-call' | 'unknown', state: cur };
  }

  async agent(workNumber: string): Promise<AgentLive | null> {
    const h = await this.r.hgetall(this.keys.agent(workNumber));
    return h.state ? toAgent(workNumber, h) : null;
  }

  async agents(): Promise<AgentLive[]> {
    return this.readAgents((await this.r.smembers(this.keys.agents())).sort());
  }

  /** These agents' hashes in one round trip; an id with no hash (never registered) is left out. */
  private async readAgents(ids: readonly string[]): Promise<AgentLive[]> {
    if (ids.length === 0) return [];
    const pipe = this.r.pipeline();
    for (const id of ids) pipe.hgetall(this.keys.agent(id));
    const rows = (await pipe.exec()) ?? [];
    return ids.flatMap((id, i) => {
      const h = rows[i]?.[1] as Record<string, string> | undefined;
      return h?.state ? [toAgent(id, h)] : [];
    });
  }

  /**
   * The agents changed since version `since` (every agent when `since` is null, or when the
   * version went back: Redis lost its data), and the version they bring the reader to. A board
   * refreshing every second reads a handful of hashes instead of every agent's.
   */
  async agentChanges(since: number | null): Promise<{ version: number; full: boolean; agents: AgentLive[] }> {
    const k = this.keys;
    // The version is read before the agents: a change made during the read is read again next time.
    const version = Number((await this.r.get(k.agentsVersion())) ?? 0);
    if (since === null || version < since) return { version, full: true, agents: await this.agents() };
    if (version === since) return { version, full: false, agents: [] };
    const ids = await this.r.zrangebyscore(k.agentsChanged(), `(${since}`, version);
    return { version, full: false, agents: await this.readAgents(ids) };
  }

  /**
   * Every agent, as `agents()` gives them, read incrementally: only the agents changed since this
   * store's previous call (every write to an agent bumps a version and marks the agent), every
   * agent at least each KNOWN_FULL_READ_MS (a lost change mark) or when the version went back (Redis
   * lost its data). For the periodic readers of the whole floor (board, sweep, wait estimate,
   * metrics): a thousand agents' hashes read and decoded every few seconds on every process
   * blocked the event loop ~15 ms each time. What they act on goes through a compare-and-set script.
   */
  async agentsKnown(now = Date.now()): Promise<AgentLive[]> {
    const k = this.known;
    const got = await this.agentChanges(now - k.fullAt >= KNOWN_FULL_READ_MS ? null : k.version);
    if (got.full) {
      k.agents = new Map(got.agents.map((a) => [a.workNumber, a]));
      k.fullAt = now;
    } else {
      for (const a of got.agents) k.agents.set(a.workNumber, a);
    }
    k.version = got.version;
    return [...k.agents.values()].sort(agentOrder);
  }

  /** Changes may have been missed (Redis failed over, events lost): the next `agentsKnown` reads every agent. */
  forgetKnownAgents(): void {
    this.known.version = null;
  }

  async agentByExtension(extension: string): Promise<AgentLive | null> {
    return (await this.agents()).find((a) => a.extension === extension) ?? null;
  }

  /** Puts a call in the queue at its arrival position (a re-offered call keeps its place). */
  async enqueue(c: QueuedCall): Promise<void> {
    await this.r
      .multi()
      .hset(this.keys.qcall(c.callId), {
        lang: c.language,
        queuedAt: String(c.queuedAt),
        node: c.node,
        caller: c.callerNumber,
        agent: '',
        ...(c.callback ? { callback: c.callback } : {}),
      })
      .pexpire(this.keys.qcall(c.callId), OFFER_TTL_MS)
      .zadd(this.keys.queue(), String(c.queuedAt), c.callId)
      .exec();
  }

  async dequeue(callId: string): Promise<void> {
    await this.r.multi().zrem(this.keys.queue(), callId).del(this.keys.qcall(callId)).exec();
  }

  async isQueued(callId: string): Promise<boolean> {
    return (await this.r.zscore(this.keys.queue(), callId)) !== null;
  }

  /** Queued calls in arrival order (the board and the dispatcher read this). */
  async queued(): Promise<QueuedCall[]> {
    const ids = await this.r.zrange(this.keys.queue(), '0', '-1');
    if (ids.length === 0) return [];
    const pipe = this.r.pipeline();
    for (const id of ids) pipe.hgetall(this.keys.qcall(id));
    const rows = (await pipe.exec()) ?? [];
    return ids.flatMap((callId, i) => {
      const h = rows[i]?.[1] as Record<string, string> | undefined;
      if (!h?.lang) return [];
      return [{ callId, language: h.lang as Language, queuedAt: Number(h.queuedAt), node: h.node ?? '', callerNumber: h.caller ?? '', ...(h.callback ? { callback: h.callback } : {}) }];
    });
  }

  /**
   * The ACD's choice for one call: the longest-idle Ready agent who may take it, reserved; or null.
   * Only `node`, the call's owner, may ask, and only while its heartbeat mark lives (fencing).
   */
  async reserve(callId: string, node: string, fallbackMs: number, now = Date.now()): Promise<string | null> {
    return (await this.reserveFor(callId, node, fallbackMs, null, now))?.workNumber ?? null;
  }

  /**
   * `reserve`, and in the same script the offer `attempt` marked ringing: all the owner needs to
   * ring the agent's phone (their extension included), in one round trip.
   */
  async reserveOffer(callId: string, node: string, fallbackMs: number, attempt: number, now = Date.now()): Promise<ReservedAgent | null> {
    return this.reserveFor(callId, node, fallbackMs, attempt, now);
  }

  private async reserveFor(callId: string, node: string, fallbackMs: number, attempt: number | null, now: number): Promise<ReservedAgent | null> {
    const k = this.keys;
    const got = await this.r.acdReserve(
      k.queue(),
      k.qcall(callId),
      k.ready('yue'),
      k.ready('cmn'),
      k.ready('any'),
      k.unreachable(),
      k.offer(callId, attempt ?? 0),
      callId,
      String(now),
      String(fallbackMs),
      node,
      attempt === null ? '' : String(attempt),
      String(OFFER_TTL_MS),
      String(this.fairnessGraceMs),
    );
    return got ? { workNumber: got[0], extension: got[1] } : null;
  }

  async startOffer(callId: string, attempt: number): Promise<void> {
    await this.r.set(this.keys.offer(callId, attempt), 'ringing', 'PX', OFFER_TTL_MS);
  }

  /** Ends a ringing offer with `result` if nobody ended it first; true for the winner. */
  async endOffer(callId: string, attempt: number, result: Exclude<OfferState, 'ringing'>): Promise<boolean> {
    return (await this.r.acdCas(this.keys.offer(callId, attempt), 'ringing', result, String(OFFER_TTL_MS))) === 1;
  }

  async offerState(callId: string, attempt: number): Promise<OfferState | null> {
    return (await this.r.get(this.keys.offer(callId, attempt))) as OfferState | null;
  }

  /**
   * Forgets queued and live calls of processes that stopped beating (crashed): they must not show
   * on boards, hold agents or block the queue. Returns the calls removed, for a survivor to adopt.
   */
  async sweepDeadNodes(): Promise<Array<{ callId: string; node: string }>> {
    const removed = new Map<string, string>();
    const alive = new Map<string, boolean>();
    const isAlive = async (node: string) => {
      if (!alive.has(node)) alive.set(node, (await this.r.exists(this.keys.node(node))) === 1);
      return alive.get(node)!;
    };
    for (const q of await this.queued()) {
      if (await isAlive(q.node)) continue;
      await this.dequeue(q.callId);
      removed.set(q.callId, q.node);
    }
    for (const [callId, node] of await this.liveCalls()) {
      if (await isAlive(node)) continue;
      await this.markDone(callId);
      removed.set(callId, node);
    }
    return [...removed].map(([callId, node]) => ({ callId, node }));
  }

  /** The process that took a call over, if one did. */
  async adoptedBy(callId: string): Promise<string | null> {
    return this.r.get(this.keys.adopted(callId));
  }

  /**
   * One survivor takes over a dead process's call: true for the first to ask. Refused when the
   * owner is alive again (it beat before putting its calls back, so it and a survivor never both
   * take a call); a call whose adopter died in turn may be claimed again.
   */
  async claimAdoption(callId: string, node: string, owner?: string): Promise<boolean> {
    return (await this.r.acdClaimAdoption(this.keys.adopted(callId), node, String(24 * 3600_000), owner ?? '')) === 1;
  }

  /**
   * A node's liveness mark: earlier calls of a dead node must not hold agents back. True when the
   * mark had expired before this beat (the node was taken for dead: its calls may have been swept).
   */
  async heartbeat(node: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const res = await this.r
      .multi()
      .set(this.keys.node(node), String(now), 'PX', ttlMs, 'GET')
      .zadd(this.keys.nodes(), String(now), node)
      // A name not heard of for a day is a process that is gone for good (a renamed or retired node).
      .zremrangebyscore(this.keys.nodes(), '-inf', String(now - NODE_FORGET_MS))
      .exec();
    const [err, prev] = res?.[0] ?? [new Error('heartbeat transaction discarded'), null];
    if (err) throw err;
    return prev === null;
  }

  /** The processes whose heartbeat mark lives, sorted: every process reads the same list. */
  async liveNodes(): Promise<string[]> {
    const names = await this.r.zrange(this.keys.nodes(), '0', '-1');
    if (!names.length) return [];
    const marks = await this.r.mget(...names.map((n) => this.keys.node(n)));
    return names.filter((_, i) => marks[i] !== null).sort();
  }

  /** A planned stop: `node` takes no more calls, so the others claim its share at once. */
  async leaveNodes(node: string): Promise<void> {
    await this.r.zrem(this.keys.nodes(), node);
  }

  /** Whether `node`'s heartbeat mark lives (it has beaten within its TTL). */
  async nodeAlive(node: string): Promise<boolean> {
    return (await this.r.exists(this.keys.node(node))) === 1;
  }

  /**
   * The max-wait watchdog, running on another process, asks `node` (alive, the call's owner) to
   * look at `callId`: only the owner holds the call's session. Kept in Redis, so a request made
   * while the owner is busy is read at its next beat, not lost like a pub/sub message.
   */
  async requestHeal(node: string, callId: string): Promise<void> {
    await this.r.multi().sadd(this.keys.heal(node), callId).pexpire(this.keys.heal(node), OFFER_TTL_MS).exec();
  }

  /** The calls other processes asked `node` to look at, each handed out once. */
  async takeHealRequests(node: string): Promise<string[]> {
    return this.r.spop(this.keys.heal(node), 1000);
  }

  /** Single-app mode: `node` holds `app` now (re-said on every beat while it does). */
  async holdApp(app: string, node: string): Promise<void> {
    await this.r.set(this.keys.appHolder(app), node);
  }

  /** A planned stop: `node` lets go of `app` (if it still holds it), so a standby need not wait for its mark to lapse. */
  async releaseApp(app: string, node: string): Promise<void> {
    await this.r.acdCas(this.keys.appHolder(app), node, '', '1000');
  }

  /** The holder of `app` if its heartbeat mark lives; null when nobody live holds it. */
  async liveAppHolder(app: string): Promise<string | null> {
    const holder = await this.r.get(this.keys.appHolder(app));
    if (!holder) return null;
    return (await this.r.exists(this.keys.node(holder))) === 1 ? holder : null;
  }

  /** Calls in progress on any process (callId → node): reconcile must not free another node's agents. */
  async markLive(callId: string, node: string): Promise<void> {
    await this.r.hset(this.keys.live(), callId, node);
  }

  async markDone(callId: string): Promise<void> {
    await this.r.multi().hdel(this.keys.live(), callId).hdel(this.keys.liveSteps(), callId).exec();
  }

  /** A live call's step (its record in MongoDB shows only arrival, answer and end as they happen). */
  async markStep(callId: string, state: CallState, language: Language | undefined): Promise<void> {
    await this.r.hset(this.keys.liveSteps(), callId, `${state}|${language ?? ''}`);
  }

  /** The latest step of each live call that has taken one. */
  async liveSteps(): Promise<Map<string, LiveStep>> {
    const raw = await this.r.hgetall(this.keys.liveSteps());
    return new Map(Object.entries(raw).map(([callId, v]) => [callId, parseStep(v)]));
  }

  /** One live call's latest step: a single field read, where one call is asked about. */
  async liveStep(callId: string): Promise<LiveStep | undefined> {
    const v = await this.r.hget(this.keys.liveSteps(), callId);
    return v === null ? undefined : parseStep(v);
  }

  async liveCalls(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.r.hgetall(this.keys.live())));
  }

  /** The process holding one live call, if it is live: a single field read. */
  async liveOwner(callId: string): Promise<string | undefined> {
    return (await this.r.hget(this.keys.live(), callId)) ?? undefined;
  }

  /** Marks a channel as the synthetic self-check call, for whichever process claims it. */
  async markSelfCheck(channelId: string, ttlMs: number): Promise<void> {
    await this.r.set(this.keys.selfCheck(channelId), '1', 'PX', ttlMs);
  }

  async isSelfCheck(channelId: string): Promise<boolean> {
    return (await this.r.exists(this.keys.selfCheck(channelId))) === 1;
  }

  async setPhoneReachable(extension: string, reachable: boolean): Promise<void> {
    if (reachable) await this.r.srem(this.keys.unreachable(), extension);
    else await this.r.sadd(this.keys.unreachable(), extension);
  }

  async unreachablePhones(): Promise<string[]> {
    return this.r.smembers(this.keys.unreachable());
  }
}

function toAgent(workNumber: string, h: Record<string, string>): AgentLive {
  const state = (AGENT_STATES as readonly string[]).includes(h.state ?? '') ? (h.state as AgentState) : 'offline';
  return {
    workNumber,
    name: h.name ?? '',
    extension: h.ext ?? '',
    languages: (h.langs ?? '').split(',').filter((l): l is Language => l === 'yue' || l === 'cmn'),
    state,
    since: Number(h.since ?? 0),
    reason: h.reason ?? '',
    callId: h.callId ?? '',
  };
}
