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
