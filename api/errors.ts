import type { ErrorRequestHandler, RequestHandler } from 'express';
import { describeError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ErrorBody } from '../contracts';

/** The one place where errors become HTTP responses: `{ error: { code, message, details? } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, ...error } = describeError(err);
    if (status >= 500) logger.error({ err, path: req.path }, 'request failed');
    const body: ErrorBody = { error };
    res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  const body: ErrorBody = { error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } };
  res.status(404).json(body);
};
