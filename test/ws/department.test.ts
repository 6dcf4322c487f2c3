import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import type { Ack, DepartmentSnapshot, WorkOrderView } from '../../contracts';
import { emergencyMessage } from '../../work-orders/work-order-service';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';
import { ConsoleClient, refusal } from '../helpers/consoles';
import { waitFor } from '../helpers/wait';

/**
 * `/department` and the department's REST view: who may connect, that each department gets its
 * own orders only (snapshot and live), and that a burst order carries its Art. 13 details through.
 */
describe('department page: namespace, live orders, department checks', function () {
  this.timeout(60_000);
  let n: ConsoleNode;
  /** A burst main filed by agent 1003 on a call from CALLER. */
  let burst: WorkOrderView;
  const CALLER = '13800138000';

  const get = async (path: string, workNumber: string) => fetch(`${n.url}${path}`, { headers: { authorization: `Bearer ${await n.token(workNumber)}` } });
  const dept = (workNumber: string) => n.client('/department', workNumber);
  const create = async (workNumber: string, body: Record<string, unknown>): Promise<WorkOrderView> => {
    const agent = await n.client('/agent', workNumber);
    const r = await agent.command<WorkOrderView>('work-order:create', body);
    agent.close();
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    return (r as { data: WorkOrderView }).data;
  };

  before(async () => {
    n = await ConsoleNode.start();
    // A second department's duty user beside the seed's engineering user 3001.
    await n.node.models.Agent.create({
      workNumber: '3002',
      name: '生产部值班员',
      role: 'department',
      department: 'production',
      languages: [],
      passwordHash: await bcrypt.hash(PASSWORD, 4),
    });
  });
  after(async () => n?.stop());

  it('refuses a missing token, and agents, supervisors and admins (the namespace is for department users)', async () => {
    const tryConnect = async (token: string | undefined) => refusal(new ConsoleClient(n.url, '/department', token));
    expect(await tryConnect(undefined)).to.include({ code: 'unauthorized' });
    expect(await tryConnect(await n.token('1001'))).to.include({ code: 'forbidden' });
    expect(await tryConnect(await n.token('2001'))).to.include({ code: 'forbidden' });
    expect(await tryConnect(await n.token('9001'))).to.include({ code: 'forbidden' });
  });

  it('a new burst order reaches its department live with every Art. 13 detail and the caller number; another department gets nothing', async () => {
    const eng = await dept('3001');
    const prod = await dept('3002');
    expect((await eng.next<DepartmentSnapshot>('orders:snapshot')).department).to.equal('engineering');
    expect((await prod.next<DepartmentSnapshot>('orders:snapshot')).department).to.equal('production');

    const callId = randomUUID();
    await n.node.models.Call.create({ callId, node: 'a', callerChannelId: `ch-${callId}`, callerNumber: CALLER, dialledNumber: '952525', state: 'talking', arrivedAt: new Date(), agentWorkNumber: '1003' });
    burst = await create('1003', {
      category: 'pipe_burst',
      callId,
      contactName: '黄先生',
      contactPhone: '13912345678',
      address: '西城区建设路 88 号',
      description: '路面冒水，水柱约一米高，车辆绕行',
      leak: { location: '建设路与文明路交叉口东北角', pipeDiameterMm: 300, meterSide: 'before', landmarks: '工商银行门口公交站' },
    });
    const live = await eng.next<WorkOrderView>('order:changed', (o) => o.number === burst.number);
    expect(live).to.include({ category: 'pipe_burst', department: 'engineering', emergency: true, callerNumber: CALLER, contactName: '黄先生', contactPhone: '13912345678', address: '西城区建设路 88 号', createdBy: '1003' });
    expect(live.leak).to.deep.equal({ location: '建设路与文明路交叉口东北角', pipeDiameterMm: 300, meterSide: 'before', landmarks: '工商银行门口公交站' });
    // Art. 8: the department is to be notified within 5 minutes of the order.
    expect(live.dispatchBy! - live.createdAt).to.equal(5 * 60_000);

    // A production order: production sees it live; engineering never sees it, and production never saw the burst.
    const pressure = await create('1004', { category: 'pressure', contactPhone: '13700000000', address: '南城区南华路 3 号', description: '高层水压不足' });
    await prod.next<WorkOrderView>('order:changed', (o) => o.number === pressure.number);
    const complaint = await create('1004', { category: 'complaint', contactPhone: '13700000001', address: '北城区北京路 1 号', description: '抄表员态度差' });
    expect(complaint.acceptBy! - complaint.createdAt).to.equal(60 * 60_000);
    // The complaint goes to 营业部 (business). A repeated event per department is a barrier: once it
    // is in, everything published before it has been delivered (one bus, in order).
    const [em, pm] = [eng.mark(), prod.mark()];
    await n.publish({ type: 'work-order.changed', number: burst.number, department: 'engineering', at: Date.now() });
    await n.publish({ type: 'work-order.changed', number: pressure.number, department: 'production', at: Date.now() });
    await eng.next<WorkOrderView>('order:changed', (o) => o.number === burst.number, { from: em });
    await prod.next<WorkOrderView>('order:changed', (o) => o.number === pressure.number, { from: pm });
    const numbers = (c: ConsoleClient) => new Set(c.events('order:changed').map((o) => (o as WorkOrderView).number));
    expect([...numbers(eng)]).to.deep.equal([burst.number]);
    expect([...numbers(prod)]).to.deep.equal([pressure.number]);
  });

  it('every (re)connect and orders:resync bring the department its own orders only', async () => {
    const again = await dept('3001');
    const snap = await again.next<DepartmentSnapshot>('orders:snapshot');
    expect(snap.orders.map((o) => o.number)).to.include(burst.number);
    expect(snap.orders.every((o) => o.department === 'engineering')).to.equal(true);
    expect(snap.orders.find((o) => o.number === burst.number)?.leak?.pipeDiameterMm).to.equal(300);
    const r = (await again.command<DepartmentSnapshot>('orders:resync')) as Ack<DepartmentSnapshot>;
    expect(r.ok).to.equal(true);
    expect((r as { data: DepartmentSnapshot }).data.orders.every((o) => o.department === 'engineering')).to.equal(true);
    const prod = await dept('3002');
    const prodSnap = await prod.next<DepartmentSnapshot>('orders:snapshot');
    expect(prodSnap.orders.length).to.be.greaterThan(0);
    expect(prodSnap.orders.every((o) => o.department === 'production')).to.equal(true);
  });

  it('a department user moved to another department or made inactive cannot connect with the old token', async () => {
    const token = await n.token('3002');
    await n.node.models.Agent.updateOne({ workNumber: '3002' }, { $set: { department: 'engineering' } });
    expect(await refusal(new ConsoleClient(n.url, '/department', token))).to.include({ code: 'forbidden' });
    await n.node.models.Agent.updateOne({ workNumber: '3002' }, { $set: { department: 'production', active: false } });
    expect(await refusal(new ConsoleClient(n.url, '/department', token))).to.include({ code: 'unauthorized' });
    await n.node.models.Agent.updateOne({ workNumber: '3002' }, { $set: { active: true } });
  });

  it('REST: a department reads its own orders with every detail; another department and an agent who did not file it get 403', async () => {
    const list = (await (await get('/api/work-orders?limit=200', '3001')).json()) as WorkOrderView[];
    expect(list.every((o) => o.department === 'engineering')).to.equal(true);
    const one = await get(`/api/work-orders/${burst.number}`, '3001');
    expect(one.status).to.equal(200);
    const body = (await one.json()) as WorkOrderView;
    expect(body).to.include({ callerNumber: CALLER });
    expect(body.leak).to.include({ location: '建设路与文明路交叉口东北角', meterSide: 'before' });
    expect((await get(`/api/work-orders/${burst.number}`, '3002')).status).to.equal(403);
    expect((await get(`/api/work-orders/${burst.number}`, '1002')).status).to.equal(403);
    // The department filter cannot be widened from the query string.
    const asked = (await (await get('/api/work-orders?department=engineering', '3002')).json()) as WorkOrderView[];
    expect(asked.every((o) => o.department === 'production')).to.equal(true);
  });

  it('the emergency alarm quotes the burst location and pipe, not the registered address (the address only when no location is stored)', async () => {
    const alarm = await waitFor(async () => (await n.node.models.Alarm.findOne({ key: `emergency:${burst.number}` }).lean()) ?? undefined, { what: 'emergency alarm stored' });
    expect(alarm.message).to.equal(`紧急工单 ${burst.number}：建设路与文明路交叉口东北角 爆管（管径 300 毫米，表前），已转工程公司负责人`);
    expect(alarm.message).not.to.contain('建设路 88 号');
    expect(emergencyMessage({ number: 'WO20260101-0001', department: 'engineering', address: '东城区东风路 1 号', leak: null })).to.equal(
      '紧急工单 WO20260101-0001：东城区东风路 1 号 爆管，已转工程公司负责人',
    );
  });
});
