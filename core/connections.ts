import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from './logger';

/**
 * Redis for commands and live state. `maxRetriesPerRequest: null` is what BullMQ requires
 * and also means a command waits through a Redis restart instead of failing mid-call.
 */
export function openRedis(url: string, logger: Logger, name = 'main'): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: `hotline-${name}` });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message, redis: name }, 'redis connection problem');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis connection back');
    down = false;
  });
  return redis;
}

export async function openMongo(url: string, logger: Logger): Promise<Connection> {
  const conn = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: 5000,
    // FerretDB speaks the wire protocol but is not a replica set: no retryable writes, no transactions.
    retryWrites: false,
  });
  conn.on('disconnected', () => logger.warn('mongodb disconnected'));
  conn.on('reconnected', () => logger.info('mongodb reconnected'));
  await conn.asPromise();
  return conn;
}
