import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { createApp } from './api/app';
import { metricsRouter } from './api/metrics';
import { selfCheckRouter } from './api/self-check';
import { amiProbe, ariProbe, mongoProbe, redisProbe } from './api/readiness';
import { ConfigError, loadConfig, type Config } from './core/config';
import { openMongo, openRedis } from './core/connections';
import { createLogger, type Logger } from './core/logger';
import { startCallPath, type CallPath } from './cti/call-path';
import { createModels, syncIndexes, type Models } from './models';
import { buildConsoles, type Consoles } from './ws/server';

/**
 * The composition root: reads nothing global, builds every service by constructor injection,
 * so a test can start two CTI nodes against one Redis in one process.
 */
export interface CtiNode {
  config: Config;
  logger: Logger;
  redis: Redis;
  mongo: Connection;
  models: Models;
  http: Server;
  url: string;
  /** The telephony side; absent when started with `telephony: false` (storage-only tests). */
  calls?: CallPath;
  /** Log-in, work orders, alarms, recordings, web pages and the Socket.IO consoles. */
  consoles: Consoles;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  telephony?: boolean;
}

export async function startCti(config: Config, opts: StartOptions = {}): Promise<CtiNode> {
  const logger = opts.logger ?? createLogger(config);
  const redis = openRedis(config.REDIS_URL, logger);
  const mongo = await openMongo(config.MONGO_URL, logger);
  const models = createModels(mongo);
  await syncIndexes(models);
  const calls = opts.telephony === false ? undefined : await startCallPath(config, redis, mongo, models, logger);

  const probes = [redisProbe(redis), mongoProbe(mongo), ...(calls ? [ariProbe(calls.ari), amiProbe(calls.ami)] : [])];
  const consoles = buildConsoles({ config, logger, redis, models, probes, ...(calls ? { calls } : {}) });
  const telephonyRouters = calls
    ? [
        { path: '/', router: metricsRouter(calls.metrics.registry) },
        { path: '/api/admin', router: selfCheckRouter(calls.selfCheck, consoles.tokens, logger) },
      ]
    : [];
  // Ahead of the consoles' routers: their last one serves the web pages and answers unknown paths.
  const routers = [...telephonyRouters, ...consoles.routers];
  const app = createApp({ logger, probes, routers });
  const http = app.listen(config.HTTP_PORT, config.HTTP_HOST);
  await once(http, 'listening');
  await consoles.attach(http);
  const { port } = http.address() as AddressInfo;
  const url = `http://${config.HTTP_HOST}:${port}`;
  logger.info({ url }, 'hotline-cti listening');

  let stopped = false;
  return {
    config,
    logger,
    redis,
    mongo,
    models,
    http,
    url,
    ...(calls ? { calls } : {}),
    consoles,
    async stop() {
      if (stopped) return;
      stopped = true;
      await consoles.stop();
      await calls?.stop();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      redis.disconnect();
      await mongo.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hotline-cti: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const node = await startCti(config, { logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`hotline-cti: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
