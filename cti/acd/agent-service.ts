import { duplicateRedis, type RedisClient } from '../../core/connections';
import type { Logger } from '../../core/logger';
import { conflict, notFound } from '../../core/errors';
import { AGENT_STATE_ZH } from '../../contracts';
import type { Models } from '../../models';
import type { EventBus } from '../../events/event-bus';
import type { AcdStore } from './acd-store';
import type { AgentLive, AgentState } from './agent-state';

/**
 * Agent state changes that people and timers ask for (log-in, Ready, Not Ready, end of wrap-up),
 * each published as `agent.state` and followed by a dispatch kick so a waiting caller is served.
 */
export class AgentService {
  constructor(
    private readonly acd: AcdStore,
    private readonly models: Models,
    private readonly bus: EventBus,
    private readonly kicks: DispatchKicks,
    private readonly logger: Logger,
  ) {}

  /** Loads the agent's profile from MongoDB into the live store (state `offline` if new). */
  async login(workNumber: string): Promise<AgentLive> {
    const a = await this.models.Agent.findOne({ workNumber, active: true }).lean();
    if (!a) throw notFound(`agent ${workNumber}`);
    await this.acd.upsertAgent({
      workNumber,
      name: a.name,
      extension: a.extension ?? workNumber,
      languages: (a.languages ?? []) as AgentLive['languages'],
    });
    return (await this.acd.agent(workNumber))!;
  }

  /** A person's choice on the console (Ready, Not Ready, wrap-up, sign off); never out of a call. */
  async change(workNumber: string, state: 'ready' | 'not_ready' | 'acw' | 'offline', reason = ''): Promise<AgentLive> {
    const cur = await this.acd.agent(workNumber);
    // Asking for the state one is in (a double click, a second tab, a restart) is not an error.
    if (cur && cur.state === state && (state !== 'not_ready' || cur.reason === reason)) return cur;
    const r = await this.acd.move(workNumber, { by: 'person', to: state, reason });
    if (!r.ok) {
      if (r.why === 'unknown') throw notFound(`agent ${workNumber}`);
      const now = AGENT_STATE_ZH[r.state as AgentState] ?? '未知';
      throw conflict(`cannot go ${state} while ${r.state}`, `当前状态为「${now}」，不能切换为「${AGENT_STATE_ZH[state]}」`);
    }
    return this.announce(workNumber);
  }

  /**
   * A step of one call (ring, answer, wrap-up, release, alarm): moves the agent only while they are
   * still on `call` and in one of `from`; returns false otherwise (the agent has moved on).
   */
  async forCall(workNumber: string, call: string, to: AgentState, from: readonly AgentState[], reason = ''): Promise<boolean> {
    const r = await this.acd.move(workNumber, { by: 'call', call, to, from, reason });
    if (!r.ok) {
      this.logger.debug({ agent: workNumber, callId: call, to, why: r.why, state: r.state }, 'agent move for a call refused');
      return false;
    }
    await this.announce(workNumber);
    return true;
  }

  /**
   * A consult: takes `workNumber` for `call` only if they are Ready now, in one step, so the ACD
   * offers them no caller meanwhile. False when they are not Ready (busy, away, taken by a ring).
   */
  async reserveForConsult(workNumber: string, call: string): Promise<boolean> {
    const r = await this.acd.move(workNumber, { by: 'consult', call, to: 'reserved' });
    if (!r.ok) return false;
    await this.announce(workNumber);
    return true;
  }

  /** The queue changed (a caller left): later calls on any process may now be served. */
  async kickDispatch(): Promise<void> {
    await this.kicks.kick();
  }

  private async announce(workNumber: string): Promise<AgentLive> {
    const a = (await this.acd.agent(workNumber))!;
    await this.bus.publish({ type: 'agent.state', agentWorkNumber: workNumber, state: a.state, reason: a.reason, callId: a.callId, at: a.since });
    if (a.state === 'ready') await this.kicks.kick();
    this.logger.info({ agent: workNumber, state: a.state, reason: a.reason || undefined }, 'agent state');
    return a;
  }
}

/** Wakes every process's dispatcher (an agent became free, or the queue changed). */
export class DispatchKicks {
  private sub?: RedisClient;
  constructor(
    private readonly redis: RedisClient,
    private readonly channel: string,
  ) {}
  async kick(): Promise<void> {
    await this.redis.publish(this.channel, '1');
  }
  async listen(onKick: () => void): Promise<void> {
    this.sub = duplicateRedis(this.redis);
    this.sub.on('error', () => undefined);
    this.sub.on('message', () => onKick());
    await this.sub.subscribe(this.channel);
  }
  close(): void {
    this.sub?.disconnect();
  }
}
