import type { CallOutcome, CallState } from '../../models/enums';

/**
 * One call's life as an explicit state machine. `ringing` may go back to `queued` (no answer,
 * busy, unreachable: the next agent is tried); every state may end. A queue callback's virtual
 * caller waits in `callback-waiting` instead of `queued`, and goes back to it when the agent does
 * not answer or, once the agent answered (`announcing` while the caller is dialled), the caller
 * does not.
 */
export const TRANSITIONS: Record<CallState, CallState[]> = {
  arrived: ['greeting', 'queued', 'ended'],
  greeting: ['queued', 'ended'],
  queued: ['ringing', 'callback-waiting', 'ended'],
  'callback-waiting': ['ringing', 'ended'],
  ringing: ['queued', 'callback-waiting', 'announcing', 'ended'],
  announcing: ['talking', 'callback-waiting', 'ended'],
  talking: ['ended'],
  ended: [],
};

export function canMove(from: CallState, to: CallState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The outcome of a call that ends in `state` (before `ended`). */
export function outcomeFor(state: CallState, failed: boolean): CallOutcome {
  if (failed) return 'failed';
  switch (state) {
    case 'arrived':
    case 'greeting':
      return 'abandoned-greeting';
    case 'queued':
      return 'abandoned-queue';
    // A queue callback whose caller was never reached: not abandoned (they asked to be called), not answered.
    case 'callback-waiting':
      return 'failed';
    case 'ringing':
      return 'abandoned-ringing';
    case 'announcing':
    case 'talking':
    case 'ended':
      return 'answered';
  }
}

export type HangupBy = 'caller' | 'agent' | 'system';

export interface CallEnd {
  outcome: CallOutcome;
  /** Only for an abandoned call: how long the caller waited before giving up. */
  abandonWaitMs?: number;
  /** The rule is that the caller hangs up first; an answered call the agent ended is flagged. */
  agentHungUpFirst: boolean;
}

/**
 * How a call that ends in `state` is counted. A caller who gave up in the queue or while an agent
 * rang waited from joining the queue (from arriving, if it never got that far); one who gave up
 * in the greeting, from arriving.
 */
export function callEnd(
  state: CallState,
  failed: boolean,
  by: HangupBy,
  t: { arrivedAt: Date; queuedAt?: Date; endedAt: Date; informed?: boolean },
): CallEnd {
  // Told of their area's outage, the caller chose to leave: informed, never counted as abandoned.
  const outcome = t.informed && !failed ? 'informed-ivr' : outcomeFor(state, failed);
  const end = t.endedAt.getTime();
  const abandonWaitMs =
    outcome === 'abandoned-queue' || outcome === 'abandoned-ringing'
      ? end - (t.queuedAt ?? t.arrivedAt).getTime()
      : outcome === 'abandoned-greeting'
        ? end - t.arrivedAt.getTime()
        : undefined;
  return {
    outcome,
    ...(abandonWaitMs !== undefined ? { abandonWaitMs } : {}),
    agentHungUpFirst: outcome === 'answered' && by === 'agent',
  };
}

/** The Call record's timestamp for entering `to`; a call back in the queue keeps its first queue time. */
export function stateStamps(to: CallState, at: Date, queuedAt?: Date): Record<string, Date> {
  switch (to) {
    case 'greeting':
      return { greetingAt: at };
    case 'queued':
      return { queuedAt: queuedAt ?? at };
    case 'announcing':
      return { announcingAt: at };
    case 'talking':
      return { talkingAt: at };
    default:
      return {};
  }
}

/** Q.850 cause of an agent leg that ended while ringing → what the offer's result was. */
export function ringEndResult(cause: number | undefined): 'busy' | 'no-answer' | 'unreachable' | 'declined' | 'failed' {
  switch (cause) {
    case 17:
      return 'busy';
    // Call rejected: the phone's decline key (SIP 603). Not offered again until the agent is Ready.
    case 21:
      return 'declined';
    case 18:
    case 19:
      return 'no-answer';
    case 1:
    case 3:
    case 20:
    case 27:
      return 'unreachable';
    default:
      return 'failed';
  }
}
