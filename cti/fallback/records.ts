import type { CallDoc } from '../../models/call';
import type { CallOutcome, OfferResult } from '../../models/enums';
import type { RecordingDoc } from '../../models/recording';
import type { FallbackCall } from './assemble';

/**
 * The Call and Recording documents of a call Asterisk's own queue handled, with ids made from the
 * caller's Uniqueid so that importing it again, or from two processes, names the same documents.
 */

/** The `node` of a call no CTI process owned. */
export const FALLBACK_NODE = 'asterisk';

export const fallbackCallId = (uniqueid: string): string => `fallback-${uniqueid}`;
/** MixMonitor's file is `fallback-${UNIQUEID}.wav` (extensions.conf): the Recording's name without `.wav`. */
export const fallbackRecordingName = (uniqueid: string): string => `fallback-${uniqueid}`;

export interface RecordSettings {
  hotlineNumber: string;
  /** The agent at a phone (work number by extension); unknown phones keep their extension. */
  workNumberOf: (extension: string) => string;
}

/** One ring as the Call's `offers` hold it (models/call.ts offerSchema). */
export interface Offer {
  attempt: number;
  agentWorkNumber: string;
  extension: string;
  offeredAt: Date;
  ringingAt: Date;
  endedAt: Date;
  ringMs: number;
  result: OfferResult;
  alarmed: boolean;
}
/** What the import sets on a Call: the document's own fields, none of mongoose's. */
export type FallbackCallFields = Omit<CallDoc, 'createdAt' | 'updatedAt' | 'offers' | 'changedIn'> & { offers: Offer[] };
export type FallbackRecordingFields = Omit<RecordingDoc, 'createdAt' | 'updatedAt'>;

export function callFields(call: FallbackCall, s: RecordSettings): FallbackCallFields {
  const { outcome, hangupBy, failureReason, abandonWaitMs } = outcomeOf(call);
  const offers: Offer[] = call.rings.map((r, i) => ({
    attempt: i + 1,
    agentWorkNumber: s.workNumberOf(r.extension),
    extension: r.extension,
    offeredAt: r.startedAt,
    ringingAt: r.startedAt,
    endedAt: r.endedAt,
    ringMs: r.ringMs,
    result: r.result,
    alarmed: false,
  }));
  const answered = call.answered;
  const recorded = call.queuedAt !== undefined;
  return {
    callId: fallbackCallId(call.uniqueid),
    node: FALLBACK_NODE,
    callerChannelId: call.uniqueid,
    callerNumber: call.callerNumber,
    dialledNumber: s.hotlineNumber,
    ...(call.language ? { language: call.language, languageSource: call.languageKey === '1' || call.languageKey === '2' ? 'dtmf' : 'default' } : {}),
    state: 'ended',
    arrivedAt: call.firstAt,
    ...(call.queuedAt ? { queuedAt: call.queuedAt } : {}),
    ...(offers[0] ? { ringingAt: offers[0].ringingAt } : {}),
    ...(answered
      ? {
          answeredAt: answered.at,
          talkingAt: answered.at,
          agentWorkNumber: s.workNumberOf(answered.extension),
          agentChannelId: answered.agentChannelId,
          answerDelayMs: answered.holdSec * 1000,
          answerRingMs: answered.ringSec * 1000,
        }
      : {}),
    endedAt: call.endedAt,
    offers,
    ...(hangupBy ? { hangupBy } : {}),
    agentHungUpFirst: call.end.kind === 'completed' && call.end.by === 'agent',
    outcome,
    ...(abandonWaitMs !== undefined ? { abandonWaitMs } : {}),
    ...(failureReason ? { failureReason } : {}),
    ...(recorded ? { recordingName: fallbackRecordingName(call.uniqueid) } : {}),
    test: false,
    fallback: true,
  };
}

/** MixMonitor starts just before Queue(): a call that reached the queue has a recording, one that left during the greeting has none. */
export function recordingFields(call: FallbackCall): FallbackRecordingFields | null {
  if (!call.queuedAt) return null;
  const name = fallbackRecordingName(call.uniqueid);
  return {
    name,
    callId: fallbackCallId(call.uniqueid),
    format: 'wav',
    file: `${name}.wav`,
    startedAt: call.queuedAt,
    endedAt: call.endedAt,
    durationSec: Math.max(0, Math.round((call.endedAt.getTime() - call.queuedAt.getTime()) / 1000)),
    state: 'done',
  };
}

interface Outcome {
  outcome: CallOutcome;
  hangupBy?: 'caller' | 'agent' | 'system';
  failureReason?: string;
  abandonWaitMs?: number;
}

function outcomeOf(call: FallbackCall): Outcome {
  const end = call.end;
  switch (end.kind) {
    case 'completed':
      return { outcome: 'answered', hangupBy: end.by };
    case 'transferred':
      return { outcome: 'answered', hangupBy: 'agent' };
    case 'abandoned':
      return { outcome: end.whileRinging ? 'abandoned-ringing' : 'abandoned-queue', hangupBy: 'caller', abandonWaitMs: end.waitSec * 1000 };
    case 'left':
      return {
        outcome: 'failed',
        hangupBy: end.reason === 'key' ? 'caller' : 'system',
        failureReason: {
          timeout: 'fallback queue: nobody answered within the longest wait',
          empty: 'fallback queue: no agent phone could take calls',
          key: 'fallback queue: the caller left the queue with a key',
        }[end.reason],
      };
    case 'unknown':
      if (!call.queuedAt) {
        return { outcome: 'abandoned-greeting', hangupBy: 'caller', abandonWaitMs: 0 };
      }
      return call.answered
        ? { outcome: 'answered', failureReason: 'queue_log has no end for this call (Asterisk stopped during it?)' }
        : { outcome: 'failed', failureReason: 'queue_log has no end for this call (Asterisk stopped during it?)' };
  }
}
