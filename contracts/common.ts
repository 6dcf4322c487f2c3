import { z } from 'zod';

/** One field's problem: `message` in English for logs and API users, `zh` for the person at the console. */
export const fieldErrorSchema = z
  .object({
    /** Dotted path in the request (`leak.location`); '' for the request as a whole. */
    field: z.string(),
    message: z.string(),
    zh: z.string(),
  })
  .meta({ id: 'FieldError' });
export type FieldError = z.infer<typeof fieldErrorSchema>;

/**
 * What every failed REST request and every refused socket command carries. `code` is what clients
 * branch on (validation, conflict, not_found, forbidden, rate_limited, internal…); `message` is
 * English for logs and API users; `zh` is the Chinese a person reads (naming the field, e.g.
 * 「请填写情况描述」), which the consoles show as is; `details` has one entry per field.
 */
export const errorDetailSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    zh: z.string(),
    details: z.array(fieldErrorSchema).optional(),
  })
  .meta({ id: 'ErrorDetail' });
export type AckError = z.infer<typeof errorDetailSchema>;

export const errorBodySchema = z.object({ error: errorDetailSchema }).meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Every socket command is answered with exactly one ack: the result, or why not. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type AckFn<T> = (res: Ack<T>) => void;

/** ms since the epoch (server clock; snapshots carry `serverNow` so a browser can correct its own). */
export const epochMs = z.number().int().nonnegative();
