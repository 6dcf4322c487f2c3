import type { CallOutcome, CallState } from '../../models/enums';

/**
 * One call's life as an explicit state machine. `ringing` may go back to `queued` (no answer,
 * busy, unreachable: the next agent is tried); every state may end.
 */
export const TRANSITIONS: Record<CallState, CallState[]> = {
  arrived: ['greeting', 'queued', 'ended'],
  greeting: ['queued', 'ended'],
  queued: ['ringing', 'ended'],
  ringing: ['queued', 'announcing', 'ended'],
  announcing: ['talking', 'ended'],
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
    case 'ringing':
      return 'abandoned-ringing';
    case 'announcing':
    case 'talking':
    case 'ended':
      return 'answered';
  }
}

/** Q.850 cause of an agent leg that ended while ringing → what the offer's result was. */
export function ringEndResult(cause: number | undefined): 'busy' | 'no-answer' | 'unreachable' | 'failed' {
  switch (cause) {
    case 17:
      return 'busy';
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
