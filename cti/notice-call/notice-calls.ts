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
import type { PlacedCallLedger } from '../calls/placed-call-ledger';
import type { PlacedCallRouter } from '../calls/placed-call-router';
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

/** Routes ARI events to notice calls (see PlacedCallRouter). */
export type NoticeCallRouter = PlacedCallRouter;

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
  /**
   * Who runs which call, in Redis: without it a call whose process dies is never ended, and an
   * attempt's end is guarded by the Notice's (not atomic on FerretDB) precondition alone.
   */
  ledger?: PlacedCallLedger;
}

const isNoticeChannel = (id: string | undefined): boolean => !!id && id.startsWith(NOTICE_CHANNEL_PREFIX);

/**
 * The recorded notice calls (Art. 8, 10): places them through the carrier trunk when their job
 * is due, runs each on the process that placed it, keeps its Call document (direction
 * `outbound`, never a hotline statistic) and Recording, tells the lifecycle of a key 1, and
 * places a busy or unanswered call once more after NOTICE_CALL_RETRY_MS. A call whose process
 * died is ended by a survivor's sweep (or by that process at restart), found in the ledger.
 */
export class NoticeCalls implements NoticeCallRouter, NoticeCallContext {
  private readonly sessions = new Map<string, NoticeCallSession>();
  /** Attempts whose end this process is settling (its own, or taken over). */
  private readonly ending = new Set<string>();
  readonly media: MediaPlayer;
  /** Prompts go into the call's recorded bridge (see NoticeCallSession.play). */
  readonly bridgeMedia: MediaPlayer;
  readonly log: Logger;

  constructor(private readonly deps: NoticeCallsDeps) {
    this.media = deps.media ?? new MediaPlayer(deps.ari);
    const ari = deps.ari;
    this.bridgeMedia = new MediaPlayer({ play: (bridgeId, m, id) => ari.playOnBridge(bridgeId, m, id), stopPlayback: (id) => ari.stopPlayback(id) });
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
        return this.bridgeMedia.finished(e.playback.id, e.playback.state) || this.media.finished(e.playback.id, e.playback.state) ? Promise.resolve() : null;
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
    this.sessions.set(channelId, s);
    // Before anything can fail or die: a survivor finds the call here (see sweep).
    await this.deps.ledger?.placed(channelId, settings.node);
    // Spoken before dialling: the receiver must not wait in silence for the TTS after answering.
    s.spoken = await this.deps.speech.media(order);
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
    const { models, settings, ledger } = this.deps;
    setTimeout(() => this.sessions.delete(s.channelId), 30_000).unref();
    if (!this.claimLocally(s.channelId)) return;
    if (ledger && !(await ledger.claimEnd(s.channelId, settings.node))) {
      // Taken for dead meanwhile (a pause): the process that took it over ended the attempt.
      this.log.warn({ key: s.order.key, attempt: s.attempt, by: await ledger.endedBy(s.channelId) }, 'notice call ended by the process that took it over');
      return;
    }
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
    await ledger?.settled(s.channelId);
  }

  /** True the first time this process ends the attempt (its own end, or a take-over). */
  private claimLocally(channelId: string): boolean {
    if (this.ending.has(channelId)) return false;
    this.ending.add(channelId);
    setTimeout(() => this.ending.delete(channelId), 120_000).unref();
    return true;
  }

  interrupted(): number {
    return this.bridgeMedia.interrupted() + (this.deps.media ? 0 : this.media.interrupted());
  }

  // ---- calls whose process died -------------------------------------------------------------

  /**
   * The notice calls of processes whose heartbeat lapsed: each is taken over by one survivor (the
   * ledger's claim, refused while the owner lives) and ended (see takeOver). Without this its
   * Notice stayed `calling` for good: no retry, no outcome, the receiver left on a silent line.
   * This node's own calls that no session here runs (left by its run before a restart, or a
   * take-over that failed) are ended the same way.
   */
  async sweep(alive: (node: string) => Promise<boolean>): Promise<number> {
    const { ledger, settings } = this.deps;
    if (!ledger) return 0;
    let taken = 0;
    for (const [channelId, owner] of await ledger.calls()) {
      // A session here (placed, or revived by an event) ends its own call.
      if (this.sessions.has(channelId) || this.ending.has(channelId)) continue;
      const mine = owner === settings.node;
      if (!mine && (await alive(owner))) continue;
      if (!(await ledger.claimEnd(channelId, settings.node, mine ? undefined : owner))) continue;
      if (await this.takeOverOnce(channelId, owner)) taken++;
    }
    return taken;
  }

  /**
   * At start-up: calls this node placed before it restarted. Asterisk still holds those that were
   * up, in this same app, but nobody plays their prompt any more: they are ended as a dead
   * process's are, and placed once more.
   */
  recoverOwn(): Promise<number> {
    return this.sweep(async () => true);
  }

  /** A failed take-over (Asterisk or the database unreachable) is tried again on a later sweep: the claim stays this node's. */
  private async takeOverOnce(channelId: string, owner: string): Promise<boolean> {
    try {
      return await this.takeOver(channelId, owner);
    } catch (err) {
      this.ending.delete(channelId);
      this.log.error({ channelId, owner, err: (err as Error).message }, 'taking over a notice call failed; next sweep tries again');
      return false;
    }
  }

  /**
   * Ends one attempt whose process is gone (the caller holds the ledger's end claim): the channel,
   * if Asterisk still has it, is hung up (its bridge's recording ends with it and is kept); the
   * Call is closed; the Notice moves on from `calling` — acknowledged if the receiver had pressed
   * 1 (the lifecycle told again: it ignores a repeat), otherwise ended unacknowledged and, after a
   * first attempt, placed once more after NOTICE_CALL_RETRY_MS as after busy or no answer.
   * Returns true when there was an attempt to end.
   */
  private async takeOver(channelId: string, owner: string): Promise<boolean> {
    const { models, ari, outbox, settings, ledger } = this.deps;
    if (!this.claimLocally(channelId)) return false;
    const doc = await models.Notice.findOne({ 'call.channelId': channelId }).lean();
    if (!doc || doc.call?.status !== 'calling') {
      await ledger?.settled(channelId);
      return false;
    }
    const order = orderOf(doc);
    const attempt = doc.call.attempts ?? 1;
    const bridgeId = `br-${channelId}`;
    const state = await ari.channelState(channelId);
    const answered = state === 'Up' || (doc.call.plays ?? 0) > 0;
    // Its recording's end comes here from now on (the dead app hears nothing).
    if (await ari.bridgeExists(bridgeId)) {
      await ari.subscribe(settings.app, [`bridge:${bridgeId}`]).catch((err: Error) => this.log.warn({ channelId, err: err.message }, 'subscription to a notice call bridge failed'));
      // Once the channel has left: the bridge's recording then ends as done, and is kept.
      setTimeout(() => void ari.destroyBridge(bridgeId).catch(() => undefined), 500).unref();
    }
    if (state !== null) await ari.hangup(channelId, 'normal');
    const acknowledged = !!doc.acknowledgedAt;
    const result: NoticeCallResult = acknowledged ? 'acknowledged' : answered ? 'unacknowledged' : 'failed';
    // The dead process's last writes of this call may still wait in the outbox: after them.
    await outbox.drained(callRecordKey(channelId), 3000);
    await outbox.write(callRecordKey(channelId), {
      collection: 'calls',
      filter: { callId: channelId },
      set: {
        state: 'ended',
        endedAt: new Date(),
        outcome: answered ? 'answered' : 'failed',
        noticeResult: result,
        hangupBy: 'system',
        node: settings.node,
        ...(answered ? {} : { failureReason: result }),
      },
    });
    if (acknowledged) {
      // Its process may have died between the Notice's gate and telling the lifecycle.
      await this.deps.acks.acknowledgeNotice(order.number, order.phone, 'call').catch((err: Error) => this.log.error({ err: err.message, order: order.number }, 'notice acknowledgement could not be stored'));
    }
    const retry = !acknowledged && attempt < 2;
    const status: NoticeCallStatus = acknowledged ? 'acknowledged' : retry ? 'retry-wait' : answered ? 'unacknowledged' : 'unreached';
    const moved = await models.Notice.updateOne(
      { key: order.key, 'call.attempts': attempt, 'call.status': 'calling' },
      { $set: { 'call.status': status, 'call.lastResult': result } },
    );
    if (retry && moved.modifiedCount === 1) await this.deps.rule.arm(order.key, attempt + 1, settings.retryMs);
    await ledger?.settled(channelId);
    this.log.warn({ key: order.key, attempt, owner, channel: state ?? 'gone', result, status }, 'notice call of a process that stopped taken over and ended');
    return true;
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
  category?: string | null;
  address: string;
  spoken?: string | null;
  receiver?: { phone: string } | null;
}): NoticeOrder {
  return {
    key: doc.key,
    number: doc.workOrderNumber,
    reason: doc.reason as NoticeOrder['reason'],
    emergency: !!doc.emergency,
    ...(doc.category ? { category: doc.category as WorkOrderCategory } : {}),
    address: doc.address,
    phone: doc.receiver?.phone ?? '',
    ...(doc.spoken ? { spoken: doc.spoken } : {}),
  };
}

export type { NoticeCallResult };
