import type { Models } from '../models';
import type { SmsPurpose } from '../models/sms-message';
import type { AlarmContact } from './sms';

export interface SmsMeta {
  purpose: SmsPurpose;
  workOrderNumber?: string;
}

/** Where the SMS outbox keeps each message and its delivery status. */
export interface SmsRecords {
  /** Creates the record once (`queued`); asking again for the same key changes nothing. */
  queued(key: string, to: AlarmContact, text: string, meta: SmsMeta, gateway: string): Promise<void>;
  isSent(key: string): Promise<boolean>;
  sent(key: string, attempts: number): Promise<void>;
  attemptFailed(key: string, attempts: number, error: string, final: boolean): Promise<void>;
}

/** SmsMessage documents in MongoDB; each update has a status precondition, so a late retry never undoes `sent`. */
export class MongoSmsRecords implements SmsRecords {
  constructor(private readonly models: Pick<Models, 'SmsMessage'>) {}

  async queued(key: string, to: AlarmContact, text: string, meta: SmsMeta, gateway: string): Promise<void> {
    try {
      await this.insert(key, to, text, meta, gateway);
    } catch (err) {
      // Two processes creating the same record at once: the loser's upsert hits the unique index.
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  private async insert(key: string, to: AlarmContact, text: string, meta: SmsMeta, gateway: string): Promise<void> {
    await this.models.SmsMessage.updateOne(
      { key },
      {
        $setOnInsert: {
          key,
          to: to.phone,
          role: to.role,
          text,
          purpose: meta.purpose,
          ...(meta.workOrderNumber ? { workOrderNumber: meta.workOrderNumber } : {}),
          gateway,
          status: 'queued',
          attempts: 0,
          queuedAt: new Date(),
        },
      },
      { upsert: true },
    );
  }

  async isSent(key: string): Promise<boolean> {
    return !!(await this.models.SmsMessage.exists({ key, status: 'sent' }));
  }

  async sent(key: string, attempts: number): Promise<void> {
    await this.models.SmsMessage.updateOne({ key, status: { $ne: 'sent' } }, { $set: { status: 'sent', attempts, sentAt: new Date() }, $unset: { error: 1 } });
  }

  async attemptFailed(key: string, attempts: number, error: string, final: boolean): Promise<void> {
    await this.models.SmsMessage.updateOne(
      { key, status: { $ne: 'sent' } },
      { $set: { attempts, error: error.slice(0, 1000), ...(final ? { status: 'failed', failedAt: new Date() } : {}) } },
    );
  }
}
