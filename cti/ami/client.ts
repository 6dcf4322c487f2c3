import { EventEmitter } from 'node:events';
import AsteriskManager from 'asterisk-manager';
import type { Logger } from 'pino';
import { Backoff, withTimeout } from '../../core/async';
import { AmiError } from './errors';
import {
  parseContactStatus,
  parseFullyBooted,
  parsePeerStatus,
  parseRegistry,
  parseShutdown,
  type AmiMessage,
  type ContactEvent,
  type FullyBootedEvent,
  type Parsed,
  type PeerEvent,
  type RegistryEvent,
  type ShutdownEvent,
} from './events';

/**
 * The only code that knows npm `asterisk-manager` (0.2.0). That library keeps the socket and
 * parses the protocol; everything it gets wrong for a long-running CTI is done here instead:
 * - its actions never time out → every action has our own timer;
 * - it routes replies by ActionID but falls back to "the last id sent" for `Response: Follows`
 *   (Command), so concurrent Commands get crossed → unique ActionIDs and Commands serialized;
 * - keepConnected() does nothing once connected and gives up on login errors → our own
 *   reconnect loop with exponential backoff, forever, on a fresh library instance each time;
 * - its own `error` handler is a no-op → we listen to `error`/`close` ourselves;
 * - no heartbeat → `Ping` every `pingIntervalMs`, a missed pong drops the link.
 * A malformed or unexpected event is logged and dropped; nothing that arrives can crash us.
 */

export type AmiState = 'connecting' | 'connected' | 'disconnected';

export interface AmiStateChange {
  state: AmiState;
  previous: AmiState;
  at: Date;
  reason?: string;
}

export interface AmiMalformedEvent {
  event: string;
  problems: string[];
  message: AmiMessage;
}

export interface AmiClientEvents {
  state: [AmiStateChange];
  contact: [ContactEvent];
  registry: [RegistryEvent];
  peer: [PeerEvent];
  fullyBooted: [FullyBootedEvent];
  shutdown: [ShutdownEvent];
  /** Login refused (wrong username/secret); the client keeps retrying with backoff. */
  authFailed: [AmiError];
  /** A Ping answered; `rttMs` is the round trip. */
  heartbeat: [{ at: Date; rttMs: number }];
  /** Every unsolicited event (list items excluded), keys lower-case, before validation. */
  event: [AmiMessage];
  malformed: [AmiMalformedEvent];
}

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  logger: Logger;
  pingIntervalMs?: number;
  actionTimeoutMs?: number;
  /** TCP connect + Login; default actionTimeoutMs. */
  connectTimeoutMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/** Header → value; the key `Action` (any case) is required. ActionID is always ours. */
export type AmiActionRequest = Readonly<Record<string, string | number | boolean>>;

export interface AmiListResult {
  response: AmiMessage;
  /** The list items, without the closing `...Complete` event. */
  events: AmiMessage[];
  /** The `...Complete` event (ListItems etc.), absent when Asterisk answered "No ... found". */
  complete?: AmiMessage;
}

interface Link {
  gen: number;
  mgr: AsteriskManager.Manager;
  tcpUp: boolean;
  loggedIn: boolean;
  dead: boolean;
  loginTimer?: NodeJS.Timeout;
  pingTimer?: NodeJS.Timeout;
}

interface PendingAction {
  link: Link;
  timer: NodeJS.Timeout;
  reject: (err: Error) => void;
}

interface ListCollector {
  link: Link;
  events: AmiMessage[];
  complete: (done: AmiMessage) => void;
  fail: (err: Error) => void;
}

export class AmiClient extends EventEmitter<AmiClientEvents> {
  private readonly o: Required<Omit<AmiClientOptions, 'logger'>>;
  private readonly log: Logger;
  private running = false;
  private link: Link | undefined;
  private gen = 0;
  private seq = 0;
  private readonly idPrefix = `cti-${process.pid}-${Math.random().toString(36).slice(2, 8)}-`;
  private readonly backoff: Backoff;
  private everConnected = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Map<string, PendingAction>();
  private readonly lists = new Map<string, ListCollector>();
  private commandChain: Promise<unknown> = Promise.resolve();
  private currentState: AmiState = 'disconnected';
  private stateSince = new Date();

  /** Successful logins after the first one, i.e. how often the link came back. */
  reconnects = 0;
  /** Every TCP+login attempt, successful or not. */
  connectAttempts = 0;
  malformedEvents = 0;
  /** Why the link is down or the last attempt failed; cleared on a successful login. */
  lastError: Error | undefined;
  lastPongAt: Date | undefined;

  constructor(opts: AmiClientOptions) {
    super();
    const actionTimeoutMs = opts.actionTimeoutMs ?? 5000;
    this.o = {
      host: opts.host,
      port: opts.port,
      username: opts.username,
      secret: opts.secret,
      pingIntervalMs: opts.pingIntervalMs ?? 10_000,
      actionTimeoutMs,
      connectTimeoutMs: opts.connectTimeoutMs ?? actionTimeoutMs,
      reconnectMinMs: opts.reconnectMinMs ?? 500,
      reconnectMaxMs: opts.reconnectMaxMs ?? 10_000,
    };
    this.backoff = new Backoff({ minMs: this.o.reconnectMinMs, maxMs: this.o.reconnectMaxMs, jitter: true });
    this.log = opts.logger.child({ component: 'ami', ami: `${opts.host}:${opts.port}` });
  }

  get state(): AmiState {
    return this.currentState;
  }

  /** When the current state began. */
  get since(): Date {
    return this.stateSince;
  }

  get connected(): boolean {
    return this.currentState === 'connected';
  }

  /** Connects in the background and keeps reconnecting until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.backoff.reset();
    this.connect();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const link = this.link;
    if (link && link.loggedIn && !link.dead) {
      // Polite Logoff so Asterisk does not log a dropped session; bounded so stop() never hangs.
      await this.send(link, { Action: 'Logoff' }, Math.min(1000, this.o.actionTimeoutMs)).catch(() => undefined);
    }
    if (link) this.linkFailed(link, 'stopped', 'ami_stopped');
    this.setState('disconnected', 'stopped');
  }

  /**
   * Sends one action and resolves with its Response (keys lower-case).
   * Rejects with AmiError: `ami_not_connected` at once while (re)connecting, `ami_timeout`
   * after `timeoutMs`, `ami_action_failed` for `Response: Error`, `ami_disconnected` if the
   * link drops meanwhile.
   */
  action(request: AmiActionRequest, opts: { timeoutMs?: number } = {}): Promise<AmiMessage> {
    const timeoutMs = opts.timeoutMs ?? this.o.actionTimeoutMs;
    if (actionName(request).toLowerCase() === 'command') {
      const run = () => this.sendOnCurrentLink(request, timeoutMs);
      const result = this.commandChain.then(run, run);
      this.commandChain = result.catch(() => undefined);
      return result;
    }
    return this.sendOnCurrentLink(request, timeoutMs);
  }

  /**
   * An action answered with an EventList (PJSIPShowContacts, ...): resolves once the
   * `...Complete` event arrived, all within one timeout. Asterisk's `Response: Error` with
   * `No <things> found` is an empty list, not a failure.
   */
  async actionList(request: AmiActionRequest, opts: { timeoutMs?: number } = {}): Promise<AmiListResult> {
    const timeoutMs = opts.timeoutMs ?? this.o.actionTimeoutMs;
    const link = this.currentLink();
    const id = this.nextId();
    const name = actionName(request);
    let collector: ListCollector | undefined;
    const completed = new Promise<AmiMessage>((complete, fail) => {
      collector = { link, events: [], complete, fail };
    });
    completed.catch(() => undefined); // rejection is observed below; avoid an unhandled one meanwhile
    this.lists.set(id, collector as ListCollector);
    const deadline = Date.now() + timeoutMs;
    try {
      let response: AmiMessage;
      try {
        response = await this.send(link, request, timeoutMs, id);
      } catch (err) {
        if (err instanceof AmiError && err.amiCode === 'ami_action_failed' && /^no .* found/i.test(err.response?.message ?? '')) {
          return { response: err.response ?? {}, events: [] };
        }
        throw err;
      }
      if ((response.eventlist ?? '').toLowerCase() !== 'start') return { response, events: [] };
      const complete = await withTimeout(completed, Math.max(0, deadline - Date.now()), () =>
        new AmiError('ami_timeout', `AMI ${name}: list not complete within ${timeoutMs} ms`),
      );
      return { response, events: (collector as ListCollector).events, complete };
    } finally {
      this.lists.delete(id);
    }
  }

  // ---- connection life cycle ----

  private connect(): void {
    if (!this.running) return;
    const gen = ++this.gen;
    this.connectAttempts++;
    this.setState('connecting');
    // Port 0: the factory must not connect on its own (it would swallow a login failure).
    const mgr = AsteriskManager(0, this.o.host, this.o.username, this.o.secret, true);
    const link: Link = { gen, mgr, tcpUp: false, loggedIn: false, dead: false };
    this.link = link;
    mgr.on('error', (err) => this.linkFailed(link, `socket error: ${err.message}`));
    // Deferred: a refused login is answered just before Asterisk closes, and the clearer reason wins.
    mgr.on('close', () => setImmediate(() => this.linkFailed(link, 'connection closed by Asterisk')));
    mgr.on('managerevent', (msg) => this.safely(() => this.onManagerEvent(link, msg)));
    link.loginTimer = setTimeout(
      () => this.linkFailed(link, `no login answer within ${this.o.connectTimeoutMs} ms`),
      this.o.connectTimeoutMs,
    );
    this.log.debug({ attempt: this.connectAttempts }, 'AMI connecting');
    mgr.connect(this.o.port, this.o.host, () => {
      if (link.dead) return;
      link.tcpUp = true;
      mgr.login((err) => this.safely(() => this.onLogin(link, err)));
    });
  }

  private onLogin(link: Link, err: AsteriskManager.Message | undefined): void {
    if (link.dead) return;
    clearTimeout(link.loginTimer);
    if (err) {
      const response = normalize(err);
      const e = new AmiError(
        'ami_auth_failed',
        `AMI login as '${this.o.username}' at ${this.o.host}:${this.o.port} refused: ${response.message ?? 'no reason given'}` +
          ' (check AMI_USERNAME/AMI_SECRET against manager.conf)',
        response,
      );
      this.lastError = e;
      this.log.error({ code: e.amiCode, response }, e.message);
      this.safely(() => this.emit('authFailed', e));
      this.linkFailed(link, e.message);
      return;
    }
    link.loggedIn = true;
    this.lastError = undefined;
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    this.backoff.reset();
    this.log.info({ reconnects: this.reconnects }, 'AMI connected');
    this.setState('connected');
    this.schedulePing(link);
  }

  private schedulePing(link: Link): void {
    link.pingTimer = setTimeout(() => {
      if (link.dead) return;
      const sentAt = Date.now();
      this.send(link, { Action: 'Ping' }, this.o.actionTimeoutMs).then(
        () => {
          if (link.dead) return;
          this.lastPongAt = new Date();
          this.safely(() => this.emit('heartbeat', { at: this.lastPongAt as Date, rttMs: Date.now() - sentAt }));
          this.schedulePing(link);
        },
        (err: unknown) => {
          if (link.dead) return;
          // Any answer, even an error, proves Asterisk is alive.
          if (err instanceof AmiError && err.amiCode === 'ami_action_failed') {
            this.schedulePing(link);
            return;
          }
          this.linkFailed(link, `heartbeat failed: ${(err as Error).message}`);
        },
      );
    }, this.o.pingIntervalMs);
  }

  /** Idempotent per link: retires it, fails what is in flight, schedules the next attempt. */
  private linkFailed(link: Link, reason: string, code: 'ami_disconnected' | 'ami_stopped' = 'ami_disconnected'): void {
    if (link.dead) return;
    link.dead = true;
    clearTimeout(link.loginTimer);
    clearTimeout(link.pingTimer);
    const err = new AmiError(code, `AMI connection ${code === 'ami_stopped' ? 'stopped' : 'lost'}: ${reason}`);
    for (const [id, p] of this.pending) {
      if (p.link !== link) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
    for (const c of this.lists.values()) if (c.link === link) c.fail(err);
    this.retire(link);
    if (this.link === link) this.link = undefined;
    if (!this.running) return;
    if (link.loggedIn) this.log.warn({ reason }, 'AMI connection lost');
    else this.log.warn({ reason, attempt: this.connectAttempts }, 'AMI connect attempt failed');
    this.lastError = this.lastError instanceof AmiError && this.lastError.amiCode === 'ami_auth_failed' && !link.loggedIn
      ? this.lastError
      : new Error(reason);
    this.setState('disconnected', reason);
    this.scheduleReconnect();
  }

  private retire(link: Link): void {
    const { mgr } = link;
    mgr.removeAllListeners();
    // The library re-emits socket errors on its emitter; with no listener that would throw.
    mgr.on('error', () => undefined);
    if (link.tcpUp) mgr.disconnect();
    else mgr.once('connect', () => mgr.disconnect());
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer) return;
    // Jitter so that many CTI nodes do not hammer a restarting Asterisk in lockstep.
    const delay = this.backoff.next();
    this.log.debug({ delay }, 'AMI reconnect scheduled');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delay);
  }

  private setState(state: AmiState, reason?: string): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.stateSince = new Date();
    const change: AmiStateChange = { state, previous, at: this.stateSince, ...(reason ? { reason } : {}) };
    this.safely(() => this.emit('state', change));
  }

  // ---- actions ----

  private currentLink(): Link {
    if (!this.running) throw new AmiError('ami_stopped', 'AMI client is stopped');
    const link = this.link;
    if (!link || !link.loggedIn || link.dead) {
      throw new AmiError('ami_not_connected', `AMI not connected (state ${this.currentState})`);
    }
    return link;
  }

  private sendOnCurrentLink(request: AmiActionRequest, timeoutMs: number): Promise<AmiMessage> {
    try {
      return this.send(this.currentLink(), request, timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private nextId(): string {
    return `${this.idPrefix}${++this.seq}`;
  }

  private send(link: Link, request: AmiActionRequest, timeoutMs: number, id = this.nextId()): Promise<AmiMessage> {
    const name = actionName(request);
    if (!name) return Promise.reject(new TypeError('AMI action request without an Action header'));
    return new Promise<AmiMessage>((resolve, reject) => {
      const req: AsteriskManager.ActionRequest = {};
      for (const [k, v] of Object.entries(request)) if (k.toLowerCase() !== 'actionid') req[k] = v;
      // The library reads the id from this exact lower-case key only.
      req.actionid = id;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        link.mgr.removeAllListeners(id);
        reject(new AmiError('ami_timeout', `AMI ${name} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { link, timer, reject });
      link.mgr.action(req, (err, res) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        if (err) {
          const response = normalize(err);
          reject(new AmiError('ami_action_failed', `AMI ${name} failed: ${response.message ?? 'Response: Error'}`, response));
        } else {
          resolve(normalize(res));
        }
      });
    });
  }

  // ---- events ----

  private onManagerEvent(link: Link, raw: AsteriskManager.Message): void {
    if (link.dead) return;
    const msg = normalize(raw);
    if (msg.actionid !== undefined) {
      const list = this.lists.get(msg.actionid);
      if (list && list.link === link) {
        if ((msg.eventlist ?? '').toLowerCase() === 'complete') list.complete(msg);
        else list.events.push(msg);
      }
      // Events carrying an ActionID answer someone's action; they are not news.
      return;
    }
    const name = (msg.event ?? '').toLowerCase();
    this.safely(() => this.emit('event', msg));
    const at = new Date();
    switch (name) {
      case 'contactstatus':
        return this.emitParsed('contact', msg, parseContactStatus(msg, at));
      case 'registry':
        return this.emitParsed('registry', msg, parseRegistry(msg, at));
      case 'peerstatus':
        return this.emitParsed('peer', msg, parsePeerStatus(msg, at));
      case 'fullybooted':
        return this.emitParsed('fullyBooted', msg, parseFullyBooted(msg, at));
      case 'shutdown':
        return this.emitParsed('shutdown', msg, parseShutdown(msg, at));
      default:
    }
  }

  private emitParsed<K extends 'contact' | 'registry' | 'peer' | 'fullyBooted' | 'shutdown'>(
    name: K,
    msg: AmiMessage,
    parsed: Parsed<AmiClientEvents[K][0]>,
  ): void {
    if (!parsed.ok) {
      this.malformedEvents++;
      this.log.warn({ event: msg.event, problems: parsed.problems, message: msg }, 'malformed AMI event ignored');
      this.safely(() => this.emit('malformed', { event: msg.event ?? '', problems: parsed.problems, message: msg }));
      return;
    }
    const value = parsed.value;
    // The generic K does not narrow emit's overloads; the tuple type is the same by construction.
    this.safely(() => (this.emit as (n: K, v: AmiClientEvents[K][0]) => boolean)(name, value));
  }

  /** A listener's exception must not escape into the library's nextTick (it would kill the process). */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'AMI event handler threw');
    }
  }
}

function actionName(request: AmiActionRequest): string {
  for (const [k, v] of Object.entries(request)) if (k.toLowerCase() === 'action') return String(v);
  return '';
}

/** Flattens the library's message: repeated keys are joined with `,`, variables as `k=v`. */
function normalize(raw: AsteriskManager.Message | undefined): AmiMessage {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.join(',');
    else out[k] = Object.entries(v).map(([vk, vv]) => `${vk}=${vv}`).join(',');
  }
  return out;
}
