import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { ariTimestamp } from './util';

/**
 * Stasis application registrations, one per events WebSocket (as res_ari_events): the newest
 * socket for an app name wins and the previous one gets ApplicationReplaced but stays open and
 * silent for that app; closing the active socket unregisters the app, closing a replaced one
 * does nothing. Events for an app without an active socket are lost, like on a real Asterisk.
 */
interface EventSocket {
  id: number;
  ws: WebSocket;
  apps: string[];
  subscribeAll: boolean;
  /** Half-open: still counted as the app's socket, but nothing crosses it either way. */
  dead: boolean;
}

export interface AppRegistryEvents {
  registered: [app: string];
  unregistered: [app: string];
  replaced: [app: string];
}

export class AppRegistry extends EventEmitter<AppRegistryEvents> {
  private readonly sockets = new Set<EventSocket>();
  private readonly active = new Map<string, EventSocket>();
  private nextId = 1;

  constructor(private readonly asteriskId: string) {
    super();
  }

  attach(ws: WebSocket, apps: string[], subscribeAll: boolean): void {
    const sock: EventSocket = { id: this.nextId++, ws, apps, subscribeAll, dead: false };
    this.sockets.add(sock);
    for (const app of apps) {
      const prev = this.active.get(app);
      this.active.set(app, sock);
      if (prev && prev !== sock) {
        this.sendTo(prev, {
          type: 'ApplicationReplaced',
          timestamp: ariTimestamp(),
          application: app,
          asterisk_id: this.asteriskId,
        });
        this.emit('replaced', app);
      } else if (!prev) {
        this.emit('registered', app);
      }
    }
    // Asterisk answers a client close frame that has no status code with 1000 (traces 01-09);
    // `ws` would echo an empty one (seen as 1005), so answer first through its receiver hook.
    const receiver = (ws as unknown as { _receiver?: EventEmitter })._receiver;
    receiver?.prependListener('conclude', (code: number) => {
      if (code === 1005 && ws.readyState === ws.OPEN) ws.close(1000);
    });
    ws.on('close', () => this.detach(sock));
    ws.on('error', () => this.detach(sock));
  }

  private detach(sock: EventSocket): void {
    if (!this.sockets.delete(sock)) return;
    for (const app of sock.apps) {
      if (this.active.get(app) === sock) {
        this.active.delete(app);
        this.emit('unregistered', app);
      }
    }
  }

  isRegistered(app: string): boolean {
    return this.active.has(app);
  }

  registeredApps(): string[] {
    return [...this.active.keys()];
  }

  /** Apps whose active socket asked for subscribeAll=true. */
  subscribeAllApps(): string[] {
    return [...this.active.entries()].filter(([, s]) => s.subscribeAll).map(([app]) => app);
  }

  /** Sends to the app's active socket; false when the app has none (event lost). */
  deliver(app: string, event: Record<string, unknown>): boolean {
    const sock = this.active.get(app);
    if (!sock) return false;
    return this.sendTo(sock, event);
  }

  /** Control API: pushes a raw message to every socket (or those serving `app`). */
  broadcastRaw(event: Record<string, unknown>, app?: string): number {
    let n = 0;
    for (const sock of this.sockets) {
      if (app && !sock.apps.includes(app)) continue;
      if (this.sendTo(sock, event)) n++;
    }
    return n;
  }

  private sendTo(sock: EventSocket, event: Record<string, unknown>): boolean {
    if (sock.dead || sock.ws.readyState !== sock.ws.OPEN) return false;
    sock.ws.send(JSON.stringify(event));
    return true;
  }

  socketCount(): number {
    return this.sockets.size;
  }

  /** Fault injection: abnormal close (no close frame) of every events socket. */
  terminateAll(): void {
    for (const sock of [...this.sockets]) {
      sock.ws.terminate();
      this.detach(sock);
    }
  }

  /**
   * Fault injection, a half-open link: every events socket stays open and keeps its apps
   * registered, but its input is no longer read (a client's ping gets no pong) and events sent
   * to it are lost. Returns how many sockets went dead.
   */
  deadenAll(): number {
    let n = 0;
    for (const sock of this.sockets) {
      if (sock.dead) continue;
      sock.dead = true;
      rawSocket(sock.ws)?.pause();
      n++;
    }
    return n;
  }

  /**
   * Asterisk going down: each socket's TCP connection ends after what was already sent (the
   * events of the hangups before it), with no close frame; the apps are unregistered.
   */
  endAll(): void {
    for (const sock of [...this.sockets]) {
      const raw = rawSocket(sock.ws);
      if (raw) raw.end();
      else sock.ws.terminate();
      this.detach(sock);
    }
  }

  /** Normal close (1001 going away) on shutdown. */
  closeAll(): void {
    for (const sock of [...this.sockets]) {
      sock.ws.close(1001, 'shutdown');
      this.detach(sock);
    }
  }
}

/** The TCP socket under a server-side `ws` WebSocket (not part of its typed API). */
function rawSocket(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}
