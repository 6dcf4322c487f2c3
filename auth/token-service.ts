import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { unauthorized } from '../core/errors';
import { DEPARTMENTS, ROLES, WORK_NUMBER_RE } from '../models/enums';
import type { SessionUser, TokenVerifier } from '../contracts';
import type { TokenRevocations } from './token-revocations';

const ISSUER = 'hotline-cti';
const CONSOLE_AUDIENCE = 'hotline-console';
const RECORDING_AUDIENCE = 'hotline-recording';

const claimsSchema = z.object({
  sub: z.string().regex(WORK_NUMBER_RE),
  name: z.string(),
  role: z.enum(ROLES),
  dept: z.enum(DEPARTMENTS).optional(),
  ldr: z.boolean().optional(),
  exp: z.number(),
  /** Absent on tokens issued before log-out could revoke them. */
  jti: z.string().max(64).optional(),
});

/**
 * Console tokens: HS256 JWTs (jsonwebtoken) that expire after TOKEN_TTL. Stateless, so any CTI
 * process accepts a token another one issued (they share JWT_SECRET). The algorithm is pinned on
 * verification so a token cannot choose its own (`none`, or RS/HS confusion).
 */
export class TokenService implements TokenVerifier {
  private revocations?: Pick<TokenRevocations, 'has' | 'onRevoked'>;

  constructor(
    private readonly secret: string,
    readonly ttlSec: number,
  ) {}

  /** Tokens revoked at log-out are refused from then on (each process's memory mirrors the Redis list). */
  useRevocations(r: Pick<TokenRevocations, 'has' | 'onRevoked'>): void {
    this.revocations = r;
  }

  onRevoked(cb: (tokenId: string) => void): void {
    this.revocations?.onRevoked(cb);
  }

  issue(user: SessionUser): { token: string; expiresAt: number } {
    const token = jwt.sign({ name: user.name, role: user.role, ...(user.department ? { dept: user.department } : {}), ...(user.leader ? { ldr: true } : {}) }, this.secret, {
      algorithm: 'HS256',
      expiresIn: this.ttlSec,
      issuer: ISSUER,
      audience: CONSOLE_AUDIENCE,
      subject: user.workNumber,
      jwtid: randomUUID(),
    });
    return { token, expiresAt: this.expiryOf(token) };
  }

  /** The user a console token names; throws 401 when it is missing, forged, expired or malformed. */
  verify(token: unknown): { user: SessionUser; expiresAt: number; tokenId?: string } {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) throw unauthorized();
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: CONSOLE_AUDIENCE });
    } catch (err) {
      throw unauthorized(err instanceof jwt.TokenExpiredError ? 'token expired' : 'invalid token');
    }
    const c = claimsSchema.safeParse(payload);
    if (!c.success) throw unauthorized('invalid token');
    if (c.data.jti && this.revocations?.has(c.data.jti)) throw unauthorized('token revoked at log-out', '已退出登录，请重新登录');
    const user: SessionUser = { workNumber: c.data.sub, name: c.data.name, role: c.data.role, ...(c.data.dept ? { department: c.data.dept } : {}), ...(c.data.ldr ? { leader: true } : {}) };
    return { user, expiresAt: c.data.exp * 1000, ...(c.data.jti ? { tokenId: c.data.jti } : {}) };
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
