import { z } from 'zod';
import { epochMs } from './common';

export const recordingLinkSchema = z
  .object({
    /** Same-origin URL with a short-lived grant bound to this one file (an <audio> element sends no bearer header). */
    url: z.string(),
    expiresAt: epochMs,
  })
  .meta({ id: 'RecordingLink' });
export type RecordingLink = z.infer<typeof recordingLinkSchema>;

export const recordingNameParams = z.object({ name: z.string().max(200) });
export const recordingGrantQuery = z.object({ grant: z.string().max(4096).optional() });

/** The recordings' audit as admins read it, supervisors' live monitoring included: newest first. */
export const recordingAccessQuery = z.object({
  workNumber: z.string().regex(/^\d{3,6}$/, 'a work number').optional(),
  callId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'a call id').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const recordingAccessViewSchema = z
  .object({
    at: z.number().int(),
    workNumber: z.string(),
    role: z.enum(['agent', 'supervisor', 'admin', 'department']),
    /** null for live monitoring (`listen`, `whisper`, `barge`): the call is `callId`. */
    recording: z.string().nullable(),
    callId: z.string().nullable(),
    via: z.enum(['play', 'download', 'listen', 'whisper', 'barge']),
    ip: z.string().nullable(),
  })
  .meta({ id: 'RecordingAccess' });
export type RecordingAccessView = z.infer<typeof recordingAccessViewSchema>;
