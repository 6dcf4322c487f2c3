import type { Socket } from 'socket.io-client';

/** The consoles' options (web/src/common.ts), WebSocket only: a Node client has no proxy to fall back from. */
export const CLIENT_OPTIONS = { transports: ['websocket'], forceNew: true, reconnectionDelayMax: 5000 };

/** Resolves with `socket` once connected; rejects (and closes it) on a refusal or after 30 s. */
export function connected<S extends Socket>(socket: S, what: string): Promise<S> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no connection to ${what} within 30 s`)), 30_000);
    const ok = (): void => {
      clearTimeout(timer);
      socket.off('connect_error', fail);
      resolve(socket);
    };
    function fail(err: Error): void {
      clearTimeout(timer);
      socket.off('connect', ok);
      socket.close();
      reject(err);
    }
    socket.once('connect', ok);
    socket.once('connect_error', fail);
  });
}
