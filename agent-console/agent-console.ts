import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../core/logger';
import type { AcdStore } from '../cti/acd/acd-store';
import type { AgentService } from '../cti/acd/agent-service';
import type { AgentLive } from '../cti/acd/agent-state';
import type { RingDecline } from '../cti/acd/decline';
import type { DemoDeskPhone } from '../cti/acd/demo-desk-phone';
import { withTimeout } from '../core/async';
import { forbidden, notFound, unavailable } from '../core/errors';
import type { DomainEvent } from '../events/domain-events';
import { guardSocket, runCommand } from '../ws/commands';
import { requireNamespaceRole } from '../ws/namespace-auth';
import { handleCallCentreOrderCommands, handleWorkOrderCommands } from '../work-orders/commands';
import type { WorkOrderService } from '../work-orders/work-order-service';
import type { ShiftHandover } from '../work-orders/shift-handover';
import { handoverFor, MyOrders } from './my-orders';
import type { CallControl } from '../cti/calls/call-control';
import type { CallTransfers, TransferRequest } from '../cti/calls/transfer';
import type { AgentMonitorNotices } from '../cti/monitor/agent-notice';
import {
  consultActionSchema,
  consultSchema,
  transferOutSchema,
  transferTargetsSchema,
  type TransferTargetsView,
  type TransferView,
  type AgentMonitorNotice,
  declineSchema,
  demoAnswerSchema,
  NAMESPACE_COMMANDS,
  NAMESPACE_ROLES,
  setStateSchema,
  type AgentClientToServer,
  type AgentServerToClient,
  type AgentOrdersSnapshot,
  type AgentSnapshot,
  type AgentStateView,
  type SessionUser,
  type ScreenPop,
  type SetStateCommand,
  type SocketData,
  type TokenVerifier,
  type WorkOrderView,
} from '../contracts';
import type { PopStore } from './pops';
import type { PopContext } from './pop-context';
import { trace } from '../core/bench-trace';

export type AgentNamespace = Namespace<AgentClientToServer, AgentServerToClient, Record<string, never>, SocketData>;
type AgentSocket = Socket<AgentClientToServer, AgentServerToClient, Record<string, never>, SocketData>;

const KNOWN: ReadonlySet<string> = new Set<keyof AgentClientToServer>(NAMESPACE_COMMANDS['/agent']);

const room = (workNumber: string) => `agent:${workNumber}`;

export function stateView(a: Pick<AgentLive, 'workNumber' | 'state' | 'reason' | 'since' | 'callId'>): AgentStateView {
  return { workNumber: a.workNumber, state: a.state, reason: a.reason, since: a.since, callId: a.callId };
}

export interface AgentConsoleDeps {
  acd: AcdStore;
  agents: AgentService;
  pops: PopStore;
  /** The pop's content, prepared at arrival (and the MongoDB reads behind it). */
  popContext: PopContext;
  workOrders: WorkOrderService;
  /** Rule 八: the shift in progress and its handover; absent, the console shows 我的工单 only. */
  handover?: ShiftHandover;
  /** Absent on a process without telephony. */
  decline?: RingDecline;
  /** Demo only (DEMO=true with the simulated PBX): 接听 on the console answers the simulated desk phone. */
  deskPhone?: DemoDeskPhone;
  /** The monitor of the agent's current call, for the snapshot; absent, the snapshot shows none. */
  monitors?: Pick<AgentMonitorNotices, 'of'>;
  /** Consult transfer and 转部门, run by the call's owning process; absent on a process without telephony. */
  transfers?: { control: Pick<CallControl, 'request'>; targets: Pick<CallTransfers, 'targets'> };
  tokens: TokenVerifier;
  afterCallWorkMs: number;
  logger: Logger;
}

/**
 * `/agent`: one agent's console. It receives only its own pops and state (room `agent:<n>`),
 * and on every (re)connect a full snapshot rebuilt from Redis, checked against the agent's live
 * state so that a pop or call that is over is never shown again.
 */
export class AgentConsole {
  /** Per-agent order of what this process sends: events and snapshots leave in the order they happened. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly log: Logger;
  private readonly orders: MyOrders;
  /**
   * Per socket of this process, the orders its 我的工单 shows (from the last snapshot and changes
   * sent): an order handed on by a colleague who was neither its creator nor its new owner still
   * reaches that colleague's page, which then drops it. Lives as long as the socket; a reconnect
   * starts again from a snapshot.
   */
  private readonly shown = new Map<string, Set<string>>();

  constructor(
    private readonly nsp: AgentNamespace,
    private readonly d: AgentConsoleDeps,
  ) {
    this.log = d.logger.child({ nsp: '/agent' });
    this.orders = new MyOrders(d.popContext.builder.models, d.handover);
  }

  start(): void {
    requireNamespaceRole(this.nsp, this.d.tokens, NAMESPACE_ROLES['/agent'], this.log, async (user) => {
      // Loads the profile (languages, extension) into the live store; a new agent starts offline.
      await this.d.agents.login(user.workNumber);
    });
    this.nsp.on('connection', (socket) => this.onConnection(socket));
  }

  private onConnection(socket: AgentSocket): void {
    const user = socket.data.user;
    guardSocket(socket, KNOWN, this.log);
    void socket.join(room(user.workNumber));
    socket.on('agent:set-state', (cmd, ack) => runCommand(this.log, 'agent:set-state', ack, () => this.setState(user, setStateSchema.parse(cmd))));
    socket.on('agent:decline', (cmd, ack) => runCommand(this.log, 'agent:decline', ack, () => this.decline(user, cmd)));
    socket.on('demo:answer', (cmd, ack) => runCommand(this.log, 'demo:answer', ack, () => this.demoAnswer(user, cmd)));
    socket.on('session:resync', (ack) => runCommand(this.log, 'session:resync', ack, () => this.snapshot(user.workNumber)));
    socket.on('orders:resync', (ack) => runCommand(this.log, 'orders:resync', ack, () => this.ordersSnapshot(socket)));
    socket.on('call:transfer-targets', (cmd, ack) =>
      runCommand(this.log, 'call:transfer-targets', ack, () => {
        transferTargetsSchema.parse(cmd);
        return this.transferTargets(user);
      }),
    );
    socket.on('call:consult', (cmd, ack) =>
      runCommand(this.log, 'call:consult', ack, () => {
        const c = consultSchema.parse(cmd);
        return this.transfer({ op: 'consult', callId: c.callId, by: user.workNumber, target: c.target });
      }),
    );
    socket.on('call:consult-complete', (cmd, ack) =>
      runCommand(this.log, 'call:consult-complete', ack, () => this.transfer({ op: 'complete', callId: consultActionSchema.parse(cmd).callId, by: user.workNumber })),
    );
    socket.on('call:consult-cancel', (cmd, ack) =>
      runCommand(this.log, 'call:consult-cancel', ack, () => this.transfer({ op: 'cancel', callId: consultActionSchema.parse(cmd).callId, by: user.workNumber })),
    );
    socket.on('call:transfer-out', (cmd, ack) =>
      runCommand(this.log, 'call:transfer-out', ack, () => {
        const c = transferOutSchema.parse(cmd);
        return this.transfer({ op: 'department', callId: c.callId, by: user.workNumber, number: c.number });
      }),
    );
    handleWorkOrderCommands(socket, this.d.workOrders, this.log, (order) => this.orderFiled(user.workNumber, order));
    // 归档, 重新派单, 转交: the service decides what this agent may do to which order.
    handleCallCentreOrderCommands(socket, this.d.workOrders, this.log);
    socket.on('disconnect', () => this.shown.delete(socket.id));
    this.sendState(socket);
  }

  /** The socket's full state: the session, then 我的工单, each in the agent's order of sends. */
  private sendState(socket: AgentSocket): void {
    const wn = socket.data.user.workNumber;
    this.inOrder(wn, async () => {
      if (socket.connected) this.nsp.local.to(socket.id).emit('session:snapshot', await this.snapshot(wn));
    });
    // In the agent's order too: an order change pushed meanwhile is applied after this list, not before.
    this.inOrder(wn, async () => {
      const snapshot = await this.ordersSnapshot(socket);
      if (socket.connected) this.nsp.local.to(socket.id).emit('orders:snapshot', snapshot);
    });
  }

  /** Events may have been lost (the bus's subscription dropped): every console of this process gets its state afresh. */
  resyncAll(): void {
    for (const socket of this.nsp.sockets.values()) this.sendState(socket);
  }

  /** 我的工单 for one socket, remembered as what that page shows. */
  private async ordersSnapshot(socket: AgentSocket): Promise<AgentOrdersSnapshot> {
    const snapshot = await this.orders.snapshot(socket.data.user);
    if (socket.connected) this.shown.set(socket.id, new Set(snapshot.mine.map((o) => o.number)));
    return snapshot;
  }

  private async setState(user: SessionUser, cmd: SetStateCommand): Promise<AgentStateView> {
    const a = await this.d.agents.change(user.workNumber, cmd.state, cmd.state === 'not_ready' ? cmd.reason : '');
    return stateView(a);
  }

  private async decline(user: SessionUser, input: unknown): Promise<AgentStateView> {
    const { callId, attempt } = declineSchema.parse(input);
    if (!this.d.decline) throw unavailable('declining needs the telephony side of this process', '暂时无法拒接，请直接挂断话机');
    await this.d.decline.decline(user.workNumber, callId, attempt);
    const a = await this.d.acd.agent(user.workNumber);
    if (!a) throw notFound(`agent ${user.workNumber}`);
    return stateView(a);
  }

  private async transferTargets(user: SessionUser): Promise<TransferTargetsView> {
    if (!this.d.transfers) throw unavailable('transfers need the telephony side of this process', '暂时无法转接，请稍后再试');
    return this.d.transfers.targets.targets(user.workNumber);
  }

  /** The owner of the call runs it (and refuses anyone but the agent holding the call). */
  private async transfer(req: TransferRequest): Promise<TransferView> {
    if (!this.d.transfers) throw unavailable('transfers need the telephony side of this process', '暂时无法转接，请稍后再试');
    return this.d.transfers.control.request(req);
  }

  private async demoAnswer(user: SessionUser, input: unknown): Promise<AgentStateView> {
    const { callId, attempt } = demoAnswerSchema.parse(input);
    if (!this.d.deskPhone) throw forbidden('answering from the console is for the demo only', '仅演示模式可在工作台接听，请拿起话机');
    await this.d.deskPhone.answer(user.workNumber, callId, attempt);
    const a = await this.d.acd.agent(user.workNumber);
    if (!a) throw notFound(`agent ${user.workNumber}`);
    return stateView(a);
  }

  /**
   * An order was filed on a call: the pop's open orders are read again, stored for a refresh and
   * pushed to every console of the agent, so the agent sees the new order at once.
   */
  private orderFiled(workNumber: string, order: WorkOrderView): void {
    const callId = order.callId;
    if (!callId) return;
    this.inOrder(workNumber, async () => {
      const { pops } = this.d;
      const stored = [await pops.pop(workNumber), (await pops.last(workNumber))?.pop ?? null].find((p) => p?.callId === callId);
      if (!stored) return;
      const openWorkOrders = await this.d.popContext.builder.openOrders({
        callerNumber: stored.callerNumber,
        customerAccount: stored.customer?.accountNumber,
        callId,
      });
      await pops.setOpenOrders(workNumber, callId, openWorkOrders);
      this.nsp.local.to(room(workNumber)).emit('pop:orders', { callId, openWorkOrders });
    });
  }

  async snapshot(workNumber: string): Promise<AgentSnapshot> {
    const { acd, pops } = this.d;
    const [live, pop, call, lastCall, missed] = await Promise.all([
      acd.agent(workNumber),
      pops.pop(workNumber),
      pops.call(workNumber),
      pops.last(workNumber),
      pops.missed(workNumber),
    ]);
    if (!live) throw new Error(`agent ${workNumber} is not in the live store`);
    // Redis keeps what the events said; the live state says whether it is still true.
    const busy = live.state === 'ringing' || live.state === 'talking';
    const monitor = live.state === 'talking' && live.callId && this.d.monitors ? await this.d.monitors.of(workNumber, live.callId) : null;
    return {
      serverNow: Date.now(),
      me: { workNumber, name: live.name, extension: live.extension, languages: live.languages },
      state: stateView(live),
      pop: pop && busy && live.callId === pop.callId ? pop : null,
      call: call && live.state === 'talking' && live.callId === call.callId ? call : null,
      lastCall,
      // A miss after the last call hides that call: its customer is not the one who just rang.
      missed: missed && (!lastCall || missed.at > lastCall.endedAt) ? missed : null,
      afterCallWorkMs: this.d.afterCallWorkMs,
      demoDeskPhone: !!this.d.deskPhone,
      monitor,
    };
  }

  /** Applies a domain event to agents' consoles; every process does this for its own sockets. */
  onEvent(e: DomainEvent): void {
    const { pops } = this.d;
    const to = (wn: string) => this.nsp.local.to(room(wn));
    switch (e.type) {
      case 'agent.state':
        this.inOrder(e.agentWorkNumber, async () => {
          to(e.agentWorkNumber).emit('agent:state', { workNumber: e.agentWorkNumber, state: e.state, reason: e.reason, since: e.at, callId: e.callId });
        });
        return;
      case 'call.ringing':
        this.inOrder(e.agentWorkNumber, async () => {
          // The owner joined the pop in as it published (RingingPopBus): one emit. An event
          // without it (published straight on the bus) is shown here, in one script.
          const { popContext } = this.d;
          const shown =
            e.pop !== undefined
              ? // Written by pop-show.lua from the pop this console's store built: a ScreenPop.
                e.pop && { pop: e.pop as unknown as ScreenPop, full: e.popFull === true }
              : await pops.showPop(e.agentWorkNumber, popContext.builder.ringing(e), popContext.contextKey(e.callId));
          if (!shown) return;
          trace('pop', e.callId, e.attempt);
          to(e.agentWorkNumber).emit('pop:show', shown.pop);
          if (shown.full) return;
          // No context (its preparation failed, or the caller reached an agent before it was
          // done): the agent already sees who is calling; the rest follows from MongoDB, bounded.
          const pop = await this.buildPop(e);
          const found = pop.customer !== null || pop.recentCalls.length > 0 || pop.openWorkOrders.length > 0 || pop.outages.length > 0;
          // Stored either way (a refresh need not look again); sent only when it adds something.
          if ((await pops.setPop(e.agentWorkNumber, pop)) && found) to(e.agentWorkNumber).emit('pop:show', pop);
        });
        return;
      case 'call.offer-ended':
        this.inOrder(e.agentWorkNumber, async () => {
          const missed = await pops.clearPop(e.agentWorkNumber, e);
          // The miss first: a console that drops the pop must never show the call before it meanwhile.
          if (missed) to(e.agentWorkNumber).emit('offer:missed', missed);
          to(e.agentWorkNumber).emit('pop:clear', { callId: e.callId, attempt: e.attempt, reason: e.result });
        });
        return;
      case 'call.answered':
        this.inOrder(e.agentWorkNumber, async () => {
          const call = { callId: e.callId, answeredAt: e.answeredAt };
          if (await pops.answered(e.agentWorkNumber, call)) to(e.agentWorkNumber).emit('call:answered', call);
        });
        return;
      case 'call.ended': {
        const agent = e.agentWorkNumber;
        const end = () => pops.ended(e.callId, agent, { callId: e.callId, outcome: e.outcome, endedAt: e.at, recordingName: e.recordingName ?? null });
        if (!agent) {
          void end().catch((err: unknown) => this.log.error({ err, callId: e.callId }, 'console call end failed'));
          return;
        }
        this.inOrder(agent, async () => {
          const last = await end();
          if (last) to(agent).emit('call:ended', last);
        });
        return;
      }
      case 'work-order.changed':
        this.orders.changed();
        void this.d.popContext.ordersChanged().catch((err: unknown) => this.log.warn({ err }, 'pop cache not invalidated'));
        if (this.nsp.sockets.size > 0) this.inOrder(`wo:${e.number}`, () => this.orderChanged(e.number));
        return;
      case 'call.monitor': {
        const agent = e.agentWorkNumber;
        // A barge always (the agent hears a third voice); listen and whisper only with MONITOR_TELL_AGENT.
        if (!agent || !e.tellAgent) return;
        const notice: AgentMonitorNotice = { callId: e.callId, mode: e.agentSees, supervisor: e.supervisor, supervisorName: e.supervisorName };
        this.inOrder(agent, async () => {
          to(agent).emit('call:monitor', notice);
        });
        return;
      }
      case 'callback.call':
        this.inOrder(e.agentWorkNumber, async () => {
          to(e.agentWorkNumber).emit('callback:call', { callId: e.callId, callbackId: e.callbackId, stage: e.stage, reason: e.reason, at: e.at });
        });
        return;
      case 'call.transfer': {
        const view: TransferView = {
          callId: e.callId,
          kind: e.kind,
          stage: e.stage,
          agentWorkNumber: e.agentWorkNumber,
          target: e.target,
          targetName: e.targetName,
          ...(e.number ? { number: e.number } : {}),
          ...(e.reason ? { reason: e.reason } : {}),
          at: e.at,
        };
        this.inOrder(e.agentWorkNumber, async () => {
          // Handed on: the call ends for this agent (after-call work, its pop kept for the order form).
          const last = e.stage === 'completed' ? await pops.handedOff(e.callId, e.agentWorkNumber, { callId: e.callId, outcome: 'answered', endedAt: e.at, recordingName: null }) : null;
          to(e.agentWorkNumber).emit('transfer:update', view);
          if (last) to(e.agentWorkNumber).emit('call:ended', last);
        });
        if (e.kind === 'consult') {
          this.inOrder(e.target, async () => {
            // A consult that ended without the hand-over leaves nothing of the call on the colleague's console.
            if (e.stage === 'returned' || e.stage === 'failed') await pops.handedOff(e.callId, e.target, null);
            to(e.target).emit('transfer:update', view);
          });
        }
        return;
      }
      case 'shift.handover':
        this.orders.changed();
        if (this.d.handover && this.nsp.sockets.size > 0) this.inOrder('shift', () => this.handoverChanged());
        return;
      default:
        return;
    }
  }

  /**
   * An order changed: its owner's and creator's consoles get it (我的工单), so does a page still
   * listing it (after a hand-over it drops from the previous owner's list at once), and while it is
   * on the handover of the shift in progress, the consoles of every agent on duty (the handover, 催办).
   */
  private async orderChanged(number: string): Promise<void> {
    const order = await this.orders.brief(number);
    if (!order) return;
    const inHandover = this.d.handover?.inHandover(order) ?? false;
    const change = { order, inHandover };
    const roster = inHandover && this.d.handover ? await this.d.handover.roster() : null;
    for (const s of this.nsp.sockets.values()) {
      const wn = s.data.user.workNumber;
      const shown = this.shown.get(s.id);
      // The owner and the creator; a page that lists it (a previous owner: it drops the order);
      // while on the handover, every agent on duty.
      const mine = wn === order.owner || wn === order.createdBy;
      const onDuty = inHandover && (!roster || roster.agents.length === 0 || roster.agents.includes(wn) || roster.leader === wn);
      if (!mine && !shown?.has(number) && !onDuty) continue;
      this.nsp.local.to(s.id).emit('orders:changed', change);
      if (wn === order.owner) shown?.add(number);
      else shown?.delete(number);
    }
  }

  /** A shift began or its handover was acknowledged: every agent on duty sees it (the leader with 确认交接). */
  private async handoverChanged(): Promise<void> {
    const handover = this.d.handover;
    if (!handover) return;
    const [view, roster] = await Promise.all([this.orders.handover(), handover.roster()]);
    if (!view) return;
    for (const s of this.nsp.sockets.values()) {
      const user = s.data.user;
      const wn = user.workNumber;
      if (roster && roster.agents.length > 0 && !roster.agents.includes(wn) && roster.leader !== wn) continue;
      this.nsp.local.to(s.id).emit('handover:changed', handoverFor(view, user));
    }
  }

  /**
   * The pop from MongoDB, bounded: with the database slow or down the agent still sees who is
   * calling (number, language, ring timer), without the customer's history.
   */
  private async buildPop(e: Extract<DomainEvent, { type: 'call.ringing' }>): Promise<ScreenPop> {
    try {
      return await withTimeout(this.d.popContext.builder.build(e), 1500, 'screen-pop lookup');
    } catch (err) {
      this.log.warn({ err: (err as Error).message, callId: e.callId }, 'screen-pop without customer data');
      return this.d.popContext.builder.bare(e);
    }
  }

  private inOrder(workNumber: string, fn: () => Promise<void>): void {
    const prev = this.chains.get(workNumber) ?? Promise.resolve();
    const next = prev
      .then(fn)
      .catch((err: unknown) => this.log.error({ err, agent: workNumber }, 'agent console update failed'))
      .finally(() => {
        if (this.chains.get(workNumber) === next) this.chains.delete(workNumber);
      });
    this.chains.set(workNumber, next);
  }

  /** Resolves when everything queued so far has been sent (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}
