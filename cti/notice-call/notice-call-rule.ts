import { TimedRule, type TimedRuleOptions } from '../../queue/timed-rule';

export interface NoticeCallJob {
  /** The Notice document's key (`<order>.<reason>.<seq>.<phone>`). */
  key: string;
  /** 1 = the first call, 2 = the one retry after busy / no answer. */
  attempt: number;
}

/**
 * Placing a notice call, as a BullMQ job: attempt 1 at once, attempt 2 a minute (configurable)
 * after a busy or unanswered first one. The job id names the notice and the attempt, so asking
 * twice (two processes, a retried step) queues one; the process whose worker takes it places the
 * call into its own Stasis app. A completed job is kept for a day, so asking again after it ran
 * is a no-op too; the Notice's status is the precondition of the claim besides.
 */
export class NoticeCallRule extends TimedRule<NoticeCallJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    // A day: a notice asked for again after its call was placed (a late second process) places nothing.
    super({ ...opts, name: 'notice-call', keepCompletedMs: 24 * 3600_000 });
  }

  async arm(key: string, attempt: number, delayMs: number): Promise<void> {
    await this.schedule(this.jobId(key, attempt), { key, attempt }, delayMs);
  }
}
