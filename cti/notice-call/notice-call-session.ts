import type { Logger } from '../../core/logger';
import type { NoticeCallResult } from '../../models/call';
import type { WorkOrderCategory } from '../../models/enums';
import { noticeMedia, promptMedia } from '../prompts/catalogue';
import type { NoticeCallContext } from './notice-call-context';

/** What a notice call says and to whom, from its Notice document. */
export interface NoticeOrder {
  key: string;
  number: string;
  reason: 'dispatch' | 'emergency' | 'urge' | 'outage';
  emergency: boolean;
  /** Absent on an outage notice. */
  category?: WorkOrderCategory;
  address: string;
  phone: string;
  /** An outage notice's words (the order's category and address otherwise). */
  spoken?: string;
}

/** Q.850 causes of an unanswered originate (traces 03a, 04a, 12) → how the attempt went. */
export function unansweredResult(cause: number | undefined): NoticeCallResult {
  if (cause === 17) return 'busy';
  if (cause === 18 || cause === 19 || cause === 21) return 'no-answer';
  if (cause === 1 || cause === 3 || cause === 20 || cause === 27 || cause === 28 || cause === 34 || cause === 38) return 'unreachable';
  return 'failed';
}

/**
 * One attempt of one notice call, on the process whose Stasis app holds its channel. Answered:
 * the channel goes into a mixing bridge that is recorded (a channel recording would hold every
 * playback on the channel behind it, trace 12), the prompt plays into that bridge (so the
 * recording holds it beside the receiver's voice), and a key press
 * barges in: 1 acknowledges, 2 replays; no key within the wait replays once, then the call ends
 * unacknowledged. Its end, with the cause, settles the attempt (see NoticeCalls.settle).
 */
export class NoticeCallSession {
  answered = false;
  ended = false;
  /** The channel is in its bridge: prompts play into the bridge, so its recording holds them. */
  bridged = false;
  result?: NoticeCallResult;
  /** The order's category and address as a `sound:` URI (made before dialling); null without TTS. */
  spoken: string | null = null;
  private playing?: AbortController;
  private heard: string | null = null;
  private waiter?: (digit: string | null) => void;
  private readonly log: Logger;

  constructor(
    private readonly ctx: NoticeCallContext,
    readonly order: NoticeOrder,
    readonly channelId: string,
    readonly attempt: number,
  ) {
    this.log = ctx.logger.child({ component: 'notice-call', channelId, order: order.number, attempt });
  }

  get bridgeId(): string {
    return `br-${this.channelId}`;
  }

  /** The recording's name, also its file name (`<name>.wav`, see recordings/routes.ts). */
  get recordingName(): string {
    return this.channelId;
  }

  /** StasisStart: the receiver answered. */
  async run(): Promise<void> {
    if (this.answered || this.ended) return;
    this.answered = true;
    const { ari, settings } = this.ctx;
    await this.ctx.write(this, { state: 'talking', answeredAt: new Date(), talkingAt: new Date(), recordingName: this.recordingName });
    try {
      await ari.createBridge(this.bridgeId, 'mixing');
      await ari.addToBridge(this.bridgeId, [this.channelId]);
      this.bridged = true;
      await ari.recordBridge(this.bridgeId, this.recordingName, settings.recordingFormat);
      await this.ctx.recordingStarted(this);
    } catch (err) {
      this.log.error({ err: (err as Error).message, bridged: this.bridged }, 'notice call: bridge recording could not be started; the call goes on unrecorded');
    }
    const media = noticeMedia(this.order, this.spoken);
    let plays = 0;
    let silent = 0;
    while (!this.ended) {
      plays++;
      await this.ctx.played(this, plays);
      const digit = await this.playAndListen(media);
      if (this.ended) return;
      if (digit === '1') return this.acknowledge();
      if (digit === '2' && plays < settings.maxPlays) continue;
      if (digit === null && ++silent < 2 && plays < settings.maxPlays) continue;
      break;
    }
    if (this.ended) return;
    this.result = 'unacknowledged';
    await this.say(promptMedia('notice-unconfirmed', 'cmn'));
    await ari.hangup(this.channelId, 'normal');
  }

  private async acknowledge(): Promise<void> {
    const first = await this.ctx.acknowledge(this);
    this.result = first === 'failed' ? 'unacknowledged' : 'acknowledged';
    this.log.info({ first }, 'notice call: receiver pressed 1');
    if (first !== 'failed') await this.say(promptMedia('notice-thanks', 'cmn'));
    else await this.say(promptMedia('notice-unconfirmed', 'cmn'));
    await this.ctx.ari.hangup(this.channelId, 'normal');
  }

  /** Plays the prompt (a key barges in), then waits for a key; the key, or null when none came. */
  private async playAndListen(media: string[]): Promise<string | null> {
    this.heard = null;
    const ctl = new AbortController();
    this.playing = ctl;
    await this.play(media, ctl.signal);
    this.playing = undefined;
    if (this.heard !== null || this.ended) return this.heard;
    return new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => done(null), this.ctx.settings.keyWaitMs);
      const done = (d: string | null) => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(d);
      };
      this.waiter = done;
    });
  }

  private async say(media: string): Promise<void> {
    if (this.ended) return;
    await this.play([media], new AbortController().signal);
  }

  /**
   * Into the recorded bridge, so the recording holds the prompt with the receiver's answer (a
   * channel's playback is heard by the channel alone, not by the bridge's recorder); on the
   * channel only when the bridge could not be made.
   */
  private play(media: string[], signal: AbortSignal): Promise<unknown> {
    return this.bridged ? this.ctx.bridgeMedia.playAll(this.bridgeId, media, signal) : this.ctx.media.playAll(this.channelId, media, signal);
  }

  dtmf(digit: string): void {
    if (!this.answered || this.ended) return;
    if (digit !== '1' && digit !== '2') {
      this.log.info({ digit }, 'notice call: key other than 1 or 2 ignored');
      return;
    }
    if (this.waiter) return this.waiter(digit);
    if (this.playing && this.heard === null) {
      this.heard = digit;
      this.playing.abort();
    }
  }

  /** The channel is gone (StasisEnd, or ChannelDestroyed with its cause); true the first time. */
  end(cause?: number): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.result ??= this.answered ? 'unacknowledged' : unansweredResult(cause);
    this.playing?.abort();
    this.waiter?.(null);
    return true;
  }
}
