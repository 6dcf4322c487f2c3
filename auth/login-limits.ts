import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClient } from '../core/connections';

/** Wrong passwords for one work number from one client address before that pair is locked… */
export const PAIR_FAILURES = 10;
/** …for this long (the failures are counted over the same window). */
export const PAIR_LOCK_S = 15 * 60;
/** Wrong passwords from one address, whatever the work number, before the address is locked for an hour (spraying). */
export const ADDRESS_FAILURES = 50;
export const ADDRESS_LOCK_S = 60 * 60;
/**
 * Wrong passwords for one work number from anywhere within 15 minutes after which every attempt on
 * it waits: 2, 4, 8 … seconds after the last failure, never more than a minute. A slowdown, not a
 * lock: an attacker spread over many addresses slows the guessing but cannot keep the agent out.
 */
export const ACCOUNT_SLOWDOWN_AFTER = 20;
export const ACCOUNT_MAX_DELAY_S = 60;

export type LoginRefusal = { why: 'pair' | 'address' | 'slowdown'; retryInS: number };

const WINDOW_S = 15 * 60;

/**
 * The log-in limits, kept in Redis by rate-limiter-flexible (each count one atomic script), so every
 * CTI process agrees. Only failures count; a success clears its own pair.
 */
export class LoginLimits {
  private readonly pair: RateLimiterRedis;
  private readonly address: RateLimiterRedis;
  private readonly account: RateLimiterRedis;
  private readonly delay: RateLimiterRedis;

  constructor(redis: RedisClient, prefix: string) {
    const make = (name: string, points: number, duration: number, blockDuration = 0) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:login-${name}`, points, duration, blockDuration });
    this.pair = make('pair', PAIR_FAILURES, PAIR_LOCK_S, PAIR_LOCK_S);
    this.address = make('address', ADDRESS_FAILURES, ADDRESS_LOCK_S, ADDRESS_LOCK_S);
    // Counts only; the slowdown is its own key, blocked for the current delay after each failure.
    this.account = make('account', 1_000_000, WINDOW_S);
    this.delay = make('delay', 1, ACCOUNT_MAX_DELAY_S);
  }

  /** Why this attempt may not be tried now, or null. */
  async refusal(ip: string, workNumber: string): Promise<LoginRefusal | null> {
    const [pair, address, delay] = await Promise.all([this.pair.get(`${ip}|${workNumber}`), this.address.get(ip), this.delay.get(workNumber)]);
    const s = (r: RateLimiterRes) => Math.max(1, Math.ceil(r.msBeforeNext / 1000));
    if (pair && pair.consumedPoints >= PAIR_FAILURES) return { why: 'pair', retryInS: s(pair) };
    if (address && address.consumedPoints >= ADDRESS_FAILURES) return { why: 'address', retryInS: s(address) };
    if (delay && delay.consumedPoints > 1 && delay.msBeforeNext > 0) return { why: 'slowdown', retryInS: s(delay) };
    return null;
  }

  /** Counts a wrong password; returns how many more this address may try on this work number before its lock. */
  async failed(ip: string, workNumber: string): Promise<number> {
    const [pair, , account] = await Promise.all([
      this.pair.consume(`${ip}|${workNumber}`).catch(asRes),
      this.address.consume(ip).catch(asRes),
      this.account.consume(workNumber).catch(asRes),
    ]);
    const n = account.consumedPoints;
    if (n >= ACCOUNT_SLOWDOWN_AFTER) {
      await this.delay.block(workNumber, Math.min(ACCOUNT_MAX_DELAY_S, 2 ** Math.min(6, n - ACCOUNT_SLOWDOWN_AFTER + 1)));
    }
    return Math.max(0, PAIR_FAILURES - pair.consumedPoints);
  }

  /** The right password: this address's count for the work number starts again. */
  async succeeded(ip: string, workNumber: string): Promise<void> {
    await this.pair.delete(`${ip}|${workNumber}`);
  }
}

/** A refused consume rejects with the limiter's answer (over its points), or with a Redis error, which is passed on. */
function asRes(e: unknown): RateLimiterRes {
  if (e instanceof RateLimiterRes) return e;
  throw e;
}
