import { AGENT_STATES, type AgentState, type Language } from '../../models/enums';

export { AGENT_STATES, type AgentState };

export interface AgentLive {
  workNumber: string;
  name: string;
  extension: string;
  languages: Language[];
  state: AgentState;
  /** ms epoch of the last state change (time in state; longest-idle order for `ready`). */
  since: number;
  reason: string;
  callId: string;
}

/** The states an agent is in for one call: the call is named on the agent, and only the call's own steps move them on. */
export const CALL_STATES: readonly AgentState[] = ['reserved', 'ringing', 'talking'];

/** What a person may choose on the console, and from where. Never out of a call: a ring is left by declining. */
export const PERSON_FROM: Record<'ready' | 'not_ready' | 'acw' | 'offline', readonly AgentState[]> = {
  ready: ['offline', 'not_ready', 'acw'],
  // Not Ready again: another reason (a break becomes a meal).
  not_ready: ['offline', 'ready', 'acw', 'not_ready'],
  // After-call work chosen by hand, to finish paperwork, until Ready.
  acw: ['ready', 'not_ready'],
  offline: ['ready', 'not_ready', 'acw'],
};

/** A move of one agent: a person's choice, or a step of one call (which names that call). */
export type AgentMove =
  | { by: 'person'; to: keyof typeof PERSON_FROM; reason?: string }
  | { by: 'call'; call: string; to: AgentState; from: readonly AgentState[]; reason?: string }
  /** A consult: a Ready agent is taken for a call they are not on yet (held like an offer's reservation). */
  | { by: 'consult'; call: string; to: 'reserved'; reason?: string };

export type MoveVerdict = { ok: true; callId: string } | { ok: false; why: 'state' | 'other-call' };

/**
 * The rule every agent move obeys, enforced atomically by `lua/set-state.lua` (a test runs every
 * case through both): a person moves only between the states they may choose; a call's step moves
 * the agent only while the agent is still on that call (reserved, ringing, talking or its wrap-up),
 * so a late step of an old call can never move an agent who has moved on.
 */
export function judgeMove(cur: { state: AgentState; callId: string }, m: AgentMove): MoveVerdict {
  if (!fromStates(m).includes(cur.state)) return { ok: false, why: 'state' };
  if (m.by === 'call' && cur.callId !== m.call) return { ok: false, why: 'other-call' };
  return { ok: true, callId: callAfter(m) };
}

export function fromStates(m: AgentMove): readonly AgentState[] {
  return m.by === 'person' ? PERSON_FROM[m.to] : m.by === 'consult' ? ['ready'] : m.from;
}

/** The call an agent is on after a move: a call's own states and its wrap-up keep naming it; a person's choice clears it. */
export function callAfter(m: AgentMove): string {
  if (m.by === 'consult') return m.call;
  return m.by === 'call' && (CALL_STATES.includes(m.to) || m.to === 'acw') ? m.call : '';
}
