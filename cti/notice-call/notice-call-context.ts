import type { Logger } from '../../core/logger';
import type { AriPort } from '../ari/port';
import type { MediaPlayer } from '../calls/media';
import type { NoticeCallSession, NoticeOrder } from './notice-call-session';

export interface NoticeCallSettings {
  node: string;
  /** This process's Stasis app: the notice call is originated into it, so its events come here. */
  app: string;
  /** Shown to the receiver (callerId). */
  hotlineNumber: string;
  /** PJSIP endpoint of the carrier trunk: `PJSIP/<number>@<trunkEndpoint>`. */
  trunkEndpoint: string;
  ringTimeoutSec: number;
  retryMs: number;
  keyWaitMs: number;
  /** Most times the prompt is played on one call (replays with 2 included). */
  maxPlays: number;
  recordingFormat: 'wav';
}

/** What a session needs of its owner (NoticeCalls): Asterisk, media, and the records it keeps. */
export interface NoticeCallContext {
  ari: AriPort;
  /** Plays on the channel (only when its bridge could not be made). */
  media: Pick<MediaPlayer, 'playAll'>;
  /** Plays into the call's bridge: `playAll(bridgeId, …)`. */
  bridgeMedia: Pick<MediaPlayer, 'playAll'>;
  speech: { media(o: NoticeOrder): Promise<string | null> };
  settings: NoticeCallSettings;
  logger: Logger;
  write(s: NoticeCallSession, set: Record<string, unknown>): Promise<void>;
  recordingStarted(s: NoticeCallSession): Promise<void>;
  played(s: NoticeCallSession, plays: number): Promise<void>;
  /** Key 1: `first` when this press acknowledged the notice, `again` when it already was, `failed`. */
  acknowledge(s: NoticeCallSession): Promise<'first' | 'again' | 'failed'>;
}
