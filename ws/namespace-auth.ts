import type { Namespace } from 'socket.io';
import { AppError, forbidden } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ConnectRefusal, Role, SessionEvents, SessionUser, SocketData, TokenVerifier } from '../contracts';

/**
 * Token and role check of a namespace, on every connect and reconnect (also a recovered
 * session: connection-state recovery runs the middlewares again). `admit` adds a
 * namespace-specific check (e.g. the agent still exists and is active). Refusals reach the
 * browser as `connect_error` with `data: ConnectRefusal`.
 */
export function requireNamespaceRole(
  nsp: Namespace<Record<string, never>, SessionEvents, Record<string, never>, SocketData>,
  tokens: TokenVerifier,
  roles: readonly Role[],
  log: Logger,
  admit?: (user: SessionUser) => Promise<void>,
): void {
  nsp.use((socket, next) => {
    void (async () => {
      const auth: unknown = socket.handshake.auth;
      const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
      const { user, expiresAt, tokenId } = tokens.verify(token);
      if (!roles.includes(user.role)) throw forbidden(`the ${nsp.name} console is not for role ${user.role}`);
      await admit?.(user);
      socket.data.user = user;
      socket.data.tokenExpiresAt = expiresAt;
      if (tokenId) socket.data.tokenId = tokenId;
    })().then(
      () => next(),
      (err: unknown) => {
        const refusal: ConnectRefusal =
          err instanceof AppError && err.status === 403
            ? { code: 'forbidden', message: err.message }
            : err instanceof AppError && (err.status === 401 || err.status === 404)
              ? { code: 'unauthorized', message: err.message }
              : { code: 'unauthorized', message: 'cannot verify the session right now' };
        if (!(err instanceof AppError)) log.error({ err, nsp: nsp.name }, 'socket admission failed');
        else log.info({ nsp: nsp.name, code: refusal.code, reason: refusal.message }, 'socket refused');
        const e = new Error(refusal.message) as Error & { data: ConnectRefusal };
        e.data = refusal;
        next(e);
      },
    );
  });

  // 退出登录 elsewhere (another tab, another process): that token's sockets end now.
  tokens.onRevoked?.((tokenId) => {
    for (const socket of nsp.sockets.values()) {
      if (socket.data.tokenId !== tokenId) continue;
      nsp.local.to(socket.id).emit('session:expired');
      socket.disconnect();
    }
  });

  // A token that expires while connected ends the session then, not at the next reconnect.
  nsp.on('connection', (socket) => {
    const ms = Math.max(0, socket.data.tokenExpiresAt - Date.now());
    const timer = setTimeout(() => {
      nsp.local.to(socket.id).emit('session:expired');
      // Namespace-level disconnect: the packet above is flushed first (a forced close could drop it).
      socket.disconnect();
    }, ms);
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  });
}
