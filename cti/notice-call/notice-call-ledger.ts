import type { RedisClient } from '../../core/connections';
import { AcdKeys } from '../acd/keys';

/** How long an attempt's end claim is kept: far beyond any call, retry and late event. */
const END_CLAIM_MS = 24 * 3600_000;

/**
 * The attempt's end, claimed once across processes: 1 for the first to ask, 0 when refused.
 * Refused to a survivor while the owner lives (a paused owner that beat again ends its own call),
 * and while another live process holds the claim; a claimant that died in turn may be replaced,
 * and a process may claim again what it (or its run before a restart) claimed: the Notice's
 * status then says whether there is anything left to do.
 * KEYS: <p>:notice-call:end:<channelId>. ARGV: claiming node, keepMs, owner ('' = the owner itself).
 * Node marks are named from KEYS[1]'s hash tag (the ACD's `node(…)`), as claim-adoption.lua does.
 */
const CLAIM_END = `
local tag = string.match(KEYS[1], '^{[^}]+}')
if not tag then return redis.error_reply('notice-call claim-end: KEYS[1] has no {hash tag}') end
local function mark(n) return tag .. ':node:' .. n end
if ARGV[3] ~= '' and redis.call('EXISTS', mark(ARGV[3])) == 1 then return 0 end
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] and redis.call('EXISTS', mark(cur)) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

type LedgerRedis = RedisClient & { noticeCallClaimEnd(key: string, node: string, keepMs: string, owner: string): Promise<number> };

/**
 * Which process runs which notice call, in Redis (a call must outlive the process that placed
 * it): a survivor finds a dead process's calls here, and every end of an attempt — by its owner
 * when the channel goes, or by a survivor taking it over — is claimed here first, so the Notice
 * moves on and a retry is armed exactly once (FerretDB 1.24 does not apply the Notice's
 * conditional update atomically).
 */
export class NoticeCallLedger {
  private readonly keys: AcdKeys;
  private readonly r: LedgerRedis;

  constructor(redis: RedisClient, prefix: string) {
    this.keys = new AcdKeys(prefix);
    if (!('noticeCallClaimEnd' in redis)) redis.defineCommand('noticeCallClaimEnd', { numberOfKeys: 1, lua: CLAIM_END });
    this.r = redis as LedgerRedis;
  }

  private get live(): string {
    return `${this.keys.p}:notice-calls`;
  }

  private endKey(channelId: string): string {
    return `${this.keys.p}:notice-call:end:${channelId}`;
  }

  /** `node` placed (or took back) the call on `channelId`. */
  async placed(channelId: string, node: string): Promise<void> {
    await this.r.hset(this.live, channelId, node);
  }

  /** Calls not yet settled: channel id → the process running it. */
  async calls(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.r.hgetall(this.live)));
  }

  /**
   * `node` ends the attempt on `channelId`: true for the one that may. `owner` names the process
   * that placed it when `node` takes it over; the owner ending its own call passes none.
   */
  async claimEnd(channelId: string, node: string, owner?: string): Promise<boolean> {
    return (await this.r.noticeCallClaimEnd(this.endKey(channelId), node, String(END_CLAIM_MS), owner && owner !== node ? owner : '')) === 1;
  }

  /** Who ended (or is ending) the attempt, if anyone did. */
  async endedBy(channelId: string): Promise<string | null> {
    return this.r.get(this.endKey(channelId));
  }

  /** The attempt is settled: nobody has to look after it any more. */
  async settled(channelId: string): Promise<void> {
    await this.r.hdel(this.live, channelId);
  }
}
