import type { SimTimer } from './clock';
import type { SimLiveRecording, SimPlayback } from './media';
import type {
  BridgeJson,
  CallEnd,
  CallerIdJson,
  ChannelInfo,
  ChannelJson,
  ChannelState,
  DialplanJson,
  DialplanRoute,
  HeardEntry,
} from './types';
import { ariTimestamp } from './util';

/** Hooks the scripting layer (callers, agents) attaches to a channel. */
export interface ChannelObserver {
  answered?(at: number): void;
  heard?(entry: HeardEntry): void;
  /** Entered a bridge; `peers` = other channels present. */
  bridged?(bridgeId: string, peers: string[]): void;
  /** A second party (channel) joined the bridge the observed channel is in. */
  peerJoined?(bridgeId: string): void;
  ended?(end: CallEnd): void;
}

export interface OutboundState {
  mode: 'originate' | 'create';
  /** Endpoint resource: the phone extension, or the trunk for a call to the PSTN. */
  resource: string;
  /** Who answers: an agent phone (PbxModel) or a PSTN callee reached through the trunk. */
  far: { kind: 'phone' } | { kind: 'callee'; number: string; address: string | null };
  /** Dial's `dialstring`: the endpoint without `PJSIP/` (`agent1001`, `pstn/sip:138...@host:port`). */
  dialString: string;
  app: string | null;
  appArgs: string[];
  /** Originate to a dialplan extension instead of an app. */
  extension: string | null;
  dialing: boolean;
  ringing: boolean;
  answered: boolean;
  /** Dialplan location reported while not (or no longer) in Stasis. */
  homeDialplan: DialplanJson;
}

export interface InboundState {
  route: DialplanRoute | null;
  broadcast: { apps: string[]; claimedBy: string | null; open: boolean } | null;
}

export class SimChannel {
  state: ChannelState;
  caller: CallerIdJson;
  connected: CallerIdJson = { name: '', number: '' };
  dialplan: DialplanJson;
  readonly accountcode = '';
  readonly language = 'en';
  readonly creationtime = new Date();
  readonly vars = new Map<string, string>();
  /** Apps receiving this channel's events. */
  readonly subs = new Set<string>();
  stasis: { app: string; args: string[] } | null = null;
  bridge: SimBridge | null = null;
  hangingUp = false;
  gone = false;
  moh: { mohClass: string; entry: HeardEntry & { kind: 'moh' } } | null = null;
  silence = false;
  readonly playQueue: SimPlayback[] = [];
  playing: SimPlayback | null = null;
  recording: SimLiveRecording | null = null;
  readonly timers = new Set<SimTimer>();
  readonly heard: HeardEntry[] = [];
  answeredAt: number | null = null;
  observer: ChannelObserver | null = null;
  out: OutboundState | null = null;
  inb: InboundState | null = null;
  /** Snoop channel: the channel it spies on / whispers to. */
  snoopOf: SimChannel | null = null;
  /** Snoop channels attached to this channel (their audiohooks). */
  readonly snoops = new Set<SimChannel>();

  constructor(
    readonly id: string,
    readonly name: string,
    /** `snoop`: a snoop channel on another channel (POST /channels/{id}/snoop). */
    readonly kind: 'inbound' | 'outbound' | 'snoop',
    /** Endpoint resource: the trunk name for inbound calls, the phone for outbound. */
    readonly resource: string,
    readonly protocolId: string,
    init: { state: ChannelState; caller: CallerIdJson; dialplan: DialplanJson },
  ) {
    this.state = init.state;
    this.caller = init.caller;
    this.dialplan = init.dialplan;
  }

  snapshot(): ChannelJson {
    return {
      id: this.id,
      name: this.name,
      state: this.state,
      protocol_id: this.protocolId,
      caller: { ...this.caller },
      connected: { ...this.connected },
      accountcode: this.accountcode,
      dialplan: { ...this.dialplan },
      creationtime: ariTimestamp(this.creationtime),
      language: this.language,
    };
  }

  info(): ChannelInfo {
    return {
      id: this.id,
      name: this.name,
      state: this.state,
      kind: this.kind,
      endpoint: this.kind === 'snoop' ? 'Snoop' : `PJSIP/${this.resource}`,
      inStasis: this.stasis !== null,
      app: this.stasis?.app ?? null,
      bridgeId: this.bridge?.id ?? null,
      caller: { ...this.caller },
      connected: { ...this.connected },
      createdAt: this.creationtime.getTime(),
      answeredAt: this.answeredAt,
    };
  }

  later(timer: SimTimer): void {
    this.timers.add(timer);
  }

  cancelTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }

  addHeard(entry: HeardEntry): void {
    this.heard.push(entry);
    this.observer?.heard?.(entry);
  }
}

/** Who receives an event: the apps subscribed to any of these channels/bridges, plus `apps`. */
export interface EventScope {
  channels?: SimChannel[];
  bridges?: SimBridge[];
  apps?: string[];
  /** `PJSIP/1001`: apps subscribed to that endpoint. */
  endpoint?: string;
}

export interface RecorderParty {
  /** `Recorder/ARI-0000000b;2` as it appears in BRIDGEPEER. */
  peerName: string;
  recording: SimLiveRecording | null;
}

/** A member of a bridge as the bridging core lists it: a channel or a recorder. */
export type BridgeParty = SimChannel | RecorderParty;

export class SimBridge {
  readonly creationtime = new Date();
  /** Channels in the order they joined (connected-line updates go in this order). */
  readonly channels: SimChannel[] = [];
  readonly recorders: RecorderParty[] = [];
  /**
   * The bridging core's own member list: BRIDGEPEER values and the order of ChannelVarset
   * updates follow it. A join that turns the bridge into softmix puts the newcomer first;
   * other joins append (02, 10a, 11).
   */
  readonly order: BridgeParty[] = [];
  /** Per-app subscription refcounts (see model.ts for when they change). */
  readonly subs = new Map<string, number>();
  readonly vars = new Map<string, string>();
  moh: string | null = null;
  readonly playQueue: SimPlayback[] = [];
  playing: SimPlayback | null = null;
  destroyed = false;
  /**
   * Technology as of the last re-evaluation. Join/leave snapshots are taken before the bridge
   * re-evaluates, so ChannelEnteredBridge / ChannelLeftBridge show the previous one (02, 11).
   */
  tech: string;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly bridgeType: 'mixing' | 'holding',
  ) {
    this.tech = bridgeType === 'holding' ? 'holding_bridge' : 'simple_bridge';
  }

  partyCount(): number {
    return this.channels.length + this.recorders.length;
  }

  /**
   * softmix from three parties (a recorder counts); two agent phones alone are bridged natively
   * (native_rtp, 11); otherwise simple_bridge (a caller with an agent: 06, 10a).
   */
  private judgeTechnology(): string {
    if (this.bridgeType === 'holding') return 'holding_bridge';
    if (this.partyCount() >= 3) return 'softmix';
    const phones = this.channels.filter((c) => c.out?.far.kind === 'phone');
    return this.recorders.length === 0 && phones.length === 2 ? 'native_rtp' : 'simple_bridge';
  }

  /** Re-evaluates the technology; true when it changed. */
  reconfigure(): boolean {
    const next = this.judgeTechnology();
    const changed = next !== this.tech;
    this.tech = next;
    return changed;
  }

  /** A party joins the core's list (see `order`). */
  enlist(party: BridgeParty): void {
    if (this.bridgeType === 'mixing' && this.partyCount() >= 3 && this.tech !== 'softmix') this.order.unshift(party);
    else this.order.push(party);
  }

  delist(party: BridgeParty): void {
    const i = this.order.indexOf(party);
    if (i >= 0) this.order.splice(i, 1);
  }

  snapshot(): BridgeJson {
    return {
      id: this.id,
      technology: this.tech,
      bridge_type: this.bridgeType,
      bridge_class: 'stasis',
      creator: 'Stasis',
      name: this.name,
      channels: this.channels.map((c) => c.id),
      creationtime: ariTimestamp(this.creationtime),
      video_mode: 'talker',
    };
  }

  subscribe(app: string): void {
    this.subs.set(app, (this.subs.get(app) ?? 0) + 1);
  }

  unsubscribe(app: string): void {
    const n = (this.subs.get(app) ?? 0) - 1;
    if (n > 0) this.subs.set(app, n);
    else this.subs.delete(app);
  }
}
