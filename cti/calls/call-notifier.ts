import type { EventBus } from '../../events/event-bus';
import type { CallOutcome, CallState, Language, OfferResult } from '../../models/enums';
import type { HangupBy } from './call-state';

/** What the notifier says about the call it reports on. */
export interface NotifiedCall {
  readonly callId: string;
  readonly callerChannelId: string;
  readonly callerNumber: string;
  readonly test: boolean;
}

/** Observers of a call's life on the owning process; CallHooks with the call type left open. */
export interface CallObservers<C> {
  arrived?(call: C): void;
  offerEnded?(call: C, result: OfferResult, ringMs: number): void;
  answered?(call: C, waitMs: number, ringMs: number): void;
  ended?(call: C, outcome: CallOutcome): void;
}

/** The logger call the notifier makes (a pino Logger fits). */
export interface NotifierLog {
  info(fields: object, msg: string): void;
}

/**
 * Tells everyone else about one call's life: the call.* domain events on the bus (any process may
 * serve the console that needs them), the milestones in the log, and the owning process's hooks.
 * Each milestone is published before the hooks hear of it.
 */
export class CallNotifier<C extends NotifiedCall> {
  constructor(
    private readonly call: C,
    private readonly bus: Pick<EventBus, 'publish'>,
    private readonly hooks: CallObservers<C> | undefined,
    private readonly log: NotifierLog,
  ) {}

  async arrived(at: Date): Promise<void> {
    const { call } = this;
    this.log.info({ caller: call.callerNumber, test: call.test || undefined }, 'call arrived');
    await this.bus.publish({ type: 'call.arrived', callId: call.callId, channelId: call.callerChannelId, callerNumber: call.callerNumber, at: at.getTime(), test: call.test });
    this.hooks?.arrived?.(call);
  }

  async state(state: CallState, language: Language | undefined, at: Date): Promise<void> {
    await this.bus.publish({ type: 'call.state', callId: this.call.callId, state, ...(language ? { language } : {}), at: at.getTime() });
  }

  /** The screen-pop: the agent's phone rings. */
  async ringing(r: {
    attempt: number;
    agentWorkNumber: string;
    language: Language;
    customerAccount: string | undefined;
    queuedAt: Date;
    ringingAt: Date;
    queueCallback?: { number: string };
  }): Promise<void> {
    await this.bus.publish({
      type: 'call.ringing',
      callId: this.call.callId,
      attempt: r.attempt,
      agentWorkNumber: r.agentWorkNumber,
      callerNumber: this.call.callerNumber,
      language: r.language,
      ...(r.customerAccount ? { customerAccount: r.customerAccount } : {}),
      queuedAt: r.queuedAt.getTime(),
      ringingAt: r.ringingAt.getTime(),
      ...(r.queueCallback ? { queueCallback: r.queueCallback } : {}),
    });
  }

  async offerEnded(o: { attempt: number; agentWorkNumber: string; result: OfferResult; ringMs: number; at: Date }): Promise<void> {
    await this.bus.publish({ type: 'call.offer-ended', callId: this.call.callId, attempt: o.attempt, agentWorkNumber: o.agentWorkNumber, result: o.result, ringMs: o.ringMs, at: o.at.getTime() });
    this.log.info({ agent: o.agentWorkNumber, result: o.result, ringMs: o.ringMs }, 'offer ended');
    this.hooks?.offerEnded?.(this.call, o.result, o.ringMs);
  }

  async answered(a: { agentWorkNumber: string; answeredAt: Date; ringMs: number; waitMs: number }): Promise<void> {
    await this.bus.publish({ type: 'call.answered', callId: this.call.callId, agentWorkNumber: a.agentWorkNumber, answeredAt: a.answeredAt.getTime(), ringMs: a.ringMs, waitMs: a.waitMs });
    this.log.info({ agent: a.agentWorkNumber, ringMs: a.ringMs, waitMs: a.waitMs }, 'agent answered');
    this.hooks?.answered?.(this.call, a.waitMs, a.ringMs);
  }

  async ended(e: {
    outcome: CallOutcome;
    hangupBy: HangupBy;
    agentWorkNumber: string | undefined;
    recordingName: string | undefined;
    abandonWaitMs: number | undefined;
    at: Date;
  }): Promise<void> {
    await this.bus.publish({
      type: 'call.ended',
      callId: this.call.callId,
      outcome: e.outcome,
      ...(e.agentWorkNumber ? { agentWorkNumber: e.agentWorkNumber } : {}),
      hangupBy: e.hangupBy,
      ...(e.recordingName ? { recordingName: e.recordingName } : {}),
      at: e.at.getTime(),
      test: this.call.test,
    });
    this.log.info({ outcome: e.outcome, hangupBy: e.hangupBy, agent: e.agentWorkNumber, abandonWaitMs: e.abandonWaitMs }, 'call ended');
    this.hooks?.ended?.(this.call, e.outcome);
  }
}
