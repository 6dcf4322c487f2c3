import type { RedisClient } from '../../core/connections';
import { AcdStore } from '../acd/acd-store';
import { AcdKeys } from '../acd/keys';

/**
 * Which process runs which call the CTI placed itself (a notice call, a callback call), in Redis:
 * such a call must outlive the process that placed it. A survivor finds a dead process's calls
 * here, and every end of a call — by its owner when a channel goes, or by a survivor taking it
 * over — is claimed here first, so its outcome is written, and a retry armed, exactly once
 * (FerretDB 1.24 does not apply a conditional update atomically).
 */
export class PlacedCallLedger {
  private readonly keys: AcdKeys;
  /** The end of an attempt is claimed as a dead process's hotline call is (claim-adoption.lua). */
  private readonly acd: AcdStore;

  constructor(
    private readonly r: RedisClient,
    prefix: string,
    /** Which kind of call: one hash per kind (`notice-calls`, `callback-calls`). */
    private readonly kind: string,
  ) {
    this.keys = new AcdKeys(prefix);
    this.acd = new AcdStore(r, prefix);
  }

  private get live(): string {
    return `${this.keys.p}:${this.kind}`;
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
    return this.acd.claimAdoption(channelId, node, owner && owner !== node ? owner : undefined);
  }

  /** Who ended (or is ending) the attempt, if anyone did. */
  async endedBy(channelId: string): Promise<string | null> {
    return this.r.get(this.acd.keys.adopted(channelId));
  }

  /** The attempt is settled: nobody has to look after it any more. */
  async settled(channelId: string): Promise<void> {
    await this.r.hdel(this.live, channelId);
  }
}
