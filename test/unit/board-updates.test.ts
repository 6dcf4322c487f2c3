import { expect } from 'chai';
import type { AgentDayRow, BoardAgent, BoardSnapshot } from '../../contracts';
import { applyBoardUpdate, boardUpdate } from '../../contracts/board-updates';

const agent = (workNumber: string, state: BoardAgent['state'], since = 1): BoardAgent => ({
  workNumber,
  name: `坐席${workNumber}`,
  extension: workNumber,
  languages: ['yue'],
  state,
  reason: '',
  since,
  callId: '',
  phoneReachable: true,
});
const row = (workNumber: string, answered: number): AgentDayRow => ({ workNumber, name: '', answered, answeredWithinSl: answered, avgRingMs: null, avgTalkMs: null, ringNoAnswer: 0 });

function board(seq: number, agents: BoardAgent[], byAgent: AgentDayRow[]): BoardSnapshot {
  return {
    seq,
    serverNow: 1000 + seq,
    day: '2026-12-03',
    serviceLevelMs: 20_000,
    waiting: { yue: { count: 0, longestSince: null }, cmn: { count: 0, longestSince: null } },
    queue: [],
    agents,
    agentCounts: { offline: 0, ready: 0, not_ready: 0, reserved: 0, ringing: 0, talking: 0, acw: 0 },
    inProgress: [],
    metrics: {} as BoardSnapshot['metrics'],
    byAgent,
    recentCalls: [],
    workOrders: {} as BoardSnapshot['workOrders'],
  };
}

describe('board updates: the per-agent lists sent as their changes', () => {
  const before = board(7, [agent('1001', 'ready'), agent('1002', 'ready'), agent('1003', 'offline')], [row('1001', 3), row('1002', 2)]);
  const after = board(8, [agent('1001', 'ready'), agent('1002', 'talking', 5), agent('1004', 'ready')], [row('1002', 4), row('1001', 3)]);

  it('carries only the rows that changed and the keys that went, and rebuilds the next board exactly', () => {
    const u = boardUpdate(before, after);
    expect(u.agents.changed.map((a) => a.workNumber)).to.deep.equal(['1002', '1004']);
    expect(u.agents.removed).to.deep.equal(['1003']);
    expect(u.byAgent.changed.map((r) => r.workNumber)).to.deep.equal(['1002']);
    expect(u.byAgent.removed).to.deep.equal([]);
    // The server's order survives: the day's table most answered first.
    expect(applyBoardUpdate(before, u)).to.deep.equal(after);
  });

  it('compares each field, lists by their items: a language added or a phone gone is a change, the same list rebuilt is not', () => {
    const langs = { ...agent('1001', 'ready'), languages: ['yue', 'cmn'] as BoardAgent['languages'] };
    const phone = { ...agent('1002', 'ready'), phoneReachable: false };
    const u = boardUpdate(before, board(8, [langs, phone, agent('1003', 'offline')], before.byAgent.map((r) => ({ ...r }))));
    expect(u.agents.changed.map((a) => a.workNumber)).to.deep.equal(['1001', '1002']);
    expect(u.byAgent.changed).to.deep.equal([]);
  });

  it('says when an update does not follow the board held (ask again) or is older than it (ignore)', () => {
    const u = boardUpdate(before, after);
    expect(applyBoardUpdate(board(6, before.agents, before.byAgent), u)).to.equal('gap');
    expect(applyBoardUpdate(after, u)).to.equal('stale');
  });
});
