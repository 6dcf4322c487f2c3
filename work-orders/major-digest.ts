import { DateTime } from 'luxon';
import { raiseAlarm } from '../alarms/raise';
import type { Logger } from '../core/logger';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import { CATEGORY_LABEL, DEPARTMENT_LABEL, type DepartmentCode, type EscalationReason, type WorkOrderCategory, type WorkOrderStatus } from '../models/enums';
import type { AlarmContact } from '../notify/sms';
import type { RecordOutbox } from '../queue/record-outbox';
import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';
import { HOTLINE_ZONE } from './time-limits';

const DAY_MS = 24 * 3600_000;
/** A leader reads an SMS, not a report: each section lists this many and counts the rest. */
const LISTED_PER_SECTION = 10;
const UNFINISHED: readonly WorkOrderStatus[] = ['open', 'dispatched', 'accepted', 'in_progress'];

const STATUS_ZH: Readonly<Record<WorkOrderStatus, string>> = {
  open: '待派单',
  dispatched: '已派单',
  accepted: '已受理',
  in_progress: '处理中',
  resolved: '已办结',
  archived: '已归档',
};
const ESCALATION_ZH: Readonly<Record<EscalationReason, string>> = {
  'notice-late': '通知超时未确认',
  'accept-late': '超时未受理',
  overdue: '超时未办结',
  manual: '部门无法处理',
};

export interface DigestOrder {
  number: string;
  category: WorkOrderCategory;
  department: DepartmentCode;
  address: string;
  status: WorkOrderStatus;
  dueBy: number | null;
}

/** Major matters (DOMAIN.md "Work orders": reported to company leaders) of the 24 hours before `to`. */
export interface MajorDigestData {
  /** The Asia/Shanghai date it is sent on (YYYY-MM-DD). */
  day: string;
  from: number;
  to: number;
  /** Emergencies opened in the window (Art. 10). */
  emergencies: DigestOrder[];
  /** Escalations to admin_hr in the window (Art. 7), one line per escalation. */
  escalations: Array<{ order: DigestOrder; reason: EscalationReason; at: number }>;
  /** Orders flagged overdue and still unfinished when the digest is built. */
  overdue: DigestOrder[];
}

/** `0 8 * * *` in Asia/Shanghai for `08:00`. */
export function dailyAt(hhmm: string): { pattern: string; tz: string } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`not a time of day HH:MM: ${hhmm}`);
  return { pattern: `${Number(m[2])} ${Number(m[1])} * * *`, tz: HOTLINE_ZONE };
}

/** The Asia/Shanghai date of an instant. */
export function digestDayOf(ms: number): string {
  return DateTime.fromMillis(ms, { zone: HOTLINE_ZONE }).toISODate() ?? '';
}

/** The 24 hours ending at `hhmm` on `day`, Asia/Shanghai. */
export function digestWindow(day: string, hhmm: string): { from: number; to: number } {
  const start = DateTime.fromISO(day, { zone: HOTLINE_ZONE });
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (!start.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(day) || !m) throw new Error(`bad digest day or time: ${day} ${hhmm}`);
  const to = start.set({ hour: Number(m[1]), minute: Number(m[2]) }).toMillis();
  return { from: to - DAY_MS, to };
}

const shTime = (ms: number) => DateTime.fromMillis(ms, { zone: HOTLINE_ZONE }).toFormat('MM-dd HH:mm');

function orderLine(o: DigestOrder): string {
  return `${o.number} ${CATEGORY_LABEL[o.category] ?? o.category} ${DEPARTMENT_LABEL[o.department] ?? o.department}`;
}

function section(title: string, lines: string[]): string {
  if (lines.length === 0) return `${title}：无`;
  const shown = lines.slice(0, LISTED_PER_SECTION);
  const more = lines.length > shown.length ? `（列前 ${shown.length} 件）` : '';
  return `${title} ${lines.length} 件${more}：${shown.join('；')}`;
}

/** The digest as leaders read it (SMS and the stored record): one line per section. */
export function majorDigestText(d: MajorDigestData): string {
  return [
    `【952525热线】重大事项日报 ${d.day}（${shTime(d.from)} 至 ${shTime(d.to)}）`,
    section('一、紧急工单', d.emergencies.map((o) => `${orderLine(o)} ${o.address}（${STATUS_ZH[o.status] ?? o.status}）`)),
    section('二、升级至行政人事部', d.escalations.map((e) => `${orderLine(e.order)} ${ESCALATION_ZH[e.reason] ?? e.reason}`)),
    section('三、仍超时未办结', d.overdue.map((o) => `${orderLine(o)}${o.dueBy ? ` 应于 ${shTime(o.dueBy)} 前办结` : ''}（${STATUS_ZH[o.status] ?? o.status}）`)),
  ].join('\n');
}

interface OrderFields {
  number: string;
  category: string;
  department: string;
  address: string;
  status: string;
  dueBy?: Date | null;
  escalations?: Array<{ at: Date; reason: string }>;
}

function digestOrder(o: OrderFields): DigestOrder {
  return {
    number: o.number,
    category: o.category as WorkOrderCategory,
    department: o.department as DepartmentCode,
    address: o.address,
    status: o.status as WorkOrderStatus,
    dueBy: o.dueBy ? o.dueBy.getTime() : null,
  };
}

/** Reads the major matters of `day` (the 24 hours before `hhmm` that day) from MongoDB. */
export async function collectMajorDigest(models: Models, day: string, hhmm: string): Promise<MajorDigestData> {
  const { from, to } = digestWindow(day, hhmm);
  const window = { $gte: new Date(from), $lt: new Date(to) };
  const fields = { number: 1, category: 1, department: 1, address: 1, status: 1, dueBy: 1, escalations: 1, createdAt: 1 };
  const [emergencies, escalated, overdue] = await Promise.all([
    models.WorkOrder.find({ emergency: true, createdAt: window }).select(fields).sort({ createdAt: 1 }).lean<OrderFields[]>(),
    // A superset (each bound may match a different entry), narrowed below; FerretDB 1.x finds
    // nothing with $elemMatch over a date range.
    models.WorkOrder.find({ 'escalations.at': window }).select(fields).lean<OrderFields[]>(),
    models.WorkOrder.find({ overdue: true, status: { $in: UNFINISHED } }).select(fields).sort({ dueBy: 1 }).lean<OrderFields[]>(),
  ]);
  const escalations = escalated
    .flatMap((o) =>
      (o.escalations ?? [])
        .filter((e) => e.at.getTime() >= from && e.at.getTime() < to)
        .map((e) => ({ order: digestOrder(o), reason: e.reason as EscalationReason, at: e.at.getTime() })),
    )
    .sort((a, b) => a.at - b.at);
  return { day, from, to, emergencies: emergencies.map(digestOrder), escalations, overdue: overdue.map(digestOrder) };
}

export type MajorDigestJob = { daily: true };

/**
 * One BullMQ job scheduler (fixed id `major-digest.daily`) that every process upserts with the same
 * cron and zone: Redis holds one schedule, and each tick is one job, run by one process.
 */
export class MajorDigestRule extends TimedRule<MajorDigestJob> {
  readonly schedulerId: string;
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'major-digest' });
    this.schedulerId = this.jobId('daily');
  }
  /** `dailyAt(MAJOR_DIGEST_AT)` in production; tests may tick `{ every }` milliseconds. */
  async ensureScheduled(repeat: { pattern: string; tz: string } | { every: number }): Promise<void> {
    await this.queue.upsertJobScheduler(this.schedulerId, repeat, {
      name: 'major-digest',
      data: { daily: true },
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } },
    });
  }
}

/** What the digest is sent through: the SMS outbox (notify/sms-outbox.ts) over the configured SmsGateway. */
export interface DigestSms {
  send(about: string, contacts: readonly AlarmContact[], text: string): Promise<unknown>;
}

export interface MajorDigestDeps {
  models: Models;
  bus: EventBus;
  outbox: RecordOutbox;
  sms: DigestSms;
  /** MAJOR_DIGEST_CONTACTS, parsed with notify/sms.ts parseContacts. */
  contacts: AlarmContact[];
  rule: MajorDigestRule;
  /** MAJOR_DIGEST_AT, HH:MM Asia/Shanghai. */
  at: string;
  logger: Logger;
  /** Tests: tick every so many ms instead of the daily cron. */
  every?: number;
  /** Each run, after it decided (tests count ticks with it). */
  onRun?: (day: string, first: boolean) => void;
}

/**
 * The daily digest of major matters for company leaders. Stored as an alarm of kind `deadline`,
 * severity `info`, key `major-digest.<day>`: raiseAlarm decides "first for this day" atomically in
 * Redis and keeps the record through a MongoDB outage, supervisors and admins see in their alarm
 * feed what the leaders were told, and the alarm list keeps every day's digest. Only the run that
 * stored it (or a retry of that run) sends the SMS, so leaders get one per day however many
 * processes run and however often the job is retried.
 */
export class MajorDigest {
  private readonly log: Logger;
  constructor(private readonly d: MajorDigestDeps) {
    this.log = d.logger.child({ component: 'major-digest' });
  }

  async start(): Promise<void> {
    this.d.rule.process(async (_data, job) => {
      const day = digestDayOf(Date.now());
      const { first } = await this.send(day, job.attemptsMade > 0);
      this.d.onRun?.(day, first);
    }, 1);
    await this.d.rule.ensureScheduled(this.d.every ? { every: this.d.every } : dailyAt(this.d.at));
  }

  /** Builds, stores and sends the digest of `day`; `retry`: an earlier attempt may have stored it and died before sending. */
  async send(day: string, retry = false): Promise<{ first: boolean; text: string }> {
    const text = majorDigestText(await collectMajorDigest(this.d.models, day, this.d.at));
    const key = `major-digest.${day}`;
    const first = await raiseAlarm(this.d, { key, kind: 'deadline', severity: 'info', message: text });
    if (first || retry) await this.d.sms.send(key, this.d.contacts, text);
    if (first) this.log.info({ day, contacts: this.d.contacts.length }, 'daily digest of major matters sent');
    return { first, text };
  }
}
