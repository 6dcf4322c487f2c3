import { expect } from 'chai';
import type { DispatchEntryView } from '../../contracts';
import { ConsoleNode } from '../helpers/console-node';

/** The dispatch exchange (Art. 19) over REST on FerretDB: who enters what, what a leak needs, closing once. */
describe('dispatch exchange: leaks, repairs and valve closures for dispatch; anomalies from dispatch', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  before(async () => {
    n = await ConsoleNode.start();
  });
  after(async () => n?.stop());

  async function call(wn: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: DispatchEntryView & { error?: { zh?: string; details?: Array<{ field: string; zh: string }> } } }> {
    const res = await fetch(`${n.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await n.token(wn)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as DispatchEntryView & { error?: { zh?: string } } };
  }

  it('an agent enters a large leak (the diameter required, in Chinese), dispatch lists it and closes it once', async () => {
    const noDn = await call('1001', 'POST', '/api/dispatch', { kind: 'leak', location: '东风路与人民路口' });
    expect(noDn.status).to.equal(400);
    expect(noDn.body.error?.zh).to.contain('管径');
    const at = Date.now() + 4 * 3600_000;
    const leak = await call('1001', 'POST', '/api/dispatch', { kind: 'leak', location: '东风路与人民路口', diameterMm: 300, affectedArea: '东风路 1–99 号', areaCodes: ['DC-01'], expectedRepairAt: at });
    expect(leak.status, JSON.stringify(leak.body)).to.equal(201);
    expect(leak.body).to.include({ kind: 'leak', side: 'call-centre', status: 'open', diameterMm: 300, createdBy: '1001', expectedRepairAt: at });
    const valve = await call('3001', 'POST', '/api/dispatch', { kind: 'valve', location: 'F-12 阀门井' });
    expect(valve.status).to.equal(400);
    expect(valve.body.error?.zh).to.contain('阀门状态');
    const list = await call('3601', 'GET', '/api/dispatch?status=open');
    expect((list.body as unknown as DispatchEntryView[]).map((e) => e.id)).to.include(leak.body.id);
    // Another agent may not close what is not theirs; dispatch may, once.
    expect((await call('1002', 'POST', `/api/dispatch/${leak.body.id}/close`)).status).to.equal(403);
    const closed = await call('3601', 'POST', `/api/dispatch/${leak.body.id}/close`);
    expect(closed.body).to.include({ status: 'closed', closedBy: '3601' });
    expect((await call('3601', 'POST', `/api/dispatch/${leak.body.id}/close`)).status).to.equal(409);
    expect((await call('3601', 'POST', '/api/dispatch/0123456789abcdef01234567/close')).status).to.equal(404);
  });

  it('anomalies come from dispatch only; dispatch enters no leaks', async () => {
    const byAgent = await call('1001', 'POST', '/api/dispatch', { kind: 'anomaly', location: '北区加压站' });
    expect(byAgent.status).to.equal(403);
    expect(byAgent.body.error?.zh).to.contain('调度中心');
    expect((await call('3601', 'POST', '/api/dispatch', { kind: 'leak', location: 'x', diameterMm: 100 })).status).to.equal(403);
    const a = await call('3601', 'POST', '/api/dispatch', { kind: 'anomaly', location: '北区加压站', affectedArea: '北城区', note: '出厂压力骤降 0.1 MPa' });
    expect(a.status).to.equal(201);
    expect(a.body).to.include({ side: 'dispatch', kind: 'anomaly' });
    const open = (await call('2001', 'GET', '/api/dispatch?status=open&kind=anomaly')).body as unknown as DispatchEntryView[];
    expect(open.map((e) => e.id)).to.deep.equal([a.body.id]);
  });
});
