import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { duplicateRedis, type RedisClient } from '../core/connections';
import { Server } from 'socket.io';
import type {
  AdminClientToServer,
  AdminServerToClient,
  AgentClientToServer,
  AgentServerToClient,
  DepartmentClientToServer,
  DepartmentServerToClient,
  SocketData,
  SupervisorClientToServer,
  SupervisorServerToClient,
} from '../contracts';

/**
 * One Socket.IO server carries the console namespaces; it is typed with all their events,
 * and each console takes its own namespace's narrower type (contracts/), which TypeScript checks.
 */
export type ConsoleServer = Server<
  AgentClientToServer & SupervisorClientToServer & AdminClientToServer & DepartmentClientToServer,
  AgentServerToClient & SupervisorServerToClient & AdminServerToClient & DepartmentServerToClient,
  Record<string, never>,
  SocketData
>;

/** Socket.IO on the HTTP server, fanned out to every CTI process through Redis Streams. */
export function createSocketServer(http: HttpServer, redis: RedisClient, redisPrefix: string, corsOrigins: readonly string[] = []): { io: ConsoleServer; close(): Promise<void> } {
  // A client of its own: the adapter duplicates it for its blocking stream reads.
  const adapterRedis = duplicateRedis(redis);
  adapterRedis.on('error', () => undefined);
  const io: ConsoleServer = new Server(http, {
    serveClient: false,
    // Polling from another origin only where configured (CORS_ORIGINS); WebSockets carry the token in the handshake.
    ...(corsOrigins.length ? { cors: { origin: [...corsOrigins] } } : {}),
    maxHttpBufferSize: 64 * 1024,
    adapter: createAdapter(adapterRedis, {
      streamName: `${redisPrefix}:socket.io`,
      channelPrefix: `${redisPrefix}:socket.io`,
      sessionKeyPrefix: `${redisPrefix}:socket.io:session:`,
      maxLen: 10_000,
      blockTimeInMs: 1000,
    }),
    // A blip keeps the socket's rooms and data, and packets broadcast through the adapter
    // (alarm acknowledgements) are replayed; everything else comes with the fresh snapshot
    // every (re)connect gets. With recovery on, a plain socket.emit() is written to the Redis
    // stream first and delivered late, overtaking nothing but overtaken by local emits, so the
    // consoles send per-socket packets as local broadcasts to the socket's own room instead:
    // one socket's packets then leave in the order they were produced.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
  });
  return {
    io,
    async close() {
      await Promise.race([io.close(), new Promise((r) => setTimeout(r, 3000).unref())]);
      adapterRedis.disconnect();
    },
  };
}
