import { stepStored } from '../helpers/calls';
import { expect } from 'chai';
import { startCti } from '../../main';
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

  const kill = (id: string) => h.kill(id);

  it('the owner dies mid-conversation: a survivor takes the call over, the agent stays Talking, and when the caller hangs up the agent leg is ended, the record closed and the recording finalised', async () => {
    await h.calls.agents.change('1001', 'ready');
    const caller: CallerHandle = h.ari.placeCall({ callerNumber: '13600000001', dtmf: [{ digit: '1', afterMs: 10 }] });
    const agent = await waitFor(async () => {
      const a = await h.calls.acd.agent('1001');
      return a?.state === 'talking' && a;
    }, { what: '1001 talking' });
    await waitFor(async () => (await h.node.models.Call.findOne({ callId: agent.callId }).lean())?.state === 'talking', { what: 'call talking' });
    const owner = (await h.calls.acd.liveCalls()).get(agent.callId)!;
    const survivorId = owner === 'a' ? 'b' : 'a';
    const survivor = nodeCalls(survivorId);
    await kill(owner);

    await survivor.app.sweep();
    // The call lives on in Asterisk and is now watched by the survivor: the agent is on the phone.
    expect((await survivor.acd.liveCalls()).get(agent.callId)).to.equal(survivorId);
    expect(await survivor.acd.agent('1001')).to.include({ state: 'talking', callId: agent.callId });
    await survivor.app.sweep();
    expect((await survivor.acd.agent('1001'))?.state).to.equal('talking');

    // The caller hangs up: nothing in Asterisk would end the agent's leg; the survivor does.
    caller.hangup();
    const leg = `${agent.callId}-1`;
    await waitFor(() => !h.ari.channels().some((c) => c.id === leg), { what: 'agent leg ended by the survivor' });
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId: agent.callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    expect(call).to.include({ outcome: 'answered', hangupBy: 'caller', agentHungUpFirst: false, node: survivorId });
    const rec = await waitFor(async () => {
      const r = await h.node.models.Recording.findOne({ callId: agent.callId }).lean();
      return r?.state === 'done' && r;
    }, { what: 'recording finalised' });
    expect(rec.name).to.equal(call.recordingName);
    // Wrap-up, then Ready; and the board's live calls no longer show it.
    await waitFor(async () => (await survivor.acd.agent('1001'))?.state === 'ready', { what: '1001 ready after wrap-up' });
    expect((await survivor.acd.liveCalls()).has(agent.callId)).to.equal(false);
  });

  it('the owner dies while callers wait: a survivor puts them back at their place and they are answered', async () => {
    for (const wn of EXTENSIONS) {
      const a = await h.calls.acd.agent(wn);
      if (a?.state === 'ready') await h.calls.agents.change(wn, 'not_ready', 'other');
    }
    // A third process joins, so one can die and one survive whichever owns the callers.
    h.nodes.push(await startCti({ ...h.config, NODE_ID: 'c' }));
    const callers = ['13600000021', '13600000022', '13600000023'].map((n) => h.ari.placeCall({ callerNumber: n, dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 }));
    const queued = await waitFor(async () => {
      const q = await h.calls.acd.queued();
      return q.length === 3 && q;
    }, { what: 'three callers queued' });
    const owner = queued[0]!.node;
    const theirs = queued.filter((q) => q.node === owner);
    await kill(owner);
    const survivor = h.nodes[0]!.calls!;
    await survivor.app.sweep();
    const back = await survivor.acd.queued();
    // The dead process's callers are queued again, owned by a survivor, at their original time.
    for (const q of theirs) expect(back.find((b) => b.callId === q.callId)).to.include({ queuedAt: q.queuedAt });
    expect(back.filter((b) => b.node === owner)).to.deep.equal([]);
    await survivor.agents.change('1003', 'ready');
    for (const c of callers) expect((await c.ended).by).to.equal('caller');
    const calls = await waitFor(async () => {
      const docs = await h.node.models.Call.find({ callId: { $in: queued.map((q) => q.callId) } }).lean();
      return docs.every((d) => d.state === 'ended') && docs;
    }, { what: 'three records closed' });
    for (const c of calls) expect(c).to.include({ outcome: 'answered', agentWorkNumber: '1003' });
  });

  it('the owner dies and its waiting caller hangs up before anyone takes over: the record is closed as abandoned', async () => {
    for (const wn of EXTENSIONS) {
      await waitFor(async () => !['reserved', 'ringing', 'talking', 'acw'].includes((await h.calls.acd.agent(wn))?.state ?? ''), { what: `${wn} free` });
      const a = await h.calls.acd.agent(wn);
      if (a?.state === 'ready') await h.calls.agents.change(wn, 'not_ready', 'other');
    }
    h.nodes.push(await startCti({ ...h.config, NODE_ID: 'd' }));
    const caller = h.ari.placeCall({ callerNumber: '13600000041', dtmf: [{ digit: '1', afterMs: 10 }] });
    const [q] = await waitFor(async () => {
      const list = await h.calls.acd.queued();
      return list.length === 1 && list;
    }, { what: 'caller queued' });
    await stepStored(h, q!.callId, 'queued');
    const survivorId = h.nodes.find((n) => n.config.NODE_ID !== q!.node)!.config.NODE_ID;
    await kill(q!.node);
    caller.hangup();
    await waitFor(() => !h.ari.channels().some((c) => c.id === caller.id), { what: 'caller gone' });
    await nodeCalls(survivorId).app.sweep();
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId: q!.callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    expect(call).to.include({ outcome: 'abandoned-queue', hangupBy: 'caller' });
    expect(await nodeCalls(survivorId).acd.queued()).to.deep.equal([]);
  });

  it('a process taken for dead while callers wait puts them back at their place, and they are answered', async () => {
    for (const wn of EXTENSIONS) {
      await waitFor(async () => !['reserved', 'ringing', 'talking', 'acw'].includes((await h.calls.acd.agent(wn))?.state ?? ''), { what: `${wn} free` });
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
    expect((await calls.acd.sweepDeadNodes()).length).to.be.at.least(1);
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

  it('the owner dies after the answer but before the bridge (during 报工号): the survivor connects caller and agent and records the call', async () => {
    await h.quiet();
    h.nodes.push(await startCti({ ...h.config, NODE_ID: 'e' }));
    await h.calls.agents.change('1004', 'ready');
    // 1004 speaks Mandarin: the caller presses 2.
    const caller = h.ari.placeCall({ callerNumber: '13600000051', dtmf: [{ digit: '2', afterMs: 10 }] });
    const agent = await waitFor(async () => {
      const a = await h.calls.acd.agent('1004');
      return a?.state === 'talking' && a;
    }, { what: '1004 answered' });
    const callId = agent.callId;
    const bridgeId = `br-${callId}`;
    expect(h.ari.bridges().some((b) => b.id === bridgeId), 'not bridged yet: the caller hears the agent number').to.equal(false);
    const owner = (await h.calls.acd.liveCalls()).get(callId)!;
    const survivorId = h.nodes.find((n) => n.config.NODE_ID !== owner)!.config.NODE_ID;
    await kill(owner);
    await nodeCalls(survivorId).app.sweep();

    // Bridged and recorded by the survivor, as the owner would have done once the number was read.
    const legs = [caller.id, `${callId}-1`];
    const bridge = await waitFor(() => h.ari.bridges().find((b) => b.id === bridgeId && legs.every((l) => b.channels.includes(l))), { what: 'caller and agent bridged' });
    expect(bridge.channels).to.have.members(legs);
    const talking = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId }).lean();
      return c?.state === 'talking' && c;
    }, { what: 'record says talking' });
    expect(talking.recordingName).to.equal(`call-${callId}`);
    await waitFor(async () => (await h.node.models.Recording.findOne({ callId }).lean())?.state === 'recording', { what: 'recording started' });

    caller.hangup();
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    expect(call).to.include({ outcome: 'answered', hangupBy: 'caller', node: survivorId });
    await waitFor(async () => (await h.node.models.Recording.findOne({ callId }).lean())?.state === 'done', { what: 'recording finalised' });
    await waitFor(async () => (await h.calls.acd.agent('1004'))?.state === 'ready', { what: '1004 ready after wrap-up' });
  });

  it('the owner reserved and rang an agent but died before recording it: the survivor stops that ring, frees the agent and rings again under a new attempt', async () => {
    await h.quiet();
    h.nodes.push(await startCti({ ...h.config, NODE_ID: 'f' }));
    const caller = h.ari.placeCall({ callerNumber: '13600000061', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const [q] = await waitFor(async () => {
      const list = await h.calls.acd.queued();
      return list.length === 1 && list;
    }, { what: 'caller queued' });
    const callId = q!.callId;
    await stepStored(h, callId, 'queued');
    const dead = h.nodes.find((n) => n.config.NODE_ID === q!.node)!;
    h.nodes.splice(h.nodes.indexOf(dead), 1);
    await dead.stop();
    // Its last acts, which never reached the record: 1007 reserved for the call, and a ring mark.
    await h.calls.agents.change('1007', 'ready');
    expect(await h.calls.acd.reserve(callId, q!.node, 60_000)).to.equal('1007');
    await h.calls.acd.startOffer(callId, 1);
    await h.node.redis.del(h.calls.acd.keys.node(q!.node));

    await h.nodes[0]!.calls!.app.sweep();
    // Freed, offered again (attempt 2: attempt 1's leg and alarm ids stay the dead ring's), answered.
    expect((await caller.ended).by).to.equal('caller');
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId }).lean();
      return c?.state === 'ended' && c;
    }, { what: 'record closed' });
    expect(call).to.include({ outcome: 'answered', agentWorkNumber: '1007', agentChannelId: `${callId}-2` });
    expect(call.offers?.map((o) => [o.attempt, o.agentWorkNumber, o.result])).to.deep.equal([
      [1, '1007', 'failed'],
      [2, '1007', 'answered'],
    ]);
  });
});

describe('fencing: a process taken for dead lets go of the calls another process took over', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  before(async () => {
    h = await PbxHarness.start({ nodes: 1, ready: [] });
  });
  after(async () => h?.stop());

  it('on rejoin, a call adopted elsewhere is dropped here (nothing shared touched); the others go back in the queue', async () => {
    const callers = ['13600000031', '13600000032'].map((n) => h.ari.placeCall({ callerNumber: n, dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 }));
    const queued = await waitFor(async () => {
      const q = await h.calls.acd.queued();
      return q.length === 2 && q;
    }, { what: 'two callers queued' });
    const node = h.node.config.NODE_ID;
    await h.node.redis.del(h.calls.acd.keys.node(node));
    await h.calls.acd.sweepDeadNodes();
    // Another process took the second caller over meanwhile.
    expect(await h.calls.acd.claimAdoption(queued[1]!.callId, 'elsewhere')).to.equal(true);
    await h.calls.app.rejoin();
    expect((await h.calls.acd.queued()).map((q) => q.callId)).to.deep.equal([queued[0]!.callId]);
    expect(h.calls.app.sessions().map((s) => s.callId)).to.not.include(queued[1]!.callId);
    // The call let go of is not closed here: its record is the adopter's to finish.
    expect((await h.node.models.Call.findOne({ callId: queued[1]!.callId }).lean())?.state).to.not.equal('ended');
    const numbers = ['13600000031', '13600000032'];
    const letGo = callers[numbers.indexOf(queued[1]!.callerNumber)]!;
    const kept = callers[numbers.indexOf(queued[0]!.callerNumber)]!;
    letGo.hangup();
    await h.ready('1001');
    expect((await kept.ended).by).to.equal('caller');
  });
});
