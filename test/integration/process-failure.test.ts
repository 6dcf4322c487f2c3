import { expect } from 'chai';
import type { CallerHandle } from '../../sim/ari/script';
import { EXTENSIONS, PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

describe('a CTI process that dies, or is taken for dead, strands no agent and loses no queued caller', function () {
  this.timeout(60_000);
  let h: PbxHarness;

  before(async () => {
    h = await PbxHarness.start({ nodes: 2, ready: [], env: { AFTER_CALL_WORK_MS: '100' } });
    for (const wn of EXTENSIONS) await h.calls.agents.login(wn);
  });
  after(async () => h?.stop());

  const nodeCalls = (id: string) => h.nodes.find((n) => n.config.NODE_ID === id)!.calls!;

  it('the owner dies mid-conversation: the agent stays Talking (never offered another call) while their phone is in that call, and is free once it hangs up', async () => {
    await h.calls.agents.change('1001', 'ready');
    const caller: CallerHandle = h.ari.placeCall({ callerNumber: '13600000001', dtmf: [{ digit: '1', afterMs: 10 }] });
    const agent = await waitFor(async () => {
      const a = await h.calls.acd.agent('1001');
      return a?.state === 'talking' && a;
    }, { what: '1001 talking' });
    const owner = (await h.calls.acd.liveCalls()).get(agent.callId)!;
    const survivor = nodeCalls(owner === 'a' ? 'b' : 'a');
    // The owner dies: it stops beating (its mark is gone, as after its 15 s lapse) and says nothing more.
    const dead = h.nodes.find((n) => n.config.NODE_ID === owner)!;
    h.nodes.splice(h.nodes.indexOf(dead), 1);
    await dead.stop();
    await h.node.redis.del(survivor.acd.keys.node(owner));

    await survivor.app.sweep();
    // The call lives on in Asterisk: the agent is on the phone and must not be Ready.
    expect(await survivor.acd.agent('1001')).to.include({ state: 'talking', callId: agent.callId });
    expect((await survivor.acd.liveCalls()).has(agent.callId)).to.equal(false);
    await survivor.app.sweep();
    expect((await survivor.acd.agent('1001'))?.state).to.equal('talking');

    // The agent puts the phone down: the next sweep frees them.
    const leg = h.ari.channels().find((c) => c.id.startsWith(`${agent.callId}-`))!;
    h.ari.agentHangup(leg.id);
    await waitFor(() => !h.ari.channels().some((c) => c.id === leg.id), { what: 'agent leg gone' });
    await survivor.app.sweep();
    expect(await survivor.acd.agent('1001')).to.include({ state: 'ready', callId: '' });
    caller.hangup();
  });

  it('a process taken for dead while callers wait puts them back at their place, and they are answered', async () => {
    for (const wn of EXTENSIONS) {
      const a = await h.calls.acd.agent(wn);
      if (a?.state === 'ready') await h.calls.agents.change(wn, 'not_ready', 'other');
    }
    const callers = ['13600000011', '13600000012'].map((n) => h.ari.placeCall({ callerNumber: n, dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 }));
    const queued = await waitFor(async () => {
      const q = await h.calls.acd.queued();
      return q.length === 2 && q;
    }, { what: 'two callers queued' });
    const owner = queued[0]!.node;
    const calls = nodeCalls(owner);
    // Its mark lapses (a long pause) and another process sweeps its callers out of the shared queue.
    await h.node.redis.del(calls.acd.keys.node(owner));
    expect(await calls.acd.sweepDeadNodes()).to.be.at.least(1);
    expect((await calls.acd.queued()).filter((q) => q.node === owner)).to.deep.equal([]);
    // Its next beat finds its mark gone: it is told, and puts its calls back.
    expect(await calls.acd.heartbeat(owner, 15_000)).to.equal(true);
    expect(await calls.acd.heartbeat(owner, 15_000)).to.equal(false);
    await calls.app.rejoin();
    const back = await calls.acd.queued();
    expect(back.map((q) => [q.callId, q.queuedAt])).to.deep.include.members(queued.filter((q) => q.node === owner).map((q) => [q.callId, q.queuedAt]));
    // An agent becomes Ready: the callers are answered, the first in line first.
    await h.calls.agents.change('1002', 'ready');
    for (const c of callers) expect((await c.ended).by).to.equal('caller');
  });
});
