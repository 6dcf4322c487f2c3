import { expect } from 'chai';
import { AppError } from '../../core/errors';
import type { DomainEvent } from '../../events/domain-events';
import type { AgentOrdersSnapshot, ErrorBody, HandoverView, SessionUser, UrgeResult } from '../../contracts';
import type { UrgeService } from '../../work-orders/urge';
import { waitFor } from '../helpers/wait';
import { WorkOrderRig } from '../helpers/work-order-rig';

/** The AppError a call was refused with; fails the test when the call succeeds. */
async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err;
}

/** Engineering's on-duty receiver (scripts/seed-data.ts). */
const ON_DUTY = '13800000311';

const agent = (workNumber: string): SessionUser => ({ workNumber, name: `坐席${workNumber}`, role: 'agent' });
const supervisor: SessionUser = { workNumber: '2001', name: '班长 林国栋', role: 'supervisor' };

/**
 * 催办 on a CTI node without telephony, with the real ports main.ts wires: the department notice
 * (Notice documents, SMS through the outbox to a webhook on 127.0.0.1) and the deadline rules.
 * Every order is opened and moved through the work-order service, as the consoles do.
 */
describe('催办 (urging): re-notifies the department once, records the urging, refuses what it must', function () {
  this.timeout(60_000);
  let rig: WorkOrderRig;
  let urge: UrgeService;
  const events: DomainEvent[] = [];

  before(async () => {
    rig = await WorkOrderRig.start({ URGE_REPEAT_MS: '1500' });
    urge = rig.n.node.services.urge;
    rig.n.live.bus.subscribe((e) => events.push(e));
  });
  after(async () => rig?.stop());

  let seq = 0;
  /** A leak order of agent 1001, opened and moved by the service to `status`. */
  async function order(status: 'dispatched' | 'accepted' | 'in_progress' | 'resolved' | 'archived' = 'dispatched'): Promise<string> {
    const svc = rig.service;
    const wo = await svc.create(
      { category: 'leak', contactPhone: '13800000000', address: `解放路 ${++seq} 号`, description: '漏水', leak: { location: `解放路 ${seq} 号门前` } },
      await rig.user('1001'),
    );
    expect(wo.status).to.equal('dispatched');
    const dept = await rig.user('3001');
    const path = ['accepted', 'in_progress', 'resolved', 'archived'];
    for (const s of path.slice(0, path.indexOf(status) + 1)) {
      if (s === 'accepted') await svc.act('accept', wo.number, dept);
      if (s === 'in_progress') await svc.act('start', wo.number, dept);
      if (s === 'resolved') await svc.act('resolve', wo.number, dept, { result: '已更换阀门' });
      if (s === 'archived') await svc.act('archive', wo.number, await rig.user('1001'));
    }
    return wo.number;
  }
  const urgeNotices = async (number: string) => (await rig.notices(number)).filter((n) => n.reason === 'urge');
  const urgeSms = (number: string) => rig.sink.about(number, ON_DUTY).filter((m) => m.text.includes('催办'));

  it('a double click urges once: the department is notified once with reason urge, the order records one urging', async () => {
    const number = await order('dispatched');
    const from = events.length;
    const [a, b] = await Promise.all([urge.urge(number, agent('1001')), urge.urge(number, agent('1001'))]);
    expect([a.repeated, b.repeated].sort()).to.deep.equal([false, true]);
    const done = a.repeated ? b : a;
    expect(done.channels).to.deep.equal(['sms']);
    expect(done.order.urgeCount).to.equal(1);

    // One notice of the urging, to the on-duty receiver, as the agent asked for it.
    const notices = await urgeNotices(number);
    expect(notices).to.have.length(1);
    expect(notices[0]).to.include({ noticeId: `${number}.urge.0`, seq: 0, by: '1001', department: 'engineering', category: 'leak', address: '解放路 1 号', emergency: false });
    expect(notices[0]!.receiver).to.include({ phone: ON_DUTY, role: 'on_duty' });
    expect(notices[0]!.channels).to.deep.equal(['sms']);
    // …and one SMS, delivered by the provider.
    await waitFor(async () => (await rig.smsOf(number)).filter((m) => m.text.includes('催办') && m.status === 'sent').length === 1, { what: 'the urging SMS sent' });
    expect(urgeSms(number)).to.have.length(1);
    expect(urgeSms(number)[0]!.text).to.equal(`【952525热线】催办：工单${number}，类别：报漏，地址：解放路 1 号，尚未办结，请尽快处理。`);

    const doc = await rig.models.WorkOrder.findOne({ number }).lean();
    expect(doc?.urgeCount).to.equal(1);
    expect(doc?.urgedAt).to.be.instanceOf(Date);
    const urged = doc!.history.filter((h) => h.action === 'urged');
    expect(urged).to.have.length(1);
    expect(urged[0]!.by).to.equal('1001');
    expect(urged[0]!.note).to.equal('催办（短信）');
    await waitFor(() => events.slice(from).some((e) => e.type === 'work-order.changed' && e.number === number), { what: 'work-order.changed' });
  });

  it('after the repeat window, a second urging notifies again and counts 2', async () => {
    const number = await order('accepted');
    await urge.urge(number, agent('1001'));
    const again = await urge.urge(number, agent('1001'));
    expect(again.repeated).to.equal(true);
    await waitFor(async () => (await rig.n.node.redis.exists(`${rig.n.live.acd.keys.p}:wo-urge:${number}`)) === 0, { what: 'the repeat window to pass', timeoutMs: 5000 });
    const second = await urge.urge(number, supervisor);
    expect(second.repeated).to.equal(false);
    expect(second.order.urgeCount).to.equal(2);
    const notices = await urgeNotices(number);
    expect(notices.map((n) => [n.seq, n.by])).to.deep.equal([
      [0, '1001'],
      [1, '2001'],
    ]);
    await waitFor(() => urgeSms(number).length === 2, { what: 'two urging SMS' });
  });

  it('refuses resolved and archived orders in Chinese, and tells nobody', async () => {
    for (const [status, zh] of [
      ['resolved', '已办结，无需催办'],
      ['archived', '已归档，无需催办'],
    ] as const) {
      const number = await order(status);
      const err = await refusal(urge.urge(number, agent('1001')));
      expect(err.status).to.equal(409);
      expect(err.zh).to.equal(`工单 ${number} ${zh}`);
      expect(await urgeNotices(number)).to.deep.equal([]);
      expect((await rig.smsOf(number)).filter((m) => m.text.includes('催办'))).to.deep.equal([]);
      expect((await rig.models.WorkOrder.findOne({ number }).lean())?.urgeCount).to.equal(0);
    }
  });

  it('an agent urges their own orders, or those of their shift; not another\'s when off the roster; a department user never', async () => {
    const number = await order('dispatched');
    const handover = rig.n.node.services.handover;
    const shift = handover.current(Date.now());
    await rig.models.Shift.create({ name: shift.label, startsAt: new Date(shift.start), endsAt: new Date(shift.end), leader: '1003', agents: ['1001', '1002', '1003'] });
    try {
      const off = await refusal(urge.urge(number, agent('1009')));
      expect(off.status).to.equal(403);
      expect(off.zh).to.equal('只能催办自己负责的工单，或本班交接的工单');
      const dept = await refusal(urge.urge(number, await rig.user('3001')));
      expect(dept.status).to.equal(403);
      expect(dept.zh).to.equal('只有话务中心可以催办工单');
      expect(await urgeNotices(number)).to.deep.equal([]);
      // 1002 is on this shift's roster.
      expect((await urge.urge(number, agent('1002'))).repeated).to.equal(false);
      expect((await urgeNotices(number)).map((n) => n.by)).to.deep.equal(['1002']);
    } finally {
      await rig.models.Shift.deleteMany({});
    }
  });

  // A notifier that throws needs a database that fails mid-call; the real notifier's everyday way
  // of not reaching a department is a department without an on-duty contact: nobody is told.
  it('when the department cannot be notified (no on-duty contact): 503 in Chinese, nothing recorded, and the next click tries again', async () => {
    const number = await order('dispatched');
    const contacts = await rig.onDuty('engineering');
    expect(contacts.map((c) => c.phone)).to.deep.equal([ON_DUTY]);
    await rig.setOnDuty('engineering', []);
    let err: AppError;
    try {
      err = await refusal(urge.urge(number, agent('1001')));
    } finally {
      await rig.setOnDuty('engineering', contacts);
    }
    expect(err.status).to.equal(503);
    expect(err.zh).to.equal('催办通知未能发出，请稍后重试');
    const doc = await rig.models.WorkOrder.findOne({ number }).lean();
    expect(doc?.urgeCount).to.equal(0);
    expect(doc?.urgedAt ?? null).to.equal(null);
    expect(doc?.history.some((h) => h.action === 'urged')).to.equal(false);
    expect(await urgeNotices(number)).to.deep.equal([]);
    // The department is reachable again: the next click (within the repeat window) urges.
    const retry = await urge.urge(number, agent('1001'));
    expect(retry.repeated).to.equal(false);
    expect(retry.order.urgeCount).to.equal(1);
    expect((await urgeNotices(number)).map((n) => n.receiver?.phone)).to.deep.equal([ON_DUTY]);
  });

  describe('over REST (the routes main.ts mounts)', () => {
    const post = async (path: string, workNumber: string) =>
      fetch(`${rig.n.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${await rig.n.token(workNumber)}` } });

    it('POST /api/work-orders/:number/urge: 200 with the urging, 409 with the Chinese reason, 403 for a department user', async () => {
      const number = await order('in_progress');
      // Its completion limit passes (the rule's handler, run now as BullMQ runs it when due): 催办 list.
      await rig.deadlines.completionDue({ number, dueVersion: 0 });
      const ok = await post(`/api/work-orders/${number}/urge`, '1001');
      expect(ok.status).to.equal(200);
      const body = (await ok.json()) as UrgeResult;
      expect(body).to.deep.include({ repeated: false, channels: ['sms'] });
      expect(body.order).to.include({ number, urgeCount: 1, overdue: true, owner: '1001' });
      expect(await urgeNotices(number)).to.have.length(1);

      const done = await order('resolved');
      const refused = await post(`/api/work-orders/${done}/urge`, '1001');
      expect(refused.status).to.equal(409);
      expect(((await refused.json()) as ErrorBody).error.zh).to.equal(`工单 ${done} 已办结，无需催办`);

      const dept = await post(`/api/work-orders/${number}/urge`, '3001');
      expect(dept.status).to.equal(403);
      const bad = await post('/api/work-orders/nonsense/urge', '1001');
      expect(bad.status).to.equal(400);
      expect(await urgeNotices(number)).to.have.length(1);
    });

    it('GET /api/shifts/current and POST /api/shifts/current/ack', async () => {
      const view = await fetch(`${rig.n.url}/api/shifts/current`, { headers: { authorization: `Bearer ${await rig.n.token('1001')}` } });
      expect(view.status).to.equal(200);
      const refused = await post('/api/shifts/current/ack', '1001');
      expect(refused.status).to.equal(403);
      expect(((await refused.json()) as ErrorBody).error.zh).to.equal('只有本班班长或值班主管可以确认交接');
      const acked = await post('/api/shifts/current/ack', '2001');
      expect(acked.status).to.equal(200);
    });
  });

  it('the leader\'s acknowledgement reaches the consoles on duty at once, the leader\'s with 确认交接; an agent off the roster hears nothing', async () => {
    const handover = rig.n.node.services.handover;
    const shift = handover.current(Date.now());
    await rig.models.Shift.create({ name: shift.label, startsAt: new Date(shift.start), endsAt: new Date(shift.end), leader: '1003', agents: ['1001', '1002', '1003'] });
    const consoles = await Promise.all(['1002', '1003', '1009'].map((wn) => rig.n.client('/agent', wn)));
    try {
      // Each console's own snapshot first: it reads (and so keeps) the handover before the acknowledgement.
      const snaps = await Promise.all(consoles.map((c) => c.next<AgentOrdersSnapshot>('orders:snapshot')));
      expect(snaps[0]!.handover?.reviewed).to.equal(null);
      const [member, leader, off] = consoles as [typeof consoles[0], typeof consoles[0], typeof consoles[0]];
      const from = [member.received.length, leader.received.length, off.received.length];
      await handover.acknowledge(agent('1003'));
      const reviewed = (h: HandoverView) => h.reviewed?.by === '1003';
      const [seen, led] = await Promise.all([member.next<HandoverView>('handover:changed', reviewed, { from: from[0] }), leader.next<HandoverView>('handover:changed', reviewed, { from: from[1] })]);
      expect(seen.canReview).to.equal(false);
      expect(led.canReview).to.equal(true);
      expect(seen.reviewed).to.deep.equal(led.reviewed);
      // A console that connects now is handed the acknowledged handover too (the kept one was dropped).
      const late = await rig.n.client('/agent', '1001');
      consoles.push(late);
      expect((await late.next<AgentOrdersSnapshot>('orders:snapshot')).handover?.reviewed?.by).to.equal('1003');
      expect(off.received.slice(from[2]).some((r) => r.event === 'handover:changed')).to.equal(false);
    } finally {
      for (const c of consoles) c.socket.disconnect();
      await rig.models.Shift.deleteMany({});
    }
  });
});
