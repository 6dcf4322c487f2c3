import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SimClock, SimTimer } from './clock';
import type { EventScope, RecorderParty, SimBridge, SimChannel } from './entities';
import type { AriEventJson, HeardEntry, LiveRecordingJson, PlaybackJson, SimLogger } from './types';
import { AriError, ariError, ariTimestamp, uuid, type IdFactory } from './util';
import { silentWav } from '../../core/wav';

/**
 * Playbacks and recordings, modelled on res_stasis_playback / res_stasis_recording:
 * - a playback publishes `playing` (PlaybackStarted) when each media URI starts, `continuing`
 *   between URIs and `done`/`failed` (PlaybackFinished) at the end; stopping reports `done`;
 *   a hangup reports `failed`; a URI with an unsupported scheme is skipped without a final
 *   update (so PlaybackStarted is never followed by PlaybackFinished - an Asterisk bug we keep);
 * - a bridge recording is a recorder party in the bridge (it shows in BRIDGEPEER and turns the
 *   bridge into softmix) and ends by itself when the last channel leaves.
 */

export type MediaLength = number | null | 'unsupported';

export interface MediaHost {
  readonly clock: SimClock;
  readonly ids: IdFactory;
  readonly logger: SimLogger | undefined;
  readonly recordingsDir: string | undefined;
  emit(scope: EventScope, body: AriEventJson): void;
  /** Apps an event in this scope would reach right now. */
  appsIn(scope: EventScope): string[];
  /** Simulated length of one media URI; null = file missing; 'unsupported' = unknown scheme. */
  mediaLength(uri: string): MediaLength;
  /** A recorder joined/left: the bridge re-evaluates (technology, BRIDGEPEER etc.). */
  partiesChanged(bridge: SimBridge): void;
  now(): number;
}

type PlaybackTarget = { kind: 'channel'; ch: SimChannel } | { kind: 'bridge'; bridge: SimBridge };
type PlaybackState = 'queued' | 'playing' | 'continuing' | 'paused' | 'done' | 'failed' | 'canceled' | 'stopped';

export class SimPlayback {
  state: PlaybackState = 'queued';
  index = 0;
  timer: SimTimer | null = null;
  /** Real time the current segment (re)started, and simulated ms left in it. */
  segmentStartReal = 0;
  segmentLeftMs = 0;
  /** Heard entries of the current media item, per listening channel. */
  readonly listening = new Map<SimChannel, HeardEntry & { kind: 'playback' }>();
  /** Apps that saw it start keep getting its events (e.g. after the bridge was deleted). */
  apps: string[] = [];

  constructor(
    readonly id: string,
    readonly medias: string[],
    readonly target: PlaybackTarget,
    readonly language: string,
    readonly offsetms: number,
    readonly skipms: number,
  ) {}

  get targetUri(): string {
    return this.target.kind === 'channel' ? `channel:${this.target.ch.id}` : `bridge:${this.target.bridge.id}`;
  }

  json(): PlaybackJson {
    const next = this.medias[this.index + 1];
    const stateText =
      this.state === 'done' || this.state === 'canceled' || this.state === 'stopped' ? 'done' : this.state;
    return {
      id: this.id,
      media_uri: this.medias[this.index] ?? '',
      ...(next !== undefined ? { next_media_uri: next } : {}),
      target_uri: this.targetUri,
      language: this.language,
      state: stateText,
    };
  }
}

export type RecordingTarget = { kind: 'channel'; ch: SimChannel } | { kind: 'bridge'; bridge: SimBridge };

export class SimLiveRecording {
  state: 'recording' | 'paused' | 'done' | 'failed' | 'canceled' = 'recording';
  readonly startedReal = Date.now();
  pausedSimMs = 0;
  pausedAtReal: number | null = null;
  maxTimer: SimTimer | null = null;
  recorder: RecorderParty | null = null;
  cause: string | undefined;
  /** Apps that saw it start keep getting its events (deleting the bridge unsubscribes them first). */
  apps: string[] = [];

  constructor(
    readonly name: string,
    readonly format: string,
    readonly target: RecordingTarget,
    readonly terminateOn: string,
  ) {}

  get targetUri(): string {
    return this.target.kind === 'channel' ? `channel:${this.target.ch.id}` : `bridge:${this.target.bridge.id}`;
  }

  json(withDuration = false, durationS = 0): LiveRecordingJson {
    return {
      name: this.name,
      format: this.format,
      state: this.state,
      target_uri: this.targetUri,
      ...(withDuration ? { duration: durationS } : {}),
      ...(this.cause ? { cause: this.cause } : {}),
    };
  }
}

export interface StoredRecording {
  name: string;
  format: string;
  durationMs: number;
  path: string | null;
}

export interface RecordParams {
  name: string;
  format: string;
  maxDurationSeconds: number;
  maxSilenceSeconds: number;
  ifExists: string;
  terminateOn: string;
}

const KNOWN_FORMATS = new Set([
  'wav', 'wav16', 'WAV', 'gsm', 'ulaw', 'ul', 'pcm', 'alaw', 'al', 'g722', 'g726', 'g729', 'sln', 'sln16', 'raw',
  'ogg', 'g719', 'siren7', 'siren14', 'ilbc', 'h263', 'h264', 'vp8',
]);

export class MediaEngine {
  readonly playbacks = new Map<string, SimPlayback>();
  readonly live = new Map<string, SimLiveRecording>();
  readonly stored = new Map<string, StoredRecording>();

  constructor(private readonly host: MediaHost) {}

  // ---------------------------------------------------------------------------------------------
  // Playbacks

  play(
    target: PlaybackTarget,
    medias: string[],
    opts: { playbackId?: string; lang?: string; offsetms: number; skipms: number },
  ): SimPlayback {
    if (medias.length === 0) throw ariError(500, 'Failed to queue media for playback');
    if (opts.offsetms < 0) throw ariError(400, 'offsetms cannot be negative');
    if (opts.skipms < 0) throw ariError(400, 'skipms cannot be negative');
    const pb = new SimPlayback(opts.playbackId || uuid(), medias, target, opts.lang || 'en', opts.offsetms, opts.skipms);
    this.playbacks.set(pb.id, pb);
    pb.apps = this.host.appsIn(this.scopeOf(target));
    const owner = target.kind === 'channel' ? target.ch : target.bridge;
    owner.playQueue.push(pb);
    if (!owner.playing) this.startNext(target);
    return pb;
  }

  private scopeOf(target: PlaybackTarget): EventScope {
    return target.kind === 'channel' ? { channels: [target.ch] } : { bridges: [target.bridge] };
  }

  private playbackScope(pb: SimPlayback): EventScope {
    return { ...this.scopeOf(pb.target), apps: pb.apps };
  }

  private publish(pb: SimPlayback): void {
    const json = pb.json();
    const type =
      json.state === 'playing'
        ? 'PlaybackStarted'
        : json.state === 'continuing'
          ? 'PlaybackContinuing'
          : json.state === 'done' || json.state === 'failed'
            ? 'PlaybackFinished'
            : null;
    if (!type) return;
    this.host.emit(this.playbackScope(pb), { type, timestamp: ariTimestamp(), playback: json });
  }

  private startNext(target: PlaybackTarget): void {
    const owner = target.kind === 'channel' ? target.ch : target.bridge;
    if (owner.playing) return;
    // A channel runs one control operation at a time: a play waits behind its recording (12).
    if (target.kind === 'channel' && target.ch.recording) return;
    const pb = owner.playQueue.shift();
    if (!pb) return;
    owner.playing = pb;
    this.startMedia(pb);
  }

  private listeners(pb: SimPlayback): SimChannel[] {
    return pb.target.kind === 'channel' ? [pb.target.ch] : [...pb.target.bridge.channels];
  }

  private startMedia(pb: SimPlayback): void {
    if (pb.state === 'canceled') {
      // A playback stopped while still queued still publishes when its turn comes (as done).
      this.publish(pb);
      this.release(pb);
      return;
    }
    pb.state = 'playing';
    this.publish(pb);
    const uri = pb.medias[pb.index] ?? '';
    const now = this.host.now();
    for (const ch of this.listeners(pb)) this.listen(pb, ch, now);
    const length = this.host.mediaLength(uri);
    if (length === 'unsupported') {
      // Asterisk logs "scheme is unsupported" and skips the item without a final update.
      this.closeListening(pb, 'unsupported');
      if (pb.index < pb.medias.length - 1) {
        pb.index++;
        this.startMedia(pb);
      } else {
        this.release(pb);
      }
      return;
    }
    if (length === null) {
      this.finishItem(pb, false);
      return;
    }
    const skip = pb.index === 0 ? pb.offsetms : 0;
    this.runSegment(pb, Math.max(0, length - skip));
  }

  private runSegment(pb: SimPlayback, ms: number): void {
    pb.segmentStartReal = Date.now();
    pb.segmentLeftMs = ms;
    pb.timer = this.host.clock.after(ms, () => {
      pb.timer = null;
      this.finishItem(pb, true);
    });
  }

  private listen(pb: SimPlayback, ch: SimChannel, at: number): void {
    const entry: HeardEntry & { kind: 'playback' } = {
      kind: 'playback',
      playbackId: pb.id,
      media: pb.medias[pb.index] ?? '',
      target: pb.target.kind,
      startedAt: at,
      state: 'playing',
    };
    pb.listening.set(ch, entry);
    ch.addHeard(entry);
  }

  private closeListening(pb: SimPlayback, state: 'done' | 'stopped' | 'failed' | 'unsupported'): void {
    const now = this.host.now();
    for (const entry of pb.listening.values()) {
      entry.finishedAt = now;
      entry.state = state;
    }
    pb.listening.clear();
  }

  /** End of one media item: ok = played to the end. */
  private finishItem(pb: SimPlayback, ok: boolean): void {
    const last = pb.index >= pb.medias.length - 1;
    if (last) {
      pb.state = ok ? 'done' : 'failed';
      this.closeListening(pb, ok ? 'done' : 'failed');
      this.publish(pb);
      this.release(pb);
      return;
    }
    pb.state = 'continuing';
    this.closeListening(pb, ok ? 'done' : 'failed');
    this.publish(pb);
    pb.index++;
    this.startMedia(pb);
  }

  /** Forget the playback and let the target's next queued playback start. */
  private release(pb: SimPlayback): void {
    pb.timer?.cancel();
    pb.timer = null;
    this.playbacks.delete(pb.id);
    const owner = pb.target.kind === 'channel' ? pb.target.ch : pb.target.bridge;
    if (owner.playing === pb) owner.playing = null;
    const gone = pb.target.kind === 'channel' ? pb.target.ch.gone || pb.target.ch.hangingUp : pb.target.bridge.destroyed;
    if (!gone) this.startNext(pb.target);
  }

  getPlayback(id: string): SimPlayback {
    const pb = this.playbacks.get(id);
    if (!pb) throw ariError(404, 'Playback not found');
    return pb;
  }

  /** DELETE /playbacks/{id}: 204 first, then PlaybackFinished(done) and the next queued item. */
  stopPlayback(id: string): () => void {
    const pb = this.getPlayback(id);
    return () => {
      if (pb.state === 'queued') {
        pb.state = 'canceled';
        return;
      }
      if (pb.state === 'playing' || pb.state === 'paused' || pb.state === 'continuing') {
        pb.timer?.cancel();
        pb.timer = null;
        pb.state = 'stopped';
        this.closeListening(pb, 'stopped');
        this.publish(pb);
        this.release(pb);
      }
    };
  }

  controlPlayback(id: string, operation: string): void {
    const pb = this.getPlayback(id);
    if (!['restart', 'pause', 'unpause', 'reverse', 'forward'].includes(operation)) {
      throw ariError(400, 'Invalid operation parameter');
    }
    if (pb.state === 'queued' || pb.state === 'canceled') throw ariError(409, `Can only ${operation} while media is playing`);
    const elapsed = this.host.clock.simElapsed(pb.segmentStartReal);
    const left = Math.max(0, pb.segmentLeftMs - elapsed);
    switch (operation) {
      case 'pause':
        if (pb.state !== 'playing') return;
        pb.timer?.cancel();
        pb.timer = null;
        pb.segmentLeftMs = left;
        pb.state = 'paused';
        return;
      case 'unpause':
        if (pb.state !== 'paused') return;
        pb.state = 'playing';
        this.publish(pb);
        this.runSegment(pb, pb.segmentLeftMs);
        return;
      case 'restart': {
        if (pb.state !== 'playing') return;
        pb.timer?.cancel();
        const length = this.host.mediaLength(pb.medias[pb.index] ?? '');
        this.runSegment(pb, typeof length === 'number' ? length : 0);
        return;
      }
      case 'forward':
      case 'reverse':
        if (pb.state !== 'playing') return;
        pb.timer?.cancel();
        this.runSegment(pb, operation === 'forward' ? Math.max(0, left - pb.skipms) : left + pb.skipms);
        return;
    }
  }

  /**
   * The channel hung up: the current item fails, queued ones vanish - except one stopped while
   * it waited, which still reports `done` as its turn comes with the hangup (12).
   */
  channelHungUp(ch: SimChannel): void {
    const queued = [...ch.playQueue];
    this.failAll(ch);
    for (const pb of queued) if (pb.state === 'canceled') this.publish(pb);
    for (const [id, p] of this.playbacks) if (p.target.kind === 'channel' && p.target.ch === ch) this.playbacks.delete(id);
  }

  bridgeDestroyed(bridge: SimBridge): void {
    this.failAll(bridge);
  }

  /** The owner is gone: queued items vanish, the one playing finishes `failed`. */
  private failAll(owner: SimChannel | SimBridge): void {
    owner.playQueue.length = 0;
    const pb = owner.playing;
    if (!pb) return;
    pb.timer?.cancel();
    pb.timer = null;
    pb.state = 'failed';
    this.closeListening(pb, 'failed');
    this.publish(pb);
    this.playbacks.delete(pb.id);
    owner.playing = null;
  }

  /** A channel joined a bridge while an announcement plays into it: it hears the rest. */
  joinedBridge(ch: SimChannel, bridge: SimBridge): void {
    if (bridge.playing && bridge.playing.state === 'playing') this.listen(bridge.playing, ch, this.host.now());
  }

  leftBridge(ch: SimChannel, bridge: SimBridge): void {
    const pb = bridge.playing;
    const entry = pb?.listening.get(ch);
    if (pb && entry) {
      entry.finishedAt = this.host.now();
      entry.state = 'stopped';
      pb.listening.delete(ch);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Recordings

  parseRecordParams(q: Record<string, string | undefined>): RecordParams {
    const int = (v: string | undefined): number => (v === undefined || v === '' ? 0 : Number.parseInt(v, 10));
    return {
      name: q.name ?? '',
      format: q.format ?? '',
      maxDurationSeconds: int(q.maxDurationSeconds),
      maxSilenceSeconds: int(q.maxSilenceSeconds),
      ifExists: q.ifExists || 'fail',
      terminateOn: q.terminateOn || 'none',
    };
  }

  private validateOptions(p: RecordParams): void {
    if (p.maxDurationSeconds < 0) throw ariError(400, 'max_duration_seconds cannot be negative');
    if (p.maxSilenceSeconds < 0) throw ariError(400, 'max_silence_seconds cannot be negative');
    if (!['none', 'any', '*', '#'].includes(p.terminateOn)) throw ariError(400, 'terminateOn invalid');
    if (!['fail', 'overwrite', 'append'].includes(p.ifExists)) throw ariError(400, 'ifExists invalid');
  }

  private checkName(p: RecordParams): void {
    if (!p.name || p.name.includes('..') || p.name.startsWith('/')) throw ariError(400, 'Recording name invalid');
    const exists = this.live.has(p.name) || this.stored.has(p.name);
    if (exists && (p.ifExists === 'fail' || this.live.has(p.name))) {
      throw new AriError(409, { message: `Recording '${p.name}' already exists and can not be overwritten` });
    }
  }

  recordBridge(bridge: SimBridge, p: RecordParams): SimLiveRecording {
    if (!KNOWN_FORMATS.has(p.format)) throw ariError(422, 'specified format is unknown on this system');
    // Asterisk puts the recorder channel into the bridge before it validates the name, so a
    // refused recording still flickers through BRIDGEPEER.
    const party: RecorderParty = { peerName: `${this.host.ids.recorderName()};2`, recording: null };
    bridge.recorders.push(party);
    bridge.enlist(party);
    this.host.partiesChanged(bridge);
    try {
      this.validateOptions(p);
      this.checkName(p);
    } catch (err) {
      this.removeRecorder(bridge, party);
      throw err;
    }
    if (this.stored.has(p.name)) this.deleteStoredFiles(p.name);
    const rec = new SimLiveRecording(p.name, p.format, { kind: 'bridge', bridge }, p.terminateOn);
    rec.recorder = party;
    party.recording = rec;
    this.startRecording(rec, p);
    return rec;
  }

  recordChannel(ch: SimChannel, p: RecordParams): SimLiveRecording {
    this.validateOptions(p);
    if (!KNOWN_FORMATS.has(p.format)) throw ariError(422, 'specified format is unknown on this system');
    this.checkName(p);
    if (ch.recording) throw new AriError(409, { message: `Channel ${ch.id} currently recording` });
    if (this.stored.has(p.name)) this.deleteStoredFiles(p.name);
    const rec = new SimLiveRecording(p.name, p.format, { kind: 'channel', ch }, p.terminateOn);
    if (ch.bridge) {
      // The channel's control queue is not serviced while it is bridged: the recording fails.
      rec.state = 'failed';
      rec.cause = 'Channel is in a bridge';
      this.live.set(rec.name, rec);
      this.host.clock.after(0, () => {
        this.live.delete(rec.name);
        this.host.emit({ channels: [ch] }, { type: 'RecordingFailed', timestamp: ariTimestamp(), recording: rec.json() });
      });
      return rec;
    }
    ch.recording = rec;
    this.startRecording(rec, p);
    return rec;
  }

  private startRecording(rec: SimLiveRecording, p: RecordParams): void {
    this.live.set(rec.name, rec);
    rec.apps = this.host.appsIn(this.recordingScope(rec));
    const scope = this.recordingScope(rec);
    this.host.emit(scope, { type: 'RecordingStarted', timestamp: ariTimestamp(), recording: rec.json() });
    if (p.maxDurationSeconds > 0) {
      // Stopped by its limit, a recording is exactly that long: a timer may fire a millisecond early by the clock.
      rec.maxTimer = this.host.clock.after(p.maxDurationSeconds * 1000, () => this.finishRecording(rec, 'done', p.maxDurationSeconds * 1000));
    }
  }

  private recordingScope(rec: SimLiveRecording): EventScope {
    const base: EventScope = rec.target.kind === 'channel' ? { channels: [rec.target.ch] } : { bridges: [rec.target.bridge] };
    return { ...base, apps: rec.apps };
  }

  private removeRecorder(bridge: SimBridge, party: RecorderParty): void {
    const i = bridge.recorders.indexOf(party);
    if (i < 0) return;
    bridge.recorders.splice(i, 1);
    bridge.delist(party);
    this.host.partiesChanged(bridge);
  }

  getLive(name: string): SimLiveRecording {
    const rec = this.live.get(name);
    if (!rec || rec.state === 'failed') throw ariError(404, 'Recording not found');
    return rec;
  }

  private simDurationMs(rec: SimLiveRecording): number {
    const paused = rec.pausedSimMs + (rec.pausedAtReal !== null ? this.host.clock.simElapsed(rec.pausedAtReal) : 0);
    return Math.max(0, this.host.clock.simElapsed(rec.startedReal) - paused);
  }

  finishRecording(rec: SimLiveRecording, state: 'done' | 'canceled', atLeastMs = 0): void {
    if (!this.live.has(rec.name) || this.live.get(rec.name) !== rec) return;
    rec.maxTimer?.cancel();
    const durationMs = Math.max(atLeastMs, this.simDurationMs(rec));
    this.live.delete(rec.name);
    rec.state = state;
    if (rec.target.kind === 'bridge' && rec.recorder) this.removeRecorder(rec.target.bridge, rec.recorder);
    const recorded = rec.target.kind === 'channel' && rec.target.ch.recording === rec ? rec.target.ch : null;
    if (recorded) recorded.recording = null;
    if (state === 'done') this.store(rec.name, rec.format, durationMs);
    this.host.emit(this.recordingScope(rec), {
      type: 'RecordingFinished',
      timestamp: ariTimestamp(),
      recording: rec.json(true, Math.floor(durationMs / 1000)),
    });
    if (recorded && !recorded.gone && !recorded.hangingUp) this.startNext({ kind: 'channel', ch: recorded });
  }

  addStored(name: string, format: string, durationMs: number): void {
    this.store(name, format, durationMs);
  }

  private store(name: string, format: string, durationMs: number): void {
    let path: string | null = null;
    const dir = this.host.recordingsDir;
    if (dir) {
      path = join(dir, `${name}.${format}`);
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, silentWav(durationMs));
      } catch (err) {
        this.host.logger?.error({ err, path }, 'ari-sim: cannot write recording');
        path = null;
      }
    }
    this.stored.set(name, { name, format, durationMs, path });
  }

  stopLive(name: string): void {
    this.finishRecording(this.getLive(name), 'done');
  }

  cancelLive(name: string): void {
    this.finishRecording(this.getLive(name), 'canceled');
  }

  pauseLive(name: string, pause: boolean): void {
    const rec = this.getLive(name);
    if (pause && rec.state === 'recording') {
      rec.state = 'paused';
      rec.pausedAtReal = Date.now();
    } else if (!pause && rec.state === 'paused' && rec.pausedAtReal !== null) {
      rec.pausedSimMs += this.host.clock.simElapsed(rec.pausedAtReal);
      rec.pausedAtReal = null;
      rec.state = 'recording';
    }
  }

  /** The last channel left: bridge recordings stop by themselves. */
  bridgeEmptied(bridge: SimBridge): void {
    for (const party of [...bridge.recorders]) if (party.recording) this.finishRecording(party.recording, 'done');
  }

  channelHungUpRecording(ch: SimChannel): void {
    if (ch.recording) this.finishRecording(ch.recording, 'done');
  }

  dtmf(ch: SimChannel, digit: string): void {
    const rec = ch.recording;
    if (rec && (rec.terminateOn === 'any' || rec.terminateOn === digit)) this.finishRecording(rec, 'done');
  }

  getStored(name: string): StoredRecording {
    const s = this.stored.get(name);
    if (!s) throw ariError(404, 'Recording not found');
    return s;
  }

  private deleteStoredFiles(name: string): void {
    const s = this.stored.get(name);
    if (s?.path && existsSync(s.path)) rmSync(s.path, { force: true });
    this.stored.delete(name);
  }

  deleteStored(name: string): void {
    this.getStored(name);
    this.deleteStoredFiles(name);
  }

  storedFile(name: string): Buffer {
    const s = this.getStored(name);
    if (s.path && existsSync(s.path)) return readFileSync(s.path);
    return silentWav(s.durationMs);
  }

  copyStored(name: string, dest: string): StoredRecording {
    const s = this.getStored(name);
    if (!dest) throw ariError(400, 'Recording name invalid');
    if (this.stored.has(dest)) throw new AriError(409, { message: `A recording with the same name already exists on the system` });
    this.store(dest, s.format, s.durationMs);
    return this.getStored(dest);
  }

  /** Forget everything (control API reset); no events. */
  reset(): void {
    for (const pb of this.playbacks.values()) pb.timer?.cancel();
    for (const rec of this.live.values()) rec.maxTimer?.cancel();
    this.playbacks.clear();
    this.live.clear();
    this.stored.clear();
  }
}
