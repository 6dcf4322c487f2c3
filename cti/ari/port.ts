import type { EventEmitter } from 'node:events';
import type { AriEvent } from './events';

/** What the call flow needs from Asterisk; cti/ari implements it on ari-client, nothing else does. */
export interface AriPort extends EventEmitter<AriPortEvents> {
  readonly apps: string[];
  readonly connected: boolean;
  answer(channelId: string): Promise<void>;
  /** Resolves also when the channel is already gone (a normal outcome, not an error). */
  hangup(channelId: string, reason?: string): Promise<void>;
  play(channelId: string, media: string, playbackId: string): Promise<void>;
  /**
   * Plays into a bridge: every party hears it and the bridge's recording holds it. Its
   * PlaybackStarted/Finished carry `target_uri: bridge:<id>`; stopPlayback stops it as any.
   */
  playOnBridge(bridgeId: string, media: string, playbackId: string): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  startMoh(channelId: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  originate(o: { channelId: string; endpoint: string; app: string; appArgs: string; callerId: string; timeoutSec: number }): Promise<void>;
  createBridge(bridgeId: string, type: 'mixing' | 'holding'): Promise<void>;
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  /**
   * A snoop channel on `channelId` (`POST /channels/{id}/snoop`, trace 11): `spy` is what the snoop
   * hears of the channel, `whisper` where what is said into it goes. It enters `app` with `appArgs`.
   */
  snoop(o: { channelId: string; snoopId: string; spy: SnoopDirection; whisper: SnoopDirection; app: string; appArgs: string }): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  /** Takes channels out of a bridge (they stay in Stasis); a channel already gone is not an error. */
  removeFromBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  /** Music on hold to everyone in the bridge (the caller alone while their agent consults). */
  startBridgeMoh(bridgeId: string): Promise<void>;
  stopBridgeMoh(bridgeId: string): Promise<void>;
  /** Stops a live recording and keeps its file; one already finished is not an error. */
  stopRecording(name: string): Promise<void>;
  recordBridge(bridgeId: string, name: string, format: string): Promise<void>;
  channelIds(): Promise<Set<string>>;
  /** One channel's state (`Ring`, `Ringing`, `Up`, …), or null when it is gone. */
  channelState(channelId: string): Promise<string | null>;
  /** Every channel's id → state (`Ring`, `Ringing`, `Up`, …). */
  channelStates(): Promise<Map<string, string>>;
  /**
   * Subscribes `app` to channels and bridges held by another app (e.g. one whose process died):
   * their events come here from now on (never StasisStart/StasisEnd); REST controls them as any.
   */
  subscribe(app: string, sources: string[]): Promise<void>;
  /** Whether a bridge exists. */
  bridgeExists(bridgeId: string): Promise<boolean>;
  /** Names of the Stasis applications registered on this Asterisk. */
  applications(): Promise<string[]>;
  /**
   * A call into the dialplan: `Local/<exten>@<context>`; the `;1` half runs `dialplan`, the `;2`
   * half (id `otherChannelId`) runs `<exten>@<context>` like any incoming call.
   */
  originateLocal(o: LocalOriginate): Promise<void>;
  claim(channelId: string, app: string): Promise<boolean>;
  ping(): Promise<void>;
  /** Drops the events socket so it reconnects at once (and registers the app again). */
  reregister(): void;
}

/** Directions of a snoop's audiohook, as res_ari names them. */
export type SnoopDirection = 'none' | 'both' | 'out' | 'in';

export interface LocalOriginate {
  channelId: string;
  otherChannelId: string;
  endpoint: string;
  dialplan: { context: string; extension: string; priority: number };
  callerId: string;
  timeoutSec: number;
}

export interface AriPortEvents {
  event: [AriEvent];
  state: ['connecting' | 'connected' | 'reconnecting' | 'disconnected'];
  /** The events socket is back after a gap: events may have been lost, reconcile. */
  reconnected: [];
}
