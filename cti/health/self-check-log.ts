import type { RedisClient } from '../../core/connections';
import { selfCheckRecordSchema, type SelfCheckRecord } from '../../contracts';

/** Enough to see a pattern over a night of silence (one automatic check per 30 minutes). */
export const SELF_CHECK_LOG_SIZE = 20;

/**
 * The last self-checks of the hotline, whichever process ran them: the silence alarm keeps only the
 * newest results on its one open alarm, and a check on demand was stored nowhere, so an admin could
 * not tell whether the nightly checks had been passing. One capped Redis list, shared by every process.
 */
export class SelfCheckLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly size = SELF_CHECK_LOG_SIZE,
  ) {}

  async record(r: SelfCheckRecord): Promise<void> {
    await this.redis.multi().lpush(this.key, JSON.stringify(r)).ltrim(this.key, 0, this.size - 1).exec();
  }

  /** Newest first; an entry that no longer parses (written by another version) is left out. */
  async recent(limit = this.size): Promise<SelfCheckRecord[]> {
    const raw = await this.redis.lrange(this.key, 0, limit - 1);
    return raw.flatMap((s) => {
      try {
        const r = selfCheckRecordSchema.safeParse(JSON.parse(s));
        return r.success ? [r.data] : [];
      } catch {
        return [];
      }
    });
  }
}
