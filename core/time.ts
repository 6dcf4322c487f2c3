import { DateTime } from 'luxon';

/** The hotline keeps Asia/Shanghai time: UTC+8 all year (China has no daylight saving time). */
const ZONE = 'Asia/Shanghai';
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

export interface LocalDay {
  /** YYYY-MM-DD in Asia/Shanghai. */
  label: string;
  /** YYYYMMDD, as in work-order numbers. */
  compact: string;
  /** First and last+1 instant of that day, ms epoch. */
  start: number;
  end: number;
}

export function shanghaiDay(at: number = Date.now()): LocalDay {
  const start = Math.floor((at + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
  const label = new Date(start + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
  return { label, compact: label.replace(/-/g, ''), start, end: start + DAY_MS };
}

/** `YYYY-MM` of the month an instant falls in, Asia/Shanghai. */
export function monthOf(at: number): string {
  return DateTime.fromMillis(at, { zone: ZONE }).toFormat('yyyy-MM');
}

/** `YYYY-MM` of the month before the one `at` falls in (Asia/Shanghai). */
export function previousMonth(at: number): string {
  return DateTime.fromMillis(at, { zone: ZONE }).startOf('month').minus({ months: 1 }).toFormat('yyyy-MM');
}

/** An instant as people read it in messages (Asia/Shanghai): 2026/12/03 15:43. */
export function fmtZh(ms: number): string {
  return new Date(ms).toLocaleString('zh-CN', { timeZone: ZONE, hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}
