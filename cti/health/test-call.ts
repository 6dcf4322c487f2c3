import { randomUUID } from 'node:crypto';
import type { AcdStore } from '../acd/acd-store';
import type { AriPort } from '../ari/port';
import type { DomainEvent } from '../../events/domain-events';
import type { EventBus } from '../../events/event-bus';

export interface TestCallSettings {
  /** The hotline number and the context carrier calls arrive in (`952525@from-pstn`). */
  number: string;
  context: string;
  /** Where the `;1` half of the Local channel goes (a context that just waits, see extensions.conf). */
  localContext: string;
  timeoutMs: number;
}

export interface TestCallResult {
  ok: boolean;
  /** English, for logs and API users. */
  detail: string;
  /** The same for the admin page. */
  zh: string;
  channelId: string;
  callId?: string;
}

/**
 * The synthetic call of the self-check: a Local channel into the real dialplan, so the whole
 * chain (dialplan → StasisBroadcast → claim → answer → greeting) is proven. The call is marked
 * in Redis as a test before it is placed: no agent is offered it and no statistic counts it.
 */
export class TestCaller {
  constructor(
    private readonly deps: { ari: AriPort; acd: AcdStore; bus: EventBus },
    private readonly s: TestCallSettings,
  ) {}

  async run(): Promise<TestCallResult> {
    const channelId = `selfcheck-${randomUUID()}`;
    const inbound = `${channelId};2`;
    await this.deps.acd.markSelfCheck(inbound, this.s.timeoutMs + 60_000);
    let callId: string | undefined;
    let greeted = false;
    let unsubscribe = () => undefined as void;
    const ended = new Promise<DomainEvent & { type: 'call.ended' }>((resolve) => {
      unsubscribe = this.deps.bus.subscribe((e) => {
        if (e.type === 'call.arrived' && e.channelId === inbound) callId = e.callId;
        if (e.type === 'call.state' && e.callId === callId && e.state === 'greeting') greeted = true;
        if (e.type === 'call.ended' && e.callId === callId) resolve(e);
      });
    });
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), this.s.timeoutMs).unref());
    try {
      await this.deps.ari.originateLocal({
        channelId,
        otherChannelId: inbound,
        endpoint: `Local/${this.s.number}@${this.s.context}`,
        dialplan: { context: this.s.localContext, extension: 's', priority: 1 },
        callerId: 'selfcheck <selfcheck>',
        timeoutSec: Math.ceil(this.s.timeoutMs / 1000),
      });
      const end = await Promise.race([ended, timeout]);
      if (!end) {
        await this.deps.ari.hangup(channelId).catch(() => undefined);
        return callId
          ? { ok: false, channelId, callId, detail: 'the hotline app took the call but did not finish it in time', zh: '热线应用接起了测试电话，但未按时完成' }
          : { ok: false, channelId, detail: 'no CTI process took the call (dialplan or Stasis broken)', zh: '没有 CTI 进程接起测试电话（拨号方案或 Stasis 故障）' };
      }
      if (!end.test) return { ok: false, channelId, callId: end.callId, detail: 'the call was not recognised as a test call', zh: '测试电话未被识别为测试（可能进入了排队）' };
      return greeted
        ? { ok: true, channelId, callId: end.callId, detail: 'answered by the hotline app, greeting played, hung up', zh: '热线应用已接听并播放欢迎语，随后挂断' }
        : { ok: false, channelId, callId: end.callId, detail: `call ended without a greeting (${end.outcome})`, zh: '测试电话未播放欢迎语就结束了' };
    } catch (err) {
      return { ok: false, channelId, detail: `could not place the test call: ${(err as Error).message}`, zh: '无法发起测试电话' };
    } finally {
      unsubscribe();
    }
  }
}
