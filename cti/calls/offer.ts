import type { OfferResult } from '../../models/enums';

/** One ring of one agent's phone for a call, stored as-is in the Call record's `offers`. */
export interface Offer {
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

/** Agent legs route back to their call by this id alone (see HotlineApp.sessionForLeg), on any process. */
export function agentLegId(callId: string, attempt: number): string {
  return `${callId}-${attempt}`;
}

/** Every offer of one call, in order, and the one in progress. */
export class Offers {
  /**
   * Record patches hold this very array, not a copy: a write that waited behind a slow one
   * stores the offers as they are when it runs, never an older list.
   */
  readonly all: Offer[] = [];
  current?: Offer;

  constructor(private readonly callId: string) {}

  /** A new offer to `agentWorkNumber`, which becomes the current one. */
  start(agentWorkNumber: string, extension: string, at = new Date()): Offer {
    const attempt = this.all.length + 1;
    const offer: Offer = {
      attempt,
      agentWorkNumber,
      extension,
      channelId: agentLegId(this.callId, attempt),
      offeredAt: at,
      result: 'ringing',
      alarmed: false,
    };
    this.all.push(offer);
    this.current = offer;
    return offer;
  }

  byChannel(channelId: string): Offer | undefined {
    return this.all.find((o) => o.channelId === channelId);
  }
}

/**
 * The agent answered at `at`. An answer can come before the ringing event was seen; the ring
 * time then counts from the offer. Returns the ring time.
 */
export function answerOffer(offer: Offer, at: Date): number {
  const ringMs = at.getTime() - (offer.ringingAt ?? offer.offeredAt).getTime();
  offer.result = 'answered';
  offer.endedAt = at;
  offer.ringMs = ringMs;
  return ringMs;
}

/**
 * The offer ended unanswered at `at`; a phone that never rang has no ring time. `decidedHere` is
 * false when another party (the alarm job, another process) settled the result first.
 */
export function endOffer(offer: Offer, result: OfferResult, at: Date, decidedHere: boolean): number {
  const ringMs = offer.ringingAt ? at.getTime() - offer.ringingAt.getTime() : 0;
  offer.result = result;
  offer.endedAt = at;
  offer.ringMs = ringMs;
  // Decided elsewhere as no-answer means the 20-second alarm job stopped the ring.
  if (result === 'no-answer' && !decidedHere) offer.alarmed = true;
  return ringMs;
}

/**
 * The Not Ready reason an agent gets when their phone failed an offer; '' means back to Ready.
 * A phone that is busy or cannot be reached is not offered again until the agent says so.
 */
export function notReadyReason(result: OfferResult): string {
  switch (result) {
    case 'busy':
      return 'phone-busy';
    case 'unreachable':
      return 'phone-unreachable';
    case 'no-answer':
      return 'no-answer';
    case 'declined':
      return 'declined';
    default:
      return '';
  }
}
