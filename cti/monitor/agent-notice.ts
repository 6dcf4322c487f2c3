import type { AgentMonitorNotice, MonitorMode } from '../../contracts/monitor';
import type { MonitorSession, MonitorStore } from './monitor-store';

/** What the agent's console shows of a monitor: a barge always (a third voice), listen and whisper only with MONITOR_TELL_AGENT. */
export function agentSees(s: MonitorSession | null | undefined, tellAgent: boolean): MonitorMode | null {
  if (!s || s.phase !== 'active') return null;
  return s.mode === 'barge' || tellAgent ? s.mode : null;
}

/**
 * The monitor an agent's console is told of, read again for its snapshot: a console that
 * reconnects during a barge shows it at once, not only at the next change.
 */
export class AgentMonitorNotices {
  constructor(
    private readonly store: Pick<MonitorStore, 'get'>,
    private readonly tellAgent: boolean,
  ) {}

  async of(workNumber: string, callId: string): Promise<AgentMonitorNotice | null> {
    const s = await this.store.get(callId);
    const mode = agentSees(s, this.tellAgent);
    if (!s || !mode || s.agentWorkNumber !== workNumber) return null;
    return { callId, mode, supervisor: s.supervisor, supervisorName: s.supervisorName };
  }
}
