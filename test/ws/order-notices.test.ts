import { expect } from 'chai';
import type { ErrorBody, OrderNoticesView, WorkOrderView } from '../../contracts';
import { departments } from '../../scripts/seed-data';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';
import { login } from '../helpers/consoles';
import { waitFor } from '../helpers/wait';

const onDuty = (code: string) => departments.find((d) => d.code === code)!.onDuty;
const leader = (code: string) => departments.find((d) => d.code === code)!.leader;

/**
 * 通知记录 over REST (`GET /api/work-orders/:number/notices`) on a real CTI node without telephony
 * (SMS only, the log gateway) on real Redis and FerretDB: what each receiver was sent and its
 * delivery status, and who may read it — supervisors and admins any order, the order's departments
 * (lead or participant) theirs, the owning agent theirs; everyone else a 403 in Chinese.
 */
describe('GET /api/work-orders/:number/notices (通知记录)', function () {
  this.timeout(60_000);
  let c: ConsoleNode;
  const tokens = new Map<string, string>();
  let leak: WorkOrderView;
  let burst: WorkOrderView;

  const token = async (wn: string) => {
    if (!tokens.has(wn)) tokens.set(wn, (await login(c.url, wn, PASSWORD)).token);
    return tokens.get(wn)!;
  };
  const rest = async <T>(wn: string, method: string, path: string, body?: unknown, url = c.url): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await token(wn)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const notices = (wn: string, number: string) => rest<OrderNoticesView & ErrorBody>(wn, 'GET', `/api/work-orders/${number}/notices`);

  before(async () => {
    c = await ConsoleNode.start({ NOTICE_CHANNELS: 'sms,call' });
    const made = await rest<WorkOrderView>('1001', 'POST', '/api/work-orders', {
      category: 'leak',
      contactPhone: '13912345678',
      address: '人民路12号',
      description: '路边水管漏水',
      leak: { location: '人民路12号门前' },
    });
    expect(made.status).to.equal(201);
    leak = made.body;
    const b = await rest<WorkOrderView>('1002', 'POST', '/api/work-orders', {
      category: 'pipe_burst',
      contactPhone: '13912345679',
      address: '解放路1号',
      description: '主管爆裂',
      leak: { location: '解放路与人民路口', pipeDiameterMm: 300 },
    });
    expect(b.status).to.equal(201);
    burst = b.body;
  });
  after(async () => {
    await c?.stop();
  });

  it('a supervisor sees the dispatch notice to the on-duty receiver with its SMS sent (no call without telephony)', async () => {
    const v = await waitFor(
      async () => {
        const r = await notices('2001', leak.number);
        return r.status === 200 && r.body.notices[0]?.sms?.status === 'sent' ? r.body : null;
      },
      { what: 'the notice SMS sent' },
    );
    expect(v.number).to.equal(leak.number);
    expect(v.notices).to.have.length(1);
    const n = v.notices[0]!;
    expect(n).to.deep.include({ reason: 'dispatch', seq: 1, emergency: false, by: 'system', channels: ['sms'], call: null, acknowledgedAt: null, acknowledgedBy: null });
    expect(n.receiver).to.deep.equal({ name: '工程公司值班', phone: onDuty('engineering'), role: 'on_duty' });
    expect(n.sms).to.deep.include({ status: 'sent', attempts: 1, failedAt: null, error: null });
    expect(n.sms!.sentAt).to.be.a('number');
    expect(v.acknowledgedAt).to.equal(null);
  });

  it('an emergency is sent to the on-duty receiver and the leader, each with their own SMS', async () => {
    const v = await waitFor(
      async () => {
        const r = await notices('9001', burst.number);
        return r.status === 200 && r.body.notices.length === 2 && r.body.notices.every((n) => n.sms?.status === 'sent') ? r.body : null;
      },
      { what: 'both emergency SMS sent' },
    );
    expect(v.notices.map((n) => [n.receiver.phone, n.receiver.role, n.emergency]).sort()).to.deep.equal(
      [
        [leader('engineering'), 'leader', true],
        [onDuty('engineering'), 'on_duty', true],
      ].sort(),
    );
  });

  it('accepting on the department page shows as the order’s acknowledgement, not as a key press on a notice', async () => {
    const acc = await rest<WorkOrderView>('3001', 'POST', `/api/work-orders/${leak.number}/accept`);
    expect(acc.status).to.equal(200);
    const v = (await notices('3001', leak.number)).body;
    expect(v.acknowledgedBy).to.equal('3001');
    expect(v.acknowledgedAt).to.be.a('number');
    expect(v.notices[0]!.acknowledgedAt).to.equal(null);
  });

  it('the order’s own department and owning agent may read; another department, another agent get a 403 in Chinese', async () => {
    expect((await notices('3001', leak.number)).status).to.equal(200);
    expect((await notices('1001', leak.number)).status).to.equal(200);

    const other = await notices('3101', leak.number);
    expect(other.status).to.equal(403);
    expect(other.body.error.zh).to.equal('该工单属于工程公司，本部门无权查看其通知记录');

    const agent = await notices('1002', leak.number);
    expect(agent.status).to.equal(403);
    expect(agent.body.error.zh).to.equal('该工单由其他坐席负责，无权查看其通知记录');
  });

  it('a participating department may read once added', async () => {
    expect((await notices('3111', leak.number)).status).to.equal(403);
    const added = await rest<WorkOrderView>('2001', 'POST', `/api/work-orders/${leak.number}/participants`, { departments: ['business'] });
    expect(added.status).to.equal(200);
    expect((await notices('3111', leak.number)).status).to.equal(200);
  });

  it('an order handed over is read by its new owner, no longer by the agent who opened it', async () => {
    const moved = await rest<WorkOrderView>('1002', 'POST', `/api/work-orders/${burst.number}/hand-over`, { to: '1003' });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    expect((await notices('1003', burst.number)).status).to.equal(200);
    expect((await notices('1002', burst.number)).status).to.equal(403);
  });

  it('an unknown order is a 404 in Chinese, a malformed number a 400, no token a 401', async () => {
    const missing = await notices('2001', 'WO20000101-9999');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.zh).to.equal('工单 WO20000101-9999 不存在');
    expect((await notices('2001', 'not-an-order')).status).to.equal(400);
    expect((await fetch(`${c.node.url}/api/work-orders/${leak.number}/notices`)).status).to.equal(401);
  });
});
