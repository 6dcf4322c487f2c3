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

/** Which states an agent may leave for each target, enforced atomically in Redis. */
export const ALLOWED_FROM: Record<AgentState, AgentState[]> = {
  offline: ['ready', 'not_ready', 'acw'],
  ready: ['not_ready', 'acw', 'offline', 'reserved', 'ringing'],
  not_ready: ['ready', 'acw', 'offline', 'reserved', 'ringing'],
  reserved: ['ready'],
  ringing: ['reserved'],
  talking: ['reserved', 'ringing'],
  // After a call (automatic, timed) or chosen by the agent to finish paperwork (until Ready).
  acw: ['talking', 'ready', 'not_ready'],
};
