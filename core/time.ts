/** The hotline keeps Asia/Shanghai time: UTC+8 all year (China has no daylight saving time). */
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
