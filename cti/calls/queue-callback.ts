import type { Job } from 'bullmq';
import type { Logger } from '../../core/logger';
import type { Models } from '../../models';
import type { Language } from '../../models/enums';
import type { RecordOutbox } from '../../queue/record-outbox';
import { TimedRule, type TimedRuleOptions } from '../../queue/timed-rule';
import type { AcdStore } from '../acd/acd-store';
import { digitsMedia, promptMedia } from '../prompts/catalogue';
import { callRecordKey } from './call-record';
import type { OwnCalls } from './max-wait';

/**
 * Queue callback (排队回拨, issue 18): a caller who has waited QUEUE_CALLBACK_OFFER_MS may press 1
 * to be called back keeping their place. They confirm their number (or key another) and hang up;
 * the call stays in the queue as a virtual caller at its first queue time. At the head, the agent's
 * phone rings first (the pop marked 回拨); on the answer the caller is dialled through the trunk,
 * greeted, and bridged with the agent. Not reached: dialled again after QUEUE_CALLBACK_RETRY_MS,
 * QUEUE_CALLBACK_RETRIES times, then a callback task (回访任务 of kind `queue_callback`) for a person,
 * which the supervisors' `queue-callback` alarm points at.
 *
 * This module holds the parts CallSession drives: the key dialogue, the numbers, the retry rule.
 */

export interface QueueCallbackSettings {
  /** 0 = never offered. */
  offerMs: number;
  retryMs: number;
  retries: number;
  /** PJSIP endpoint of the carrier trunk: `PJSIP/<number>@<trunkEndpoint>`. */
  trunkEndpoint: string;
  ringSec: number;
  keyWaitMs: number;
}

/** The Stasis args the dial-out leg is originated with: `qcallback,<callId>,<dial>`. */
export const QUEUE_CALLBACK_APP_ARG = 'qcallback';

/** The caller's leg of dial-out `dial` (1, 2, …): named from the call, so any process routes its events. */
export const calleeLegId = (callId: string, dial: number): string => `${callId}-cb${dial}`;

/** The call a dial-out leg belongs to, or null when the channel is not one. */
export function calleeLegCall(channelId: string): string | null {
  return /^([0-9a-f-]{36})-cb\d+$/.exec(channelId)?.[1] ?? null;
}

/**
 * A number the trunk can dial in mainland China: a mobile (1[3-9] + 9 digits), a fixed line with
 * its area code (0 + 9–11 digits), or a local fixed line (7–8 digits, not starting with 0 or 1).
 */
export const CALLBACK_NUMBER_RE = /^(?:1[3-9]\d{9}|0[1-9]\d{8,10}|[2-9]\d{6,7})$/;

export function plausibleCallbackNumber(n: string): boolean {
  return CALLBACK_NUMBER_RE.test(n);
}

/** How one dial-out ended. */
export type DialOutResult = 'answered' | 'no-answer' | 'busy' | 'unreachable' | 'failed' | 'cancelled';

export interface DialOutAttempt {
  at: Date;
  agentWorkNumber: string;
  result: DialOutResult;
}

/** The Call record's `queueCallback`: what the statistics and a process taking the call over read. */
export interface QueueCallbackState {
  number: string;
  requestedAt: Date;
  attempts: DialOutAttempt[];
  /** When the caller answered a dial-out: their wait ends here. */
  reachedAt?: Date;
}

/** Q.850 cause of a dial-out leg that ended before answer → the attempt's result. */
export function dialOutResult(cause: number | undefined): DialOutResult {
  switch (cause) {
    case 17:
      return 'busy';
    case 18:
    case 19:
    case 21:
      return 'no-answer';
    case 1:
    case 3:
    case 20:
    case 27:
    case 34:
    case 38:
      return 'unreachable';
    default:
      // A leg the originate timeout ends is hung up normally (16): nobody answered.
      return cause === 16 || cause === undefined ? 'no-answer' : 'failed';
  }
}

/** Dial-outs that did not reach the caller, cancelled ones (the agent hung up first) not counted. */
export const failedDials = (s: QueueCallbackState): number => s.attempts.filter((a) => a.result !== 'answered' && a.result !== 'cancelled').length;

// ---- the key dialogue -------------------------------------------------------------------------

export interface CallbackDialogIo {
  language: Language;
  callerNumber: string;
  /** Plays on the caller's channel; resolves when done or cut short by `signal`. */
  play(media: string[], signal: AbortSignal): Promise<unknown>;
  /** While set, the caller's key presses go to `onKey`. */
  keys(onKey: ((digit: string) => void) | undefined): void;
  /** Aborted when the caller leaves, or an agent is rung for the call meanwhile. */
  signal: AbortSignal;
  keyWaitMs: number;
}

/**
 * Plays `media` (the first key cuts it short), then collects keys: done at once when `now` says so,
 * at `#`, or when no further key comes within `keyWaitMs`. The keys (without `#`), or null when
 * none came or the dialogue was cut off.
 */
async function collect(io: CallbackDialogIo, media: string[], now: (keys: string) => boolean = () => false): Promise<string | null> {
  if (io.signal.aborted) return null;
  // Aborted by the first key (the prompt stops) and by the end of the collection.
  const keyed = new AbortController();
  let keys = '';
  let timer: NodeJS.Timeout | undefined;
  let settle!: () => void;
  const done = new Promise<void>((r) => (settle = r));
  const end = () => {
    clearTimeout(timer);
    keyed.abort();
    settle();
  };
  const wait = () => {
    clearTimeout(timer);
    timer = setTimeout(end, io.keyWaitMs);
    timer.unref();
  };
  io.signal.addEventListener('abort', end, { once: true });
  io.keys((digit) => {
    if (digit === '#') return end();
    if (!/^[0-9*]$/.test(digit)) return;
    keys += digit;
    keyed.abort();
    // Longer than any telephone number: the caller is lost in the keys; what they keyed is refused.
    if (keys.length > 16 || now(keys)) return end();
    wait();
  });
  try {
    await io.play(media, AbortSignal.any([io.signal, keyed.signal]));
    if (!keys) wait();
    await done;
  } finally {
    io.keys(undefined);
    io.signal.removeEventListener('abort', end);
    clearTimeout(timer);
  }
  return io.signal.aborted || !keys ? null : keys;
}

export const offerMedia = (lang: Language): string[] => [promptMedia('queue-callback-offer', lang)];

/** 「我们将回电到」 + the number digit by digit + 「确认请按1，…」; only the question for a number not dialable. */
export function confirmMedia(number: string, lang: Language): string[] {
  const readable = plausibleCallbackNumber(number);
  return [...(readable ? [promptMedia('queue-callback-number', lang), ...digitsMedia(number, lang)] : []), promptMedia('queue-callback-confirm', lang)];
}

/**
 * The offer and the number: resolves with the number to call back, or null when the caller did
 * not press 1, gave no usable number (asked twice), left, or was offered to an agent meanwhile.
 */
export async function askForCallback(io: CallbackDialogIo): Promise<string | null> {
  const yes = await collect(io, offerMedia(io.language), (k) => k === '1');
  if (yes !== '1') return null;
  let media = confirmMedia(io.callerNumber, io.language);
  for (let round = 0; round < 2; round++) {
    // A lone 1 confirms only once no digit follows: a keyed mobile number starts with 1 too.
    const keyed = await collect(io, media);
    if (keyed === null) return null;
    if (keyed === '1' && plausibleCallbackNumber(io.callerNumber)) return io.callerNumber;
    if (plausibleCallbackNumber(keyed)) return keyed;
    media = [promptMedia('queue-callback-bad-number', io.language), ...confirmMedia(io.callerNumber, io.language)];
  }
  return null;
}

export const registeredMedia = (lang: Language): string[] => [promptMedia('queue-callback-registered', lang)];
export const greetingMedia = (lang: Language): string[] => [promptMedia('queue-callback-greeting', lang)];

// ---- the task for a person -----------------------------------------------------------------------

/** The callback task of a call whose caller was not reached: one per call. */
export const queueCallbackTaskId = (callId: string): string => `queue.${callId}`;

/**
 * When the task shows 超时 on the agents' list: the caller has been waiting since they asked, so it
 * is due within the hour, not in the 3 days of an order's callback.
 */
export const QUEUE_CALLBACK_TASK_DUE_MS = 60 * 60_000;

/** How long the outbox remembers the task was made (the unique id holds beyond). */
const TASK_KEY_MEMORY_MS = 30 * 24 * 3600_000;

/**
 * The retries used up: a phone callback task for the call centre's pool (the agents' 回访任务 list,
 * worked with 拨打 there). Queued with the call's records through the outbox, so it is made once per
 * call (its id holds the call's) and stored even while MongoDB is down. False when made already.
 */
export function openQueueCallbackTask(
  outbox: Pick<RecordOutbox, 'writeOnce'>,
  t: { callId: string; number: string; lastAgent: string | undefined; at: Date },
): Promise<boolean> {
  const id = queueCallbackTaskId(t.callId);
  return outbox.writeOnce(`callback:${id}`, TASK_KEY_MEMORY_MS, `callback:${id}`, {
    collection: 'callbacks',
    filter: { id },
    set: {},
    setOnInsert: {
      id,
      reason: 'queue_callback',
      method: 'phone',
      status: 'pending',
      phone: t.number,
      callId: t.callId,
      ...(t.lastAgent ? { lastAgent: t.lastAgent } : {}),
      completedAt: t.at,
      dueBy: new Date(t.at.getTime() + QUEUE_CALLBACK_TASK_DUE_MS),
      overdue: false,
      calls: [],
    },
  });
}

// ---- the retry --------------------------------------------------------------------------------

export interface QueueCallbackRetryJob {
  callId: string;
  /** The dial-out this retry leads to (2, 3, …): part of the job id, so each is scheduled once. */
  dial: number;
}

/** `queue-callback-retry.<callId>.<dial>`: the virtual caller goes back to its place in the queue. */
export class QueueCallbackRetryRule extends TimedRule<QueueCallbackRetryJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'queue-callback-retry' });
  }
  arm(job: QueueCallbackRetryJob, delayMs: number): Promise<void> {
    return this.schedule(this.jobId(job.callId, job.dial), job, delayMs);
  }
  disarm(callId: string, dial: number): Promise<boolean> {
    return this.cancel(this.jobId(callId, dial));
  }
}

/**
 * The retry job, run by whichever process's worker takes it: only the call's owner holds its
 * session, so the owner is asked (at once when that is this process, else at its next beat through
 * the request kept in Redis, as the max-wait watchdog does); an owner that stopped beating has the
 * call taken over here, which puts the virtual caller back at its place.
 */
export class QueueCallbackRetryWatch {
  private readonly log: Logger;

  constructor(
    private readonly d: { acd: AcdStore; models: Models; outbox: RecordOutbox; calls: OwnCalls; node: string; logger: Logger },
  ) {
    this.log = d.logger.child({ rule: 'queue-callback-retry' });
  }

  async run(job: Job<QueueCallbackRetryJob, void, string>): Promise<void> {
    const { acd, models, outbox, calls, node } = this.d;
    const { callId } = job.data;
    await outbox.drained(callRecordKey(callId), 3000);
    const doc = await models.Call.findOne({ callId }).select('state node').lean();
    if (!doc || doc.state !== 'callback-waiting') return;
    const owner = (await acd.liveOwner(callId)) ?? (await acd.adoptedBy(callId)) ?? doc.node;
    if (owner === node) {
      await calls.heal(callId);
    } else if (await acd.nodeAlive(owner)) {
      await acd.requestHeal(owner, callId);
    } else if (await acd.claimAdoption(callId, node, owner)) {
      await calls.adopt(callId);
    }
    this.log.info({ callId, dial: job.data.dial, owner }, 'queue callback: retry due');
  }
}
