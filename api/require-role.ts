import type { Request, RequestHandler, Response } from 'express';
import { forbidden, unauthorized } from '../core/errors';
import type { Role, SessionUser, TokenVerifier } from '../contracts';

/** The request's `Authorization: Bearer …` token, verified: its user, expiry and id; 401 when missing or invalid. */
export function bearerSession(req: Request, tokens: TokenVerifier): ReturnType<TokenVerifier['verify']> {
  const m = /^Bearer ([A-Za-z0-9._-]+)$/.exec(req.get('authorization') ?? '');
  return tokens.verify(m?.[1]);
}

/** The user named by the request's bearer token; 401 when missing or invalid. */
export function bearerUser(req: Request, tokens: TokenVerifier): SessionUser {
  return bearerSession(req, tokens).user;
}

/** Accepts a request only with a valid bearer token of one of `roles` (any role when none given). */
export function requireRole(tokens: TokenVerifier, ...roles: readonly Role[]): RequestHandler {
  return (req, res, next) => {
    const user = bearerUser(req, tokens);
    if (roles.length > 0 && !roles.includes(user.role)) throw forbidden();
    res.locals.user = user;
    next();
  };
}

/** The user requireRole put on the response. */
export function userOf(res: Response): SessionUser {
  const u = res.locals.user as SessionUser | undefined;
  if (!u) throw unauthorized();
  return u;
}
