import { expect } from 'chai';
import type { Ack, AckError, AgentOrderChange, AgentOrdersSnapshot, BoardSnapshot, ErrorBody, WorkOrderView } from '../../contracts';
import { DEPARTMENT_LABEL } from '../../models/enums';
import { ConsoleClient, login } from '../helpers/consoles';
import { PbxHarness } from '../helpers/pbx-harness';

const PASSWORD = 'test-password';

/**
 * `work-order:act` from the call centre's consoles (/agent and /supervisor) against a real CTI node
 * on real Redis and FerretDB, over real sockets: what an agent may do to the orders it owns (归档,
 * 重新派单, 转交), what only supervisors may do (升级, 增加协办部门, 归档 any order), every refusal
 * with its Chinese `zh`, and 我的工单 following a hand-over live on both agents' consoles.
 */
describe('work-order:act on /agent and /supervisor (call-centre actions)', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  const clients: ConsoleClient[] = [];
  let a1: ConsoleClient;
  let a2: ConsoleClient;
  let a3: ConsoleClient;
  let sup: ConsoleClient;
  let engToken: string;

  async function open(nsp: '/agent' | '/supervisor', workNumber: string): Promise<ConsoleClient> {
    const { token } = await login(h.node.url, workNumber, PASSWORD);
    const c = new ConsoleClient(h.node.url, nsp, token);
    clients.push(c);
    await c.connect();
    return c;
  }

  before(async () => {
    h = await PbxHarness.start({ ready: [] });
    a1 = await open('/agent', '1001');
    a2 = await open('/agent', '1002');
    a3 = await open('/agent', '1003');
    sup = await open('/supervisor', '2001');
    for (const a of [a1, a2, a3]) await a.next('orders:snapshot');
    await sup.next('board');
    engToken = (await login(h.node.url, '3001', PASSWORD)).token;
  });
  after(async () => {
    for (const c of clients) c.close();
    await h?.stop();
  });

  async function create(c: ConsoleClient, address: string): Promise<WorkOrderView> {
    const r = await c.command<WorkOrderView>('work-order:create', { category: 'installation', contactPhone: '13912345678', address, description: '新装水表申请' });
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    return (r as { ok: true; data: WorkOrderView }).data;
  }

  async function department(action: 'accept' | 'resolve', number: string, body?: unknown): Promise<void> {
    const res = await fetch(`${h.node.url}/api/work-orders/${number}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${action}: ${res.status === 200 ? '' : ((await res.json()) as ErrorBody).error.message}`).to.equal(200);
  }

  const act = (c: ConsoleClient, cmd: unknown) => c.command<WorkOrderView>('work-order:act', cmd);
  const ok = (r: Ack<WorkOrderView>): WorkOrderView => {
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    return (r as { ok: true; data: WorkOrderView }).data;
  };
  const refused = (r: Ack<WorkOrderView>): AckError => {
    expect(r.ok, JSON.stringify(r)).to.equal(false);
    return (r as { ok: false; error: AckError }).error;
  };
  const stored = async (number: string) => (await h.node.models.WorkOrder.findOne({ number }).lean())!;

  it('refuses malformed commands (400 validation) with the fields named in Chinese; nothing changes', async () => {
    const wo = await create(a1, '东城区和平路 1 号');
    const before = await stored(wo.number);

    const noNumber = refused(await act(a1, { action: 'archive' }));
    expect(noNumber.code).to.equal('validation');
    expect(noNumber.zh).to.be.a('string').and.match(/[\u4e00-\u9fa5]/);
    expect(noNumber.details?.map((d) => d.field)).to.include('number');
    expect(noNumber.details?.find((d) => d.field === 'number')?.zh).to.contain('工单号');

    const unknown = refused(await act(a1, { action: 'delete', number: wo.number }));
    expect(unknown.code).to.equal('validation');
    expect(unknown.zh).to.match(/[\u4e00-\u9fa5]/);

    const extra = refused(await act(a1, { action: 'archive', number: wo.number, status: 'archived' }));
    expect(extra.code).to.equal('validation');

    const noReason = refused(await act(a1, { action: 'reopen', number: wo.number, reopenReason: '  ' }));
    expect(noReason.code).to.equal('validation');
    expect(noReason.details?.find((d) => d.field === 'reopenReason')?.zh).to.equal('请填写重新派单原因');

    const badNumber = refused(await act(a1, { action: 'archive', number: 'WO-1' }));
    expect(badNumber.code).to.equal('validation');

    const after = await stored(wo.number);
    expect(after.status).to.equal(before.status);
    expect(after.history.length).to.equal(before.history.length);
  });

  it('an agent archives its own order only once resolved (409 before, in Chinese), after the department resolved it; 我的工单 follows live', async () => {
    const wo = await create(a1, '东城区和平路 2 号');
    const early = refused(await act(a1, { action: 'archive', number: wo.number }));
    expect(early.code).to.equal('conflict');
    expect(early.zh).to.contain('不能归档');
    expect(early.zh).to.contain('已办结');
    expect((await stored(wo.number)).status).to.not.equal('archived');

    await department('accept', wo.number);
    await department('resolve', wo.number, { result: '已上门安装水表' });
    // The board lists it as waiting for 归档.
    await sup.next<BoardSnapshot>('board', (b) => b.workOrders.toArchive.orders.some((o) => o.number === wo.number));

    const from = a1.mark();
    const archived = ok(await act(a1, { action: 'archive', number: wo.number }));
    expect(archived.status).to.equal('archived');
    expect(archived.archivedAt).to.be.a('number');
    expect(archived.history.at(-1)).to.include({ action: 'archived', by: '1001', from: 'resolved', to: 'archived' });
    const change = await a1.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number && c.order.status === 'archived', { from });
    expect(change.order.owner).to.equal('1001');
    // Off the board's 待归档 list (a snapshot taken after the archive).
    await sup.next<BoardSnapshot>('board', (b) => b.serverNow >= archived.updatedAt && !b.workOrders.toArchive.orders.some((o) => o.number === wo.number));

    // Twice: the second is refused, the first stands.
    const again = refused(await act(a1, { action: 'archive', number: wo.number }));
    expect(again.code).to.equal('conflict');
    expect(again.zh).to.contain('已归档');

    // 重新派单 with a reason: back to the department.
    const reopened = ok(await act(a1, { action: 'reopen', number: wo.number, reopenReason: '用户来电反映水表仍未安装' }));
    expect(reopened.status).to.equal('dispatched');
    // Reopened, and the department told again.
    expect(reopened.history.slice(-2).map((e) => e.action)).to.deep.equal(['reopened', 'notice-sent']);
    expect(reopened.history.at(-2)).to.include({ action: 'reopened', by: '1001', note: '用户来电反映水表仍未安装' });
  });

  it('an agent may not touch a colleague’s order (403, 首问负责制), nor escalate or add departments (supervisors only)', async () => {
    const wo = await create(a1, '东城区和平路 3 号');
    await department('accept', wo.number);
    await department('resolve', wo.number, { result: '已处理' });
    const before = await stored(wo.number);

    for (const cmd of [
      { action: 'archive', number: wo.number },
      { action: 'reopen', number: wo.number, reopenReason: '不满意' },
      { action: 'hand-over', number: wo.number, to: '1002' },
    ]) {
      const e = refused(await act(a2, cmd));
      expect(e.code, cmd.action).to.equal('forbidden');
      expect(e.zh, cmd.action).to.match(/负责坐席|首问负责制/);
    }
    const esc = refused(await act(a1, { action: 'escalate', number: wo.number, escalationReason: '多次投诉' }));
    expect(esc).to.include({ code: 'forbidden', zh: '坐席不能直接升级工单，请联系班长' });
    const part = refused(await act(a1, { action: 'participants', number: wo.number, departments: ['business'] }));
    expect(part).to.include({ code: 'forbidden', zh: '只有班长或管理员可以增加协办部门' });

    const after = await stored(wo.number);
    expect(after.status).to.equal('resolved');
    expect(after.escalated).to.equal(false);
    expect(after.participants ?? []).to.deep.equal([]);
    expect(after.history.length).to.equal(before.history.length);
  });

  it('转交: the order leaves the old owner’s list and appears in the new owner’s, live — also for an owner who did not create it', async () => {
    const wo = await create(a1, '东城区和平路 4 号');
    const snap = (await a1.command<AgentOrdersSnapshot>('orders:resync')) as { ok: true; data: AgentOrdersSnapshot };
    expect(snap.data.mine.map((o) => o.number)).to.include(wo.number);
    // Whom 转交 offers: the other active agents, not oneself.
    expect(snap.data.colleagues.map((c) => c.workNumber)).to.include.members(['1002', '1003']).and.not.include('1001');

    // Not a colleague: a department user, an unknown work number; the order stays with 1001.
    const dept = refused(await act(a1, { action: 'hand-over', number: wo.number, to: '3001' }));
    expect(dept.code).to.equal('not_found');
    expect(dept.zh).to.contain('不是在岗坐席');
    const self = refused(await act(a1, { action: 'hand-over', number: wo.number, to: '1001' }));
    expect(self.code).to.equal('bad_request');
    expect(self.zh).to.contain('已由工号 1001 负责');

    let m1 = a1.mark();
    let m2 = a2.mark();
    const handed = ok(await act(a1, { action: 'hand-over', number: wo.number, to: '1002', note: '用户要求普通话坐席跟进' }));
    expect(handed.owner).to.equal('1002');
    expect(handed.history.at(-1)).to.include({ action: 'handed-over', by: '1001' });
    expect(handed.history.at(-1)?.note).to.contain('1001 → 1002');
    const gained = await a2.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number, { from: m2 });
    expect(gained.order.owner).to.equal('1002');
    const lost = await a1.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number, { from: m1 });
    expect(lost.order.owner).to.equal('1002');
    // The old owner may no longer act on it.
    expect(refused(await act(a1, { action: 'hand-over', number: wo.number, to: '1003' })).code).to.equal('forbidden');

    // 1002 passes it on to 1003: 1002 neither created nor owns it now, and its page still drops it.
    m1 = a1.mark();
    m2 = a2.mark();
    const m3 = a3.mark();
    ok(await act(a2, { action: 'hand-over', number: wo.number, to: '1003' }));
    expect((await a3.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number, { from: m3 })).order.owner).to.equal('1003');
    expect((await a2.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number, { from: m2 })).order.owner).to.equal('1003');
    expect((await a1.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number, { from: m1 })).order.owner).to.equal('1003');
    const list2 = (await a2.command<AgentOrdersSnapshot>('orders:resync')) as { ok: true; data: AgentOrdersSnapshot };
    expect(list2.data.mine.map((o) => o.number)).to.not.include(wo.number);
    const list3 = (await a3.command<AgentOrdersSnapshot>('orders:resync')) as { ok: true; data: AgentOrdersSnapshot };
    expect(list3.data.mine.map((o) => o.number)).to.include(wo.number);

    // Once 1002's page has dropped it, a later change no longer reaches 1002.
    m2 = a2.mark();
    const m3b = a3.mark();
    await department('accept', wo.number);
    await a3.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number && c.order.status === 'accepted', { from: m3b });
    await a1.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number && c.order.status === 'accepted', { from: m1 });
    expect(a2.events('orders:changed', m2).filter((c) => (c as AgentOrderChange).order.number === wo.number)).to.deep.equal([]);
    expect((await stored(wo.number)).owner).to.equal('1003');
  });

  it('a supervisor escalates with a reason, adds a participating department and archives any agent’s resolved order; the board shows it', async () => {
    const wo = await create(a2, '东城区和平路 5 号');

    const noReason = refused(await act(sup, { action: 'escalate', number: wo.number, escalationReason: '' }));
    expect(noReason.code).to.equal('validation');
    expect(noReason.details?.find((d) => d.field === 'escalationReason')?.zh).to.equal('请填写升级原因');

    let m = sup.mark();
    const esc = ok(await act(sup, { action: 'escalate', number: wo.number, escalationReason: '涉及多个小区，需行政人事部协调' }));
    expect(esc.flags.escalated).to.equal(true);
    expect(esc.escalations.at(-1)).to.include({ reason: 'manual', to: 'admin_hr', by: '2001', note: '涉及多个小区，需行政人事部协调' });
    expect(esc.status).to.equal(wo.status);
    await sup.next<BoardSnapshot>('board', (b) => b.workOrders.escalated.orders.some((o) => o.number === wo.number), { from: m });

    const joined = ok(await act(sup, { action: 'participants', number: wo.number, departments: ['business'] }));
    expect(joined.participants).to.deep.equal(['business']);
    expect(joined.history.at(-1)).to.include({ action: 'participant-added', by: '2001', note: DEPARTMENT_LABEL.business });
    const twice = refused(await act(sup, { action: 'participants', number: wo.number, departments: ['business'] }));
    expect(twice).to.include({ code: 'bad_request', zh: '所选部门已是本工单的牵头或协办部门' });
    const empty = refused(await act(sup, { action: 'participants', number: wo.number, departments: [] }));
    expect(empty.code).to.equal('validation');
    expect(empty.details?.[0]?.field).to.equal('departments');

    // The supervisor archives 1002's order once resolved (not before).
    expect(refused(await act(sup, { action: 'archive', number: wo.number })).code).to.equal('conflict');
    await department('accept', wo.number);
    await department('resolve', wo.number, { result: '已协调安装' });
    m = a2.mark();
    const archived = ok(await act(sup, { action: 'archive', number: wo.number }));
    expect(archived.status).to.equal('archived');
    expect(archived.history.at(-1)).to.include({ action: 'archived', by: '2001' });
    // The owning agent sees it archived.
    await a2.next<AgentOrderChange>('orders:changed', (c) => c.order.number === wo.number && c.order.status === 'archived', { from: m });
    // Archived: no more escalation or departments.
    expect(refused(await act(sup, { action: 'escalate', number: wo.number, escalationReason: '再次升级' }))).to.include({ code: 'conflict', zh: '工单已归档，不能升级' });
    expect(refused(await act(sup, { action: 'participants', number: wo.number, departments: ['production'] }))).to.include({ code: 'conflict', zh: '工单已归档，不能增加协办部门' });

    const unknown = refused(await act(sup, { action: 'archive', number: 'WO20000101-9999' }));
    expect(unknown.code).to.equal('not_found');
    expect(unknown.zh).to.contain('不存在');
  });
});
