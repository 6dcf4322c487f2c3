import { conflict } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { agentLegId } from '../calls/offer';
import type { AcdStore } from './acd-store';

/**
 * Demo only: the person at the agent console has no desk phone, so the console's 接听 button asks
 * the simulated PBX to answer that agent's ringing leg. From there the call goes exactly as if the
 * phone had been picked up (the answer comes back through ARI), so the demo shows the real path.
 */
export class DemoDeskPhone {
  constructor(private readonly d: { acd: Pick<AcdStore, 'agent'>; answerLeg: (channelId: string) => void; logger: Logger }) {}

  async answer(workNumber: string, callId: string, attempt: number): Promise<void> {
    const a = await this.d.acd.agent(workNumber);
    if (!a || a.state !== 'ringing' || a.callId !== callId) throw conflict('not ringing for this call', '该来电已不在振铃，无法接听');
    try {
      this.d.answerLeg(agentLegId(callId, attempt));
    } catch (err) {
      // The leg is gone: the ring ended (alarm, caller hung up) between the check and the click.
      this.d.logger.info({ agent: workNumber, callId, attempt, err: (err as Error).message }, 'demo answer: the ring had already ended');
      throw conflict('the ring has already ended', '该来电已不在振铃，无法接听');
    }
    this.d.logger.info({ agent: workNumber, callId, attempt }, 'demo: desk phone answered from the console');
  }
}
