import { TimedRule, type TimedRuleOptions } from '../../queue/timed-rule';

/** No call to the hotline for SILENCE_ALARM_MS (30 min): check the system itself (rule 十一). */
export interface SilenceJob {
  /** When the window started: the last real call (or start-up). */
  since: number;
}

/**
 * One instance for the whole hotline (fixed job id), pushed back by every real call from any
 * process, so exactly one alarm fires however many CTI processes run, and it survives restarts.
 */
export class SilenceAlarmRule extends TimedRule<SilenceJob> {
  readonly id: string;
  constructor(opts: Omit<TimedRuleOptions, 'name'>, readonly delayMs: number) {
    super({ ...opts, name: 'silence-alarm' });
    this.id = this.jobId('hotline');
  }
  /** A call arrived: the window starts again. */
  pushBack(now = Date.now()): Promise<void> {
    return this.reschedule(this.id, { since: now }, this.delayMs);
  }
  /** Arms the window at start-up unless one is already pending (a restart loses nothing). */
  async ensureArmed(now = Date.now()): Promise<void> {
    const job = await this.queue.getJob(this.id);
    if (!job) await this.schedule(this.id, { since: now }, this.delayMs);
  }
}
