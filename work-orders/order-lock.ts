import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../core/connections';
import { conflict } from '../core/errors';

/** Deletes the lock only if it is still ours: a lock that expired and was taken by another writer stays theirs. */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

export interface OrderLockOptions {
  /** How long a lock lives if its holder dies without releasing it. */
  ttlMs: number;
  /** How long a writer waits for the order before giving up (409). */
  waitMs: number;
}

/**
 * One writer per order at a time, across every CTI process. FerretDB applies an update as
 * read-modify-write of the whole document and does not hold the filter while it writes: two
 * `findOneAndUpdate`s with the same precondition both match, and concurrent `$push`es lose entries
 * (test/integration/work-order-life.test.ts shows both races). Every change to an order is
 * therefore made under this per-order Redis lock; the conditional update stays as the precondition
 * on a real MongoDB.
 */
export class OrderLocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    private readonly opts: OrderLockOptions = { ttlMs: 15_000, waitMs: 5_000 },
  ) {}

  key(number: string): string {
    return `${this.keyPrefix}:wo-lock:${number}`;
  }

  async run<T>(number: string, fn: () => Promise<T>): Promise<T> {
    const key = this.key(number);
    const token = randomBytes(12).toString('hex');
    const giveUpAt = Date.now() + this.opts.waitMs;
    // Writes to one order take milliseconds: short, growing pauses keep the wait near the holder's write.
    for (let pause = 5; (await this.redis.set(key, token, 'PX', this.opts.ttlMs, 'NX')) !== 'OK'; pause = Math.min(pause * 2, 100)) {
      if (Date.now() >= giveUpAt) throw conflict(`work order ${number} is busy`, '工单正在被其他操作更新，请稍后重试');
      await sleep(pause);
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}
