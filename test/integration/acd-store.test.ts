import { expect } from 'chai';
import { AcdStore } from '../../cti/acd/acd-store';
import { AGENT_STATES, judgeMove, PERSON_FROM, type AgentMove } from '../../cti/acd/agent-state';
import type { Language } from '../../models/enums';
import type { RedisClient } from '../../core/connections';
import { testConfig } from '../helpers/env';
import { deleteKeys, testRedis } from '../helpers/redis';

describe('ACD live state in Redis', () => {
  let redis: RedisClient;
  let acd: AcdStore;
  let n = 0;
  const agent = async (wn: string, languages: Language[], readyAt?: number) => {
    await acd.upsertAgent({ workNumber: wn, name: `A${wn}`, extension: wn, languages });
    if (readyAt !== undefined) expect(await acd.move(wn, { by: 'person', to: 'ready' }, readyAt)).to.deep.equal({ ok: true, from: 'offline' });
  };
  const owner = new Map<string, string>();
  const call = async (language: Language, queuedAt: number, node = 'a') => {
    const callId = `call-${++n}`;
    await acd.enqueue({ callId, language, queuedAt, node, callerNumber: '139' });
    owner.set(callId, node);
    return callId;
  };

  beforeEach(async () => {
    const config = testConfig();
    redis = testRedis(config);
    acd = new AcdStore(redis, config.REDIS_PREFIX);
    await acd.heartbeat('a', 60_000);
    await acd.heartbeat('b', 60_000);
  });
  afterEach(async () => {
    await deleteKeys(redis, `${acd.keys.p}*`);
    redis.disconnect();
  });

  it('lists the processes whose heartbeat mark lives; one taken for dead or stopped drops out', async () => {
    expect(await acd.liveNodes()).to.deep.equal(['a', 'b']);
    await redis.del(acd.keys.node('a'));
    expect(await acd.liveNodes()).to.deep.equal(['b']);
    expect(await acd.heartbeat('a', 60_000)).to.equal(true);
    expect(await acd.liveNodes()).to.deep.equal(['a', 'b']);
    await acd.leaveNodes('b');
    expect(await acd.liveNodes()).to.deep.equal(['a']);
  });

  it('tells a reader only the agents changed since it last looked, whoever changed them (a move, a reservation, a profile)', async () => {
    await agent('1001', ['yue'], 1000);
    await agent('1002', ['cmn'], 1000);
    await agent('1003', ['cmn']);
    const all = await acd.agentChanges(null);
    expect(all.full).to.equal(true);
    expect(all.agents.map((a) => a.workNumber)).to.deep.equal(['1001', '1002', '1003']);
    expect(await acd.agentChanges(all.version)).to.deep.equal({ version: all.version, full: false, agents: [] });

    expect(await acd.move('1003', { by: 'person', to: 'ready' })).to.include({ ok: true });
    const c = await call('cmn', 5000);
    expect(await acd.reserve(c, owner.get(c)!, 60_000, 6000)).to.equal('1002');
    const moved = await acd.agentChanges(all.version);
    expect(moved.full).to.equal(false);
    expect(moved.agents.map((a) => [a.workNumber, a.state])).to.deep.equal([['1003', 'ready'], ['1002', 'reserved']]);

    await acd.upsertAgent({ workNumber: '1001', name: '新名字', extension: '1001', languages: ['yue'] });
    const renamed = await acd.agentChanges(moved.version);
    expect(renamed.agents.map((a) => [a.workNumber, a.name])).to.deep.equal([['1001', '新名字']]);

    // Redis lost its data (the version went back): the reader is given everyone again.
    await redis.del(acd.keys.agentsVersion());
    const again = await acd.agentChanges(renamed.version);
    expect(again.full).to.equal(true);
    expect(again.agents).to.have.length(3);
  });

  it('agentsKnown: the whole floor as agents() gives it, reading only the agents changed since its last call', async () => {
    await agent('1001', ['yue'], 1000);
    await agent('1002', ['cmn'], 1000);
    await agent('1003', ['cmn']);
    const t0 = Date.now();
    expect(await acd.agentsKnown(t0)).to.deep.equal(await acd.agents());
    // Written behind the change marks: only a read of every agent can see it.
    await redis.hset(acd.keys.agent('1001'), 'name', '未标记');

    expect(await acd.move('1003', { by: 'person', to: 'ready' })).to.include({ ok: true });
    const c = await call('cmn', 5000);
    expect(await acd.reserve(c, owner.get(c)!, 60_000, 6000)).to.equal('1002');
    const known = await acd.agentsKnown(t0 + 1000);
    expect(known.map((a) => [a.workNumber, a.name, a.state])).to.deep.equal([['1001', 'A1001', 'ready'], ['1002', 'A1002', 'reserved'], ['1003', 'A1003', 'ready']]);

    // Every agent again once the full-read interval passed, and after forgetKnownAgents().
    expect((await acd.agentsKnown(t0 + 31_000))[0]!.name).to.equal('未标记');
    await redis.hset(acd.keys.agent('1001'), 'name', '又未标记');
    acd.forgetKnownAgents();
    expect(await acd.agentsKnown(t0 + 32_000)).to.deep.equal(await acd.agents());

    // Redis lost its data (the version went back): everyone is read again, nothing kept from before.
    await deleteKeys(redis, `${acd.keys.p}*`);
    await agent('1009', ['yue'], 1000);
    expect((await acd.agentsKnown(t0 + 33_000)).map((a) => a.workNumber)).to.deep.equal(['1009']);
  });

  it('gives the call to the longest-idle Ready agent who speaks its language', async () => {
    await agent('1001', ['yue'], 1000);
    await agent('1004', ['cmn'], 3000);
    await agent('1007', ['yue', 'cmn'], 2000);
    const c = await call('cmn', 5000);
    expect(await acd.reserve(c, owner.get(c)!, 60_000, 6000)).to.equal('1007');
    const a = await acd.agent('1007');
    expect(a).to.include({ state: 'reserved', callId: c });
    expect(await acd.isQueued(c)).to.equal(false);
    // Reserved agents are out of every ready set: the next cmn call gets 1004.
    const c2 = await call('cmn', 5001);
    expect(await acd.reserve(c2, owner.get(c2)!, 60_000, 6000)).to.equal('1004');
  });

  it('waits for a speaker of the language until the fallback time, then takes any Ready agent', async () => {
    await agent('1001', ['yue'], 1000);
    const c = await call('cmn', 10_000);
    expect(await acd.reserve(c, owner.get(c)!, 5000, 14_999)).to.equal(null);
    expect(await acd.reserve(c, owner.get(c)!, 5000, 15_000)).to.equal('1001');
  });

  it('makes a later call yield the agent an earlier eligible call is waiting for, across nodes', async () => {
    await agent('1007', ['yue', 'cmn'], 1000);
    const early = await call('yue', 2000, 'b');
    const late = await call('cmn', 3000, 'a');
    expect(await acd.reserve(late, owner.get(late)!, 60_000, 4000)).to.equal(null);
    expect(await acd.reserve(early, owner.get(early)!, 60_000, 4000)).to.equal('1007');
  });

  it('an earlier call of another process holds later ones back only once it has waited the grace (250 ms)', async () => {
    await agent('1001', ['yue', 'cmn'], 1000);
    await agent('1002', ['yue', 'cmn'], 1001);
    const early = await call('yue', 2000, 'b');
    const late = await call('cmn', 2100, 'a');
    // 249 ms after the early call was queued its own process is about to serve it: no hold.
    expect(await acd.reserve(late, owner.get(late)!, 60_000, 2249)).to.equal('1001');
    expect(await acd.reserve(early, owner.get(early)!, 60_000, 2249)).to.equal('1002');
    // Past the grace the earlier call keeps its turn.
    await agent('1003', ['yue', 'cmn'], 1002);
    const first = await call('yue', 3000, 'b');
    const second = await call('cmn', 3010, 'a');
    expect(await acd.reserve(second, owner.get(second)!, 60_000, 3250)).to.equal(null);
    expect(await acd.reserve(first, owner.get(first)!, 60_000, 3250)).to.equal('1003');
  });

  it('earlier calls set their agents aside, oldest first; a later call takes from what is left instead of waiting for their processes', async () => {
    await agent('1001', ['yue'], 1000);
    await agent('1002', ['cmn'], 1001);
    await agent('1003', ['yue', 'cmn'], 1002);
    const e1 = await call('yue', 2000, 'b');
    const e2 = await call('cmn', 2001, 'b');
    const later = await call('cmn', 2002, 'a');
    // Both earlier calls waited past the grace: 1001 is e1's, 1002 is e2's; 1003 is left over.
    expect(await acd.reserve(later, owner.get(later)!, 60_000, 5000)).to.equal('1003');
    expect(await acd.reserve(e2, owner.get(e2)!, 60_000, 5000)).to.equal('1002');
    expect(await acd.reserve(e1, owner.get(e1)!, 60_000, 5000)).to.equal('1001');
  });

  it('with no agent left over the later call waits; an earlier call past the fallback sets aside an agent of any language', async () => {
    await agent('1001', ['yue'], 1000);
    await agent('1002', ['cmn'], 1001);
    const e1 = await call('cmn', 2000, 'b');
    const later = await call('cmn', 2500, 'a');
    // 1002 is e1's; 1001 does not speak cmn.
    expect(await acd.reserve(later, owner.get(later)!, 60_000, 5000)).to.equal(null);
    // Past the 5 s fallback the later call may take any agent: e1 keeps 1002, the later call gets 1001.
    expect(await acd.reserve(later, owner.get(later)!, 5000, 8000)).to.equal('1001');
    expect(await acd.reserve(e1, owner.get(e1)!, 5000, 8000)).to.equal('1002');
    await agent('1003', ['yue'], 1002);
    const e3 = await call('cmn', 3000, 'b');
    const y = await call('yue', 3100, 'a');
    // e3 has no cmn speaker but is past the fallback: it sets 1003 aside, so the yue call waits.
    expect(await acd.reserve(y, owner.get(y)!, 5000, 8100)).to.equal(null);
    expect(await acd.reserve(e3, owner.get(e3)!, 5000, 8100)).to.equal('1003');
  });

  it('an agent whose phone is unreachable is set aside for nobody: the later call still gets the next', async () => {
    await agent('1001', ['yue'], 1000);
    await agent('1002', ['yue'], 1001);
    await agent('1003', ['yue'], 1002);
    await acd.setPhoneReachable('1001', false);
    const e1 = await call('yue', 2000, 'b');
    const later = await call('yue', 2100, 'a');
    expect(await acd.reserve(later, owner.get(later)!, 60_000, 5000)).to.equal('1003');
    expect(await acd.reserve(e1, owner.get(e1)!, 60_000, 5000)).to.equal('1002');
  });

  it("ignores a dead node's waiting calls when judging fairness", async () => {
    await agent('1007', ['yue', 'cmn'], 1000);
    await call('yue', 2000, 'ghost');
    const late = await call('yue', 3000, 'a');
    expect(await acd.reserve(late, owner.get(late)!, 60_000, 4000)).to.equal('1007');
  });

  it('forgets the queued and live calls of a process that stopped beating, and only those', async () => {
    const ghost = await call('yue', 2000, 'ghost');
    const mine = await call('yue', 2001, 'a');
    await acd.markLive(ghost, 'ghost');
    await acd.markLive(mine, 'a');
    expect(await acd.sweepDeadNodes()).to.deep.equal([{ callId: ghost, node: 'ghost' }]);
    expect((await acd.queued()).map((q) => q.callId)).to.deep.equal([mine]);
    expect([...(await acd.liveCalls()).keys()]).to.deep.equal([mine]);
  });

  it('one survivor takes over a dead process\'s call; if that survivor dies too, another may', async () => {
    // 'a' and 'b' beat (beforeEach); 'c' never did.
    expect(await acd.claimAdoption('orphan-1', 'a')).to.equal(true);
    expect(await acd.claimAdoption('orphan-1', 'b')).to.equal(false);
    expect(await acd.adoptedBy('orphan-1')).to.equal('a');
    expect(await acd.claimAdoption('orphan-2', 'c')).to.equal(true);
    expect(await acd.claimAdoption('orphan-2', 'b')).to.equal(true);
    expect(await acd.adoptedBy('orphan-2')).to.equal('b');
    // An owner beating again (it was only paused) keeps its call.
    expect(await acd.claimAdoption('orphan-3', 'a', 'b')).to.equal(false);
    expect(await acd.claimAdoption('orphan-3', 'a', 'gone')).to.equal(true);
  });

  it('never offers an agent whose phone is unreachable', async () => {
    await agent('1001', ['yue'], 1000);
    await agent('1002', ['yue'], 2000);
    await acd.setPhoneReachable('1001', false);
    const c = await call('yue', 3000);
    expect(await acd.reserve(c, owner.get(c)!, 60_000, 4000)).to.equal('1002');
    await acd.setPhoneReachable('1001', true);
    const c2 = await call('yue', 3001);
    expect(await acd.reserve(c2, owner.get(c2)!, 60_000, 4000)).to.equal('1001');
  });

  it('refuses state moves that the agent is not in a position to make', async () => {
    await agent('1001', ['yue'], 1000);
    // ready → talking skips ringing, and the agent is on no call.
    expect(await acd.move('1001', { by: 'call', call: 'c1', to: 'talking', from: ['ringing', 'reserved'] })).to.include({ ok: false, why: 'state' });
    expect(await acd.move('1001', { by: 'person', to: 'acw' })).to.deep.equal({ ok: true, from: 'ready' }); // an agent may choose wrap-up
    expect(await acd.move('1001', { by: 'person', to: 'not_ready', reason: 'break' })).to.deep.equal({ ok: true, from: 'acw' });
    expect(await acd.agent('1001')).to.include({ state: 'not_ready', reason: 'break', callId: '' });
    expect(await acd.move('1001', { by: 'call', call: 'c1', to: 'ringing', from: ['reserved'] })).to.include({ ok: false, why: 'state' });
    expect(await acd.move('9999', { by: 'person', to: 'ready' })).to.include({ ok: false, why: 'unknown' });
  });

  it('the Lua move script agrees with judgeMove on every state × call × move, ready sets included', async () => {
    await agent('1001', ['yue', 'cmn']);
    const k = acd.keys;
    const moves: AgentMove[] = [
      ...(Object.keys(PERSON_FROM) as Array<keyof typeof PERSON_FROM>).map((to): AgentMove => ({ by: 'person', to, reason: to === 'not_ready' ? 'break' : '' })),
      ...AGENT_STATES.flatMap((to): AgentMove[] => [
        { by: 'call', call: 'c1', to, from: ['reserved', 'ringing', 'talking', 'acw'] },
        { by: 'call', call: 'c1', to, from: ['ready'] },
      ]),
    ];
    let cases = 0;
    for (const state of AGENT_STATES) {
      for (const callId of ['', 'c1', 'c2']) {
        for (const m of moves) {
          await redis.hset(k.agent('1001'), { state, callId, reason: '' });
          const want = judgeMove({ state, callId }, m);
          const got = await acd.move('1001', m, 5000);
          expect(got.ok, `${state}/${callId || '-'} ${JSON.stringify(m)}`).to.equal(want.ok);
          const a = (await acd.agent('1001'))!;
          if (want.ok) {
            expect(a).to.include({ state: m.to, callId: want.callId });
            const inReady = (await redis.zscore(k.ready('any'), '1001')) !== null;
            expect(inReady, 'in the ready set exactly when ready').to.equal(m.to === 'ready');
            expect((await redis.zscore(k.ready('cmn'), '1001')) !== null).to.equal(m.to === 'ready');
          } else {
            expect((got as { why: string }).why).to.equal(want.why);
            expect(a).to.include({ state, callId });
          }
          cases++;
        }
      }
    }
    expect(cases).to.equal(7 * 3 * (4 + 14));
  });

  it('lets only the call\'s owner reserve, and only while its heartbeat mark lives (fencing)', async () => {
    await agent('1001', ['yue'], 1000);
    const c = await call('yue', 2000, 'a');
    // Another process may not ring agents for a's call.
    expect(await acd.reserve(c, 'b', 60_000, 3000)).to.equal(null);
    // a was taken for dead (its mark lapsed): until it beats again it reserves nothing.
    await redis.del(acd.keys.node('a'));
    expect(await acd.reserve(c, 'a', 60_000, 3000)).to.equal(null);
    // b took the call over (enqueued as its own): now b reserves, a still cannot.
    await acd.enqueue({ callId: c, language: 'yue', queuedAt: 2000, node: 'b', callerNumber: '139' });
    await acd.heartbeat('a', 60_000);
    expect(await acd.reserve(c, 'a', 60_000, 3000)).to.equal(null);
    expect(await acd.reserve(c, 'b', 60_000, 3000)).to.equal('1001');
    expect(await acd.agent('1001')).to.include({ state: 'reserved', callId: c });
  });

  it('single-app mode: a standby sees the app holder as live only while its mark lives, and a planned stop lets go at once', async () => {
    expect(await acd.liveAppHolder('hotline')).to.equal(null);
    await acd.holdApp('hotline', 'a');
    expect(await acd.liveAppHolder('hotline')).to.equal('a');
    // Crashed: its heartbeat mark lapses, the holder key stays; a standby must not wait on it.
    await redis.del(acd.keys.node('a'));
    expect(await acd.liveAppHolder('hotline')).to.equal(null);
    await acd.holdApp('hotline', 'b');
    // A stale process letting go does not release the new holder's claim.
    await acd.releaseApp('hotline', 'a');
    expect(await acd.liveAppHolder('hotline')).to.equal('b');
    await acd.releaseApp('hotline', 'b');
    expect(await acd.liveAppHolder('hotline')).to.equal(null);
  });

  it('lets exactly one side win a ringing offer', async () => {
    await acd.startOffer('c1', 1);
    const results = await Promise.all([acd.endOffer('c1', 1, 'answered'), acd.endOffer('c1', 1, 'no-answer')]);
    expect(results.filter(Boolean)).to.have.length(1);
    expect(['answered', 'no-answer']).to.include(await acd.offerState('c1', 1));
  });

  it('never reserves one agent twice when 40 calls race for 5 agents from two clients', async () => {
    for (let i = 0; i < 5; i++) await agent(String(1001 + i), ['yue', 'cmn'], 1000 + i);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await call(i % 2 ? 'yue' : 'cmn', 2000 + i, i % 2 ? 'a' : 'b'));
    const other = testRedis();
    const acd2 = new AcdStore(other, acd.keys.p.slice(1, -1));
    // Rounds of all still-queued calls racing at once from two clients, until nothing moves.
    const winners: string[] = [];
    for (let round = 0; round < 40; round++) {
      const waiting = [];
      for (const id of ids) if (await acd.isQueued(id)) waiting.push(id);
      const got = await Promise.all(waiting.map((id, i) => (i % 2 ? acd : acd2).reserve(id, owner.get(id)!, 0, 10_000)));
      const won = got.filter((g): g is string => g !== null);
      if (won.length === 0) break;
      winners.push(...won);
    }
    other.disconnect();
    expect(winners).to.have.length(5);
    expect(new Set(winners).size).to.equal(5);
    const held = (await acd.agents()).filter((a) => a.state === 'reserved').map((a) => a.callId);
    expect(new Set(held).size).to.equal(5);
  });
});
