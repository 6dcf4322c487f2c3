import type { ErrorRequestHandler, RequestHandler } from 'express';
import { describeError } from '../core/errors';
import type { Logger } from '../core/logger';
import { ZH_VOCABULARY, zhForCode, type ErrorBody } from '../contracts';

/** The one place where errors become HTTP responses: `{ error: { code, message, zh, details? } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const { status, ...error } = describeError(err, ZH_VOCABULARY);
    if (status >= 500) logger.error({ err, path: req.path }, 'request failed');
    else logger.debug({ path: req.path, status, code: error.code }, 'request refused');
    // Part of a file already left: nothing sensible can follow; express closes the connection.
    if (res.headersSent) return next(err);
    const body: ErrorBody = { error };
    // A route that had begun a file (audio/wav) and then failed answers JSON, labelled as JSON.
    res.removeHeader('Content-Disposition');
    res.status(status).type('application/json').json(body);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  const body: ErrorBody = { error: { code: 'not_found', message: `no route ${req.method} ${req.path}`, zh: zhForCode('not_found') } };
  res.status(404).json(body);
};
