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
  /** Endpoint resource (phone extension) dialled. */
  resource: string;
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
  /** Order of joining the current bridge (BRIDGEPEER lists newest first). */
  joinSeq = 0;
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

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: 'inbound' | 'outbound',
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
      endpoint: `PJSIP/${this.resource}`,
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
  joinSeq: number;
  recording: SimLiveRecording | null;
}

export class SimBridge {
  readonly creationtime = new Date();
  readonly channels: SimChannel[] = [];
  readonly recorders: RecorderParty[] = [];
  /** Per-app subscription refcounts (see model.ts for when they change). */
  readonly subs = new Map<string, number>();
  readonly vars = new Map<string, string>();
  moh: string | null = null;
  readonly playQueue: SimPlayback[] = [];
  playing: SimPlayback | null = null;
  destroyed = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly bridgeType: 'mixing' | 'holding',
  ) {}

  partyCount(): number {
    return this.channels.length + this.recorders.length;
  }

  /** simple_bridge for two parties, softmix from three (the recorder counts), as observed. */
  technology(parties = this.partyCount()): string {
    if (this.bridgeType === 'holding') return 'holding_bridge';
    return parties >= 3 ? 'softmix' : 'simple_bridge';
  }

  /**
   * `techParties`: party count the technology is judged on. A ChannelLeftBridge snapshot is
   * taken before the bridge re-evaluates its technology, so it still counts the leaver (02).
   */
  snapshot(techParties?: number): BridgeJson {
    return {
      id: this.id,
      technology: this.technology(techParties),
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
