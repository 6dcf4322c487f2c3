import { expect } from 'chai';
import type { AcdStore, ReservedAgent } from '../../cti/acd/acd-store';
import type { DispatchKicks } from '../../cti/acd/agent-service';
import { Dispatcher, type Dispatchable } from '../../cti/acd/dispatcher';
import { createLogger } from '../../core/logger';
import { deferred, drained, type Deferred } from './deferred';

/** The reservation script held "in flight" by the test, one per call; each kick after a pass logged. */
function rig() {
  const log: string[] = [];
  const pending = new Map<string, Deferred<ReservedAgent | null>>();
  const acd = {
    reserveOffer: (callId: string) => {
      log.push(`reserve ${callId}`);
      const d = deferred<ReservedAgent | null>();
      pending.set(callId, d);
      return d.promise;
    },
  } as unknown as AcdStore;
  const kicks = { kick: async () => void log.push('kick') } as unknown as DispatchKicks;
  const dispatcher = new Dispatcher(acd, kicks, 'a', 30_000, createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'dispatch-test' }));
  const call = (callId: string, queuedAt: number, language = 'yue'): Dispatchable => ({
    callId,
    queuedAt,
    language,
    nextAttempt: () => 1,
    offer: async (agent) => void log.push(`offer ${callId} to ${agent.workNumber}`),
  });
  return { log, pending, dispatcher, call };
}

describe('dispatcher: one pass serves the calls queued while it waits on Redis', () => {
  it('a call queued during a reservation is reserved in the same pass, oldest first, with one kick at the end', async () => {
    const { log, pending, dispatcher, call } = rig();
    dispatcher.add(call('A', 1));
    dispatcher.run();
    await drained();
    expect(log).to.deep.equal(['reserve A']);
    // Queued while A's script is in flight: C is older than B (a re-queued call keeps its place).
    dispatcher.add(call('B', 3));
    dispatcher.run();
    dispatcher.add(call('C', 2));
    dispatcher.run();
    pending.get('A')!.resolve({ workNumber: '1001', extension: '1001' });
    await drained();
    pending.get('C')!.resolve({ workNumber: '1002', extension: '1002' });
    await drained();
    pending.get('B')!.resolve(null);
    await drained();
    expect(log.slice(0, 6)).to.deep.equal(['reserve A', 'offer A to 1001', 'reserve C', 'offer C to 1002', 'reserve B', 'kick']);
    // The triggers that came during the pass run one more pass: B, still waiting, is tried again.
    expect(log[6]).to.equal('reserve B');
    pending.get('B')!.resolve(null);
    await drained();
    expect(log).to.have.length(7);
  });

  it('once a language finds no agent, later calls of it are not tried in that pass; the other language is', async () => {
    const { log, pending, dispatcher, call } = rig();
    dispatcher.add(call('Y1', 1, 'yue'));
    dispatcher.add(call('Y2', 2, 'yue'));
    dispatcher.add(call('M1', 3, 'cmn'));
    dispatcher.run();
    await drained();
    pending.get('Y1')!.resolve(null);
    await drained();
    pending.get('M1')!.resolve({ workNumber: '1003', extension: '1003' });
    await drained();
    expect(log).to.deep.equal(['reserve Y1', 'reserve M1', 'offer M1 to 1003', 'kick']);
  });
});
