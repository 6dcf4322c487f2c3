import { expect } from 'chai';
import { AgentService, DispatchKicks } from '../../cti/acd/agent-service';
import type { AcdStore } from '../../cti/acd/acd-store';
import { releaseOrphanAgents } from '../../cti/calls/hotline-app';
import { createLogger } from '../../core/logger';
import { RedisEventBus } from '../../events/event-bus';
import { testConfig } from '../helpers/env';
import { storeRig } from '../helpers/store-rig';

/**
 * The sweep frees agents left on calls no process owns (a process died, an events gap). Seen in a
 * soak: it also freed agents on calls that had just arrived, while no process had stopped.
 */
describe('freeing agents held for calls no process owns', () => {
  const config = testConfig();
  const rig = storeRig(config);
  const logger = createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'a' });
  let agents: AgentService;

  before(async () => {
    agents = new AgentService(rig.acd, rig.models, new RedisEventBus(rig.redis, `${config.REDIS_PREFIX}:orphan-events`, logger), new DispatchKicks(rig.redis, `${config.REDIS_PREFIX}:orphan-kicks`), logger);
    await rig.acd.heartbeat('a', 60_000);
    await rig.acd.heartbeat('b', 60_000);
    for (const wn of ['1001', '1002']) {
      await rig.acd.upsertAgent({ workNumber: wn, name: `A${wn}`, extension: wn, languages: ['yue'] });
      expect(await rig.acd.move(wn, { by: 'person', to: 'ready' }, Date.now() - (wn === '1001' ? 2000 : 1000))).to.include({ ok: true });
    }
  });

  it("frees an agent whose call is gone, not one held for a call that arrived while the sweep was reading", async () => {
    const { acd } = rig;
    // An orphan: 1001 held for a call that is live nowhere and has no leg in Asterisk.
    await acd.enqueue({ callId: 'gone-1', language: 'yue', queuedAt: Date.now(), node: 'b', callerNumber: '139' });
    expect(await acd.reserve('gone-1', 'b', 60_000)).to.equal('1001');
    await acd.dequeue('gone-1');
    // The race, made certain: when the sweep reads the agents, a call arrives on process b and
    // 1002 is reserved for it (its leg not yet in Asterisk).
    let arrived = false;
    const racing = new Proxy(acd, {
      get(target, prop, receiver) {
        if (prop !== 'agentsKnown') return Reflect.get(target, prop, receiver) as unknown;
        return async () => {
          if (!arrived) {
            arrived = true;
            await target.markLive('new-1', 'b');
            await target.enqueue({ callId: 'new-1', language: 'yue', queuedAt: Date.now(), node: 'b', callerNumber: '138' });
            expect(await target.reserve('new-1', 'b', 60_000)).to.equal('1002');
          }
          return target.agentsKnown();
        };
      },
    }) as AcdStore;

    const released = await releaseOrphanAgents(racing, agents, 'a', new Set(), async () => new Set());
    expect(arrived).to.equal(true);
    expect(released).to.equal(1);
    expect(await acd.agent('1001')).to.include({ state: 'ready' });
    expect(await acd.agent('1002')).to.include({ state: 'reserved', callId: 'new-1' });
  });
});
