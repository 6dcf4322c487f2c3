import type { Language } from '../../models/enums';
import type { QueueLogLine } from './queue-log';

/**
 * Turns queue_log lines into the calls Asterisk's own queue handled: one per caller Uniqueid,
 * complete once an ending line (COMPLETE…, ABANDON, EXIT…, a transfer) has been read. Lines of
 * calls not finished yet are handed back, to be read again with the rest of the file later.
 */

/** One ring of one member's phone, as app_queue logged it. */
export interface FallbackRing {
  /** The phone (pjsip endpoint), from the member name `Agent 1001`. */
  extension: string;
  startedAt: Date;
  endedAt: Date;
  ringMs: number;
  result: 'answered' | 'no-answer' | 'busy' | 'caller-gone';
}

export type FallbackEnd =
  | { kind: 'completed'; by: 'caller' | 'agent'; talkSec: number }
  | { kind: 'transferred'; talkSec: number }
  | { kind: 'abandoned'; waitSec: number; whileRinging: boolean }
  /** Queue() gave up (its wait limit), no phone could take calls, or the caller left with a key. */
  | { kind: 'left'; reason: 'timeout' | 'empty' | 'key'; waitSec: number }
  /** No ending line within the stale limit (Asterisk restarted mid-call, or the caller left during the greeting). */
  | { kind: 'unknown' };

export interface FallbackCall {
  /** The caller's Uniqueid: queue_log call id, ARI channel id, MixMonitor file name. */
  uniqueid: string;
  callerNumber: string;
  language?: Language;
  /** The key pressed in the language menu, '' = none. */
  languageKey?: string;
  /** The first line of the call (the language choice, or the queue entry). */
  firstAt: Date;
  queuedAt?: Date;
  rings: FallbackRing[];
  answered?: { extension: string; at: Date; holdSec: number; ringSec: number; agentChannelId: string };
  endedAt: Date;
  end: FallbackEnd;
}

export interface Assembled {
  calls: FallbackCall[];
  /** Raw lines of calls still in progress, in file order. */
  pending: string[];
}

export interface AssembleOptions {
  /** Only this queue's lines count. */
  queue: string;
  /** A call whose last line is older than this, with no ending line, is closed as `unknown`. */
  staleBefore?: Date;
}

interface Input {
  raw: string;
  line: QueueLogLine;
}

const ENDS: ReadonlySet<string> = new Set([
  'COMPLETECALLER',
  'COMPLETEAGENT',
  'ABANDON',
  'EXITWITHTIMEOUT',
  'EXITEMPTY',
  'EXITWITHKEY',
  'BLINDTRANSFER',
  'ATTENDEDTRANSFER',
]);

export function assembleCalls(input: readonly Input[], opts: AssembleOptions): Assembled {
  const byCall = new Map<string, Input[]>();
  for (const i of input) {
    if (i.line.queue !== opts.queue) continue;
    const list = byCall.get(i.line.callId);
    if (list) list.push(i);
    else byCall.set(i.line.callId, [i]);
  }
  const calls: FallbackCall[] = [];
  const open = new Set<string>();
  for (const [uniqueid, lines] of byCall) {
    const endAt = lines.findIndex((l) => ENDS.has(l.line.event));
    const last = lines[lines.length - 1]!.line.at;
    if (endAt !== -1) calls.push(build(uniqueid, lines.slice(0, endAt + 1).map((l) => l.line)));
    else if (opts.staleBefore && last < opts.staleBefore) calls.push(build(uniqueid, lines.map((l) => l.line)));
    else open.add(uniqueid);
  }
  const pending = input.filter((i) => i.line.queue === opts.queue && open.has(i.line.callId)).map((i) => i.raw);
  return { calls, pending };
}

function build(uniqueid: string, lines: QueueLogLine[]): FallbackCall {
  const call: FallbackCall = {
    uniqueid,
    callerNumber: '',
    firstAt: lines[0]!.at,
    rings: [],
    endedAt: lines[lines.length - 1]!.at,
    end: { kind: 'unknown' },
  };
  let ringing = false;
  for (const l of lines) {
    switch (l.event) {
      case 'LANGUAGE':
        call.language = l.data[0];
        call.languageKey = l.data[1];
        break;
      case 'ENTERQUEUE':
        call.queuedAt = l.at;
        call.callerNumber = l.data[1];
        break;
      case 'RINGNOANSWER': {
        const [ringMs] = l.data;
        // A phone that refuses at once (busy, 486) is logged as a ring of under a second.
        call.rings.push(ring(l, ringMs, ringMs < 1000 ? 'busy' : 'no-answer'));
        break;
      }
      case 'RINGCANCELED':
        call.rings.push(ring(l, l.data[0], 'caller-gone'));
        ringing = true;
        break;
      case 'CONNECT': {
        const [holdSec, agentChannelId, ringSec] = l.data;
        call.rings.push(ring(l, ringSec * 1000, 'answered'));
        call.answered = { extension: extensionOf(l.agent), at: l.at, holdSec, ringSec, agentChannelId };
        break;
      }
      case 'COMPLETECALLER':
      case 'COMPLETEAGENT':
        call.end = { kind: 'completed', by: l.event === 'COMPLETECALLER' ? 'caller' : 'agent', talkSec: l.data[1] };
        break;
      case 'BLINDTRANSFER':
      case 'ATTENDEDTRANSFER':
        call.end = { kind: 'transferred', talkSec: l.data.talkSec };
        break;
      case 'ABANDON':
        call.end = { kind: 'abandoned', waitSec: l.data[2], whileRinging: ringing };
        break;
      case 'EXITWITHTIMEOUT':
        call.end = { kind: 'left', reason: 'timeout', waitSec: l.data[2] };
        break;
      case 'EXITEMPTY':
        call.end = { kind: 'left', reason: 'empty', waitSec: l.data[2] };
        break;
      case 'EXITWITHKEY':
        call.end = { kind: 'left', reason: 'key', waitSec: l.data[3] };
        break;
    }
  }
  return call;
}

/** The ring ended at the line's time and lasted `ringMs` (queue_log times are whole seconds). */
function ring(l: QueueLogLine, ringMs: number, result: FallbackRing['result']): FallbackRing {
  return { extension: extensionOf(l.agent), startedAt: new Date(l.at.getTime() - ringMs), endedAt: l.at, ringMs, result };
}

/** `Agent 1001` (queues.conf member name) → `1001`; a name without digits is kept as it is. */
export function extensionOf(memberName: string): string {
  return /(\d+)\s*$/.exec(memberName)?.[1] ?? memberName;
}
