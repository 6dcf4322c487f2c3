import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { PbxModel } from '../pbx';
import { apiDeclaration, resourcesListing } from './api-docs';
import { SimClock, type FrameClock } from './clock';
import { handleControl } from './control';
import { AsteriskModel, defaultSoundDurationMs } from './model';
import type { CalleeBehaviour } from './outbound';
import { bodyToParams, buildHandlers, matchRoute, type RestResult } from './rest';
import { CallerHandle, startLoad, type LoadHandle, type LoadOptions } from './script';
import type {
  AriEventJson,
  BridgeJson,
  ChannelInfo,
  DeliveredEvent,
  DialplanRoute,
  PlaceCallOptions,
  RestLogEntry,
  SimLogger,
} from './types';
import { AriError } from './util';
import { AppRegistry } from './ws';
import { soundFileDuration, type SoundFilesOptions } from './sound-files';

export interface AriSimulatorOptions {
  /** 0 (default) = ephemeral. The server always binds 127.0.0.1. */
  port?: number;
  username?: string;
  password?: string;
  pbx: PbxModel;
  /** Default: 952525 → Stasis(hotline). */
  dialplan?: DialplanRoute | DialplanRoute[];
  /** Simulated length of a media URI (ms); null/undefined/negative = file missing (playback fails). */
  soundDurationMs?: (mediaUri: string) => number | null | undefined;
  /**
   * Sounds read from disk when played (sound-files.ts), e.g. the per-order notice speech in
   * `hotline-notices/`: they play for the file's real length, or fail when the file is missing.
   */
  soundFiles?: SoundFilesOptions;
  /** Multiplies every simulated duration (tests use e.g. 0.05). Fault durations are real time. */
  timeScale?: number;
  /** Where bridge/channel recordings are written (8 kHz mono 16-bit WAV of silence). */
  recordingsDir?: string;
  logger?: SimLogger;
  /** Default `02:fc:00:00:00:01` as in the traces. */
  asteriskId?: string;
  /** Endpoint resource of the carrier trunk inbound calls arrive on. Default `pstn`. */
  trunkEndpoint?: string;
  /** Prompt the dialplan plays when a broadcast is not claimed. */
  fallbackMedia?: string;
  /** Phone answers busy (486) this long after the INVITE. Default 300 (as in 04a). */
  busyDelayMs?: number;
  /** 180 Ringing this long after the INVITE. Default 2. */
  ringDelayMs?: number;
  /** Duration reported for caller DTMF. Default 280 (as in 01). */
  dtmfDurationMs?: number;
  /**
   * The trunk endpoint has an AOR contact, so `PJSIP/<number>@<trunk>` reaches the carrier.
   * Default true (the product's `carrier` has one; the capture box's `pstn` did not: 12).
   */
  trunkHasContact?: boolean;
  /** What a number called through the trunk does unless set with setCallee. Default: answers after 1 s. */
  defaultCallee?: CalleeBehaviour;
  /** Media frames: by default every 20 ms of real time, whatever the time scale (see FrameClock). */
  mediaFrames?: FrameClock;
}

export interface AriSimulatorEvents {
  /** Every /ari REST request, when answered. */
  rest: [RestLogEntry];
  /** Every event copy addressed to an app (delivered or lost). */
  event: [DeliveredEvent];
  /** A caller was placed (script, control API or load). */
  call: [CallerHandle];
  /** Events socket lifecycle. */
  ws: [{ what: 'open' | 'close' | 'refused'; apps: string[]; status?: number }];
}

export const ASTERISK_VERSION = '22.10.1';

export class AriSimulator extends EventEmitter<AriSimulatorEvents> {
  readonly pbx: PbxModel;
  readonly clock: SimClock;
  readonly apps: AppRegistry;
  readonly model: AsteriskModel;
  private readonly username: string;
  private readonly password: string;
  private readonly port: number;
  private readonly logger: SimLogger | undefined;
  private readonly dtmfDurationMs: number;
  private readonly handlers: ReturnType<typeof buildHandlers>;
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<Socket>();
  private baseUrl = '';
  private readonly requestLog: RestLogEntry[] = [];
  private silent = false;
  private readonly hung = new Set<ServerResponse>();
  private failing: { status: number; count: number; body: Record<string, unknown> } | null = null;
  private dropUntil = 0;
  /** Connections a half-open fault left up but dead: nothing they send is answered. */
  private readonly dead = new WeakSet<Socket>();
  /** Until then (half-open), new connections get no answer either. */
  private unansweredUntil = 0;
  /** Upgrades left unanswered by a half-open fault, closed on stop. */
  private readonly stalled = new Set<Duplex>();
  private boundPort = 0;
  private restarting = false;
  private stops = 0;
  private readonly callers = new Map<string, CallerHandle>();
  private loads = new Set<LoadHandle>();
  /** Most recent load started through the control API. */
  controlLoad: LoadHandle | null = null;

  constructor(opts: AriSimulatorOptions) {
    super();
    this.setMaxListeners(0);
    this.pbx = opts.pbx;
    this.username = opts.username ?? 'cti';
    this.password = opts.password ?? 'cti';
    this.port = opts.port ?? 0;
    this.logger = opts.logger;
    this.dtmfDurationMs = opts.dtmfDurationMs ?? 280;
    this.clock = new SimClock(opts.timeScale ?? 1);
    const asteriskId = opts.asteriskId ?? '02:fc:00:00:00:01';
    this.apps = new AppRegistry(asteriskId);
    const routes = opts.dialplan
      ? Array.isArray(opts.dialplan)
        ? opts.dialplan
        : [opts.dialplan]
      : [{ exten: '952525', mode: 'stasis' as const, app: 'hotline' }];
    this.model = new AsteriskModel(this.clock, this.pbx, this.apps, {
      asteriskId,
      routes,
      trunk: opts.trunkEndpoint ?? 'pstn',
      soundDurationMs: withSoundFiles(opts.soundDurationMs ?? defaultSoundDurationMs, opts.soundFiles),
      recordingsDir: opts.recordingsDir,
      fallbackMedia: opts.fallbackMedia ?? 'sound:hotline/please-call-again',
      busyDelayMs: opts.busyDelayMs ?? 300,
      ringDelayMs: opts.ringDelayMs ?? 2,
      dtmfDurationMs: this.dtmfDurationMs,
      frames: opts.mediaFrames ?? { nextFrame: (fn) => this.clock.afterReal(20, fn) },
      logger: opts.logger,
      trunkHasContact: opts.trunkHasContact ?? true,
      defaultCallee: opts.defaultCallee ?? { kind: 'answer', afterMs: 1000 },
    });
    this.model.on('event', (e) => this.emit('event', e));
    this.handlers = buildHandlers(this.model, { version: ASTERISK_VERSION });
  }

  /** `http://127.0.0.1:<port>` once started. */
  get url(): string {
    if (!this.baseUrl) throw new Error('AriSimulator not started');
    return this.baseUrl;
  }

  async start(): Promise<{ url: string }> {
    if (this.server) return { url: this.baseUrl };
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        this.logger?.error({ err }, 'ari-sim: request failed');
        if (!res.headersSent) this.sendJson(res, 500, { message: 'Internal Server Error' });
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // The same port after a restart, as Asterisk's http.conf keeps it.
      server.listen(this.boundPort || this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    this.boundPort = addr.port;
    this.baseUrl = `http://127.0.0.1:${addr.port}`;
    this.logger?.info({ url: this.baseUrl }, 'ari-sim: listening');
    return { url: this.baseUrl };
  }

  async stop(): Promise<void> {
    this.stops++;
    for (const l of this.loads) l.stop();
    this.loads.clear();
    this.clock.clearAll();
    this.apps.closeAll();
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    for (const s of this.stalled) s.destroy();
    this.stalled.clear();
    this.model.reset();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    this.wss?.close();
    this.wss = null;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  private authorized(req: IncomingMessage, url: URL): boolean {
    const apiKey = url.searchParams.get('api_key');
    if (apiKey !== null) return apiKey === `${this.username}:${this.password}`;
    const h = req.headers.authorization;
    if (!h || !h.startsWith('Basic ')) return false;
    return Buffer.from(h.slice(6), 'base64').toString('utf8') === `${this.username}:${this.password}`;
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const data = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      Server: `Asterisk/${ASTERISK_VERSION}`,
      'Cache-Control': 'no-cache, no-store',
      ...(data ? { 'Content-Type': 'application/json' } : {}),
      'Content-Length': Buffer.byteLength(data),
    });
    res.end(data);
  }

  private async readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await this.readBody(req);
    let body: unknown;
    const ctype = req.headers['content-type'] ?? '';
    if (raw.trim()) {
      if (ctype.includes('application/x-www-form-urlencoded')) {
        body = Object.fromEntries(new URLSearchParams(raw));
      } else {
        try {
          body = JSON.parse(raw);
        } catch {
          if (url.pathname.startsWith('/ari')) {
            this.sendJson(res, 400, { message: 'Could not parse request body' });
            return;
          }
          body = undefined;
        }
      }
    }
    if (url.pathname.startsWith('/_')) {
      handleControl(this, req.method ?? 'GET', url, body, (status, payload) => this.sendJson(res, status, payload));
      return;
    }
    if (url.pathname !== '/ari' && !url.pathname.startsWith('/ari/')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    if (this.silent || this.dead.has(req.socket) || Date.now() < this.unansweredUntil) {
      // A hung Asterisk (or a half-open link): the request is read and never answered.
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const ariPath = url.pathname.slice('/ari'.length) || '/';
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) if (k !== 'api_key') query[k] = k in query ? `${query[k]},${v}` : v;

    const docs = /^\/api-docs\/([A-Za-z]+)\.json$/.exec(ariPath);
    // The request log is for the app's REST traffic; ari-client's api-docs loading is not part of it.
    const reply = (status: number, payload: unknown): void => {
      this.sendJson(res, status, payload);
      if (!docs) this.logRest({ at: Date.now(), method, path: url.pathname, query, body, status, responseBody: payload ?? null });
    };

    if (!this.authorized(req, url)) {
      reply(401, { message: 'Authentication required' });
      return;
    }
    if (docs) {
      const base = `http://${req.headers.host ?? this.baseUrl.replace('http://', '')}`;
      const doc = docs[1] === 'resources' ? resourcesListing(base) : apiDeclaration(docs[1] ?? '', base);
      if (!doc) this.sendJson(res, 404, { message: 'Resource not found' });
      else this.sendJson(res, 200, doc);
      return;
    }
    if (this.failing && this.failing.count > 0) {
      this.failing.count--;
      const { status, body: fbody } = this.failing;
      if (this.failing.count === 0) this.failing = null;
      reply(status, fbody);
      return;
    }
    const match = matchRoute(method, ariPath);
    if (match.kind === 'not-found') {
      reply(404, { message: 'Resource not found' });
      return;
    }
    if (match.kind === 'bad-method') {
      reply(405, { message: 'Invalid method' });
      return;
    }
    const handler = this.handlers[`${match.op.resource}.${match.op.nickname}`];
    const fromBody = bodyToParams(body);
    let result: RestResult;
    try {
      if (!handler) throw new AriError(501, { message: 'Not implemented' });
      result = handler({ params: { ...fromBody.params, ...query }, path: match.path, variables: fromBody.variables, bodyJson: body });
    } catch (err) {
      if (err instanceof AriError) {
        reply(err.status, err.body);
        return;
      }
      throw err;
    }
    if (result.binary) {
      res.writeHead(result.status, {
        Server: `Asterisk/${ASTERISK_VERSION}`,
        'Content-Type': result.contentType ?? 'application/octet-stream',
        'Content-Length': result.binary.length,
      });
      res.end(result.binary);
      this.logRest({ at: Date.now(), method, path: url.pathname, query, body, status: result.status, responseBody: `<${result.binary.length} bytes>` });
    } else {
      reply(result.status, result.body);
    }
    result.after?.();
  }

  private logRest(entry: RestLogEntry): void {
    this.logger?.debug({ method: entry.method, path: entry.path, status: entry.status }, 'ari-sim: rest');
    this.requestLog.push(entry);
    if (this.requestLog.length > 10_000) this.requestLog.splice(0, this.requestLog.length - 10_000);
    this.emit('rest', entry);
  }

  private rawReply(socket: Duplex, status: number, reason: string, contentType: string, body: string): void {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nServer: Asterisk/${ASTERISK_VERSION}\r\nContent-Type: ${contentType}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    socket.destroy();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const apps = (url.searchParams.get('app') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const refuse = (status: number, reason: string, ctype: string, body: string): void => {
      this.emit('ws', { what: 'refused', apps, status });
      this.rawReply(socket, status, reason, ctype, body);
    };
    if (Date.now() < this.unansweredUntil) {
      // Half-open: the handshake never completes; the client has to give up by itself.
      this.stalled.add(socket);
      socket.on('close', () => this.stalled.delete(socket));
      return;
    }
    if (url.pathname !== '/ari/events') {
      refuse(404, 'Not Found', 'application/json', JSON.stringify({ message: 'Resource not found' }));
      return;
    }
    if (Date.now() < this.dropUntil) {
      refuse(503, 'Service Unavailable', 'application/json', JSON.stringify({ message: 'Service Unavailable' }));
      return;
    }
    if (!this.authorized(req, url)) {
      refuse(401, 'Unauthorized', 'application/json', JSON.stringify({ message: 'Authentication required' }));
      return;
    }
    if (apps.length === 0) {
      const html =
        '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>400 Bad Request</title>\r\n' +
        '</head><body>\r\n<h1>Bad Request</h1>\r\n<p>HTTP request is missing param: [app]</p>\r\n<hr />\r\n' +
        `<address>Asterisk/${ASTERISK_VERSION}</address>\r\n</body></html>\r\n`;
      refuse(400, 'Bad Request', 'text/html', html);
      return;
    }
    const subscribeAll = url.searchParams.get('subscribeAll') === 'true';
    this.wss?.handleUpgrade(req, socket, head, (ws) => {
      this.apps.attach(ws, apps, subscribeAll);
      this.emit('ws', { what: 'open', apps });
      ws.on('close', () => this.emit('ws', { what: 'close', apps }));
    });
  }

  // -------------------------------------------------------------------------------------------
  // Scripting API

  /** A PSTN caller dials in on the trunk. */
  placeCall(opts: PlaceCallOptions): CallerHandle {
    const ch = this.model.inbound({
      callerNumber: opts.callerNumber,
      ...(opts.callerName !== undefined ? { callerName: opts.callerName } : {}),
      exten: opts.exten ?? this.defaultExten(),
    });
    const handle = new CallerHandle(this.model, ch, opts, this.clock, this.dtmfDurationMs);
    this.callers.set(handle.id, handle);
    void handle.ended.then(() => this.pruneCallers());
    this.emit('call', handle);
    return handle;
  }

  private defaultExten(): string {
    return this.model.opts.routes[0]?.exten ?? '952525';
  }

  private pruneCallers(): void {
    if (this.callers.size <= 2000) return;
    for (const [id, h] of this.callers) {
      if (this.callers.size <= 1000) break;
      if (h.result()) this.callers.delete(id);
    }
  }

  caller(id: string): CallerHandle | undefined {
    return this.callers.get(id);
  }

  callerHandles(): CallerHandle[] {
    return [...this.callers.values()];
  }

  /** The agent's phone sends BYE (no cause, as trace 06); while ringing it declines (603). */
  agentHangup(channelId: string): void {
    const ch = this.model.channels.get(channelId);
    if (!ch || ch.kind !== 'outbound') throw new Error(`no agent channel ${channelId}`);
    this.model.remoteHangup(ch);
  }

  /**
   * How a number called through the trunk reacts: `target` is the number, the address a
   * `PJSIP/<trunk>/sip:<number>@<host:port>` dial names (`127.0.0.1:5091`), or `*` for any other.
   */
  setCallee(target: string, behaviour: CalleeBehaviour): void {
    this.model.callees.set(target, behaviour);
  }

  /**
   * The far end of an outbound channel (a called number, an agent's phone) presses a key now,
   * e.g. a notice call's receiver once they heard the whole prompt. Its RFC 4733 digit arrives as
   * any caller's does (ChannelDtmfReceived), recording or not (trace 12).
   */
  farEndDtmf(channelId: string, digit: string): void {
    const ch = this.model.channels.get(channelId);
    if (!ch || ch.kind !== 'outbound' || ch.gone) throw new Error(`no outbound channel ${channelId}`);
    this.model.callerDtmf(ch, digit, this.dtmfDurationMs);
  }

  /** The agent's phone answers now (useful with behaviour `no-answer`). */
  agentAnswer(channelId: string): void {
    const ch = this.model.channels.get(channelId);
    if (!ch || ch.kind !== 'outbound') throw new Error(`no agent channel ${channelId}`);
    this.model.answerOutbound(ch);
  }

  channels(): ChannelInfo[] {
    return [...this.model.channels.values()].filter((c) => !c.gone).map((c) => c.info());
  }

  /** The live channel towards phone `ext` (`PJSIP/<ext>`), newest first. */
  findAgentChannel(ext: string): ChannelInfo | undefined {
    const list = this.channels().filter((c) => c.kind === 'outbound' && c.endpoint === `PJSIP/${ext}`);
    return list[list.length - 1];
  }

  bridges(): BridgeJson[] {
    return [...this.model.bridges.values()].map((b) => b.snapshot());
  }

  registeredApps(): string[] {
    return this.apps.registeredApps();
  }

  storedRecordings(): Array<{ name: string; format: string; durationMs: number; path: string | null }> {
    return [...this.model.media.stored.values()].map((s) => ({ ...s }));
  }

  /** Puts a finished recording in the store (as if recorded earlier), e.g. to test name clashes. */
  addStoredRecording(rec: { name: string; format?: string; durationMs?: number }): void {
    this.model.media.addStored(rec.name, rec.format ?? 'wav', rec.durationMs ?? 1000);
  }

  requests(): RestLogEntry[] {
    return [...this.requestLog];
  }

  clearRequests(): void {
    this.requestLog.length = 0;
  }

  /** wazo's `/_send_ws_event`: pushes an arbitrary message to the events sockets. */
  sendWsEvent(event: AriEventJson, app?: string): number {
    return this.apps.broadcastRaw(event, app);
  }

  /** Resolves with the first event copy matching `pred` (from now on). */
  waitForEvent(pred: (e: DeliveredEvent) => boolean, timeoutMs = 10_000): Promise<DeliveredEvent> {
    return this.waitFor('event', pred, timeoutMs);
  }

  /** Resolves with the first REST log entry matching `pred` (from now on). */
  waitForRest(pred: (e: RestLogEntry) => boolean, timeoutMs = 10_000): Promise<RestLogEntry> {
    return this.waitFor('rest', pred, timeoutMs);
  }

  private waitFor<K extends 'event' | 'rest'>(
    kind: K,
    pred: (e: AriSimulatorEvents[K][0]) => boolean,
    timeoutMs: number,
  ): Promise<AriSimulatorEvents[K][0]> {
    return new Promise((resolve, reject) => {
      const listener = (e: AriSimulatorEvents[K][0]): void => {
        if (!pred(e)) return;
        clearTimeout(timer);
        this.off(kind, listener as never);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.off(kind, listener as never);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${kind}`));
      }, timeoutMs);
      this.on(kind, listener as never);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Faults

  /**
   * Abnormally closes every events socket and refuses upgrades with 503 for `forMs` real ms.
   * Channels keep living; events meanwhile are lost (the apps are unregistered).
   */
  dropWebSockets(opts: { forMs: number }): void {
    this.dropUntil = Date.now() + opts.forMs;
    this.apps.terminateAll();
  }

  /**
   * A half-open link (a NAT or firewall forgot the flow, or Asterisk's network went away without
   * a FIN): every connection open now stays up but dead both ways. An events socket's app stays
   * registered, its pings get no pong and its events are lost; a REST request on a dead
   * keep-alive connection is never answered. For `forMs` new connections fare no better (an
   * upgrade never completes, a request is never answered); after that they work again. Channels
   * live on. Returns how many events sockets went dead.
   */
  halfOpen(opts: { forMs?: number } = {}): number {
    this.unansweredUntil = Date.now() + (opts.forMs ?? 0);
    for (const s of this.sockets) this.dead.add(s);
    return this.apps.deadenAll();
  }

  /**
   * `core restart now` with calls up: every channel is hung up for shutdown (their events still
   * reach the apps), then every connection closes without a close frame and the port refuses
   * connections for `downMs`; Asterisk comes back empty (no channels, bridges, live recordings
   * or registered apps; stored recordings stay) on the same port, and apps must connect again.
   * Resolves once it listens again. (`AmiSimulator.restart` is the AMI side of the same event.)
   */
  async restart(opts: { downMs?: number } = {}): Promise<void> {
    const server = this.server;
    if (!server || this.restarting) throw new Error('AriSimulator: not running');
    this.restarting = true;
    const stops = this.stops;
    try {
      const hungUp = this.model.shutdownHangupAll();
      this.logger?.info({ hungUp, downMs: opts.downMs ?? 1000 }, 'ari-sim: restarting');
      for (const l of this.loads) l.stop();
      this.loads.clear();
      this.apps.endAll();
      for (const res of this.hung) res.destroy();
      this.hung.clear();
      for (const s of this.stalled) s.destroy();
      this.stalled.clear();
      this.failing = null;
      this.silent = false;
      this.dropUntil = this.unansweredUntil = 0;
      this.server = null;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // What was written (the hangups' events) is flushed before the FIN; then nothing lingers.
        for (const s of this.sockets) s.end();
        setTimeout(() => {
          for (const s of this.sockets) s.destroy();
        }, 200).unref();
      });
      await new Promise<void>((resolve) => setTimeout(resolve, opts.downMs ?? 1000));
      if (this.stops !== stops) return; // stopped meanwhile
      const stored = [...this.model.media.stored.entries()];
      this.model.reset();
      for (const [name, rec] of stored) this.model.media.stored.set(name, rec);
      await this.start();
    } finally {
      this.restarting = false;
    }
  }

  /** The next `count` ARI REST requests (not api-docs) get `status` instead of being served. */
  failRequests(opts: { status: 500 | 503; count: number; body?: Record<string, unknown> }): void {
    const body = opts.body ?? { message: opts.status === 503 ? 'Service Unavailable' : 'Internal Server Error' };
    this.failing = opts.count > 0 ? { status: opts.status, count: opts.count, body } : null;
  }

  /** While on, /ari requests are accepted and never answered (to exercise client timeouts). */
  setSilent(on: boolean): void {
    this.silent = on;
  }

  // -------------------------------------------------------------------------------------------
  // Load

  startLoad(opts: LoadOptions): LoadHandle {
    const handle = startLoad((o) => this.placeCall(o), this.clock, opts);
    this.loads.add(handle);
    void handle.done.then(() => this.loads.delete(handle));
    return handle;
  }

  /** wazo's `/_reset`: no channels, bridges, recordings, faults or request log; sockets stay. */
  reset(): void {
    for (const l of this.loads) l.stop();
    this.loads.clear();
    this.controlLoad = null;
    this.model.reset();
    this.callers.clear();
    this.failing = null;
    this.silent = false;
    this.dropUntil = this.unansweredUntil = 0;
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    for (const s of this.stalled) s.destroy();
    this.stalled.clear();
    this.clearRequests();
  }
}

function withSoundFiles(
  table: (uri: string) => number | null | undefined,
  files: SoundFilesOptions | undefined,
): (uri: string) => number | null | undefined {
  if (!files) return table;
  const fromDisk = soundFileDuration(files);
  return (uri) => {
    const d = fromDisk(uri);
    return d === undefined ? table(uri) : d;
  };
}
