import type { NoticeCallResult } from '../../models/call';
import type { CallbackCallRequest } from './callback-calls';

export type Leg = 'agent' | 'customer';
/** What the agent's console shows: 正在呼叫您的话机, 正在呼叫客户, 通话中, 已结束. */
export type CallbackCallStage = 'agent' | 'customer' | 'talking' | 'ended';

interface LegState {
  ringing: boolean;
  up: boolean;
  gone: boolean;
}

/**
 * One callback call on the process that runs it: its two legs (the agent's phone first, then the
 * customer through the trunk) and how it ended. The transitions are pure: CallbackCalls acts on them.
 */
export class CallbackCallSession {
  ended = false;
  talkingSince: number | null = null;
  /** The call's event handling, one step after the other (CallbackCalls.inOrder). */
  steps: Promise<unknown> = Promise.resolve();
  private failure?: string;
  private hungUpBy?: 'agent' | 'caller' | 'system';
  private readonly legs: Record<Leg, LegState> = {
    agent: { ringing: false, up: false, gone: false },
    customer: { ringing: false, up: false, gone: false },
  };

  constructor(
    readonly callId: string,
    readonly req: CallbackCallRequest,
    readonly startedAt: Date,
  ) {}

  legId(leg: Leg): string {
    return `${this.callId}-${leg === 'agent' ? 'a' : 'c'}`;
  }

  get bridgeId(): string {
    return `br-${this.callId}`;
  }

  /** Also its file name (`<name>.wav`, see recordings/routes.ts). */
  get recordingName(): string {
    return this.callId;
  }

  /** True the first time the leg rings. */
  markRinging(leg: Leg): boolean {
    if (this.legs[leg].ringing || this.legs[leg].up) return false;
    this.legs[leg].ringing = true;
    return true;
  }

  /** True the first time the leg answers (StasisStart), while the call is on. */
  markUp(leg: Leg): boolean {
    if (this.ended || this.legs[leg].up) return false;
    this.legs[leg].up = true;
    return true;
  }

  isGone(leg: Leg): boolean {
    return this.legs[leg].gone;
  }

  /** Taken over in conversation from a process that stopped: both legs up since `since`. */
  adopt(since: number): void {
    for (const leg of ['agent', 'customer'] as const) this.legs[leg].up = true;
    this.talkingSince = since;
  }

  /**
   * The leg is gone, with how an unanswered leg ended (its Q.850 cause read as busy, no answer…):
   * true the first time the call ends by it.
   */
  gone(leg: Leg, unanswered: NoticeCallResult): boolean {
    this.legs[leg].gone = true;
    if (this.ended) return false;
    const other: Leg = leg === 'agent' ? 'customer' : 'agent';
    if (this.legs.agent.up && this.legs.customer.up) this.hungUpBy = leg === 'agent' ? 'agent' : 'caller';
    else if (!this.legs[leg].up) this.failure = `${leg}-${unanswered}`;
    // The agent put the phone down while the customer's rang.
    else if (leg === 'agent' && !this.legs[other].up) this.failure = 'cancelled';
    else this.failure = `${leg}-gone`;
    this.ended = true;
    return true;
  }

  /** A step failed (Asterisk refused it): the call ends with it; true the first time. */
  fail(leg: Leg, why: string): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.failure = `${leg}-${why}`;
    this.hungUpBy = 'system';
    return true;
  }

  result(): { answered: boolean; hangupBy: 'agent' | 'caller' | 'system'; failureReason?: string; talkingSince: number | null } {
    const answered = this.talkingSince !== null;
    return {
      answered,
      hangupBy: this.hungUpBy ?? (this.failure === 'cancelled' ? 'agent' : 'system'),
      talkingSince: this.talkingSince,
      ...(answered || !this.failure ? {} : { failureReason: this.failure }),
    };
  }
}
