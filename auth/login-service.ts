import bcrypt from 'bcryptjs';
import type { RedisClient } from '../core/connections';
import { AppError, unauthorized } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import type { Role } from '../models/enums';
import type { LoginRequest, LoginResponse, SessionUser } from '../contracts';
import type { TokenService } from './token-service';

const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 15 * 60_000;

/** Password log-in for every role; repeated failures on one work number are locked out for a while. */
export class LoginService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly deps: { models: Models; redis: RedisClient; tokens: TokenService; keyPrefix: string; logger: Logger },
  ) {}

  async login({ workNumber, password }: LoginRequest): Promise<LoginResponse> {
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
