import { z } from 'zod';
import {
  DEPARTMENTS,
  LEAK_DETAIL_CATEGORIES,
  PHONE_RE,
  WORK_ORDER_CATEGORIES,
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
    location: z.string().trim().max(200).optional(),
    pipeDiameterMm: z.number().int().min(1).max(3000).optional(),
    meterSide: z.enum(METER_SIDES).optional(),
    landmarks: z.string().trim().max(200).optional(),
  })
  .strict()
  .meta({ id: 'LeakDetails' });
export type LeakDetails = z.infer<typeof leakDetailsSchema>;

export const createWorkOrderSchema = z
  .object({
    category: z.enum(WORK_ORDER_CATEGORIES),
    /** The call it was taken on (links the order to the call and its recording). */
    callId: z.string().regex(/^[0-9a-f-]{36}$/, 'not a call id').optional(),
    customerAccount: z.string().regex(/^\d{6,12}$/, 'account number must be 6-12 digits').optional(),
    contactName: z.string().trim().max(100).optional(),
    contactPhone: z.string().regex(PHONE_RE, 'a valid contact number is required'),
    address: text(200),
    description: text(4000),
    /** Required (`location`) for leak, fault and pipe burst. */
    leak: leakDetailsSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Art. 13: a leak or fault report is not actionable without the exact location.
    if (LEAK_DETAIL_CATEGORIES.includes(c.category) && !c.leak?.location) {
      ctx.addIssue({ code: 'custom', path: ['leak', 'location'], message: 'the exact location is required for leak and fault reports' });
    }
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
    leak: leakDetailsSchema.nullable(),
  })
  .meta({ id: 'WorkOrder' });
export type WorkOrderView = z.infer<typeof workOrderViewSchema>;
