import { z } from 'zod';
import { DEPARTMENTS } from '../models/enums';
import { OUTAGE_ACTIONS, OUTAGE_CHANNELS, OUTAGE_KINDS, OUTAGE_SOURCES, OUTAGE_STATUSES } from '../models/outage';
import { epochMs } from './common';

const areaCode = z.string().regex(/^[A-Z0-9-]{2,16}$/, 'area code: A-Z, digits, dash (2–16)');
const text = (max: number) => z.string().trim().min(1).max(max);

export const outageValveSchema = z
  .object({
    count: z.number().int().min(1).max(1000),
    diameterMm: z.number().int().min(15).max(3000),
    number: z.string().trim().max(50).optional(),
    location: text(200),
  })
  .strict();

/** A new outage notice (草稿), Art. 16: where, when, which valves, the road, how many people. */
export const createOutageSchema = z
  .object({
    kind: z.enum(OUTAGE_KINDS),
    source: z.enum(OUTAGE_SOURCES),
    areaCodes: z.array(areaCode).min(1).max(50),
    streets: z.array(text(100)).max(100).default([]),
    areaDescription: text(1000),
    startsAt: epochMs,
    expectedEndAt: epochMs,
    valves: z.array(outageValveSchema).max(50).default([]),
    mainRoadDug: z.boolean().default(false),
    peopleAffected: z.number().int().min(0).max(10_000_000),
    /** Responsible for the works: 工程公司 for the network, 生产部 for a plant, unless said. */
    department: z.enum(DEPARTMENTS).optional(),
    reason: z.string().trim().max(1000).optional(),
  })
  .strict()
  .refine((o) => o.expectedEndAt > o.startsAt, { message: 'expectedEndAt must be after startsAt', path: ['expectedEndAt'] })
  .meta({ id: 'CreateOutage' });
export type CreateOutageBody = z.infer<typeof createOutageSchema>;

/** A moved or extended outage: new times (a published notice is published again, big users told again). */
export const rescheduleOutageSchema = z
  .object({ startsAt: epochMs, expectedEndAt: epochMs, note: z.string().trim().max(500).optional() })
  .strict()
  .refine((o) => o.expectedEndAt > o.startsAt, { message: 'expectedEndAt must be after startsAt', path: ['expectedEndAt'] })
  .meta({ id: 'RescheduleOutage' });
export type RescheduleOutageBody = z.infer<typeof rescheduleOutageSchema>;

/** The city bureau's approval of a large planned network outage (Art. 16): who, the reference, when. */
export const bureauApprovalSchema = z
  .object({ by: text(100), reference: text(100), at: epochMs })
  .strict()
  .meta({ id: 'BureauApproval' });
export type BureauApprovalBody = z.infer<typeof bureauApprovalSchema>;

export const OUTAGE_STEPS = ['approve', 'publish', 'start', 'restore', 'cancel'] as const;
export type OutageStep = (typeof OUTAGE_STEPS)[number];
export const outageStepParams = z.object({ number: z.string().regex(/^TS\d{8}-\d{2,}$/, 'not an outage number'), step: z.enum(OUTAGE_STEPS) });
export const outageNumberParams = z.object({ number: z.string().regex(/^TS\d{8}-\d{2,}$/, 'not an outage number') });

export const listOutagesQuery = z.object({
  status: z.enum(OUTAGE_STATUSES).optional(),
  /** Only those announced or under way (the board, the pop). */
  active: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListOutagesQuery = z.infer<typeof listOutagesQuery>;

export const outageViewSchema = z
  .object({
    number: z.string(),
    kind: z.enum(OUTAGE_KINDS),
    source: z.enum(OUTAGE_SOURCES),
    areaCodes: z.array(z.string()),
    streets: z.array(z.string()),
    areaDescription: z.string(),
    startsAt: epochMs,
    expectedEndAt: epochMs,
    valves: z.array(z.object({ count: z.number(), diameterMm: z.number(), number: z.string().nullable(), location: z.string() })),
    mainRoadDug: z.boolean(),
    peopleAffected: z.number().int(),
    department: z.enum(DEPARTMENTS),
    reason: z.string().nullable(),
    /** Over OUTAGE_LARGE_THRESHOLD people (5000). */
    large: z.boolean(),
    /** Large planned network work: publication waits for the bureau's approval. */
    needsBureauApproval: z.boolean(),
    status: z.enum(OUTAGE_STATUSES),
    bureauApproval: z.object({ by: z.string(), reference: z.string(), at: epochMs, recordedBy: z.string() }).nullable(),
    version: z.number().int(),
    publications: z.array(
      z.object({
        channel: z.enum(OUTAGE_CHANNELS),
        version: z.number().int(),
        what: z.enum(['notice', 'cancelled', 'restored']),
        status: z.enum(['pending', 'sent', 'failed']),
        attempts: z.number().int(),
        sentAt: epochMs.nullable(),
        error: z.string().nullable(),
      }),
    ),
    createdBy: z.string(),
    createdAt: epochMs,
    publishedAt: epochMs.nullable(),
    startedAt: epochMs.nullable(),
    restoredAt: epochMs.nullable(),
    cancelledAt: epochMs.nullable(),
    history: z.array(z.object({ action: z.enum(OUTAGE_ACTIONS), by: z.string(), at: epochMs, note: z.string().nullable() })),
    /** Announced or under way: the hotline calls from its areas told of it, and how many left informed (pressed 1); null otherwise. */
    calls: z.object({ total: z.number().int(), informed: z.number().int() }).nullable(),
  })
  .meta({ id: 'Outage' });
export type OutageNoticeView = z.infer<typeof outageViewSchema>;
