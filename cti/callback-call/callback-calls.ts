import { randomUUID } from 'node:crypto';
import { conflict, unavailable } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { CallbackCallEnd } from '../../events/callback-call-end';
import type { EventBus } from '../../events/event-bus';
import type { Models } from '../../models';
import type { RecordOutbox } from '../../queue/record-outbox';
import type { AcdStore } from '../acd/acd-store';
import type { AgentService } from '../acd/agent-service';
import type { AriEvent } from '../ari/events';
import type { AriPort } from '../ari/port';
import { callRecordKey } from '../calls/call-record';
import type { PlacedCallLedger } from '../calls/placed-call-ledger';
import type { PlacedCallRouter } from '../calls/placed-call-router';
import { unansweredResult } from '../notice-call/notice-call-session';
import type { CallbackCallGuards } from './callback-call-guards';
import { CallbackCallSession, type CallbackCallStage, type Leg } from './callback-call-session';

/** Every callback call's id starts with this; its legs, bridge and recording are named from it. */
export const CALLBACK_CALL_PREFIX = 'cbcall-';
/** The Stasis args a callback call's legs are originated with: `callback,<callId>,agent|customer`. */
export const CALLBACK_APP_ARG = 'callback';

const legOf = (channelId: string | undefined): { callId: string; leg: Leg } | null => {
  const m = channelId ? /^(cbcall-[0-9a-f-]{36})-(a|c)$/.exec(channelId) : null;
  return m ? { callId: m[1]!, leg: m[2] === 'a' ? 'agent' : 'customer' } : null;
};

/** What a click on 拨打 asks for: the callback's customer, called for this agent. */
export interface CallbackCallRequest {
  callbackId: string;
  /** null for a queue callback (排队回拨): no order behind it. */
  workOrderNumber: string | null;
  phone: string;
  agentWorkNumber: string;
}

export interface CallbackCallLog {
  callEnded(e: CallbackCallEnd): Promise<void>;
}

export interface CallbackCallSettings {
  node: string;
  /** This process's Stasis app: both legs are originated into it, so their events come here. */
  app: string;
  /** Shown to the customer. */
  hotlineNumber: string;
  /** PJSIP endpoint of the carrier trunk: `PJSIP/<number>@<trunkEndpoint>`. */
  trunkEndpoint: string;
  agentRingSec: number;
  customerRingSec: number;
  recordingFormat: 'wav';
}

export interface CallbackCallsDeps {
  ari: AriPort;
  models: Models;
  outbox: RecordOutbox;
  bus: EventBus;
  acd: Pick<AcdStore, 'agent' | 'unreachablePhones'>;
  agents: Pick<AgentService, 'change'>;
  ledger: PlacedCallLedger;
  guards: CallbackCallGuards;
  /** Bound once the callback service exists (it is built after telephony). */
  log: () => CallbackCallLog | undefined;
  settings: CallbackCallSettings;
  logger: Logger;
}

/**
 * Click-to-call for phone callbacks (回访, Art. 21): the agent's phone is rung first; when the
 * agent answers, the customer is called through the carrier trunk into the same mixing bridge,
 * which is recorded once both talk (a channel recording would hold every playback behind it,
 * trace 12). The Call is `outbound` with its `callbackId`: never a hotline statistic. The agent
 * is Not Ready 「回访」 meanwhile, so no hotline call rings. A call whose process died is taken
 * over by a survivor (or by that process when it restarts), found in the ledger: one in
 * conversation is watched on to its end, one still ringing is ended (the agent may dial again).
 */
export class CallbackCalls implements PlacedCallRouter {
  private readonly sessions = new Map<string, CallbackCallSession>();
  /** Calls whose end this process is settling. */
  private readonly ending = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly d: CallbackCallsDeps) {
    this.log = d.logger.child({ component: 'callback-calls' });
  }

  get live(): number {
    return this.sessions.size;
  }

  /**
   * 拨打: the agent is put Not Ready 「回访」 (refused while on a hotline call), the agent and the
   * callback are held for this call, and the agent's phone rung. Resolves once the phone is being
   * called; how the call goes is told to the agent's console (`callback.call`).
   */
  async dial(req: CallbackCallRequest): Promise<{ callId: string }> {
    const { acd, agents, settings, ari, ledger, guards } = this.d;
    const agent = await acd.agent(req.agentWorkNumber);
    if (!agent || agent.state === 'offline') throw conflict('the agent is not signed in', '请先签入坐席再拨打回访电话');
    if ((await acd.unreachablePhones()).includes(agent.extension)) {
      throw conflict(`phone ${agent.extension} is not reachable`, `您的话机（分机 ${agent.extension}）未注册或不可达，无法拨打`);
    }
    await agents.change(req.agentWorkNumber, 'not_ready', 'callback');
    const callId = `${CALLBACK_CALL_PREFIX}${randomUUID()}`;
    const holder = await guards.hold(callId, req);
    if (holder) throw conflict(`callback call ${holder} is still up`, '该坐席或该回访任务已有一通回访电话正在进行，请先结束');
    const s = new CallbackCallSession(callId, req, new Date());
    this.sessions.set(callId, s);
    // Before anything can fail or die: a survivor finds the call here (see sweep).
    await ledger.placed(callId, settings.node);
    await this.d.outbox.write(callRecordKey(callId), {
      collection: 'calls',
      filter: { callId },
      set: { state: 'arrived' },
      setOnInsert: {
        callId,
        node: settings.node,
        callerChannelId: s.legId('customer'),
        callerNumber: settings.hotlineNumber,
        dialledNumber: req.phone,
        direction: 'outbound',
        callbackId: req.callbackId,
        ...(req.workOrderNumber ? { workOrderNumber: req.workOrderNumber } : {}),
        agentWorkNumber: req.agentWorkNumber,
        agentChannelId: s.legId('agent'),
        arrivedAt: s.startedAt,
        test: false,
      },
    });
    await this.tell(s, 'agent');
    this.log.info({ callId, callback: req.callbackId, agent: req.agentWorkNumber, extension: agent.extension }, 'callback call: ringing the agent first');
    try {
      await ari.originate({
        channelId: s.legId('agent'),
        endpoint: `PJSIP/${agent.extension}`,
        app: settings.app,
        appArgs: `${CALLBACK_APP_ARG},${callId},agent`,
        // The agent's phone shows whom it is about to call.
        callerId: req.phone,
        timeoutSec: settings.agentRingSec,
      });
    } catch (err) {
      this.log.error({ callId, err: (err as Error).message }, 'callback call: the agent phone could not be rung');
      if (s.fail('agent', 'failed')) await this.settle(s);
      throw unavailable(`the agent's phone could not be called: ${(err as Error).message}`, '无法呼叫您的话机，请稍后再试');
    }
    return { callId };
  }

  route(e: AriEvent): Promise<void> | null {
    switch (e.type) {
      case 'StasisStart': {
        const at = legOf(e.channel.id);
        if (e.args[0] !== CALLBACK_APP_ARG && !at) return null;
        return this.inOrder(e.channel.id, () => this.legUp(e.channel.id));
      }
      case 'StasisEnd':
        return legOf(e.channel.id) ? this.inOrder(e.channel.id, () => this.legGone(e.channel.id)) : null;
      case 'ChannelDestroyed':
        return legOf(e.channel.id) ? this.inOrder(e.channel.id, () => this.legGone(e.channel.id, e.cause)) : null;
      case 'Dial':
        if (!legOf(e.peer.id)) return null;
        return e.dialstatus === 'RINGING' ? this.inOrder(e.peer.id, () => this.ringing(e.peer.id)) : Promise.resolve();
      case 'ChannelStateChange':
        if (!legOf(e.channel.id)) return null;
        return e.channel.state === 'Ringing' ? this.inOrder(e.channel.id, () => this.ringing(e.channel.id)) : Promise.resolve();
      case 'ChannelDtmfReceived':
      case 'ChannelHangupRequest':
      case 'ChannelEnteredBridge':
      case 'ChannelLeftBridge':
        return legOf(e.channel.id) ? Promise.resolve() : null;
      case 'RecordingFinished':
      case 'RecordingFailed':
        if (!e.recording.name.startsWith(CALLBACK_CALL_PREFIX)) return null;
        return this.recordingEnded(e.recording.name, e.type === 'RecordingFinished' ? 'done' : 'failed', e.recording.duration);
      default:
        return null;
    }
  }

  interrupted(): number {
    return 0;
  }

  /**
   * One call's events are handled one at a time, in Asterisk's order: the customer's ringing is
   * told before their answer, and a hang-up never overtakes the answer it follows.
   */
  private inOrder(channelId: string, step: () => Promise<void>): Promise<void> {
    const s = this.sessions.get(legOf(channelId)?.callId ?? '');
    if (!s) return step();
    const run = s.steps.then(step);
    s.steps = run.catch(() => undefined);
    return run;
  }

  private async ringing(channelId: string): Promise<void> {
    const at = legOf(channelId)!;
    const s = this.sessions.get(at.callId);
    if (!s || s.ended || !s.markRinging(at.leg)) return;
    if (at.leg === 'agent') await this.write(s, { state: 'ringing', ringingAt: new Date() });
    else await this.write(s, { customerRingingAt: new Date() });
    if (at.leg === 'customer') await this.tell(s, 'customer');
  }

  private async legUp(channelId: string): Promise<void> {
    const at = legOf(channelId);
    const s = at ? this.sessions.get(at.callId) : undefined;
    if (!at || !s || s.ended) {
      this.log.warn({ channelId }, 'callback call leg not known here (ended, or its process gone): hanging up');
      await this.d.ari.hangup(channelId);
      return;
    }
    if (!s.markUp(at.leg)) return;
    try {
      if (at.leg === 'agent') await this.agentAnswered(s);
      else await this.customerAnswered(s);
    } catch (err) {
      this.log.error({ callId: s.callId, leg: at.leg, err: (err as Error).message }, 'callback call step failed: ending it');
      if (s.fail(at.leg, 'failed')) await this.settle(s);
    }
  }

  /** The agent took the phone: into the call's bridge, then the customer is called through the trunk. */
  private async agentAnswered(s: CallbackCallSession): Promise<void> {
    const { ari, settings } = this.d;
    await this.write(s, { agentAnsweredAt: new Date() });
    await ari.createBridge(s.bridgeId, 'mixing');
    await ari.addToBridge(s.bridgeId, [s.legId('agent')]);
    if (s.ended) return;
    this.log.info({ callId: s.callId, to: s.req.phone }, 'callback call: agent answered, calling the customer');
    await ari.originate({
      channelId: s.legId('customer'),
      endpoint: `PJSIP/${s.req.phone}@${settings.trunkEndpoint}`,
      app: settings.app,
      appArgs: `${CALLBACK_APP_ARG},${s.callId},customer`,
      callerId: settings.hotlineNumber,
      timeoutSec: settings.customerRingSec,
    });
  }

  /** The customer answered: bridged with the agent, and the bridge recorded from here. */
  private async customerAnswered(s: CallbackCallSession): Promise<void> {
    const { ari, settings, outbox } = this.d;
    await ari.addToBridge(s.bridgeId, [s.legId('customer')]);
    const now = new Date();
    s.talkingSince = now.getTime();
    await this.write(s, { state: 'talking', answeredAt: now, talkingAt: now, recordingName: s.recordingName });
    await this.tell(s, 'talking');
    try {
      await ari.recordBridge(s.bridgeId, s.recordingName, settings.recordingFormat);
      const format = settings.recordingFormat;
      await outbox.write(callRecordKey(s.callId), {
        collection: 'recordings',
        filter: { name: s.recordingName },
        set: {},
        setOnInsert: { name: s.recordingName, callId: s.callId, bridgeId: s.bridgeId, format, file: `${s.recordingName}.${format}`, startedAt: now, state: 'recording' },
      });
    } catch (err) {
      this.log.error({ callId: s.callId, err: (err as Error).message }, 'callback call: the recording could not be started; the call goes on unrecorded');
    }
  }

  /**
   * A leg is gone: before the agent answered it is the agent's failure (busy, no answer); after,
   * an unanswered customer is the customer's, and the agent hanging up first cancels the call;
   * in conversation it tells who hung up. The other leg is hung up, and the call settled, once.
   */
  private async legGone(channelId: string, cause?: number): Promise<void> {
    const at = legOf(channelId)!;
    const s = this.sessions.get(at.callId);
    if (!s || !s.gone(at.leg, unansweredResult(cause))) return;
    await this.settle(s);
  }

  /** The call is over: the other leg hung up, the Call closed, the callback told; once across processes. */
  private async settle(s: CallbackCallSession): Promise<void> {
    const { ledger, settings, ari } = this.d;
    setTimeout(() => this.sessions.delete(s.callId), 30_000).unref();
    if (!this.claimLocally(s.callId)) return;
    if (!(await ledger.claimEnd(s.callId, settings.node))) {
      this.log.warn({ callId: s.callId, by: await ledger.endedBy(s.callId) }, 'callback call ended by the process that took it over');
      return;
    }
    for (const leg of ['agent', 'customer'] as const) if (!s.isGone(leg)) await ari.hangup(s.legId(leg), 'normal').catch(() => undefined);
    // After the legs: the bridge's recording then ends as done, and is kept.
    await ari.destroyBridge(s.bridgeId).catch(() => undefined);
    await this.close(s.callId, s.req, s.startedAt, s.result());
  }

  /** The Call closed, the callback's record of it, the agent's console told, the guards and the ledger let go. */
  private async close(callId: string, req: CallbackCallRequest, startedAt: Date, r: ReturnType<CallbackCallSession['result']>): Promise<void> {
    const endedAt = new Date();
    await this.d.outbox.write(callRecordKey(callId), {
      collection: 'calls',
      filter: { callId },
      set: {
        state: 'ended',
        endedAt,
        outcome: r.answered ? 'answered' : 'failed',
        hangupBy: r.hangupBy,
        node: this.d.settings.node,
        ...(r.failureReason ? { failureReason: r.failureReason } : {}),
      },
    });
    const end: CallbackCallEnd = {
      callId,
      callbackId: req.callbackId,
      agentWorkNumber: req.agentWorkNumber,
      startedAt,
      endedAt,
      outcome: r.answered ? 'answered' : 'failed',
      ...(r.failureReason ? { failureReason: r.failureReason } : {}),
      ...(r.talkingSince ? { talkMs: endedAt.getTime() - r.talkingSince, recordingName: callId } : {}),
    };
    await this.d
      .log()
      ?.callEnded(end)
      .catch((err: Error) => this.log.error({ callId, err: err.message }, 'the callback\'s record of its call could not be stored'));
    await this.d.bus.publish({ type: 'callback.call', callId, callbackId: req.callbackId, agentWorkNumber: req.agentWorkNumber, stage: 'ended', reason: r.failureReason ?? null, at: endedAt.getTime() });
    await this.d.guards.release(callId, req);
    await this.d.ledger.settled(callId);
    this.log.info({ callId, callback: req.callbackId, outcome: end.outcome, reason: r.failureReason, talkMs: end.talkMs }, 'callback call ended');
  }

  private claimLocally(callId: string): boolean {
    if (this.ending.has(callId)) return false;
    this.ending.add(callId);
    setTimeout(() => this.ending.delete(callId), 120_000).unref();
    return true;
  }

  // ---- calls whose process died ---------------------------------------------------------------

  /**
   * The callback calls of processes whose heartbeat lapsed (and this process's own that no session
   * here runs: left by its run before a restart): each taken over by one survivor (the ledger's
   * claim). In conversation it is watched on; otherwise ended.
   */
  async sweep(alive: (node: string) => Promise<boolean>): Promise<number> {
    const { ledger, settings } = this.d;
    let taken = 0;
    for (const [callId, owner] of await ledger.calls()) {
      if (this.sessions.has(callId) || this.ending.has(callId)) continue;
      const mine = owner === settings.node;
      if (!mine && (await alive(owner))) continue;
      if (!(await ledger.claimEnd(callId, settings.node, mine ? undefined : owner))) continue;
      try {
        await this.takeOver(callId, owner);
        taken++;
      } catch (err) {
        // Tried again on a later sweep: the claim stays this node's.
        this.log.error({ callId, owner, err: (err as Error).message }, 'taking over a callback call failed');
      }
    }
    return taken;
  }

  recoverOwn(): Promise<number> {
    return this.sweep(async () => true);
  }

  private async takeOver(callId: string, owner: string): Promise<void> {
    const { ari, models, outbox, settings, ledger } = this.d;
    await outbox.drained(callRecordKey(callId), 3000);
    const doc = await models.Call.findOne({ callId }).lean();
    if (!doc || doc.state === 'ended' || !doc.callbackId || !doc.agentWorkNumber) {
      await ledger.settled(callId);
      return;
    }
    const req: CallbackCallRequest = { callbackId: doc.callbackId, workOrderNumber: doc.workOrderNumber ?? null, phone: doc.dialledNumber, agentWorkNumber: doc.agentWorkNumber };
    const s = new CallbackCallSession(callId, req, doc.arrivedAt);
    const states = await ari.channelStates();
    const bothUp = states.get(s.legId('agent')) === 'Up' && states.get(s.legId('customer')) === 'Up';
    if (doc.state === 'talking' && bothUp) {
      // In conversation: watched on from here. Its events come to this app once subscribed (10a).
      s.adopt(doc.talkingAt?.getTime() ?? Date.now());
      this.sessions.set(callId, s);
      await ari.subscribe(settings.app, [`channel:${s.legId('agent')}`, `channel:${s.legId('customer')}`, `bridge:${s.bridgeId}`]);
      // Its end is claimed again by settle(): granted, the claim being this node's already.
      await ledger.placed(callId, settings.node);
      await this.write(s, { node: settings.node });
      this.log.warn({ callId, owner }, 'callback call in conversation taken over from a process that stopped');
      // A side may have hung up while nobody was listening.
      const now = await ari.channelStates();
      for (const leg of ['agent', 'customer'] as const) if (!now.has(s.legId(leg))) await this.legGone(s.legId(leg));
      return;
    }
    for (const leg of ['agent', 'customer'] as const) if (states.has(s.legId(leg))) await ari.hangup(s.legId(leg), 'normal');
    await ari.destroyBridge(s.bridgeId).catch(() => undefined);
    const talkingSince = doc.state === 'talking' ? (doc.talkingAt?.getTime() ?? null) : null;
    await this.close(callId, req, doc.arrivedAt, { answered: talkingSince !== null, hangupBy: 'system', talkingSince, ...(talkingSince === null ? { failureReason: 'cti-stopped' } : {}) });
    this.log.warn({ callId, owner }, 'callback call of a process that stopped ended');
  }

  private async recordingEnded(name: string, state: 'done' | 'failed', durationSec?: number): Promise<void> {
    await this.d.outbox.write(callRecordKey(name), {
      collection: 'recordings',
      filter: { name },
      set: { state, endedAt: new Date(), ...(durationSec !== undefined ? { durationSec } : {}) },
    });
  }

  private async write(s: CallbackCallSession, set: Record<string, unknown>): Promise<void> {
    await this.d.outbox.write(callRecordKey(s.callId), { collection: 'calls', filter: { callId: s.callId }, set });
  }

  private async tell(s: CallbackCallSession, stage: CallbackCallStage): Promise<void> {
    await this.d.bus
      .publish({ type: 'callback.call', callId: s.callId, callbackId: s.req.callbackId, agentWorkNumber: s.req.agentWorkNumber, stage, reason: null, at: Date.now() })
      .catch((err: Error) => this.log.warn({ callId: s.callId, err: err.message }, 'callback call progress not published'));
  }
}
