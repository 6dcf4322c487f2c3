import { io, type Socket } from 'socket.io-client';
import type { Ack, BoardSnapshot, BoardUpdate, ConnectRefusal, ConsoleNamespace, LoginResponse } from '../../contracts';
import { applyBoardUpdate } from '../../contracts/board-updates';

/** Logs in through the real REST endpoint. */
export async function login(baseUrl: string, workNumber: string, password: string): Promise<LoginResponse> {
  const res = await fetch(`${baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workNumber, password }),
  });
  if (res.status !== 200) throw new Error(`login ${workNumber}: ${res.status} ${await res.text()}`);
  return (await res.json()) as LoginResponse;
}

export interface Received {
  event: string;
  args: unknown[];
}

/**
 * A real socket.io-client console socket that records every event it receives. On /supervisor it
 * also keeps the board as a console does (the snapshot, then each `board:update` applied) and
 * records each resulting whole board as a `board` event; an update that does not follow is
 * recorded as `board:gap`, which no test expects.
 */
export class ConsoleClient<S extends object = Record<string, never>, C extends object = Record<string, never>> {
  readonly socket: Socket<S, C>;
  readonly received: Received[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(baseUrl: string, nsp: ConsoleNamespace, token: string | undefined, opts: { reconnection?: boolean } = {}) {
    this.socket = io(`${baseUrl}${nsp}`, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: opts.reconnection ?? false,
      autoConnect: false,
      forceNew: true,
    }) as unknown as Socket<S, C>;
    const raw = this.raw;
    let board: BoardSnapshot | null = null;
    raw.onAny((event: string, ...args: unknown[]) => {
      this.received.push({ event, args });
      if (event === 'board:snapshot') {
        board = args[0] as BoardSnapshot;
        this.received.push({ event: 'board', args: [board] });
      } else if (event === 'board:update' && board) {
        const next = applyBoardUpdate(board, args[0] as BoardUpdate);
        if (next === 'gap') this.received.push({ event: 'board:gap', args: [args[0]] });
        else if (next !== 'stale') {
          board = next;
          this.received.push({ event: 'board', args: [board] });
        }
      }
      for (const w of [...this.waiters]) w();
    });
  }

  get raw(): Socket {
    return this.socket as unknown as Socket;
  }

  /** Connects; rejects with the server's refusal (`ConnectRefusal`) when it refuses. */
  connect(): Promise<void> {
    const raw = this.raw;
    return new Promise((resolve, reject) => {
      const ok = () => {
        raw.off('connect_error', bad);
        resolve();
      };
      const bad = (err: Error & { data?: ConnectRefusal }) => {
        raw.off('connect', ok);
        reject(Object.assign(new Error(err.message), { data: err.data }));
      };
      raw.once('connect', ok);
      raw.once('connect_error', bad);
      raw.connect();
    });
  }

  /** The first event `event` (received from index `from` on) whose first argument satisfies `pred`. */
  next<T = unknown>(event: string, pred: (payload: T) => boolean = () => true, { from = 0, timeoutMs = 10_000 } = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.received.slice(from).find((r) => r.event === event && pred(r.args[0] as T));
        if (!hit) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(hit.args[0] as T);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${event} matching within ${timeoutMs} ms; got: ${this.received.map((r) => r.event).join(', ')}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  /** Index to pass as `from` to wait only for events received after now. */
  mark(): number {
    return this.received.length;
  }

  events(name: string, from = 0): unknown[] {
    return this.received.slice(from).filter((r) => r.event === name).map((r) => r.args[0]);
  }

  /** Emits a command and resolves with its ack. */
  command<T>(event: string, ...args: unknown[]): Promise<Ack<T>> {
    return this.raw.timeout(10_000).emitWithAck(event, ...args) as Promise<Ack<T>>;
  }

  close(): void {
    this.raw.disconnect();
  }
}

export async function refusal(c: ConsoleClient): Promise<ConnectRefusal> {
  try {
    await c.connect();
  } catch (err) {
    return (err as { data: ConnectRefusal }).data;
  } finally {
    c.close();
  }
  throw new Error('connection was accepted');
}
