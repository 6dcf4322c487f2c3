import type { Logger } from '../../core/logger';
import type { Models } from '../../models';
import type { NoticeCallResult } from '../../models/call';
import type { NoticeChannel, WorkOrderCategory } from '../../models/enums';
import type { NoticeCallStatus } from '../../models/notice';
import type { RecordOutbox } from '../../queue/record-outbox';
import type { AriEvent } from '../ari/events';
import type { AriPort } from '../ari/port';
import { callRecordKey } from '../calls/call-record';
import { MediaPlayer } from '../calls/media';
import type { NoticeCallContext, NoticeCallSettings } from './notice-call-context';
import type { NoticeCallRule } from './notice-call-rule';
import { NoticeCallSession, type NoticeOrder } from './notice-call-session';

/**
 * The lifecycle's side of a key press (work-orders/ports.ts NoticeAcknowledgements, declared here
 * by shape: telephony does not import the work-order domain).
 */
export interface NoticeAckSink {
  acknowledgeNotice(number: string, by: string, via: NoticeChannel | 'page'): Promise<void>;
}

/** Every notice call's channel id starts with this; its recording and bridge are named from it. */
export const NOTICE_CHANNEL_PREFIX = 'notice-';

/** `WO20261201-0001.dispatch.1.13800001111`, attempt 2 → `notice-WO20261201-0001-dispatch-1-13800001111-2`. */
export function noticeChannelId(key: string, attempt: number): string {
  return `${NOTICE_CHANNEL_PREFIX}${key.replace(/\+/g, '').replace(/[^A-Za-z0-9-]/g, '-')}-${attempt}`;
}

/** The Stasis args a notice call is originated with (trace 12: `notify,<id>`). */
export const NOTICE_APP_ARG = 'notify';

/** Routes ARI events to notice calls: HotlineApp hands every event here first. */
export interface NoticeCallRouter {
  /** Handles the event when it belongs to a notice call; null when it does not. */
  route(e: AriEvent): Promise<void> | null;
}

export interface NoticeCallsDeps {
  ari: AriPort;
  models: Models;
  outbox: RecordOutbox;
  rule: NoticeCallRule;
  speech: NoticeCallContext['speech'];
  acks: NoticeAckSink;
  settings: NoticeCallSettings;
  logger: Logger;
  /** Its own by default: its playbacks are routed here, not to the hotline's calls. */
  media?: MediaPlayer;
}

const isNoticeChannel = (id: string | undefined): boolean => !!id && id.startsWith(NOTICE_CHANNEL_PREFIX);

/**
 * The recorded notice calls (Art. 8, 10): places them through the carrier trunk when their job
 * is due, runs each on the process that placed it, keeps its Call document (direction
 * `outbound`, never a hotline statistic) and Recording, tells the lifecycle of a key 1, and
 * places a busy or unanswered call once more after NOTICE_CALL_RETRY_MS.
 */
export class NoticeCalls implements NoticeCallRouter, NoticeCallContext {
  private readonly sessions = new Map<string, NoticeCallSession>();
  readonly media: MediaPlayer;
  readonly log: Logger;

  constructor(private readonly deps: NoticeCallsDeps) {
    this.media = deps.media ?? new MediaPlayer(deps.ari);
    this.log = deps.logger.child({ component: 'notice-calls' });
  }

  get ari(): AriPort {
    return this.deps.ari;
  }
  get speech(): NoticeCallContext['speech'] {
    return this.deps.speech;
  }
  get settings(): NoticeCallSettings {
    return this.deps.settings;
  }
  get logger(): Logger {
    return this.deps.logger;
  }

  /** Calls up on this process now. */
  get live(): number {
    return this.sessions.size;
  }

  /** Runs due notice-call jobs on this process (every CTI process does; BullMQ gives each job to one). */
  start(): void {
    this.deps.rule.process(async (job) => this.place(job.key, job.attempt));
  }

  /** The notice's first call, due now; asking again for the same notice queues nothing more. */
  async request(key: string): Promise<void> {
    await this.deps.rule.arm(key, 1, 0);
  }

  route(e: AriEvent): Promise<void> | null {
    switch (e.type) {
      case 'StasisStart':
        if (e.args[0] !== NOTICE_APP_ARG && !isNoticeChannel(e.channel.id)) return null;
        return this.answered(e.channel.id);
      case 'StasisEnd':
        return isNoticeChannel(e.channel.id) ? this.ended(e.channel.id) : null;
      case 'ChannelDestroyed':
        return isNoticeChannel(e.channel.id) ? this.ended(e.channel.id, e.cause) : null;
      case 'ChannelDtmfReceived': {
        if (!isNoticeChannel(e.channel.id)) return null;
        const s = this.sessions.get(e.channel.id);
        if (s) s.dtmf(e.digit);
        else this.log.warn({ channelId: e.channel.id, digit: e.digit }, 'key press from an unknown notice call ignored');
        return Promise.resolve();
      }
      case 'Dial':
        if (!isNoticeChannel(e.peer.id)) return null;
        if (e.dialstatus === 'RINGING') return this.ringing(e.peer.id);
        return Promise.resolve();
      case 'ChannelStateChange':
      case 'ChannelHangupRequest':
      case 'ChannelEnteredBridge':
      case 'ChannelLeftBridge':
        return isNoticeChannel(e.channel.id) ? Promise.resolve() : null;
      case 'PlaybackStarted':
        return null;
      case 'PlaybackFinished':
        return this.media.finished(e.playback.id, e.playback.state) ? Promise.resolve() : null;
      case 'RecordingFinished':
      case 'RecordingFailed':
        if (!e.recording.name.startsWith(NOTICE_CHANNEL_PREFIX)) return null;
        return this.recordingEnded(e.recording.name, e.type === 'RecordingFinished' ? 'done' : 'failed', e.recording.duration);
      default:
        return null;
    }
  }

  /**
   * A due attempt: claimed on the Notice (its status and attempt count as the precondition, so
   * only one process ever places it), recorded as a Call, then originated into this process's app.
   */
  async place(key: string, attempt: number): Promise<void> {
    const { models, settings } = this.deps;
    const channelId = noticeChannelId(key, attempt);
    const claimed = await models.Notice.findOneAndUpdate(
      { key, 'call.status': attempt === 1 ? 'pending' : 'retry-wait', 'call.attempts': attempt - 1 },
      { $set: { 'call.status': 'calling', 'call.attempts': attempt, 'call.channelId': channelId, 'call.plays': 0, 'call.recordingName': channelId } },
      { returnDocument: 'after' },
    ).lean();
    if (!claimed) {
      this.log.debug({ key, attempt }, 'notice call already placed or no longer due');
      return;
    }
    const order = orderOf(claimed);
    const s = new NoticeCallSession(this, order, channelId, attempt);
    // Spoken before dialling: the receiver must not wait in silence for the TTS after answering.
    s.spoken = await this.deps.speech.media(order);
    this.sessions.set(channelId, s);
    const now = new Date();
    await this.deps.outbox.write(callRecordKey(channelId), {
      collection: 'calls',
      filter: { callId: channelId },
      set: { state: 'arrived' },
      setOnInsert: {
        callId: channelId,
        node: settings.node,
        callerChannelId: channelId,
        callerNumber: settings.hotlineNumber,
        dialledNumber: order.phone,
        direction: 'outbound',
        workOrderNumber: order.number,
        noticeKey: key,
        noticeAttempt: attempt,
        arrivedAt: now,
        test: false,
      },
    });
    this.log.info({ key, attempt, to: order.phone, channelId }, 'placing notice call');
    try {
      await this.deps.ari.originate({
        channelId,
        endpoint: `PJSIP/${order.phone}@${settings.trunkEndpoint}`,
        app: settings.app,
        appArgs: `${NOTICE_APP_ARG},${key}`,
        callerId: settings.hotlineNumber,
        timeoutSec: settings.ringTimeoutSec,
      });
    } catch (err) {
      this.log.error({ key, attempt, err: (err as Error).message }, 'notice call could not be placed');
      if (s.end()) await this.settle(s);
    }
  }

  private async ringing(channelId: string): Promise<void> {
    const s = this.sessions.get(channelId);
    if (s && !s.answered && !s.ended) await this.write(s, { state: 'ringing', ringingAt: new Date() });
  }

  private async answered(channelId: string): Promise<void> {
    const s = this.sessions.get(channelId) ?? (await this.revive(channelId));
    if (!s) {
      this.log.warn({ channelId }, 'notice call not known here (its notice is no longer calling): hanging up');
      await this.deps.ari.hangup(channelId);
      return;
    }
    await s.run().catch((err: unknown) => {
      this.log.error({ err, channelId }, 'notice call failed');
      return this.deps.ari.hangup(channelId);
    });
  }

  private async ended(channelId: string, cause?: number): Promise<void> {
    const s = this.sessions.get(channelId) ?? (await this.revive(channelId));
    if (!s || !s.end(cause)) return;
    await this.settle(s);
  }

  /**
   * A notice call this process placed before it restarted (same app name, so its events still come
   * here): the session is rebuilt from its Notice, which says which call is current.
   */
  private async revive(channelId: string): Promise<NoticeCallSession | undefined> {
    const doc = await this.deps.models.Notice.findOne({ 'call.channelId': channelId, 'call.status': 'calling' }).lean();
    if (!doc) return undefined;
    const s = new NoticeCallSession(this, orderOf(doc), channelId, doc.call?.attempts ?? 1);
    s.spoken = await this.deps.speech.media(s.order);
    this.sessions.set(channelId, s);
    return s;
  }

  /**
   * The attempt is over: the Call closed with how it went; the Notice moves on from `calling`
   * (precondition: still this attempt), and a busy or unanswered first attempt is armed once more.
   */
  private async settle(s: NoticeCallSession): Promise<void> {
    const { models, settings } = this.deps;
    setTimeout(() => this.sessions.delete(s.channelId), 30_000).unref();
    const result = s.result ?? 'failed';
    if (s.answered) await this.deps.ari.destroyBridge(s.bridgeId).catch(() => undefined);
    await this.write(s, {
      state: 'ended',
      endedAt: new Date(),
      outcome: s.answered ? 'answered' : 'failed',
      noticeResult: result,
      hangupBy: s.answered && result !== 'acknowledged' && result !== 'unacknowledged' ? 'caller' : 'system',
      ...(s.answered ? {} : { failureReason: result }),
    });
    const retry = !s.answered && s.attempt < 2;
    const status: NoticeCallStatus = result === 'acknowledged' ? 'acknowledged' : retry ? 'retry-wait' : s.answered ? 'unacknowledged' : 'unreached';
    const moved = await models.Notice.updateOne(
      { key: s.order.key, 'call.attempts': s.attempt, 'call.status': 'calling' },
      { $set: { 'call.status': status, 'call.lastResult': result } },
    );
    this.log.info({ key: s.order.key, attempt: s.attempt, result, status }, 'notice call ended');
    if (retry && moved.modifiedCount === 1) await this.deps.rule.arm(s.order.key, s.attempt + 1, settings.retryMs);
  }

  private async recordingEnded(name: string, state: 'done' | 'failed', durationSec?: number): Promise<void> {
    await this.deps.outbox.write(callRecordKey(name), {
      collection: 'recordings',
      filter: { name },
      set: { state, endedAt: new Date(), ...(durationSec !== undefined ? { durationSec } : {}) },
    });
  }

  // ---- NoticeCallContext: the records a session keeps ---------------------------------------

  async write(s: NoticeCallSession, set: Record<string, unknown>): Promise<void> {
    await this.deps.outbox.write(callRecordKey(s.channelId), { collection: 'calls', filter: { callId: s.channelId }, set });
  }

  async recordingStarted(s: NoticeCallSession): Promise<void> {
    const format = this.deps.settings.recordingFormat;
    await this.deps.outbox.write(callRecordKey(s.channelId), {
      collection: 'recordings',
      filter: { name: s.recordingName },
      set: {},
      setOnInsert: { name: s.recordingName, callId: s.channelId, bridgeId: s.bridgeId, format, file: `${s.recordingName}.${format}`, startedAt: new Date(), state: 'recording' },
    });
  }

  async played(s: NoticeCallSession, plays: number): Promise<void> {
    await this.deps.models.Notice.updateOne({ key: s.order.key, 'call.channelId': s.channelId }, { $set: { 'call.plays': plays } });
  }

  /**
   * The first key 1 of a notice tells the lifecycle, once: the Notice's `acknowledgedAt` is the
   * gate (set only where unset). If the lifecycle fails, the gate is opened again for a later press.
   */
  async acknowledge(s: NoticeCallSession): Promise<'first' | 'again' | 'failed'> {
    const { models } = this.deps;
    const at = new Date();
    const gate = await models.Notice.updateOne({ key: s.order.key, acknowledgedAt: { $exists: false } }, { $set: { acknowledgedAt: at } });
    if (gate.modifiedCount !== 1) return 'again';
    try {
      await this.deps.acks.acknowledgeNotice(s.order.number, s.order.phone, 'call');
      return 'first';
    } catch (err) {
      this.log.error({ err: (err as Error).message, order: s.order.number }, 'notice acknowledgement could not be stored');
      await models.Notice.updateOne({ key: s.order.key, acknowledgedAt: at }, { $unset: { acknowledgedAt: 1 } });
      return 'failed';
    }
  }
}

function orderOf(doc: {
  key: string;
  workOrderNumber: string;
  reason: string;
  emergency?: boolean | null;
  category: string;
  address: string;
  receiver?: { phone: string } | null;
}): NoticeOrder {
  return {
    key: doc.key,
    number: doc.workOrderNumber,
    reason: doc.reason as NoticeOrder['reason'],
    emergency: !!doc.emergency,
    category: doc.category as WorkOrderCategory,
    address: doc.address,
    phone: doc.receiver?.phone ?? '',
  };
}

export type { NoticeCallResult };
