import net from 'node:net';
import { AmiMessageParser, getHeader, serializeMessage, type AmiHeaders } from './protocol';

/**
 * A byte-level AMI client that hides nothing: it keeps every received byte and every message
 * in order, for the trace-replay tests and for poking the simulator (or a real Asterisk) by
 * hand. The product's own client is cti/ami/client.ts.
 */
export class AmiWireClient {
  /** Everything received, exactly as sent by the server. */
  raw = '';
  private readonly parser = new AmiMessageParser({ expectBanner: true });
  private readonly inbox: AmiHeaders[] = [];
  private waiters: Array<() => void> = [];
  private endedByServer = false;
  private closedFlag = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.raw += chunk;
      this.inbox.push(...this.parser.push(chunk));
      this.wake();
    });
    socket.on('end', () => {
      this.endedByServer = true;
      this.wake();
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    socket.on('error', () => {
      /* surfaced through close */
    });
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<AmiWireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new AmiWireClient(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Retries while the port refuses (e.g. during a simulated restart). */
  static async connectWhenUp(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<AmiWireClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await AmiWireClient.connect(port, host, Math.max(100, deadline - Date.now()));
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  get endedByPeer(): boolean {
    return this.endedByServer;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Sends raw text (`\n` line ends are turned into `\r\n`) or a header list. */
  send(message: string | AmiHeaders): void {
    const text = typeof message === 'string' ? message.replace(/\r?\n/g, '\r\n') : serializeMessage(message);
    this.socket.write(text);
  }

  async banner(timeoutMs = 2000): Promise<string> {
    await this.until(() => this.parser.banner !== undefined, timeoutMs, 'banner');
    return this.parser.banner as string;
  }

  /** The next message not yet taken, in arrival order. */
  async next(timeoutMs = 2000): Promise<AmiHeaders> {
    await this.until(() => this.inbox.length > 0, timeoutMs, 'next AMI message');
    return this.inbox.shift() as AmiHeaders;
  }

  /** Takes the first pending or future message matching, leaving the others queued. */
  async take(match: (m: AmiHeaders) => boolean, timeoutMs = 2000): Promise<AmiHeaders> {
    let found: AmiHeaders | undefined;
    await this.until(
      () => {
        const i = this.inbox.findIndex(match);
        if (i === -1) return false;
        found = this.inbox.splice(i, 1)[0];
        return true;
      },
      timeoutMs,
      'matching AMI message',
    );
    return found as AmiHeaders;
  }

  /** Sends an action and returns its Response (messages before it stay queued). */
  async action(headers: AmiHeaders, timeoutMs = 2000): Promise<AmiHeaders> {
    const id = getHeader(headers, 'ActionID');
    this.send(headers);
    return this.take((m) => getHeader(m, 'Response') !== undefined && (!id || getHeader(m, 'ActionID') === id), timeoutMs);
  }

  async login(username: string, secret: string, extra: AmiHeaders = []): Promise<AmiHeaders> {
    return this.action([
      ['Action', 'Login'],
      ['ActionID', `login-${Date.now()}`],
      ['Username', username],
      ['Secret', secret],
      ...extra,
    ]);
  }

  pending(): AmiHeaders[] {
    return [...this.inbox];
  }

  async waitEnded(timeoutMs = 2000): Promise<void> {
    await this.until(() => this.endedByServer || this.closedFlag, timeoutMs, 'end of connection');
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  private until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        } else if (this.closedFlag) {
          clearTimeout(timer);
          reject(new Error(`connection closed while waiting for ${what}`));
        } else {
          this.waiters.push(check);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      check();
    });
  }
}
