import { z } from 'zod';

/**
 * The call centre's shifts (rule 八), as configured in SHIFTS: `08:00-16:00,16:00-24:00,00:00-08:00`
 * in Asia/Shanghai wall-clock time (UTC+8 all year, no daylight saving). A shift may run across
 * midnight (`22:00-06:00`). Together the shifts must cover the day exactly once, so every instant
 * belongs to one shift and "the previous shift" is always defined.
 */

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MIN = 24 * 60;
const MIN_MS = 60_000;
const DAY_MS = DAY_MIN * MIN_MS;

export interface ShiftSlot {
  /** `08:00-16:00`, as configured: the name the consoles show. */
  label: string;
  /** Minutes after local midnight; `endMin` may exceed 1440 for a shift that runs past midnight. */
  startMin: number;
  endMin: number;
}

/** One shift on the calendar: the slot on a given day, as ms epoch instants. */
export interface ShiftWindow {
  label: string;
  start: number;
  end: number;
}

const TIME_RE = /^([01]\d|2[0-4]):([0-5]\d)$/;

function minutes(hhmm: string): number | null {
  const m = TIME_RE.exec(hhmm.trim());
  if (!m) return null;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v > DAY_MIN ? null : v;
}

/** `HH:MM-HH:MM,…` → slots sorted by start; refused unless they cover the day exactly once. */
export const shiftTableSchema = z.string().transform((v, ctx): ShiftSlot[] => {
  const slots: ShiftSlot[] = [];
  for (const part of v.split(',').map((p) => p.trim())) {
    const [a, b, extra] = part.split('-');
    const start = a === undefined ? null : minutes(a);
    const end = b === undefined ? null : minutes(b);
    if (extra !== undefined || start === null || end === null || start === DAY_MIN || start === end) {
      ctx.addIssue({ code: 'custom', message: `comma list of HH:MM-HH:MM, e.g. 08:00-16:00,16:00-24:00,00:00-08:00 (bad entry ${JSON.stringify(part)})` });
      return z.NEVER;
    }
    slots.push({ label: part, startMin: start, endMin: end > start ? end : end + DAY_MIN });
  }
  slots.sort((x, y) => x.startMin - y.startMin);
  // Each shift ends where the next begins, and the last one where the first begins a day later.
  for (let i = 0; i < slots.length; i++) {
    const next = slots[(i + 1) % slots.length]!;
    const expected = i + 1 < slots.length ? next.startMin : next.startMin + DAY_MIN;
    if (slots[i]!.endMin !== expected) {
      ctx.addIssue({ code: 'custom', message: `the shifts must cover the 24 hours without gap or overlap (${slots[i]!.label} is followed by ${next.label})` });
      return z.NEVER;
    }
  }
  return slots;
});

/** The local day's midnight (Asia/Shanghai) before `at`, as ms epoch. */
function localMidnight(at: number): number {
  return Math.floor((at + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** The shift `at` falls in: start ≤ at < end. */
export function shiftAt(slots: readonly ShiftSlot[], at: number): ShiftWindow {
  // The shift in progress started today or, for one running past midnight, yesterday.
  for (const dayStart of [localMidnight(at), localMidnight(at) - DAY_MS]) {
    for (const s of slots) {
      const start = dayStart + s.startMin * MIN_MS;
      const end = dayStart + s.endMin * MIN_MS;
      if (start <= at && at < end) return { label: s.label, start, end };
    }
  }
  throw new Error('shift table does not cover the day'); // the schema refuses such a table
}

/** The shift before the one in progress at `at` (it ended when that one began). */
export function previousShift(slots: readonly ShiftSlot[], at: number): ShiftWindow {
  return shiftAt(slots, shiftAt(slots, at).start - 1);
}

/** The shift after the one in progress at `at`. */
export function nextShift(slots: readonly ShiftSlot[], at: number): ShiftWindow {
  return shiftAt(slots, shiftAt(slots, at).end);
}
