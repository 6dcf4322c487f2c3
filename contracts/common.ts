import { z } from 'zod';

/**
 * What every failed REST request and every refused socket command carries. `code` is what clients
 * branch on (validation, conflict, not_found, forbidden, rate_limited, internal…); `message` is
 * English for logs and API users; the consoles translate the code into Chinese for people.
 */
export const errorDetailSchema = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
export type AckError = z.infer<typeof errorDetailSchema>;

export const errorBodySchema = z.object({ error: errorDetailSchema }).meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Every socket command is answered with exactly one ack: the result, or why not. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type AckFn<T> = (res: Ack<T>) => void;

/** ms since the epoch (server clock; snapshots carry `serverNow` so a browser can correct its own). */
export const epochMs = z.number().int().nonnegative();
