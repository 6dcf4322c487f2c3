import type { Logger } from '../../core/logger';
import { bridgeAndRecord, bridgeIdOf } from './bridge-and-record';
import { callRecordKey } from './call-record';
import type { CallDeps } from './call-session';

export interface ConversationRecord {
  callId: string;
  callerChannelId: string;
  agentChannelId: string;
  agentWorkNumber: string;
  recordingName?: string;
}

/**
 * A call in conversation whose process died. Asterisk keeps the caller and the agent talking, and
 * their bridge recording running, in the dead app; this process subscribes to both legs and the
 * bridge, keeps the agent Talking while the call is up, and when either side hangs up ends the
 * other leg (nothing else would: the agent's phone would stay in a dead bridge), closes the
 * record with the outcome and who hung up, and starts the agent's wrap-up.
 */
export class AdoptedConversation {
  private done = false;
  private readonly log: Logger;
  readonly bridgeId: string;

  constructor(
    private readonly d: CallDeps,
    readonly call: ConversationRecord,
  ) {
    this.log = d.logger.child({ callId: call.callId, adopted: true });
    this.bridgeId = bridgeIdOf(call.callId);
  }

  get legs(): string[] {
    return [this.call.callerChannelId, this.call.agentChannelId];
  }

  /** Takes the call over; resolves once subscribed (a side already gone is handled at once). */
  async start(): Promise<void> {
    const { ari, acd, settings } = this.d;
    await acd.markLive(this.call.callId, settings.node);
    const sources = [`channel:${this.call.callerChannelId}`, `channel:${this.call.agentChannelId}`];
    const bridged = await ari.bridgeExists(this.bridgeId);
    if (bridged) sources.push(`bridge:${this.bridgeId}`);
    await ari.subscribe(settings.app, sources).catch((err: Error) => this.log.warn({ err: err.message }, 'subscription to a leg failed'));
    this.d.outbox.write(callRecordKey(this.call.callId), { collection: 'calls', filter: { callId: this.call.callId }, set: { node: settings.node } }).catch(() => undefined);
    this.log.warn({ agent: this.call.agentWorkNumber, bridged }, 'call in conversation taken over from a process that died');
    // A side may have hung up while nobody was listening.
    const up = await ari.channelIds();
    if (!up.has(this.call.callerChannelId)) return this.legGone(this.call.callerChannelId);
    if (!up.has(this.call.agentChannelId)) return this.legGone(this.call.agentChannelId);
    // The owner died after the answer but before the bridge (during 报工号): the agent is on the
    // line and the caller hears nothing. Connect them here, and record it, as the owner would have.
    if (!bridged) await this.connect();
  }

  private async connect(): Promise<void> {
    const { ari, outbox, settings } = this.d;
    const { callId } = this.call;
    try {
      await ari.stopMoh(this.call.callerChannelId).catch(() => undefined);
      const recording = await bridgeAndRecord(ari, { ...this.call, format: settings.recordingFormat }, this.log);
      await ari.subscribe(settings.app, [`bridge:${this.bridgeId}`]).catch(() => undefined);
      this.call.recordingName = recording.name;
      await outbox.write(callRecordKey(callId), { collection: 'recordings', filter: { name: recording.name }, set: {}, setOnInsert: { ...recording } });
      await outbox.write(callRecordKey(callId), { collection: 'calls', filter: { callId }, set: { state: 'talking', talkingAt: new Date(), recordingName: recording.name } });
      this.log.info({ recording: recording.name }, 'adopted call connected: caller and agent bridged');
    } catch (err) {
      // Neither side can be connected: end both rather than leave them on a silent line.
      this.log.error({ err: (err as Error).message }, 'adopted call could not be connected: both legs hung up');
      await ari.hangup(this.call.callerChannelId).catch(() => undefined);
      await this.legGone(this.call.callerChannelId);
    }
  }

  /** One side hung up: end the other, close the call. */
  async legGone(channelId: string): Promise<void> {
    if (this.done) return;
    this.done = true;
    const { ari, acd, agents, afterCallWork, outbox, bus } = this.d;
    const { callId, agentWorkNumber } = this.call;
    const by = channelId === this.call.callerChannelId ? 'caller' : 'agent';
    const other = by === 'caller' ? this.call.agentChannelId : this.call.callerChannelId;
    await ari.hangup(other).catch(() => undefined);
    // Destroying the bridge ends its recording, which is kept.
    setTimeout(() => void ari.destroyBridge(this.bridgeId).catch(() => undefined), 200).unref();
    const now = new Date();
    await outbox.write(callRecordKey(callId), {
      collection: 'calls',
      filter: { callId },
      set: { state: 'ended', endedAt: now, outcome: 'answered', hangupBy: by, agentHungUpFirst: by === 'agent' },
    });
    // The agent moves on before the call stops being live (as CallSession.finish: else a sweep may free them mid-way).
    if (await agents.forCall(agentWorkNumber, callId, 'acw', ['talking'])) await afterCallWork.start({ agentWorkNumber, callId });
    await acd.markDone(callId);
    await bus.publish({
      type: 'call.ended',
      callId,
      outcome: 'answered',
      agentWorkNumber,
      hangupBy: by,
      ...(this.call.recordingName ? { recordingName: this.call.recordingName } : {}),
      at: now.getTime(),
      test: false,
    });
    this.log.info({ hangupBy: by, agent: agentWorkNumber }, 'adopted call ended');
  }
}
