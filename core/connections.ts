import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Config, RedisNode } from './config';
import type { Logger } from './logger';

/**
 * A connection to Redis, standalone or Cluster: every service takes this type. Both classes carry
 * the same command methods, so a service cannot tell them apart unless it needs the connection
 * itself (see `duplicateRedis`).
 */
export type RedisClient = Redis | Cluster;

/** The part of the configuration that says where Redis is. */
export type RedisSettings = Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>;

/**
 * Redis for commands and live state. `maxRetriesPerRequest: null` is what BullMQ requires
 * and also means a command waits through a Redis restart instead of failing mid-call.
 * With REDIS_CLUSTER_NODES set, an ioredis Cluster over those start nodes.
 */
export function openRedis(settings: RedisSettings, logger: Logger, name = 'main'): RedisClient {
  const nodes = settings.REDIS_CLUSTER_NODES;
  // Said once, as REDIS_URL (which always has a value) is silently unused when a cluster is set.
  if (nodes?.length && name === 'main') logger.info({ clusterNodes: nodes.map((n) => `${n.host}:${n.port}`) }, 'redis: cluster mode');
  const redis = nodes?.length ? openCluster(nodes, name) : new Redis(settings.REDIS_URL, { maxRetriesPerRequest: null, connectionName: `hotline-${name}` });
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

function openCluster(nodes: RedisNode[], name: string): Cluster {
  return new Cluster(nodes, {
    // The per-node connections carry the commands: the same reasons as for a single Redis.
    redisOptions: { maxRetriesPerRequest: null, connectionName: `hotline-${name}` },
    // 'ready' only once the slot map is known, which BullMQ and our start-up wait for.
    enableReadyCheck: true,
    // A cluster whose slot map cannot be read yet (all nodes restarting) keeps trying, as a single Redis does.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
  });
}

/**
 * A second connection to the same Redis, for a subscriber or a blocking read: a connection in
 * subscribe mode takes no other command. The two classes' `duplicate` differ in signature, hence
 * the narrowing.
 */
export function duplicateRedis(redis: RedisClient): RedisClient {
  return isCluster(redis) ? redis.duplicate() : redis.duplicate();
}

/**
 * How BullMQ reaches Redis. A single Redis: connection options, so each queue and worker opens
 * (and closes) connections of its own, as before. A Cluster: BullMQ cannot build a Cluster from
 * options, so it gets `shared`, which its queues use as is and its workers duplicate for their
 * blocking reads (the caller keeps closing `shared`).
 */
export function queueConnection(settings: RedisSettings, shared: RedisClient): ConnectionOptions {
  if (isCluster(shared)) return shared;
  return { url: settings.REDIS_URL, maxRetriesPerRequest: null };
}

/** True when `redis` is a Cluster (tests list keys per master; KEYS reaches only one node). */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

export async function openMongo(url: string, logger: Logger): Promise<Connection> {
  const conn = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: 5000,
    // FerretDB speaks the wire protocol but is not a replica set: no retryable writes, no transactions.
    retryWrites: false,
    // Command events feed the write counter (hotline_mongo_writes_total): writes per call are a target.
    monitorCommands: true,
  });
  // Our own close() (the seed when done, a process stopping) passes through 'disconnecting'; a
  // server that went away goes straight to 'disconnected'. Only the second is worth a warning.
  let closing = false;
  conn.on('disconnecting', () => {
    closing = true;
  });
  conn.on('connected', () => {
    closing = false;
  });
  conn.on('disconnected', () => {
    if (closing) logger.info('mongodb connection closed');
    else logger.warn('mongodb disconnected');
  });
  conn.on('reconnected', () => logger.info('mongodb reconnected'));
  await conn.asPromise();
  return conn;
}
