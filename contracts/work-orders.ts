import { z } from 'zod';
import {
  CALL_STATES,
  DEPARTMENTS,
  ESCALATION_REASONS,
  EXTENSION_STATUSES,
  LEAK_DETAIL_CATEGORIES,
  NOTICE_CHANNELS,
  PHONE_RE,
  ACCOUNT_NUMBER_RE,
  WORK_NUMBER_RE,
  WORK_ORDER_ACTIONS,
  WORK_ORDER_CATEGORIES,
  WORK_ORDER_LIMITS as MAX,
  WORK_ORDER_STATUSES,
  type DepartmentCode,
  type WorkOrderCategory,
  type WorkOrderStatus,
} from '../models/enums';
import { NOTICE_CALL_RESULTS } from '../models/call';
import { NOTICE_CALL_STATUSES, NOTICE_REASONS, NOTICE_RECEIVER_ROLES } from '../models/notice';
import { SMS_STATUSES } from '../models/sms-message';
import { epochMs } from './common';

const text = (max: number) => z.string().trim().min(1).max(max);

export const METER_SIDES = ['before', 'after', 'unknown'] as const;

/** Art. 13: what the agent asks for a leak, fault or burst. */
export const leakDetailsSchema = z
  .object({
    location: z.string().trim().max(MAX.location).optional(),
    pipeDiameterMm: z.number().int().min(MAX.pipeDiameterMm.min).max(MAX.pipeDiameterMm.max).optional(),
    meterSide: z.enum(METER_SIDES).optional(),
    landmarks: z.string().trim().max(MAX.landmarks).optional(),
  })
  .strict()
  .meta({ id: 'LeakDetails' });
export type LeakDetails = z.infer<typeof leakDetailsSchema>;

export const createWorkOrderSchema = z
  .object({
    category: z.enum(WORK_ORDER_CATEGORIES),
    /** The call it was taken on (links the order to the call and its recording). */
    callId: z.string().regex(/^[0-9a-f-]{36}$/, 'not a call id').optional(),
    customerAccount: z.string().regex(ACCOUNT_NUMBER_RE, 'account number must be 6-12 digits').optional(),
    contactName: z.string().trim().max(MAX.contactName).optional(),
    contactPhone: z.string().regex(PHONE_RE, 'a valid contact number is required'),
    address: text(MAX.address),
    /** Refused beyond 4000 characters, never cut: the agent's form counts down to it. */
    description: text(MAX.description),
    /** Required (`location`) for leak, fault and pipe burst. */
    leak: leakDetailsSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Art. 13: a leak or fault report is not actionable without the exact location.
    if (LEAK_DETAIL_CATEGORIES.includes(c.category) && !c.leak?.location) {
      ctx.addIssue({ code: 'custom', path: ['leak', 'location'], message: 'the exact location is required for leak and fault reports' });
    }
  }, {
    // Also when other fields are wrong, so one refusal names every problem (the agent fixes all at once).
    when: (p) => typeof p.value === 'object' && p.value !== null,
  })
  .meta({ id: 'CreateWorkOrder' });
export type CreateWorkOrderCommand = z.infer<typeof createWorkOrderSchema>;

export const listWorkOrdersQuery = z.object({
  status: z.enum(WORK_ORDER_STATUSES).optional(),
  department: z.enum(DEPARTMENTS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListWorkOrdersQuery = z.infer<typeof listWorkOrdersQuery>;

export const workOrderNumberParams = z.object({ number: z.string().regex(/^WO\d{8}-\d{4,}$/, 'not a work-order number') });

export interface WorkOrderSummary {
  number: string;
  category: WorkOrderCategory;
  department: DepartmentCode;
  status: WorkOrderStatus;
  emergency: boolean;
  createdAt: number;
  address: string;
  description: string;
}

export const workOrderHistoryEntrySchema = z
  .object({
    at: epochMs,
    /** A work number, `system`, or a receiver's phone number (a key press on a notice call). */
    by: z.string(),
    action: z.enum(WORK_ORDER_ACTIONS),
    from: z.enum(WORK_ORDER_STATUSES).nullable(),
    to: z.enum(WORK_ORDER_STATUSES).nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'WorkOrderHistoryEntry' });
export type WorkOrderHistoryEntry = z.infer<typeof workOrderHistoryEntrySchema>;

export const workOrderNoticeSchema = z
  .object({
    channels: z.array(z.enum(NOTICE_CHANNELS)),
    sentAt: epochMs.nullable(),
    acknowledgedAt: epochMs.nullable(),
    acknowledgedBy: z.string().nullable(),
  })
  .meta({ id: 'WorkOrderNotice' });

export const workOrderFlagsSchema = z
  .object({
    /** Not acknowledged within the notice time (Art. 8). */
    noticeLate: z.boolean(),
    /** A complaint not accepted within the hour (Art. 9). */
    acceptLate: z.boolean(),
    /** Past its completion time limit. */
    overdue: z.boolean(),
    /** Sent to admin_hr (Art. 7); the order keeps its status. */
    escalated: z.boolean(),
  })
  .meta({ id: 'WorkOrderFlags' });

export const workOrderEscalationSchema = z
  .object({ at: epochMs, reason: z.enum(ESCALATION_REASONS), to: z.enum(DEPARTMENTS), by: z.string(), note: z.string().nullable() })
  .meta({ id: 'WorkOrderEscalation' });

export const workOrderExtensionSchema = z
  .object({
    id: z.string(),
    requestedAt: epochMs,
    requestedBy: z.string(),
    reason: z.string(),
    newDueBy: epochMs,
    status: z.enum(EXTENSION_STATUSES),
    decidedAt: epochMs.nullable(),
    decidedBy: z.string().nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'WorkOrderExtension' });
export type WorkOrderExtensionView = z.infer<typeof workOrderExtensionSchema>;

/** What every listing of an order starts with: the full view, the consoles' brief. */
export const workOrderCoreShape = {
  number: z.string(),
  category: z.enum(WORK_ORDER_CATEGORIES),
  department: z.enum(DEPARTMENTS),
  status: z.enum(WORK_ORDER_STATUSES),
  emergency: z.boolean(),
  createdAt: epochMs,
  address: z.string(),
};

export const workOrderViewSchema = z
  .object({
    ...workOrderCoreShape,
    description: z.string(),
    callId: z.string().nullable(),
    createdBy: z.string(),
    customerAccount: z.string().nullable(),
    contactName: z.string().nullable(),
    contactPhone: z.string(),
    /** The number the call came from (the contact may differ); null when not taken on a call. */
    callerNumber: z.string().nullable(),
    leak: leakDetailsSchema.nullable(),
    /** Deadlines set at creation: notify the department (Art. 8), accept a complaint (Art. 9), finish. */
    dispatchBy: epochMs.nullable(),
    acceptBy: epochMs.nullable(),
    dueBy: epochMs.nullable(),
    /** Bumped whenever `dueBy` moves (an approved extension, a reopening). */
    dueVersion: z.number().int().nonnegative(),
    /** 首问负责制: the agent who owns the caller's order (the creator until handed over). */
    owner: z.string().nullable(),
    /** Departments taking part besides the lead `department`; they see and work the order too. */
    participants: z.array(z.enum(DEPARTMENTS)),
    notice: workOrderNoticeSchema,
    flags: workOrderFlagsSchema,
    escalations: z.array(workOrderEscalationSchema),
    extensions: z.array(workOrderExtensionSchema),
    /** The department's result (办理结果), set on resolve. */
    result: z.string().nullable(),
    acceptedAt: epochMs.nullable(),
    resolvedAt: epochMs.nullable(),
    archivedAt: epochMs.nullable(),
    /** Engineering jobs: when the works were settled (竣工结算), which their callback sampling counts from. */
    settledAt: epochMs.nullable(),
    /** A follow-up of a callback answered "unsatisfied" (Art. 21 三): the order and callback it came from. */
    linkedFrom: z.object({ workOrderNumber: z.string(), callbackId: z.string() }).nullable(),
    /** Every transition, notice, flag and decision, oldest first. */
    history: z.array(workOrderHistoryEntrySchema),
    /** Lets a live page keep the newest of two copies of one order. */
    updatedAt: epochMs,
  })
  .meta({ id: 'WorkOrder' });
export type WorkOrderView = z.infer<typeof workOrderViewSchema>;

// ───────────────────────── the order's life (issue 12) ─────────────────────────

/** The transitions of the lifecycle table (work-orders/lifecycle.ts). `dispatch` is the system's own. */
export const LIFECYCLE_ACTIONS = ['dispatch', 'accept', 'start', 'resolve', 'archive', 'reopen'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export const resolveWorkOrderSchema = z
  .object({
    /** 办理结果: what the department did. Required: an order is not resolved without it. */
    result: text(MAX.description),
  })
  .strict()
  .meta({ id: 'ResolveWorkOrder' });
export type ResolveWorkOrderBody = z.infer<typeof resolveWorkOrderSchema>;

// The texts have their own names, not `reason`: the Chinese vocabulary names fields by path, and
// `reason` there is the agent's 未就绪原因 (contracts/zh.ts).
export const reopenWorkOrderSchema = z
  .object({ reopenReason: text(2000) })
  .strict()
  .meta({ id: 'ReopenWorkOrder' });
export type ReopenWorkOrderBody = z.infer<typeof reopenWorkOrderSchema>;

export const escalateWorkOrderSchema = z
  .object({ escalationReason: text(2000) })
  .strict()
  .meta({ id: 'EscalateWorkOrder' });
export type EscalateWorkOrderBody = z.infer<typeof escalateWorkOrderSchema>;

export const handOverWorkOrderSchema = z
  .object({
    /** The agent who owns the order from now on (首问负责制). */
    to: z.string().regex(WORK_NUMBER_RE, 'work number must be 3-6 digits'),
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .meta({ id: 'HandOverWorkOrder' });
export type HandOverWorkOrderBody = z.infer<typeof handOverWorkOrderSchema>;

export const addParticipantsSchema = z
  .object({ departments: z.array(z.enum(DEPARTMENTS)).min(1).max(DEPARTMENTS.length) })
  .strict()
  .meta({ id: 'AddParticipants' });
export type AddParticipantsBody = z.infer<typeof addParticipantsSchema>;

export const requestExtensionSchema = z
  .object({
    extensionReason: text(2000),
    /** The proposed completion time (ms since the epoch); later than now and than the current limit. */
    newDueBy: epochMs,
  })
  .strict()
  .meta({ id: 'RequestExtension' });
export type RequestExtensionBody = z.infer<typeof requestExtensionSchema>;

export const EXTENSION_DECISIONS = ['approve', 'reject'] as const;
export const decideExtensionSchema = z
  .object({
    decision: z.enum(EXTENSION_DECISIONS),
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .meta({ id: 'DecideExtension' });
export type DecideExtensionBody = z.infer<typeof decideExtensionSchema>;

export const extensionParams = workOrderNumberParams.extend({ id: z.string().regex(/^[0-9a-f]{8,32}$/, 'not an extension id') });

const onOrder = { number: workOrderNumberParams.shape.number };

/**
 * What a department page asks of one order (`order:act` on /department): one command, the
 * action as its discriminant, so an unknown action is refused by the schema (400).
 */
export const departmentActionSchema = z.discriminatedUnion('action', [
  z.object({ ...onOrder, action: z.literal('accept') }).strict(),
  z.object({ ...onOrder, action: z.literal('start') }).strict(),
  z.object({ ...onOrder, action: z.literal('resolve'), ...resolveWorkOrderSchema.shape }).strict(),
  z.object({ ...onOrder, action: z.literal('escalate'), ...escalateWorkOrderSchema.shape }).strict(),
  z.object({ ...onOrder, action: z.literal('request-extension'), ...requestExtensionSchema.shape }).strict(),
  z.object({ ...onOrder, action: z.literal('decide-extension'), id: extensionParams.shape.id, ...decideExtensionSchema.shape }).strict(),
]);
export type DepartmentActionCommand = z.infer<typeof departmentActionSchema>;

/** The call centre's actions on an order from its consoles (`work-order:act`). */
export const callCentreActionSchema = z.discriminatedUnion('action', [
  z.object({ ...onOrder, action: z.literal('archive') }).strict(),
  z.object({ ...onOrder, action: z.literal('reopen'), ...reopenWorkOrderSchema.shape }).strict(),
  z.object({ ...onOrder, action: z.literal('hand-over'), ...handOverWorkOrderSchema.shape }).strict(),
  z.object({ ...onOrder, action: z.literal('escalate'), ...escalateWorkOrderSchema.shape }).strict(),
  z.object({ ...onOrder, action: z.literal('participants'), ...addParticipantsSchema.shape }).strict(),
]);
export type CallCentreActionCommand = z.infer<typeof callCentreActionSchema>;

// ───────────────────────── 通知记录: the notices of one order (issue 12) ─────────────────────────

/** A Recording's state (models/recording.ts). */
const RECORDING_STATES = ['recording', 'done', 'failed'] as const;

/** One attempt of a recorded notice call: a Call document of direction `outbound`. */
export const noticeCallAttemptSchema = z
  .object({
    attempt: z.number().int().min(1),
    callId: z.string(),
    /** The receiver's number as dialled through the trunk. */
    dialled: z.string(),
    state: z.enum(CALL_STATES),
    placedAt: epochMs,
    answeredAt: epochMs.nullable(),
    endedAt: epochMs.nullable(),
    /** How the attempt went (acknowledged, unacknowledged, busy, no-answer…); null while it is up. */
    result: z.enum(NOTICE_CALL_RESULTS).nullable(),
    /** Played through `/api/recordings/:name`; null when the receiver never answered. */
    recordingName: z.string().nullable(),
    recordingState: z.enum(RECORDING_STATES).nullable(),
    durationSec: z.number().nonnegative().nullable(),
  })
  .meta({ id: 'NoticeCallAttempt' });
export type NoticeCallAttemptView = z.infer<typeof noticeCallAttemptSchema>;

/** One notice to one receiver: why, to whom, its SMS and its recorded call. */
export const noticeRecordSchema = z
  .object({
    key: z.string(),
    reason: z.enum(NOTICE_REASONS),
    /** Which dispatch (1 + reopenings) or which 催办 of the order. */
    seq: z.number().int().nonnegative(),
    emergency: z.boolean(),
    /** A work number, or `system` for the automatic dispatch. */
    by: z.string(),
    createdAt: epochMs,
    channels: z.array(z.enum(NOTICE_CHANNELS)),
    receiver: z.object({ name: z.string(), phone: z.string(), role: z.enum(NOTICE_RECEIVER_ROLES) }),
    /** Null when SMS was not a channel of this notice. */
    sms: z
      .object({
        status: z.enum(SMS_STATUSES),
        attempts: z.number().int().nonnegative(),
        sentAt: epochMs.nullable(),
        failedAt: epochMs.nullable(),
        error: z.string().nullable(),
      })
      .nullable(),
    /** Null when the call was not a channel of this notice. */
    call: z
      .object({
        status: z.enum(NOTICE_CALL_STATUSES),
        attempts: z.number().int().nonnegative(),
        result: z.enum(NOTICE_CALL_RESULTS).nullable(),
        calls: z.array(noticeCallAttemptSchema),
      })
      .nullable(),
    /** The receiver pressed 1 on this notice's call: when, and who (their phone). */
    acknowledgedAt: epochMs.nullable(),
    acknowledgedBy: z.string().nullable(),
  })
  .meta({ id: 'NoticeRecord' });
export type NoticeRecordView = z.infer<typeof noticeRecordSchema>;

export const orderNoticesSchema = z
  .object({
    number: z.string(),
    /** The order's acknowledgement (key 1 on a call, or accepting on the department page). */
    acknowledgedAt: epochMs.nullable(),
    acknowledgedBy: z.string().nullable(),
    /** Oldest first. */
    notices: z.array(noticeRecordSchema),
  })
  .meta({ id: 'OrderNotices' });
export type OrderNoticesView = z.infer<typeof orderNoticesSchema>;
