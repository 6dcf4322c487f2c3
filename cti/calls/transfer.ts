import { z } from 'zod';
import type { RedisClient } from '../../core/connections';
import { badRequest, conflict, forbidden, notFound, unavailable } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { TransferTargetsView, TransferView } from '../../contracts';
import type { EventBus } from '../../events/event-bus';
import type { Models } from '../../models';
import type { AcdStore } from '../acd/acd-store';
import type { AfterCallWorkRule } from '../acd/after-call-work';
import type { AgentService } from '../acd/agent-service';
import type { AriEvent } from '../ari/events';
import type { AriPort } from '../ari/port';
import { bridgeIdOf } from './bridge-and-record';
import type { CallSession, Conversation } from './call-session';
import { ringEndResult } from './call-state';
import type { PlacedCallRouter } from './placed-call-router';

const callId = z.string().regex(/^[0-9a-f-]{36}$/);
const workNumber = z.string().regex(/^\d{3,6}$/);

/** One transfer request, as the owner of the call receives it (from its own console or over Redis). */
export const transferRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('consult'), callId, by: workNumber, target: workNumber }).strict(),
  z.object({ op: z.literal('complete'), callId, by: workNumber }).strict(),
  z.object({ op: z.literal('cancel'), callId, by: workNumber }).strict(),
  z.object({ op: z.literal('department'), callId, by: workNumber, number: z.string().regex(/^\+?\d{3,20}$/) }).strict(),
]);
export type TransferRequest = z.infer<typeof transferRequestSchema>;

/** A consult pop's attempt number: far above any queue offer's, so its pop never meets theirs. */
export const CONSULT_ATTEMPT_BASE = 900;

/** The leg of a call's n-th consult (its pop's attempt is CONSULT_ATTEMPT_BASE + n). */
export const consultLegId = (callId: string, n: number): string => `${callId}-c${n}`;

/** Transfer legs: `<callId>-c<n>` (a consulted colleague), `<callId>-d<n>` (a department's line). */
const LEG_RE = /^([0-9a-f-]{36})-([cd])(\d+)$/;
/** How long a transfer asked while the call is still connecting (报工号, bridging) waits for the conversation. */
const CONNECTING_WAIT_MS = 3000;

type Reason = NonNullable<TransferView['reason']>;

/** A transfer in progress on one call (at most one at a time). */
interface Pending {
  kind: 'consult' | 'department';
  n: number;
  /** The agent who holds the call and started the transfer, and their leg. */
  from: string;
  fromChannel: string;
  target: string;
  targetName: string;
  /** The consulted person is an ACD agent (reserved, ringing, talking for this call); a supervisor is not. */
  targetIsAgent: boolean;
  number?: string;
  legId: string;
  /** Consult only: where the agent and the colleague talk while the caller hears music. */
  consultBridge?: string;
  stage: 'ringing' | 'consulting';
  ringing: boolean;
  startedAt: number;
  /**
   * Consult only: the agent who started it hung up their phone. As with Asterisk's own attended
   * transfer, that hands the caller to the colleague (at once, or when they answer); nobody is left
   * to go back to, so no answer ends the call as the agent hanging up first.
   */
  fromGone?: boolean;
  /** Who is calling, for the consulted supervisor's board (their desk phone has no screen-pop). */
  callerNumber?: string;
  customerAccount?: string;
}

interface Handover {
  from: string;
  to?: string;
  kind: 'consult' | 'department';
  number?: string;
  department?: string;
  at: Date;
}

/** 首问负责制 (work-orders/): the call's orders follow a completed hand-over. */
export interface CallHandoverOrders {
  callHandedOver(h: { callId: string; from: string; to?: string; kind: 'consult' | 'department'; department?: string; number?: string; at: Date }): Promise<void>;
}

export interface TransferDeps {
  ari: AriPort;
  /** Each transfer in progress is kept here too, so a survivor can undo it if this process dies. */
  redis: RedisClient;
  acd: AcdStore;
  agents: AgentService;
  afterCallWork: AfterCallWorkRule;
  models: Models;
  bus: EventBus;
  /** The call sessions this process owns. */
  sessions: (callId: string) => CallSession | undefined;
  /** Bound once the work-order service exists. */
  orders: () => CallHandoverOrders | undefined;
  settings: {
    node: string;
    app: string;
    trunkEndpoint: string;
    /** A consulted phone rings this long (the answer alarm's time), then the agent is back with the caller. */
    consultRingSec: number;
    departmentRingSec: number;
    recordingFormat: 'wav';
  };
  logger: Logger;
}

/**
 * Consult transfer, return to the caller, and blind transfer to a department (issue 18), run by the
 * process that owns the call. The caller stays in the call's bridge throughout, hearing music while
 * their agent consults in a second bridge; completion moves the colleague (or the department's line)
 * into the call's bridge and the first agent out to after-call work, and the recording goes on in a
 * new part linked to the one before. A router of the Stasis app: the transfer legs' events come here.
 */
export class CallTransfers implements PlacedCallRouter {
  private readonly pending = new Map<string, Pending>();
  private readonly handovers = new Map<string, Handover[]>();
  private readonly seq = new Map<string, number>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  /** callId → the transfer in progress and its process (JSON): found by a survivor's sweep. */
  private readonly key: string;

  constructor(private readonly d: TransferDeps) {
    this.log = d.logger.child({ component: 'transfer' });
    this.key = `${d.acd.keys.p}:transfers`;
  }

  private async start(callId: string, p: Pending): Promise<void> {
    this.pending.set(callId, p);
    await this.d.redis.hset(this.key, callId, JSON.stringify({ ...p, node: this.d.settings.node }));
  }

  private async settle(callId: string): Promise<void> {
    this.pending.delete(callId);
    await this.d.redis.hdel(this.key, callId);
  }

  /** Runs one request on a call this process owns. */
  handle(req: TransferRequest): Promise<TransferView> {
    switch (req.op) {
      case 'consult':
        return this.inTurn(req.callId, () => this.consult(req.callId, req.by, req.target));
      case 'complete':
        return this.inTurn(req.callId, () => this.complete(req.callId, req.by));
      case 'cancel':
        return this.inTurn(req.callId, () => this.cancel(req.callId, req.by));
      case 'department':
        return this.inTurn(req.callId, () => this.department(req.callId, req.by, req.number));
    }
  }

  /** Whom `by` may consult or transfer to now. */
  async targets(by: string): Promise<TransferTargetsView> {
    const { acd, models } = this.d;
    const [live, supervisors, departments] = await Promise.all([
      acd.agents(),
      models.Agent.find({ role: 'supervisor', active: true, extension: { $exists: true, $ne: '' } }).select('workNumber name').sort({ workNumber: 1 }).lean(),
      models.Department.find({ transferNumber: { $exists: true, $ne: '' } }).select('code name transferNumber').sort({ code: 1 }).lean(),
    ]);
    return {
      agents: live.filter((a) => a.state === 'ready' && a.workNumber !== by).map((a) => ({ workNumber: a.workNumber, name: a.name })),
      supervisors: supervisors.map((s) => ({ workNumber: s.workNumber, name: s.name })),
      departments: departments.map((x) => ({ code: x.code, name: x.name, number: x.transferNumber ?? '' })),
    };
  }

  /** The call ended (any way): a transfer still in progress is stopped and its colleague freed. */
  async callEnded(callId: string): Promise<void> {
    await this.inTurn(callId, async () => {
      const p = this.pending.get(callId);
      if (p) await this.undo(callId, p, 'cancelled', null);
      this.handovers.delete(callId);
      this.seq.delete(callId);
    });
  }

  route(e: AriEvent): Promise<void> | null {
    switch (e.type) {
      case 'StasisStart': {
        const [role, id, n] = e.args;
        if (role !== 'consult' && role !== 'transfer') return null;
        return this.inTurn(id ?? '', () => this.legAnswered(e.channel.id, id ?? '', Number(n)));
      }
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        const m = LEG_RE.exec(e.channel.id);
        const cause = e.type === 'ChannelDestroyed' ? e.cause : undefined;
        if (m) return this.inTurn(m[1]!, () => this.legEnded(m[1]!, e.channel.id, cause));
        // The phone of the agent who is consulting: its end is the transfer's business, not the call's.
        const consulting = this.consultingFrom(e.channel.id);
        return consulting ? this.inTurn(consulting, () => this.fromLegEnded(consulting, e.channel.id)) : null;
      }
      case 'ChannelStateChange':
        if (!LEG_RE.test(e.channel.id)) return null;
        return e.channel.state === 'Ringing' ? this.ringing(e.channel.id) : Promise.resolve();
      case 'Dial':
        if (!LEG_RE.test(e.peer.id)) return null;
        return e.dialstatus === 'RINGING' ? this.ringing(e.peer.id) : Promise.resolve();
      default:
        return null;
    }
  }

  interrupted(): number {
    return 0;
  }

  /**
   * Transfers in progress on a process that stopped beating are undone by one survivor (the claim is
   * the HDEL): the transfer leg hung up, the agent put back with the caller, the colleague Ready.
   * The conversation itself was taken over just before, by the adoption of the call.
   */
  sweep(alive: (node: string) => Promise<boolean>): Promise<number> {
    return this.undoOrphans(alive, false);
  }

  /** At start-up: this node's transfers from before a restart are undone as a dead process's. */
  recoverOwn(): Promise<number> {
    return this.undoOrphans(async () => true, true);
  }

  private async undoOrphans(alive: (node: string) => Promise<boolean>, own: boolean): Promise<number> {
    let undone = 0;
    for (const [callId, json] of Object.entries(await this.d.redis.hgetall(this.key))) {
      if (this.pending.has(callId)) continue;
      let p: Pending & { node: string };
      try {
        p = JSON.parse(json) as Pending & { node: string };
      } catch {
        await this.d.redis.hdel(this.key, callId);
        continue;
      }
      // This process's own entries are its live transfers (one may be settling right now), except at start-up.
      if (p.node === this.d.settings.node ? !own : await alive(p.node)) continue;
      if ((await this.d.redis.hdel(this.key, callId)) !== 1) continue;
      await this.inTurn(callId, () => this.undoOrphan(callId, p)).catch((err: Error) => this.log.error({ callId, err: err.message }, 'undoing a transfer of a dead process failed'));
      undone++;
    }
    return undone;
  }

  private async undoOrphan(callId: string, p: Pending): Promise<void> {
    const { ari, agents } = this.d;
    this.log.warn({ callId, kind: p.kind, target: p.target }, 'transfer of a process that stopped: undone, the agent back with the caller');
    await ari.hangup(p.legId).catch(() => undefined);
    if (p.kind === 'consult') {
      const bridgeId = bridgeIdOf(callId);
      if (!p.fromGone) await ari.addToBridge(bridgeId, [p.fromChannel]).catch((err: Error) => this.log.warn({ callId, err: err.message }, 'agent could not be put back with the caller'));
      await ari.stopBridgeMoh(bridgeId).catch(() => undefined);
      if (p.consultBridge) await ari.destroyBridge(p.consultBridge).catch(() => undefined);
      if (p.targetIsAgent) await agents.forCall(p.target, callId, 'ready', ['reserved', 'ringing', 'talking']);
    }
    await this.d.bus.publish({ type: 'call.transfer', ...this.view(callId, p, 'failed', 'failed') });
    // The agent had hung up: nobody is left to go back to, the call ends as on their hang-up.
    if (p.kind === 'consult' && p.fromGone) await this.d.sessions(callId)?.agentLegEnded(p.fromChannel);
  }

  // ───────────────────────────── the steps ─────────────────────────────

  private async held(callId: string, by: string): Promise<{ session: CallSession; conv: Conversation }> {
    const session = this.d.sessions(callId);
    // Below call-control's 5 s reply timeout, so a console asking from another process still hears the answer.
    const conv = await session?.conversationSoon(CONNECTING_WAIT_MS);
    if (!session || !conv) throw conflict('the call is not in conversation', '该通话不在通话中，无法转接');
    if (conv.agentWorkNumber !== by) throw forbidden('only the agent holding the call may transfer it', '只有正在接听该通话的坐席可以转接');
    return { session, conv };
  }

  private nextSeq(callId: string): number {
    const n = (this.seq.get(callId) ?? 0) + 1;
    this.seq.set(callId, n);
    return n;
  }

  private async consult(callId: string, by: string, target: string): Promise<TransferView> {
    const { conv } = await this.held(callId, by);
    if (this.pending.has(callId)) throw conflict('a transfer is already in progress', '该通话已有转接在进行中');
    if (target === by) throw badRequest('cannot consult oneself', '不能咨询自己');
    const { ari, agents, acd, models, settings } = this.d;
    const doc = await models.Agent.findOne({ workNumber: target, active: true }).select('name role extension').lean();
    if (!doc || (doc.role !== 'agent' && doc.role !== 'supervisor')) throw notFound(`agent ${target}`, `工号 ${target} 不是在岗坐席或班长`);
    const me = await models.Agent.findOne({ workNumber: by }).select('name').lean();
    const isAgent = doc.role === 'agent';
    let extension = doc.extension ?? '';
    if (isAgent) {
      if (!(await agents.reserveForConsult(target, callId))) throw conflict('the colleague is not Ready', `工号 ${target} 当前不是就绪状态，无法咨询`);
      extension = (await acd.agent(target))?.extension || extension || target;
    } else if (!extension) {
      throw badRequest('the supervisor has no desk phone', `班长 ${target} 没有登记话机，无法咨询`);
    }
    const n = this.nextSeq(callId);
    const p: Pending = {
      kind: 'consult',
      n,
      from: by,
      fromChannel: conv.agentChannelId,
      target,
      targetName: doc.name,
      targetIsAgent: isAgent,
      legId: consultLegId(callId, n),
      consultBridge: `consult-${callId}-${n}`,
      stage: 'ringing',
      ringing: false,
      startedAt: Date.now(),
      callerNumber: conv.callerNumber,
      ...(conv.customerAccount ? { customerAccount: conv.customerAccount } : {}),
    };
    await this.start(callId, p);
    try {
      // The agent leaves the caller for a bridge of their own; the caller, alone, hears music.
      await ari.createBridge(p.consultBridge!, 'mixing');
      await ari.addToBridge(p.consultBridge!, [p.fromChannel]);
      await ari.startBridgeMoh(conv.bridgeId);
      await ari.originate({
        channelId: p.legId,
        endpoint: `PJSIP/${extension}`,
        app: settings.app,
        appArgs: `consult,${callId},${n}`,
        callerId: `"${by}" <${by}>`,
        timeoutSec: settings.consultRingSec,
      });
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      this.log.warn({ callId, target, err: (err as Error).message }, 'consult could not be started: back with the caller');
      await this.undo(callId, p, kind === 'allocation-failed' ? 'unreachable' : 'failed', 'failed');
      throw unavailable(`the consult could not be started: ${(err as Error).message}`, kind === 'allocation-failed' ? `工号 ${target} 的话机无法接通，已返回通话` : '咨询未能发起，已返回通话');
    }
    this.log.info({ callId, from: by, target, supervisor: !isAgent }, 'consult: caller on hold, colleague ringing');
    if (isAgent) {
      await this.d.bus.publish({
        type: 'call.ringing',
        callId,
        attempt: CONSULT_ATTEMPT_BASE + n,
        agentWorkNumber: target,
        callerNumber: conv.callerNumber,
        language: conv.language,
        ...(conv.customerAccount ? { customerAccount: conv.customerAccount } : {}),
        queuedAt: conv.queuedAt.getTime(),
        ringingAt: Date.now(),
        consult: { from: by, fromName: me?.name ?? by },
      });
    }
    return this.publish(callId, p, 'ringing');
  }

  private async ringing(legId: string): Promise<void> {
    const m = LEG_RE.exec(legId);
    if (!m) return;
    await this.inTurn(m[1]!, async () => {
      const p = this.pending.get(m[1]!);
      if (!p || p.legId !== legId || p.ringing) return;
      p.ringing = true;
      if (p.targetIsAgent) await this.d.agents.forCall(p.target, m[1]!, 'ringing', ['reserved']);
    });
  }

  private async legAnswered(legId: string, callId: string, n: number): Promise<void> {
    const p = this.pending.get(callId);
    const { ari } = this.d;
    if (!p || p.legId !== legId || p.n !== n || p.stage !== 'ringing') {
      this.log.info({ callId, legId }, 'transfer leg answered after its transfer ended: hung up');
      await ari.hangup(legId);
      return;
    }
    if (p.kind === 'department') return this.departmentAnswered(callId, p);
    p.stage = 'consulting';
    if (!p.fromGone) await ari.addToBridge(p.consultBridge!, [legId]);
    if (p.targetIsAgent) {
      await this.d.agents.forCall(p.target, callId, 'talking', ['ringing', 'reserved']);
      const now = Date.now();
      await this.d.bus.publish({ type: 'call.answered', callId, agentWorkNumber: p.target, answeredAt: now, ringMs: now - p.startedAt, waitMs: 0 });
    }
    if (p.fromGone) {
      const session = this.d.sessions(callId);
      const conv = session?.conversation();
      if (!session || !conv) return; // The call is ending: callEnded frees the colleague.
      this.log.info({ callId, from: p.from, to: p.target }, 'consult answered after the agent hung up: the transfer completes');
      await this.handConsultOver(callId, p, session, conv).catch((err: Error) => this.handOverFailed(callId, p, err));
      return;
    }
    this.log.info({ callId, from: p.from, target: p.target }, 'consult: colleague answered');
    await this.publish(callId, p, 'consulting');
  }

  private async legEnded(callId: string, legId: string, cause: number | undefined): Promise<void> {
    const p = this.pending.get(callId);
    if (p && p.legId === legId) {
      const reason: Reason = p.stage === 'consulting' ? 'hung-up' : ringReason(cause);
      if (p.fromGone) {
        // Nobody to go back to: the caller must not be left alone with music.
        this.log.info({ callId, target: p.target, reason }, 'consult unanswered after the agent hung up: the call ends as the agent hanging up first');
        await this.undo(callId, p, reason, 'failed');
        await this.d.sessions(callId)?.agentLegEnded(p.fromChannel);
        return;
      }
      this.log.info({ callId, target: p.target, reason }, 'transfer leg ended before the hand-over: back with the caller');
      await this.undo(callId, p, reason, p.stage === 'consulting' ? 'returned' : 'failed');
      return;
    }
    // A colleague who took a handed-over call now consults in turn, and hung up their phone.
    if (p && p.kind === 'consult' && p.fromChannel === legId) return this.fromLegEnded(callId, legId);
    // A leg the call was handed to: its end is the end of the agent's side of the call.
    await this.d.sessions(callId)?.agentLegEnded(legId, cause);
  }

  /** The call whose consult `channelId` (the consulting agent's leg) started, if this process runs it. */
  private consultingFrom(channelId: string): string | undefined {
    for (const [callId, p] of this.pending) if (p.kind === 'consult' && p.fromChannel === channelId) return callId;
    return undefined;
  }

  /**
   * The consulting agent hung up their phone: answered, the colleague takes the caller now (as
   * 完成转接); still ringing, when they answer (legAnswered), or the call ends if they don't (legEnded).
   */
  private async fromLegEnded(callId: string, channelId: string): Promise<void> {
    const p = this.pending.get(callId);
    if (!p || p.kind !== 'consult' || p.fromChannel !== channelId) {
      // The consult ended just before: the leg's end is the call's again.
      await this.d.sessions(callId)?.agentLegEnded(channelId);
      return;
    }
    if (p.fromGone) return;
    p.fromGone = true;
    await this.d.redis.hset(this.key, callId, JSON.stringify({ ...p, node: this.d.settings.node }));
    if (p.stage === 'ringing') {
      this.log.info({ callId, from: p.from, target: p.target }, 'agent hung up during the consult ring: the caller goes to the colleague if they answer');
      return;
    }
    const session = this.d.sessions(callId);
    const conv = session?.conversation();
    if (!session || !conv) return; // The call is ending: callEnded frees the colleague.
    this.log.info({ callId, from: p.from, to: p.target }, 'agent hung up during the consult: the transfer completes');
    await this.handConsultOver(callId, p, session, conv).catch((err: Error) => this.handOverFailed(callId, p, err));
  }

  /** The hand-over after the agent hung up failed: the caller is not left alone, the call ends on that hang-up. */
  private async handOverFailed(callId: string, p: Pending, err: Error): Promise<void> {
    this.log.warn({ callId, target: p.target, err: err.message }, 'hand-over after the agent hung up failed: the call ends as the agent hanging up first');
    await this.d.sessions(callId)?.agentLegEnded(p.fromChannel);
  }

  /** 返回通话: the colleague is let go and the agent is back with the caller. */
  private async cancel(callId: string, by: string): Promise<TransferView> {
    const p = this.pending.get(callId);
    if (!p) throw conflict('no transfer in progress', '当前没有进行中的咨询');
    if (p.from !== by) throw forbidden('only the agent who started it may end the consult', '只有发起咨询的坐席可以返回通话');
    if (p.fromGone) throw conflict('the agent has hung up their phone', '您的话机已挂机，无法返回通话');
    this.log.info({ callId, target: p.target }, 'consult: agent returned to the caller');
    return this.undo(callId, p, 'cancelled', 'returned');
  }

  /**
   * Ends a transfer without a hand-over: the transfer leg hung up, the agent (if the call goes on)
   * back in the call's bridge, the music stopped, the colleague Ready again. `stage` null: silently.
   */
  private async undo(callId: string, p: Pending, reason: Reason, stage: 'returned' | 'failed' | null): Promise<TransferView> {
    const { ari, agents } = this.d;
    await this.settle(callId);
    await ari.hangup(p.legId).catch(() => undefined);
    const conv = this.d.sessions(callId)?.conversation();
    if (p.kind === 'consult') {
      if (conv && conv.agentChannelId === p.fromChannel && !p.fromGone) {
        await ari.addToBridge(conv.bridgeId, [p.fromChannel]).catch((err: Error) => this.log.error({ callId, err: err.message }, 'agent could not be put back with the caller'));
        await ari.stopBridgeMoh(conv.bridgeId).catch(() => undefined);
      }
      if (p.consultBridge) await ari.destroyBridge(p.consultBridge).catch(() => undefined);
      if (p.targetIsAgent) {
        await agents.forCall(p.target, callId, 'ready', ['reserved', 'ringing', 'talking']);
        await this.d.bus.publish({ type: 'call.offer-ended', callId, attempt: CONSULT_ATTEMPT_BASE + p.n, agentWorkNumber: p.target, result: 'consult-ended', ringMs: 0, at: Date.now() });
      }
    }
    return stage ? this.publish(callId, p, stage, reason) : this.view(callId, p, 'failed', reason);
  }

  /** 完成转接: the colleague takes the caller; the first agent goes to after-call work. */
  private async complete(callId: string, by: string): Promise<TransferView> {
    const p = this.pending.get(callId);
    if (!p || p.kind !== 'consult') throw conflict('no consult in progress', '当前没有进行中的咨询');
    if (p.from !== by) throw forbidden('only the agent who started it may complete the transfer', '只有发起咨询的坐席可以完成转接');
    if (p.stage !== 'consulting') throw conflict('the colleague has not answered yet', '对方尚未接听，暂不能完成转接');
    const { session, conv } = await this.held(callId, by);
    return this.handConsultOver(callId, p, session, conv);
  }

  /** The answered colleague joins the caller in the call's bridge and the call is theirs. */
  private async handConsultOver(callId: string, p: Pending, session: CallSession, conv: Conversation): Promise<TransferView> {
    const { ari } = this.d;
    await this.settle(callId);
    await ari.addToBridge(conv.bridgeId, [p.legId]);
    await ari.stopBridgeMoh(conv.bridgeId).catch(() => undefined);
    await ari.destroyBridge(p.consultBridge!).catch(() => undefined);
    const handedOver = await this.handOver(session, conv, p, { workNumber: p.targetIsAgent ? p.target : null, to: p.target });
    if (!handedOver) {
      await ari.hangup(p.legId);
      if (p.targetIsAgent) await this.d.agents.forCall(p.target, callId, 'ready', ['talking', 'ringing', 'reserved']);
      throw conflict('the call ended during the transfer', '通话已结束，转接未完成');
    }
    this.log.info({ callId, from: p.from, to: p.target }, 'consult transfer completed');
    return this.publish(callId, p, 'completed');
  }

  /** 转部门: the department's line is dialled through the trunk; the agent stays with the caller until it answers. */
  private async department(callId: string, by: string, number: string): Promise<TransferView> {
    const { conv } = await this.held(callId, by);
    if (this.pending.has(callId)) throw conflict('a transfer is already in progress', '该通话已有转接在进行中');
    const dept = await this.d.models.Department.findOne({ transferNumber: number }).select('code name').lean();
    if (!dept) throw badRequest('the number is not in the transfer directory', `号码 ${number} 不在转接号码簿中，不能转接`);
    const n = this.nextSeq(callId);
    const p: Pending = {
      kind: 'department',
      n,
      from: by,
      fromChannel: conv.agentChannelId,
      target: dept.code,
      targetName: dept.name,
      targetIsAgent: false,
      number,
      legId: `${callId}-d${n}`,
      stage: 'ringing',
      ringing: false,
      startedAt: Date.now(),
    };
    await this.start(callId, p);
    const { settings } = this.d;
    try {
      await this.d.ari.originate({
        channelId: p.legId,
        endpoint: `PJSIP/${number}@${settings.trunkEndpoint}`,
        app: settings.app,
        appArgs: `transfer,${callId},${n}`,
        // The department sees who is calling: the customer.
        callerId: `"${conv.callerNumber}" <${conv.callerNumber}>`,
        timeoutSec: settings.departmentRingSec,
      });
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      await this.undo(callId, p, kind === 'allocation-failed' ? 'unreachable' : 'failed', 'failed');
      throw unavailable(`the department could not be dialled: ${(err as Error).message}`, `${dept.name}（${number}）无法接通，通话继续`);
    }
    this.log.info({ callId, from: by, department: dept.code, number }, 'transfer to a department: dialling');
    return this.publish(callId, p, 'ringing');
  }

  private async departmentAnswered(callId: string, p: Pending): Promise<void> {
    const session = this.d.sessions(callId);
    const conv = session?.conversation();
    await this.settle(callId);
    if (!session || !conv || conv.agentChannelId !== p.fromChannel) {
      await this.d.ari.hangup(p.legId);
      return;
    }
    await this.d.ari.addToBridge(conv.bridgeId, [p.legId]);
    if (!(await this.handOver(session, conv, p, { workNumber: null }))) {
      await this.d.ari.hangup(p.legId);
      return;
    }
    this.log.info({ callId, from: p.from, department: p.target, number: p.number }, 'transfer to a department completed');
    await this.publish(callId, p, 'completed');
  }

  /**
   * The hand-over proper, once the new party is in the call's bridge with the caller: the recording
   * goes on in a new part, the call names its new holder before the first agent's leg is hung up (so
   * that end is not taken for the agent hanging up on the caller), the first agent goes to after-call
   * work, and the call's work orders follow (首问负责制).
   */
  private async handOver(session: CallSession, conv: Conversation, p: Pending, to: { workNumber: string | null; to?: string }): Promise<boolean> {
    const { ari, settings } = this.d;
    const callId = conv.callId;
    const at = new Date();
    const list = this.handovers.get(callId) ?? [];
    const entry: Handover = { from: p.from, kind: p.kind, at, ...(to.to ? { to: to.to } : {}), ...(p.kind === 'department' ? { number: p.number, department: p.target } : {}) };
    const part = list.length + 2;
    const name = `call-${callId}-${part}`;
    if (conv.recordingName) await ari.stopRecording(conv.recordingName).catch((err: Error) => this.log.warn({ callId, err: err.message }, 'recording part could not be stopped'));
    const startedAt = new Date();
    let state: 'recording' | 'failed' = 'recording';
    try {
      await ari.recordBridge(conv.bridgeId, name, settings.recordingFormat);
    } catch (err) {
      state = 'failed';
      this.log.error({ callId, recording: name, err: (err as Error).message }, 'next recording part could not be started; the call goes on unrecorded');
    }
    const recording = {
      name,
      callId,
      bridgeId: conv.bridgeId,
      format: settings.recordingFormat,
      file: `${name}.${settings.recordingFormat}`,
      startedAt,
      state,
      part,
      ...(conv.recordingName ? { previous: conv.recordingName } : {}),
    };
    const next = [...list, entry];
    if (!(await session.handOver({ workNumber: to.workNumber, channelId: p.legId }, { handovers: next }, recording))) return false;
    this.handovers.set(callId, next);
    if (!p.fromGone) await ari.hangup(p.fromChannel);
    await this.d.agents.forCall(p.from, callId, 'acw', ['talking']);
    await this.d.afterCallWork.start({ agentWorkNumber: p.from, callId });
    const orders = this.d.orders();
    await orders
      ?.callHandedOver({ callId, from: p.from, kind: p.kind, at, ...(to.to ? { to: to.to } : {}), ...(p.kind === 'department' ? { department: p.target, number: p.number } : {}) })
      .catch((err: Error) => this.log.error({ callId, err: err.message }, 'work orders of a handed-over call not moved'));
    return true;
  }

  private view(callId: string, p: Pending, stage: TransferView['stage'], reason?: Reason): TransferView {
    return {
      callId,
      kind: p.kind,
      stage,
      agentWorkNumber: p.from,
      target: p.target,
      targetName: p.targetName,
      ...(p.number ? { number: p.number } : {}),
      ...(reason ? { reason } : {}),
      at: Date.now(),
    };
  }

  private async publish(callId: string, p: Pending, stage: TransferView['stage'], reason?: Reason): Promise<TransferView> {
    const v = this.view(callId, p, stage, reason);
    // A supervisor's desk phone has no screen-pop: their board shows who is calling instead.
    const who = p.kind === 'consult' && !p.targetIsAgent && p.callerNumber ? { callerNumber: p.callerNumber, ...(p.customerAccount ? { customerAccount: p.customerAccount } : {}) } : {};
    await this.d.bus.publish({ type: 'call.transfer', ...v, ...who });
    return v;
  }

  /** One step of a call's transfer at a time: an answer and a 返回通话 never cross. */
  private inTurn<T>(callId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(callId) ?? Promise.resolve();
    const run = prev.then(fn);
    const settled = run.catch(() => undefined);
    this.chains.set(callId, settled);
    void settled.then(() => {
      if (this.chains.get(callId) === settled) this.chains.delete(callId);
    });
    return run;
  }
}

function ringReason(cause: number | undefined): Reason {
  const r = ringEndResult(cause);
  return r === 'declined' ? 'busy' : r;
}
