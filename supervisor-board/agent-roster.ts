import type { AcdStore } from '../cti/acd/acd-store';
import type { AgentLive } from '../cti/acd/agent-state';
import { agentOrder } from '../contracts/board-updates';

/** A whole read now and then, so nothing the change marks could miss stays wrong for long. */
const FULL_READ_MS = 30_000;

/**
 * The agents as this process's board last read them. Each refresh asks the ACD store only for the
 * agents changed since (every write to an agent marks it with a version), instead of reading every
 * agent's hash once a second on every process.
 */
export class AgentRoster {
  private agents = new Map<string, AgentLive>();
  private version: number | null = null;
  private fullAt = 0;

  constructor(private readonly acd: AcdStore) {}

  async read(now = Date.now()): Promise<AgentLive[]> {
    const since = now - this.fullAt >= FULL_READ_MS ? null : this.version;
    const got = await this.acd.agentChanges(since);
    if (got.full) {
      this.agents = new Map(got.agents.map((a) => [a.workNumber, a]));
      this.fullAt = now;
    } else {
      for (const a of got.agents) this.agents.set(a.workNumber, a);
    }
    this.version = got.version;
    return [...this.agents.values()].sort(agentOrder);
  }

  /** Changes may have been missed (Redis failed over): the next read reads everything. */
  forget(): void {
    this.version = null;
  }
}
