import { TimedRule, type TimedRuleOptions } from './timed-rule';

/** An agent's phone has rung ANSWER_ALARM_MS (20 s) without an answer (hotline post rule 五). */
export interface AnswerAlarmJob {
  callId: string;
  attempt: number;
  agentWorkNumber: string;
  agentChannelId: string;
  ringingAt: number;
}

export class AnswerAlarmRule extends TimedRule<AnswerAlarmJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>, readonly delayMs: number) {
    super({ ...opts, name: 'answer-alarm' });
  }
  idFor(callId: string, attempt: number): string {
    return this.jobId(callId, attempt);
  }
  arm(job: AnswerAlarmJob): Promise<void> {
    return this.schedule(this.idFor(job.callId, job.attempt), job, this.delayMs - (Date.now() - job.ringingAt));
  }
  disarm(callId: string, attempt: number): Promise<boolean> {
    return this.cancel(this.idFor(callId, attempt));
  }
}
