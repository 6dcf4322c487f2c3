import bcrypt from 'bcryptjs';
import { Router, type RequestHandler, type Response } from 'express';
import type { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError, forbidden, unauthorized } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import { DEPARTMENTS, ROLES, WORK_NUMBER_RE, type Role } from '../models/enums';
import type { LoginResponse, SessionUser } from '../ws/contracts';

const ISSUER = 'hotline-cti';
const CONSOLE_AUDIENCE = 'hotline-console';
const RECORDING_AUDIENCE = 'hotline-recording';

const claimsSchema = z.object({
  sub: z.string().regex(WORK_NUMBER_RE),
  name: z.string(),
  role: z.enum(ROLES),
  dept: z.enum(DEPARTMENTS).optional(),
  exp: z.number(),
});

/**
 * Console tokens: HS256 JWTs (jsonwebtoken) that expire after TOKEN_TTL. Stateless, so any CTI
 * process accepts a token another one issued (they share JWT_SECRET). The algorithm is pinned on
 * verification so a token cannot choose its own (`none`, or RS/HS confusion).
 */
export class TokenService {
  constructor(
    private readonly secret: string,
    readonly ttlSec: number,
  ) {}

  issue(user: SessionUser): { token: string; expiresAt: number } {
    const token = jwt.sign({ name: user.name, role: user.role, ...(user.department ? { dept: user.department } : {}) }, this.secret, {
      algorithm: 'HS256',
      expiresIn: this.ttlSec,
      issuer: ISSUER,
      audience: CONSOLE_AUDIENCE,
      subject: user.workNumber,
    });
    return { token, expiresAt: this.expiryOf(token) };
  }

  /** The user a console token names; throws 401 when it is missing, forged, expired or malformed. */
  verify(token: unknown): { user: SessionUser; expiresAt: number } {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) throw unauthorized();
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: CONSOLE_AUDIENCE });
    } catch (err) {
      throw unauthorized(err instanceof jwt.TokenExpiredError ? 'token expired' : 'invalid token');
    }
    const c = claimsSchema.safeParse(payload);
    if (!c.success) throw unauthorized('invalid token');
    const user: SessionUser = { workNumber: c.data.sub, name: c.data.name, role: c.data.role, ...(c.data.dept ? { department: c.data.dept } : {}) };
    return { user, expiresAt: c.data.exp * 1000 };
  }

  /**
   * A short-lived grant to fetch one recording. An <audio> element cannot send an Authorization
   * header, so the player gets a URL carrying this grant, bound to that one file name.
   */
  signRecording(name: string, by: string, ttlSec = 600): { token: string; expiresAt: number } {
    const token = jwt.sign({ rec: name }, this.secret, {
      algorithm: 'HS256',
      expiresIn: ttlSec,
      issuer: ISSUER,
      audience: RECORDING_AUDIENCE,
      subject: by,
    });
    return { token, expiresAt: this.expiryOf(token) };
  }

  recordingGrantValid(token: unknown, name: string): boolean {
    if (typeof token !== 'string' || token.length > 4096) return false;
    try {
      const p = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: RECORDING_AUDIENCE });
      return typeof p === 'object' && p !== null && (p as { rec?: unknown }).rec === name;
    } catch {
      return false;
    }
  }

  private expiryOf(token: string): number {
    const p = jwt.decode(token) as { exp?: number } | null;
    return (p?.exp ?? 0) * 1000;
  }
}

const loginSchema = z.object({
  workNumber: z.string().regex(WORK_NUMBER_RE, 'work number must be 3-6 digits'),
  password: z.string().min(1).max(200),
});

const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 15 * 60_000;

/** Password log-in for every role; repeated failures on one work number are locked out for a while. */
export class AuthService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly deps: { models: Models; redis: Redis; tokens: TokenService; keyPrefix: string; logger: Logger },
  ) {}

  async login(input: unknown): Promise<LoginResponse> {
    const { workNumber, password } = loginSchema.parse(input);
    const { models, redis, tokens, logger } = this.deps;
    const failKey = `${this.deps.keyPrefix}:login-fail:${workNumber}`;
    const failures = Number((await redis.get(failKey)) ?? 0);
    if (failures >= MAX_FAILURES) {
      throw new AppError(429, 'rate_limited', 'too many failed log-ins for this work number; try again later');
    }
    const a = await models.Agent.findOne({ workNumber, active: true }).select('+passwordHash').lean();
    // Compare against a throw-away hash for unknown users too, so timing does not reveal who exists.
    this.dummyHash ??= bcrypt.hash('no such user', 10);
    const ok = await bcrypt.compare(password, a?.passwordHash ?? (await this.dummyHash));
    if (!a || !ok) {
      await redis.multi().incr(failKey).pexpire(failKey, FAILURE_WINDOW_MS).exec();
      logger.warn({ workNumber }, 'failed log-in');
      throw unauthorized('wrong work number or password');
    }
    await redis.del(failKey);
    const user: SessionUser = {
      workNumber,
      name: a.name,
      role: a.role as Role,
      ...(a.department ? { department: a.department } : {}),
    };
    const { token, expiresAt } = tokens.issue(user);
    logger.info({ workNumber, role: user.role }, 'log-in');
    return { token, expiresAt, ...user };
  }
}

export function authRouter(auth: AuthService, tokens: TokenService): Router {
  const router = Router();
  router.post('/login', async (req, res) => {
    res.json(await auth.login(req.body));
  });
  router.get('/me', requireRole(tokens), (_req, res) => {
    res.json(userOf(res));
  });
  return router;
}

/** Accepts a request only with a valid bearer token of one of `roles` (any role when none given). */
export function requireRole(tokens: TokenService, ...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer ([A-Za-z0-9._-]+)$/.exec(header);
    const { user } = tokens.verify(m?.[1]);
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
