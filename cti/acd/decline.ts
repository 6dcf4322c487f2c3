import { conflict } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { AriPort } from '../ari/port';
import { agentLegId } from '../calls/offer';
import { CONSULT_ATTEMPT_BASE, consultLegId } from '../calls/transfer';
import type { AcdStore } from './acd-store';
import type { AgentService } from './agent-service';

/**
 * An agent refuses a ringing call from the console (拒接): the only way a person leaves a ring.
 * The offer ends `declined` (a race with the answer and the 20 s alarm that exactly one wins), the
 * agent goes Not Ready "declined" so the call is not offered to them again at once, and the ring is
 * stopped; the process that owns the call sees the leg end and offers the call to the next agent.
 * Any process may do this: the agent leg's channel id is derived from the call.
 */
export class RingDecline {
  constructor(private readonly d: { acd: AcdStore; agents: AgentService; ari: Pick<AriPort, 'hangup'>; logger: Logger }) {}

  async decline(workNumber: string, callId: string, attempt: number): Promise<void> {
    const { acd, agents, ari, logger } = this.d;
    const a = await acd.agent(workNumber);
    if (attempt > CONSULT_ATTEMPT_BASE) {
      // A colleague's consult, not a queue offer: its leg ends busy, the consult ends, the agent is Ready again.
      if (!a || (a.state !== 'ringing' && a.state !== 'reserved') || a.callId !== callId) throw conflict('not ringing for this call', '该咨询已不在振铃，无法拒接');
      await ari.hangup(consultLegId(callId, attempt - CONSULT_ATTEMPT_BASE), 'busy');
      logger.info({ agent: workNumber, callId }, 'agent declined a consult');
      return;
    }
    if (!a || a.state !== 'ringing' || a.callId !== callId) throw conflict('not ringing for this call', '该来电已不在振铃，无法拒接');
    if (!(await acd.endOffer(callId, attempt, 'declined'))) throw conflict('the ring has already ended', '振铃已结束，无法拒接');
    await agents.forCall(workNumber, callId, 'not_ready', ['ringing', 'reserved'], 'declined');
    await ari.hangup(agentLegId(callId, attempt));
    logger.info({ agent: workNumber, callId, attempt }, 'agent declined the call');
  }
}
