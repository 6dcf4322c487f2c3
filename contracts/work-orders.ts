import { z } from 'zod';
import {
  DEPARTMENTS,
  LEAK_DETAIL_CATEGORIES,
  PHONE_RE,
  ACCOUNT_NUMBER_RE,
  WORK_ORDER_CATEGORIES,
  WORK_ORDER_LIMITS as MAX,
  WORK_ORDER_STATUSES,
  type DepartmentCode,
  type WorkOrderCategory,
  type WorkOrderStatus,
} from '../models/enums';
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

export const workOrderViewSchema = z
  .object({
    number: z.string(),
    category: z.enum(WORK_ORDER_CATEGORIES),
    department: z.enum(DEPARTMENTS),
    status: z.enum(WORK_ORDER_STATUSES),
    emergency: z.boolean(),
    createdAt: epochMs,
    address: z.string(),
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
    /** Lets a live page keep the newest of two copies of one order. */
    updatedAt: epochMs,
  })
  .meta({ id: 'WorkOrder' });
export type WorkOrderView = z.infer<typeof workOrderViewSchema>;
