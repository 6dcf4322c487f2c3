import { EventEmitter } from 'node:events';
import type { RedisClient } from '../core/connections';
import type { Logger } from '../core/logger';
import type { EventBus } from '../events/event-bus';

/** A full read now and then: a revocation whose event was lost reaches every process within this. */
const RELOAD_MS = 30_000;

/**
 * Tokens ended by 退出登录 before their time: a short deny list in Redis (a sorted set of token ids
 * scored by their expiry, so it only ever holds tokens still valid), mirrored in each process's
 * memory so checking a token stays synchronous. The process that revokes knows at once; the others
 * hear it over the event bus, and read the whole list again after a bus gap and every 30 s.
 */
export class TokenRevocations {
  private ids = new Set<string>();
  private readonly events = new EventEmitter();
  private timer?: NodeJS.Timeout;
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly d: { redis: RedisClient; prefix: string; bus: EventBus; logger: Logger }) {}

  private get key(): string {
    return `${this.d.prefix}:revoked-tokens`;
  }

  async start(): Promise<void> {
    await this.reload();
    this.unsubscribe.push(
      this.d.bus.subscribe((e) => {
        if (e.type === 'token.revoked') this.add(e.tokenId);
      }),
      this.d.bus.onGap(() => void this.reload().catch((err: unknown) => this.d.logger.warn({ err }, 'revoked tokens: reload failed'))),
    );
    this.timer = setInterval(() => void this.reload().catch(() => undefined), RELOAD_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const u of this.unsubscribe.splice(0)) u();
  }

  has(tokenId: string): boolean {
    return this.ids.has(tokenId);
  }

  /** Called with each token id revoked (here or on another process): its sockets are closed. */
  onRevoked(cb: (tokenId: string) => void): void {
    this.events.on('revoked', cb);
  }

  async revoke(tokenId: string, expiresAt: number): Promise<void> {
    const now = Date.now();
    await this.d.redis.multi().zadd(this.key, expiresAt, tokenId).zremrangebyscore(this.key, '-inf', now).pexpireat(this.key, Math.max(expiresAt, now + 1000)).exec();
    this.add(tokenId);
    await this.d.bus.publish({ type: 'token.revoked', tokenId, expiresAt });
  }

  private add(tokenId: string): void {
    if (this.ids.has(tokenId)) return;
    this.ids.add(tokenId);
    this.events.emit('revoked', tokenId);
  }

  private async reload(): Promise<void> {
    const ids = await this.d.redis.zrangebyscore(this.key, Date.now(), '+inf');
    const next = new Set(ids);
    for (const id of next) if (!this.ids.has(id)) this.events.emit('revoked', id);
    this.ids = next;
  }
}
