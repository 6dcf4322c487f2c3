import type { ErrorRequestHandler, RequestHandler } from 'express';
import mongoose from 'mongoose';
import { ZodError } from 'zod';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';

/** The one place where errors become HTTP responses: `{ error: { code, message, details? } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, body } = toResponse(err);
    if (status >= 500) logger.error({ err, path: req.path }, 'request failed');
    res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
};

export function toResponse(err: unknown): { status: number; body: { error: Record<string, unknown> } } {
  if (err instanceof AppError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    return {
      status: 400,
      body: { error: { code: 'validation', message: details.map((d) => `${d.field || 'body'}: ${d.message}`).join('; '), details } },
    };
  }
  if (err instanceof mongoose.Error.ValidationError) {
    const details = Object.values(err.errors).map((e) => ({ field: e.path, message: e.message }));
    return { status: 400, body: { error: { code: 'validation', message: err.message, details } } };
  }
  if (isDuplicateKey(err)) {
    return { status: 409, body: { error: { code: 'conflict', message: 'already exists' } } };
  }
  if (isBodyParseError(err)) {
    return { status: 400, body: { error: { code: 'bad_json', message: 'request body is not valid JSON' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

function isBodyParseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
}
