import type { Logger } from '../core/logger';
import type { Models } from '../models';
import { upsertOnce } from './department-notifier';

export interface OutageCallee {
  name: string;
  phone: string;
  role: 'on_duty' | 'leader';
}

/**
 * A large outage phoned to 生产部 and the company leader in charge (Art. 16) with the recorded
 * notice call of the work orders (cti/notice-call): one Notice per receiver, keyed
 * `<outage>.outage.<phone>` so asking again (a retried step, the other process) calls nobody
 * twice; key 1 acknowledges (OutageService.callAcknowledged).
 */
export class OutageCaller {
  constructor(
    private readonly d: { models: Pick<Models, 'Notice'>; calls: { request(key: string): Promise<void> }; logger: Logger },
  ) {}

  async call(o: { number: string; spoken: string; address: string }, callees: readonly OutageCallee[]): Promise<void> {
    const seen = new Set<string>();
    for (const r of callees) {
      if (seen.has(r.phone)) continue;
      seen.add(r.phone);
      const key = `${o.number}.outage.${r.phone}`;
      await upsertOnce(() =>
        this.d.models.Notice.updateOne(
          { key },
          {
            $setOnInsert: {
              key,
              noticeId: `${o.number}.outage`,
              workOrderNumber: o.number,
              reason: 'outage',
              seq: 1,
              department: 'production',
              emergency: false,
              address: o.address.slice(0, 200),
              spoken: o.spoken.slice(0, 500),
              receiver: r,
              channels: ['call'],
              by: 'system',
              createdAt: new Date(),
              call: { status: 'pending', attempts: 0, plays: 0 },
            },
          },
          { upsert: true },
        ),
      );
      await this.d.calls.request(key);
    }
    this.d.logger.info({ outage: o.number, callees: [...seen] }, 'large outage: production and the leader phoned');
  }
}
