import { EventEmitter } from 'node:events';
import * as ari from 'ari-client';
import type { AriClient } from 'ari-client';
import { Backoff, withTimeout } from '../../core/async';
import type { Logger } from '../../core/logger';
import { classifyAriError } from './errors';
import { ariEventSchema, CONSUMED_EVENTS } from './events';
import type { AriPort, AriPortEvents, LocalOriginate, SnoopDirection } from './port';

export interface AriConnectionOptions {
  url: string;
  username: string;
  password: string;
  apps: string[];
  logger: Logger;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/**
 * The only code that knows ari-client. It adds what the library lacks: reconnecting forever
 * (ari-client gives up after 10 tries, ~43 s), a heartbeat (WebSocket ping; a missed pong
 * drops the socket), a timeout on every request, and a `reconnected` signal so the call flow
 * reconciles state after a gap in which events were lost.
 */
export class AriConnection extends EventEmitter<AriPortEvents> implements AriPort {
  readonly apps: string[];
  private client?: AriClient;
  private stopped = false;
  private everConnected = false;
  private wsUp = false;
  private readonly backoff: Backoff;
  private pingTimer?: NodeJS.Timeout;
  private awaitingPong = false;
  private retryTimer?: NodeJS.Timeout;
  reconnects = 0;
  private readonly log: Logger;
  private readonly timeoutMs: number;

  constructor(private readonly opts: AriConnectionOptions) {
    super();
    this.apps = opts.apps;
    this.log = opts.logger.child({ component: 'ari' });
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.backoff = new Backoff({ minMs: opts.reconnectMinMs ?? 250, maxMs: opts.reconnectMaxMs ?? 5000 });
  }

  get connected(): boolean {
    return this.wsUp;
  }

  /** Resolves once the first connection is up; keeps retrying in the background either way. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.once('state', function onState(this: AriConnection, s) {
        if (s === 'connected') resolve();
        else this.once('state', onState);
      });
      void this.connectLoop();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.dropClient();
    this.setWs(false, 'disconnected');
  }

  private async connectLoop(): Promise<void> {
    if (this.stopped) return;
    this.emit('state', this.everConnected ? 'reconnecting' : 'connecting');
    try {
      const client = await withTimeout(ari.connect(this.opts.url, this.opts.username, this.opts.password), this.timeoutMs * 2, 'ARI connect');
      if (this.stopped) return;
      this.attach(client);
      await client.start(this.apps);
    } catch (err) {
      this.dropClient();
      const delay = this.backoff.next();
      this.log.warn({ err: (err as Error).message, retryInMs: delay }, 'ARI connection failed');
      this.retryTimer = setTimeout(() => void this.connectLoop(), delay);
    }
  }

  private attach(client: AriClient): void {
    this.client = client;
    client.on('WebSocketConnected', () => {
      this.readEvents(client);
      this.backoff.reset();
      const again = this.everConnected;
      this.everConnected = true;
      this.setWs(true, 'connected');
      this.startHeartbeat(client);
      this.log.info({ apps: this.apps, reconnect: again }, 'ARI events socket up');
      if (again) {
        this.reconnects++;
        this.emit('reconnected');
      }
    });
    client.on('WebSocketReconnecting', (err?: Error) => {
      this.setWs(false, 'reconnecting');
      this.log.warn({ err: err?.message }, 'ARI events socket lost; ari-client retrying');
    });
    client.on('WebSocketMaxRetries', () => {
      // ari-client has given up for good on this client: build a new one, forever.
      this.log.warn('ari-client gave up reconnecting; starting a fresh connection');
      this.setWs(false, 'reconnecting');
      this.dropClient();
      this.retryTimer = setTimeout(() => void this.connectLoop(), this.opts.reconnectMinMs ?? 250);
    });
  }

  /**
   * Events are read off ari-client's socket here instead of through its handler. Its handler
   * builds, for every channel, bridge and playback an event names, an object carrying every REST
   * operation of that resource (this bridge reads only the raw event): 8 % of a CTI's CPU in the
   * bench's profile. It also throws on an event type missing from its events.json, inside the
   * socket's handler, where an exception would take the process down.
   */
  private readEvents(client: AriClient): void {
    const ws = client._ws;
    if (!ws) return;
    ws.removeAllListeners('message');
    ws.on('message', (data: unknown) => {
      let raw: unknown;
      try {
        raw = JSON.parse(typeof data === 'string' ? data : String(data));
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'ARI event is not JSON; dropped');
        return;
      }
      this.onRaw(raw);
    });
  }

  private startHeartbeat(client: AriClient): void {
    clearInterval(this.pingTimer);
    this.awaitingPong = false;
    client.on('pong', () => {
      this.awaitingPong = false;
    });
    const every = this.opts.pingIntervalMs ?? 5000;
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong) {
        // A half-open socket never reports closing; terminating it makes ari-client reconnect.
        this.log.warn('ARI socket missed a pong; dropping it');
        this.awaitingPong = false;
        client._ws?.terminate();
        return;
      }
      this.awaitingPong = true;
      try {
        client.ping();
      } catch {
        // socket already closing; the close handler reconnects
      }
    }, every);
    this.pingTimer.unref();
  }

  private dropClient(): void {
    const c = this.client;
    this.client = undefined;
    clearInterval(this.pingTimer);
    if (!c) return;
    c.removeAllListeners();
    try {
      c.stop();
    } catch {
      // never started or already closed
    }
  }

  private setWs(up: boolean, state: 'connected' | 'reconnecting' | 'disconnected'): void {
    this.wsUp = up;
    this.emit('state', state);
  }

  private onRaw(raw: unknown): void {
    const type = (raw as { type?: unknown })?.type;
    if (typeof type !== 'string' || !CONSUMED_EVENTS.has(type)) return;
    const parsed = ariEventSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ type, issues: parsed.error.issues.slice(0, 3) }, 'malformed ARI event dropped');
      return;
    }
    try {
      this.emit('event', parsed.data);
    } catch (err) {
      this.log.error({ err, type }, 'ARI event handler failed');
    }
  }

  private async call<T>(operation: string, fn: (c: AriClient) => Promise<T>): Promise<T> {
    const c = this.client;
    if (!c) throw classifyAriError(operation, new Error('ARI not connected (Service Unavailable)'));
    try {
      return await withTimeout(fn(c), this.timeoutMs, `ARI ${operation}`);
    } catch (err) {
      throw classifyAriError(operation, err);
    }
  }

  /** A 404 on a channel or bridge that is already gone is the normal end of a race, not a failure. */
  private async ignoreGone(operation: string, fn: (c: AriClient) => Promise<unknown>): Promise<void> {
    try {
      await this.call(operation, fn);
    } catch (err) {
      if ((err as { kind?: string }).kind !== 'gone') throw err;
    }
  }

  answer = (channelId: string) => this.call('answer', (c) => c.channels.answer({ channelId }));
  hangup = (channelId: string, reason = 'normal') => this.ignoreGone('hangup', (c) => c.channels.hangup({ channelId, reason }));
  play = async (channelId: string, media: string, playbackId: string) => {
    await this.call('play', (c) => c.channels.play({ channelId, media, playbackId }));
  };
  playOnBridge = async (bridgeId: string, media: string, playbackId: string) => {
    await this.call('playOnBridge', (c) => c.bridges.play({ bridgeId, media, playbackId }));
  };
  stopPlayback = (playbackId: string) => this.ignoreGone('stopPlayback', (c) => c.playbacks.stop({ playbackId }));
  startMoh = (channelId: string) => this.call('startMoh', (c) => c.channels.startMoh({ channelId }));
  stopMoh = (channelId: string) => this.ignoreGone('stopMoh', (c) => c.channels.stopMoh({ channelId }));
  originate = async (o: { channelId: string; endpoint: string; app: string; appArgs: string; callerId: string; timeoutSec: number }) => {
    await this.call('originate', (c) =>
      c.channels.originate({ endpoint: o.endpoint, app: o.app, appArgs: o.appArgs, callerId: o.callerId, timeout: o.timeoutSec, channelId: o.channelId }),
    );
  };
  createBridge = async (bridgeId: string, type: 'mixing' | 'holding') => {
    await this.call('createBridge', (c) => c.bridges.create({ bridgeId, type, name: bridgeId }));
  };
  addToBridge = (bridgeId: string, channelIds: string[]) =>
    this.call('addToBridge', (c) => c.bridges.addChannel({ bridgeId, channel: channelIds.join(',') }));
  snoop = async (o: { channelId: string; snoopId: string; spy: SnoopDirection; whisper: SnoopDirection; app: string; appArgs: string }) => {
    await this.call('snoop', (c) => c.channels.snoopChannelWithId({ channelId: o.channelId, snoopId: o.snoopId, spy: o.spy, whisper: o.whisper, app: o.app, appArgs: o.appArgs }));
  };
  destroyBridge = (bridgeId: string) => this.ignoreGone('destroyBridge', (c) => c.bridges.destroy({ bridgeId }));
  removeFromBridge = (bridgeId: string, channelIds: string[]) =>
    this.ignoreGone('removeFromBridge', (c) => c.bridges.removeChannel({ bridgeId, channel: channelIds.join(',') }));
  startBridgeMoh = async (bridgeId: string) => {
    await this.call('startBridgeMoh', (c) => c.bridges.startMoh({ bridgeId }));
  };
  stopBridgeMoh = (bridgeId: string) => this.ignoreGone('stopBridgeMoh', (c) => c.bridges.stopMoh({ bridgeId }));
  stopRecording = (name: string) => this.ignoreGone('stopRecording', (c) => c.recordings.stop({ recordingName: name }));
  recordBridge = async (bridgeId: string, name: string, format: string) => {
    // Recording the bridge, not a channel: channel recordings fail once the channel is bridged.
    await this.call('recordBridge', (c) => c.bridges.record({ bridgeId, name, format, ifExists: 'overwrite', beep: false }));
  };
  channelIds = async () => new Set((await this.channelStates()).keys());
  channelState = async (channelId: string): Promise<string | null> => {
    try {
      return (await this.call('getChannel', (c) => c.channels.get({ channelId }))).state;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'gone') return null;
      throw err;
    }
  };
  channelStates = async () => new Map((await this.call('listChannels', (c) => c.channels.list())).map((ch) => [ch.id, ch.state] as const));
  subscribe = async (app: string, sources: string[]) => {
    await this.call('subscribe', (c) => c.applications.subscribe({ applicationName: app, eventSource: sources.join(',') }));
  };
  bridgeExists = async (bridgeId: string) => {
    try {
      await this.call('getBridge', (c) => c.bridges.get({ bridgeId }));
      return true;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'gone') return false;
      throw err;
    }
  };
  applications = async () => (await this.call('applications', (c) => c.applications.list())).map((a) => a.name);
  originateLocal = async (o: LocalOriginate) => {
    await this.call('originateLocal', (c) =>
      c.channels.originate({
        endpoint: o.endpoint,
        context: o.dialplan.context,
        extension: o.dialplan.extension,
        priority: o.dialplan.priority,
        channelId: o.channelId,
        otherChannelId: o.otherChannelId,
        callerId: o.callerId,
        timeout: o.timeoutSec,
      }),
    );
  };
  claim = async (channelId: string, app: string): Promise<boolean> => {
    try {
      await this.call('claim', (c) => {
        const op = c.events.claimChannel;
        if (!op) throw new Error('this Asterisk has no /events/claim (StasisBroadcast needs Asterisk 22.7+)');
        return op({ channelId, application: app });
      });
      return true;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'conflict' || (err as { kind?: string }).kind === 'gone') return false;
      throw err;
    }
  };
  reregister = () => {
    this.log.warn({ apps: this.apps }, 'reconnecting the events socket to register the app again');
    this.client?._ws?.terminate();
  };
  ping = async () => {
    await this.call('ping', (c) => c.asterisk.ping());
  };
}
