import { TimedRule, type TimedRuleOptions } from '../../queue/timed-rule';

/** After-call work ends: the agent is Ready again (unless they changed state meanwhile). */
export interface AfterCallWorkJob {
  agentWorkNumber: string;
  callId: string;
}

export class AfterCallWorkRule extends TimedRule<AfterCallWorkJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>, readonly delayMs: number) {
    super({ ...opts, name: 'after-call-work' });
  }
  start(job: AfterCallWorkJob): Promise<void> {
    return this.schedule(this.jobId(job.agentWorkNumber, job.callId), job, this.delayMs);
  }
}
