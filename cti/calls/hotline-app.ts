import { withTimeout } from '../../core/async';
import type { Logger } from '../../core/logger';
import type { AcdStore } from '../acd/acd-store';
import type { AgentService } from '../acd/agent-service';
import { CALL_STATES } from '../acd/agent-state';
import type { AriEvent } from '../ari/events';
import type { AriPort } from '../ari/port';
import type { CallState, Language, OfferResult } from '../../models/enums';
import { AdoptedConversation } from './adopted-conversation';
import { callRecordKey, recordingRecordKey } from './call-record';
import { claimDelayMs } from './claim-order';
import { agentLegId } from './offer';
import type { PlacedCallRouter } from './placed-call-router';
import { CallSession, type CallDeps } from './call-session';
import { calleeLegCall, QUEUE_CALLBACK_APP_ARG, type DialOutResult } from './queue-callback';
import type { HealResult, OwnCalls } from './max-wait';

/** How long a burst of broadcasts waits for the live process list before using the last one. */
const LIVE_LIST_WAIT_MS = 1000;
/** A process's liveness mark lives this long after each heartbeat (every 5 s); others sweep it after. */
export const LEASE_MS = 15_000;

export interface HotlineAppOptions {
  mode: 'broadcast' | 'single';
  /** Broadcast mode: how long to wait before claiming a call another live process should take (see claim-order). */
  claimHandoffMs?: number;
  /** Single-app standby: how often to check whether the active process is still there. */
  standbyPollMs?: number;
  /**
   * Calls the CTI places itself: department notice calls (StasisStart args `notify,…`), callback
   * calls (`callback,…`). Their events go there, not to a hotline call session.
   */
  placedCalls?: PlacedCallRouter[];
}

/**
 * The hotline's Stasis application: routes every ARI event to the call it belongs to.
 * Caller legs arrive through the dialplan (`Stasis`/`StasisBroadcast`); agent legs are the
 * channels this process originated, tagged with `agent,<callId>,<attempt>`.
 */
export class HotlineApp implements OwnCalls {
  private readonly byCaller = new Map<string, CallSession>();
  private readonly byCallId = new Map<string, CallSession>();
  /** Calls in conversation taken over from a process that died, by each of their legs. */
  private readonly adoptedLegs = new Map<string, AdoptedConversation>();
  private readonly log: Logger;
  private standbyTimer?: NodeJS.Timeout;
  private beats = 0;
  /** When the last successful renewal was sent: the mark lives until at least LEASE_MS after it. */
  private leaseFrom = 0;
  private renewing?: Promise<void>;
  /** The live processes as last read; who claims which broadcast call follows from it. */
  private liveNodes: string[] = [];
  private nodesRead?: Promise<string[]>;
  /** Set while ARI events wait for a lease renewal (see start()). */
  private held?: Promise<void>;

  constructor(
    private readonly deps: CallDeps,
    private readonly opts: HotlineAppOptions,
  ) {
    this.log = deps.logger.child({ component: 'hotline-app' });
  }

  get ari(): AriPort {
    return this.deps.ari;
  }

  private get placed(): PlacedCallRouter[] {
    return this.opts.placedCalls ?? [];
  }

  get liveCalls(): number {
    return this.byCallId.size;
  }

  sessions(): CallSession[] {
    return [...this.byCallId.values()];
  }

  /** The call this process owns, if it does (a transfer acts on it here). */
  session(callId: string): CallSession | undefined {
    return this.byCallId.get(callId);
  }

  start(): void {
    this.ari.on('event', (e) => {
      const handle = () => this.onEvent(e).catch((err: unknown) => this.log.error({ err, type: e.type }, 'ARI event handling failed'));
      // Longer than a lease without a renewal (the process was paused or stalled): it may have been
      // taken for dead and its calls taken over. Events wait, in order, until the lease is renewed
      // and such calls let go; a woken process once closed a call it had lost as abandoned over the
      // adopter's answered record.
      if (!this.held && this.beats > 0 && Date.now() - this.leaseFrom > LEASE_MS - 5_000) {
        this.held = this.renewLease().finally(() => (this.held = undefined));
      }
      if (this.held) void this.held.then(handle);
      else void handle();
    });
    this.ari.on('reconnected', () => {
      const released = this.deps.media.interrupted() + this.placed.reduce((n, r) => n + r.interrupted(), 0);
      if (released) this.log.warn({ playbacks: released }, 'playbacks whose end may have been lost in the gap: waits ended');
      this.reconcile().catch((err: unknown) => this.log.error({ err }, 'reconcile failed'));
    });
  }

  private async onEvent(e: AriEvent): Promise<void> {
    for (const r of this.placed) {
      const handled = r.route(e);
      if (handled) return handled;
    }
    switch (e.type) {
      case 'CallBroadcast':
        return this.onBroadcast(e.channel.id);
      case 'StasisStart':
        return this.onStasisStart(e);
      case 'StasisEnd':
        return this.onStasisEnd(e.channel.id);
      case 'ChannelDestroyed': {
        const adopted = this.adoptedLegs.get(e.channel.id);
        if (adopted) return this.adoptedLegGone(adopted, e.channel.id);
        // A caller taken over from a dead process is not in this app's Stasis: no StasisEnd comes.
        if (this.byCaller.has(e.channel.id)) return this.onStasisEnd(e.channel.id);
        const callback = calleeLegCall(e.channel.id);
        if (callback) return this.calleeGone(callback, e.channel.id, e.cause);
        await this.sessionForLeg(e.channel.id)?.agentLegEnded(e.channel.id, e.cause);
        return;
      }
      case 'ChannelStateChange':
        if (e.channel.state === 'Ringing') await this.sessionForLeg(e.channel.id)?.agentRinging(e.channel.id);
        return;
      case 'Dial':
        if (e.dialstatus === 'RINGING') await this.sessionForLeg(e.peer.id)?.agentRinging(e.peer.id);
        return;
      case 'ChannelDtmfReceived':
        this.byCaller.get(e.channel.id)?.dtmf(e.digit);
        return;
      case 'PlaybackFinished':
        this.deps.media.finished(e.playback.id, e.playback.state);
        return;
      case 'RecordingFinished':
      case 'RecordingFailed':
        return this.onRecordingEnd(e.recording.name, e.type === 'RecordingFinished' ? 'done' : 'failed', e.recording.duration);
      case 'ChannelHangupRequest':
        // AST_SOFTHANGUP_SHUTDOWN: Asterisk is stopping or restarting and hangs every channel up.
        if (e.soft && e.cause === 4) this.byCaller.get(e.channel.id)?.cutOff('Asterisk shut down');
        return;
      case 'ApplicationReplaced':
        this.standBy();
        return;
      default:
        return;
    }
  }

  private async onBroadcast(channelId: string): Promise<void> {
    if (this.opts.mode !== 'broadcast') return;
    const delay = claimDelayMs(channelId, this.deps.settings.node, await this.currentLiveNodes(), this.opts.claimHandoffMs ?? 300);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const app = this.ari.apps[0]!;
    const won = await this.ari.claim(channelId, app).catch((err: Error) => {
      this.log.warn({ channelId, err: err.message }, 'claim failed');
      return false;
    });
    this.log.debug({ channelId, won }, 'broadcast claim');
  }

  /**
   * Read afresh for each burst of broadcasts (calls arriving together share one read), so a process
   * that just started is counted at once. Redis slow or down: the list of the last read or heartbeat
   * (at most 5 s old), and the claim goes on. Before the first read that list was empty: every
   * process then took itself for the only one and claimed at once, and the first to hear took the
   * whole burst. The wait is 1 s, not less: a burst of broadcasts can hold the event loop for a few
   * hundred ms, and Node runs due timers before it reads the socket, so a short wait can lose to a
   * reply that has already arrived. 1 s + the hand-off stays inside StasisBroadcast's 2 s.
   */
  private currentLiveNodes(): Promise<string[]> {
    this.nodesRead ??= this.readLiveNodes().finally(() => (this.nodesRead = undefined));
    return this.nodesRead;
  }

  /** The live process list within 1 s, kept as the next fallback; late or failed, the last one known. */
  private readLiveNodes(): Promise<string[]> {
    return withTimeout(this.deps.acd.liveNodes(), LIVE_LIST_WAIT_MS, 'live process list').then(
      (nodes) => (this.liveNodes = nodes),
      () => this.liveNodes,
    );
  }

  private async onStasisStart(e: Extract<AriEvent, { type: 'StasisStart' }>): Promise<void> {
    const [role, callId] = e.args;
    if (role === 'agent') {
      const s = callId ? this.byCallId.get(callId) : undefined;
      if (!s) {
        this.log.warn({ channelId: e.channel.id, callId }, 'agent leg for an unknown call; hanging up');
        await this.ari.hangup(e.channel.id);
        return;
      }
      await s.agentAnswered(e.channel.id);
      // A queue callback whose dial-out could not even be placed, the last try: the call ended here.
      if (s.state === 'ended' && !this.byCaller.has(s.callerChannelId)) this.forget(s);
      return;
    }
    if (role === QUEUE_CALLBACK_APP_ARG) {
      // The queue callback's caller answered the dial-out: from now on the call's caller leg.
      const s = callId ? this.byCallId.get(callId) : undefined;
      if (s && (await s.calleeAnswered(e.channel.id))) this.byCaller.set(e.channel.id, s);
      else if (!s) await this.ari.hangup(e.channel.id).catch(() => undefined);
      return;
    }
    const channelId = e.channel.id;
    if (this.byCaller.has(channelId)) return;
    // The self-check call is marked in Redis by the process that placed it; any process may claim it.
    const test = role === 'selfcheck' || (await this.deps.acd.isSelfCheck(channelId));
    const session = new CallSession(
      this.deps,
      channelId,
      e.channel.caller?.number ?? '',
      e.channel.dialplan?.exten ?? '',
      test,
    );
    this.byCaller.set(channelId, session);
    this.byCallId.set(session.callId, session);
    await session.run();
  }

  /**
   * Single-app mode, on every heartbeat: the active process says it holds the app, so a standby can
   * tell a live holder from a dead one.
   */
  async beat(): Promise<void> {
    if (this.opts.mode !== 'single' || this.standbyTimer) return;
    await this.deps.acd.holdApp(this.ari.apps[0]!, this.deps.settings.node);
  }

  /**
   * Single-app mode: a newer process took the app, and Asterisk sends this one nothing more. Stand by
   * until the app is gone from `GET /applications` or its holder's heartbeat lapsed, then register
   * again and take the calls. Asterisk alone is not enough: it keeps listing a dead app for as long
   * as a channel or bridge is still in it (trace 10a), which after a crash mid-call can be forever.
   */
  private standBy(): void {
    if (this.standbyTimer) return;
    const app = this.ari.apps[0]!;
    this.log.warn({ app }, 'another process took over this Stasis app: standing by');
    const check = async () => {
      const listed = (await this.ari.applications()).includes(app);
      if (listed && (await this.deps.acd.liveAppHolder(app))) return;
      if (!this.standbyTimer) return;
      clearInterval(this.standbyTimer);
      this.standbyTimer = undefined;
      this.log.warn({ app, listed }, 'the active process is gone: taking over');
      this.ari.reregister();
      await this.beat();
    };
    this.standbyTimer = setInterval(() => void check().catch(() => undefined), this.opts.standbyPollMs ?? 2000);
    this.standbyTimer.unref();
  }

  /** A planned stop; in single-app mode the app is let go at once for a standby to take. */
  async stop(): Promise<void> {
    const holding = this.opts.mode === 'single' && !this.standbyTimer;
    clearInterval(this.standbyTimer);
    this.standbyTimer = undefined;
    if (holding) await this.deps.acd.releaseApp(this.ari.apps[0]!, this.deps.settings.node).catch(() => undefined);
    if (this.opts.mode === 'broadcast') await this.deps.acd.leaveNodes(this.deps.settings.node).catch(() => undefined);
  }

  /** Agent legs are originated with the id `<callId>-<attempt>`, so they route without a lookup table. */
  private sessionForLeg(channelId: string): CallSession | undefined {
    const m = /^([0-9a-f-]{36})-\d+$/.exec(channelId);
    return m ? this.byCallId.get(m[1]!) : undefined;
  }

  private async onStasisEnd(channelId: string): Promise<void> {
    const caller = this.byCaller.get(channelId);
    if (caller) {
      this.byCaller.delete(channelId);
      await caller.callerLeft();
      // A queue callback's caller hung up keeping their place: the call lives on without a channel.
      if (!caller.virtual) this.forget(caller);
      return;
    }
    // A conversation taken back after a restart runs in this process's own Stasis app: its caller's
    // hang-up comes as StasisEnd, and the channel's later events (ChannelDestroyed) no more.
    const adopted = this.adoptedLegs.get(channelId);
    if (adopted) return this.adoptedLegGone(adopted, channelId);
    // An agent leg leaving Stasis after answer: hung up (the session ignores the later ChannelDestroyed).
    await this.sessionForLeg(channelId)?.agentLegEnded(channelId);
  }

  private async calleeGone(callId: string, channelId: string, cause?: number): Promise<void> {
    const s = this.byCallId.get(callId);
    if (!s) return;
    await s.calleeGone(channelId, cause);
    if (s.state === 'ended') this.forget(s);
  }

  private adoptedLegGone(conv: AdoptedConversation, channelId: string): Promise<void> {
    for (const leg of conv.legs) this.adoptedLegs.delete(leg);
    return conv.legGone(channelId);
  }

  private forget(s: CallSession): void {
    // Keep the call reachable for late agent-leg events until those legs are gone.
    setTimeout(() => this.byCallId.delete(s.callId), 60_000).unref();
  }

  private async onRecordingEnd(name: string, state: 'done' | 'failed', durationSec?: number): Promise<void> {
    // `call-<callId>`, and `call-<callId>-<part>` for the parts after a transfer.
    const callId = /^call-([0-9a-f-]{36})(-\d+)?$/.exec(name)?.[1] ?? name.replace(/^call-/, '');
    // The Recording's creation is handed to the outbox in its call's write chain: once that has
    // run, it waits (held) in the recording's list, and this write lands both as one upsert.
    await this.byCallId.get(callId)?.handedOver();
    await this.deps.outbox.write(recordingRecordKey(name), {
      collection: 'recordings',
      filter: { name },
      set: { state, endedAt: new Date(), ...(durationSec !== undefined ? { durationSec } : {}) },
    });
    this.log.info({ recording: name, state, durationSec }, 'recording finished');
  }

  /**
   * At start-up: calls this node owned before a restart are still in Asterisk, in this same Stasis
   * app (a process that dies leaves its callers waiting and its conversations talking). They are
   * taken over as a dead process's calls are (see adopt): conversations watched to their end,
   * waiting callers re-queued at their place, calls already over closed with their outcome.
   * Closing them as failed and hanging up cut off every caller of a process that restarted.
   */
  async recoverStale(): Promise<void> {
    const { models, acd, outbox, settings } = this.deps;
    // The previous run's last record writes may still wait in the outbox.
    await outbox.settled('call:', 5000);
    // Calls the CTI placed (outbound) are not hotline calls: their routers pick their own up again.
    const stale = await models.Call.find({ node: settings.node, state: { $ne: 'ended' }, direction: { $ne: 'outbound' } }).lean();
    let adopted = 0;
    for (const c of stale) {
      // Another process may have taken it over while this one was down: then it is theirs.
      if (this.byCallId.has(c.callId) || !(await acd.claimAdoption(c.callId, settings.node))) continue;
      if (await this.adopt(c.callId).catch((err: Error) => this.log.error({ callId: c.callId, err: err.message }, 'taking back a call failed'))) adopted++;
    }
    const released = await this.releaseOrphans();
    if (stale.length || released) this.log.warn({ stale: stale.length, adopted, released }, 'took back the calls left by a previous run');
    for (const r of this.placed) await r.recoverOwn().catch((err: Error) => this.log.error({ err: err.message }, 'taking back the placed calls left by a previous run failed'));
  }

  /**
   * Periodic: the calls of a process that stopped beating are taken over (one survivor each), and
   * agents it held are freed, each as soon as their phone is no longer in that call.
   */
  async sweep(): Promise<void> {
    const removed = await this.deps.acd.sweepDeadNodes();
    // Claim first, all at once, then take over: an owner that was only paused and beats again
    // meanwhile keeps the calls not yet claimed.
    const mine: string[] = [];
    for (const { callId, node } of removed) if (await this.deps.acd.claimAdoption(callId, this.deps.settings.node, node)) mine.push(callId);
    let adopted = 0;
    for (const callId of mine) {
      if (await this.adopt(callId).catch((err: Error) => this.log.error({ callId, err: err.message }, 'taking over a call failed'))) adopted++;
    }
    const released = await this.releaseOrphans();
    if (removed.length) this.log.warn({ removed: removed.length, adopted, released }, 'took over the calls of a process that stopped');
    // With no process gone, freed agents were held for calls that ended where nobody saw it (an events gap).
    else if (released) this.log.warn({ released }, 'freed agents held for calls no process runs');
    // Placed calls are not in the ACD's live calls: each router finds its own in its ledger.
    for (const r of this.placed) await r.sweep((node) => this.deps.acd.nodeAlive(node)).catch((err: Error) => this.log.error({ err: err.message }, 'taking over placed calls failed'));
    await this.healRequested();
  }

  /** The calls the max-wait watchdog, running on other processes, asked this process to look at. */
  private async healRequested(): Promise<void> {
    for (const callId of await this.deps.acd.takeHealRequests(this.deps.settings.node)) {
      const done = await this.heal(callId).catch((err: Error) => {
        this.log.error({ callId, err: err.message }, 'max-wait watchdog: looking at a call failed');
        return 'none' as const;
      });
      this.log.info({ callId, done }, 'max-wait watchdog: looked at a call on request');
    }
  }

  /**
   * The max-wait watchdog's look at a call this process owns (see CallSession.heal). A call the
   * shared state gives to this process but that has no session here (lost with a fault) goes
   * through the adoption path, as a dead process's call would.
   */
  async heal(callId: string): Promise<HealResult> {
    const s = this.byCallId.get(callId);
    if (s) {
      if (s.state === 'ended') return 'none';
      const done = await s.heal(() => this.ari.channelIds());
      if (done === 'closed') {
        this.byCaller.delete(s.callerChannelId);
        this.forget(s);
      }
      return done;
    }
    if ([...this.adoptedLegs.values()].some((c) => c.call.callId === callId)) return 'none';
    if (!(await this.deps.acd.claimAdoption(callId, this.deps.settings.node))) return 'none';
    return (await this.adopt(callId)) ? 'adopted' : 'none';
  }

  /**
   * Takes over one call of a dead process, as its record says: a conversation is watched to its
   * end; a waiting caller goes back to the queue at their place; a call whose caller is already gone
   * is closed. Returns true when the call was taken over.
   */
  async adopt(callId: string): Promise<boolean> {
    const { outbox, models, ari, acd, agents } = this.deps;
    // The dead process may have left writes of this call in the outbox: read the record once they landed.
    await outbox.drained(callRecordKey(callId), 3000);
    const doc = await models.Call.findOne({ callId }).lean();
    if (!doc || doc.state === 'ended' || doc.test) return false;
    const up = await ari.channelIds();
    // A queue callback's virtual caller has no channel: it keeps its place (resumeWaiting below).
    const virtual = !!doc.queueCallback && !doc.queueCallback.reachedAt;
    if (!virtual && !up.has(doc.callerChannelId)) {
      // Hung up while nobody listened: the record is closed as the call ended, its ring stopped.
      const outcome = doc.state === 'talking' || doc.state === 'announcing' ? 'answered' : doc.state === 'ringing' ? 'abandoned-ringing' : doc.state === 'queued' ? 'abandoned-queue' : 'abandoned-greeting';
      for (const id of up) if (id.startsWith(`${callId}-`)) await ari.hangup(id);
      await outbox.write(callRecordKey(callId), { collection: 'calls', filter: { callId }, set: { state: 'ended', endedAt: new Date(), outcome, hangupBy: 'caller' } });
      // Its recording's end went to the dead process's app, unheard: its held creation lands now.
      if (doc.recordingName) await outbox.drained(recordingRecordKey(doc.recordingName), 3000);
      const agent = doc.agentWorkNumber;
      const moved = !!agent && (await agents.forCall(agent, callId, outcome === 'answered' ? 'acw' : 'ready', ['talking', 'ringing', 'reserved']));
      // Wrap-up ends by its timer, as after any call: without it the agent stayed in ACW for good.
      if (moved && outcome === 'answered') await this.deps.afterCallWork.start({ agentWorkNumber: agent, callId });
      await acd.dequeue(callId);
      await acd.markDone(callId);
      await this.deps.maxWait?.disarm(callId).catch(() => false);
      this.log.warn({ callId, outcome }, 'call of a process that died had ended unseen: record closed');
      return true;
    }
    if (!virtual && (doc.state === 'talking' || doc.state === 'announcing') && doc.agentChannelId && doc.agentWorkNumber) {
      const conv = new AdoptedConversation(this.deps, {
        callId,
        callerChannelId: doc.callerChannelId,
        agentChannelId: doc.agentChannelId,
        agentWorkNumber: doc.agentWorkNumber,
        ...(doc.recordingName ? { recordingName: doc.recordingName } : {}),
      });
      for (const leg of conv.legs) this.adoptedLegs.set(leg, conv);
      await conv.start();
      return true;
    }
    const session = new CallSession(this.deps, doc.callerChannelId, doc.callerNumber ?? '', doc.dialledNumber ?? '', false, {
      callId,
      arrivedAt: doc.arrivedAt,
      state: doc.state as CallState,
      ...(doc.queuedAt ? { queuedAt: doc.queuedAt } : {}),
      ...(doc.language ? { language: doc.language as Language } : {}),
      offers: (doc.offers ?? []).map((o) => ({
        attempt: o.attempt,
        agentWorkNumber: o.agentWorkNumber,
        extension: o.extension ?? '',
        channelId: o.channelId ?? agentLegId(callId, o.attempt),
        offeredAt: o.offeredAt ?? doc.arrivedAt,
        ...(o.ringingAt ? { ringingAt: o.ringingAt } : {}),
        ...(o.endedAt ? { endedAt: o.endedAt } : {}),
        ...(typeof o.ringMs === 'number' ? { ringMs: o.ringMs } : {}),
        result: o.result as OfferResult,
        alarmed: !!o.alarmed,
      })),
      ...(doc.queueCallback
        ? {
            queueCallback: {
              number: doc.queueCallback.number,
              requestedAt: doc.queueCallback.requestedAt,
              attempts: doc.queueCallback.attempts.map((a) => ({ at: a.at, agentWorkNumber: a.agentWorkNumber, result: a.result as DialOutResult })),
              ...(doc.queueCallback.reachedAt ? { reachedAt: doc.queueCallback.reachedAt } : {}),
            },
          }
        : {}),
    });
    // A virtual caller's channel is long gone: nothing of it may close the call.
    if (!virtual) this.byCaller.set(doc.callerChannelId, session);
    this.byCallId.set(callId, session);
    await session.resumeWaiting();
    return true;
  }

  /**
   * The heartbeat: renews this process's mark (LEASE_MS). A renewal that finds the mark had lapsed
   * (a pause, a stall, a long Redis outage) first rejoins. One renewal at a time, so events held
   * for one never run before its rejoin has let go of the calls taken over.
   */
  renewLease(): Promise<void> {
    this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async renew(): Promise<void> {
    const sentAt = Date.now();
    const lapsed = await this.deps.acd.heartbeat(this.deps.settings.node, LEASE_MS).then(
      (l) => {
        this.leaseFrom = sentAt;
        return l;
      },
      () => false,
    );
    // The first beat always finds no mark; a later one that does not was taken for dead meanwhile.
    if (lapsed && this.beats > 0) await this.rejoin().catch((err: Error) => this.log.error({ err: err.message }, 'rejoin after a lapsed heartbeat failed'));
    this.beats++;
    // The broadcast claims' fallback when a burst's own read is late: never older than a beat.
    // Not awaited: the renewal (and any events held for it) must not wait on this read.
    void this.readLiveNodes();
  }

  /**
   * This process's heartbeat had lapsed (a long pause): the others may have swept its calls out of
   * the shared state. It puts them back: live calls marked again, queued callers at their place.
   */
  async rejoin(): Promise<void> {
    const sessions = this.sessions();
    let given = 0;
    for (const s of sessions) {
      // Fencing: a call another process took over meanwhile is theirs now; this one lets go of it.
      const owner = await this.deps.acd.adoptedBy(s.callId);
      if (owner && owner !== this.deps.settings.node) {
        s.relinquish();
        this.byCaller.delete(s.callerChannelId);
        this.byCallId.delete(s.callId);
        given++;
        continue;
      }
      await s.rejoin();
    }
    this.log.warn({ calls: sessions.length, takenOverElsewhere: given }, 'heartbeat had lapsed: calls put back in the shared state');
  }

  private releaseOrphans(): Promise<number> {
    return releaseOrphanAgents(this.deps.acd, this.deps.agents, this.deps.settings.node, this.ownCalls(), () => this.ari.channelIds().catch(() => null));
  }

  /** The calls this process runs: its own sessions and the conversations it took over. */
  private ownCalls(): Set<string> {
    return new Set([...this.byCallId.keys(), ...[...this.adoptedLegs.values()].map((c) => c.call.callId)]);
  }

  /**
   * After an events gap: calls whose caller channel vanished are closed with their outcome,
   * ringing legs that vanished are treated as ended, and no agent is left Reserved or Ringing
   * for a call that no longer exists on this process.
   */
  async reconcile(): Promise<void> {
    // Only legs offered before the snapshot can be judged by it: closing a call here frees its agent,
    // and a later call of this loop may ring (or even be answered by) that agent meanwhile.
    const legsBefore = new Map([...this.byCaller.values()].map((s) => [s, s.agentChannel] as const));
    const states = await this.ari.channelStates();
    const live = new Set(states.keys());
    let closed = 0;
    for (const s of [...this.byCaller.values()]) {
      if (!live.has(s.callerChannelId)) {
        this.byCaller.delete(s.callerChannelId);
        await s.vanished();
        // A queue callback's caller, hung up keeping their place while the events were away: still waiting.
        if (s.virtual) continue;
        this.forget(s);
        closed++;
        continue;
      }
      const leg = s.agentChannel;
      if (!leg || legsBefore.get(s) !== leg) continue;
      if (!live.has(leg)) await s.agentLegEnded(leg);
      // Its ringing or its answer may have happened in the gap: catch up from its state now.
      else await s.legSeenAfterGap(leg, states.get(leg) ?? '');
    }
    const released = await releaseOrphanAgents(this.deps.acd, this.deps.agents, this.deps.settings.node, this.ownCalls(), async () => live);
    this.log.info({ liveChannels: live.size, closed, released }, 'reconciled after ARI reconnect');
  }
}

/**
 * Agents held (Reserved, Ringing, Talking) for a call that no process runs any more, or that this
 * process owned and has closed, go back to Ready: nobody stays stuck after a gap. But an agent whose
 * leg of that call is still up in Asterisk is still on the phone (a process that died leaves its
 * calls talking): they stay Talking, never offered another call, until that leg is gone. When
 * Asterisk cannot be asked, nobody is released on a guess.
 */
export async function releaseOrphanAgents(
  acd: AcdStore,
  agents: AgentService,
  node: string,
  local: Set<string>,
  channels: () => Promise<Set<string> | null>,
): Promise<number> {
  let released = 0;
  // Agents before live calls: a call is live from its arrival, before any agent is held for it, so
  // an agent read here on a call has its call in the live calls read after. Read the other way, a
  // call that arrived in between looked dead, and its agent was freed just before the phone rang.
  const held = (await acd.agentsKnown()).filter((a) => CALL_STATES.includes(a.state));
  const live = await acd.liveCalls();
  for (const [callId, owner] of live) {
    if (owner === node && !local.has(callId)) {
      await acd.markDone(callId);
      live.delete(callId);
    }
  }
  const orphans = held.filter((a) => !live.has(a.callId));
  if (orphans.length === 0) return 0;
  const up = await channels();
  if (!up) return 0;
  for (const a of orphans) {
    if ([...up].some((id) => id.startsWith(`${a.callId}-`))) continue;
    if (await agents.forCall(a.workNumber, a.callId, 'ready', CALL_STATES, 'released after reconnect')) released++;
  }
  return released;
}
