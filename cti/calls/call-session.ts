import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger';
import type { Models } from '../../models';
import type { CallOutcome, CallState, Language, OfferResult } from '../../models/enums';
import type { AfterCallWorkRule } from '../acd/after-call-work';
import type { AnswerAlarmRule } from '../acd/answer-alarm';
import type { AcdStore, ReservedAgent } from '../acd/acd-store';
import { trace } from '../../core/bench-trace';
import type { AgentService } from '../acd/agent-service';
import type { Dispatcher } from '../acd/dispatcher';
import type { WaitEstimator } from '../acd/wait-estimate';
import type { AriPort } from '../ari/port';
import type { RecordOutbox } from '../../queue/record-outbox';
import type { EventBus } from '../../events/event-bus';
import type { RecentCallView } from '../../contracts';
import { agentIntroMedia, promptMedia } from '../prompts/catalogue';
import { bridgeAndRecord, bridgeIdOf, recordingNameOf } from './bridge-and-record';
import { CallNotifier } from './call-notifier';
import { CallRecord, outboxCallStore, recordingRecordKey } from './call-record';
import { callEnd, canMove, ringEndResult, stateStamps, type HangupBy } from './call-state';
import { callerDirectory, LanguageMenu } from './language-menu';
import type { MaxWaitRule, HealResult } from './max-wait';
import type { MediaPlayer } from './media';
import type { OutageIvr } from './outage-ivr';
import { agentLegId, answerOffer, endOffer, notReadyReason, Offers, type Offer } from './offer';
import { QueueAnnouncer } from './queue-announcer';
import { raiseAlarm } from '../../alarms/raise';
import {
  askForCallback,
  calleeLegId,
  dialOutResult,
  failedDials,
  greetingMedia as callbackGreetingMedia,
  openQueueCallbackTask,
  QUEUE_CALLBACK_APP_ARG,
  registeredMedia,
  type DialOutResult,
  type QueueCallbackRetryRule,
  type QueueCallbackSettings,
  type QueueCallbackState,
} from './queue-callback';

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
  /** How long a finished call's recording may take to report its end before its record lands without it. */
  recordingEndGraceMs: number;
}

export interface CallDeps {
  ari: AriPort;
  acd: AcdStore;
  agents: AgentService;
  dispatcher: Dispatcher;
  models: Models;
  /** Where the call's record writes wait for MongoDB. */
  outbox: RecordOutbox;
  bus: EventBus;
  media: MediaPlayer;
  answerAlarm: AnswerAlarmRule;
  afterCallWork: AfterCallWorkRule;
  /** The maximum-wait watchdog, armed when the call first enters the queue; none without it. */
  maxWait?: MaxWaitRule;
  /** For the periodic announcement's "about N minutes"; position only without it. */
  waitEstimate?: WaitEstimator;
  settings: CallSettings;
  logger: Logger;
  /** Observers of a call's life on the owning process (silence watch, metrics). */
  hooks?: CallHooks;
  /** Set when this process is shutting down: a step that fails then is not the call's failure. */
  lifecycle?: { stopping: boolean };
  /** The outage-aware greeting: a known caller from an area with an outage is told of it first. */
  outageIvr?: Pick<OutageIvr, 'forArea' | 'media' | 'areaMenu' | 'menuMedia'>;
  /** How long the caller has to press 1 after the outage prompt before being queued. */
  outageKeyWaitMs?: number;
  /** Queue callback (排队回拨, queue-callback.ts); never offered without it. */
  queueCallback?: { settings: QueueCallbackSettings; retry: QueueCallbackRetryRule };
}

/** A call in conversation, as a transfer sees it (CallSession.conversation). */
export interface Conversation {
  callId: string;
  callerChannelId: string;
  callerNumber: string;
  language: Language;
  customerAccount: string | undefined;
  queuedAt: Date;
  bridgeId: string;
  /** null once handed to a department's line. */
  agentWorkNumber: string | null;
  agentChannelId: string;
  recordingName: string | null;
}

/** What the record of a waiting call says when a survivor takes it over. */
export interface AdoptedWaitingCall {
  callId: string;
  arrivedAt: Date;
  state: CallState;
  queuedAt?: Date;
  language?: Language;
  offers: Offer[];
  /** A queue callback's virtual caller: the caller is off the line, the call keeps its place. */
  queueCallback?: QueueCallbackState;
}

export interface CallHooks {
  arrived?(call: CallSession): void;
  offerEnded?(call: CallSession, result: OfferResult, ringMs: number): void;
  answered?(call: CallSession, waitMs: number, ringMs: number): void;
  ended?(call: CallSession, outcome: CallOutcome): void;
}

/**
 * One caller's call, owned by the CTI process whose Stasis app holds the channel. Everything
 * other processes must see (queue position, agent reservations, offers) goes through Redis;
 * the durable record is the Call document, written at every state.
 *
 * This class orders the steps; the parts it drives hold the rest: the language menu, the queue
 * announcements, the offers, the record writer and the notifier.
 */
export class CallSession {
  readonly callId: string;
  state: CallState = 'arrived';
  readonly log: Logger;
  private readonly arrivedAt: Date;
  private queuedAt?: Date;
  /** The language of a call taken over from a process that died (its menu ran there). */
  private adoptedLanguage?: Language;
  private readonly offers: Offers;
  /** Agent legs whose ringing was already popped (Asterisk may report a ring twice). */
  private readonly popped = new Set<string>();
  private bridgeId?: string;
  private recordingName?: string;
  private agentWorkNumber?: string;
  private agentChannelId?: string;
  private ended = false;
  private failure?: string;
  /** Set while an outage prompt waits for a key: true when the key is one it takes. */
  private outageKey?: (digit: string) => boolean;
  /** Queue callback: set once the caller chose it; a virtual caller until the dial-out reaches them. */
  private qcb?: QueueCallbackState;
  /** Aborted when an agent is rung while the caller is still in the callback dialogue. */
  private qcbDialog?: AbortController;
  /** While set, the caller's keys go to the callback dialogue. */
  private qcbKeys?: (digit: string) => void;
  /** The dial-out to the caller in flight, after the agent answered. */
  private dialOut?: { channelId: string; agentWorkNumber: string };
  /** Waiting for the retry job (not in the queue meanwhile). */
  private retryPending = false;
  /** The caller pressed 1 after the outage prompt: they leave informed, not abandoned. */
  private informed = false;
  /** Asterisk itself is ending the caller's channel (a shutdown), so its end is not the caller's doing. */
  private cutBySystem?: string;
  /** Aborted when the caller is gone: stops every playback and wait of this call. */
  private readonly callerGone = new AbortController();
  /** The originate request in flight, if any: a hang-up must not free the agent before it lands. */
  private originating: Promise<unknown> = Promise.resolve();
  /**
   * The call's decisions (offer, ring, answer, leg end, caller gone) run one at a time: an agent leg
   * ending while the answer's compare-and-set is in flight must see the answer, not re-queue the call.
   */
  private decisions: Promise<unknown> = Promise.resolve();
  /** Called once the call is in conversation or over: what a transfer asked during 报工号 waits for. */
  private readonly settledWaiters = new Set<() => void>();
  private readonly menu: LanguageMenu;
  private readonly announcer: QueueAnnouncer;
  private readonly record: CallRecord;
  private readonly notify: CallNotifier<CallSession>;

  constructor(
    private readonly d: CallDeps,
    /** Becomes the dial-out leg once a queue callback reaches the caller. */
    public callerChannelId: string,
    readonly callerNumber: string,
    readonly dialledNumber: string,
    readonly test = false,
    /** A waiting call taken over from a process that died: what its record says so far. */
    adopted?: AdoptedWaitingCall,
  ) {
    this.callId = adopted?.callId ?? randomUUID();
    this.arrivedAt = adopted?.arrivedAt ?? new Date();
    this.log = d.logger.child({ callId: this.callId, channelId: callerChannelId, ...(adopted ? { adopted: true } : {}) });
    this.offers = new Offers(this.callId);
    if (adopted) {
      this.state = adopted.state;
      this.queuedAt = adopted.queuedAt;
      this.adoptedLanguage = adopted.language;
      this.offers.all.push(...adopted.offers);
      this.qcb = adopted.queueCallback;
    }
    this.record = new CallRecord(outboxCallStore(d.outbox), this.callId, this.log);
    this.notify = new CallNotifier(this, d.bus, d.hooks, this.log);
    this.menu = new LanguageMenu({
      channelId: callerChannelId,
      callerNumber,
      defaultLanguage: d.settings.defaultLanguage,
      callerGone: this.callerGone.signal,
      media: d.media,
      directory: callerDirectory(d.models),
      log: this.log,
    });
    this.announcer = new QueueAnnouncer({
      callId: this.callId,
      channelId: callerChannelId,
      everyMs: d.settings.announceMs,
      call: this,
      callerGone: this.callerGone.signal,
      acd: d.acd,
      waitEstimate: d.waitEstimate,
      ari: d.ari,
      media: d.media,
      onError: (err) => this.log.warn({ err: (err as Error).message }, 'queue announcement failed'),
    });
  }

  /** Unset until the greeting settles it; a known caller's is set as their greeting starts. */
  get language(): Language | undefined {
    return this.menu.language ?? this.adoptedLanguage;
  }

  get agentChannel(): string | undefined {
    return this.offers.current?.channelId;
  }

  /** The ended call as a later pop of the same number lists it among the caller's recent calls. */
  endedView(outcome: CallOutcome): RecentCallView {
    return {
      callId: this.callId,
      arrivedAt: this.arrivedAt.getTime(),
      state: 'ended',
      outcome,
      agentWorkNumber: this.agentWorkNumber ?? null,
      language: this.language ?? null,
      recordingName: this.recordingName ?? null,
    };
  }

  /**
   * A waiting caller of a process that died: this process subscribes to the caller's channel (it
   * stays in the dead app's Stasis), stops a ring whose answer would go to the dead app, and puts
   * the caller back in the queue at their original place.
   */
  resumeWaiting(): Promise<void> {
    // One decision in turn: a stopped ring's end can reach this process too (a restart runs the
    // same Stasis app); seen before the ring is marked stopped here, it queued the call a second time.
    return this.decide(async () => {
      const { ari, acd, agents, settings } = this.d;
      // A virtual caller has no channel left: what may be up is an agent leg and a dial-out.
      if (this.virtual) await this.dropDialOut();
      else await ari.subscribe(settings.app, [`channel:${this.callerChannelId}`]);
      await acd.markLive(this.callId, settings.node);
      this.record.save({ node: settings.node });
      const held = await this.ringsNotRecorded();
      for (const offer of this.offers.all) {
        if (offer.result !== 'ringing') continue;
        await ari.hangup(offer.channelId);
        const won = await acd.endOffer(this.callId, offer.attempt, 'failed');
        // Settled before: by the alarm job, or answered by the owner just before it died (not in the
        // record yet; the agent held Talking for a call never connected, and the leg now hung up).
        const settled = won ? 'failed' : ((await acd.offerState(this.callId, offer.attempt)) ?? 'failed');
        const answeredUnseen = settled === 'answered';
        const at = new Date();
        const ringMs = endOffer(offer, answeredUnseen ? 'failed' : settled, at, won);
        if (!offer.agentWorkNumber || !(won || answeredUnseen)) continue;
        await agents.forCall(offer.agentWorkNumber, this.callId, 'ready', ['talking', 'ringing', 'reserved']);
        await this.notify.offerEnded({ attempt: offer.attempt, agentWorkNumber: offer.agentWorkNumber, result: 'failed', ringMs, at });
      }
      // Reserved by the dead owner but not yet rung: nothing else would free them.
      for (const a of held) await agents.forCall(a, this.callId, 'ready', ['reserved', 'ringing']);
      this.log.warn({ state: this.state, queuedAt: this.queuedAt }, 'waiting call taken over from a process that died');
      await this.enqueue(this.language ?? settings.defaultLanguage);
    });
  }

  /**
   * The dead owner may have reserved or rung an agent after its last record write landed. Those
   * rings are found in the shared state (the offer marks and the agents held for this call) and
   * added to the offers as ringing, so they are stopped like the recorded ones and a new offer does
   * not reuse their attempt number (the leg id and the alarm job id derive from it). Returns the
   * agents still held for this call, to free.
   */
  private async ringsNotRecorded(): Promise<string[]> {
    const { acd } = this.d;
    const held = (await acd.agents()).filter((a) => a.callId === this.callId && (a.state === 'reserved' || a.state === 'ringing'));
    const known = new Set(this.offers.all.filter((o) => o.result === 'ringing').map((o) => o.agentWorkNumber));
    for (let attempt = this.offers.all.length + 1; (await acd.offerState(this.callId, attempt)) !== null; attempt++) {
      const who = held.find((a) => !known.has(a.workNumber));
      if (who) known.add(who.workNumber);
      this.offers.all.push({
        attempt,
        agentWorkNumber: who?.workNumber ?? '',
        extension: who?.extension ?? '',
        channelId: agentLegId(this.callId, attempt),
        offeredAt: new Date(),
        result: 'ringing',
        alarmed: false,
      });
      this.log.warn({ attempt, agent: who?.workNumber }, 'ring not in the record found: it is stopped');
    }
    return held.filter((a) => !known.has(a.workNumber)).map((a) => a.workNumber);
  }

  /** Answer, greet, queue: the caller-driven part of the call. */
  async run(): Promise<void> {
    const { ari } = this.d;
    // The record is written in the background, in order (see CallRecord): the caller never waits on MongoDB.
    this.record.create({
      callId: this.callId,
      node: this.d.settings.node,
      callerChannelId: this.callerChannelId,
      callerNumber: this.callerNumber,
      dialledNumber: this.dialledNumber,
      state: 'arrived',
      arrivedAt: this.arrivedAt,
      test: this.test,
    });
    await this.d.acd.markLive(this.callId, this.d.settings.node);
    await this.notify.arrived(this.arrivedAt);
    try {
      const [, known] = await Promise.all([ari.answer(this.callerChannelId), this.menu.lookup()]);
      if (this.ended) return;
      await this.move('greeting');
      const { language } = await this.menu.choose(known);
      if (this.ended) return;
      if (this.test) {
        // The self-check call proves the chain up to the greeting, then leaves: no agent, no queue.
        await this.finish('system');
        await ari.hangup(this.callerChannelId);
        return;
      }
      if (await this.toldOfOutage(language)) return;
      await this.enqueue(language);
    } catch (err) {
      if (this.ended || this.callerGone.signal.aborted) return;
      if (this.d.lifecycle?.stopping) {
        // Shutting down (ARI already closed): the caller is still on the line in Asterisk; the
        // record stays open so the process that takes the calls over serves them.
        this.log.warn({ err: (err as Error).message, state: this.state }, 'process stopping: call left to the process that takes it over');
        return;
      }
      this.failure = (err as Error).message;
      this.log.error({ err: this.failure }, 'call failed before reaching the queue');
      await this.finish('system');
      await ari.hangup(this.callerChannelId).catch(() => undefined);
    }
  }

  /**
   * The outage-aware greeting (issue 15): a known caller whose area has an outage published or
   * under way hears it, in their language, and may press 1 to leave informed; otherwise, or after
   * the wait, they are queued as usual. True when they left.
   */
  private async toldOfOutage(language: Language): Promise<boolean> {
    const ivr = this.d.outageIvr;
    if (!ivr || this.ended) return false;
    const area = this.menu.customerArea ?? (await this.keyedArea(ivr, language));
    if (!area || this.ended) return false;
    const outage = await ivr.forArea(area);
    if (!outage || this.ended) return false;
    this.record.save({ outageNumber: outage.number });
    this.log.info({ outage: outage.number, area }, 'caller from an area with an outage: announced');
    const words = await ivr.media(outage, language);
    const key = await this.listen([words ?? promptMedia('outage-generic', language), promptMedia('outage-press', language)], ['1']);
    if (key !== '1' || this.ended) return false;
    this.informed = true;
    this.log.info({ outage: outage.number }, 'caller pressed 1 after the outage prompt: leaves informed');
    await this.d.media.playAll(this.callerChannelId, [promptMedia('outage-bye', language)], this.callerGone.signal);
    await this.finish('caller');
    await this.d.ari.hangup(this.callerChannelId).catch(() => undefined);
    return true;
  }

  /**
   * A caller not known by their number, while some areas have an outage: offered those areas by
   * key (「如查询停水，请按您所在片区的号码：…」); the area keyed, or none (the caller is queued).
   */
  private async keyedArea(ivr: NonNullable<CallDeps['outageIvr']>, language: Language): Promise<string | undefined> {
    const menu = await ivr.areaMenu();
    if (!menu || this.ended) return undefined;
    const words = await ivr.menuMedia(menu, language);
    if (!words || this.ended) return undefined;
    const digit = await this.listen([words], menu.choices.map((c) => c.digit));
    const area = menu.choices.find((c) => c.digit === digit)?.code;
    if (area) this.log.info({ digit, area }, 'unknown caller keyed their area');
    return area;
  }

  /**
   * Plays `media`, which one of the `keys` cuts short, then waits OUTAGE_IVR_KEY_WAIT_MS for one;
   * the key, or null (none, or the caller left).
   */
  private async listen(media: string[], keys: readonly string[]): Promise<string | null> {
    const done = new AbortController();
    const onGone = () => done.abort();
    this.callerGone.signal.addEventListener('abort', onGone, { once: true });
    let got: string | null = null;
    this.outageKey = (digit) => {
      if (got !== null || !keys.includes(digit)) return false;
      got = digit;
      done.abort();
      return true;
    };
    try {
      await this.d.media.playAll(this.callerChannelId, media, done.signal);
      if (got === null && !this.ended) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.d.outageKeyWaitMs ?? 3000);
          done.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    } finally {
      this.outageKey = undefined;
      this.callerGone.signal.removeEventListener('abort', onGone);
    }
    return got;
  }

  /** A key press from the caller; only 1 and 2 during (or just before) the bilingual greeting mean anything, and the keys an outage prompt takes. */
  dtmf(digit: string): void {
    if (this.qcbKeys) return this.qcbKeys(digit);
    if (this.outageKey?.(digit)) return;
    if (this.menu.key(digit, this.state === 'arrived' || this.state === 'greeting')) return;
    this.log.debug({ digit, state: this.state }, 'key press ignored');
  }

  private async enqueue(lang: Language): Promise<void> {
    const first = !this.queuedAt;
    this.queuedAt ??= new Date();
    const virtual = this.virtual;
    this.retryPending = false;
    await this.move(virtual ? 'callback-waiting' : 'queued');
    if (virtual) {
      // Nobody on the line: no music, and no maximum wait (the caller is not holding on).
    } else if (first) await this.d.ari.startMoh(this.callerChannelId).catch((err: Error) => this.log.warn({ err: err.message }, 'music on hold failed'));
    else await this.d.ari.startMoh(this.callerChannelId).catch(() => undefined);
    await this.d.acd.enqueue({
      callId: this.callId,
      language: lang,
      queuedAt: this.queuedAt.getTime(),
      node: this.d.settings.node,
      callerNumber: this.callerNumber,
      ...(virtual ? { callback: this.qcb!.number } : {}),
    });
    // Armed once per call (a deterministic job id): a re-queue, here or on a process that took the
    // call over, finds it armed and keeps the due time counted from the first queue entry.
    if (!virtual) {
      await this.d.maxWait
        ?.arm({ callId: this.callId, callerNumber: this.callerNumber, queuedAt: this.queuedAt.getTime() })
        .catch((err: Error) => this.log.error({ err: err.message }, 'max-wait watchdog could not be armed'));
    }
    if (first) this.scheduleCallbackOffer();
    this.d.dispatcher.add({
      callId: this.callId,
      queuedAt: this.queuedAt.getTime(),
      language: lang,
      nextAttempt: () => this.offers.all.length + 1,
      offer: (agent, attempt) => this.offer(agent, attempt),
    });
    trace('queued', this.callId);
    this.announcer.schedule();
    this.d.dispatcher.run();
  }

  /** The dispatcher reserved `agentWorkNumber` for this call: ring their phone. Never rejects. */
  offer(agent: ReservedAgent, attempt: number): Promise<void> {
    return this.decide(async () => {
      try {
        await this.ring(agent, attempt);
      } catch (err) {
        await this.offerFailed(agent.workNumber, err).catch((e: unknown) => this.log.error({ err: e }, 'recovering from a failed offer failed'));
      }
    });
  }

  /**
   * A step before or around the ring failed (Redis, MongoDB or ARI trouble): the ring is stopped,
   * the agent is free again, and the caller keeps their place in the queue.
   */
  private async offerFailed(agentWorkNumber: string, err: unknown): Promise<void> {
    this.log.error({ agent: agentWorkNumber, err: (err as Error).message }, 'offer failed: agent released, the call keeps its place');
    const offer = this.offers.current;
    if (offer && offer.agentWorkNumber === agentWorkNumber && offer.result === 'ringing') {
      await this.d.ari.hangup(offer.channelId).catch(() => undefined);
      if (await this.d.acd.endOffer(this.callId, offer.attempt, 'failed')) {
        await this.offerEnded(offer, 'failed');
        return;
      }
    }
    await this.d.agents.forCall(agentWorkNumber, this.callId, 'ready', ['reserved']);
    if (!this.ended && !this.callerGone.signal.aborted) await this.enqueue(this.language ?? this.d.settings.defaultLanguage);
  }

  /**
   * Rings the agent the reservation picked. The reservation script already marked offer `attempt`
   * ringing and gave the extension, so the originate request leaves with no round trip before it;
   * the call's state change is told while the request is in flight.
   */
  private async ring(agent: ReservedAgent, attempt: number): Promise<void> {
    const { ari, acd, settings } = this.d;
    this.announcer.cancel();
    // Served now: the callback dialogue, if the caller is in it, stops.
    this.qcbDialog?.abort();
    if (this.ended || !agent.extension) {
      await acd.endOffer(this.callId, attempt, this.ended ? 'caller-gone' : 'failed');
      await this.d.agents.forCall(agent.workNumber, this.callId, 'ready', ['reserved']);
      return;
    }
    const offer = this.offers.start(agent.workNumber, agent.extension);
    // An offer recorded between the reservation and now (a take-over) moved the numbering on.
    if (offer.attempt !== attempt) {
      await acd.endOffer(this.callId, attempt, 'failed');
      await acd.startOffer(this.callId, offer.attempt);
    }
    // The caller may have left before this decision ran; callerLeft() then released the agent.
    // From here to the request being issued there is no await, so callerLeft() sees it in flight.
    if (this.callerGone.signal.aborted) {
      if (await acd.endOffer(this.callId, offer.attempt, 'caller-gone')) await this.offerEnded(offer, 'caller-gone');
      return;
    }
    trace('originate', this.callId, offer.attempt);
    this.originating = ari.originate({
      channelId: offer.channelId,
      endpoint: `PJSIP/${agent.extension}`,
      app: settings.app,
      appArgs: `agent,${this.callId},${offer.attempt}`,
      callerId: `"${this.callerNumber}" <${this.callerNumber}>`,
      timeoutSec: settings.ringTimeoutSec,
    });
    // Its failure is handled below, after the state change: never an unhandled rejection meanwhile.
    this.originating.catch(() => undefined);
    this.log.info({ agent: agent.workNumber, attempt: offer.attempt }, 'offering to agent');
    await this.move('ringing');
    try {
      await this.originating;
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      this.log.warn({ agent: agent.workNumber, err: (err as Error).message }, 'agent phone could not be rung');
      const result = kind === 'allocation-failed' ? 'unreachable' : 'failed';
      if (await acd.endOffer(this.callId, offer.attempt, result)) await this.offerEnded(offer, result);
    }
  }

  /** The agent's phone started ringing: screen-pop now, and the 20-second clock starts. */
  agentRinging(channelId: string): Promise<void> {
    const poppedAt = this.popAtOnce(channelId);
    return this.decide(() => this.ringing(channelId, poppedAt));
  }

  /**
   * The screen-pop leaves as the ringing is heard, not after the decisions queued before it (the
   * offer's own state change and originate reply): it only informs, and a pop whose offer has
   * ended meanwhile is never shown (the consoles' store keeps the end's tombstone).
   */
  private popAtOnce(channelId: string): Date | undefined {
    const offer = this.offers.current;
    if (!offer || offer.channelId !== channelId || offer.ringingAt || offer.result !== 'ringing' || this.popped.has(channelId)) return undefined;
    this.popped.add(channelId);
    trace('heard', this.callId, offer.attempt);
    const at = new Date();
    this.notify
      .ringing({
        attempt: offer.attempt,
        agentWorkNumber: offer.agentWorkNumber,
        language: this.language ?? this.d.settings.defaultLanguage,
        customerAccount: this.menu.customerAccount,
        queuedAt: this.queuedAt!,
        ringingAt: at,
        ...(this.virtual ? { queueCallback: { number: this.qcb!.number } } : {}),
      })
      .catch((err: Error) => this.log.error({ err: err.message }, 'screen-pop not published'));
    return at;
  }

  private async ringing(channelId: string, poppedAt: Date | undefined): Promise<void> {
    const offer = this.offers.current;
    if (!offer || offer.channelId !== channelId || offer.ringingAt || offer.result !== 'ringing') return;
    // The 20-second clock counts from the ring the agent saw popping.
    const ringingAt = poppedAt ?? new Date();
    offer.ringingAt = ringingAt;
    const { agents, answerAlarm } = this.d;
    await agents.forCall(offer.agentWorkNumber, this.callId, 'ringing', ['reserved']);
    await answerAlarm.arm({
      callId: this.callId,
      attempt: offer.attempt,
      agentWorkNumber: offer.agentWorkNumber,
      agentChannelId: channelId,
      ringingAt: ringingAt.getTime(),
      callerNumber: this.callerNumber,
    });
    this.record.save({ ringingAt, offers: this.offers.all }, { hold: true });
  }

  /** The agent picked up (the agent leg entered Stasis): the decision in turn, then the connection. */
  async agentAnswered(channelId: string): Promise<void> {
    const offer = await this.decide(() => this.acceptAnswer(channelId));
    if (offer) await this.connect(offer, channelId);
  }

  /** Wins the offer for the answer (or hangs up a late leg); returns the answered offer. */
  private async acceptAnswer(channelId: string): Promise<Offer | undefined> {
    const offer = this.offers.byChannel(channelId);
    const { ari, acd, answerAlarm, agents } = this.d;
    if (!offer || this.ended || offer !== this.offers.current) {
      await ari.hangup(channelId);
      return undefined;
    }
    // The alarm job and this answer race for the offer; exactly one wins.
    if (!(await acd.endOffer(this.callId, offer.attempt, 'answered'))) {
      this.log.info({ agent: offer.agentWorkNumber }, 'answer came after the offer had ended');
      await ari.hangup(channelId);
      return undefined;
    }
    const now = new Date();
    const ringMs = answerOffer(offer, now);
    this.agentWorkNumber = offer.agentWorkNumber;
    this.agentChannelId = channelId;
    await answerAlarm.disarm(this.callId, offer.attempt);
    await this.disarmMaxWait();
    await agents.forCall(offer.agentWorkNumber, this.callId, 'talking', ['ringing', 'reserved']);
    // The caller hung up just as the agent picked up: finish() has released (or will release) both.
    if (this.ended) return undefined;
    const waitMs = now.getTime() - this.queuedAt!.getTime();
    await this.move('announcing', {
      // A queue callback is answered when the caller answers the dial-out (calleeAnswered).
      ...(this.virtual ? {} : { answeredAt: now, answerDelayMs: waitMs }),
      agentWorkNumber: offer.agentWorkNumber,
      agentChannelId: channelId,
      answerRingMs: ringMs,
      offers: this.offers.all,
    });
    await this.notify.answered({ agentWorkNumber: offer.agentWorkNumber, answeredAt: now, ringMs, waitMs });
    return offer;
  }

  /**
   * The caller hears the agent's number (报工号), then both are bridged and recorded. If Asterisk
   * cannot bridge them the call fails cleanly: both legs hung up, the agent free, the record closed.
   */
  private async connect(offer: Offer, channelId: string): Promise<void> {
    const { ari, media } = this.d;
    if (this.virtual) return this.dialBack(offer, channelId);
    try {
      await ari.stopMoh(this.callerChannelId).catch(() => undefined);
      const intro = agentIntroMedia(offer.agentWorkNumber, this.language ?? this.d.settings.defaultLanguage);
      await media.playAll(this.callerChannelId, intro, this.callerGone.signal);
      if (this.ended || this.callerGone.signal.aborted) return;
      await this.bridgeAndRecord(channelId);
      if (this.ended) return;
      await this.move('talking', { recordingName: this.recordingName });
    } catch (err) {
      if (this.ended) return;
      if (this.d.lifecycle?.stopping) {
        this.log.warn({ err: (err as Error).message }, 'process stopping: call left to the process that takes it over');
        return;
      }
      this.failure = `agent could not be connected: ${(err as Error).message}`;
      this.log.error({ agent: offer.agentWorkNumber, err: this.failure }, 'call failed while connecting the agent');
      await this.decide(async () => {
        await this.finish('system');
        await ari.hangup(this.callerChannelId).catch(() => undefined);
      });
    }
  }

  private async bridgeAndRecord(agentChannelId: string): Promise<void> {
    this.bridgeId = bridgeIdOf(this.callId);
    this.recordingName = recordingNameOf(this.callId);
    const recording = await bridgeAndRecord(
      this.d.ari,
      { callId: this.callId, callerChannelId: this.callerChannelId, agentChannelId, format: this.d.settings.recordingFormat },
      this.log,
    );
    // In the call's write chain, so it is in the outbox before the recording's end is (see
    // HotlineApp.onRecordingEnd); held, it reaches MongoDB merged with that end. A recording that
    // never started has no end to come: its record lands now.
    const hold = recording.state !== 'failed';
    this.record.append(
      () => this.d.outbox.write(recordingRecordKey(recording.name), { collection: 'recordings', filter: { name: recording.name }, set: {}, setOnInsert: { ...recording } }, { hold }),
      'recording record create failed',
    );
  }

  /**
   * The agent leg ended. While ringing that is no answer / busy / unreachable (or the alarm
   * stopping it): the call goes back to its place in the queue. While talking, the agent hung up
   * first, against the rule: flagged, and the caller is released.
   */
  agentLegEnded(channelId: string, cause?: number): Promise<void> {
    return this.decide(() => this.legEnded(channelId, cause));
  }

  private async legEnded(channelId: string, cause?: number): Promise<void> {
    const offer = this.offers.byChannel(channelId);
    if (!offer) {
      // The leg a transfer handed the call to (a consulted colleague, a department's line).
      if (channelId === this.agentChannelId && !this.ended && this.state === 'talking') await this.agentHungUpFirst(channelId);
      return;
    }
    if (this.ended) {
      // A ring that outlived its caller: free the agent it held.
      if (offer.result === 'ringing' && (await this.d.acd.endOffer(this.callId, offer.attempt, 'caller-gone'))) {
        offer.result = 'caller-gone';
        await this.d.answerAlarm.disarm(this.callId, offer.attempt);
        await this.d.agents.forCall(offer.agentWorkNumber, this.callId, 'ready', ['ringing', 'reserved']);
      }
      return;
    }
    // The agent put the phone down while their queue callback's caller was being dialled.
    if (offer.result === 'answered' && this.dialOut && channelId === this.agentChannelId) return this.dialOutEnded(this.dialOut.channelId, 'cancelled');
    if (offer.result === 'answered') {
      // A leg the call was handed away from (a completed transfer): the call goes on without it.
      if (channelId !== this.agentChannelId) return;
      if (this.state === 'announcing' || this.state === 'talking') await this.agentHungUpFirst(channelId);
      return;
    }
    if (offer.result !== 'ringing') return;
    const local = ringEndResult(cause);
    const won = await this.d.acd.endOffer(this.callId, offer.attempt, local);
    const result = won ? local : ((await this.d.acd.offerState(this.callId, offer.attempt)) ?? local);
    await this.offerEnded(offer, result as OfferResult, won);
  }

  private async agentHungUpFirst(channelId: string): Promise<void> {
    this.log.warn({ agent: this.agentWorkNumber, channelId }, 'agent hung up first');
    await this.finish('agent');
    await this.d.ari.hangup(this.callerChannelId);
  }

  /**
   * The call in conversation, as a transfer (transfer.ts) needs it; undefined unless the caller and
   * an agent are talking in the call's bridge.
   */
  conversation(): Conversation | undefined {
    if (this.ended || this.state !== 'talking' || !this.bridgeId || !this.agentChannelId) return undefined;
    return {
      callId: this.callId,
      callerChannelId: this.callerChannelId,
      callerNumber: this.callerNumber,
      language: this.language ?? this.d.settings.defaultLanguage,
      customerAccount: this.menu.customerAccount,
      queuedAt: this.queuedAt ?? this.arrivedAt,
      bridgeId: this.bridgeId,
      agentWorkNumber: this.agentWorkNumber ?? null,
      agentChannelId: this.agentChannelId,
      recordingName: this.recordingName ?? null,
    };
  }

  /**
   * As conversation(), but a call still connecting (the caller hearing the agent's number, the
   * bridge being built) is waited for up to `maxMs`: the agent's console already shows the call
   * as answered then, and a transfer clicked at once should not be refused for a second's gap.
   */
  async conversationSoon(maxMs: number): Promise<Conversation | undefined> {
    if (this.state === 'announcing' && !this.ended) {
      let done!: () => void;
      const reached = new Promise<void>((resolve) => (done = resolve));
      this.settledWaiters.add(done);
      const timer = setTimeout(done, maxMs);
      await reached;
      clearTimeout(timer);
      this.settledWaiters.delete(done);
    }
    return this.conversation();
  }

  private wakeSettledWaiters(): void {
    for (const wake of this.settledWaiters) wake();
  }

  /**
   * A completed transfer: the call now belongs to `to` (its leg, and the agent the call's end puts
   * in after-call work; null for a department's line). The new recording part, if any, is stored in
   * the call's write chain; `record` lands with it. False when the call ended meanwhile.
   */
  handOver(to: { workNumber: string | null; channelId: string }, record: Record<string, unknown>, recording?: Record<string, unknown> & { name: string }): Promise<boolean> {
    return this.decide(async () => {
      if (this.ended) return false;
      this.agentWorkNumber = to.workNumber ?? undefined;
      this.agentChannelId = to.channelId;
      if (recording) {
        this.recordingName = recording.name;
        // As the first part's (bridgeAndRecord): held until its end, unless it never started.
        const hold = recording['state'] !== 'failed';
        this.record.append(
          () => this.d.outbox.write(recordingRecordKey(recording.name), { collection: 'recordings', filter: { name: recording.name }, set: {}, setOnInsert: { ...recording } }, { hold }),
          'recording record create failed',
        );
      }
      this.record.save({ agentChannelId: to.channelId, ...(to.workNumber ? { agentWorkNumber: to.workNumber } : {}), ...(recording ? { recordingName: recording.name } : {}), ...record });
      return true;
    });
  }

  private async offerEnded(offer: Offer, result: OfferResult, decidedHere = true): Promise<void> {
    if (offer.result !== 'ringing') return;
    const now = new Date();
    const ringMs = endOffer(offer, result, now, decidedHere);
    const { agents, answerAlarm } = this.d;
    if (decidedHere) {
      await answerAlarm.disarm(this.callId, offer.attempt);
      await this.d.acd.endOffer(this.callId, offer.attempt, result as Exclude<OfferResult, 'ringing' | 'answered'>);
      const reason = notReadyReason(result);
      if (reason) await agents.forCall(offer.agentWorkNumber, this.callId, 'not_ready', ['ringing', 'reserved'], reason);
      else await agents.forCall(offer.agentWorkNumber, this.callId, 'ready', ['ringing', 'reserved']);
    }
    await this.notify.offerEnded({ attempt: offer.attempt, agentWorkNumber: offer.agentWorkNumber, result, ringMs, at: now });
    this.record.save({ offers: this.offers.all }, { hold: true });
    if (this.ended || this.callerGone.signal.aborted) return;
    if (result === 'caller-gone') return;
    this.offers.current = undefined;
    await this.enqueue(this.language ?? this.d.settings.defaultLanguage);
  }

  /**
   * Asterisk is hanging the caller up itself (a shutdown's soft hangup): the StasisEnd that follows
   * is the system's doing. An answered call stays answered; any other failed, not abandoned.
   */
  cutOff(reason: string): void {
    if (!this.ended) this.cutBySystem ??= reason;
  }

  /** The caller's channel left Stasis: they hung up (or the channel vanished). */
  callerLeft(): Promise<void> {
    // The caller hung up (or was hung up) after choosing the queue callback: the call waits on without them.
    if (this.virtual) return Promise.resolve();
    // Every wait of the call stops at once (a playback, a menu); the decision takes its turn.
    if (!this.ended) this.callerGone.abort();
    return this.decide(() => this.callerGoneNow());
  }

  private async callerGoneNow(): Promise<void> {
    if (this.ended) return;
    this.callerGone.abort();
    this.announcer.cancel();
    const { acd, dispatcher } = this.d;
    if (this.state === 'queued') {
      dispatcher.remove(this.callId);
      await acd.dequeue(this.callId);
      await this.d.agents.kickDispatch();
    }
    const offer = this.offers.current;
    if (this.state === 'ringing' && offer && offer.result === 'ringing') {
      if (await acd.endOffer(this.callId, offer.attempt, 'caller-gone')) {
        // Stop the ring before the agent is free again, or the next offer could ring a ringing phone.
        await this.originating.catch(() => undefined);
        await this.stopRing(offer.channelId);
        await this.offerEnded(offer, 'caller-gone', true);
      } else {
        await this.stopRing(offer.channelId);
      }
    }
    if (this.cutBySystem && this.state !== 'announcing' && this.state !== 'talking') this.failure ??= this.cutBySystem;
    await this.finish(this.cutBySystem ? 'system' : 'caller');
  }

  /**
   * A ring whose caller left. Asterisk not answering (restarting, a timeout) must not keep the call
   * open: the call still ends; the leg, if it lives on, ends at its originate timeout.
   */
  private async stopRing(channelId: string): Promise<void> {
    await this.d.ari.hangup(channelId).catch((err: Error) => this.log.warn({ channelId, err: err.message }, 'could not stop the ring of a caller who left'));
  }

  private decide<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.decisions.then(fn);
    this.decisions = run.catch(() => undefined);
    return run;
  }

  private async finish(by: HangupBy): Promise<void> {
    if (this.ended) return;
    const endState = this.state;
    this.ended = true;
    this.wakeSettledWaiters();
    this.callerGone.abort();
    this.announcer.cancel();
    this.d.dispatcher.remove(this.callId);
    const now = new Date();
    const { outcome, abandonWaitMs, agentHungUpFirst } = callEnd(endState, !!this.failure, by, {
      informed: this.informed,
      arrivedAt: this.arrivedAt,
      queuedAt: this.queuedAt,
      endedAt: now,
    });
    this.state = 'ended';
    this.record.save({
      state: 'ended',
      endedAt: now,
      outcome,
      hangupBy: by,
      // The rule binds the hotline's agents: a department's line (转部门) that ends first breaks none.
      agentHungUpFirst: agentHungUpFirst && this.agentWorkNumber !== undefined,
      ...(abandonWaitMs !== undefined ? { abandonWaitMs } : {}),
      ...(this.failure ? { failureReason: this.failure } : {}),
      language: this.language,
      languageSource: this.menu.source,
      customerAccount: this.menu.customerAccount,
      offers: this.offers.all,
    });
    await this.disarmMaxWait();
    // The agent's leg is gone before wrap-up starts, so the next offer never rings a phone still in this call.
    if (this.agentChannelId && by !== 'agent') await this.d.ari.hangup(this.agentChannelId).catch(() => undefined);
    if (outcome === 'answered' && this.agentWorkNumber) {
      await this.d.agents.forCall(this.agentWorkNumber, this.callId, 'acw', ['talking']);
      await this.d.afterCallWork.start({ agentWorkNumber: this.agentWorkNumber, callId: this.callId });
    } else if (this.agentWorkNumber) {
      // Picked up at the instant the caller left: the agent never talked, so no wrap-up.
      await this.d.agents.forCall(this.agentWorkNumber, this.callId, 'ready', ['talking', 'ringing', 'reserved']);
    }
    // No longer live only once its agent has moved on: a sweep in between took the agent, talking
    // on a call no process owned any more and with no leg left, for an orphan and made them Ready,
    // skipping the wrap-up.
    await this.d.acd.markDone(this.callId);
    if (this.bridgeId) {
      // Destroying the bridge also ends its recording, which is then kept, not discarded.
      const bridgeId = this.bridgeId;
      setTimeout(() => void this.d.ari.destroyBridge(bridgeId).catch(() => undefined), 200).unref();
    }
    if (this.recordingName) {
      // The recording's end lands its held creation; a PBX that went away (a restart, the link
      // lost) never sends that end, so after a grace the creation lands alone (nothing if it did).
      const key = recordingRecordKey(this.recordingName);
      setTimeout(() => void this.d.outbox.drained(key, 3000).catch(() => undefined), this.d.settings.recordingEndGraceMs).unref();
    }
    // The agent is free before the record is flushed; consumers of call.ended read a complete record.
    await this.record.flushed();
    await this.notify.ended({
      outcome,
      hangupBy: by,
      agentWorkNumber: this.agentWorkNumber,
      recordingName: this.recordingName,
      abandonWaitMs,
      at: now,
    });
  }

  /** The caller waits no more. A watchdog left armed finds the call answered or ended and stops. */
  private async disarmMaxWait(): Promise<void> {
    await this.d.maxWait?.disarm(this.callId).catch((err: Error) => this.log.warn({ err: err.message }, 'max-wait watchdog could not be disarmed'));
  }

  /**
   * The max-wait watchdog found this call waiting past the limit and asked this process, its owner,
   * to look. As one decision in turn, so it sees the call between steps (never mid-offer), and asks
   * Asterisk for its channels only then (a ring started meanwhile is not taken for lost). A caller whose channel is gone is closed as abandoned; a ring whose
   * end was never seen ends now and the caller is queued again; a queued call missing from the
   * shared queue, with no agent held for it, is put back at its place. A call simply waiting for a
   * free agent is left alone.
   */
  heal(channels: () => Promise<ReadonlySet<string>>): Promise<HealResult> {
    return this.decide(async (): Promise<HealResult> => {
      if (this.ended) return 'none';
      const up = await channels();
      if (!this.virtual && !up.has(this.callerChannelId)) {
        this.log.warn({ state: this.state }, 'max-wait watchdog: the caller is gone but the call was still open: closed');
        await this.callerGoneNow();
        return 'closed';
      }
      const offer = this.offers.current;
      if (this.state === 'ringing' && offer?.result === 'ringing') {
        if (up.has(offer.channelId)) return 'none';
        this.log.warn({ agent: offer.agentWorkNumber, attempt: offer.attempt }, 'max-wait watchdog: a ring whose end was never seen: ended, the caller queued again');
        await this.legEnded(offer.channelId);
        return 'requeued';
      }
      if (this.state !== 'queued' && this.state !== 'ringing' && this.state !== 'callback-waiting') return 'none';
      const { acd } = this.d;
      if (await acd.isQueued(this.callId)) return 'none';
      // The dispatcher reserved an agent for it: its ring is the next decision in turn.
      if ((await acd.agents()).some((a) => a.callId === this.callId && (a.state === 'reserved' || a.state === 'ringing'))) return 'none';
      if (this.retryPending) this.log.info({ queuedAt: this.queuedAt }, 'queue callback: retry due, the virtual caller is back at its place');
      else this.log.warn({ state: this.state, queuedAt: this.queuedAt }, 'max-wait watchdog: the call was missing from the shared queue: put back at its place');
      this.offers.current = undefined;
      await this.enqueue(this.language ?? this.d.settings.defaultLanguage);
      return 'requeued';
    });
  }

  /**
   * Resolves once every record write of this call asked for so far is in the outbox, in order: a
   * write queued after this lands after them (the outbox keeps one list per call).
   */
  handedOver(): Promise<void> {
    return this.record.handedOver();
  }

  /** Back in the shared state after this process was swept: still live, and queued at the original place. */
  async rejoin(): Promise<void> {
    if (this.ended) return;
    await this.d.acd.markLive(this.callId, this.d.settings.node);
    const waiting = this.state === 'queued' || (this.state === 'callback-waiting' && !this.retryPending);
    if (!waiting || !this.queuedAt) return;
    await this.d.acd.enqueue({
      callId: this.callId,
      language: this.language ?? this.d.settings.defaultLanguage,
      queuedAt: this.queuedAt.getTime(),
      node: this.d.settings.node,
      callerNumber: this.callerNumber,
      ...(this.virtual ? { callback: this.qcb!.number } : {}),
    });
    this.d.dispatcher.run();
  }

  /**
   * Another process took this call over while this one was taken for dead: stop every wait and
   * timer here and touch nothing shared (the channels, the record and the agent are theirs now).
   */
  relinquish(): void {
    if (this.ended) return;
    this.ended = true;
    this.wakeSettledWaiters();
    this.callerGone.abort();
    this.announcer.cancel();
    this.d.dispatcher.remove(this.callId);
    this.log.warn({ state: this.state }, 'call taken over by another process: let go');
  }

  /**
   * After an events gap: the current offer's agent leg is in `state`. An answer (the leg is Up in
   * this app's Stasis) or a ring whose event was lost is handled now, as if just seen.
   */
  async legSeenAfterGap(channelId: string, state: string): Promise<void> {
    const offer = this.offers.current;
    if (this.ended || !offer || offer.channelId !== channelId || offer.result !== 'ringing') return;
    if (state === 'Up') await this.agentAnswered(channelId);
    else if (state === 'Ringing' && !offer.ringingAt) await this.agentRinging(channelId);
  }

  /** Closes a call whose channel vanished while the events socket was down (reconcile). */
  async vanished(): Promise<void> {
    this.log.warn({ state: this.state }, 'caller channel vanished during an ARI gap');
    await this.callerLeft();
  }

  // ---- queue callback (排队回拨, queue-callback.ts) ----------------------------------------------

  /** A queue callback's virtual caller: the caller hung up keeping their place and is not reached yet. */
  get virtual(): boolean {
    return !!this.qcb && !this.qcb.reachedAt;
  }

  /** The offer comes QUEUE_CALLBACK_OFFER_MS after the first queue entry, once per call. */
  private scheduleCallbackOffer(): void {
    const offerMs = this.d.queueCallback?.settings.offerMs ?? 0;
    if (offerMs <= 0 || this.qcb || this.test) return;
    const timer = setTimeout(() => {
      this.offerCallback().catch((err: Error) => this.log.warn({ err: err.message }, 'queue callback offer failed'));
    }, Math.max(0, offerMs - (Date.now() - this.queuedAt!.getTime())));
    timer.unref();
  }

  /**
   * The caller, still queued, hears the offer; pressing 1 and confirming a number registers the
   * callback: the caller is hung up and the call stays at its place as a virtual caller. Any other
   * end (no key, no usable number, an agent rung meanwhile) leaves them waiting as before.
   */
  private async offerCallback(): Promise<void> {
    const qc = this.d.queueCallback;
    if (!qc || this.ended || this.state !== 'queued' || this.qcb) return;
    const { ari, media } = this.d;
    const language = this.language ?? this.d.settings.defaultLanguage;
    const dialog = new AbortController();
    this.qcbDialog = dialog;
    const signal = AbortSignal.any([dialog.signal, this.callerGone.signal]);
    this.announcer.cancel();
    let number: string | null = null;
    try {
      await ari.stopMoh(this.callerChannelId).catch(() => undefined);
      number = await askForCallback({
        language,
        callerNumber: this.callerNumber,
        play: (m, sig) => media.playAll(this.callerChannelId, m, sig),
        keys: (onKey) => (this.qcbKeys = onKey),
        signal,
        keyWaitMs: qc.settings.keyWaitMs,
      });
    } finally {
      this.qcbDialog = undefined;
      this.qcbKeys = undefined;
    }
    const registered = number !== null && (await this.decide(() => this.registerCallback(number!)));
    if (!registered) {
      if (this.ended || this.callerGone.signal.aborted) return;
      // Back to waiting; a ring that started meanwhile has the caller hear music until the agent.
      await ari.startMoh(this.callerChannelId).catch(() => undefined);
      if (this.state === 'queued') this.announcer.schedule();
      return;
    }
    this.log.info({ number }, 'queue callback registered: the caller hangs up and keeps their place');
    await media.playAll(this.callerChannelId, registeredMedia(language), this.callerGone.signal);
    await ari.hangup(this.callerChannelId).catch(() => undefined);
    await this.decide(async () => {
      if (!this.ended) await this.enqueue(language);
    });
  }

  /**
   * The caller confirmed `number`: from here the call is a virtual caller (the caller's hang-up no
   * longer ends it). Out of this process's dispatch until the goodbye is played, so no agent is
   * rung while the caller is still on the line; the shared queue entry (its place) stays.
   */
  private async registerCallback(number: string): Promise<boolean> {
    if (this.ended || this.callerGone.signal.aborted || this.state !== 'queued') return false;
    this.qcb = { number, requestedAt: new Date(), attempts: [] };
    this.d.dispatcher.remove(this.callId);
    await this.disarmMaxWait();
    this.record.save({ queueCallback: this.qcb });
    return true;
  }

  /** The agent answered a virtual caller's offer: they hear music while the caller is dialled through the trunk. */
  private async dialBack(offer: Offer, agentChannelId: string): Promise<void> {
    const { ari, settings } = this.d;
    const qc = this.d.queueCallback!;
    const qcb = this.qcb!;
    const channelId = calleeLegId(this.callId, qcb.attempts.length + 1);
    this.dialOut = { channelId, agentWorkNumber: offer.agentWorkNumber };
    await ari.startMoh(agentChannelId).catch(() => undefined);
    this.log.info({ agent: offer.agentWorkNumber, number: qcb.number, dial: qcb.attempts.length + 1 }, 'queue callback: agent answered, dialling the caller');
    try {
      await ari.originate({
        channelId,
        endpoint: `PJSIP/${qcb.number}@${qc.settings.trunkEndpoint}`,
        app: settings.app,
        appArgs: `${QUEUE_CALLBACK_APP_ARG},${this.callId}`,
        callerId: settings.hotlineNumber,
        timeoutSec: qc.settings.ringSec,
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'queue callback: the dial-out could not be placed');
      await this.decide(() => this.dialOutEnded(channelId, (err as { kind?: string }).kind === 'allocation-failed' ? 'unreachable' : 'failed'));
    }
  }

  /**
   * The dial-out leg entered Stasis: the caller answered. True when it is this call's current
   * dial-out (HotlineApp then routes the leg as the call's caller); the greeting, the bridge with
   * the agent and the recording follow.
   */
  async calleeAnswered(channelId: string): Promise<boolean> {
    const accepted = await this.decide(async () => {
      const d = this.dialOut;
      if (this.ended || !d || d.channelId !== channelId || !this.qcb || !this.agentChannelId) return false;
      const at = new Date();
      this.dialOut = undefined;
      this.qcb.reachedAt = at;
      this.qcb.attempts.push({ at, agentWorkNumber: d.agentWorkNumber, result: 'answered' });
      this.callerChannelId = channelId;
      // The wait ends when the caller is reached: that is the call's answer in the statistics.
      this.record.save({ callerChannelId: channelId, queueCallback: this.qcb, answeredAt: at, answerDelayMs: at.getTime() - this.queuedAt!.getTime(), answeredVia: 'callback' });
      return true;
    });
    if (!accepted) {
      await this.d.ari.hangup(channelId).catch(() => undefined);
      return false;
    }
    void this.putThrough(channelId);
    return true;
  }

  /** 「这里是952525…为您回电」 to the caller (before the recording: a channel recording would hold it), then the bridge. */
  private async putThrough(channelId: string): Promise<void> {
    const { ari, media } = this.d;
    const agentLeg = this.agentChannelId!;
    try {
      await media.playAll(channelId, callbackGreetingMedia(this.language ?? this.d.settings.defaultLanguage), this.callerGone.signal);
      if (this.ended || this.callerGone.signal.aborted) return;
      await ari.stopMoh(agentLeg).catch(() => undefined);
      await this.bridgeAndRecord(agentLeg);
      if (this.ended) return;
      await this.move('talking', { recordingName: this.recordingName });
    } catch (err) {
      if (this.ended) return;
      this.failure = `queue callback could not be put through: ${(err as Error).message}`;
      this.log.error({ err: this.failure }, 'call failed while putting the queue callback through');
      await this.decide(async () => {
        await this.finish('system');
        await ari.hangup(channelId).catch(() => undefined);
      });
    }
  }

  /** A dial-out leg ended before it was answered (busy, no answer, unreachable). */
  calleeGone(channelId: string, cause?: number): Promise<void> {
    return this.decide(() => this.dialOutEnded(channelId, dialOutResult(cause)));
  }

  /**
   * The caller was not reached (or the agent gave up first): the agent is free again, and the call
   * waits: at once back at its place when the agent cancelled, else for the retry job; after the
   * last retry a person is asked to call back (a callback task, and a `queue-callback` alarm
   * pointing at it) and the call ends.
   */
  private async dialOutEnded(channelId: string, result: DialOutResult): Promise<void> {
    const d = this.dialOut;
    const qc = this.d.queueCallback;
    if (this.ended || !d || d.channelId !== channelId || !this.qcb || !qc) return;
    const { ari, agents } = this.d;
    this.dialOut = undefined;
    this.qcb.attempts.push({ at: new Date(), agentWorkNumber: d.agentWorkNumber, result });
    const agentLeg = this.agentChannelId;
    this.agentChannelId = undefined;
    this.agentWorkNumber = undefined;
    this.offers.current = undefined;
    // The state first: the agent leg's end that follows is then no "agent hung up first".
    await this.move('callback-waiting', { queueCallback: this.qcb });
    if (result === 'cancelled') await ari.hangup(channelId).catch(() => undefined);
    if (agentLeg) await ari.hangup(agentLeg).catch(() => undefined);
    await agents.forCall(d.agentWorkNumber, this.callId, 'ready', ['talking']);
    const failed = failedDials(this.qcb);
    this.log.info({ result, failed, agent: d.agentWorkNumber }, 'queue callback: the caller was not reached');
    if (result === 'cancelled') return this.enqueue(this.language ?? this.d.settings.defaultLanguage);
    if (failed <= qc.settings.retries) {
      this.retryPending = true;
      await qc.retry.arm({ callId: this.callId, dial: failed + 1 }, qc.settings.retryMs);
      return;
    }
    const { number } = this.qcb;
    // The task first: the alarm tells the supervisors where it is.
    await openQueueCallbackTask(this.d.outbox, { callId: this.callId, number, lastAgent: d.agentWorkNumber, at: new Date() });
    await raiseAlarm(this.d, {
      key: `queue-callback.${this.callId}`,
      kind: 'queue-callback',
      severity: 'warning',
      message: `排队回拨未接通：${number}（已拨打 ${failed} 次），已生成回访任务「排队回拨 ${number}」，请坐席在回访任务中拨打`,
      callId: this.callId,
      callerNumber: number,
    });
    this.failure = `queue callback: caller not reached after ${failed} dials; callback task raised`;
    await this.finish('system');
  }

  /** Taking over a virtual caller: a dial-out and an answered agent leg of the dead owner are ended. */
  private async dropDialOut(): Promise<void> {
    const { ari, agents } = this.d;
    for (const id of await ari.channelIds()) if (id.startsWith(`${this.callId}-cb`)) await ari.hangup(id).catch(() => undefined);
    for (const offer of this.offers.all) {
      if (offer.result !== 'answered') continue;
      await ari.hangup(offer.channelId).catch(() => undefined);
      await agents.forCall(offer.agentWorkNumber, this.callId, 'ready', ['talking']);
    }
  }

  private async move(to: CallState, extra: Record<string, unknown> = {}): Promise<void> {
    if (this.ended) return;
    if (!canMove(this.state, to) && this.state !== to) {
      this.log.warn({ from: this.state, to }, 'unexpected call state change ignored');
      return;
    }
    this.state = to;
    if (to === 'talking') this.wakeSettledWaiters();
    const at = new Date();
    const language = this.language;
    // Only the answer is a milestone among the moves (arrival and end are written elsewhere).
    this.record.save({ state: to, ...stateStamps(to, at, this.queuedAt), ...extra, ...(language ? { language, languageSource: this.menu.source } : {}) }, { hold: to !== 'talking' });
    await this.d.acd.markStep(this.callId, to, language);
    await this.notify.state(to, language, at);
  }
}
