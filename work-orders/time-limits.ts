import { DateTime } from 'luxon';
import { z } from 'zod';
import { ConfigError, type Config } from '../core/config';
import { WORK_ORDER_CATEGORIES, type WorkOrderCategory } from '../models/enums';

/** The hotline's clock: working days and the digest hour are Asia/Shanghai dates and times. */
export const HOTLINE_ZONE = 'Asia/Shanghai';

/** m minutes, h hours, d calendar days, wd working days (Mon–Fri less holidays, plus 调休 days). */
export const TIME_LIMIT_UNITS = ['m', 'h', 'd', 'wd'] as const;
export type TimeLimitUnit = (typeof TIME_LIMIT_UNITS)[number];
export interface TimeLimit {
  amount: number;
  unit: TimeLimitUnit;
}


/**
 * Production completion limits, counted from the order's creation. Field work on the network runs
 * round the clock, so it is in hours; office work is in working days. Override any of them with
 * WORK_ORDER_TIME_LIMITS (e.g. `leak=6h,report=15wd`).
 */
export const DEFAULT_TIME_LIMITS: Readonly<Record<WorkOrderCategory, TimeLimit>> = {
  pipe_burst: { amount: 2, unit: 'h' }, // a main is losing water and supply: crews at once
  leak: { amount: 4, unit: 'h' },
  fault: { amount: 4, unit: 'h' }, // no water, a broken valve or hydrant: the same crews as a leak
  water_quality: { amount: 4, unit: 'h' }, // health first: sampled and answered the same shift
  pressure: { amount: 8, unit: 'h' },
  after_meter_repair: { amount: 1, unit: 'wd' }, // the customer's side, by appointment
  inquiry: { amount: 1, unit: 'wd' }, // answered on the call where possible (Art. 11); else next working day
  billing: { amount: 3, unit: 'wd' },
  metering: { amount: 3, unit: 'wd' },
  quality: { amount: 3, unit: 'wd' },
  complaint: { amount: 5, unit: 'wd' }, // accepted within 1 hour (Art. 9), answered within a week
  service_conduct: { amount: 5, unit: 'wd' }, // a complaint about staff: heard from both sides
  installation: { amount: 5, unit: 'wd' }, // survey and reply; the works themselves are a project
  report: { amount: 10, unit: 'wd' }, // whistle-blowing needs an investigation
  meter_relocation: { amount: 10, unit: 'wd' },
};

/** Upper bounds per unit: a limit beyond about three months is a typo, not a rule. */
const MAX_AMOUNT: Readonly<Record<TimeLimitUnit, number>> = { m: 90 * 24 * 60, h: 90 * 24, d: 90, wd: 60 };

/** `leak=4h,billing=3wd` → the overridden limits; unknown categories, repeats and absurd amounts are refused by name. */
export const timeLimitsSpec = z.string().transform((spec, ctx): Partial<Record<WorkOrderCategory, TimeLimit>> => {
  const out: Partial<Record<WorkOrderCategory, TimeLimit>> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(\d+)(m|h|d|wd)$/.exec(part);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not category=amount+unit (units m, h, d, wd), e.g. leak=4h or billing=3wd` });
      continue;
    }
    const [, name, digits, unit] = m as unknown as [string, string, string, TimeLimitUnit];
    if (!(WORK_ORDER_CATEGORIES as readonly string[]).includes(name)) {
      ctx.addIssue({ code: 'custom', message: `unknown category "${name}" (known: ${WORK_ORDER_CATEGORIES.join(', ')})` });
      continue;
    }
    const category = name as WorkOrderCategory;
    if (out[category]) {
      ctx.addIssue({ code: 'custom', message: `category "${name}" is given twice` });
      continue;
    }
    const amount = Number(digits);
    if (amount < 1 || amount > MAX_AMOUNT[unit]) {
      ctx.addIssue({ code: 'custom', message: `"${part}": the amount must be between 1 and ${MAX_AMOUNT[unit]} ${unit}` });
      continue;
    }
    out[category] = { amount, unit };
  }
  return out;
});

/** Non-working weekdays (public holidays) and worked weekend days (调休), as Asia/Shanghai dates. */
export interface WorkCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

export function isWorkingDay(day: DateTime, cal: WorkCalendar): boolean {
  const iso = day.toISODate() ?? '';
  if (cal.workdays.has(iso)) return true;
  if (cal.holidays.has(iso)) return false;
  return day.weekday <= 5;
}

/**
 * The same Asia/Shanghai time of day on the `n`th working day after the day of `fromMs`: an order
 * opened on Friday 15:00 with 3 working days is due on Wednesday 15:00; one opened on Saturday is
 * due at that time of day counted from Monday as the first working day.
 */
export function addWorkingDays(fromMs: number, n: number, cal: WorkCalendar): number {
  let day = DateTime.fromMillis(fromMs, { zone: HOTLINE_ZONE });
  let left = n;
  while (left > 0) {
    day = day.plus({ days: 1 });
    if (isWorkingDay(day, cal)) left -= 1;
  }
  return day.toMillis();
}

export function addTimeLimit(fromMs: number, limit: TimeLimit, cal: WorkCalendar): number {
  switch (limit.unit) {
    case 'm':
      return fromMs + limit.amount * 60_000;
    case 'h':
      return fromMs + limit.amount * 3_600_000;
    case 'd':
      return DateTime.fromMillis(fromMs, { zone: HOTLINE_ZONE }).plus({ days: limit.amount }).toMillis();
    case 'wd':
      return addWorkingDays(fromMs, limit.amount, cal);
  }
}

/** How a limit reads on a page or in a message: `4 小时`, `3 个工作日`. */
export function limitZh(limit: TimeLimit): string {
  const unit = { m: '分钟', h: '小时', d: '天', wd: '个工作日' }[limit.unit];
  return `${limit.amount} ${unit}`;
}

export type DueByFor = (category: WorkOrderCategory, createdAtMs: number) => number;

/** Categories accepted within the complaint limit (Art. 9). */
export const ACCEPT_LIMIT_CATEGORIES: readonly WorkOrderCategory[] = ['complaint'];

export type TimeLimitSettings = Pick<
  Config,
  'WORK_ORDER_TIME_LIMITS' | 'WORK_ORDER_HOLIDAYS' | 'WORK_ORDER_WORKDAYS' | 'WORK_ORDER_NOTICE_MS' | 'WORK_ORDER_COMPLAINT_ACCEPT_MS'
>;

/**
 * Every deadline stamped on an order, from one table: the lifecycle stamps them at creation and the
 * deadline rules fire at them, so the department page's "time left" and the alarms agree.
 */
export class WorkOrderTimeLimits {
  constructor(
    readonly table: Readonly<Record<WorkOrderCategory, TimeLimit>>,
    readonly calendar: WorkCalendar,
    readonly noticeMs: number,
    readonly acceptMs: number,
  ) {}

  /** Throws ConfigError naming WORK_ORDER_TIME_LIMITS and each bad entry (at start, with the rest of the config). */
  static fromConfig(c: TimeLimitSettings): WorkOrderTimeLimits {
    const parsed = timeLimitsSpec.safeParse(c.WORK_ORDER_TIME_LIMITS ?? '');
    if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `WORK_ORDER_TIME_LIMITS: ${i.message}`));
    return new WorkOrderTimeLimits(
      { ...DEFAULT_TIME_LIMITS, ...parsed.data },
      { holidays: new Set(c.WORK_ORDER_HOLIDAYS), workdays: new Set(c.WORK_ORDER_WORKDAYS) },
      c.WORK_ORDER_NOTICE_MS,
      c.WORK_ORDER_COMPLAINT_ACCEPT_MS,
    );
  }

  /** Completion deadline of a new order (ms epoch). A function property, so it can be handed on alone. */
  readonly dueByFor: DueByFor = (category, createdAtMs) => addTimeLimit(createdAtMs, this.table[category], this.calendar);

  /** Art. 8: the notice must be acknowledged by then. */
  readonly noticeByFor = (createdAtMs: number): number => createdAtMs + this.noticeMs;

  /** Art. 9: complaints only, counted from the caller's report (the call's arrival where there was a call). */
  readonly acceptByFor = (category: WorkOrderCategory, reportedAtMs: number): number | null =>
    ACCEPT_LIMIT_CATEGORIES.includes(category) ? reportedAtMs + this.acceptMs : null;

  limitZh(category: WorkOrderCategory): string {
    return limitZh(this.table[category]);
  }
}

/** The production table without holidays: for tools and tests that need no configuration. */
const DEFAULTS = new WorkOrderTimeLimits(DEFAULT_TIME_LIMITS, { holidays: new Set(), workdays: new Set() }, 5 * 60_000, 60 * 60_000);
export const dueByFor: DueByFor = DEFAULTS.dueByFor;
