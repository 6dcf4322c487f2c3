import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';
import type { AlarmContact, SmsGateway } from './sms';
import type { SmsMeta, SmsRecords } from './sms-records';

export interface SmsJob {
  to: AlarmContact;
  text: string;
  /** The SmsMessage record of this message (its job id); absent on jobs queued before records existed. */
  key?: string;
}

/**
 * Messages to people as BullMQ jobs: one job per message and recipient, its id derived from what
 * the message is about, so a step that is retried after a crash (the alarm stored, the SMS not yet
 * sent) asks again and the message still goes out once; a provider that fails is retried with
 * back-off. Any process's worker sends it. With `records`, every message is an SmsMessage
 * document with its delivery status (queued → sent | failed, attempts, the last error), and a
 * message already sent is never sent again, even if its job is added anew after it completed.
 */
export class SmsOutbox extends TimedRule<SmsJob> {
  static readonly ATTEMPTS = 8;

  constructor(
    opts: Omit<TimedRuleOptions, 'name'>,
    private readonly gateway: SmsGateway,
    private readonly records?: SmsRecords,
  ) {
    super({ ...opts, name: 'sms', attempts: SmsOutbox.ATTEMPTS });
  }

  /** `about`: what the message is for (e.g. the alarm's key); one message per `about` and recipient. */
  async send(about: string, contacts: readonly AlarmContact[], text: string, meta: SmsMeta = { purpose: 'alarm' }): Promise<string[]> {
    const keys: string[] = [];
    for (const to of contacts) {
      const key = this.jobId(about, to.role, to.phone);
      // The record first: a crash between the two leaves a queued record, never an unrecorded message.
      await this.records?.queued(key, to, text, meta, this.gateway.name);
      await this.schedule(key, { to, text, key }, 0);
      keys.push(key);
    }
    return keys;
  }

  start(): void {
    this.process(async (job, j) => {
      const key = job.key;
      if (key && this.records && (await this.records.isSent(key))) return;
      const attempt = j.attemptsMade + 1;
      try {
        await this.gateway.send(job.to, job.text, key);
      } catch (err) {
        const final = attempt >= (j.opts.attempts ?? 1);
        if (key) await this.records?.attemptFailed(key, attempt, (err as Error).message, final);
        throw err;
      }
      if (key) await this.records?.sent(key, attempt);
    });
  }
}
