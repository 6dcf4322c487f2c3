import type { Logger } from '../core/logger';
import type { Models } from '../models';
import type { NoticeChannel } from '../models/enums';
import type { SmsMeta } from '../notify/sms-records';
import type { AlarmContact } from '../notify/sms';
import type { DepartmentNotifier, NoticeReason, OrderRef } from '../work-orders/ports';
import { noticeSms } from './notice-text';

export interface DepartmentNotifierDeps {
  models: Models;
  /** The SMS outbox (notify/sms-outbox.ts): one job and one SmsMessage per message key. */
  sms: { send(about: string, contacts: readonly AlarmContact[], text: string, meta?: SmsMeta): Promise<string[]> };
  /** The notice calls (cti/notice-call); absent on a process without telephony: SMS only. */
  calls?: { request(key: string): Promise<void> };
  /** NOTICE_CHANNELS. */
  channels: readonly NoticeChannel[];
  logger: Logger;
}

interface Receiver {
  name: string;
  phone: string;
  role: 'on_duty' | 'leader';
}

/**
 * Tells a department of an order (Art. 8, 10): its on-duty receivers for a dispatch or an urging
 * (催办), and for an emergency its leaders too, at once; by SMS and/or the recorded notice call.
 *
 * Exactly once across processes and restarts: a notice is `<order>.<dispatch|urge>.<seq>` (an
 * emergency is the order's dispatch, so `dispatch` and `emergency` for one order never notify the
 * on-duty receiver twice; seq is the reopen count for a dispatch and the urge count for 催办), one
 * Notice document per receiver with that key (upsert: the first writer creates it), the SMS under
 * a message key the outbox sends once, and the call claimed on the Notice's status by the one
 * process that places it. Asking twice, from two processes or after a crash, sends nothing twice.
 */
export class NoticeDispatcher implements DepartmentNotifier {
  private readonly log: Logger;

  constructor(private readonly deps: DepartmentNotifierDeps) {
    this.log = deps.logger.child({ component: 'department-notifier' });
  }

  async notify(o: OrderRef, reason: NoticeReason, by: string): Promise<{ channels: NoticeChannel[] }> {
    const { models } = this.deps;
    const channels = this.deps.channels.filter((c) => c === 'sms' || !!this.deps.calls);
    const receivers = await this.receivers(o, reason);
    if (receivers.length === 0 || channels.length === 0) {
      this.log.error({ order: o.number, department: o.department, reason, channels }, 'department has no one to notify (on-duty contacts missing)');
      return { channels: [] };
    }
    const seq = await this.seqOf(o.number, reason);
    const noticeId = `${o.number}.${reason === 'urge' ? 'urge' : 'dispatch'}.${seq}`;
    const text = noticeSms(o, reason);
    for (const r of receivers) {
      const key = `${noticeId}.${r.phone}`;
      await upsertOnce(() =>
        models.Notice.updateOne(
          { key },
          {
            $setOnInsert: {
              key,
              noticeId,
              workOrderNumber: o.number,
              reason,
              seq,
              department: o.department,
              emergency: o.emergency || reason === 'emergency',
              category: o.category,
              address: o.address,
              receiver: r,
              channels,
              by,
              createdAt: new Date(),
              ...(channels.includes('call') ? { call: { status: 'pending', attempts: 0, plays: 0 } } : {}),
            },
          },
          { upsert: true },
        ),
      );
      if (channels.includes('sms')) {
        const [smsKey] = await this.deps.sms.send(`notice.${noticeId}`, [{ role: r.role, phone: r.phone }], text, { purpose: 'notice', workOrderNumber: o.number });
        if (smsKey) await models.Notice.updateOne({ key, smsKey: { $exists: false } }, { $set: { smsKey } });
      }
      if (channels.includes('call')) await this.deps.calls?.request(key);
    }
    this.log.info({ order: o.number, reason, noticeId, receivers: receivers.map((r) => r.phone), channels }, 'department notified');
    return { channels };
  }

  /** On-duty receivers; for an emergency (Art. 10) the leaders as well. One entry per phone. */
  private async receivers(o: OrderRef, reason: NoticeReason): Promise<Receiver[]> {
    const dept = await this.deps.models.Department.findOne({ code: o.department }).lean();
    if (!dept) return [];
    const list: Receiver[] = (dept.onDutyContacts ?? []).map((c) => ({ name: c.name, phone: c.phone, role: 'on_duty' as const }));
    if (reason === 'emergency' || o.emergency) list.push(...(dept.leaderContacts ?? []).map((c) => ({ name: c.name, phone: c.phone, role: 'leader' as const })));
    const seen = new Set<string>();
    return list.filter((r) => !seen.has(r.phone) && !!seen.add(r.phone));
  }

  /** Which dispatch (1 + times reopened) or which urging (the order's urge count) this is. */
  private async seqOf(number: string, reason: NoticeReason): Promise<number> {
    const order = await this.deps.models.WorkOrder.findOne({ number }).select('urgeCount history.action').lean();
    if (reason === 'urge') return order?.urgeCount ?? 0;
    return 1 + (order?.history ?? []).filter((h) => h.action === 'reopened').length;
  }
}

/**
 * Two processes upserting the same new key at once: one inserts, the other's upsert may fail on
 * the unique index (E11000) instead of matching; run again, it matches and changes nothing.
 */
export async function upsertOnce(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    await op();
  }
}
