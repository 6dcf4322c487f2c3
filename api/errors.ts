import type { ErrorRequestHandler, RequestHandler } from 'express';
import { describeError } from '../core/errors';
import type { Logger } from '../core/logger';
import { ZH_VOCABULARY, zhForCode, type ErrorBody } from '../contracts';

/** The one place where errors become HTTP responses: `{ error: { code, message, zh, details? } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, ...error } = describeError(err, ZH_VOCABULARY);
    if (status >= 500) logger.error({ err, path: req.path }, 'request failed');
    const body: ErrorBody = { error };
    res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  const body: ErrorBody = { error: { code: 'not_found', message: `no route ${req.method} ${req.path}`, zh: zhForCode('not_found') } };
  res.status(404).json(body);
};
