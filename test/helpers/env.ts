import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../core/config';

/**
 * Tests run against the real Redis and FerretDB that scripts/services.sh starts
 * (or REDIS_URL / MONGO_URL). Each test file gets its own database and Redis key prefix.
 * With REDIS_CLUSTER_NODES set (`npm run test:cluster`) they use that Redis Cluster instead,
 * except a test that names its own REDIS_URL (a private redis-server it stops and starts).
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const suffix = randomBytes(4).toString('hex');
  const mongoBase = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27018/hotline';
  const mongo = new URL(mongoBase);
  mongo.pathname = `/hotline_test_${suffix}`;
  const cluster = process.env.REDIS_CLUSTER_NODES;
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HTTP_PORT: '0',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6380',
    ...(cluster && !('REDIS_URL' in overrides) ? { REDIS_CLUSTER_NODES: cluster } : {}),
    REDIS_PREFIX: `hotline-test-${suffix}`,
    MONGO_URL: mongo.toString(),
    // Tests whose callers wait a minute must not hear the queue callback offer; its own tests set it.
    QUEUE_CALLBACK_OFFER_MS: '0',
    ...overrides,
  });
}
