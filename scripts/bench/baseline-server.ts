/**
 * Child process of `npm run bench`: the transport alone. A plain Socket.IO server (no adapter, no
 * Redis, no application work) that puts each client in its own room and emits timestamped
 * messages the size of a screen-pop to rooms, as the CTI emits a pop to `agent:<n>`. The clients
 * (agents-process.ts) take receive − send: what the pop's latency is compared against.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { BaselineApi } from './api';
import { serve } from './rpc';
import { now } from './stats';

let http: HttpServer | null = null;
let ioServer: Server | null = null;

async function start(p: { port: number }): Promise<{ url: string }> {
  http = createServer();
  ioServer = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
  ioServer.on('connection', (socket) => {
    const auth: unknown = socket.handshake.auth;
    const room = typeof auth === 'object' && auth !== null ? (auth as { room?: unknown }).room : undefined;
    if (typeof room === 'string') void socket.join(room);
  });
  const server = http;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(p.port, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${p.port}` };
}

async function emit(p: { rooms: number; rate: number; count: number; payloadBytes: number }): Promise<{ sent: number }> {
  const server = ioServer;
  if (!server) throw new Error('start first');
  const pad = 'x'.repeat(p.payloadBytes);
  const t0 = now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(p.count, Math.floor(((now() - t0) * p.rate) / 1000) + 1);
      while (sent < due) {
        server.to(`r${Math.floor(Math.random() * p.rooms)}`).emit('m', { t: now(), pad });
        sent++;
      }
      if (sent >= p.count) resolve();
      else setTimeout(tick, Math.max(0, (sent * 1000) / p.rate - (now() - t0)));
    };
    tick();
  });
  return { sent };
}

serve<BaselineApi>({ start, emit }, async () => {
  const server = ioServer;
  ioServer = null;
  if (server) await new Promise<void>((resolve) => void server.close(() => resolve()));
  http = null;
});
