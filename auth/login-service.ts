import bcrypt from 'bcryptjs';
import type { RedisClient } from '../core/connections';
import { AppError, unauthorized } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import type { Role } from '../models/enums';
import type { LoginRequest, LoginResponse, SessionUser } from '../contracts';
import type { TokenService } from './token-service';
import { ADDRESS_LOCK_S, LoginLimits, PAIR_FAILURES, PAIR_LOCK_S, type LoginRefusal } from './login-limits';

/** A refused attempt, with how long to wait in the person's words. */
function tooMany(r: LoginRefusal): AppError {
  const wait = r.retryInS >= 60 ? `${Math.ceil(r.retryInS / 60)} 分钟` : `${r.retryInS} 秒`;
  const zh =
    r.why === 'pair'
      ? `本机连续 ${PAIR_FAILURES} 次密码错误，已暂停登录该工号 ${PAIR_LOCK_S / 60} 分钟，请 ${wait}后再试`
      : r.why === 'address'
        ? `本机密码错误次数过多，已暂停登录 ${ADDRESS_LOCK_S / 60} 分钟，请 ${wait}后再试`
        : `该工号近期密码错误次数过多，请 ${wait}后再试`;
  return new AppError(429, 'rate_limited', `too many failed log-ins (${r.why}); retry in ${r.retryInS} s`, { zh });
}

/**
 * Password log-in for every role. Wrong passwords are limited per client address and work number
 * together (auth/login-limits.ts): an attacker locks out only their own address, never the agent.
 */
export class LoginService {
  private dummyHash?: Promise<string>;
  private readonly limits: LoginLimits;

  constructor(
    private readonly deps: { models: Models; redis: RedisClient; tokens: TokenService; keyPrefix: string; logger: Logger },
  ) {
    this.limits = new LoginLimits(deps.redis, deps.keyPrefix);
  }

  /** `ip`: the client's address as the server sees it (behind a reverse proxy, the proxy's: see README). */
  async login({ workNumber, password }: LoginRequest, ip = 'unknown'): Promise<LoginResponse> {
    const { models, tokens, logger } = this.deps;
    const refused = await this.limits.refusal(ip, workNumber);
    if (refused) throw tooMany(refused);
    const a = await models.Agent.findOne({ workNumber, active: true }).select('+passwordHash').lean();
    // Compare against a throw-away hash for unknown users too, so timing does not reveal who exists.
    this.dummyHash ??= bcrypt.hash('no such user', 10);
    const ok = await bcrypt.compare(password, a?.passwordHash ?? (await this.dummyHash));
    if (!a || !ok) {
      const left = await this.limits.failed(ip, workNumber);
      logger.warn({ workNumber, ip }, 'failed log-in');
      // Warned before the lock, not only after it: the person can stop and ask for a reset instead.
      const lockMin = PAIR_LOCK_S / 60;
      throw unauthorized(
        'wrong work number or password',
        left > 0 && left <= 3
          ? `工号或密码错误，再错 ${left} 次本机将暂停登录该工号 ${lockMin} 分钟`
          : left <= 0
            ? `工号或密码错误，本机已暂停登录该工号 ${lockMin} 分钟`
            : '工号或密码错误',
      );
    }
    await this.limits.succeeded(ip, workNumber);
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
