import { expect } from 'chai';
import type { Ack, AgentClientToServer, AgentServerToClient, BoardConsultNotice, SupervisorClientToServer, SupervisorServerToClient, TransferView } from '../../contracts';
import type { CtiNode } from '../../main';
import { callClosed } from '../helpers/calls';
import { ConsoleClient, login } from '../helpers/consoles';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

type Board = ConsoleClient<SupervisorServerToClient, SupervisorClientToServer>;
const PASSWORD = 'test-password';

/**
 * A consulted supervisor's board (their desk phone has no screen-pop): 「来自 1004 … 的咨询」 with the
 * caller and the customer while it rings and during the consult, 「您正在接听由 1004 转接的来电」 after
 * the hand-over until the call ends — on that supervisor's boards only, on whichever node serves
 * them, and again after a reload.
 */
describe('board: the consulted supervisor is told who consults and who is calling', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  const open: ConsoleClient<object, object>[] = [];

  before(async () => {
    h = await PbxHarness.start({ nodes: 2, ready: [], soundMs: 40, env: { ANSWER_ALARM_MS: '3000', AFTER_CALL_WORK_MS: '60000' } });
    await h.calls.agents.login('1004');
    // A second supervisor (no desk phone), watching the board like 2001.
    const sup = await h.node.models.Agent.findOne({ workNumber: '2001' }).select('+passwordHash').lean();
    const { _id: _ignored, extension: _none, ...rest } = sup as typeof sup & { _id: unknown; extension?: string };
    await h.node.models.Agent.create({ ...rest, workNumber: '2002', name: '班长 何敏' });
  });
  after(async () => {
    for (const s of open) s.close();
    await h?.stop();
  });

  async function board(node: CtiNode, wn: string): Promise<Board> {
    const b: Board = new ConsoleClient(node.url, '/supervisor', (await login(node.url, wn, PASSWORD)).token);
    await b.connect();
    open.push(b as ConsoleClient<object, object>);
    return b;
  }

  function ok<T>(r: Ack<T>): T {
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    return (r as { data: T }).data;
  }

  async function answeredBy1004(callerNumber: string): Promise<{ callId: string; caller: ReturnType<PbxHarness['ari']['placeCall']>; agent: ConsoleClient<AgentServerToClient, AgentClientToServer> }> {
    await h.calls.agents.change('1004', 'ready');
    const caller = h.ari.placeCall({ callerNumber, dtmf: [{ digit: '2', afterMs: 0 }] });
    const callId = await waitFor(async () => {
      const a = await h.calls.acd.agent('1004');
      return a?.state === 'talking' && a.callId;
    }, { what: '1004 talking' });
    await waitFor(() => h.ari.bridges().some((b) => b.channels.includes(caller.id) && b.channels.length === 2), { what: 'caller bridged with 1004' });
    const agent = new ConsoleClient<AgentServerToClient, AgentClientToServer>(h.node.url, '/agent', (await login(h.node.url, '1004', PASSWORD)).token);
    await agent.connect();
    open.push(agent as ConsoleClient<object, object>);
    return { callId, caller, agent };
  }

  const notices = (b: Board) => b.events('board:consult') as Array<BoardConsultNotice | null>;

  it('only the target sees the consult, with the caller and the customer; after the hand-over the call is theirs until it ends, also after a reload', async () => {
    const customer = await h.node.models.Customer.findOne({ 'phones.0': { $exists: true } }).lean();
    const number = customer!.phones[0]!;
    const target = await board(h.nodes[1]!, '2001');
    const other = await board(h.node, '2002');
    const { callId, caller, agent } = await answeredBy1004(number);

    ok(await agent.command<TransferView>('call:consult', { callId, target: '2001' }));
    const ringing = await target.next<BoardConsultNotice | null>('board:consult', (n) => n?.callId === callId);
    expect(ringing).to.include({ from: '1004', fromName: '王丽娜', callerNumber: number });
    expect(['ringing', 'consulting']).to.include(ringing!.stage);
    expect(ringing!.customer).to.include({ accountNumber: customer!.accountNumber, name: customer!.name, address: customer!.address });
    await target.next<BoardConsultNotice | null>('board:consult', (n) => n?.callId === callId && n.stage === 'consulting');

    ok(await agent.command<TransferView>('call:consult-complete', { callId }));
    await target.next<BoardConsultNotice | null>('board:consult', (n) => n?.callId === callId && n.stage === 'handed-over');

    // A reload on the other node gets what stands now.
    const reloaded = await board(h.node, '2001');
    const now = await reloaded.next<BoardConsultNotice | null>('board:consult');
    expect(now).to.include({ callId, stage: 'handed-over', from: '1004' });

    const fromTarget = target.mark();
    const fromReloaded = reloaded.mark();
    caller.hangup();
    await callClosed(h, caller);
    await target.next('board:consult', (n) => n === null, { from: fromTarget });
    await reloaded.next('board:consult', (n) => n === null, { from: fromReloaded });

    // The other supervisor was never told of it (their board only got its empty state on connecting).
    expect(notices(other).filter((n) => n !== null)).to.deep.equal([]);
    const later = await board(h.nodes[1]!, '2001');
    expect(await later.next('board:consult')).to.equal(null);
  });

  it('a consult that returns to the caller takes the notice down', async () => {
    const target = await board(h.node, '2001');
    const { callId, caller, agent } = await answeredBy1004('13800005555');
    ok(await agent.command<TransferView>('call:consult', { callId, target: '2001' }));
    const shown = await target.next<BoardConsultNotice | null>('board:consult', (n) => n?.callId === callId && n.stage === 'consulting');
    expect(shown!.customer).to.equal(null);
    const mark = target.mark();
    ok(await agent.command<TransferView>('call:consult-cancel', { callId }));
    await target.next('board:consult', (n) => n === null, { from: mark });
    const later = await board(h.nodes[1]!, '2001');
    expect(await later.next('board:consult')).to.equal(null);
    caller.hangup();
    await callClosed(h, caller);
  });
});
