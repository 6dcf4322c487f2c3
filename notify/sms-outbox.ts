import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';
import type { AlarmContact, SmsGateway } from './sms';

export interface SmsJob {
  to: AlarmContact;
  text: string;
}

/**
 * Messages to people as BullMQ jobs: one job per message and recipient, its id derived from what
 * the message is about, so a step that is retried after a crash (the alarm stored, the SMS not yet
 * sent) asks again and the message still goes out once; a provider that fails is retried with
 * back-off. Any process's worker sends it.
 */
export class SmsOutbox extends TimedRule<SmsJob> {
  constructor(
    opts: Omit<TimedRuleOptions, 'name'>,
    private readonly gateway: SmsGateway,
  ) {
    super({ ...opts, name: 'sms', attempts: 8 });
  }

  /** `about`: what the message is for (e.g. the alarm's key); one message per `about` and recipient. */
  async send(about: string, contacts: readonly AlarmContact[], text: string): Promise<void> {
    for (const to of contacts) await this.schedule(this.jobId(about, to.role, to.phone), { to, text }, 0);
  }

  start(): void {
    this.process(async (job) => {
      await this.gateway.send(job.to, job.text);
    });
  }
}
