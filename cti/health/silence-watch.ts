import { raiseAlarm } from '../../alarms/raise';
import type { RedisClient } from '../../core/connections';
import type { Logger } from '../../core/logger';
import type { Models } from '../../models';
import type { SilenceAlarmRule } from './silence-rule';
import type { EventBus } from '../../events/event-bus';
import type { AlarmContact } from '../../notify/sms';
import type { SmsOutbox } from '../../notify/sms-outbox';
import type { RecordOutbox } from '../../queue/record-outbox';
import { SELF_CHECK_ITEM_ZH } from '../../contracts';
import type { SelfCheck } from './self-check';
import type { SelfCheckLog } from './self-check-log';

export interface SilenceWatchDeps {
  rule: SilenceAlarmRule;
  check: SelfCheck;
  /** Every automatic check is listed on the admin page, passing or not. */
  checkLog: SelfCheckLog;
  models: Models;
  bus: EventBus;
  /** Where the alarm waits for MongoDB. */
  outbox: RecordOutbox;
  redis: RedisClient;
  /** Key prefix for the "a silence alarm is open" flag. */
  keyPrefix: string;
  sms: SmsOutbox;
  contacts: AlarmContact[];
  logger: Logger;
  onAlarm?: (kind: string) => void;
}

/**
 * Rule 十一: when the hotline has had no call for 30 minutes, the system checks itself and the
 * admins are alarmed (admin page, supervisor feed, SMS/webhook to the shift leader, the system
 * administrator and the department leader). The first call afterwards closes the alarm. While the
 * silence lasts, each further window re-runs the check into the same open alarm.
 */
export class SilenceWatch {
  private readonly log: Logger;
  private readonly openKey: string;

  constructor(private readonly d: SilenceWatchDeps) {
    this.log = d.logger.child({ component: 'silence-watch' });
    this.openKey = `${d.keyPrefix}:silence-open`;
  }

  get rule(): SilenceAlarmRule {
    return this.d.rule;
  }

  async start(): Promise<void> {
    this.d.rule.afterRun = () => this.d.rule.ensureArmed();
    this.d.rule.process(async (_data, job, token) => this.fire(await this.d.rule.windowDue(job, token)));
    await this.d.rule.ensureArmed();
  }

  /** A real call arrived (any process): the window starts again; an open alarm is closed. */
  async onCall(at = Date.now()): Promise<void> {
    const open = await this.d.rule.callArrived(this.openKey, at);
    if (open) {
      const res = await this.d.models.Alarm.updateMany(
        { kind: 'silence', closedAt: { $exists: false } },
        { $set: { closedAt: new Date(at), closeNote: 'calls resumed' } },
      );
      this.log.info({ closed: res.modifiedCount }, 'calls resumed: silence alarm closed');
    }
  }

  /** The silence that began at `since` lasted a whole window. */
  async fire(since: number): Promise<void> {
    const minutes = Math.round((Date.now() - since) / 60_000);
    this.log.warn({ since: new Date(since).toISOString(), minutes }, 'no call to the hotline: running the self-check');
    const startedAt = Date.now();
    const checks = await this.d.check.run();
    const failed = checks.filter((c) => !c.ok);
    // A lost history entry must not cost the alarm itself.
    await this.d.checkLog
      .record({ at: startedAt, ok: failed.length === 0, items: checks, trigger: 'silence', by: null })
      .catch((err: Error) => this.log.warn({ err: err.message }, 'self-check history not written'));
    const message = failed.length
      ? `热线 ${minutes} 分钟无来电，系统自检发现故障：${failed.map((f) => `${SELF_CHECK_ITEM_ZH[f.item]}（${f.zh}）`).join('；')}`
      : `热线 ${minutes} 分钟无来电，系统自检正常（${checks.length} 项）`;
    const open = await this.d.models.Alarm.findOne({ kind: 'silence', closedAt: { $exists: false } }).sort({ raisedAt: -1 });
    if (open) {
      // Still silent: the open alarm gets the newer results; people were told already.
      open.set('checks', checks);
      open.message = message;
      open.severity = failed.length ? 'critical' : 'warning';
      await open.save();
      await this.d.redis.set(this.openKey, '1');
      return;
    }
    const key = `silence.${since}`;
    // Flag first, so a call arriving while the alarm is being raised still closes it.
    await this.d.redis.set(this.openKey, '1');
    const raised = await raiseAlarm(this.d, { key, kind: 'silence', severity: failed.length ? 'critical' : 'warning', message, checks });
    // Asked on every attempt: a retry that finds the alarm stored (the first died before this line)
    // still has it sent, and the outbox sends it once per alarm and contact.
    await this.d.sms.send(key, this.d.contacts, `【952525热线】${message}`);
    if (!raised) return;
    this.d.onAlarm?.('silence');
    this.log.warn({ alarm: key, failed: failed.map((f) => ({ item: f.item, detail: f.detail })), notify: this.d.contacts.length }, 'silence alarm raised');
  }
}
