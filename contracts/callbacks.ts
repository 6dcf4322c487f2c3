import { z } from 'zod';
import {
  CALLBACK_GRADES,
  CALLBACK_METHODS,
  CALLBACK_REASONS,
  CALLBACK_STATUSES,
  CALLBACK_VERDICTS,
  DEPARTMENTS,
  PHONE_RE,
  WORK_ORDER_CATEGORIES,
} from '../models/enums';
import { epochMs } from './common';

/** A callback (回访) as the consoles and the API show it. */
export const callbackViewSchema = z
  .object({
    id: z.string(),
    /** The order called back about; null for a queue callback (排队回拨), which has none (nor category, department, address). */
    workOrderNumber: z.string().nullable(),
    category: z.enum(WORK_ORDER_CATEGORIES).nullable(),
    department: z.enum(DEPARTMENTS).nullable(),
    reason: z.enum(CALLBACK_REASONS),
    method: z.enum(CALLBACK_METHODS),
    status: z.enum(CALLBACK_STATUSES),
    phone: z.string(),
    contactName: z.string().nullable(),
    address: z.string().nullable(),
    /** Queue callback: the hotline call whose caller the retries did not reach, and the agent who dialled last. */
    callId: z.string().nullable(),
    lastAgent: z.string().nullable(),
    /** Queue callback's result: the caller was reached by the person calling back. */
    reached: z.boolean().nullable(),
    completedAt: epochMs,
    dueBy: epochMs,
    overdue: z.boolean(),
    /** Redo the draw with SHA-256 of `seed`: after-sales, SMS when `roll < smsShare`; engineering, the month's lowest rolls. */
    draw: z.object({ seed: z.string(), roll: z.number(), smsShare: z.number().nullable() }).nullable(),
    /** Engineering: the monthly sample that picked it. */
    sample: z.object({ month: z.string(), population: z.number().int(), picked: z.number().int() }).nullable(),
    sms: z.object({ sentAt: epochMs.nullable(), remindedAt: epochMs.nullable(), repliedAt: epochMs.nullable(), reply: z.string().nullable() }).nullable(),
    serviceQuality: z.enum(CALLBACK_GRADES).nullable(),
    attitude: z.enum(CALLBACK_GRADES).nullable(),
    engineeringQuality: z.enum(CALLBACK_GRADES).nullable(),
    timeliness: z.enum(CALLBACK_GRADES).nullable(),
    verdict: z.enum(CALLBACK_VERDICTS).nullable(),
    customerWords: z.string().nullable(),
    doneAt: epochMs.nullable(),
    doneBy: z.string().nullable(),
    fromCallback: z.string().nullable(),
    /** What an "unsatisfied" verdict led to: the manual callback (after an SMS) and the new order. */
    followUp: z.object({ callbackId: z.string().nullable(), workOrderNumber: z.string().nullable() }).nullable(),
    /** The calls placed for it from the console (click-to-call), oldest first, each as it ended. */
    calls: z.array(
      z.object({
        callId: z.string(),
        /** The agent's work number. */
        by: z.string(),
        startedAt: epochMs,
        endedAt: epochMs,
        outcome: z.enum(['answered', 'failed']),
        /** Unanswered: `agent-busy`, `agent-no-answer`, `customer-busy`, `customer-no-answer`, `customer-unreachable`, `cancelled`, `cti-stopped`, … */
        failureReason: z.string().nullable(),
        talkMs: z.number().int().nullable(),
        /** Its recording (GET /api/recordings/<name>), when the customer answered. */
        recordingName: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Callback' });

export const CALLBACK_CALL_STAGES = ['agent', 'customer', 'talking', 'ended'] as const;
/** A callback call's progress, as POST /api/callbacks/:id/call answers and the agent's console is told (`callback:call`). */
export const callbackCallViewSchema = z
  .object({
    callId: z.string(),
    callbackId: z.string(),
    /** agent: your phone rings; customer: the customer's rings; talking; ended. */
    stage: z.enum(CALLBACK_CALL_STAGES),
    /** Why it ended unanswered; null otherwise. */
    reason: z.string().nullable(),
    at: epochMs,
  })
  .meta({ id: 'CallbackCall' });
export type CallbackCallView = z.infer<typeof callbackCallViewSchema>;
export type CallbackView = z.infer<typeof callbackViewSchema>;

/** `<order>.<reason>`, or `queue.<callId>` for a queue callback. */
export const callbackIdParams = z.object({ id: z.string().regex(/^(?:WO\d{8}-\d{4,}\.[a-z_]+|queue\.[0-9a-f-]{36})$/, 'not a callback id') });

export const listCallbacksQuery = z.object({
  status: z.enum(CALLBACK_STATUSES).optional(),
  method: z.enum(CALLBACK_METHODS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListCallbacksQuery = z.infer<typeof listCallbacksQuery>;

/** What the agent enters after an order's phone callback (Art. 21 五). */
export const recordCallbackResultSchema = z
  .object({
    serviceQuality: z.enum(CALLBACK_GRADES),
    attitude: z.enum(CALLBACK_GRADES),
    /** Engineering jobs only; absent where no works were done. */
    engineeringQuality: z.enum(CALLBACK_GRADES).optional(),
    timeliness: z.enum(CALLBACK_GRADES),
    verdict: z.enum(CALLBACK_VERDICTS),
    /** The customer's words: suggestions and opinions, recorded in full. */
    customerWords: z.string().trim().max(2000).optional(),
  })
  .strict()
  .meta({ id: 'RecordCallbackResult' });
export type RecordCallbackResultBody = z.infer<typeof recordCallbackResultSchema>;

/** What the agent enters after a queue callback (排队回拨), which has no order to grade: reached or not, and a note. */
export const recordQueueCallbackResultSchema = z
  .object({
    reached: z.boolean(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .meta({ id: 'RecordQueueCallbackResult' });
export type RecordQueueCallbackResultBody = z.infer<typeof recordQueueCallbackResultSchema>;

/** An SMS a customer sent to the hotline's number, as the SMS provider posts it (signed: callbacks/sms-signature.ts). */
export const smsInboundSchema = z
  .object({
    from: z.string().regex(PHONE_RE, 'from must be a phone number'),
    text: z.string().max(500),
    /** When the provider received it; its arrival here when absent. */
    receivedAt: epochMs.optional(),
  })
  .strict()
  .meta({ id: 'SmsInbound' });
export type SmsInbound = z.infer<typeof smsInboundSchema>;

export const SMS_REPLY_OUTCOMES = ['recorded', 'unmatched', 'ambiguous'] as const;
export const smsInboundResultSchema = z
  .object({
    /** recorded: the reply answered an open SMS callback; unmatched: no open one for that number; ambiguous: the text says neither (or both). */
    outcome: z.enum(SMS_REPLY_OUTCOMES),
    callbackId: z.string().nullable(),
  })
  .meta({ id: 'SmsInboundResult' });
export type SmsInboundResult = z.infer<typeof smsInboundResultSchema>;

/** One department's callbacks of a month (and the whole company's, as `total`). Rates are 0–1, or null (÷ 0). */
export const callbackFiguresRowSchema = z.object({
  /** After-sales orders completed (办结) in the month: complaints and every other non-engineering category. */
  afterSales: z.number().int(),
  /** Of those, called back: the SMS sent, or the phone callback made. Art. 21 (四): 100 % is required. */
  calledBack: z.number().int(),
  callbackRate: z.number().nullable(),
  /** Verdicts given in the month, every kind of callback. */
  satisfied: z.number().int(),
  unsatisfied: z.number().int(),
  satisfactionRate: z.number().nullable(),
  /** Phone callbacks due in the month that passed their 3 days (made late, or not yet made). */
  overdue: z.number().int(),
  /** SMS callbacks closed in the month with no reply after the reminder. */
  noReply: z.number().int(),
  /** The month's settled engineering jobs sampled (⌈10 %⌉) and how many of them were called back. */
  engineeringSampled: z.number().int(),
  engineeringDone: z.number().int(),
});
export type CallbackFiguresRow = z.infer<typeof callbackFiguresRowSchema>;

export const callbackFiguresSchema = z
  .object({
    /** YYYY-MM, Asia/Shanghai. */
    month: z.string(),
    departments: z.array(callbackFiguresRowSchema.extend({ department: z.enum(DEPARTMENTS) })),
    total: callbackFiguresRowSchema,
  })
  .meta({ id: 'CallbackFigures' });
export type CallbackFigures = z.infer<typeof callbackFiguresSchema>;

export const callbackFiguresQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM')
    .optional(),
});
