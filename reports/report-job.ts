import type { Logger } from '../core/logger';
import { monthOf } from '../core/time';
import { raiseAlarm, type AlarmDeps } from '../alarms/raise';
import type { AlarmContact } from '../notify/sms';
import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';
import { HOTLINE_ZONE } from '../work-orders/time-limits';
import type { ReportService } from './report-service';
import { monthZh } from '../contracts/report-tables';

export type MonthlyReportJob = { monthly: true };

/** `REPORT_DAY` and `REPORT_AT` (HH:MM, Asia/Shanghai) as a cron: the report of the month so far, before the 28th. */
export function monthlyAt(day: number, hhmm: string): { pattern: string; tz: string } {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return { pattern: `${m} ${h} ${day} * *`, tz: HOTLINE_ZONE };
}

/**
 * One BullMQ job scheduler (`monthly-report.monthly`) upserted alike by every process: Redis holds
 * one schedule, each tick is one job run by one process, and the build it stores is keyed by the
 * month, so a retry or a second tick of the month stores nothing new.
 */
export class MonthlyReportRule extends TimedRule<MonthlyReportJob> {
  readonly schedulerId: string;
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'monthly-report' });
    this.schedulerId = this.jobId('monthly');
  }
  async ensureScheduled(repeat: { pattern: string; tz: string } | { every: number }): Promise<void> {
    await this.queue.upsertJobScheduler(this.schedulerId, repeat, {
      name: 'monthly-report',
      data: { monthly: true },
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true, removeOnFail: { age: 30 * 24 * 3600 } },
    });
  }
}

export interface ReportJobDeps extends AlarmDeps {
  reports: ReportService;
  rule: MonthlyReportRule;
  sms: { send(about: string, contacts: readonly AlarmContact[], text: string): Promise<unknown> };
  /** REPORT_CONTACTS: who is texted that the report is ready. */
  contacts: AlarmContact[];
  day: number;
  at: string;
  logger: Logger;
  /** Tests: tick every so many ms instead of the monthly cron. */
  every?: number;
  /** Each run, after it decided (tests count ticks with it). */
  onRun?: (month: string, first: boolean) => void;
}

/**
 * The scheduled monthly report. Supervisors are told once per month: an alarm of kind `deadline`,
 * severity `info`, key `monthly-report.<month>` (their consoles show it, the alarm list keeps it),
 * and an SMS to REPORT_CONTACTS sent only by the run that raised it (or a retry of that run).
 */
export class MonthlyReportJobRunner {
  private readonly log: Logger;
  constructor(private readonly d: ReportJobDeps) {
    this.log = d.logger.child({ component: 'monthly-report-job' });
  }

  async start(): Promise<void> {
    this.d.rule.process(async (_data, job) => {
      const month = monthOf(Date.now());
      const first = await this.run(month, job.attemptsMade > 0);
      this.d.onRun?.(month, first);
    }, 1);
    await this.d.rule.ensureScheduled(this.d.every ? { every: this.d.every } : monthlyAt(this.d.day, this.d.at));
  }

  /** Builds (once) and announces the report of `month`; `retry`: an earlier attempt may have raised the alarm and died before the SMS. */
  async run(month: string, retry = false): Promise<boolean> {
    const { report } = await this.d.reports.build(month, 'schedule', `schedule:${month}`);
    const key = `monthly-report.${month}`;
    const text = `【952525】${monthZh(month)}热线月报已生成（第 ${report.build} 版，受理 ${report.complaints.total.count} 件，来电 ${report.hotline.metrics.arrived} 通），请于 28 日前审阅：/report.html?month=${month}`;
    const first = await raiseAlarm(this.d, { key, kind: 'deadline', severity: 'info', message: text });
    if (first || retry) await this.d.sms.send(key, this.d.contacts, text);
    if (first) this.log.info({ month, build: report.build }, 'monthly report ready: supervisors told');
    return first;
  }
}
