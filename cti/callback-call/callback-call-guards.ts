import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '../../core/connections';
import { AcdKeys } from '../acd/keys';

const lua = (name: string) => readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');

type GuardRedis = RedisClient & {
  cbcallHold(agentGuard: string, callbackGuard: string, callId: string, ttlMs: string): Promise<string>;
  cbcallRelease(agentGuard: string, callbackGuard: string, callId: string): Promise<number>;
};

/**
 * One callback call per agent and per callback at a time, across processes (a double click, a
 * second tab, two agents on one task). Held in one script; a guard outlives a process that dies
 * only until the call's take-over releases it, or its time runs out.
 */
export class CallbackCallGuards {
  private readonly r: GuardRedis;
  private readonly keys: AcdKeys;

  constructor(
    redis: RedisClient,
    prefix: string,
    private readonly maxCallMs = 4 * 3600_000,
  ) {
    if (!('cbcallHold' in redis)) {
      redis.defineCommand('cbcallHold', { numberOfKeys: 2, lua: lua('hold') });
      redis.defineCommand('cbcallRelease', { numberOfKeys: 2, lua: lua('release') });
    }
    this.r = redis as GuardRedis;
    this.keys = new AcdKeys(prefix);
  }

  private names(g: { agentWorkNumber: string; callbackId: string }): [string, string] {
    return [`${this.keys.p}:cbcall:agent:${g.agentWorkNumber}`, `${this.keys.p}:cbcall:callback:${g.callbackId}`];
  }

  /** null when held for `callId`; else the call that holds the agent or the callback. */
  async hold(callId: string, g: { agentWorkNumber: string; callbackId: string }): Promise<string | null> {
    const holder = await this.r.cbcallHold(...this.names(g), callId, String(this.maxCallMs));
    return holder === '' ? null : holder;
  }

  async release(callId: string, g: { agentWorkNumber: string; callbackId: string }): Promise<void> {
    await this.r.cbcallRelease(...this.names(g), callId);
  }
}
