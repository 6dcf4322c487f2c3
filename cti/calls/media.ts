import { randomUUID } from 'node:crypto';
import type { AriPort } from '../ari/port';

export type PlayResult = 'done' | 'stopped' | 'failed' | 'aborted';

/**
 * Plays media on a channel one item at a time and waits for each PlaybackFinished, so a
 * key press (barge-in) or a hang-up can stop the rest. Items are played singly rather than as
 * one multi-media playback so the same code runs on Asterisk versions without media lists.
 */
export class MediaPlayer {
  private readonly waiting = new Map<string, (state: string) => void>();

  constructor(
    /** A channel's play, or (notice calls) a bridge's: the id given to playAll is the target's. */
    private readonly ari: Pick<AriPort, 'play' | 'stopPlayback'>,
    private readonly maxPlaybackMs = 120_000,
  ) {}

  /** Routes a PlaybackFinished; returns true when it belonged to a pending play. */
  finished(playbackId: string, state: string): boolean {
    const w = this.waiting.get(playbackId);
    if (!w) return false;
    this.waiting.delete(playbackId);
    w(state);
    return true;
  }

  /**
   * The events socket was down: a PlaybackFinished may have been lost in the gap, and its call
   * would wait for it until the 2-minute guard. Every pending wait ends now, as finished; a
   * playback still going on simply has the next one queued behind it on its channel.
   */
  interrupted(): number {
    const pending = [...this.waiting.keys()];
    for (const id of pending) this.finished(id, 'done');
    return pending.length;
  }

  async playAll(channelId: string, media: string[], signal: AbortSignal, onStart?: (playbackId: string) => void): Promise<PlayResult> {
    for (const m of media) {
      const r = await this.playOne(channelId, m, signal, onStart);
      // A missing prompt must not cut the call short: skip it, play the rest.
      if (r !== 'done' && r !== 'failed') return r;
    }
    return 'done';
  }

  private async playOne(channelId: string, media: string, signal: AbortSignal, onStart?: (id: string) => void): Promise<PlayResult> {
    if (signal.aborted) return 'aborted';
    const playbackId = `pb-${randomUUID()}`;
    const onAbort = () => this.finished(playbackId, 'aborted');
    // An unsupported media scheme never finishes on Asterisk: don't wait forever.
    const timer = setTimeout(() => this.finished(playbackId, 'timeout'), this.maxPlaybackMs);
    timer.unref();
    const finished = new Promise<string>((resolve) => {
      this.waiting.set(playbackId, resolve);
      signal.addEventListener('abort', onAbort, { once: true });
    }).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
    try {
      await this.ari.play(channelId, media, playbackId);
    } catch {
      this.finished(playbackId, 'failed');
      await finished;
      return signal.aborted ? 'aborted' : 'failed';
    }
    onStart?.(playbackId);
    const state = await finished;
    if (state === 'done') return 'done';
    if (state === 'aborted') {
      await this.ari.stopPlayback(playbackId).catch(() => undefined);
      return 'aborted';
    }
    return state === 'failed' || state === 'timeout' ? 'failed' : 'stopped';
  }
}
