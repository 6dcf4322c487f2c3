import { EventEmitter } from 'node:events';
import type { FallbackCaller, PbxModel, PhoneState } from '../pbx';
import type { FrameClock, SimClock } from './clock';
import { connectedAfterLeave, exchangeOnJoin, publishPeers, type PeerHost } from './bridge-peers';
import { SimBridge, SimChannel, type EventScope, type OutboundState } from './entities';
import { MediaEngine, type MediaLength } from './media';
import { CalleeDirectory, TRUNK_CONTEXT, parseDialTarget, type CalleeBehaviour, type DialTarget } from './outbound';
import { createSnoop, snoopGone, type SnoopHost, type SnoopParams } from './snoop';
import type {
  AriEventJson,
  CallEnd,
  DeliveredEvent,
  DialplanJson,
  DialplanRoute,
  EndedBy,
  EndpointJson,
  HeardEntry,
  SimLogger,
} from './types';
import {
  AriError,
  CAUSE_TEXT,
  HANGUP_REASONS,
  IdFactory,
  ariError,
  ariTimestamp,
  parseCallerId,
  phoneCallerId,
  shuffle,
  uuid,
} from './util';
import type { AppRegistry } from './ws';

/**
 * The simulated Asterisk core: channels, bridges, Stasis apps and the events they produce.
 * Every ordering rule below comes from the golden traces (test/fixtures/asterisk-traces):
 *
 * Subscriptions (who gets an event):
 *  - an inbound channel is subscribed to its Stasis app from StasisStart to StasisEnd only;
 *  - an originated/created channel is subscribed to its app from creation to ChannelDestroyed;
 *  - a bridge is subscribed per app with a refcount: +1 when a channel of that app enters,
 *    -1 when it is taken out by removeChannel / moved / the bridge is deleted, but a hangup
 *    keeps the count - hence BridgeDestroyed reaches the app only when some channel of it
 *    hung up while inside (traces 02, 03a, 06, 08);
 *  - StasisStart / StasisEnd go to the channel's Stasis app only, never to an app that merely
 *    subscribed to the channel (10a).
 */

export interface ModelOptions {
  asteriskId: string;
  routes: DialplanRoute[];
  trunk: string;
  soundDurationMs: (mediaUri: string) => number | null | undefined;
  recordingsDir: string | undefined;
  fallbackMedia: string;
  busyDelayMs: number;
  ringDelayMs: number;
  dtmfDurationMs: number;
  frames: FrameClock;
  logger: SimLogger | undefined;
  /** The trunk has an AOR contact, so `PJSIP/<number>@<trunk>` can be dialled (not on the capture box: 12). */
  trunkHasContact: boolean;
  /** What a called PSTN number does unless told otherwise. */
  defaultCallee: CalleeBehaviour;
}

export interface ModelEvents {
  event: [DeliveredEvent];
  channelGone: [SimChannel];
}

interface HangupSpec {
  /** null: no ChannelHangupRequest (originate timeout). */
  request: { cause?: number; soft?: boolean; tech_cause?: number } | null;
  /** Final Dial event of an originated, unanswered channel (NOANSWER / BUSY). */
  dialStatus?: string;
  destroy: { cause: number; tech_cause?: number };
  by: EndedBy;
  reason?: string;
}

const MEDIA_SCHEMES = ['sound:', 'recording:', 'number:', 'digits:', 'characters:', 'tone:'];

export class AsteriskModel extends EventEmitter<ModelEvents> {
  readonly ids = new IdFactory();
  readonly channels = new Map<string, SimChannel>();
  readonly bridges = new Map<string, SimBridge>();
  readonly media: MediaEngine;
  readonly globalVars = new Map<string, string>();
  readonly deviceStates = new Map<string, string>();
  readonly mailboxes = new Map<string, { old: number; new: number }>();
  /** applications/{app}/subscription event sources other than channels and bridges. */
  readonly appSources = new Map<string, Set<string>>();
  readonly startedAt = new Date();
  /** The PSTN numbers notification calls reach through the trunk. */
  readonly callees: CalleeDirectory;
  /** Apps whose socket is gone but which Asterisk still lists (see knownApps). */
  private readonly lingering = new Set<string>();
  private readonly peerHost: PeerHost = {
    varset: (ch, variable, value) => this.varset(ch, variable, value),
    setConnected: (ch, connected) => {
      ch.connected = connected;
      this.chanEvent(ch, 'ChannelConnectedLine');
    },
  };
  private readonly snoopHost: SnoopHost;

  constructor(
    readonly clock: SimClock,
    readonly pbx: PbxModel,
    readonly apps: AppRegistry,
    readonly opts: ModelOptions,
  ) {
    super();
    this.media = new MediaEngine({
      clock,
      ids: this.ids,
      logger: opts.logger,
      recordingsDir: opts.recordingsDir,
      emit: (scope, body) => this.emitEvent(scope, body),
      appsIn: (scope) => this.targets(scope),
      mediaLength: (uri) => this.mediaLength(uri),
      partiesChanged: (bridge) => {
        bridge.reconfigure();
        publishPeers(bridge, this.peerHost, 'changed');
      },
      now: () => Date.now(),
    });
    this.callees = new CalleeDirectory(opts.defaultCallee);
    this.snoopHost = {
      channels: this.channels,
      ids: this.ids,
      frames: opts.frames,
      enterStasis: (ch, app, args) => this.enterStasis(ch, app, args),
      restatePeers: (b) => publishPeers(b, this.peerHost, 'restate'),
      announceCreated: (ch) => this.announceCreated(ch),
    };
    pbx.on('phone', (p) => this.phoneChanged(p));
    // res_stasis forgets finished apps whenever an app registers or unregisters (and see leaveStasis).
    apps.on('registered', () => this.cleanupApps());
    apps.on('replaced', () => this.cleanupApps());
    apps.on('unregistered', (app) => {
      this.lingering.add(app);
      this.cleanupApps();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Event routing

  private targets(scope: EventScope): string[] {
    const out = new Set<string>();
    for (const ch of scope.channels ?? []) for (const app of ch.subs) out.add(app);
    for (const b of scope.bridges ?? []) for (const [app, n] of b.subs) if (n > 0) out.add(app);
    for (const app of scope.apps ?? []) out.add(app);
    if (scope.endpoint) {
      for (const [app, sources] of this.appSources) if (sources.has(`endpoint:${scope.endpoint}`)) out.add(app);
    }
    for (const app of this.apps.subscribeAllApps()) out.add(app);
    return [...out];
  }

  /** Sends one event to every app in scope, each copy stamped with its own `application`. */
  emitEvent(scope: EventScope, body: AriEventJson): void {
    for (const app of this.targets(scope)) {
      const event: AriEventJson = { ...body, asterisk_id: this.opts.asteriskId, application: app };
      const delivered = this.apps.deliver(app, event);
      this.emit('event', { app, event, delivered });
    }
  }

  /** An event for one app only (CallBroadcast, CallClaimed, user events), whatever it subscribes to. */
  private emitTo(app: string, body: AriEventJson): void {
    const event: AriEventJson = { ...body, asterisk_id: this.opts.asteriskId, application: app };
    const delivered = this.apps.deliver(app, event);
    this.emit('event', { app, event, delivered });
  }

  private chanEvent(ch: SimChannel, type: string, extra: Record<string, unknown> = {}, bridges: SimBridge[] = []): void {
    this.emitEvent({ channels: [ch], bridges }, { type, timestamp: ariTimestamp(), ...extra, channel: ch.snapshot() });
  }

  private stateChange(ch: SimChannel, state: SimChannel['state']): void {
    ch.state = state;
    this.chanEvent(ch, 'ChannelStateChange');
  }

  private varset(ch: SimChannel, variable: string, value: string): void {
    ch.vars.set(variable, value);
    this.emitEvent(
      { channels: [ch] },
      { variable, value, type: 'ChannelVarset', timestamp: ariTimestamp(), channel: ch.snapshot() },
    );
  }

  private hangupRequest(ch: SimChannel, req: { cause?: number; soft?: boolean; tech_cause?: number }): void {
    const pre: Record<string, unknown> = {};
    if (req.cause !== undefined) pre.cause = req.cause;
    if (req.tech_cause !== undefined) pre.tech_cause = req.tech_cause;
    if (req.soft !== undefined) pre.soft = req.soft;
    this.emitEvent(
      { channels: [ch] },
      { ...pre, type: 'ChannelHangupRequest', timestamp: ariTimestamp(), channel: ch.snapshot() },
    );
  }

  private dialEvent(ch: SimChannel, dialstatus: string, dialstring: string): void {
    this.emitEvent(
      { channels: [ch] },
      { type: 'Dial', timestamp: ariTimestamp(), dialstatus, forward: '', dialstring, peer: ch.snapshot() },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Lookups used by REST

  channel(id: string): SimChannel {
    const ch = this.channels.get(id);
    if (!ch || ch.gone) throw ariError(404, 'Channel not found');
    return ch;
  }

  /** A channel the app may control (find_control in resource_channels.c). */
  control(id: string): SimChannel {
    const ch = this.channel(id);
    if (!ch.stasis) throw ariError(409, 'Channel not in Stasis application');
    return ch;
  }

  /** Down / Ringing channels refuse answer, moh, ring, dtmf, hold, ... (channel_state_invalid). */
  requireState(ch: SimChannel): void {
    if (ch.state === 'Down' || ch.state === 'Ringing') throw ariError(412, 'Channel in invalid state');
  }

  bridge(id: string): SimBridge {
    const b = this.bridges.get(id);
    if (!b || b.destroyed) throw ariError(404, 'Bridge not found');
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // Inbound calls (the trunk side)

  /** A call arrives from the carrier; routing happens on the next tick, as SIP would. */
  inbound(opts: { callerNumber: string; callerName?: string; exten: string; id?: string; name?: string }): SimChannel {
    const route = this.opts.routes.find((r) => r.exten === opts.exten) ?? null;
    const context = route?.context ?? 'from-pstn';
    const dialplan: DialplanJson = route
      ? route.mode === 'stasis'
        ? { context, exten: opts.exten, priority: 2, app_name: 'Stasis', app_data: [route.app, ...(route.args ?? [])].join(',') }
        : {
            context,
            exten: opts.exten,
            priority: 2,
            app_name: 'StasisBroadcast',
            app_data: `${route.timeoutMs},${route.appPattern}`,
          }
      : { context: 'from-pstn', exten: opts.exten, priority: 1, app_name: '', app_data: '' };
    const ch = new SimChannel(
      opts.id ?? this.ids.uniqueId(),
      opts.name ?? `PJSIP/${this.opts.trunk}-${this.ids.channelSuffix()}`,
      'inbound',
      this.opts.trunk,
      this.ids.inboundCallId(),
      { state: 'Ring', caller: { name: opts.callerName ?? '', number: opts.callerNumber }, dialplan },
    );
    ch.inb = { route, broadcast: null };
    this.channels.set(ch.id, ch);
    this.announceCreated(ch);
    setImmediate(() => this.routeInbound(ch));
    return ch;
  }

  private routeInbound(ch: SimChannel): void {
    if (ch.gone || ch.hangingUp) return;
    const route = ch.inb?.route;
    if (!route) {
      this.silentEnd(ch, { by: 'pbx', reason: 'no-route' });
      return;
    }
    if (route.mode === 'stasis') {
      if (!this.apps.isRegistered(route.app)) {
        // Stasis() fails for an unregistered app; the dialplan hangs up (caller sees 603).
        ch.vars.set('STASISSTATUS', 'FAILED');
        if (this.pbx.takeFallback(this.fallbackCaller(ch, 'FAILED'))) return;
        this.silentEnd(ch, { by: 'pbx', reason: 'stasis-failed' });
        return;
      }
      this.enterStasis(ch, route.app, route.args ?? []);
      return;
    }
    let pattern: RegExp;
    try {
      pattern = new RegExp(route.appPattern);
    } catch {
      pattern = /$^/;
    }
    const apps = this.apps.registeredApps().filter((a) => pattern.test(a));
    ch.inb = { route, broadcast: { apps, claimedBy: null, open: true } };
    for (const app of shuffle(apps)) {
      this.emitTo(app, { type: 'CallBroadcast', timestamp: ariTimestamp(), channel: ch.snapshot(), caller: ch.caller.number, called: route.exten });
    }
    ch.later(this.clock.after(apps.length ? route.timeoutMs : 0, () => this.broadcastTimeout(ch)));
  }

  private broadcastTimeout(ch: SimChannel): void {
    const b = ch.inb?.broadcast;
    if (!b || b.claimedBy || ch.gone || ch.hangingUp) return;
    b.open = false;
    ch.vars.set('STASISSTATUS', 'TIMEOUT');
    if (this.pbx.takeFallback(this.fallbackCaller(ch, 'TIMEOUT'))) return;
    this.runFallback(ch);
  }

  // ---------------------------------------------------------------------------------------------
  // Dialplan fallback to Asterisk's own queue (extensions.conf [from-pstn-fallback]). The caller's
  // channel stays in this model; app_queue is played by the AMI side (sim/ami/app-queue.ts) through
  // these controls, handed over by PbxModel.takeFallback. No app is subscribed: no ARI events.

  private fallbackCaller(ch: SimChannel, stasisStatus: 'TIMEOUT' | 'FAILED'): FallbackCaller {
    const goneFns: Array<() => void> = [];
    const onGone = (c: SimChannel): void => {
      if (c !== ch) return;
      this.off('channelGone', onGone);
      for (const fn of goneFns.splice(0)) fn();
    };
    this.on('channelGone', onGone);
    return {
      uniqueid: ch.id,
      channel: ch.name,
      trunk: ch.resource,
      callerNumber: ch.caller.number,
      callerName: ch.caller.name,
      exten: ch.dialplan.exten,
      stasisStatus,
      clock: this.clock,
      newChannel: (resource) => ({ name: `PJSIP/${resource}-${this.ids.channelSuffix()}`, uniqueid: this.ids.uniqueId() }),
      answer: () => {
        if (ch.gone || ch.hangingUp || ch.state === 'Up') return;
        ch.answeredAt = Date.now();
        this.stateChange(ch, 'Up');
        ch.observer?.answered?.(ch.answeredAt);
      },
      play: (media, done) => {
        if (ch.gone || ch.hangingUp) return;
        const entry: HeardEntry & { kind: 'playback' } = {
          kind: 'playback',
          playbackId: `dialplan-${ch.id}-${ch.heard.length}`,
          media,
          target: 'dialplan',
          startedAt: Date.now(),
          state: 'playing',
        };
        ch.addHeard(entry);
        const len = this.mediaLength(media);
        ch.later(
          this.clock.after(typeof len === 'number' ? len : 0, () => {
            entry.finishedAt = Date.now();
            entry.state = 'done';
            done();
          }),
        );
      },
      keys: () =>
        ch.heard.flatMap((h) => (h.kind === 'dtmf-sent' && ch.answeredAt !== null && h.at >= ch.answeredAt ? [h.digit] : [])),
      connected: (peer) => {
        if (ch.gone) return;
        ch.connected = { name: peer.name, number: peer.number };
        ch.observer?.bridged?.(`queue-${ch.id}`, [peer.channel]);
      },
      hangup: (by, reason) => this.silentEnd(ch, { by, reason }),
      onGone: (fn) => {
        if (ch.gone) fn();
        else goneFns.push(fn);
      },
      get gone() {
        return ch.gone;
      },
    };
  }

  /** The dialplan after an unclaimed broadcast: a "please call again" prompt, then Hangup(). */
  private runFallback(ch: SimChannel): void {
    const media = this.opts.fallbackMedia;
    const entry: HeardEntry & { kind: 'playback' } = {
      kind: 'playback',
      playbackId: `dialplan-${ch.id}`,
      media,
      target: 'dialplan',
      startedAt: Date.now(),
      state: 'playing',
    };
    ch.addHeard(entry);
    const len = this.mediaLength(media);
    ch.later(
      this.clock.after(typeof len === 'number' ? len : 0, () => {
        entry.finishedAt = Date.now();
        entry.state = 'done';
        this.silentEnd(ch, { by: 'pbx', reason: 'broadcast-unclaimed' });
      }),
    );
  }

  private enterStasis(ch: SimChannel, app: string, args: string[]): void {
    ch.stasis = { app, args };
    ch.subs.add(app);
    this.emitTo(app, { type: 'StasisStart', timestamp: ariTimestamp(), args, channel: ch.snapshot() });
  }

  /**
   * The channel leaves its app (to its owner only, 10a). A caller's or a snoop's subscription ends
   * here; an originated channel's lasts until ChannelDestroyed. Leaving Stasis is also when
   * Asterisk forgets apps that are gone and hold nothing any more.
   */
  private leaveStasis(ch: SimChannel): void {
    const app = ch.stasis?.app;
    if (!app) return;
    this.emitTo(app, { type: 'StasisEnd', timestamp: ariTimestamp(), channel: ch.snapshot() });
    ch.stasis = null;
    if (ch.kind !== 'outbound') ch.subs.delete(app);
    this.cleanupApps();
  }

  /** POST /events/claim */
  claim(channelId: string | undefined, application: string | undefined): () => void {
    if (!channelId) throw ariError(400, 'channelId parameter is required');
    if (!application) throw ariError(400, 'application parameter is required');
    const ch = this.channels.get(channelId);
    const b = ch?.inb?.broadcast;
    if (!ch || ch.gone || !b || (!b.open && !b.claimedBy)) throw ariError(404, 'Channel not found or not in broadcast state');
    if (b.claimedBy) throw ariError(409, 'Channel has already been claimed by another application');
    b.claimedBy = application;
    b.open = false;
    ch.cancelTimers();
    const route = ch.inb?.route;
    return () => {
      if (ch.gone || ch.hangingUp) return;
      this.enterStasis(ch, application, route?.args ?? []);
      if (route?.mode === 'broadcast' && route.notifyClaimed) {
        for (const app of b.apps.filter((a) => a !== application)) {
          this.emitTo(app, { type: 'CallClaimed', timestamp: ariTimestamp(), channel: ch.snapshot(), winner_app: application });
        }
      }
    };
  }

  /** A channel that ends without any app subscribed (dialplan hangup, rejected call). */
  private silentEnd(ch: SimChannel, end: Omit<CallEnd, 'at'>): void {
    if (ch.gone) return;
    ch.hangingUp = true;
    ch.cancelTimers();
    this.media.channelHungUp(ch);
    if (ch.bridge) this.leaveBridge(ch, 'hangup')();
    this.finishChannel(ch, { ...end, at: Date.now() });
  }

  // ---------------------------------------------------------------------------------------------
  // Outbound channels (agent phones, PSTN numbers through the trunk)

  /** A phone must be known, registered and reachable; a PSTN number needs the trunk (see outbound.ts). */
  private resolveTarget(endpoint: string): DialTarget {
    const target = parseDialTarget(endpoint, this.opts.trunk, this.opts.trunkHasContact);
    if (target.kind === 'phone' && !this.pbx.isDialable(target.resource)) throw new AriError(500, { error: 'Allocation failed' });
    return target;
  }

  private newOutbound(
    target: DialTarget,
    channelId: string | undefined,
    callerId: string | undefined,
    out: Pick<OutboundState, 'mode' | 'app' | 'appArgs' | 'extension'>,
  ): SimChannel {
    if (channelId && this.channels.has(channelId)) throw ariError(409, 'Channel with given unique ID already exists');
    const resource = target.kind === 'phone' ? target.resource : this.opts.trunk;
    const context = target.kind === 'phone' ? 'agents' : TRUNK_CONTEXT;
    const home: DialplanJson =
      out.mode === 'originate'
        ? { context, exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' }
        : { context, exten: 's', priority: 1, app_name: '', app_data: '' };
    const given = callerId ? parseCallerId(callerId) : null;
    const ch = new SimChannel(
      channelId || this.ids.uniqueId(),
      `PJSIP/${resource}-${this.ids.channelSuffix()}`,
      'outbound',
      resource,
      uuid(),
      { state: 'Down', caller: given ?? (target.kind === 'phone' ? phoneCallerId(resource) : { name: '', number: '' }), dialplan: { ...home } },
    );
    // An originate's callerId is also shown as the connected line (12).
    if (given) ch.connected = { ...given };
    ch.out = {
      ...out,
      resource,
      far: target.kind === 'phone' ? { kind: 'phone' } : { kind: 'callee', number: target.number, address: target.address },
      dialString: target.dialString,
      homeDialplan: home,
      dialing: false,
      ringing: false,
      answered: false,
    };
    this.channels.set(ch.id, ch);
    this.announceCreated(ch);
    if (out.app) ch.subs.add(out.app);
    return ch;
  }

  /** With subscribeAll=false nobody is subscribed to a channel at birth; subscribeAll apps are. */
  private announceCreated(ch: SimChannel): void {
    if (this.apps.subscribeAllApps().length === 0) return;
    this.emitEvent({}, { type: 'ChannelCreated', timestamp: ariTimestamp(), channel: ch.snapshot() });
  }

  /** POST /channels and /channels/{id}: the 200 snapshot is `Down`; dialling starts right after. */
  originate(p: Record<string, string | undefined>, variables: Record<string, string>): { ch: SimChannel; after: () => void } {
    if (!p.endpoint) throw ariError(400, 'Endpoint must be specified');
    if (!p.app && !p.extension) throw ariError(400, 'Application or extension must be specified');
    if (/^Local\//i.test(p.endpoint)) return this.originateLocal(p);
    const ch = this.newOutbound(this.resolveTarget(p.endpoint), p.channelId, p.callerId, {
      mode: 'originate',
      app: p.app || null,
      appArgs: p.appArgs ? p.appArgs.split(',') : [],
      extension: p.app ? null : (p.extension ?? null),
    });
    for (const [k, v] of Object.entries(variables)) ch.vars.set(k, v);
    const timeout = p.timeout === undefined || p.timeout === '' ? 30 : Number.parseInt(p.timeout, 10);
    return { ch, after: () => this.startDial(ch, timeout) };
  }

  /**
   * Originate to `Local/<exten>@<context>` (the CTI's self-check call): a pair of channels. `;1`
   * runs the given dialplan location (here it only waits, subscribed to no app); `;2`, with id
   * `otherChannelId`, enters `<exten>` exactly like a carrier call (Stasis or StasisBroadcast).
   * Hanging up either half ends the other.
   */
  private originateLocal(p: Record<string, string | undefined>): { ch: SimChannel; after: () => void } {
    const m = /^Local\/([^@/]+)@([^/]+)$/i.exec(p.endpoint ?? '');
    if (!m) throw new AriError(500, { error: 'Allocation failed' });
    const [, exten, context] = m as unknown as [string, string, string];
    for (const id of [p.channelId, p.otherChannelId]) {
      if (id && this.channels.has(id)) throw ariError(409, 'Channel with given unique ID already exists');
    }
    const base = `Local/${exten}@${context}-${this.ids.channelSuffix()}`;
    const caller = p.callerId ? parseCallerId(p.callerId) : { name: '', number: '' };
    const one = new SimChannel(p.channelId || this.ids.uniqueId(), `${base};1`, 'outbound', 'Local', uuid(), {
      state: 'Down',
      caller,
      dialplan: { context: p.context ?? 'default', exten: p.extension ?? 's', priority: Number(p.priority ?? 1), app_name: '', app_data: '' },
    });
    this.channels.set(one.id, one);
    return {
      ch: one,
      after: () => {
        if (one.gone) return;
        one.state = 'Up';
        one.answeredAt = Date.now();
        const two = this.inbound({ callerNumber: caller.number, callerName: caller.name, exten, ...(p.otherChannelId ? { id: p.otherChannelId } : {}), name: `${base};2` });
        two.observer = {
          ended: () => {
            if (!one.gone) this.finishChannel(one, { by: 'pbx', at: Date.now(), reason: 'local-peer-gone' });
          },
        };
        one.observer = {
          ended: () => {
            if (!two.gone && !two.hangingUp) this.remoteHangup(two);
          },
        };
      },
    };
  }

  /** POST /channels/create: in Stasis at once (StasisStart before any dialling). */
  create(p: Record<string, string | undefined>, variables: Record<string, string>): { ch: SimChannel; after: () => void } {
    if (!p.endpoint) throw ariError(400, 'Endpoint must be specified');
    if (!p.app) throw ariError(400, 'Application must be specified');
    const target = this.resolveTarget(p.endpoint);
    const args = p.appArgs ? p.appArgs.split(',') : [];
    const ch = this.newOutbound(target, p.channelId, undefined, {
      mode: 'create',
      app: p.app,
      appArgs: args,
      extension: null,
    });
    for (const [k, v] of Object.entries(variables)) ch.vars.set(k, v);
    const app = p.app;
    return {
      ch,
      after: () => {
        if (ch.gone) return;
        ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
        this.emitEvent(
          { channels: [ch] },
          {
            type: 'ChannelDialplan',
            timestamp: ariTimestamp(),
            dialplan_app: 'Stasis',
            dialplan_app_data: ch.dialplan.app_data,
            channel: ch.snapshot(),
          },
        );
        this.varset(ch, 'STASISSTATUS', '');
        this.enterStasis(ch, app, args);
      },
    };
  }

  /** POST /channels/{id}/snoop[/{snoopId}] (snoop.ts). */
  snoop(targetId: string, p: SnoopParams): { ch: SimChannel; after: () => void } {
    return createSnoop(this.snoopHost, targetId, p);
  }

  /** POST /channels/{id}/dial */
  dial(id: string, p: Record<string, string | undefined>): () => void {
    const ch = this.control(id);
    if (!ch.out || ch.out.mode !== 'create' || ch.out.dialing) throw ariError(409, 'Channel is not in a dialable state');
    const caller = p.caller ? this.channels.get(p.caller) : undefined;
    if (p.caller && (!caller || caller.gone)) throw ariError(404, 'Caller channel not found');
    const timeout = p.timeout === undefined || p.timeout === '' ? 0 : Number.parseInt(p.timeout, 10);
    return () => {
      if (ch.gone || ch.hangingUp) return;
      if (caller) {
        ch.connected = { ...caller.caller };
        this.chanEvent(ch, 'ChannelConnectedLine');
      }
      this.startDial(ch, timeout);
    };
  }

  private startDial(ch: SimChannel, timeoutS: number): void {
    const out = ch.out;
    if (!out || ch.gone || ch.hangingUp) return;
    out.dialing = true;
    this.dialEvent(ch, '', out.dialString);
    const behaviour = this.farBehaviour(out);
    if (behaviour.kind === 'busy') {
      ch.later(this.clock.after(this.opts.busyDelayMs, () => this.outboundRejected(ch, 17, 486)));
    } else if (behaviour.kind !== 'unreachable') {
      ch.later(this.clock.after(this.opts.ringDelayMs, () => this.outboundRinging(ch)));
      if (behaviour.kind === 'answer') {
        ch.later(this.clock.after(Math.max(this.opts.ringDelayMs, behaviour.afterMs), () => this.answerOutbound(ch)));
      }
      if (behaviour.kind === 'decline') {
        ch.later(this.clock.after(Math.max(this.opts.ringDelayMs, behaviour.afterMs), () => this.outboundRejected(ch, 21, 603)));
      }
    }
    if (timeoutS > 0) ch.later(this.clock.after(timeoutS * 1000, () => this.dialTimeout(ch)));
  }

  /** The phone's current behaviour, or the called number's. */
  private farBehaviour(out: OutboundState): CalleeBehaviour {
    if (out.far.kind === 'callee') return this.callees.get(out.far.number, out.far.address);
    return this.pbx.phone(out.resource)?.behaviour ?? { kind: 'no-answer' };
  }

  private dialString(ch: SimChannel): string {
    // The first Dial of channels/{id}/dial names the endpoint; its later ones carry "" (03c).
    return ch.out?.mode === 'create' ? '' : (ch.out?.dialString ?? '');
  }

  private outboundRinging(ch: SimChannel): void {
    const out = ch.out;
    if (!out || ch.gone || ch.hangingUp || out.answered || out.ringing) return;
    out.ringing = true;
    this.stateChange(ch, 'Ringing');
    this.dialEvent(ch, 'RINGING', this.dialString(ch));
  }

  /** The phone answers (200 OK). */
  answerOutbound(ch: SimChannel): void {
    const out = ch.out;
    if (!out || ch.gone || ch.hangingUp || out.answered || !out.dialing) return;
    out.answered = true;
    ch.cancelTimers();
    ch.answeredAt = Date.now();
    this.stateChange(ch, 'Up');
    this.dialEvent(ch, 'ANSWER', this.dialString(ch));
    if (out.mode === 'originate') {
      if (out.app) {
        ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [out.app, ...out.appArgs].join(',') };
        this.varset(ch, 'STASISSTATUS', '');
        this.enterStasis(ch, out.app, out.appArgs);
      } else {
        // Originate to an extension: the simulated dialplan has nothing there and hangs up.
        ch.later(this.clock.after(0, () => this.hangupInternal(ch, { request: {}, destroy: { cause: 16 }, by: 'pbx', reason: 'dialplan' })));
      }
    }
    ch.observer?.answered?.(ch.answeredAt);
    const behaviour = this.farBehaviour(out);
    if (behaviour.kind !== 'answer') return;
    if (behaviour.hangupAfterMs !== undefined) ch.later(this.clock.after(behaviour.hangupAfterMs, () => this.remoteHangup(ch)));
    // A called number's keys (RFC 4733) arrive like a caller's, recording or not (12).
    for (const step of behaviour.dtmf ?? []) {
      ch.later(this.clock.after(step.afterMs, () => this.callerDtmf(ch, step.digit, step.durationMs ?? this.opts.dtmfDurationMs)));
    }
  }

  private farEnd(ch: SimChannel): EndedBy {
    return ch.out?.far.kind === 'callee' ? 'callee' : 'agent';
  }

  /** Busy (486) or decline (603) from the phone. */
  private outboundRejected(ch: SimChannel, cause: number, techCause: number): void {
    if (ch.gone || ch.hangingUp || ch.out?.answered) return;
    const inStasis = ch.stasis !== null;
    this.hangupInternal(ch, {
      request: { cause, tech_cause: techCause },
      // 603 is not in the recorded traces; Asterisk reports a rejected call's Dial as CONGESTION.
      dialStatus: inStasis ? undefined : cause === 17 ? 'BUSY' : 'CONGESTION',
      destroy: { cause, tech_cause: techCause },
      by: this.farEnd(ch),
      reason: CAUSE_TEXT[cause],
    });
  }

  private dialTimeout(ch: SimChannel): void {
    if (ch.gone || ch.hangingUp || ch.out?.answered) return;
    // Originate: only ChannelDestroyed (03a). channels/{id}/dial: a soft hangup first (03c).
    const created = ch.out?.mode === 'create';
    this.hangupInternal(ch, {
      request: created ? { cause: 32, soft: true } : null,
      destroy: { cause: 19, tech_cause: 480 },
      by: 'pbx',
      reason: 'no-answer',
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Hangups

  /** DELETE /channels/{id}: ChannelHangupRequest before the 204, the rest after it. */
  hangup(id: string, reason: string | undefined, reasonCode: string | undefined): () => void {
    if (reason && reasonCode) throw ariError(400, "The reason and reason_code can't both be specified");
    let cause = 16;
    if (reason) {
      const c = HANGUP_REASONS[reason];
      if (c === undefined) throw ariError(400, 'Invalid reason for hangup reason provided');
      cause = c;
    } else if (reasonCode) {
      const c = Number.parseInt(reasonCode, 10);
      if (!Number.isFinite(c)) throw ariError(400, 'Invalid reason for hangup reason code provided');
      cause = c;
    }
    const ch = this.channel(id);
    if (ch.hangingUp) return () => undefined;
    const unanswered = ch.out && !ch.out.answered && !ch.stasis;
    return this.hangupInternal(
      ch,
      { request: { cause: 32, soft: true }, dialStatus: unanswered ? 'NOANSWER' : undefined, destroy: { cause }, by: 'app' },
      true,
    );
  }

  /** Far-end BYE: the caller, an agent phone or a called number hangs up. */
  remoteHangup(ch: SimChannel): void {
    if (ch.gone || ch.hangingUp) return;
    if (ch.kind === 'inbound') {
      if (!ch.stasis) {
        this.silentEnd(ch, { by: 'caller' });
        return;
      }
      // No cause on a BYE's hangup request (01, 05, 08, 10a, 10b, 11; 02's `cause: 16` is a race, see trace-replay.ts).
      this.hangupInternal(ch, { request: {}, destroy: { cause: 16 }, by: 'caller' });
      return;
    }
    if (ch.kind === 'snoop') {
      this.hangupInternal(ch, { request: {}, destroy: { cause: 16 }, by: 'pbx' });
      return;
    }
    if (!ch.out?.answered) {
      this.outboundRejected(ch, 21, 603);
      return;
    }
    this.hangupInternal(ch, { request: {}, destroy: { cause: 16 }, by: this.farEnd(ch) });
  }

  /**
   * The teardown sequence shared by every hangup path:
   * HangupRequest → (Dial NOANSWER/BUSY) → channel recording → PlaybackFinished → bridge exit →
   * recordings of the emptied bridge (10b) → StasisEnd → the bridge's connected-line updates →
   * STASISSTATUS → ChannelDestroyed. An originated channel's app hears all of it; a caller's or a
   * snoop's app stops at StasisEnd while an app that subscribed to the channel (10a) sees the
   * dialplan finish: STASISSTATUS, its own hangup request, ChannelDestroyed.
   */
  private hangupInternal(ch: SimChannel, spec: HangupSpec, split = false): () => void {
    ch.hangingUp = true;
    ch.cancelTimers();
    if (spec.request) this.hangupRequest(ch, spec.request);
    const rest = (): void => {
      if (ch.gone) return;
      if (spec.dialStatus && ch.out?.mode === 'originate' && !ch.stasis) this.dialEvent(ch, spec.dialStatus, ch.out.dialString);
      this.media.channelHungUpRecording(ch);
      this.media.channelHungUp(ch);
      const bridge = ch.bridge;
      const bridgeUpdates = bridge ? this.leaveBridge(ch, 'hangup') : () => undefined;
      if (bridge && bridge.channels.length === 0) this.media.bridgeEmptied(bridge);
      const wasInStasis = ch.stasis !== null;
      this.leaveStasis(ch);
      bridgeUpdates();
      if (wasInStasis) this.varset(ch, 'STASISSTATUS', 'SUCCESS');
      if (wasInStasis && ch.kind !== 'outbound') {
        this.hangupRequest(ch, { cause: 16, soft: true });
        ch.dialplan = { ...ch.dialplan, app_name: '', app_data: '' };
      }
      if (ch.kind === 'outbound' || ch.subs.size > 0) {
        if (ch.out) ch.dialplan = { ...ch.out.homeDialplan };
        const d = spec.destroy;
        this.emitEvent(
          { channels: [ch] },
          {
            type: 'ChannelDestroyed',
            timestamp: ariTimestamp(),
            cause: d.cause,
            cause_txt: CAUSE_TEXT[d.cause] ?? 'Unknown',
            ...(d.tech_cause !== undefined ? { tech_cause: d.tech_cause } : {}),
            channel: ch.snapshot(),
          },
        );
      }
      this.finishChannel(ch, { by: spec.by, at: Date.now(), ...(spec.reason ? { reason: spec.reason } : {}) });
    };
    if (split) return rest;
    rest();
    return () => undefined;
  }

  private finishChannel(ch: SimChannel, end: CallEnd): void {
    if (ch.gone) return;
    ch.gone = true;
    ch.hangingUp = true;
    ch.cancelTimers();
    if (ch.moh) {
      ch.moh.entry.stoppedAt = end.at;
      ch.moh = null;
    }
    this.channels.delete(ch.id);
    if (ch.kind === 'snoop') snoopGone(this.snoopHost, ch);
    // A snoop cannot outlive the channel it listens to.
    for (const snoop of [...ch.snoops]) this.remoteHangup(snoop);
    ch.observer?.ended?.(end);
    this.emit('channelGone', ch);
  }

  // ---------------------------------------------------------------------------------------------
  // Other channel operations

  answer(id: string): void {
    const ch = this.control(id);
    if (ch.state === 'Up') return;
    this.requireState(ch);
    ch.answeredAt = Date.now();
    this.stateChange(ch, 'Up');
    ch.observer?.answered?.(ch.answeredAt);
  }

  ring(id: string, on: boolean): void {
    const ch = this.control(id);
    this.requireState(ch);
    if (on) ch.addHeard({ kind: 'ringing', at: Date.now() });
  }

  moh(id: string, on: boolean, mohClass: string | undefined): void {
    const ch = this.control(id);
    this.requireState(ch);
    if (on) {
      if (ch.moh) ch.moh.entry.stoppedAt = Date.now();
      const entry: HeardEntry & { kind: 'moh' } = { kind: 'moh', source: 'channel', mohClass: mohClass || 'default', startedAt: Date.now() };
      ch.moh = { mohClass: entry.mohClass, entry };
      ch.addHeard(entry);
    } else if (ch.moh) {
      ch.moh.entry.stoppedAt = Date.now();
      ch.moh = null;
    }
  }

  /** Operations accepted without a visible effect in the simulation (hold, mute, silence, dtmf to phone). */
  simpleControl(id: string, checkState = true): SimChannel {
    const ch = this.control(id);
    if (checkState) this.requireState(ch);
    return ch;
  }

  /** POST /channels/{id}/continue: leaves Stasis; our dialplan then hangs up. */
  continueInDialplan(id: string): () => void {
    const ch = this.control(id);
    this.requireState(ch);
    return () => {
      if (ch.gone || !ch.stasis) return;
      if (ch.bridge) this.leaveBridge(ch, 'remove')();
      this.media.channelHungUp(ch);
      this.leaveStasis(ch);
      if (ch.kind === 'outbound') {
        this.varset(ch, 'STASISSTATUS', 'SUCCESS');
        ch.later(this.clock.after(0, () => this.hangupInternal(ch, { request: {}, destroy: { cause: 16 }, by: 'pbx', reason: 'dialplan' })));
      } else {
        ch.later(this.clock.after(0, () => this.silentEnd(ch, { by: 'pbx', reason: 'dialplan' })));
      }
    };
  }

  /** POST /channels/{id}/move */
  move(id: string, app: string | undefined, appArgs: string | undefined): () => void {
    const ch = this.control(id);
    if (!app) throw ariError(400, 'app cannot be empty');
    return () => {
      if (ch.gone || !ch.stasis) return;
      const args = appArgs ? appArgs.split(',') : [];
      if (!this.apps.isRegistered(app)) {
        this.chanEvent(ch, 'ApplicationMoveFailed', { destination: app, args });
        return;
      }
      const old = ch.stasis.app;
      this.emitTo(old, { type: 'StasisEnd', timestamp: ariTimestamp(), channel: ch.snapshot() });
      if (old !== app && !(ch.kind === 'outbound' && ch.out?.app === old)) ch.subs.delete(old);
      this.enterStasis(ch, app, args);
    };
  }

  getVar(id: string, variable: string | undefined): string {
    if (!variable) throw ariError(400, 'Variable name is required');
    const ch = this.channel(id);
    const fn = /^([A-Z_]+)\((.*)\)$/.exec(variable);
    if (fn) {
      const [, name, arg] = fn;
      if (name === 'CALLERID') return arg === 'name' ? ch.caller.name : ch.caller.number;
      if (name === 'CONNECTEDLINE') return arg === 'name' ? ch.connected.name : ch.connected.number;
      if (name === 'CHANNEL') return arg === 'name' ? ch.name : arg === 'state' ? ch.state : arg === 'uniqueid' ? ch.id : '';
      throw new AriError(500, { message: 'Unable to read provided function' });
    }
    const v = ch.vars.get(variable);
    if (v === undefined) throw ariError(404, 'Provided variable was not found');
    return v;
  }

  setVar(id: string, variable: string | undefined, value: string): void {
    if (!variable) throw ariError(400, 'Variable name is required');
    const ch = this.channel(id);
    this.varset(ch, variable, value);
  }

  // ---------------------------------------------------------------------------------------------
  // Bridges

  createBridge(p: Record<string, string | undefined>, idFromPath?: string): SimBridge {
    const bridgeId = idFromPath ?? p.bridgeId;
    if (bridgeId && this.bridges.has(bridgeId)) throw ariError(409, `Bridge with id '${bridgeId}' already exists`);
    const types = (p.type || 'mixing').split(',').map((t) => t.trim()).filter(Boolean);
    const valid = ['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single', 'sdp_label'];
    if (types.some((t) => !valid.includes(t))) {
      throw ariError(500, `Unable to create bridge. Possible duplicate bridge id '${bridgeId ?? '(null)'}'`);
    }
    const b = new SimBridge(bridgeId || uuid(), p.name ?? '', types.includes('holding') ? 'holding' : 'mixing');
    this.bridges.set(b.id, b);
    // Only subscribeAll apps hear of bridge creation (nobody is subscribed yet otherwise).
    if (this.apps.subscribeAllApps().length) {
      this.emitEvent({}, { type: 'BridgeCreated', timestamp: ariTimestamp(), bridge: b.snapshot() });
    }
    return b;
  }

  /** DELETE /bridges/{id}: channels inside are taken out (and unsubscribe), then BridgeDestroyed. */
  destroyBridge(id: string): void {
    const b = this.bridge(id);
    for (const ch of [...b.channels]) this.leaveBridge(ch, 'destroy')();
    this.media.bridgeEmptied(b);
    this.media.bridgeDestroyed(b);
    b.destroyed = true;
    this.emitEvent({ bridges: [b] }, { type: 'BridgeDestroyed', timestamp: ariTimestamp(), bridge: b.snapshot() });
    this.bridges.delete(b.id);
  }

  /** The `channel` list of addChannel/removeChannel: 400 when empty or when one is unknown. */
  private listedChannels(channelIds: string[]): SimChannel[] {
    if (channelIds.length === 0) throw ariError(400, 'Missing parameter channel');
    return channelIds.map((cid) => {
      const ch = this.channels.get(cid);
      if (!ch || ch.gone) throw ariError(400, 'Channel not found');
      return ch;
    });
  }

  addChannels(bridgeId: string, channelIds: string[]): void {
    const b = this.bridge(bridgeId);
    const chans = this.listedChannels(channelIds);
    for (const ch of chans) if (!ch.stasis) throw ariError(422, 'Channel not in Stasis application');
    let switched = false;
    for (const ch of chans) switched = this.joinBridge(b, ch) || switched;
    publishPeers(b, this.peerHost, 'changed');
    exchangeOnJoin(b, this.peerHost);
    // A third channel turns the bridge into softmix, which the core follows with another round
    // of BRIDGEPEER (11; not when the third party is a recorder: 02).
    if (switched && b.tech === 'softmix') publishPeers(b, this.peerHost, 'restate');
  }

  removeChannels(bridgeId: string, channelIds: string[]): void {
    const b = this.bridge(bridgeId);
    const chans = this.listedChannels(channelIds);
    for (const ch of chans) if (ch.bridge !== b) throw ariError(422, 'Channel not in this bridge');
    for (const ch of chans) this.leaveBridge(ch, 'remove')();
    if (b.channels.length === 0) this.media.bridgeEmptied(b);
  }

  /** True when the bridge changed technology with this join. */
  private joinBridge(b: SimBridge, ch: SimChannel): boolean {
    // Re-adding a member re-joins it; adding a member of another bridge moves it (08).
    if (ch.bridge) this.leaveBridge(ch, ch.bridge === b ? 'remove' : 'move')();
    const peers = b.channels.map((c) => c.name);
    b.channels.push(ch);
    b.enlist(ch);
    ch.bridge = b;
    if (ch.stasis) b.subscribe(ch.stasis.app);
    this.emitEvent(
      { channels: [ch], bridges: [b] },
      { type: 'ChannelEnteredBridge', timestamp: ariTimestamp(), bridge: b.snapshot(), channel: ch.snapshot() },
    );
    const now = Date.now();
    ch.addHeard({ kind: 'bridge', bridgeId: b.id, bridgeType: b.bridgeType, joinedAt: now, peersAtJoin: peers });
    if (b.moh) {
      const entry: HeardEntry & { kind: 'moh' } = { kind: 'moh', source: 'bridge', bridgeId: b.id, mohClass: b.moh, startedAt: now };
      ch.addHeard(entry);
    }
    this.media.joinedBridge(ch, b);
    ch.observer?.bridged?.(b.id, peers);
    for (const other of b.channels) if (other !== ch) other.observer?.peerJoined?.(b.id);
    return b.reconfigure();
  }

  /**
   * Takes a channel out of its bridge. `hangup` keeps the app's bridge subscription (see top).
   * Returns the connected-line updates the bridge sends the remaining parties: a hangup runs them
   * after the leaver's StasisEnd, other callers right away.
   */
  leaveBridge(ch: SimChannel, why: 'hangup' | 'remove' | 'move' | 'destroy'): () => void {
    const b = ch.bridge;
    if (!b) return () => undefined;
    if (ch.vars.get('BRIDGEPEER')) this.varset(ch, 'BRIDGEPEER', '');
    if (ch.vars.get('BRIDGEPVTCALLID')) this.varset(ch, 'BRIDGEPVTCALLID', '');
    const i = b.channels.indexOf(ch);
    if (i >= 0) b.channels.splice(i, 1);
    b.delist(ch);
    ch.bridge = null;
    this.emitEvent(
      { channels: [ch], bridges: [b] },
      { type: 'ChannelLeftBridge', timestamp: ariTimestamp(), bridge: b.snapshot(), channel: ch.snapshot() },
    );
    b.reconfigure();
    if (why !== 'hangup' && ch.stasis) b.unsubscribe(ch.stasis.app);
    const now = Date.now();
    for (const e of ch.heard) {
      if (e.kind === 'bridge' && e.bridgeId === b.id && e.leftAt === undefined) e.leftAt = now;
      if (e.kind === 'moh' && e.source === 'bridge' && e.bridgeId === b.id && e.stoppedAt === undefined) e.stoppedAt = now;
    }
    this.media.leftBridge(ch, b);
    publishPeers(b, this.peerHost, 'changed');
    return connectedAfterLeave(b, ch, this.peerHost);
  }

  bridgeMoh(id: string, on: boolean, mohClass: string | undefined): void {
    const b = this.bridge(id);
    const now = Date.now();
    if (on) {
      const cls = mohClass || 'default';
      if (b.moh === cls) return;
      this.closeBridgeMoh(b, now);
      b.moh = cls;
      for (const ch of b.channels) ch.addHeard({ kind: 'moh', source: 'bridge', bridgeId: b.id, mohClass: cls, startedAt: now });
    } else {
      if (!b.moh) throw ariError(409, "Bridge isn't playing music");
      this.closeBridgeMoh(b, now);
      b.moh = null;
    }
  }

  private closeBridgeMoh(b: SimBridge, now: number): void {
    for (const ch of b.channels) {
      for (const e of ch.heard) {
        if (e.kind === 'moh' && e.source === 'bridge' && e.bridgeId === b.id && e.stoppedAt === undefined) e.stoppedAt = now;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Caller-side actions driven by the scripting layer

  callerDtmf(ch: SimChannel, digit: string, durationMs: number): void {
    if (ch.gone || ch.hangingUp) return;
    ch.addHeard({ kind: 'dtmf-sent', digit, at: Date.now() });
    if (!ch.stasis) return;
    this.emitEvent(
      { channels: [ch] },
      { type: 'ChannelDtmfReceived', timestamp: ariTimestamp(), digit, duration_ms: durationMs, channel: ch.snapshot() },
    );
    this.media.dtmf(ch, digit);
  }

  // ---------------------------------------------------------------------------------------------
  // Endpoints, apps, misc

  private endpointState(resource: string): EndpointJson['state'] {
    return this.pbx.isDialable(resource) ? 'online' : 'offline';
  }

  endpointJson(resource: string): EndpointJson {
    const ids = [...this.channels.values()].filter((c) => c.resource === resource && !c.gone).map((c) => c.id);
    const state = resource === this.opts.trunk ? 'offline' : this.endpointState(resource);
    return { technology: 'PJSIP', resource, state, channel_ids: ids };
  }

  endpoints(): EndpointJson[] {
    const names = new Set(this.pbx.listPhones().map((p) => p.extension));
    names.add(this.opts.trunk);
    return [...names].sort().map((r) => this.endpointJson(r));
  }

  hasEndpoint(resource: string): boolean {
    return resource === this.opts.trunk || this.pbx.phone(resource) !== undefined;
  }

  private lastPhoneState = new Map<string, string>();

  private phoneChanged(p: PhoneState): void {
    const state = this.endpointState(p.extension);
    const prev = this.lastPhoneState.get(p.extension) ?? 'online';
    this.lastPhoneState.set(p.extension, state);
    if (prev === state) return;
    const endpoint = this.endpointJson(p.extension);
    const scope: EventScope = { endpoint: `PJSIP/${p.extension}` };
    this.emitEvent(scope, { type: 'EndpointStateChange', timestamp: ariTimestamp(), endpoint });
    this.emitEvent(scope, {
      type: 'ContactStatusChange',
      timestamp: ariTimestamp(),
      endpoint,
      contact_info: {
        uri: `sip:${p.extension}@127.0.0.1:5060`,
        contact_status: !p.registered ? 'Removed' : p.reachable ? 'Reachable' : 'Unreachable',
        aor: p.extension,
        roundtrip_usec: p.reachable ? '1200' : '0',
      },
    });
  }

  /**
   * Applications Asterisk lists: the registered ones, and those whose socket is gone but which
   * Asterisk has not forgotten yet. It forgets a gone app only at certain moments (an app
   * registering or unregistering, a channel leaving Stasis) and only if the app then holds no
   * channel or bridge - a bridge one of its channels hung up in counts until it is deleted. So a
   * dead app stays listed with its calls, and after them until the next such moment (10a: still
   * listed, empty, after its bridge was deleted; 09: gone at once when idle).
   */
  knownApps(): string[] {
    return [...new Set([...this.apps.registeredApps(), ...this.lingering])];
  }

  private cleanupApps(): void {
    for (const app of [...this.lingering]) {
      if (this.apps.isRegistered(app)) {
        this.lingering.delete(app);
        continue;
      }
      const holds =
        [...this.channels.values()].some((c) => !c.gone && c.subs.has(app)) ||
        [...this.bridges.values()].some((b) => !b.destroyed && (b.subs.get(app) ?? 0) > 0);
      if (!holds) this.lingering.delete(app);
    }
  }

  applicationJson(app: string): Record<string, unknown> {
    const channelIds = [...this.channels.values()].filter((c) => c.subs.has(app)).map((c) => c.id);
    const bridgeIds = [...this.bridges.values()].filter((b) => (b.subs.get(app) ?? 0) > 0).map((b) => b.id);
    const sources = [...(this.appSources.get(app) ?? [])];
    return {
      name: app,
      channel_ids: channelIds,
      bridge_ids: bridgeIds,
      endpoint_ids: sources.filter((s) => s.startsWith('endpoint:')).map((s) => s.slice('endpoint:'.length)),
      device_names: sources.filter((s) => s.startsWith('deviceState:')).map((s) => s.slice('deviceState:'.length)),
      events_allowed: [],
      events_disallowed: [],
    };
  }

  /** applications/{app}/subscription */
  subscription(app: string, sources: string[], on: boolean): void {
    if (!this.apps.isRegistered(app)) throw ariError(404, 'Application not found');
    if (sources.length === 0) throw ariError(400, 'Missing parameter eventSource');
    for (const src of sources) {
      const [kind, id] = parseEventSource(src);
      if (kind === 'channel') {
        const ch = this.channels.get(id);
        if (!ch) throw ariError(422, 'Event source does not exist');
        if (on) ch.subs.add(app);
        else ch.subs.delete(app);
      } else if (kind === 'bridge') {
        const b = this.bridges.get(id);
        if (!b) throw ariError(422, 'Event source does not exist');
        if (on) b.subscribe(app);
        else b.unsubscribe(app);
      } else {
        if (kind === 'endpoint' && !this.hasEndpoint(id.replace(/^PJSIP\//, ''))) throw ariError(422, 'Event source does not exist');
        const set = this.appSources.get(app) ?? new Set<string>();
        if (on) set.add(src);
        else set.delete(src);
        this.appSources.set(app, set);
      }
    }
  }

  /** POST /events/user/{eventName} */
  userEvent(eventName: string, application: string | undefined, sources: string[], variables: Record<string, unknown>): void {
    if (!application) throw ariError(400, 'Missing parameter application');
    if (!this.apps.isRegistered(application)) throw ariError(404, 'Application not found');
    const extra: Record<string, unknown> = {};
    for (const src of sources) {
      const [kind, id] = parseEventSource(src);
      if (kind === 'channel') {
        const ch = this.channels.get(id);
        if (!ch) throw ariError(422, 'Event source not found');
        extra.channel = ch.snapshot();
      } else if (kind === 'bridge') {
        const b = this.bridges.get(id);
        if (!b) throw ariError(422, 'Event source not found');
        extra.bridge = b.snapshot();
      } else if (kind === 'endpoint') {
        const r = id.replace(/^PJSIP\//, '');
        if (!this.hasEndpoint(r)) throw ariError(422, 'Event source not found');
        extra.endpoint = this.endpointJson(r);
      }
    }
    this.emitTo(application, { type: 'ChannelUserevent', timestamp: ariTimestamp(), eventname: eventName, ...extra, userevent: variables });
  }

  setDeviceState(name: string, state: string): void {
    this.deviceStates.set(name, state);
    const scope: EventScope = { apps: [...this.appSources.entries()].filter(([, s]) => s.has(`deviceState:${name}`)).map(([a]) => a) };
    this.emitEvent(scope, { type: 'DeviceStateChanged', timestamp: ariTimestamp(), device_state: { name, state } });
  }

  // ---------------------------------------------------------------------------------------------
  // Media durations

  mediaLength(uri: string): MediaLength {
    if (!MEDIA_SCHEMES.some((s) => uri.startsWith(s))) return 'unsupported';
    if (uri.startsWith('recording:')) {
      const rec = this.media.stored.get(uri.slice('recording:'.length));
      return rec ? rec.durationMs : 'unsupported';
    }
    const v = this.opts.soundDurationMs(uri);
    if (v === null || v === undefined || Number.isNaN(v) || v < 0) return null;
    return v;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * `core restart now` begins with ast_softhangup_all(): every channel gets a shutdown soft
   * hangup (AST_SOFTHANGUP_SHUTDOWN = 4) and tears down as any hangup does, with its events,
   * while the events sockets are still up. No trace has this; the cause of ChannelDestroyed is
   * extrapolated (16, what the dialplan sets when a channel ends without one).
   */
  shutdownHangupAll(): number {
    let n = 0;
    for (const ch of [...this.channels.values()]) {
      if (ch.gone || ch.hangingUp) continue;
      this.hangupInternal(ch, { request: { cause: 4, soft: true }, destroy: { cause: 16 }, by: 'pbx', reason: 'asterisk restart' });
      n++;
    }
    return n;
  }

  /** Drop every channel, bridge, playback and recording without events (control API reset). */
  reset(): void {
    // Hanging up first keeps snoops from tearing down (with events) when their target goes.
    for (const ch of this.channels.values()) ch.hangingUp = true;
    for (const ch of [...this.channels.values()]) {
      ch.cancelTimers();
      this.finishChannel(ch, { by: 'pbx', at: Date.now(), reason: 'reset' });
    }
    this.channels.clear();
    this.bridges.clear();
    this.lingering.clear();
    this.media.reset();
    this.globalVars.clear();
    this.deviceStates.clear();
    this.mailboxes.clear();
  }
}

export function defaultSoundDurationMs(uri: string): number | null {
  if (/no-such|nonexistent|missing/i.test(uri)) return null;
  if (uri === 'sound:hello-world') return 1400;
  if (uri === 'sound:demo-congrats') return 30_000;
  if (uri.startsWith('digits:')) return 700 * uri.slice('digits:'.length).length;
  if (uri.startsWith('characters:')) return 700 * uri.slice('characters:'.length).length;
  if (uri.startsWith('number:')) return 1500;
  if (uri.startsWith('tone:')) return Number.POSITIVE_INFINITY;
  return 2000;
}

/** `channel:<id>`, `bridge:<id>`, `endpoint:<tech/resource>`, `deviceState:<name>` → [kind, id]. */
function parseEventSource(src: string): [string, string] {
  const m = /^(channel|bridge|endpoint|deviceState):(.+)$/.exec(src);
  if (!m) throw ariError(400, 'Invalid event source URI scheme');
  return [m[1]!, m[2]!];
}
