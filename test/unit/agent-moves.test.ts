import { expect } from 'chai';
import { AGENT_STATES, judgeMove, PERSON_FROM, type AgentMove, type AgentState } from '../../cti/acd/agent-state';

const PERSON_TARGETS = Object.keys(PERSON_FROM) as Array<keyof typeof PERSON_FROM>;
const at = (state: AgentState, callId = '') => ({ state, callId });

describe('agent moves: a person never leaves a call, a call moves only its own agent', () => {
  it('a person cannot leave reserved, ringing or talking by any choice', () => {
    for (const state of ['reserved', 'ringing', 'talking'] as const) {
      for (const to of PERSON_TARGETS) {
        expect(judgeMove(at(state, 'c1'), { by: 'person', to }), `${state} → ${to}`).to.deep.equal({ ok: false, why: 'state' });
      }
    }
  });

  it('a person moves freely between offline, ready, not ready and wrap-up, and the move names no call', () => {
    const expected: Record<string, string[]> = {
      offline: ['ready', 'not_ready', 'offline'],
      ready: ['ready', 'not_ready', 'acw', 'offline'],
      not_ready: ['ready', 'not_ready', 'acw', 'offline'],
      acw: ['ready', 'not_ready', 'offline'],
    };
    for (const [state, targets] of Object.entries(expected)) {
      for (const to of PERSON_TARGETS) {
        const v = judgeMove(at(state as AgentState, state === 'acw' ? 'c1' : ''), { by: 'person', to });
        // Re-asking for the state one is in is answered before any move (AgentService.change), except
        // Not Ready with another reason, which is a move.
        if (to === state && to !== 'not_ready') continue;
        expect(v.ok, `${state} → ${to}`).to.equal(targets.includes(to));
        if (v.ok) expect(v.callId).to.equal('');
      }
    }
  });

  it('a step of call c1 moves the agent only while the agent is on c1', () => {
    const step: AgentMove = { by: 'call', call: 'c1', to: 'talking', from: ['ringing', 'reserved'] };
    expect(judgeMove(at('ringing', 'c1'), step)).to.deep.equal({ ok: true, callId: 'c1' });
    expect(judgeMove(at('ringing', 'c2'), step)).to.deep.equal({ ok: false, why: 'other-call' });
    expect(judgeMove(at('ready', ''), step)).to.deep.equal({ ok: false, why: 'state' });
  });

  it('the 20 s alarm of an old ring cannot move an agent who is ringing for the next call', () => {
    const alarm: AgentMove = { by: 'call', call: 'c1', to: 'not_ready', from: ['ringing', 'reserved'], reason: 'no-answer' };
    expect(judgeMove(at('ringing', 'c2'), alarm)).to.deep.equal({ ok: false, why: 'other-call' });
    expect(judgeMove(at('reserved', 'c2'), alarm)).to.deep.equal({ ok: false, why: 'other-call' });
    expect(judgeMove(at('ringing', 'c1'), alarm)).to.deep.equal({ ok: true, callId: '' });
  });

  it('the wrap-up timer of a call ends only that call’s wrap-up, never one the agent chose by hand', () => {
    const timer: AgentMove = { by: 'call', call: 'c1', to: 'ready', from: ['acw'] };
    expect(judgeMove(at('acw', 'c1'), timer)).to.deep.equal({ ok: true, callId: '' });
    expect(judgeMove(at('acw', ''), timer), 'wrap-up chosen by hand').to.deep.equal({ ok: false, why: 'other-call' });
    expect(judgeMove(at('acw', 'c2'), timer), 'wrap-up of a later call').to.deep.equal({ ok: false, why: 'other-call' });
    expect(judgeMove(at('ready', ''), timer)).to.deep.equal({ ok: false, why: 'state' });
  });

  it('the call’s own states and its wrap-up keep naming the call; ready and not ready clear it', () => {
    for (const to of AGENT_STATES) {
      const v = judgeMove(at('talking', 'c1'), { by: 'call', call: 'c1', to, from: ['talking'] });
      expect(v, to).to.deep.equal({ ok: true, callId: ['reserved', 'ringing', 'talking', 'acw'].includes(to) ? 'c1' : '' });
    }
  });

  it('a call step never moves an agent who is on no call (a Ready agent is taken only by the reserve script)', () => {
    for (const state of AGENT_STATES) {
      for (const to of AGENT_STATES) {
        expect(judgeMove(at(state, ''), { by: 'call', call: 'c1', to, from: AGENT_STATES }).ok, `${state} → ${to}`).to.equal(false);
      }
    }
  });
});
