import { expect } from 'chai';
import type { Ack, DepartmentSnapshot, ErrorBody, SessionUser, WorkOrderView } from '../../contracts';
import type { DomainEvent } from '../../events/domain-events';
import { WorkOrderService } from '../../work-orders/work-order-service';
import type { ConsoleNode } from '../helpers/console-node';
import { waitFor } from '../helpers/wait';
import { WorkOrderRig } from '../helpers/work-order-rig';

/** On-duty receivers and leaders of the seeded departments (scripts/seed-data.ts). */
const ENGINEERING_ON_DUTY = '13800000311';
const ENGINEERING_LEADER = '13800000301';

const HOUR = 3600_000;

describe('work-order life on Redis and FerretDB: every action, its refusals and its races', function () {
  this.timeout(60_000);
  let rig: WorkOrderRig;
  let n: ConsoleNode;
  let service: WorkOrderService;
  const events: DomainEvent[] = [];

  const user = (workNumber: string): Promise<SessionUser> => rig.user(workNumber);
  /** The due time of an armed deadline job, or null when none is armed. */
  const armedAt = async (...a: ['notice' | 'accept', string] | ['due', string, number]): Promise<number | null> => {
    const job = a[0] === 'due' ? await rig.armed('due', a[1], a[2]) : await rig.armed(a[0], a[1]);
    return job ? WorkOrderRig.dueAt(job) : null;
  };
  const post = async (path: string, workNumber: string, body?: unknown) => {
    const res = await fetch(`${n.url}/api/work-orders/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await n.token(workNumber)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as WorkOrderView & ErrorBody };
  };
  const stored = async (number: string) => (await n.node.models.WorkOrder.findOne({ number }).lean())!;
  const open = async (category = 'leak', by = '1001', extra: Record<string, unknown> = {}) =>
    service.create(
      { category, contactPhone: '13912345678', address: '东城区东风路 8 号', description: '路边井盖冒水', ...(category === 'leak' || category === 'pipe_burst' ? { leak: { location: '东风路 8 号门前' } } : {}), ...extra } as never,
      await user(by),
    );
  /** A refusal leaves the order exactly as it was. */
  const unchanged = async (number: string, fn: () => Promise<unknown>) => {
    const before = await stored(number);
    await fn();
    const after = await stored(number);
    expect(after.updatedAt!.getTime()).to.equal(before.updatedAt!.getTime());
    expect(after.history.length).to.equal(before.history.length);
    expect(after.status).to.equal(before.status);
  };
  const expectRefusal = (r: { status: number; body: ErrorBody }, status: number, zh?: RegExp | string) => {
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    expect(r.body.error.zh).to.match(/[\u4e00-\u9fff]/);
    if (typeof zh === 'string') expect(r.body.error.zh).to.equal(zh);
    else if (zh) expect(r.body.error.zh).to.match(zh);
  };

  before(async () => {
    // The ports as main.ts wires them: notices by SMS to a webhook sink, deadlines on BullMQ, the
    // time-limit table of the configuration (a leak: 4 hours).
    rig = await WorkOrderRig.start({ WORK_ORDER_TIME_LIMITS: 'leak=4h' });
    n = rig.n;
    service = n.node.services.workOrders;
    n.live.bus.subscribe((e) => {
      if (e.type === 'work-order.changed') events.push(e);
    });
  });
  after(async () => rig?.stop());

  /** Every SMS so far went out: the provider is idle. */
  const smsSettled = () => waitFor(async () => (await rig.models.SmsMessage.countDocuments({ status: { $ne: 'sent' } })) === 0, { what: 'every SMS sent' });

  describe('opening and dispatch', () => {
    it('stores the order owned by its agent, arms the deadlines, notifies the department and moves it to dispatched', async () => {
      const wo = await open();
      expect(wo).to.include({ status: 'dispatched', owner: '1001', createdBy: '1001', department: 'engineering', dueVersion: 0 });
      expect(wo.dueBy! - wo.createdAt).to.equal(4 * HOUR);
      expect(wo.notice.channels).to.deep.equal(['sms']);
      expect(wo.notice.sentAt).to.be.a('number');
      expect(wo.history.map((h) => h.action)).to.deep.equal(['created', 'notice-sent', 'dispatched']);
      expect(wo.history[2]).to.include({ by: 'system', from: 'open', to: 'dispatched' });
      // The deadlines: the 5-minute notice rule from the order's creation, the completion limit at dueBy (version 0); no acceptance rule for a leak.
      const notice = await rig.armed('notice', wo.number);
      expect(notice?.data).to.include({ number: wo.number });
      expect(WorkOrderRig.dueAt(notice!)).to.be.closeTo(wo.createdAt + n.config.WORK_ORDER_NOTICE_MS, 1000);
      const due = await rig.armed('due', wo.number, 0);
      expect(due?.data).to.include({ number: wo.number, dueVersion: 0 });
      expect(WorkOrderRig.dueAt(due!)).to.be.closeTo(wo.dueBy!, 1000);
      expect(await armedAt('accept', wo.number)).to.equal(null);
      // The notice: one to the on-duty receiver, for the dispatch, after the deadlines were armed.
      const notices = await rig.notices(wo.number);
      expect(notices).to.have.length(1);
      expect(notices[0]).to.include({ noticeId: `${wo.number}.dispatch.1`, reason: 'dispatch', by: 'system', department: 'engineering', category: 'leak', emergency: false });
      expect(notices[0]!.receiver).to.include({ phone: ENGINEERING_ON_DUTY, role: 'on_duty' });
      expect(notices[0]!.createdAt!.getTime()).to.be.at.least(notice!.timestamp);
      await waitFor(async () => (await rig.smsOf(wo.number)).some((m) => m.status === 'sent'), { what: 'the dispatch SMS sent' });
      expect(rig.sink.about(wo.number).map((m) => [m.to, m.role])).to.deep.equal([[ENGINEERING_ON_DUTY, 'on_duty']]);
      expect(rig.sink.about(wo.number)[0]!.text).to.contain('派单通知').and.contain('东城区东风路 8 号');
      await waitFor(() => events.some((e) => e.type === 'work-order.changed' && e.number === wo.number), { what: 'work-order.changed published' });
    });

    it('a burst main is an emergency notice (Art. 10): the on-duty receiver and the leader at once', async () => {
      const wo = await open('pipe_burst');
      expect(wo.emergency).to.equal(true);
      const notices = await rig.notices(wo.number);
      expect(notices.map((x) => x.reason)).to.deep.equal(['emergency', 'emergency']);
      expect(notices.map((x) => x.receiver?.phone).sort()).to.deep.equal([ENGINEERING_LEADER, ENGINEERING_ON_DUTY].sort());
      await waitFor(() => rig.sink.about(wo.number).length === 2, { what: 'two emergency SMS' });
      for (const m of rig.sink.about(wo.number)) expect(m.text).to.contain('【紧急】');
    });

    it('an SMS provider that refuses does not hold the dispatch: the outbox retries and the SMS goes out once', async () => {
      await smsSettled();
      rig.sink.refuse = 2;
      const wo = await open();
      expect(wo.status).to.equal('dispatched');
      await waitFor(async () => (await rig.smsOf(wo.number))[0]?.status === 'sent', { what: 'the SMS sent after two refusals', timeoutMs: 15_000 });
      const [sms] = await rig.smsOf(wo.number);
      expect(sms).to.include({ to: ENGINEERING_ON_DUTY, purpose: 'notice', status: 'sent', attempts: 3 });
      expect(rig.sink.refused).to.equal(2);
      expect(rig.sink.about(wo.number)).to.have.length(1);
    });

    // A notifier that throws needs a database failing mid-call; the real notifier's way of not
    // reaching a department is a department without an on-duty contact: it tells nobody.
    it('a department nobody can be told of leaves the order open with notice-failed in the history; the deadlines are armed anyway', async () => {
      const contacts = await rig.onDuty('engineering');
      await rig.setOnDuty('engineering', []);
      let wo: WorkOrderView;
      try {
        wo = await open();
      } finally {
        await rig.setOnDuty('engineering', contacts);
      }
      expect(wo.status).to.equal('open');
      expect(wo.history.map((h) => h.action)).to.deep.equal(['created', 'notice-failed']);
      expect(wo.history[1]!.note).to.contain('no on-duty contact');
      expect(wo.notice.sentAt ?? null).to.equal(null);
      expect(await rig.notices(wo.number)).to.deep.equal([]);
      expect(await rig.smsOf(wo.number)).to.deep.equal([]);
      // The 5-minute rule stands: it raises the alarm nobody acknowledged.
      expect(await armedAt('notice', wo.number)).to.be.closeTo(wo.createdAt + n.config.WORK_ORDER_NOTICE_MS, 1000);
      expect(await armedAt('due', wo.number, 0)).to.be.closeTo(wo.dueBy!, 1000);
    });

    it('without ports (no telephony, other folders’ tests) an order is still opened, and stays open', async () => {
      const bare = new WorkOrderService({ models: n.node.models, redis: n.node.redis, bus: n.live.bus, outbox: n.live.outbox, keyPrefix: n.live.acd.keys.p, logger: n.node.logger });
      const wo = await bare.create({ category: 'billing', contactPhone: '13912345678', address: '西城区建设路 1 号', description: '水费异常' }, await user('1002'));
      expect(wo).to.include({ status: 'open', owner: '1002', dueBy: null });
      expect(await rig.notices(wo.number)).to.deep.equal([]);
      expect(await rig.smsOf(wo.number)).to.deep.equal([]);
      expect(await armedAt('notice', wo.number)).to.equal(null);
      expect(await armedAt('due', wo.number, 0)).to.equal(null);
    });
  });

  describe('accept, start, resolve, archive, reopen', () => {
    let wo: WorkOrderView;
    before(async () => {
      wo = await open();
    });

    it('another department may neither read nor accept it (403 in Chinese); nothing changes', async () => {
      await unchanged(wo.number, async () => {
        expectRefusal(await post(`${wo.number}/accept`, '3101'), 403, '该工单属于工程公司，本部门无权操作');
      });
      const read = await fetch(`${n.url}/api/work-orders/${wo.number}`, { headers: { authorization: `Bearer ${await n.token('3101')}` } });
      expect(read.status).to.equal(403);
      expect(((await read.json()) as ErrorBody).error.zh).to.contain('工程公司');
    });

    it('a result before accepting is refused (409), as is a resolve without a result (400) or with unknown fields (400)', async () => {
      await unchanged(wo.number, async () => {
        expectRefusal(await post(`${wo.number}/resolve`, '3001', { result: '已修复' }), 409, '工单当前为「已派单」，不能办结（须为「已受理」或「处理中」）');
        const missing = await post(`${wo.number}/resolve`, '3001', {});
        expectRefusal(missing, 400, '请填写办理结果后再办结');
        expect(missing.body.error.details!.map((d) => d.field)).to.deep.equal(['result']);
        expectRefusal(await post(`${wo.number}/resolve`, '3001', { result: '已修复', status: 'resolved' }), 400);
        // An agent is not the department: refused at the door.
        expectRefusal(await post(`${wo.number}/accept`, '1001'), 403);
      });
    });

    it('accepts at once (two users, and a double click): exactly one wins, the others are told it was already accepted', async () => {
      const all = await Promise.all(['3001', '3311', '3001', '3311'].map((w) => post(`${wo.number}/accept`, w)));
      expect(all.map((r) => r.status).sort()).to.deep.equal([200, 409, 409, 409]);
      for (const loser of all.filter((r) => r.status === 409)) expect(loser.body.error.zh).to.contain('已受理');
      const doc = await stored(wo.number);
      expect(doc.history.filter((h) => h.action === 'accepted')).to.have.length(1);
      expect(doc.history.find((h) => h.action === 'accepted')).to.include({ from: 'dispatched', to: 'accepted' });
      expect(doc.acceptedAt).to.be.instanceOf(Date);
      // Accepting on the page answers the notice too: the 5-minute rule stands down; the completion limit still runs.
      expect(doc.notice?.acknowledgedBy).to.be.oneOf(['3001', '3311']);
      expect(doc.history.filter((h) => h.action === 'notice-acknowledged')).to.have.length(1);
      expect(await armedAt('notice', wo.number)).to.equal(null);
      expect(await armedAt('due', wo.number, 0)).to.be.closeTo(wo.dueBy!, 1000);
    });

    it('a complaint arms the 1-hour acceptance rule (Art. 9); accepting stands it down', async () => {
      const complaint = await open('complaint', '1001', { address: '西城区建设路 5 号', description: '营业厅服务态度差' });
      expect(complaint.department).to.equal('business');
      expect(await armedAt('accept', complaint.number)).to.be.closeTo(complaint.createdAt + n.config.WORK_ORDER_COMPLAINT_ACCEPT_MS, 1000);
      expect((await post(`${complaint.number}/accept`, '3101')).status).to.equal(200);
      expect(await armedAt('accept', complaint.number)).to.equal(null);
      expect(await armedAt('notice', complaint.number)).to.equal(null);
    });

    it('start, then resolve with the result: the deadline rules are closed', async () => {
      const started = await post(`${wo.number}/start`, '3001');
      expect(started.status).to.equal(200);
      expect(started.body).to.include({ status: 'in_progress' });
      const resolved = await post(`${wo.number}/resolve`, '3001', { result: '  更换 DN100 阀门，已恢复供水  ' });
      expect(resolved.status).to.equal(200);
      expect(resolved.body).to.include({ status: 'resolved', result: '更换 DN100 阀门，已恢复供水' });
      expect(resolved.body.resolvedAt).to.be.a('number');
      expect(resolved.body.history.at(-1)).to.include({ action: 'resolved', by: '3001', from: 'in_progress', to: 'resolved', note: '更换 DN100 阀门，已恢复供水' });
      // Nothing more is due: every deadline job of the order is gone.
      expect(await armedAt('notice', wo.number)).to.equal(null);
      expect(await armedAt('accept', wo.number)).to.equal(null);
      expect(await armedAt('due', wo.number, 0)).to.equal(null);
    });

    it('archive: another agent is refused (首问负责制), the owner archives', async () => {
      await unchanged(wo.number, async () => expectRefusal(await post(`${wo.number}/archive`, '1002'), 403, /首问负责制/));
      expectRefusal(await post(`${wo.number}/archive`, '3001'), 403);
      const archived = await post(`${wo.number}/archive`, '1001');
      expect(archived.status).to.equal(200);
      expect(archived.body).to.include({ status: 'archived' });
      expect(archived.body.archivedAt).to.be.a('number');
      expect(await armedAt('due', wo.number, 0)).to.equal(null);
      expect(await armedAt('notice', wo.number)).to.equal(null);
    });

    it('accept after archive is refused (409); reopen needs a reason and re-arms the deadline under a new version', async () => {
      await unchanged(wo.number, async () => {
        expectRefusal(await post(`${wo.number}/accept`, '3001'), 409, '工单当前为「已归档」，不能受理（须为「待派单」或「已派单」）');
        expectRefusal(await post(`${wo.number}/reopen`, '1001', { reopenReason: '   ' }), 400, '请填写重新派单原因');
      });
      const before = await stored(wo.number);
      const reopened = await post(`${wo.number}/reopen`, '2001', { reopenReason: '用户来电：仍然漏水' });
      expect(reopened.status).to.equal(200);
      expect(reopened.body).to.include({ status: 'dispatched', dueVersion: 1, result: null, resolvedAt: null, archivedAt: null, acceptedAt: null });
      expect(reopened.body.dueBy).to.be.greaterThan(before.dueBy!.getTime());
      expect(reopened.body.history.at(-2)).to.include({ action: 'reopened', by: '2001', from: 'archived', to: 'dispatched', note: '用户来电：仍然漏水' });
      // Back to the department: told again (a second dispatch notice), with a new 5 minutes from now.
      expect(reopened.body.history.at(-1)).to.include({ action: 'notice-sent', by: 'system' });
      const reopenedAt = reopened.body.history.at(-2)!.at;
      const notices = await rig.notices(wo.number);
      expect(notices.map((x) => x.noticeId)).to.deep.equal([`${wo.number}.dispatch.1`, `${wo.number}.dispatch.2`]);
      expect(notices[1]!.receiver).to.include({ phone: ENGINEERING_ON_DUTY, role: 'on_duty' });
      await waitFor(async () => (await rig.smsOf(wo.number)).filter((m) => m.status === 'sent').length === 2, { what: 'the second dispatch SMS sent' });
      expect(await armedAt('notice', wo.number)).to.be.closeTo(reopenedAt + n.config.WORK_ORDER_NOTICE_MS, 1000);
      expect((await stored(wo.number)).notice?.acknowledgedAt ?? null).to.equal(null);
      // A new completion job under version 1, at the new dueBy; version 0's never fires.
      expect(await armedAt('due', wo.number, 1)).to.be.closeTo(reopened.body.dueBy!, 1000);
      expect(await armedAt('due', wo.number, 0)).to.equal(null);
      // The department takes it again; the new limit still runs.
      expect((await post(`${wo.number}/accept`, '3001')).status).to.equal(200);
      expect(await armedAt('due', wo.number, 1)).to.be.closeTo(reopened.body.dueBy!, 1000);
    });
  });

  describe('extensions (Art. 9)', () => {
    let wo: WorkOrderView;
    before(async () => {
      wo = await open();
      expect((await post(`${wo.number}/accept`, '3001')).status).to.equal(200);
    });

    it('refuses a time in the past or not later than the current limit (400), and another department (403)', async () => {
      await unchanged(wo.number, async () => {
        const past = await post(`${wo.number}/extensions`, '3001', { extensionReason: '需要停水施工', newDueBy: Date.now() - 60_000 });
        expectRefusal(past, 400, '延期后的办结时间须晚于现在');
        expect(past.body.error.details?.[0]?.field).to.equal('newDueBy');
        expectRefusal(await post(`${wo.number}/extensions`, '3001', { extensionReason: '需要停水施工', newDueBy: wo.dueBy! - 60_000 }), 400, /原办结时限/);
        expectRefusal(await post(`${wo.number}/extensions`, '3101', { extensionReason: '需要停水施工', newDueBy: wo.dueBy! + HOUR }), 403, /工程公司/);
        expectRefusal(await post(`${wo.number}/extensions`, '3001', { extensionReason: '', newDueBy: wo.dueBy! + HOUR }), 400, '请填写延期原因');
      });
    });

    it('one request waits at a time; a non-leader or another department’s leader may not decide; the leader approves: the deadline moves', async () => {
      const asked = await post(`${wo.number}/extensions`, '3001', { extensionReason: '需要夜间停水施工', newDueBy: wo.dueBy! + 6 * HOUR });
      expect(asked.status).to.equal(201);
      const ext = asked.body.extensions.at(-1)!;
      expect(ext).to.include({ status: 'pending', requestedBy: '3001', reason: '需要夜间停水施工', newDueBy: wo.dueBy! + 6 * HOUR });
      expect(asked.body.dueBy).to.equal(wo.dueBy);
      expectRefusal(await post(`${wo.number}/extensions`, '3001', { extensionReason: '再延一次', newDueBy: wo.dueBy! + 9 * HOUR }), 409, /等待负责人审批/);

      // The order went overdue meanwhile (the completion rule's handler, run now as BullMQ runs it at
      // dueBy): flagged, escalated to admin_hr. Approval clears the flag.
      await rig.deadlines.completionDue({ number: wo.number, dueVersion: 0 });
      expect((await stored(wo.number)).overdue).to.equal(true);
      await unchanged(wo.number, async () => {
        expectRefusal(await post(`${wo.number}/extensions/${ext.id}/decision`, '3001', { decision: 'approve' }), 403, '只有本部门负责人可以审批延期申请');
        expectRefusal(await post(`${wo.number}/extensions/${ext.id}/decision`, '3211', { decision: 'approve' }), 403);
        expectRefusal(await post(`${wo.number}/extensions/${ext.id}/decision`, '3311', { decision: 'maybe' }), 400, '请选择批准或驳回');
        expectRefusal(await post(`${wo.number}/extensions/${'f'.repeat(16)}/decision`, '3311', { decision: 'approve' }), 404);
      });

      const approved = await post(`${wo.number}/extensions/${ext.id}/decision`, '3311', { decision: 'approve', note: '同意，注意安全' });
      expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
      expect(approved.body).to.include({ dueBy: wo.dueBy! + 6 * HOUR, dueVersion: 1 });
      expect(approved.body.flags.overdue).to.equal(false);
      expect(approved.body.extensions.at(-1)).to.include({ status: 'approved', decidedBy: '3311', note: '同意，注意安全' });
      expect(approved.body.history.slice(-4).map((h) => h.action)).to.deep.equal(['extension-requested', 'overdue', 'escalated', 'extension-approved']);
      // The completion job moves with it: version 1 at the new time, version 0 gone.
      expect(await armedAt('due', wo.number, 1)).to.be.closeTo(wo.dueBy! + 6 * HOUR, 1000);
      expect(await armedAt('due', wo.number, 0)).to.equal(null);
      // Decided once: a second decision changes nothing.
      await unchanged(wo.number, async () => expectRefusal(await post(`${wo.number}/extensions/${ext.id}/decision`, '3311', { decision: 'reject' }), 409, '该延期申请已批准'));
    });

    it('a rejected request leaves the deadline where it was; a new request may follow', async () => {
      const now = await stored(wo.number);
      const asked = await post(`${wo.number}/extensions`, '3001', { extensionReason: '材料未到', newDueBy: now.dueBy!.getTime() + 24 * HOUR });
      expect(asked.status).to.equal(201);
      const id = asked.body.extensions.at(-1)!.id;
      const rejected = await post(`${wo.number}/extensions/${id}/decision`, '3311', { decision: 'reject', note: '请今日完成' });
      expect(rejected.status).to.equal(200);
      expect(rejected.body).to.include({ dueBy: now.dueBy!.getTime(), dueVersion: 1 });
      expect(rejected.body.extensions.at(-1)).to.include({ status: 'rejected' });
      expect(await armedAt('due', wo.number, 1)).to.be.closeTo(now.dueBy!.getTime(), 1000);
      expect(await armedAt('due', wo.number, 2)).to.equal(null);
      expect((await post(`${wo.number}/extensions`, '3001', { extensionReason: '材料今晚到', newDueBy: now.dueBy!.getTime() + 2 * HOUR })).status).to.equal(201);
    });

    it('two requests at once: one is filed, the other refused', async () => {
      const other = await open();
      await post(`${other.number}/accept`, '3001');
      const [a, b] = await Promise.all([
        post(`${other.number}/extensions`, '3001', { extensionReason: '甲', newDueBy: other.dueBy! + HOUR }),
        post(`${other.number}/extensions`, '3311', { extensionReason: '乙', newDueBy: other.dueBy! + 2 * HOUR }),
      ]);
      expect([a.status, b.status].sort()).to.deep.equal([201, 409]);
      expect((await stored(other.number)).extensions).to.have.length(1);
    });
  });

  describe('hand-over, participants, manual escalation, notice acknowledgement, visibility', () => {
    let wo: WorkOrderView;
    before(async () => {
      wo = await open('pressure', '1003', { address: '南城区南华路 3 号' });
    });

    it('hand-over: only the owner or a supervisor, only to an active agent; recorded', async () => {
      await unchanged(wo.number, async () => {
        expectRefusal(await post(`${wo.number}/hand-over`, '1002', { to: '1004' }), 403, /负责坐席或班长/);
        expectRefusal(await post(`${wo.number}/hand-over`, '1003', { to: '2001' }), 404, /不是在岗坐席/);
        expectRefusal(await post(`${wo.number}/hand-over`, '1003', { to: '1003' }), 400);
        expectRefusal(await post(`${wo.number}/hand-over`, '3201', { to: '1004' }), 403);
      });
      const r = await post(`${wo.number}/hand-over`, '1003', { to: '1004', note: '本人调休' });
      expect(r.status).to.equal(200);
      expect(r.body.owner).to.equal('1004');
      expect(r.body.history.at(-1)).to.include({ action: 'handed-over', by: '1003' });
      expect(r.body.history.at(-1)!.note).to.contain('1003 → 1004');
      // The new owner sees it in their list; the creator still does; another agent does not.
      const listOf = async (w: string) => ((await (await fetch(`${n.url}/api/work-orders?limit=200`, { headers: { authorization: `Bearer ${await n.token(w)}` } })).json()) as WorkOrderView[]).map((o) => o.number);
      expect(await listOf('1004')).to.include(wo.number);
      expect(await listOf('1003')).to.include(wo.number);
      expect(await listOf('1005')).not.to.include(wo.number);
      expect((await post(`${wo.number}/hand-over`, '2001', { to: '1005' })).body.owner).to.equal('1005');
    });

    it('participants: a supervisor adds a department, which then sees and accepts the order live', async () => {
      const eng = await n.client('/department', '3001');
      await eng.next<DepartmentSnapshot>('orders:snapshot');
      expectRefusal(await post(`${wo.number}/participants`, '1003', { departments: ['engineering'] }), 403);
      expectRefusal(await post(`${wo.number}/participants`, '2001', { departments: ['production'] }), 400, /已是本工单/);
      const mark = eng.mark();
      const r = await post(`${wo.number}/participants`, '2001', { departments: ['engineering', 'engineering'] });
      expect(r.status).to.equal(200);
      expect(r.body.participants).to.deep.equal(['engineering']);
      await eng.next<WorkOrderView>('order:changed', (o) => o.number === wo.number, { from: mark });
      const snap = (await eng.command<DepartmentSnapshot>('orders:resync')) as Ack<DepartmentSnapshot>;
      expect(snap.ok && snap.data.orders.map((o) => o.number)).to.include(wo.number);
      const accepted = (await eng.command<WorkOrderView>('order:act', { number: wo.number, action: 'accept' })) as Ack<WorkOrderView>;
      expect(accepted.ok, JSON.stringify(accepted)).to.equal(true);
      expect(accepted.ok && accepted.data.status).to.equal('accepted');
    });

    it('socket commands: an unknown action or a malformed body is a 400 in Chinese; a leader flag comes with the snapshot', async () => {
      const leader = await n.client('/department', '3211');
      const snap = await leader.next<DepartmentSnapshot>('orders:snapshot');
      expect(snap).to.include({ department: 'production', leader: true });
      const unknown = (await leader.command<WorkOrderView>('order:act', { number: wo.number, action: 'teleport' })) as Ack<WorkOrderView>;
      expect(unknown.ok).to.equal(false);
      expect(!unknown.ok && unknown.error).to.include({ code: 'validation' });
      expect(!unknown.ok && unknown.error.zh).to.equal('请求的操作无效，请刷新页面后重试');
      const noResult = (await leader.command<WorkOrderView>('order:act', { number: wo.number, action: 'resolve' })) as Ack<WorkOrderView>;
      expect(!noResult.ok && noResult.error.details?.map((d) => d.field)).to.deep.equal(['result']);
      const plain = await n.client('/department', '3201');
      expect((await plain.next<DepartmentSnapshot>('orders:snapshot')).leader).to.equal(false);
      const business = await n.client('/department', '3101');
      await business.next<DepartmentSnapshot>('orders:snapshot');
      const foreign = (await business.command<WorkOrderView>('order:act', { number: wo.number, action: 'start' })) as Ack<WorkOrderView>;
      expect(!foreign.ok && foreign.error).to.include({ code: 'forbidden', zh: '该工单属于生产部，本部门无权操作' });
    });

    it('manual escalation: reason required; the department or a supervisor; the order keeps its status', async () => {
      await unchanged(wo.number, async () => {
        expectRefusal(await post(`${wo.number}/escalate`, '3201', {}), 400, '请填写升级原因');
        expectRefusal(await post(`${wo.number}/escalate`, '3101', { escalationReason: '超出能力' }), 403, /生产部/);
        expectRefusal(await post(`${wo.number}/escalate`, '1003', { escalationReason: '超出能力' }), 403);
      });
      const r = await post(`${wo.number}/escalate`, '3201', { escalationReason: '需市政配合开挖' });
      expect(r.status).to.equal(200);
      expect(r.body.status).to.equal('accepted');
      expect(r.body.flags.escalated).to.equal(true);
      expect(r.body.escalations.at(-1)).to.include({ reason: 'manual', to: 'admin_hr', by: '3201', note: '需市政配合开挖' });
    });

    it('a notice is acknowledged once: repeated and simultaneous key presses change nothing more', async () => {
      const fresh = await open('water_quality');
      expect(await armedAt('notice', fresh.number)).to.be.a('number');
      await Promise.all([service.acknowledgeNotice(fresh.number, '13800000411', 'call'), service.acknowledgeNotice(fresh.number, '13800000411', 'call')]);
      await service.acknowledgeNotice(fresh.number, '3401', 'page');
      const doc = await stored(fresh.number);
      expect(doc.history.filter((h) => h.action === 'notice-acknowledged')).to.have.length(1);
      expect(doc.notice?.acknowledgedBy).to.equal('13800000411');
      // The 5-minute rule stood down with the first press.
      expect(await armedAt('notice', fresh.number)).to.equal(null);
      expect(await armedAt('due', fresh.number, 0)).to.be.closeTo(fresh.dueBy!, 1000);
      // An unknown order is ignored, not an error.
      await service.acknowledgeNotice('WO20000101-9999', '13800000411', 'call');
    });
  });
});
