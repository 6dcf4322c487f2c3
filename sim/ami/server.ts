import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import pino, { type Logger } from 'pino';
import type { FallbackCaller, PbxModel, PhoneState, TrunkState } from '../pbx';
import { AppQueue, type AppQueueOptions } from './app-queue';
import {
  AMI_BANNER,
  AMI_TV_EPOCH,
  AMI_VERSION,
  ASTERISK_VERSION,
  AmiMessageParser,
  amiTimestamp,
  amiTv,
  getHeader,
  headersFromRecord,
  serializeMessage,
  type AmiHeaders,
} from './protocol';

/**
 * A stand-in for Asterisk 22's AMI (TCP, port 5038) for tests, the demo and the load bench.
 * Ground truth: the golden traces in test/fixtures/asterisk-traces/ami/. It is a second view
 * of the shared PbxModel: phones registering/vanishing there come out as ContactStatus /
 * PeerStatus / DeviceStateChange, the trunk as Registry events.
 *
 * The phones are modelled as dynamic (REGISTERed) contacts with qualify on, which is what the
 * hotline's agent phones are; static contacts and qualify reloads (phases 2/3/8 of trace 02) are
 * not modelled.
 */

export interface AmiAccount {
  username: string;
  secret: string;
  /** manager.conf `read=` classes; events of other classes are not sent. Default `['all']`. */
  read?: string[];
}

export interface AmiTrunkRegistration {
  /** pjsip.conf `[name] type=registration`; default: the PbxModel trunk's name. */
  objectName?: string;
  clientUri?: string;
  serverUri?: string;
  contactUser?: string;
  expiration?: number;
  retryInterval?: number;
  maxRetries?: number;
  /** false: no registration configured (the list is empty, no Registry events). Default true. */
  configured?: boolean;
  /** The registration's `endpoint =` (pjsip.conf names the carrier's endpoint); default none. */
  endpoint?: string;
  /**
   * The registration's `outbound_auth` (pjsip.conf has `carrier-auth`): PJSIPShowRegistrationsOutbound
   * then writes an `AuthDetail` row after the registration, counted in ListItems, as Asterisk does.
   * Default none, as in trace 03.
   */
  outboundAuth?: { name: string; username: string; password: string; realm?: string };
  /**
   * The carrier's static AOR contact, qualified by OPTIONS (pjsip.conf `[carrier] type=aor`):
   * reported by ContactStatus (Reachable while the trunk is up, Unreachable while down) under the
   * trunk's endpoint name, and, like every static contact (trace 02), not listed by PJSIPShowContacts.
   * Default none.
   */
  qualifiedContact?: string;
}

export interface AmiSimulatorOptions {
  /** 0 (default) = any free port. Always bound to 127.0.0.1. */
  port?: number;
  username: string;
  secret: string;
  read?: string[];
  /** More accounts, e.g. one with a restricted `read` to test event filtering. */
  accounts?: AmiAccount[];
  pbx: PbxModel;
  logger?: Logger;
  /** Asterisk answers a wrong secret ~1 s late, then closes the socket. */
  authFailDelayMs?: number;
  /** After `restart()`: time from accepting connections again to the FullyBooted broadcast. */
  bootDelayMs?: number;
  /** > 0: emit `Registry Registered` every interval, as every successful refresh does. */
  registrationRefreshMs?: number;
  trunk?: AmiTrunkRegistration;
  /** The contact URI a phone registers from; default `sip:<ext>@127.0.0.1:<5100+n>`. */
  contactUri?: (extension: string) => string;
  /** Shown as the AOR's qualify_frequency. */
  qualifyFrequency?: number;
  /** Qualify round trip reported for reachable contacts. */
  roundtripUsec?: () => number;
  /** CoreStatus counters, e.g. fed by the ARI simulator. */
  callCounters?: () => { current: number; processed: number };
  /**
   * Asterisk's own queue for callers no Stasis app took (the dialplan fallback of
   * asterisk-conf/): on by default, as in the hotline's dialplan; false = no app_queue, and the
   * ARI simulator plays "please call again" instead.
   */
  queue?: AppQueueOptions | false;
}

export interface RestartOptions {
  /** How long the port refuses connections (Asterisk 22: ~650 ms). */
  downMs?: number;
  bootDelayMs?: number;
}

interface Session {
  id: number;
  socket: net.Socket;
  parser: AmiMessageParser;
  authenticated: boolean;
  account?: AmiAccount;
  /** `all`, `none` or the classes given in Login's `Events:` header. */
  eventMask: 'all' | 'none' | Set<string>;
  sessionId: string;
  sessionTv?: Date;
  remote: string;
  /** Login failed: Asterisk's session thread sleeps, nothing else is processed. */
  blocked: boolean;
  ending: boolean;
}

interface PhoneView {
  registered: boolean;
  reachable: boolean;
  /** Endpoint aggregate (PeerStatus): only Reachable contacts make it reachable. */
  endpointReachable: boolean;
  uri: string;
  callId: string;
  expiresAt: number;
  rttUsec: number;
}

type SimState = 'stopped' | 'running' | 'down';

const HOST = '127.0.0.1';
const DEFAULT_REGISTRATION_EXPIRY_S = 3600;

export class AmiSimulator {
  private readonly opts: AmiSimulatorOptions;
  private readonly accounts: AmiAccount[];
  private readonly log: Logger;
  private readonly pbx: PbxModel;
  private server: net.Server | undefined;
  private readonly sessions = new Set<Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakers = new Set<() => void>();
  private readonly phones = new Map<string, PhoneView>();
  private nextSessionNo = 1;
  private nextContactPort = 5100;
  private boundPort = 0;
  private state: SimState = 'stopped';
  private silent = false;
  /** Action name (lower case) → how many more of it are read and never answered. */
  private readonly swallowing = new Map<string, number>();
  private booted = true;
  private startedAt = new Date();
  private reloadedAt = new Date();
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly registration: Required<Omit<AmiTrunkRegistration, 'configured' | 'endpoint' | 'outboundAuth' | 'qualifiedContact'>>;
  private trunkConfigured: boolean;
  private trunkStatus: 'Registered' | 'Rejected';

  private readonly onPhone = (p: PhoneState) => this.phoneChanged(p);
  private readonly onTrunk = (t: TrunkState) => this.trunkChanged(t);
  /** app_queue of the dialplan fallback; its events go to every permitted session. */
  readonly appQueue: AppQueue | undefined;
  private readonly onFallback = (caller: FallbackCaller) => this.appQueue?.join(caller);

  constructor(opts: AmiSimulatorOptions) {
    this.opts = opts;
    this.pbx = opts.pbx;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.accounts = [
      { username: opts.username, secret: opts.secret, read: opts.read ?? ['all'] },
      ...(opts.accounts ?? []),
    ];
    const trunk = this.pbx.trunk();
    this.registration = {
      objectName: opts.trunk?.objectName ?? trunk.name,
      clientUri: opts.trunk?.clientUri ?? `sip:hotline@127.0.0.1:5095`,
      serverUri: opts.trunk?.serverUri ?? 'sip:127.0.0.1:5095',
      contactUser: opts.trunk?.contactUser ?? 'hotline',
      expiration: opts.trunk?.expiration ?? 30,
      retryInterval: opts.trunk?.retryInterval ?? 10,
      maxRetries: opts.trunk?.maxRetries ?? 10,
    };
    this.trunkConfigured = opts.trunk?.configured ?? true;
    this.trunkStatus = trunk.registered ? 'Registered' : 'Rejected';
    for (const p of this.pbx.listPhones()) this.phones.set(p.extension, this.viewFor(p, undefined));
    this.appQueue = opts.queue === false ? undefined : new AppQueue(this.pbx, opts.queue ?? {}, (e) => this.broadcast(e));
  }

  /** The port, fixed at the first `start()` and kept across `restart()`. */
  get port(): number {
    return this.boundPort;
  }

  /** Open TCP sessions, logged in or not. */
  get connectionCount(): number {
    return this.sessions.size;
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.state !== 'stopped') throw new Error('AMI simulator already started');
    this.pbx.on('phone', this.onPhone);
    this.pbx.on('trunk', this.onTrunk);
    if (this.appQueue) this.pbx.on('fallback', this.onFallback);
    this.startedAt = this.reloadedAt = new Date();
    this.booted = true;
    await this.listen(this.opts.port ?? 0);
    this.state = 'running';
    const every = this.opts.registrationRefreshMs ?? 0;
    if (every > 0) {
      this.refreshTimer = setInterval(() => this.refreshRegistration(), every);
      this.refreshTimer.unref();
    }
    this.log.info({ host: HOST, port: this.boundPort }, 'AMI simulator listening');
    return { host: HOST, port: this.boundPort };
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.pbx.off('phone', this.onPhone);
    this.pbx.off('trunk', this.onTrunk);
    this.pbx.off('fallback', this.onFallback);
    this.appQueue?.stop();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const wake of [...this.wakers]) wake();
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
    await this.closeServer();
    this.log.info('AMI simulator stopped');
  }

  /**
   * `core restart now`: Shutdown event, every socket closed, port refusing for `downMs`,
   * then accepting again while booting (logins get no FullyBooted) until the FullyBooted
   * broadcast `bootDelayMs` later. Resolves once the port accepts connections again.
   */
  async restart(opts: RestartOptions = {}): Promise<void> {
    if (this.state !== 'running') throw new Error(`cannot restart: simulator is ${this.state}`);
    const downMs = opts.downMs ?? 650;
    const bootDelayMs = opts.bootDelayMs ?? this.opts.bootDelayMs ?? 100;
    this.log.info({ downMs, bootDelayMs }, 'AMI simulator restarting');
    // Asterisk says Uncleanly when calls were up.
    const busy = (this.opts.callCounters?.().current ?? 0) > 0;
    this.broadcast([
      ['Event', 'Shutdown'],
      ['Privilege', 'system,all'],
      ['Shutdown', busy ? 'Uncleanly' : 'Cleanly'],
      ['Restart', 'True'],
    ]);
    this.state = 'down';
    // A restart ends whatever was stuck.
    this.swallowing.clear();
    for (const s of this.sessions) this.endSession(s);
    await this.closeServer();
    await this.sleep(downMs);
    if (this.state !== 'down') return; // stopped meanwhile
    this.startedAt = this.reloadedAt = new Date();
    this.booted = false;
    await this.listen(this.boundPort);
    this.state = 'running';
    this.later(bootDelayMs, () => this.bootCompleted());
  }

  /** A hung Asterisk: input is read and dropped, nothing at all is written (not even the banner). */
  setSilent(silent: boolean): void {
    this.silent = silent;
    this.log.info({ silent }, 'AMI simulator silent mode');
  }

  /**
   * The next `count` actions named `action` (any session) are read and never answered, nor
   * anything else for them: an Asterisk thread stuck on one request while the rest of the
   * manager keeps working.
   */
  swallowActions(action: string, count = 1): void {
    const name = action.toLowerCase();
    if (count > 0) this.swallowing.set(name, count);
    else this.swallowing.delete(name);
  }

  /**
   * The link to Asterisk lost for `forMs` (a network outage, not a restart): every session is
   * reset, no Shutdown, and connections are refused until then. Asterisk itself runs on: no
   * FullyBooted on the next login but the one every login gets. Resolves once it accepts again.
   */
  async refuseConnections(opts: { forMs: number }): Promise<void> {
    if (this.state !== 'running') throw new Error(`cannot refuse connections: simulator is ${this.state}`);
    this.dropConnections();
    this.state = 'down';
    await this.closeServer();
    await this.sleep(opts.forMs);
    if (this.state !== 'down') return; // stopped meanwhile
    await this.listen(this.boundPort);
    this.state = 'running';
  }

  /** Abrupt loss of every session (TCP RST); the port keeps accepting. */
  dropConnections(): void {
    for (const s of this.sessions) s.socket.resetAndDestroy();
    this.sessions.clear();
  }

  /** Add/remove the outbound registration (`module reload res_pjsip.so` after editing pjsip.conf). */
  setTrunkConfigured(configured: boolean): void {
    if (configured === this.trunkConfigured) return;
    this.trunkConfigured = configured;
    this.reloadedAt = new Date();
    this.broadcast(this.reloadEvent());
    if (configured) {
      this.trunkStatus = this.pbx.trunk().registered ? 'Registered' : 'Rejected';
      this.broadcast(this.registryEvent(this.trunkStatus));
    } else if (this.trunkStatus === 'Registered') {
      this.broadcast(this.registryEvent('Unregistered'));
    }
  }

  /** One successful re-REGISTER of the trunk: Asterisk reports every one as `Registered`. */
  refreshRegistration(): void {
    if (this.state !== 'running' || !this.trunkConfigured || this.trunkStatus !== 'Registered') return;
    this.broadcast(this.registryEvent('Registered'));
  }

  /** Sends an arbitrary event to every permitted session, e.g. a malformed one for robustness tests. */
  injectEvent(event: AmiHeaders | Record<string, string | number>): void {
    this.broadcast(Array.isArray(event) ? event : headersFromRecord(event));
  }

  // ---- TCP ----

  private listen(port: number): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise<void>((resolve, reject) => {
      let attempts = 0;
      const tryListen = () => {
        server.once('error', onError);
        server.listen({ host: HOST, port, exclusive: true }, () => {
          server.off('error', onError);
          this.boundPort = (server.address() as net.AddressInfo).port;
          resolve();
        });
      };
      // The old listening socket may linger for a moment after a restart.
      const onError = (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE' && port !== 0 && attempts++ < 20) {
          setTimeout(tryListen, 50);
          return;
        }
        reject(err);
      };
      tryListen();
    });
  }

  private closeServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // close() stops accepting at once; its callback waits for open sockets, which we end ourselves.
      server.close(() => resolve());
      // Only the sessions open now: after a short restart the set already holds new ones.
      const lingering = [...this.sessions];
      if (lingering.length === 0) return;
      this.later(500, () => {
        for (const s of lingering) s.socket.destroy();
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.state !== 'running') {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const session: Session = {
      id: this.nextSessionNo++,
      socket,
      parser: new AmiMessageParser(),
      authenticated: false,
      eventMask: 'all',
      sessionId: `0x${randomBytes(6).toString('hex')}`,
      remote: `IPV4/TCP/${socket.remoteAddress ?? HOST}/${socket.remotePort ?? 0}`,
      blocked: false,
      ending: false,
    };
    this.sessions.add(session);
    socket.on('data', (chunk: string) => {
      for (const msg of session.parser.push(chunk)) {
        try {
          this.handle(session, msg);
        } catch (err) {
          this.log.error({ err, session: session.id }, 'AMI simulator failed to handle an action');
        }
      }
    });
    socket.on('error', (err) => this.log.debug({ err: err.message, session: session.id }, 'AMI session socket error'));
    socket.on('close', () => this.sessions.delete(session));
    this.writeRaw(session, `${AMI_BANNER}\r\n`);
  }

  private writeRaw(session: Session, text: string): void {
    if (this.silent || session.ending || session.socket.destroyed) return;
    session.socket.write(text);
  }

  private write(session: Session, headers: AmiHeaders): void {
    this.writeRaw(session, serializeMessage(headers));
  }

  private endSession(session: Session): void {
    if (session.ending) return;
    session.ending = true;
    session.socket.end();
  }

  // ---- actions ----

  private handle(session: Session, req: AmiHeaders): void {
    if (session.blocked || session.ending) return;
    if (this.silent) {
      this.log.debug({ session: session.id, action: getHeader(req, 'Action') }, 'silent: action dropped');
      return;
    }
    const action = getHeader(req, 'Action');
    if (action === undefined || action === '') {
      this.respond(session, req, 'Error', [['Message', 'Missing action in request']]);
      return;
    }
    const name = action.toLowerCase();
    const swallow = this.swallowing.get(name);
    if (swallow !== undefined && session.authenticated) {
      if (swallow <= 1) this.swallowing.delete(name);
      else this.swallowing.set(name, swallow - 1);
      this.log.debug({ session: session.id, action }, 'action swallowed');
      return;
    }
    if (!session.authenticated && name !== 'login' && name !== 'logoff' && name !== 'challenge') {
      this.respond(session, req, 'Error', [['Message', 'Permission denied']]);
      this.broadcastSecurity(session, 'RequestNotAllowed', 'Error', 1, [['RequestType', `Action: ${action}`]]);
      return;
    }
    switch (name) {
      case 'login':
        return this.login(session, req);
      case 'logoff':
        this.respond(session, req, 'Goodbye', [['Message', 'Thanks for all the fish.']]);
        this.endSession(session);
        return;
      case 'ping':
        return this.respond(session, req, 'Success', [
          ['Ping', 'Pong'],
          ['Timestamp', amiTimestamp()],
        ]);
      case 'corestatus':
        return this.coreStatus(session, req);
      case 'coresettings':
        return this.respond(session, req, 'Success', [
          ['AMIversion', AMI_VERSION],
          ['AsteriskVersion', ASTERISK_VERSION],
          ['SystemName', ''],
          ['CoreMaxCalls', '0'],
          ['CoreMaxLoadAvg', '0.000000'],
          ['CoreRunUser', ''],
          ['CoreRunGroup', ''],
          ['CoreMaxFilehandles', '0'],
          ['CoreRealTimeEnabled', 'No'],
          ['CoreCDRenabled', 'No'],
          ['CoreHTTPenabled', 'No'],
          ['SoundsSearchCustomDir', 'No'],
        ]);
      case 'pjsipshowcontacts':
        return this.showContacts(session, req);
      case 'pjsipshowendpoints':
        return this.showEndpoints(session, req);
      case 'pjsipshowaors':
        return this.showAors(session, req);
      case 'pjsipshowregistrationinboundcontactstatuses':
        return this.showInboundContactStatuses(session, req);
      case 'pjsipshowregistrationsoutbound':
        return this.showOutboundRegistrations(session, req);
      case 'queuestatus':
        // Without app_queue loaded, Asterisk does not know the action.
        return this.appQueue ? this.queueStatus(session, req, this.appQueue) : this.unknownAction(session, req, action);
      default:
        return this.unknownAction(session, req, action);
    }
  }

  private unknownAction(session: Session, req: AmiHeaders, action: string): void {
    this.respond(session, req, 'Error', [
      ['Message', `Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`],
    ]);
    this.broadcastSecurity(session, 'RequestBadFormat', 'Error', 1, [['RequestType', `Action: ${action}`]]);
  }

  /** Trace ami/06: Success + EventList start, QueueParams, QueueMember…, QueueEntry…, QueueStatusComplete. */
  private queueStatus(session: Session, req: AmiHeaders, queue: AppQueue): void {
    const id = this.actionIdHeader(req);
    const items = queue.statusItems(id, getHeader(req, 'Queue') || undefined);
    this.respond(session, req, 'Success', [
      ['EventList', 'start'],
      ['Message', 'Queue status will follow'],
    ]);
    for (const item of items) this.write(session, item);
    this.write(session, [['Event', 'QueueStatusComplete'], ...id, ['EventList', 'Complete'], ['ListItems', String(items.length)]]);
  }

  /** `Response`, then `ActionID` only when the request had a non-empty one, then the rest. */
  private respond(session: Session, req: AmiHeaders, response: string, rest: AmiHeaders): void {
    this.write(session, [['Response', response], ...this.actionIdHeader(req), ...rest]);
  }

  private actionIdHeader(req: AmiHeaders): AmiHeaders {
    const id = getHeader(req, 'ActionID');
    return id ? [['ActionID', id]] : [];
  }

  private login(session: Session, req: AmiHeaders): void {
    if (session.authenticated) {
      this.respond(session, req, 'Success', [['Message', 'Already authenticated']]);
      return;
    }
    const username = getHeader(req, 'Username') ?? '';
    const secret = getHeader(req, 'Secret') ?? '';
    const account = this.accounts.find((a) => a.username === username);
    if (!account || account.secret !== secret) {
      session.blocked = true;
      const tv: AmiHeaders = [['SessionTV', AMI_TV_EPOCH]];
      if (account) this.broadcastSecurity(session, 'InvalidPassword', 'Error', 2, [], username, tv);
      else this.broadcastSecurity(session, 'InvalidAccountID', 'Error', 1, [], username, tv);
      this.log.info({ session: session.id, username }, 'AMI simulator: login refused');
      this.later(this.opts.authFailDelayMs ?? 1000, () => {
        if (session.socket.destroyed) return;
        this.respond(session, req, 'Error', [['Message', 'Authentication failed']]);
        this.endSession(session);
      });
      return;
    }
    session.authenticated = true;
    session.account = account;
    session.sessionTv = new Date();
    session.eventMask = parseEventMask(getHeader(req, 'Events'));
    this.respond(session, req, 'Success', [['Message', 'Authentication accepted']]);
    if (this.booted) {
      this.send(session, [
        ['Event', 'FullyBooted'],
        ['Privilege', 'system,all'],
        ['Uptime', String(secondsSince(this.startedAt))],
        ['LastReload', String(secondsSince(this.reloadedAt))],
        ['Status', 'Fully Booted'],
      ]);
    }
    this.broadcastSecurity(session, 'SuccessfulAuth', 'Informational', 1, [['UsingPassword', '0']]);
  }

  private coreStatus(session: Session, req: AmiHeaders): void {
    const counters = this.opts.callCounters?.() ?? { current: 0, processed: 0 };
    this.respond(session, req, 'Success', [
      ['CoreStartupDate', dateOf(this.startedAt)],
      ['CoreStartupTime', timeOf(this.startedAt)],
      ['CoreReloadDate', dateOf(this.reloadedAt)],
      ['CoreReloadTime', timeOf(this.reloadedAt)],
      ['CoreCurrentCalls', String(counters.current)],
      ['CoreProcessedCalls', String(counters.processed)],
    ]);
  }

  private registeredPhones(): Array<[string, PhoneView]> {
    return [...this.phones.entries()]
      .filter(([, v]) => v.registered)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private showContacts(session: Session, req: AmiHeaders): void {
    const phones = this.registeredPhones();
    if (phones.length === 0) {
      // Asterisk's message really carries a bare LF before the CRLF (trace 02).
      const id = getHeader(req, 'ActionID');
      this.writeRaw(
        session,
        `Response: Error\r\n${id ? `ActionID: ${id}\r\n` : ''}Message: No Contacts found\n\r\n\r\n`,
      );
      return;
    }
    this.list(session, req, 'A listing of Contacts follows, presented as ContactList events', 'ContactListComplete',
      phones.map(([ext, v]) => {
        const { host, port } = hostPort(v.uri);
        return [
          ['Event', 'ContactList'],
          ['ObjectType', 'contact'],
          ['ObjectName', contactId(ext, v.uri)],
          ['ViaAddr', host],
          ['QualifyTimeout', '3.000000'],
          ['Qualify2xxOnly', 'false'],
          ['CallId', v.callId],
          ['RegServer', ''],
          ['PruneOnBoot', 'no'],
          ['Path', ''],
          ['Endpoint', ext],
          ['ViaPort', port],
          ['AuthenticateQualify', 'no'],
          ['Uri', v.uri],
          ['QualifyFrequency', String(this.qualifyFrequency)],
          ['UserAgent', ''],
          ['ExpirationTime', String(v.expiresAt)],
          ['OutboundProxy', ''],
          ['Status', v.reachable ? 'Reachable' : 'Unreachable'],
          ['RoundtripUsec', v.reachable ? String(v.rttUsec) : 'N/A'],
        ];
      }));
  }

  private showEndpoints(session: Session, req: AmiHeaders): void {
    const trunkName = this.pbx.trunk().name;
    const names = [...new Set([...this.phones.keys(), trunkName])].sort();
    this.list(session, req, 'A listing of Endpoints follows, presented as EndpointList events', 'EndpointListComplete',
      names.map((name) => {
        const v = name === trunkName ? undefined : this.phones.get(name);
        const item: AmiHeaders = [
          ['Event', 'EndpointList'],
          ['ObjectType', 'endpoint'],
          ['ObjectName', name],
          ['Transport', 'transport-udp'],
          ['Aor', v ? name : ''],
          ['Auths', ''],
          ['OutboundAuths', ''],
        ];
        if (v?.registered) item.push(['Contacts', `${name}/${v.uri},`]);
        item.push(['DeviceState', v?.endpointReachable ? 'Not in use' : 'Unavailable'], ['ActiveChannels', '0']);
        return item;
      }));
  }

  private showAors(session: Session, req: AmiHeaders): void {
    const names = [...this.phones.keys()].sort();
    this.list(session, req, 'A listing of AORs follows, presented as AorList events', 'AorListComplete',
      names.map((name) => {
        const v = this.phones.get(name) as PhoneView;
        return [
          ['Event', 'AorList'],
          ['ObjectType', 'aor'],
          ['ObjectName', name],
          ['MinimumExpiration', '60'],
          ['DefaultExpiration', '3600'],
          ['QualifyTimeout', '3.000000'],
          ['Qualify2xxOnly', 'false'],
          ['Mailboxes', ''],
          ['SupportPath', 'false'],
          ['RemoveUnavailable', 'false'],
          ['VoicemailExtension', ''],
          ['MaxContacts', '2'],
          ['AuthenticateQualify', 'false'],
          ['Contacts', v.registered ? `${name}/${v.uri}` : ''],
          ['MaximumExpiration', '7200'],
          ['QualifyFrequency', String(this.qualifyFrequency)],
          ['RemoveExisting', 'true'],
          ['OutboundProxy', ''],
        ];
      }));
  }

  private showInboundContactStatuses(session: Session, req: AmiHeaders): void {
    this.list(session, req, 'Following are ContactStatusEvents for each Inbound registration', 'ContactStatusDetailComplete',
      this.registeredPhones().map(([ext, v]) => {
        const { host, port } = hostPort(v.uri);
        return [
          ['Event', 'ContactStatusDetail'],
          ['AOR', ext],
          ['URI', v.uri],
          ['UserAgent', ''],
          ['RegExpire', String(v.expiresAt)],
          ['ViaAddress', `${host}:${port}`],
          ['CallID', v.callId],
          ['Status', v.reachable ? 'Reachable' : 'Unreachable'],
          ['RoundtripUsec', v.reachable ? String(v.rttUsec) : 'N/A'],
          ['EndpointName', ext],
          ['ID', contactId(ext, v.uri)],
          ['AuthenticateQualify', '0'],
          ['OutboundProxy', ''],
          ['Path', ''],
          ['QualifyFrequency', String(this.qualifyFrequency)],
          ['QualifyTimeout', '3.000'],
          ['Qualify2xxOnly', '0'],
        ];
      }));
  }

  private showOutboundRegistrations(session: Session, req: AmiHeaders): void {
    const r = this.registration;
    const items: AmiHeaders[] = !this.trunkConfigured
      ? []
      : [
          [
            ['Event', 'OutboundRegistrationDetail'],
            ['ObjectType', 'registration'],
            ['ObjectName', r.objectName],
            ['MaxRetries', String(r.maxRetries)],
            ['ClientUri', r.clientUri],
            ['SecurityNegotiation', 'no'],
            ['AuthRejectionPermanent', 'true'],
            ['ServerUri', r.serverUri],
            ['MaxRandomInitialDelay', '10'],
            ['SupportPath', 'false'],
            ['RetryInterval', String(r.retryInterval)],
            ['ContactHeaderParams', ''],
            ['Expiration', String(r.expiration)],
            ['Transport', 'transport-udp'],
            ['Line', 'false'],
            ['ContactUser', r.contactUser],
            ['Endpoint', this.opts.trunk?.endpoint ?? ''],
            ['UserAgent', ''],
            ['ForbiddenRetryInterval', '0'],
            ['OutboundAuth', this.opts.trunk?.outboundAuth?.name ?? ''],
            ['OutboundProxy', ''],
            ['FatalRetryInterval', '0'],
            ['SupportOutbound', 'no'],
            ['Status', this.trunkStatus],
            ['NextReg', '0'],
          ],
        ];
    const registrations = items.length;
    const auth = this.opts.trunk?.outboundAuth;
    if (registrations && auth) {
      // Every field of the auth object, the password included (Asterisk's sorcery-to-AMI writes them all).
      items.push([
        ['Event', 'AuthDetail'],
        ['ObjectType', 'auth'],
        ['ObjectName', auth.name],
        ['Username', auth.username],
        ['Password', auth.password],
        ['Md5Cred', ''],
        ['Realm', auth.realm ?? ''],
        ['NonceLifetime', '32'],
        ['AuthType', 'userpass'],
      ]);
    }
    const registered = registrations > 0 && this.trunkStatus === 'Registered' ? 1 : 0;
    this.list(session, req, 'Following are Events for each Outbound registration', 'OutboundRegistrationDetailComplete',
      items, [
        ['Registered', String(registered)],
        ['NotRegistered', String(registrations - registered)],
      ]);
  }

  /**
   * EventList framing: `Response: Success` + `EventList: start`, the items (ActionID second,
   * no Privilege), then `<X>Complete` with `EventList: Complete` and `ListItems`.
   */
  private list(
    session: Session,
    req: AmiHeaders,
    message: string,
    completeEvent: string,
    items: AmiHeaders[],
    completeExtra: AmiHeaders = [],
  ): void {
    const id = this.actionIdHeader(req);
    this.respond(session, req, 'Success', [
      ['EventList', 'start'],
      ['Message', message],
    ]);
    for (const [first, ...rest] of items) this.write(session, [first as [string, string], ...id, ...rest]);
    this.write(session, [
      ['Event', completeEvent],
      ...id,
      ['EventList', 'Complete'],
      ['ListItems', String(items.length)],
      ...completeExtra,
    ]);
  }

  // ---- events ----

  /** To one session, if its account and its `Events:` mask allow the event's class. */
  private send(session: Session, event: AmiHeaders): void {
    if (!session.authenticated || session.ending) return;
    const privilege = getHeader(event, 'Privilege');
    if (privilege !== undefined && !permits(session, privilege)) return;
    this.write(session, event);
  }

  private broadcast(event: AmiHeaders): void {
    for (const s of this.sessions) this.send(s, event);
  }

  /** Security events (trace 01): common block, event-specific keys, then SessionTV. */
  private broadcastSecurity(
    about: Session,
    event: string,
    severity: 'Error' | 'Informational',
    eventVersion: number,
    extra: AmiHeaders,
    accountId: string = about.account?.username ?? '',
    tail: AmiHeaders = [['SessionTV', about.sessionTv ? amiTv(about.sessionTv) : AMI_TV_EPOCH]],
  ): void {
    const headers: AmiHeaders = [
      ['Event', event],
      ['Privilege', 'security,all'],
      ['EventTV', amiTv(new Date())],
      ['Severity', severity],
      ['Service', 'AMI'],
      ['EventVersion', String(eventVersion)],
    ];
    // RequestBadFormat is the one event that puts AccountID last.
    const accountLast = event === 'RequestBadFormat';
    if (!accountLast) headers.push(['AccountID', accountId]);
    headers.push(
      ['SessionID', about.sessionId],
      ['LocalAddress', `IPV4/TCP/${HOST}/${this.boundPort}`],
      ['RemoteAddress', about.remote],
      ...extra,
      ...tail,
    );
    if (accountLast) headers.push(['AccountID', accountId]);
    this.broadcast(headers);
  }

  private bootCompleted(): void {
    if (this.state !== 'running') return;
    this.booted = true;
    this.broadcast([
      ['Event', 'FullyBooted'],
      ['Privilege', 'system,all'],
      ['Status', 'Fully Booted'],
      ['Uptime', String(secondsSince(this.startedAt))],
      ['LastReload', String(secondsSince(this.reloadedAt))],
    ]);
    // Outbound registrations start again after boot.
    if (this.trunkConfigured) {
      this.trunkStatus = this.pbx.trunk().registered ? 'Registered' : 'Rejected';
      this.broadcast(this.registryEvent(this.trunkStatus));
    }
  }

  private reloadEvent(): AmiHeaders {
    return [
      ['Event', 'Reload'],
      ['Privilege', 'system,all'],
      ['Module', 'res_pjsip.so'],
      ['Status', '0'],
    ];
  }

  private registryEvent(status: 'Registered' | 'Rejected' | 'Unregistered'): AmiHeaders {
    return [
      ['Event', 'Registry'],
      ['Privilege', 'system,all'],
      ['ChannelType', 'PJSIP'],
      ['Username', this.registration.clientUri],
      ['Domain', this.registration.serverUri],
      ['Status', status],
    ];
  }

  private get qualifyFrequency(): number {
    return this.opts.qualifyFrequency ?? 10;
  }

  private viewFor(p: PhoneState, prev: PhoneView | undefined): PhoneView {
    const uri = prev?.uri ?? this.opts.contactUri?.(p.extension) ?? `sip:${p.extension}@127.0.0.1:${this.nextContactPort++}`;
    const fresh = p.registered && !prev?.registered;
    return {
      registered: p.registered,
      reachable: p.reachable,
      endpointReachable: p.registered && p.reachable,
      uri,
      callId: fresh || !prev ? `${randomBytes(4).toString('hex')}@127.0.0.1` : prev.callId,
      expiresAt: fresh || !prev ? Math.floor(Date.now() / 1000) + DEFAULT_REGISTRATION_EXPIRY_S : prev.expiresAt,
      rttUsec: p.reachable ? (this.opts.roundtripUsec?.() ?? 900 + Math.floor(Math.random() * 400)) : 0,
    };
  }

  /**
   * Event sequences as in trace 02 (qualify on): REGISTER → NonQualified, then the qualify
   * result; PeerStatus + DeviceStateChange only when the endpoint's aggregate changes, placed
   * before the ContactStatus that caused it.
   */
  private phoneChanged(p: PhoneState): void {
    const prev = this.phones.get(p.extension);
    const next = this.viewFor(p, prev);
    this.phones.set(p.extension, next);
    if (this.state !== 'running') return;
    const ext = p.extension;
    const wasRegistered = prev?.registered ?? false;
    const wasEndpointReachable = prev?.endpointReachable ?? false;
    const out: AmiHeaders[] = [];
    const peer = (reachable: boolean) => {
      out.push(
        [
          ['Event', 'PeerStatus'],
          ['Privilege', 'system,all'],
          ['ChannelType', 'PJSIP'],
          ['Peer', `PJSIP/${ext}`],
          ['PeerStatus', reachable ? 'Reachable' : 'Unreachable'],
        ],
        [
          ['Event', 'DeviceStateChange'],
          ['Privilege', 'call,all'],
          ['Device', `PJSIP/${ext}`],
          ['State', reachable ? 'NOT_INUSE' : 'UNAVAILABLE'],
        ],
      );
    };
    const contact = (status: string, uri: string, rtt: number) =>
      out.push([
        ['Event', 'ContactStatus'],
        ['Privilege', 'system,all'],
        ['URI', uri],
        ['ContactStatus', status],
        ['AOR', ext],
        ['EndpointName', ext],
        ['RoundtripUsec', String(rtt)],
      ]);

    if (!wasRegistered && next.registered) {
      contact('NonQualified', next.uri, 0);
      if (next.reachable) {
        if (!wasEndpointReachable) peer(true);
        contact('Reachable', next.uri, next.rttUsec);
      } else {
        if (wasEndpointReachable) peer(false);
        contact('Unreachable', next.uri, 0);
      }
    } else if (wasRegistered && !next.registered) {
      if (wasEndpointReachable) peer(false);
      contact('Removed', prev?.uri ?? next.uri, 0);
    } else if (next.registered && prev && prev.reachable !== next.reachable) {
      if (wasEndpointReachable !== next.endpointReachable) peer(next.endpointReachable);
      contact(next.reachable ? 'Reachable' : 'Unreachable', next.uri, next.reachable ? next.rttUsec : 0);
    }
    for (const e of out) this.broadcast(e);
  }

  /** Trace 03: success (first or refresh) → Registered; registrar gone → Rejected, once. */
  private trunkChanged(t: TrunkState): void {
    const before = this.trunkStatus;
    this.trunkStatus = t.registered ? 'Registered' : 'Rejected';
    if (this.state !== 'running' || !this.booted) return;
    const contact = this.opts.trunk?.qualifiedContact;
    // The carrier answering OPTIONS or not follows the trunk here; it does not need a registration.
    if (contact && (before === 'Registered') !== t.registered) {
      this.broadcast([
        ['Event', 'ContactStatus'],
        ['Privilege', 'system,all'],
        ['URI', contact],
        ['ContactStatus', t.registered ? 'Reachable' : 'Unreachable'],
        ['AOR', t.name],
        ['EndpointName', t.name],
        ['RoundtripUsec', t.registered ? '20000' : '0'],
      ]);
    }
    if (!this.trunkConfigured) return;
    if (t.registered) this.broadcast(this.registryEvent('Registered'));
    else if (before === 'Registered') this.broadcast(this.registryEvent('Rejected'));
  }

  // ---- timers ----

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Also ends early on stop(), so a restart() in progress cannot hang. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.wakers.delete(done);
        resolve();
      };
      this.wakers.add(done);
      this.later(ms, done);
    });
  }
}

function parseEventMask(value: string | undefined): Session['eventMask'] {
  if (value === undefined) return 'all';
  const v = value.trim().toLowerCase();
  if (v === 'on' || v === 'all' || v === 'yes' || v === 'true') return 'all';
  if (v === 'off' || v === 'no' || v === 'false' || v === '') return 'none';
  return new Set(v.split(',').map((c) => c.trim()).filter(Boolean));
}

function permits(session: Session, privilege: string): boolean {
  const classes = privilege
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'all');
  const read = (session.account?.read ?? ['all']).map((c) => c.toLowerCase());
  const accountOk = read.includes('all') || classes.some((c) => read.includes(c));
  if (!accountOk) return false;
  const mask = session.eventMask;
  if (mask === 'all') return true;
  if (mask === 'none') return false;
  return mask.has('all') || classes.some((c) => mask.has(c));
}

/** `<aor>;@<md5 of the contact URI>`: Asterisk's contact id (the hash matches trace 02). */
function contactId(aor: string, uri: string): string {
  return `${aor};@${createHash('md5').update(uri).digest('hex')}`;
}

function hostPort(uri: string): { host: string; port: string } {
  const m = /@([^:;>]+)(?::(\d+))?/.exec(uri);
  return { host: m?.[1] ?? '127.0.0.1', port: m?.[2] ?? '5060' };
}

function secondsSince(d: Date): number {
  return Math.max(0, Math.floor((Date.now() - d.getTime()) / 1000));
}

function dateOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function timeOf(d: Date): string {
  return d.toISOString().slice(11, 19);
}
