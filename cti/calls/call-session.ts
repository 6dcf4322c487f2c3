import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger';
import type { Models } from '../../models';
import type { CallOutcome, CallState, Language, OfferResult } from '../../models/enums';
import type { AfterCallWorkRule } from '../acd/after-call-work';
import type { AnswerAlarmRule } from '../acd/answer-alarm';
import type { AcdStore } from '../acd/acd-store';
import type { AgentService } from '../acd/agent-service';
import type { Dispatcher } from '../acd/dispatcher';
import type { WaitEstimator } from '../acd/wait-estimate';
import type { AriPort } from '../ari/port';
import type { EventBus } from '../../events/event-bus';
import { agentIntroMedia, promptMedia, queuePositionMedia, queueWaitMedia } from '../prompts/catalogue';
import { canMove, outcomeFor, ringEndResult } from './call-state';
import type { MediaPlayer } from './media';

export interface CallSettings {
  node: string;
  app: string;
  hotlineNumber: string;
  defaultLanguage: Language;
  fallbackMs: number;
  /** 0 = no periodic position announcements while queued. */
  announceMs: number;
  /** Originate timeout: longer than the answer alarm, so the alarm decides, not Asterisk. */
  ringTimeoutSec: number;
  recordingFormat: 'wav';
}

export interface CallDeps {
  ari: AriPort;
  acd: AcdStore;
  agents: AgentService;
  dispatcher: Dispatcher;
  models: Models;
  bus: EventBus;
  media: MediaPlayer;
  answerAlarm: AnswerAlarmRule;
  afterCallWork: AfterCallWorkRule;
  /** For the periodic announcement's "about N minutes"; position only without it. */
  waitEstimate?: WaitEstimator;
  settings: CallSettings;
  logger: Logger;
  /** Observers of a call's life on the owning process (silence watch, metrics). */
  hooks?: CallHooks;
}

export interface CallHooks {
  arrived?(call: CallSession): void;
  offerEnded?(call: CallSession, result: OfferResult, ringMs: number): void;
  answered?(call: CallSession, waitMs: number, ringMs: number): void;
  ended?(call: CallSession, outcome: CallOutcome): void;
}

interface Offer {
  attempt: number;
  agentWorkNumber: string;
  extension: string;
  channelId: string;
  offeredAt: Date;
  ringingAt?: Date;
  endedAt?: Date;
  ringMs?: number;
  result: OfferResult;
  alarmed: boolean;
}

/**
 * One caller's call, owned by the CTI process whose Stasis app holds the channel. Everything
 * other processes must see (queue position, agent reservations, offers) goes through Redis;
 * the durable record is the Call document, written at every state.
 */
export class CallSession {
  readonly callId = randomUUID();
  state: CallState = 'arrived';
  language?: Language;
  private languageSource?: 'customer' | 'remembered' | 'dtmf' | 'default';
  private customerAccount?: string;
  private readonly arrivedAt = new Date();
  private queuedAt?: Date;
  private readonly offers: Offer[] = [];
  private current?: Offer;
  private bridgeId?: string;
  private recordingName?: string;
  private agentWorkNumber?: string;
  private agentChannelId?: string;
  private ended = false;
  private failure?: string;
  /** Aborted when the caller is gone: stops every playback and wait of this call. */
  private readonly callerGone = new AbortController();
  private keyChoice?: (lang: Language) => void;
  /** 1 or 2 pressed after answer but before the menu started playing: it still counts. */
  private earlyChoice?: Language;
  private announceTimer?: NodeJS.Timeout;
  private writes: Promise<unknown> = Promise.resolve();
  private pending?: Record<string, unknown>;
  /** The originate request in flight, if any: a hang-up must not free the agent before it lands. */
  private originating: Promise<unknown> = Promise.resolve();
  readonly log: Logger;

  constructor(
    private readonly d: CallDeps,
    readonly callerChannelId: string,
    readonly callerNumber: string,
    readonly dialledNumber: string,
    readonly test = false,
  ) {
    this.log = d.logger.child({ callId: this.callId, channelId: callerChannelId });
  }

  get agentChannel(): string | undefined {
    return this.current?.channelId;
  }

  /** Answer, greet, queue: the caller-driven part of the call. */
  async run(): Promise<void> {
    const { ari, models, bus } = this.d;
    // The record is written in the background, in order (see save()): the caller never waits on MongoDB.
    this.writes = models.Call.create({
      callId: this.callId,
      node: this.d.settings.node,
      callerChannelId: this.callerChannelId,
      callerNumber: this.callerNumber,
      dialledNumber: this.dialledNumber,
      state: 'arrived',
      arrivedAt: this.arrivedAt,
      test: this.test,
    }).catch((err: Error) => this.log.error({ err: err.message }, 'call record create failed'));
    await this.d.acd.markLive(this.callId, this.d.settings.node);
    this.log.info({ caller: this.callerNumber, test: this.test || undefined }, 'call arrived');
    await bus.publish({ type: 'call.arrived', callId: this.callId, channelId: this.callerChannelId, callerNumber: this.callerNumber, at: this.arrivedAt.getTime(), test: this.test });
    this.d.hooks?.arrived?.(this);
    try {
      const [, known] = await Promise.all([ari.answer(this.callerChannelId), this.knownLanguage()]);
      if (this.ended) return;
      await this.move('greeting');
      const lang = await this.greet(known);
      if (this.ended) return;
      if (this.test) {
        // The self-check call proves the chain up to the greeting, then leaves: no agent, no queue.
        await this.finish('system');
        await ari.hangup(this.callerChannelId);
        return;
      }
      await this.enqueue(lang);
    } catch (err) {
      if (this.ended || this.callerGone.signal.aborted) return;
      this.failure = (err as Error).message;
      this.log.error({ err: this.failure }, 'call failed before reaching the queue');
      await this.finish('system');
      await ari.hangup(this.callerChannelId).catch(() => undefined);
    }
  }

  private async knownLanguage(): Promise<Language | undefined> {
    if (!this.callerNumber) return undefined;
    const [customer, pref] = await Promise.all([
      this.d.models.Customer.findOne({ phones: this.callerNumber }).lean(),
      this.d.models.CallerPreference.findOne({ number: this.callerNumber }).lean(),
    ]);
    if (customer) this.customerAccount = customer.accountNumber;
    if (customer?.preferredLanguage) {
      this.languageSource = 'customer';
      return customer.preferredLanguage;
    }
    if (pref?.language) {
      this.languageSource = 'remembered';
      return pref.language;
    }
    return undefined;
  }

  /**
   * Known caller: a greeting in their language. Anyone else: Cantonese then Mandarin, during
   * which key 1 picks Cantonese and 2 Mandarin (barge-in); no key → the default language.
   */
  private async greet(known: Language | undefined): Promise<Language> {
    const { media } = this.d;
    if (known) {
      this.language = known;
      await media.playAll(this.callerChannelId, [promptMedia('greeting-welcome', known)], this.callerGone.signal);
      return known;
    }
    const bargeIn = new AbortController();
    let chosen: Language | undefined = this.earlyChoice;
    if (chosen) bargeIn.abort();
    const onCallerGone = () => bargeIn.abort();
    this.callerGone.signal.addEventListener('abort', onCallerGone, { once: true });
    this.keyChoice = (lang) => {
      chosen = lang;
      bargeIn.abort();
    };
    await media.playAll(
      this.callerChannelId,
      [
        promptMedia('greeting-welcome', 'yue'),
        promptMedia('greeting-choose', 'yue'),
        promptMedia('greeting-welcome', 'cmn'),
        promptMedia('greeting-choose', 'cmn'),
      ],
      bargeIn.signal,
    );
    this.keyChoice = undefined;
    this.callerGone.signal.removeEventListener('abort', onCallerGone);
    if (chosen) {
      this.language = chosen;
      this.languageSource = 'dtmf';
      if (this.callerNumber) {
        await this.d.models.CallerPreference.updateOne(
          { number: this.callerNumber },
          { $set: { language: chosen } },
          { upsert: true, runValidators: true },
        );
      }
      return chosen;
    }
    this.language = this.d.settings.defaultLanguage;
    this.languageSource = 'default';
    return this.language;
  }

  /** A key press from the caller; only 1 and 2 during the bilingual greeting mean anything. */
  dtmf(digit: string): void {
    const pick = digit === '1' ? 'yue' : digit === '2' ? 'cmn' : undefined;
    if (this.keyChoice && pick) {
      this.log.info({ digit, language: pick }, 'caller chose a language');
      this.keyChoice(pick);
      return;
    }
    if (pick && !this.language && (this.state === 'arrived' || this.state === 'greeting')) {
      this.log.info({ digit, language: pick }, 'caller chose a language before the menu');
      this.earlyChoice ??= pick;
      return;
    }
    this.log.debug({ digit, state: this.state }, 'key press ignored');
  }

  private async enqueue(lang: Language): Promise<void> {
    const first = !this.queuedAt;
    this.queuedAt ??= new Date();
    await this.move('queued');
    if (first) await this.d.ari.startMoh(this.callerChannelId).catch((err: Error) => this.log.warn({ err: err.message }, 'music on hold failed'));
    else await this.d.ari.startMoh(this.callerChannelId).catch(() => undefined);
    await this.d.acd.enqueue({
      callId: this.callId,
      language: lang,
      queuedAt: this.queuedAt.getTime(),
      node: this.d.settings.node,
      callerNumber: this.callerNumber,
    });
    this.d.dispatcher.add({ callId: this.callId, queuedAt: this.queuedAt.getTime(), language: lang, offer: (agent) => this.offer(agent) });
    this.scheduleAnnouncement();
    this.d.dispatcher.run();
  }

  private scheduleAnnouncement(): void {
    const every = this.d.settings.announceMs;
    if (every <= 0) return;
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => void this.announcePosition(), every);
    this.announceTimer.unref();
  }

  private async announcePosition(): Promise<void> {
    if (this.state !== 'queued' || !this.language) return;
    const queued = await this.d.acd.queued();
    const position = queued.findIndex((q) => q.callId === this.callId) + 1;
    if (position <= 0) return;
    const minutes = await this.d.waitEstimate?.minutes(this.language, position);
    const media = [...queuePositionMedia(position, this.language), ...(minutes ? queueWaitMedia(minutes, this.language) : [])];
    if (this.state !== 'queued') return;
    await this.d.ari.stopMoh(this.callerChannelId);
    await this.d.media.playAll(this.callerChannelId, media, this.callerGone.signal);
    if (this.state === 'queued') {
      await this.d.ari.startMoh(this.callerChannelId).catch(() => undefined);
      this.scheduleAnnouncement();
    }
  }

  /** The dispatcher reserved `agentWorkNumber` for this call: ring their phone. */
  async offer(agentWorkNumber: string): Promise<void> {
    const { ari, acd, settings } = this.d;
    clearTimeout(this.announceTimer);
    const agent = await acd.agent(agentWorkNumber);
    if (this.ended || !agent) {
      await this.d.agents.system(agentWorkNumber, 'ready', ['reserved']);
      return;
    }
    const offer: Offer = {
      attempt: this.offers.length + 1,
      agentWorkNumber,
      extension: agent.extension,
      channelId: `${this.callId}-${this.offers.length + 1}`,
      offeredAt: new Date(),
      result: 'ringing',
      alarmed: false,
    };
    this.offers.push(offer);
    this.current = offer;
    await acd.startOffer(this.callId, offer.attempt);
    await this.move('ringing');
    // The caller may have left during the awaits above; callerLeft() then released the agent.
    // From here to the request being issued there is no await, so callerLeft() sees it in flight.
    if (this.callerGone.signal.aborted) {
      if (await acd.endOffer(this.callId, offer.attempt, 'caller-gone')) await this.offerEnded(offer, 'caller-gone');
      return;
    }
    this.log.info({ agent: agentWorkNumber, attempt: offer.attempt }, 'offering to agent');
    try {
      this.originating = ari.originate({
        channelId: offer.channelId,
        endpoint: `PJSIP/${agent.extension}`,
        app: settings.app,
        appArgs: `agent,${this.callId},${offer.attempt}`,
        callerId: `"${this.callerNumber}" <${this.callerNumber}>`,
        timeoutSec: settings.ringTimeoutSec,
      });
      await this.originating;
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      this.log.warn({ agent: agentWorkNumber, err: (err as Error).message }, 'agent phone could not be rung');
      const result = kind === 'allocation-failed' ? 'unreachable' : 'failed';
      if (await acd.endOffer(this.callId, offer.attempt, result)) await this.offerEnded(offer, result);
    }
  }

  /** The agent's phone started ringing: screen-pop now, and the 20-second clock starts. */
  async agentRinging(channelId: string): Promise<void> {
    const offer = this.current;
    if (!offer || offer.channelId !== channelId || offer.ringingAt || offer.result !== 'ringing') return;
    offer.ringingAt = new Date();
    const { agents, answerAlarm, bus } = this.d;
    await agents.system(offer.agentWorkNumber, 'ringing', ['reserved'], '', this.callId);
    await answerAlarm.arm({
      callId: this.callId,
      attempt: offer.attempt,
      agentWorkNumber: offer.agentWorkNumber,
      agentChannelId: channelId,
      ringingAt: offer.ringingAt.getTime(),
    });
    void this.save({ ringingAt: offer.ringingAt, offers: this.offers });
    await bus.publish({
      type: 'call.ringing',
      callId: this.callId,
      attempt: offer.attempt,
      agentWorkNumber: offer.agentWorkNumber,
      callerNumber: this.callerNumber,
      language: this.language ?? this.d.settings.defaultLanguage,
      ...(this.customerAccount ? { customerAccount: this.customerAccount } : {}),
      queuedAt: this.queuedAt!.getTime(),
      ringingAt: offer.ringingAt.getTime(),
    });
  }

  /** The agent picked up (the agent leg entered Stasis). */
  async agentAnswered(channelId: string): Promise<void> {
    const offer = this.offers.find((o) => o.channelId === channelId);
    const { ari, acd, answerAlarm, agents, bus, media } = this.d;
    if (!offer || this.ended || offer !== this.current) {
      await ari.hangup(channelId);
      return;
    }
    // The alarm job and this answer race for the offer; exactly one wins.
    if (!(await acd.endOffer(this.callId, offer.attempt, 'answered'))) {
      this.log.info({ agent: offer.agentWorkNumber }, 'answer came after the offer had ended');
      await ari.hangup(channelId);
      return;
    }
    const now = new Date();
    offer.result = 'answered';
    offer.endedAt = now;
    offer.ringMs = now.getTime() - (offer.ringingAt ?? offer.offeredAt).getTime();
    this.agentWorkNumber = offer.agentWorkNumber;
    this.agentChannelId = channelId;
    await answerAlarm.disarm(this.callId, offer.attempt);
    await agents.system(offer.agentWorkNumber, 'talking', ['ringing', 'reserved'], '', this.callId);
    // The caller hung up just as the agent picked up: finish() has released (or will release) both.
    if (this.ended) return;
    const waitMs = now.getTime() - this.queuedAt!.getTime();
    await this.move('announcing', {
      answeredAt: now,
      agentWorkNumber: offer.agentWorkNumber,
      agentChannelId: channelId,
      answerDelayMs: waitMs,
      answerRingMs: offer.ringMs,
      offers: this.offers,
    });
    await bus.publish({ type: 'call.answered', callId: this.callId, agentWorkNumber: offer.agentWorkNumber, answeredAt: now.getTime(), ringMs: offer.ringMs, waitMs });
    this.log.info({ agent: offer.agentWorkNumber, ringMs: offer.ringMs, waitMs }, 'agent answered');
    this.d.hooks?.answered?.(this, waitMs, offer.ringMs);

    await ari.stopMoh(this.callerChannelId);
    const intro = agentIntroMedia(offer.agentWorkNumber, this.language ?? this.d.settings.defaultLanguage);
    await media.playAll(this.callerChannelId, intro, this.callerGone.signal);
    if (this.ended || this.callerGone.signal.aborted) return;

    this.bridgeId = `br-${this.callId}`;
    this.recordingName = `call-${this.callId}`;
    await ari.createBridge(this.bridgeId, 'mixing');
    await ari.addToBridge(this.bridgeId, [this.callerChannelId, channelId]);
    const startedAt = new Date();
    await ari.recordBridge(this.bridgeId, this.recordingName, this.d.settings.recordingFormat);
    const recording = {
      name: this.recordingName,
      callId: this.callId,
      bridgeId: this.bridgeId,
      format: this.d.settings.recordingFormat,
      file: `${this.recordingName}.${this.d.settings.recordingFormat}`,
      startedAt,
      state: 'recording' as const,
    };
    // In the call's write chain: stored in order, never on the caller's path.
    this.writes = this.writes
      .then(() => this.d.models.Recording.create(recording))
      .catch((err: Error) => this.log.error({ err: err.message }, 'recording record create failed'));
    if (this.ended) return;
    await this.move('talking', { recordingName: this.recordingName });
  }

  /**
   * The agent leg ended. While ringing that is no answer / busy / unreachable (or the alarm
   * stopping it): the call goes back to its place in the queue. While talking, the agent hung up
   * first, against the rule: flagged, and the caller is released.
   */
  async agentLegEnded(channelId: string, cause?: number): Promise<void> {
    const offer = this.offers.find((o) => o.channelId === channelId);
    if (!offer) return;
    if (this.ended) {
      // A ring that outlived its caller: free the agent it held.
      if (offer.result === 'ringing' && (await this.d.acd.endOffer(this.callId, offer.attempt, 'caller-gone'))) {
        offer.result = 'caller-gone';
        await this.d.answerAlarm.disarm(this.callId, offer.attempt);
        await this.d.agents.system(offer.agentWorkNumber, 'ready', ['ringing', 'reserved']);
      }
      return;
    }
    if (offer.result === 'answered') {
      if (this.state === 'announcing' || this.state === 'talking') {
        this.log.warn({ agent: offer.agentWorkNumber }, 'agent hung up first');
        await this.finish('agent');
        await this.d.ari.hangup(this.callerChannelId);
      }
      return;
    }
    if (offer.result !== 'ringing') return;
    const local = ringEndResult(cause);
    const won = await this.d.acd.endOffer(this.callId, offer.attempt, local);
    const result = won ? local : ((await this.d.acd.offerState(this.callId, offer.attempt)) ?? local);
    await this.offerEnded(offer, result as OfferResult, won);
  }

  private async offerEnded(offer: Offer, result: OfferResult, decidedHere = true): Promise<void> {
    if (offer.result !== 'ringing') return;
    const now = new Date();
    offer.result = result;
    offer.endedAt = now;
    offer.ringMs = offer.ringingAt ? now.getTime() - offer.ringingAt.getTime() : 0;
    // Decided elsewhere as no-answer means the 20-second alarm job stopped the ring.
    if (result === 'no-answer' && !decidedHere) offer.alarmed = true;
    const { agents, answerAlarm, bus } = this.d;
    if (decidedHere) {
      await answerAlarm.disarm(this.callId, offer.attempt);
      await this.d.acd.endOffer(this.callId, offer.attempt, result as Exclude<OfferResult, 'ringing' | 'answered'>);
      // A phone that is busy or cannot be reached is not offered again until the agent says so.
      const reason = result === 'busy' ? 'phone-busy' : result === 'unreachable' ? 'phone-unreachable' : result === 'no-answer' ? 'no-answer' : '';
      if (reason) await agents.system(offer.agentWorkNumber, 'not_ready', ['ringing', 'reserved'], reason);
      else await agents.system(offer.agentWorkNumber, 'ready', ['ringing', 'reserved']);
    }
    await bus.publish({ type: 'call.offer-ended', callId: this.callId, attempt: offer.attempt, agentWorkNumber: offer.agentWorkNumber, result, ringMs: offer.ringMs, at: now.getTime() });
    this.log.info({ agent: offer.agentWorkNumber, result, ringMs: offer.ringMs }, 'offer ended');
    this.d.hooks?.offerEnded?.(this, result, offer.ringMs);
    void this.save({ offers: this.offers });
    if (this.ended || this.callerGone.signal.aborted) return;
    if (result === 'caller-gone') return;
    this.current = undefined;
    await this.enqueue(this.language ?? this.d.settings.defaultLanguage);
  }

  /** The caller's channel left Stasis: they hung up (or the channel vanished). */
  async callerLeft(): Promise<void> {
    if (this.ended) return;
    this.callerGone.abort();
    clearTimeout(this.announceTimer);
    const { ari, acd, dispatcher } = this.d;
    if (this.state === 'queued') {
      dispatcher.remove(this.callId);
      await acd.dequeue(this.callId);
      await this.d.agents.kickDispatch();
    }
    const offer = this.current;
    if (this.state === 'ringing' && offer && offer.result === 'ringing') {
      if (await acd.endOffer(this.callId, offer.attempt, 'caller-gone')) {
        // Stop the ring before the agent is free again, or the next offer could ring a ringing phone.
        await this.originating.catch(() => undefined);
        await ari.hangup(offer.channelId);
        await this.offerEnded(offer, 'caller-gone', true);
      } else {
        await ari.hangup(offer.channelId);
      }
    }
    await this.finish('caller');
  }

  private async finish(by: 'caller' | 'agent' | 'system'): Promise<void> {
    if (this.ended) return;
    const endState = this.state;
    this.ended = true;
    this.callerGone.abort();
    clearTimeout(this.announceTimer);
    this.d.dispatcher.remove(this.callId);
    const now = new Date();
    const outcome = outcomeFor(endState, !!this.failure);
    const abandonWaitMs =
      outcome === 'abandoned-queue' || outcome === 'abandoned-ringing'
        ? now.getTime() - (this.queuedAt ?? this.arrivedAt).getTime()
        : outcome === 'abandoned-greeting'
          ? now.getTime() - this.arrivedAt.getTime()
          : undefined;
    const answered = outcome === 'answered';
    this.state = 'ended';
    void this.save({
      state: 'ended',
      endedAt: now,
      outcome,
      hangupBy: by,
      agentHungUpFirst: answered && by === 'agent',
      ...(abandonWaitMs !== undefined ? { abandonWaitMs } : {}),
      ...(this.failure ? { failureReason: this.failure } : {}),
      language: this.language,
      languageSource: this.languageSource,
      customerAccount: this.customerAccount,
      offers: this.offers,
    });
    await this.d.acd.markDone(this.callId);
    // The agent's leg is gone before wrap-up starts, so the next offer never rings a phone still in this call.
    if (this.agentChannelId && by !== 'agent') await this.d.ari.hangup(this.agentChannelId).catch(() => undefined);
    if (answered && this.agentWorkNumber) {
      await this.d.agents.system(this.agentWorkNumber, 'acw', ['talking'], '', this.callId);
      await this.d.afterCallWork.start({ agentWorkNumber: this.agentWorkNumber, callId: this.callId });
    } else if (this.agentWorkNumber) {
      // Picked up at the instant the caller left: the agent never talked, so no wrap-up.
      await this.d.agents.system(this.agentWorkNumber, 'ready', ['talking', 'ringing', 'reserved']);
    }
    // The agent is free before the record is flushed; consumers of call.ended read a complete record.
    await this.writes;
    if (this.bridgeId) {
      // Destroying the bridge also ends its recording, which is then kept, not discarded.
      const bridgeId = this.bridgeId;
      setTimeout(() => void this.d.ari.destroyBridge(bridgeId).catch(() => undefined), 200).unref();
    }
    await this.d.bus.publish({
      type: 'call.ended',
      callId: this.callId,
      outcome,
      ...(this.agentWorkNumber ? { agentWorkNumber: this.agentWorkNumber } : {}),
      hangupBy: by,
      ...(this.recordingName ? { recordingName: this.recordingName } : {}),
      at: now.getTime(),
      test: this.test,
    });
    this.log.info({ outcome, hangupBy: by, agent: this.agentWorkNumber, abandonWaitMs }, 'call ended');
    this.d.hooks?.ended?.(this, outcome);
  }

  /** Resolves once every record write of this call so far has reached the database. */
  async flushed(): Promise<void> {
    await this.writes;
  }

  /** Closes a call whose channel vanished while the events socket was down (reconcile). */
  async vanished(): Promise<void> {
    this.log.warn({ state: this.state }, 'caller channel vanished during an ARI gap');
    await this.callerLeft();
  }

  private async move(to: CallState, extra: Record<string, unknown> = {}): Promise<void> {
    if (this.ended) return;
    if (!canMove(this.state, to) && this.state !== to) {
      this.log.warn({ from: this.state, to }, 'unexpected call state change ignored');
      return;
    }
    this.state = to;
    const at = new Date();
    const stamp: Record<string, Date> = {};
    if (to === 'greeting') stamp.greetingAt = at;
    if (to === 'queued' && !extra.queuedAt) stamp.queuedAt = this.queuedAt ?? at;
    if (to === 'announcing') stamp.announcingAt = at;
    if (to === 'talking') stamp.talkingAt = at;
    void this.save({ state: to, ...stamp, ...extra, ...(this.language ? { language: this.language, languageSource: this.languageSource } : {}) });
    await this.d.bus.publish({ type: 'call.state', callId: this.callId, state: to, ...(this.language ? { language: this.language } : {}), at: at.getTime() });
  }

  /**
   * Writes are chained so the Call document never sees an older state after a newer one, and are
   * not awaited on the call's path. Under back-pressure (a slow database) the patches waiting
   * behind an in-flight write merge into one, so a call costs a few writes, not one per step.
   */
  private save(patch: Record<string, unknown>): Promise<unknown> {
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (this.pending) {
      Object.assign(this.pending, clean);
      return this.writes;
    }
    this.pending = clean;
    this.writes = this.writes
      .then(() => {
        const next = this.pending!;
        this.pending = undefined;
        return this.d.models.Call.updateOne({ callId: this.callId }, { $set: next });
      })
      .catch((err: Error) => this.log.error({ err: err.message }, 'call record update failed'));
    return this.writes;
  }
}
