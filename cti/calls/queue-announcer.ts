import type { CallState, Language } from '../../models/enums';
import type { AriPort } from '../ari/port';
import { queuePositionMedia, queueWaitMedia } from '../prompts/catalogue';
import type { MediaPlayer } from './media';

export interface QueueAnnouncerOptions {
  callId: string;
  channelId: string;
  /** 0 = no periodic announcements. */
  everyMs: number;
  /** Read afresh at each step: the call may leave the queue while its position is looked up or played. */
  call: { readonly state: CallState; readonly language?: Language };
  /** Aborted when the caller hangs up: the announcement stops. */
  callerGone: AbortSignal;
  acd: { queued(): Promise<ReadonlyArray<{ callId: string }>> };
  /** For "about N minutes"; position only without it. */
  waitEstimate?: { minutes(language: Language, position: number): Promise<number | undefined> };
  ari: Pick<AriPort, 'startMoh' | 'stopMoh'>;
  media: Pick<MediaPlayer, 'playAll'>;
  /** An announcement failed (ARI or Redis hiccup); the caller goes back to music and waits for the next one. */
  onError?: (err: unknown) => void;
}

/** Tells a queued caller, every so often, their place in the queue and roughly how long the wait is. */
export class QueueAnnouncer {
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: QueueAnnouncerOptions) {}

  /** (Re)starts the wait for the next announcement. */
  schedule(): void {
    const every = this.o.everyMs;
    if (every <= 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.announce().catch((err: unknown) => {
        // Never an unhandled rejection (it would stop the process): back to music, try again later.
        this.o.onError?.(err);
        if (this.o.call.state !== 'queued') return;
        void this.o.ari.startMoh(this.o.channelId).catch(() => undefined);
        this.schedule();
      });
    }, every);
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
  }

  /** Music on hold stops for the announcement and comes back after it; then the next one is scheduled. */
  async announce(): Promise<void> {
    const { call, callId, channelId, ari } = this.o;
    const language = call.language;
    if (call.state !== 'queued' || !language) return;
    const queued = await this.o.acd.queued();
    const position = queued.findIndex((q) => q.callId === callId) + 1;
    if (position <= 0) return;
    const minutes = await this.o.waitEstimate?.minutes(language, position);
    const media = [...queuePositionMedia(position, language), ...(minutes ? queueWaitMedia(minutes, language) : [])];
    if (call.state !== 'queued') return;
    await ari.stopMoh(channelId);
    await this.o.media.playAll(channelId, media, this.o.callerGone);
    if (call.state === 'queued') {
      await ari.startMoh(channelId).catch(() => undefined);
      this.schedule();
    }
  }
}
