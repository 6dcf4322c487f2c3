import { isCluster, openRedis, type RedisClient } from '../../core/connections';
import type { Config } from '../../core/config';
import { createLogger } from '../../core/logger';
import { testConfig } from './env';

/**
 * A Redis client for a test's own use, made the way the CTI makes its clients: a Cluster client
 * when the run is on a Redis Cluster (`npm run test:cluster`), a plain one otherwise.
 */
export function testRedis(config: Config = testConfig()): RedisClient {
  return openRedis(config, createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'test' }), 'test');
}

/** Keys matching `pattern` on every master: KEYS on a Cluster client asks one node only. */
export async function keysOf(redis: RedisClient, pattern: string): Promise<string[]> {
  if (!isCluster(redis)) return redis.keys(pattern);
  const perNode = await Promise.all(redis.nodes('master').map((n) => n.keys(pattern)));
  return perNode.flat();
}

/** Deletes a test's keys; one DEL per key, as keys of different slots may not share a command. */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<void> {
  await Promise.all((await keysOf(redis, pattern)).map((k) => redis.del(k)));
}
