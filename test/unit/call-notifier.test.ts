import { expect } from 'chai';
import { CallNotifier, type CallObservers, type NotifiedCall } from '../../cti/calls/call-notifier';
import type { DomainEvent } from '../../events/domain-events';
import { deferred, settled, type Deferred } from './deferred';

const call: NotifiedCall = { callId: 'c1', callerChannelId: 'ch1', callerNumber: '91234567', test: false };

/** A bus whose publishes stay in flight until the test lets them through. */
class HeldBus {
  readonly published: DomainEvent[] = [];
  readonly held: Array<Deferred<void>> = [];
  hold = false;

  publish(e: DomainEvent): Promise<void> {
    this.published.push(e);
    if (!this.hold) return Promise.resolve();
    const d = deferred();
    this.held.push(d);
    return d.promise;
  }
}

function notifier() {
  const bus = new HeldBus();
  const heard: string[] = [];
  const hooks: CallObservers<NotifiedCall> = {
    arrived: (c) => heard.push(`arrived ${c.callId}`),
    offerEnded: (c, result, ringMs) => heard.push(`offer ${c.callId} ${result} ${ringMs}`),
    answered: (c, waitMs, ringMs) => heard.push(`answered ${c.callId} ${waitMs} ${ringMs}`),
    ended: (c, outcome) => heard.push(`ended ${c.callId} ${outcome}`),
  };
  return { n: new CallNotifier(call, bus, hooks, { info: () => undefined }), bus, heard };
}

describe('call notifier', () => {
  it('tells the hooks only once the event is on the bus', async () => {
    const { n, bus, heard } = notifier();
    bus.hold = true;
    const done = n.answered({ agentWorkNumber: '1001', answeredAt: new Date(5000), ringMs: 3000, waitMs: 12_000 });
    expect(await settled(done)).to.equal(false);
    expect(heard).to.deep.equal([]);
    bus.held[0]!.resolve();
    await done;
    expect(heard).to.deep.equal(['answered c1 12000 3000']);
    expect(bus.published).to.deep.equal([{ type: 'call.answered', callId: 'c1', agentWorkNumber: '1001', answeredAt: 5000, ringMs: 3000, waitMs: 12_000 }]);
  });

  it('publishes the arrival with the caller, then tells the hooks', async () => {
    const { n, bus, heard } = notifier();
    await n.arrived(new Date(1000));
    expect(bus.published).to.deep.equal([{ type: 'call.arrived', callId: 'c1', channelId: 'ch1', callerNumber: '91234567', at: 1000, test: false }]);
    expect(heard).to.deep.equal(['arrived c1']);
  });

  it('leaves out what is not known: language, customer account, agent, recording', async () => {
    const { n, bus } = notifier();
    await n.state('greeting', undefined, new Date(1));
    await n.ringing({ attempt: 1, agentWorkNumber: '1001', language: 'yue', customerAccount: undefined, queuedAt: new Date(2), ringingAt: new Date(3) });
    await n.ended({ outcome: 'abandoned-greeting', hangupBy: 'caller', agentWorkNumber: undefined, recordingName: undefined, abandonWaitMs: 4, at: new Date(5) });
    expect(bus.published).to.deep.equal([
      { type: 'call.state', callId: 'c1', state: 'greeting', at: 1 },
      { type: 'call.ringing', callId: 'c1', attempt: 1, agentWorkNumber: '1001', callerNumber: '91234567', language: 'yue', queuedAt: 2, ringingAt: 3 },
      { type: 'call.ended', callId: 'c1', outcome: 'abandoned-greeting', hangupBy: 'caller', at: 5, test: false },
    ]);
  });

  it('carries them when known', async () => {
    const { n, bus, heard } = notifier();
    await n.state('queued', 'cmn', new Date(1));
    await n.ringing({ attempt: 2, agentWorkNumber: '1002', language: 'cmn', customerAccount: '1234567', queuedAt: new Date(2), ringingAt: new Date(3) });
    await n.offerEnded({ attempt: 2, agentWorkNumber: '1002', result: 'no-answer', ringMs: 20_000, at: new Date(4) });
    await n.ended({ outcome: 'answered', hangupBy: 'caller', agentWorkNumber: '1003', recordingName: 'call-c1', abandonWaitMs: undefined, at: new Date(5) });
    expect(bus.published).to.deep.equal([
      { type: 'call.state', callId: 'c1', state: 'queued', language: 'cmn', at: 1 },
      { type: 'call.ringing', callId: 'c1', attempt: 2, agentWorkNumber: '1002', callerNumber: '91234567', language: 'cmn', customerAccount: '1234567', queuedAt: 2, ringingAt: 3 },
      { type: 'call.offer-ended', callId: 'c1', attempt: 2, agentWorkNumber: '1002', result: 'no-answer', ringMs: 20_000, at: 4 },
      { type: 'call.ended', callId: 'c1', outcome: 'answered', agentWorkNumber: '1003', hangupBy: 'caller', recordingName: 'call-c1', at: 5, test: false },
    ]);
    expect(heard).to.deep.equal(['offer c1 no-answer 20000', 'ended c1 answered']);
  });
});
