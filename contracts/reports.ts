import { z } from 'zod';
import { CALL_OUTCOMES, WORK_ORDER_CALLBACK_REASONS, DEPARTMENTS, LANGUAGES, WORK_ORDER_CATEGORIES } from '../models/enums';
import { callbackFiguresSchema } from './callbacks';

/** YYYY-MM, a calendar month of Asia/Shanghai. */
export const reportMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');
export const reportMonthParams = z.object({ month: reportMonth });
export const reportBuildQuery = z.object({
  /** Which build of the month (1 = the first); the latest when not given. */
  build: z.coerce.number().int().min(1).max(10_000).optional(),
});

const count = z.number().int().nonnegative();
/** 0–1, or null when it divides by zero. */
const rate = z.number().min(0).max(1).nullable();

/** A count of the month beside the month before. */
const withLastMonth = { count, lastMonth: count };

export const reportComplaintsSchema = z.object({
  /** Every order registered (受理) in the month, whatever its category. */
  total: z.object(withLastMonth),
  byCategory: z.array(z.object({ category: z.enum(WORK_ORDER_CATEGORIES), ...withLastMonth })),
  byDepartment: z.array(z.object({ department: z.enum(DEPARTMENTS), ...withLastMonth })),
});

export const hotSpotSchema = z.object({
  rank: z.number().int().min(1),
  /** The caller's supply area (from their account); '' when the order has none. */
  areaCode: z.string(),
  category: z.enum(WORK_ORDER_CATEGORIES),
  ...withLastMonth,
  /** The streets named in two or more of the spot's addresses, most named first. */
  streets: z.array(z.object({ street: z.string(), count })),
});

export const orderSummaryRowSchema = z.object({
  /** Registered in the month. */
  opened: count,
  /** Of those, the department notified within 5 minutes (Art. 8). */
  notifiedInTime: count,
  /** Complaints registered in the month, and of those accepted within 1 hour (Art. 9). */
  complaints: count,
  acceptedInTime: count,
  /** Resolved (办结) in the month, and of those within their time limit. */
  resolved: count,
  resolvedInTime: count,
  /** Orders of the month past their time limit (resolved late or still open past it). */
  late: count,
  /** With an extension approved. */
  extended: count,
  escalated: count,
});

export const reportOutagesSchema = z.object({
  /** Outages that started in the month (cancelled ones apart). */
  total: count,
  planned: count,
  unplanned: count,
  /** Over 5000 people (Art. 16). */
  large: count,
  peopleAffected: count,
  cancelled: count,
  /** Planned outages published at least the big users' lead (24 h) before their start (Art. 18). */
  plannedNoticedInTime: count,
});

export const hotlineMetricsSchema = z.object({
  arrived: count,
  offered: count,
  answered: count,
  // Reports built before queue callbacks had none.
  answeredViaCallback: count.default(0),
  answeredWithinSl: count,
  abandoned: count,
  greetingAbandons: count,
  failed: count,
  serviceLevel: rate,
  serviceLevelOffered: rate,
  asaMs: z.number().nullable(),
  abandonRate: rate,
  avgAbandonWaitMs: z.number().nullable(),
  ringNoAnswer: count,
  alarmedOffers: count,
  avgTalkMs: z.number().nullable(),
});

export const reportHotlineSchema = z.object({
  metrics: hotlineMetricsSchema,
  /** Abandons by where the caller hung up. */
  abandonByStage: z.object({ greeting: count, queue: count, ringing: count }),
  /** Alarms raised in the month: 20 s ring-no-answer, 30 min silence. */
  alarms: z.object({ ringNoAnswer: count, silence: count }),
  /** Calls arrived per day of the month and hour of day (Asia/Shanghai); an object per day, as FerretDB stores no nested arrays. */
  heat: z.array(z.object({ day: z.number().int().min(1).max(31), hours: z.array(count).length(24) })),
  byAgent: z.array(
    z.object({
      workNumber: z.string(),
      name: z.string(),
      answered: count,
      answeredWithinSl: count,
      avgRingMs: z.number().nullable(),
      avgTalkMs: z.number().nullable(),
      ringNoAnswer: count,
    }),
  ),
});

export const monthlyReportSchema = z
  .object({
    month: reportMonth,
    /** 1 for the month's first build; each later build (a rebuild) is kept beside it. */
    build: z.number().int().min(1),
    builtAt: z.string(),
    /** `schedule` (the job of the 27th) or the work number of who asked. */
    builtBy: z.string(),
    complaints: reportComplaintsSchema,
    hotSpots: z.array(hotSpotSchema),
    workOrders: z.object({
      departments: z.array(orderSummaryRowSchema.extend({ department: z.enum(DEPARTMENTS) })),
      total: orderSummaryRowSchema,
    }),
    callbacks: z.object({
      figures: callbackFiguresSchema,
      /** Unsatisfied callbacks that became a new order to the department, in the month. */
      unsatisfiedToOrders: count,
      /**
       * Per kind of callback owed for work completed in the month: how many, how many made (the
       * SMS sent, or the call done), the rate (after-sales and complaints: 100 % required).
       */
      byType: z.array(z.object({ reason: z.enum(WORK_ORDER_CALLBACK_REASONS), owed: count, made: count, rate })),
    }),
    outages: reportOutagesSchema,
    hotline: reportHotlineSchema,
    /** How many records of each kind the build read: a rebuild that differs says why. */
    inputs: z.object({ calls: count, workOrders: count, workOrdersLastMonth: count, callbacks: count, outages: count, alarms: count }),
  })
  .meta({ id: 'MonthlyReport' });
export type MonthlyReport = z.infer<typeof monthlyReportSchema>;

export const reportListItemSchema = z.object({
  month: reportMonth,
  build: z.number().int(),
  builtAt: z.string(),
  builtBy: z.string(),
  builds: z.number().int(),
});
export type ReportListItem = z.infer<typeof reportListItemSchema>;

// ── history in the consoles: the board's period view, the call search, the admin's alarms over time ──

export const HISTORY_PERIODS = ['today', 'week', 'month'] as const;
export const hotlineHistoryQuery = z.object({ period: z.enum(HISTORY_PERIODS).default('today') });

export const historyBucketSchema = z.object({
  /** 「9时」 for an hour of today, 「12/03」 for a day. */
  label: z.string(),
  start: z.number().int(),
  arrived: count,
  offered: count,
  answered: count,
  answeredWithinSl: count,
  abandoned: count,
  serviceLevel: rate,
  abandonRate: rate,
});

export const hotlineHistorySchema = z
  .object({
    period: z.enum(HISTORY_PERIODS),
    from: z.number().int(),
    to: z.number().int(),
    /** Today by hour; this week (Monday first) and this month by day, Asia/Shanghai. */
    buckets: z.array(historyBucketSchema),
    /** Calls arrived in the period per hour of day. */
    byHour: z.array(count).length(24),
    metrics: hotlineMetricsSchema,
  })
  .meta({ id: 'HotlineHistory' });
export type HotlineHistory = z.infer<typeof hotlineHistorySchema>;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day YYYY-MM-DD');
export const callSearchQuery = z
  .object({
    /** Any part of the caller's number, digits only. */
    number: z.string().regex(/^\+?\d{1,20}$/, 'digits of the caller number').optional(),
    agent: z.string().regex(/^\d{3,6}$/, 'a work number').optional(),
    /** Asia/Shanghai days, both included; the last 7 days when neither is given. */
    from: day.optional(),
    to: day.optional(),
    outcome: z.enum(CALL_OUTCOMES).optional(),
    language: z.enum(LANGUAGES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export type CallSearchQuery = z.infer<typeof callSearchQuery>;

export const callFoundSchema = z.object({
  callId: z.string(),
  arrivedAt: z.number().int(),
  callerNumber: z.string(),
  language: z.enum(LANGUAGES).nullable(),
  outcome: z.enum(CALL_OUTCOMES).nullable(),
  agentWorkNumber: z.string().nullable(),
  agentName: z.string().nullable(),
  answerDelayMs: z.number().nullable(),
  talkMs: z.number().nullable(),
  recordingName: z.string().nullable(),
});
export const callSearchResultSchema = z.object({ calls: z.array(callFoundSchema), more: z.boolean() }).meta({ id: 'CallSearchResult' });
export type CallFound = z.infer<typeof callFoundSchema>;
export type CallSearchResult = z.infer<typeof callSearchResultSchema>;

export const alarmHistoryQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });
export const alarmHistorySchema = z
  .object({
    days: z.array(z.object({ day: day, silence: count, ringNoAnswer: count, longWait: count, other: count })),
  })
  .meta({ id: 'AlarmHistory' });
export type AlarmHistory = z.infer<typeof alarmHistorySchema>;
