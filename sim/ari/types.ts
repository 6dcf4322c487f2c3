/**
 * JSON shapes the simulated Asterisk 22 puts on the wire, and the public types of the
 * simulator's scripting API. Field order in the builders follows the golden traces, so a
 * byte-level diff against a real Asterisk capture stays readable.
 */

export type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up' | 'Busy';

export interface CallerIdJson {
  name: string;
  number: string;
}

export interface DialplanJson {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export interface ChannelJson {
  id: string;
  name: string;
  state: ChannelState;
  protocol_id: string;
  caller: CallerIdJson;
  connected: CallerIdJson;
  accountcode: string;
  dialplan: DialplanJson;
  creationtime: string;
  language: string;
}

export interface BridgeJson {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode: string;
}

export interface PlaybackJson {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language: string;
  state: string;
}

export interface LiveRecordingJson {
  name: string;
  format: string;
  state: string;
  target_uri: string;
  duration?: number;
  cause?: string;
}

export interface StoredRecordingJson {
  name: string;
  format: string;
}

export interface EndpointJson {
  technology: string;
  resource: string;
  state: 'online' | 'offline' | 'unknown';
  channel_ids: string[];
}

/** Any ARI WebSocket message; `type` is always present. */
export type AriEventJson = { type: string } & Record<string, unknown>;

/** Every event type this simulator can put on a socket (the api-docs test checks each has a model). */
export const EMITTED_EVENT_TYPES = [
  'ApplicationReplaced',
  'ApplicationMoveFailed',
  'BridgeCreated',
  'BridgeDestroyed',
  'CallBroadcast',
  'CallClaimed',
  'ChannelConnectedLine',
  'ChannelCreated',
  'ChannelDestroyed',
  'ChannelDialplan',
  'ChannelDtmfReceived',
  'ChannelEnteredBridge',
  'ChannelHangupRequest',
  'ChannelLeftBridge',
  'ChannelStateChange',
  'ChannelUserevent',
  'ChannelVarset',
  'ContactStatusChange',
  'DeviceStateChanged',
  'Dial',
  'EndpointStateChange',
  'PlaybackContinuing',
  'PlaybackFinished',
  'PlaybackStarted',
  'RecordingFailed',
  'RecordingFinished',
  'RecordingStarted',
  'StasisEnd',
  'StasisStart',
] as const;
export type EmittedEventType = (typeof EMITTED_EVENT_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Scripting API types

export interface DialplanStasisRoute {
  exten: string;
  mode: 'stasis';
  app: string;
  args?: string[];
  /** Dialplan context reported in channel snapshots. Default `from-pstn`. */
  context?: string;
}

export interface DialplanBroadcastRoute {
  exten: string;
  mode: 'broadcast';
  /** Regular expression on application names, as StasisBroadcast's app_filter. */
  appPattern: string;
  /** Claim window (simulated ms; scaled by timeScale). */
  timeoutMs: number;
  args?: string[];
  /** StasisBroadcast's notify_claimed: losers get CallClaimed. */
  notifyClaimed?: boolean;
  /** Dialplan context reported in channel snapshots. Default `from-pstn`. */
  context?: string;
}

export type DialplanRoute = DialplanStasisRoute | DialplanBroadcastRoute;

export type HeardEntry =
  | {
      kind: 'playback';
      playbackId: string;
      media: string;
      /** `channel`: played on the caller; `bridge`: played into its bridge; `dialplan`: PBX prompt outside Stasis. */
      target: 'channel' | 'bridge' | 'dialplan';
      startedAt: number;
      finishedAt?: number;
      state: 'playing' | 'done' | 'stopped' | 'failed' | 'unsupported';
    }
  | {
      kind: 'bridge';
      bridgeId: string;
      bridgeType: 'mixing' | 'holding';
      joinedAt: number;
      leftAt?: number;
      /** Names of the other channels present when the caller joined. */
      peersAtJoin: string[];
    }
  | {
      kind: 'moh';
      source: 'channel' | 'bridge';
      bridgeId?: string;
      mohClass: string;
      startedAt: number;
      stoppedAt?: number;
    }
  | { kind: 'ringing'; at: number }
  | { kind: 'dtmf-sent'; digit: string; at: number };

/** `callee`: a PSTN number called through the trunk. */
export type EndedBy = 'caller' | 'app' | 'agent' | 'callee' | 'pbx';

export interface CallEnd {
  by: EndedBy;
  at: number;
  /** Why the PBX ended it (`no-route`, `stasis-failed`, `broadcast-unclaimed`, `dialplan`) or the hangup cause text. */
  reason?: string;
}

export interface DtmfStep {
  digit: string;
  /** Simulated ms after the channel is answered. */
  afterMs: number;
  durationMs?: number;
}

export interface PlaceCallOptions {
  callerNumber: string;
  callerName?: string;
  exten?: string;
  dtmf?: DtmfStep[];
  /** Caller BYE this long after answer; omitted = stays until the app (or PBX) hangs up. */
  hangupAfterMs?: number;
  /** Caller BYE this long after first sharing a bridge with another party (talk time). */
  hangupAfterBridgedMs?: number;
  /** Caller gives up this long after dialling if still not answered. */
  abandonAfterMs?: number;
}

export interface ChannelInfo {
  id: string;
  name: string;
  state: ChannelState;
  kind: 'inbound' | 'outbound' | 'snoop';
  /** `PJSIP/<resource>` (`Snoop` for a snoop channel) */
  endpoint: string;
  inStasis: boolean;
  app: string | null;
  bridgeId: string | null;
  caller: CallerIdJson;
  connected: CallerIdJson;
  createdAt: number;
  answeredAt: number | null;
}

export interface RestLogEntry {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  responseBody: unknown;
}

export interface DeliveredEvent {
  app: string;
  event: AriEventJson;
  /** False when the app had no active socket (event lost, as on a real Asterisk). */
  delivered: boolean;
}

export interface SimLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
