import mongoose from 'mongoose';
import { ZodError } from 'zod';

/**
 * Typed errors with a stable code, mapped to HTTP statuses and socket acks in one place
 * (`describeError` below). The code is what clients branch on; the message is for logs and API users.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError(400, 'bad_request', message, details);
export const unauthorized = (message = 'authentication required') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'not allowed for this role') => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new AppError(409, 'conflict', message);
export const unavailable = (message: string) => new AppError(503, 'unavailable', message);

export interface ErrorDescription {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/** Any thrown value → status, code and message; the HTTP error handler and socket acks both use it. */
export function describeError(err: unknown): ErrorDescription {
  if (err instanceof AppError) {
    return { status: err.status, code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    return { status: 400, code: 'validation', message: details.map((d) => `${d.field || 'body'}: ${d.message}`).join('; '), details };
  }
  if (err instanceof mongoose.Error.ValidationError) {
    const details = Object.values(err.errors).map((e) => ({ field: e.path, message: e.message }));
    return { status: 400, code: 'validation', message: err.message, details };
  }
  if (isDuplicateKey(err)) return { status: 409, code: 'conflict', message: 'already exists' };
  if (isBodyParseError(err)) return { status: 400, code: 'bad_json', message: 'request body is not valid JSON' };
  return { status: 500, code: 'internal', message: 'internal error' };
}

/** MongoDB's E11000: a unique index refused the write. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

function isBodyParseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
}
