import { z } from 'zod';
import { DISPATCH_KINDS, VALVE_STATES } from '../models/dispatch-entry';
import { epochMs } from './common';

const areaCode = z.string().regex(/^[A-Z0-9-]{2,16}$/, 'area code: A-Z, digits, dash (2–16)');

/** A leak, repair or valve closure (the call centre), or a network anomaly (dispatch), Art. 19. */
export const createDispatchEntrySchema = z
  .object({
    kind: z.enum(DISPATCH_KINDS),
    location: z.string().trim().min(1).max(200),
    diameterMm: z.number().int().min(15).max(3000).optional(),
    valveStatus: z.enum(VALVE_STATES).optional(),
    areaCodes: z.array(areaCode).max(50).default([]),
    affectedArea: z.string().trim().max(500).optional(),
    expectedRepairAt: epochMs.optional(),
    note: z.string().trim().max(2000).optional(),
    workOrderNumber: z.string().regex(/^WO\d{8}-\d{4,}$/).optional(),
    outageNumber: z.string().regex(/^TS\d{8}-\d{2,}$/).optional(),
  })
  .strict()
  .meta({ id: 'CreateDispatchEntry' });
export type CreateDispatchEntryBody = z.infer<typeof createDispatchEntrySchema>;

export const dispatchEntryIdParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/, 'not an entry id') });
export const listDispatchQuery = z.object({
  status: z.enum(['open', 'closed']).optional(),
  kind: z.enum(DISPATCH_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListDispatchQuery = z.infer<typeof listDispatchQuery>;

export const dispatchEntryViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(DISPATCH_KINDS),
    location: z.string(),
    diameterMm: z.number().nullable(),
    valveStatus: z.enum(VALVE_STATES).nullable(),
    areaCodes: z.array(z.string()),
    affectedArea: z.string().nullable(),
    expectedRepairAt: epochMs.nullable(),
    note: z.string().nullable(),
    workOrderNumber: z.string().nullable(),
    outageNumber: z.string().nullable(),
    status: z.enum(['open', 'closed']),
    side: z.enum(['call-centre', 'dispatch']),
    createdBy: z.string(),
    createdAt: epochMs,
    closedBy: z.string().nullable(),
    closedAt: epochMs.nullable(),
  })
  .meta({ id: 'DispatchEntry' });
export type DispatchEntryView = z.infer<typeof dispatchEntryViewSchema>;
