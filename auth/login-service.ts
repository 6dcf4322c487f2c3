import bcrypt from 'bcryptjs';
import type { RedisClient } from '../core/connections';
import { AppError, unauthorized } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import type { Role } from '../models/enums';
import type { LoginRequest, LoginResponse, SessionUser } from '../contracts';
import type { TokenService } from './token-service';

/** Wrong passwords in a row after which a work number is locked… */
export const MAX_FAILURES = 10;
/** …for this long after the last of them (each failure restarts the lock). */
export const LOCK_MS = 15 * 60_000;

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
      // The person is told how long to wait: the lock's own remaining time, rounded up to minutes.
      const leftMs = await redis.pttl(failKey);
      const minutes = Math.max(1, Math.ceil((leftMs > 0 ? leftMs : LOCK_MS) / 60_000));
      throw new AppError(429, 'rate_limited', `too many failed log-ins for this work number; locked for ${LOCK_MS / 60_000} minutes, try again in ${minutes} min`, {
        zh: `该工号连续 ${MAX_FAILURES} 次密码错误，已锁定 ${LOCK_MS / 60_000} 分钟，请 ${minutes} 分钟后再试`,
      });
    }
    const a = await models.Agent.findOne({ workNumber, active: true }).select('+passwordHash').lean();
    // Compare against a throw-away hash for unknown users too, so timing does not reveal who exists.
    this.dummyHash ??= bcrypt.hash('no such user', 10);
    const ok = await bcrypt.compare(password, a?.passwordHash ?? (await this.dummyHash));
    if (!a || !ok) {
      const counted = await redis.multi().incr(failKey).pexpire(failKey, LOCK_MS).exec();
      logger.warn({ workNumber }, 'failed log-in');
      // Warned before the lock, not only after it: the person can stop and ask for a reset instead.
      const left = MAX_FAILURES - Number(counted?.[0]?.[1] ?? 0);
      throw unauthorized(
        'wrong work number or password',
        left > 0 && left <= 3
          ? `工号或密码错误，再错 ${left} 次将锁定 ${LOCK_MS / 60_000} 分钟`
          : left <= 0
            ? `工号或密码错误，该工号已锁定 ${LOCK_MS / 60_000} 分钟`
            : '工号或密码错误',
      );
    }
    await redis.del(failKey);
    const user: SessionUser = {
      workNumber,
      name: a.name,
      role: a.role as Role,
      ...(a.department ? { department: a.department } : {}),
      // Only a department's own leader approves its extension requests; the page shows them the decisions.
      ...(a.role === 'department' && a.leader ? { leader: true } : {}),
    };
    const { token, expiresAt } = tokens.issue(user);
    logger.info({ workNumber, role: user.role }, 'log-in');
    return { token, expiresAt, ...user };
  }
}
