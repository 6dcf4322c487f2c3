import { DateTime } from 'luxon';
import type { Logger } from '../core/logger';
import { previousMonth } from '../core/time';
import type { Models } from '../models';
import { ENGINEERING_CATEGORIES } from '../models/enums';
import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';
import { HOTLINE_ZONE, isWorkingDay, type WorkCalendar } from '../work-orders/time-limits';
import type { CallbackService } from './callback-service';
import { rollOf } from './draw';

/** Art. 21 (四): each month, 10 % of last month's settled engineering jobs. */
export const ENGINEERING_SHARE = 0.1;
/** "超过半年仍未办理结算，回访无意义": a job settled more than six months after its works were done is not counted. */
const COUNTED_WITHIN_MONTHS = 6;
/** The first working day falls within the month's first fortnight even after the Spring Festival or National Day holidays. */
const LATEST_FIRST_WORKING_DAY = 15;

export type EngineeringSampleJob = { monthly: true };

/**
 * One BullMQ job scheduler (`cb-engineering-sample.monthly`) upserted alike by every process: it
 * ticks at CALLBACK_SAMPLE_AT on each of a month's first 15 days, and the tick that falls on the
 * month's first working day samples last month. A repeated tick (a retry, a second process) draws
 * the same jobs, and a callback exists once per job: nobody is called back twice.
 */
export class EngineeringSampleRule extends TimedRule<EngineeringSampleJob> {
  readonly schedulerId: string;
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'cb-engineering-sample' });
    this.schedulerId = this.jobId('monthly');
  }
  async ensureScheduled(hhmm: string): Promise<void> {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    await this.queue.upsertJobScheduler(
      this.schedulerId,
      { pattern: `${m} ${h} 1-${LATEST_FIRST_WORKING_DAY} * *`, tz: HOTLINE_ZONE },
      {
        name: 'cb-engineering-sample',
        data: { monthly: true },
        opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true, removeOnFail: { age: 30 * 24 * 3600 } },
      },
    );
  }
}

/** The month's first working day (Asia/Shanghai), by the hotline's calendar (holidays, 调休). */
export function firstWorkingDay(month: string, cal: WorkCalendar): string {
  let day = DateTime.fromISO(`${month}-01`, { zone: HOTLINE_ZONE });
  while (!isWorkingDay(day, cal)) day = day.plus({ days: 1 });
  return day.toISODate() ?? '';
}

export interface SampledJob {
  number: string;
  /** SHA-256 of `<month>.<number>` as a fraction: the sample is the lowest rolls. */
  roll: number;
  seed: string;
}

export interface EngineeringSample {
  month: string;
  /** Every counted job: settled in `month`, works done at most six months before. */
  population: string[];
  picked: SampledJob[];
}

/**
 * Which settled engineering jobs of `month` are called back: the population is every engineering
 * order settled in that month (Asia/Shanghai) whose works were done (resolved) at most six months
 * before settlement; the sample is ⌈10 %⌉ of it, the jobs with the lowest SHA-256 of
 * `<month>.<number>` — reproducible by anyone from the stored seeds, and the same on every run.
 */
export async function drawEngineeringSample(models: Pick<Models, 'WorkOrder'>, month: string, share = ENGINEERING_SHARE): Promise<EngineeringSample> {
  const start = DateTime.fromISO(`${month}-01`, { zone: HOTLINE_ZONE });
  const docs = await models.WorkOrder.find({
    category: { $in: [...ENGINEERING_CATEGORIES] },
    settledAt: { $gte: start.toJSDate(), $lt: start.plus({ months: 1 }).toJSDate() },
  })
    .select('number settledAt resolvedAt')
    .lean();
  const counted = docs.filter((d) => {
    if (!d.settledAt || !d.resolvedAt) return false;
    const limit = DateTime.fromJSDate(d.settledAt, { zone: HOTLINE_ZONE }).minus({ months: COUNTED_WITHIN_MONTHS });
    return d.resolvedAt.getTime() >= limit.toMillis();
  });
  const rolled = counted
    .map((d) => {
      const seed = `${month}.${d.number}`;
      return { number: d.number, seed, roll: rollOf(seed) };
    })
    .sort((a, b) => a.roll - b.roll || a.number.localeCompare(b.number));
  const size = Math.ceil(counted.length * share);
  return { month, population: counted.map((d) => d.number).sort(), picked: rolled.slice(0, size) };
}

/** Runs the monthly sample: on a month's first working day, last month's jobs get their phone callbacks. */
export class EngineeringSampler {
  private readonly log: Logger;
  constructor(
    private readonly d: {
      models: Models;
      callbacks: Pick<CallbackService, 'engineeringSampled'>;
      calendar: WorkCalendar;
      at: string;
      share: number;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ component: 'engineering-sample' });
  }

  /** Runs the schedule's ticks on this process (every process does; each tick is one job). */
  async start(rule: EngineeringSampleRule): Promise<void> {
    rule.process(async () => void (await this.tick(Date.now())), 1);
    await rule.ensureScheduled(this.d.at);
  }

  /** A tick of the schedule: samples last month when `now` is this month's first working day; else nothing. */
  async tick(now: number): Promise<EngineeringSample | null> {
    const today = DateTime.fromMillis(now, { zone: HOTLINE_ZONE });
    if (today.toISODate() !== firstWorkingDay(today.toFormat('yyyy-MM'), this.d.calendar)) return null;
    return this.run(previousMonth(now));
  }

  async run(month: string): Promise<EngineeringSample> {
    const sample = await drawEngineeringSample(this.d.models, month, this.d.share);
    await this.d.callbacks.engineeringSampled(sample);
    this.log.info({ month, population: sample.population.length, picked: sample.picked.length }, 'engineering callbacks sampled');
    return sample;
  }
}
