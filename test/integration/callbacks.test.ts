import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { CallbackFigures, CallbackView, RecordCallbackResultBody, SmsInboundResult } from '../../contracts';
import type { CallbackService } from '../../callbacks/callback-service';
import { drawEngineeringSample, EngineeringSampler } from '../../callbacks/engineering-sample';
import type { DepartmentCode, WorkOrderCategory } from '../../models/enums';
import { signedSms } from '../helpers/sms-signing';
import { waitFor } from '../helpers/wait';
import { WorkOrderRig } from '../helpers/work-order-rig';

const SECRET = 'inbound-test-secret-0123456789';
/** Each department's on-duty user (scripts/seed-data.ts). */
const DEPARTMENT_USER: Record<DepartmentCode, string> = { business: '3101', production: '3201', engineering: '3001', safety_tech: '3401', admin_hr: '3501', dispatch: '3601' };
const PHONE_WITHIN_MS = 3 * 24 * 3600_000;

const signed = (body: object, o: Parameters<typeof signedSms>[2] = {}) => signedSms(SECRET, body, o);

/**
 * Callbacks (回访, Art. 20–22) on a CTI node with the real ports: orders opened and resolved through
 * the work-order service, SMS through the outbox to a webhook on 127.0.0.1, customers' replies
 * posted signed to the inbound webhook, the rules as BullMQ jobs. Every after-sales callback is
 * drawn SMS here (CALLBACK_SMS_SHARE=1: the draw itself is tested in test/unit/callback-draw.test.ts);
 * complaints are called back by phone.
 */
describe('callbacks (回访): made when an order is completed, SMS replies, phone results, follow-ups, deadlines', function () {
  this.timeout(60_000);
  let rig: WorkOrderRig;
  let callbacks: CallbackService;

  before(async () => {
    rig = await WorkOrderRig.start({ CALLBACK_SMS_SHARE: '1', SMS_INBOUND_SECRET: SECRET });
    callbacks = rig.n.node.services.callbacks;
  });
  after(async () => rig?.stop());

  let seq = 0;
  /** A new customer's number, so no test's reply meets another test's callback. */
  const phone = () => `1390000${String(++seq).padStart(4, '0')}`;

  /** An order of agent 1001 for `contact`, resolved by its department. */
  async function resolved(category: WorkOrderCategory, contact: string): Promise<string> {
    const svc = rig.service;
    const wo = await svc.create({ category, contactPhone: contact, contactName: '陈先生', address: `解放路 ${seq} 号`, description: '测试' }, await rig.user('1001'));
    const dept = await rig.user(DEPARTMENT_USER[wo.department]);
    await svc.act('accept', wo.number, dept);
    await svc.act('resolve', wo.number, dept, { result: '已处理' });
    return wo.number;
  }

  async function callback(id: string): Promise<CallbackView> {
    return callbacks.get(id, await rig.user('2001'));
  }

  async function inbound(body: object, o: Parameters<typeof signed>[1] = {}): Promise<{ status: number; json: SmsInboundResult & { error?: { message: string } } }> {
    const s = signed(body, o);
    const res = await fetch(`${rig.n.url}/api/sms/inbound`, { method: 'POST', headers: s.headers, body: s.raw });
    return { status: res.status, json: (await res.json()) as SmsInboundResult & { error?: { message: string } } };
  }

  const result = (verdict: 'satisfied' | 'unsatisfied', customerWords?: string): RecordCallbackResultBody => ({
    serviceQuality: verdict === 'satisfied' ? 'satisfied' : 'fair',
    attitude: 'satisfied',
    timeliness: verdict === 'satisfied' ? 'satisfied' : 'unsatisfied',
    verdict,
    ...(customerWords ? { customerWords } : {}),
  });

  it('a resolved inquiry gets an SMS callback: the draw stored with its seed, the SMS asks for 1 or 2, the reply wait armed', async () => {
    const to = phone();
    const number = await resolved('inquiry', to);
    const cb = await callback(`${number}.after_sales`);
    expect(cb).to.include({ method: 'sms', reason: 'after_sales', status: 'sms_sent', phone: to, workOrderNumber: number, department: 'business' });
    expect(cb.draw).to.deep.include({ seed: number, smsShare: 1 });
    const sms = await waitFor(() => rig.sink.about(number, to)[0], { what: 'the callback SMS' });
    expect(sms.text).to.include('1 满意').and.include('2 不满意');
    const reply = await callbacks.rules.reply.queue.getJob(`cb-reply.${cb.id}.1`);
    expect(reply && (await reply.isDelayed())).to.equal(true);
    // The order no longer owes its callback.
    expect((await rig.models.WorkOrder.findOne({ number }).lean())?.callbackPending).to.equal(undefined);
  });

  it('a resolved complaint gets a phone callback due 3 days after completion; an engineering job none (sampled monthly)', async () => {
    const number = await resolved('complaint', phone());
    const order = await rig.models.WorkOrder.findOne({ number }).lean();
    const cb = await callback(`${number}.complaint`);
    expect(cb).to.include({ method: 'phone', reason: 'complaint', status: 'pending', overdue: false });
    expect(cb.draw).to.equal(null);
    expect(cb.dueBy - cb.completedAt).to.equal(PHONE_WITHIN_MS);
    expect(cb.completedAt).to.equal(order!.resolvedAt!.getTime());
    const job = await callbacks.rules.due.queue.getJob(`cb-due.${cb.id}`);
    expect(job && (await job.isDelayed())).to.equal(true);

    const install = await resolved('installation', phone());
    expect(await rig.models.Callback.countDocuments({ workOrderNumber: install })).to.equal(0);
    expect((await rig.models.WorkOrder.findOne({ number: install }).lean())?.callbackPending).to.equal(undefined);
  });

  it('the 3-day rule fires once: flagged overdue, one supervisor alarm, however often it runs; a callback made in time cancels it', async () => {
    const late = await callback(`${await resolved('complaint', phone())}.complaint`);
    const due = callbacks.rules.due;
    // Due now: the real job on the real worker.
    await due.reschedule(due.idFor(late.id), { id: late.id }, 0);
    const alarm = await waitFor(() => rig.models.Alarm.findOne({ key: `callback-overdue.${late.id}` }).lean(), { what: 'the overdue alarm' });
    expect(alarm.message).to.include(late.workOrderNumber).and.include('回访超时');
    expect((await callback(late.id)).overdue).to.equal(true);
    await callbacks.phoneDue(late.id);
    await callbacks.phoneDue(late.id);
    expect(await rig.models.Alarm.countDocuments({ key: `callback-overdue.${late.id}` })).to.equal(1);

    const inTime = await callback(`${await resolved('complaint', phone())}.complaint`);
    await callbacks.record(inTime.id, result('satisfied'), await rig.user('1002'));
    expect(await due.queue.getJob(due.idFor(inTime.id))).to.equal(undefined);
    await callbacks.phoneDue(inTime.id);
    expect(await rig.models.Alarm.countDocuments({ key: `callback-overdue.${inTime.id}` })).to.equal(0);
  });

  it('a phone result is recorded once: the grades, verdict and words stored; a second one refused in Chinese', async () => {
    const cb = await callback(`${await resolved('complaint', phone())}.complaint`);
    const done = await callbacks.record(cb.id, { ...result('satisfied', '师傅很专业'), engineeringQuality: 'fair' }, await rig.user('1002'));
    expect(done).to.include({ status: 'done', verdict: 'satisfied', serviceQuality: 'satisfied', attitude: 'satisfied', engineeringQuality: 'fair', timeliness: 'satisfied', customerWords: '师傅很专业', doneBy: '1002' });
    expect(done.followUp).to.equal(null);
    const again = await callbacks.record(cb.id, result('unsatisfied'), await rig.user('1003')).catch((e: { status: number; zh: string }) => e);
    expect(again).to.include({ status: 409 });
    expect((again as { zh: string }).zh).to.match(/已于 .* 由 1002 登记完成，不能重复登记/);
    expect((await callback(cb.id)).verdict).to.equal('satisfied');
  });

  it('"unsatisfied" on the phone opens a linked follow-up order to the same department, owned by the first order\'s agent', async () => {
    const cb = await callback(`${await resolved('complaint', phone())}.complaint`);
    const done = await callbacks.record(cb.id, result('unsatisfied', '水压还是很低'), await rig.user('1002'));
    const follow = done.followUp!.workOrderNumber!;
    const order = await rig.models.WorkOrder.findOne({ number: follow }).lean();
    expect(order).to.deep.include({ category: 'complaint', department: cb.department, owner: '1001', status: 'dispatched', contactPhone: cb.phone });
    expect(order!.linkedFrom).to.deep.equal({ workOrderNumber: cb.workOrderNumber, callbackId: cb.id });
    expect(order!.description).to.include(cb.workOrderNumber).and.include('水压还是很低');
    expect(done.followUp!.callbackId).to.equal(null);
  });

  for (const text of ['2', '不太满意']) {
    it(`an SMS reply "${text}" (signed): unsatisfied, a manual phone callback and a linked order to the department, each once`, async () => {
      const to = phone();
      const number = await resolved('fault', to);
      const id = `${number}.after_sales`;
      const res = await inbound({ from: `+86${to}`, text });
      expect(res).to.deep.equal({ status: 200, json: { outcome: 'recorded', callbackId: id } });
      const cb = await callback(id);
      expect(cb).to.include({ status: 'done', verdict: 'unsatisfied', doneBy: 'sms' });
      expect(cb.sms?.reply).to.equal(text);
      const manual = await callback(`${number}.sms_unsatisfied`);
      expect(manual).to.include({ method: 'phone', reason: 'sms_unsatisfied', status: 'pending', fromCallback: id, phone: to });
      expect(cb.followUp).to.deep.equal({ callbackId: manual.id, workOrderNumber: cb.followUp!.workOrderNumber });
      const linked = await rig.models.WorkOrder.find({ 'linkedFrom.callbackId': id }).lean();
      expect(linked.map((o) => [o.department, o.linkedFrom?.workOrderNumber])).to.deep.equal([['engineering', number]]);
      // The reply wait stands down; a second reply finds nothing open and changes nothing.
      expect(await callbacks.rules.reply.queue.getJob(`cb-reply.${id}.1`)).to.equal(undefined);
      expect((await inbound({ from: to, text: '2' })).json).to.deep.equal({ outcome: 'unmatched', callbackId: null });
      expect(await rig.models.Callback.countDocuments({ workOrderNumber: number })).to.equal(2);
      expect(await rig.models.WorkOrder.countDocuments({ 'linkedFrom.callbackId': id })).to.equal(1);
      // Still unsatisfied on the manual call: recorded, and the follow-up order stays the one already made.
      const manualDone = await callbacks.record(manual.id, result('unsatisfied', '还没有人上门'), await rig.user('1002'));
      expect(manualDone).to.include({ status: 'done', verdict: 'unsatisfied' });
      expect(manualDone.followUp).to.equal(null);
      expect(await rig.models.WorkOrder.countDocuments({ 'linkedFrom.workOrderNumber': number })).to.equal(1);
    });
  }

  it('"1" is satisfied: the callback is done and nothing follows', async () => {
    const to = phone();
    const number = await resolved('water_quality', to);
    expect((await inbound({ from: to, text: '1' })).json.outcome).to.equal('recorded');
    expect(await callback(`${number}.after_sales`)).to.include({ status: 'done', verdict: 'satisfied' });
    expect(await rig.models.Callback.countDocuments({ workOrderNumber: number })).to.equal(1);
    expect(await rig.models.WorkOrder.countDocuments({ 'linkedFrom.workOrderNumber': number })).to.equal(0);
  });

  it('an unknown number, an unclear text, a bad signature, a replayed nonce or a stale timestamp change nothing', async () => {
    const to = phone();
    const number = await resolved('billing', to);
    const id = `${number}.after_sales`;
    const before = await rig.models.Callback.findOne({ id }).lean();

    expect(await inbound({ from: '13712345678', text: '2' })).to.deep.equal({ status: 200, json: { outcome: 'unmatched', callbackId: null } });
    expect(await inbound({ from: to, text: '请来电' })).to.deep.equal({ status: 200, json: { outcome: 'ambiguous', callbackId: id } });
    const forged = await inbound({ from: to, text: '2' }, { secret: 'not-the-secret-0123456789' });
    expect(forged.status).to.equal(401);
    const nonce = randomBytes(12).toString('hex');
    const stale = await inbound({ from: to, text: '2' }, { timestamp: Date.now() - 10 * 60_000 });
    expect(stale.status).to.equal(401);
    // The first use of a nonce with a unclear text is taken; the same nonce again is a replay.
    expect((await inbound({ from: to, text: '嗯' }, { nonce })).status).to.equal(200);
    const replay = await inbound({ from: to, text: '2' }, { nonce });
    expect(replay.status).to.equal(401);
    const unsigned = await fetch(`${rig.n.url}/api/sms/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: to, text: '2' }) });
    expect(unsigned.status).to.equal(401);

    const after = await rig.models.Callback.findOne({ id }).lean();
    expect(after?.status).to.equal('sms_sent');
    expect(after?.updatedAt?.getTime()).to.equal(before?.updatedAt?.getTime());
    expect(await rig.models.WorkOrder.countDocuments({ 'linkedFrom.workOrderNumber': number })).to.equal(0);
  });

  it('no reply: one reminder when the wait is over, then closed as "no reply" after the second wait', async () => {
    const to = phone();
    const number = await resolved('metering', to);
    const id = `${number}.after_sales`;
    const reply = callbacks.rules.reply;
    await waitFor(() => rig.sink.about(number, to).length === 1, { what: 'the first SMS' });
    await reply.reschedule(reply.idFor(id, 1), { id, round: 1 }, 0);
    await waitFor(async () => (await reply.queue.getJob(reply.idFor(id, 2)))?.isDelayed(), { what: 'the second wait armed' });
    const reminder = await waitFor(() => rig.sink.about(number, to).find((m) => m.text.includes('温馨提醒')), { what: 'the reminder' });
    expect(reminder.text).to.include('1（满意）');
    expect((await callback(id)).sms?.remindedAt).to.be.a('number');
    // Round 1 again (a retry): no second reminder.
    await callbacks.replyWaitOver(id, 1);
    await reply.reschedule(reply.idFor(id, 2), { id, round: 2 }, 0);
    await waitFor(async () => (await callback(id)).status === 'no_reply', { what: 'closed as no reply' });
    expect(rig.sink.about(number, to).filter((m) => m.text.includes('温馨提醒'))).to.have.length(1);
    expect((await inbound({ from: to, text: '1' })).json.outcome).to.equal('unmatched');
  });

  it('the sweep makes what a process that died left undone: the callback of an order resolved without it, an "unsatisfied" reply\'s follow-ups', async () => {
    const to = phone();
    const wo = await rig.service.create({ category: 'pressure', contactPhone: to, address: '和平路 1 号', description: '水压低' }, await rig.user('1001'));
    const dept = await rig.user(DEPARTMENT_USER.production);
    await rig.service.act('accept', wo.number, dept);
    // The process died after the move to resolved, before the callback: the order says so.
    await rig.models.WorkOrder.updateOne({ number: wo.number }, { $set: { status: 'resolved', resolvedAt: new Date(), result: '已调压', callbackPending: true } });
    expect(await rig.models.Callback.countDocuments({ workOrderNumber: wo.number })).to.equal(0);
    // Reopened meanwhile (重新派单) with the flag still set: the sweep owes it nothing yet.
    await rig.models.WorkOrder.updateOne({ number: wo.number }, { $set: { status: 'dispatched' } });
    await callbacks.sweep(0);
    expect(await rig.models.Callback.countDocuments({ workOrderNumber: wo.number })).to.equal(0);
    expect((await rig.models.WorkOrder.findOne({ number: wo.number }).lean())?.callbackPending).to.equal(undefined);
    await rig.models.WorkOrder.updateOne({ number: wo.number }, { $set: { status: 'resolved', callbackPending: true } });
    await callbacks.sweep(0);
    expect(await callback(`${wo.number}.after_sales`)).to.include({ status: 'sms_sent', phone: to });

    // An "unsatisfied" reply stored, its follow-ups not yet made.
    const id = `${wo.number}.after_sales`;
    await rig.models.Callback.updateOne({ id }, { $set: { status: 'done', verdict: 'unsatisfied', doneAt: new Date(), doneBy: 'sms', followUp: { pending: true } } });
    const swept = await callbacks.sweep(0);
    expect(swept.followUps).to.be.at.least(1);
    const cb = await callback(id);
    expect(cb.followUp?.callbackId).to.equal(`${wo.number}.sms_unsatisfied`);
    expect(await rig.models.WorkOrder.countDocuments({ 'linkedFrom.callbackId': id })).to.equal(1);
    // Swept again: nothing more.
    await callbacks.sweep(0);
    expect(await rig.models.WorkOrder.countDocuments({ 'linkedFrom.callbackId': id })).to.equal(1);
    expect(await rig.models.Callback.countDocuments({ workOrderNumber: wo.number })).to.equal(2);
  });

  describe('engineering jobs: settled by the department, sampled monthly (⌈10 %⌉ of last month\'s counted jobs)', () => {
    const sh = (iso: string) => new Date(Date.parse(`${iso}+08:00`));
    let n = 9000;
    /** An engineering (or other) order stored as the script says: works done at `resolved`, settled at `settled`. */
    async function job(category: WorkOrderCategory, resolved: string, settled: string | null): Promise<string> {
      const number = `WO20260101-${++n}`;
      await rig.models.WorkOrder.create({
        number, category, department: 'engineering', status: 'archived', createdBy: '1001', owner: '1001',
        contactPhone: phone(), contactName: '单位代表 何先生', address: `工业一路 ${n} 号`, description: '报装',
        createdAt: sh(resolved), resolvedAt: sh(resolved), ...(settled ? { settledAt: sh(settled) } : {}),
      });
      return number;
    }

    it('the department settles a finished engineering job once; not an agent, not another category, not before the works are done', async () => {
      const svc = rig.service;
      const install = await svc.create({ category: 'installation', contactPhone: phone(), address: '科技大道 8 号', description: '单户报装' }, await rig.user('1001'));
      const eng = await rig.user(DEPARTMENT_USER.engineering);
      const early = await svc.settle(install.number, eng).catch((e: { status: number; zh: string }) => e);
      expect(early).to.include({ status: 409, zh: '工程尚未办结，办结后才能登记竣工结算' });
      await svc.act('accept', install.number, eng);
      await svc.act('resolve', install.number, eng, { result: '已通水' });
      const call = async (workNumber: string) =>
        fetch(`${rig.n.url}/api/work-orders/${install.number}/settle`, { method: 'POST', headers: { authorization: `Bearer ${await rig.n.token(workNumber)}` } });
      expect((await call('1001')).status).to.equal(403);
      const ok = await call(DEPARTMENT_USER.engineering);
      expect(ok.status).to.equal(200);
      const view = (await ok.json()) as { settledAt: number; history: Array<{ action: string }> };
      expect(view.settledAt).to.be.a('number');
      expect(view.history.at(-1)?.action).to.equal('settled');
      expect((await call(DEPARTMENT_USER.engineering)).status).to.equal(409);
      const leak = await resolved('leak', phone());
      const wrong = await svc.settle(leak, eng).catch((e: { status: number; zh: string }) => e);
      expect(wrong).to.include({ status: 409 });
      // No callback for the engineering job itself until it is sampled.
      expect(await rig.models.Callback.countDocuments({ workOrderNumber: install.number })).to.equal(0);
    });

    it('the sample: exactly last month\'s settled engineering jobs done within six months; ⌈10 %⌉ by the lowest SHA-256 rolls; phone callbacks once', async () => {
      const counted: string[] = [];
      for (let i = 0; i < 23; i++) {
        const category = (['installation', 'meter_relocation', 'after_meter_repair'] as const)[i % 3];
        counted.push(await job(category, `2026-0${5 + (i % 5)}-1${i % 10}T10:00:00`, `2026-10-${String(1 + i).padStart(2, '0')}T15:00:00`));
      }
      // Not counted: settled more than six months after the works; settled in another month; not an engineering category.
      const stale = [await job('installation', '2026-03-20T10:00:00', '2026-10-21T10:00:00'), await job('meter_relocation', '2026-04-01T10:00:00', '2026-10-02T10:00:00')];
      const otherMonths = [await job('installation', '2026-09-01T10:00:00', '2026-09-30T23:59:00'), await job('installation', '2026-10-01T10:00:00', '2026-11-01T00:00:00')];
      const notEngineering = await job('leak', '2026-10-01T10:00:00', '2026-10-10T10:00:00');
      // Settled on 2026-10-31 at 23:30 Shanghai time (still October there): counted.
      counted.push(await job('after_meter_repair', '2026-10-20T10:00:00', '2026-10-31T23:30:00'));

      const sample = await drawEngineeringSample(rig.models, '2026-10');
      expect(sample.population).to.deep.equal([...counted].sort());
      for (const x of [...stale, ...otherMonths, notEngineering]) expect(sample.population).not.to.include(x);
      // 24 counted → ⌈2.4⌉ = 3, the three lowest SHA-256 rolls of "2026-10.<number>", computed here on their own.
      const roll = (num: string) => createHash('sha256').update(`2026-10.${num}`).digest().readUInt32BE(0) / 2 ** 32;
      const expected = [...counted].sort((a, b) => roll(a) - roll(b)).slice(0, 3);
      expect(sample.picked.map((p) => p.number)).to.deep.equal(expected);

      const sampler = new EngineeringSampler({
        models: rig.models, callbacks, calendar: { holidays: new Set(), workdays: new Set() }, at: '09:00', share: 0.1, logger: rig.n.node.logger,
      });
      // 2026-11-02 is November's first working day (the 1st is a Sunday); the 3rd is not.
      expect(await sampler.tick(Date.parse('2026-11-03T09:00:00+08:00'))).to.equal(null);
      const october = { reason: 'engineering' as const, 'sample.month': '2026-10' };
      expect(await rig.models.Callback.countDocuments(october)).to.equal(0);
      const ran = await sampler.tick(Date.parse('2026-11-02T09:00:00+08:00'));
      expect(ran?.month).to.equal('2026-10');
      const made = await rig.models.Callback.find(october).lean();
      expect(made.map((c) => c.workOrderNumber).sort()).to.deep.equal([...expected].sort());
      for (const c of made) {
        expect(c).to.deep.include({ method: 'phone', status: 'pending', department: 'engineering', contactName: '单位代表 何先生' });
        expect(c.sample).to.deep.equal({ month: '2026-10', population: 24, picked: 3 });
        expect(c.draw?.seed).to.equal(`2026-10.${c.workOrderNumber}`);
        // Due 3 days after the sample, not after the settlement weeks ago.
        expect(c.dueBy.getTime() - c.createdAt!.getTime()).to.be.within(PHONE_WITHIN_MS - 5_000, PHONE_WITHIN_MS + 5_000);
      }
      // A second run of the same month (a retry, another process): nobody twice.
      await sampler.run('2026-10');
      expect(await rig.models.Callback.countDocuments(october)).to.equal(3);
    });
  });

  it('a month\'s figures per department on a scripted month: callback rate, satisfaction, overdue, no reply, the engineering sample', async () => {
    const sh = (iso: string) => new Date(Date.parse(`${iso}+08:00`));
    const order = (number: string, category: WorkOrderCategory, department: DepartmentCode, resolved: string) =>
      rig.models.WorkOrder.create({
        number, category, department, status: 'resolved', createdBy: '1001', contactPhone: '13800000000', address: '测试路', description: '测试',
        createdAt: sh(resolved), resolvedAt: sh(resolved),
      });
    const cb = (number: string, o: Record<string, unknown>) =>
      rig.models.Callback.create({ id: `${number}.${String(o.reason)}`, workOrderNumber: number, phone: '13800000000', address: '测试路', ...o });
    const base = (category: WorkOrderCategory, department: DepartmentCode, reason: string, method: string, completed: string) => ({
      category, department, reason, method, completedAt: sh(completed), dueBy: sh(completed),
    });
    // 营业部: four after-sales orders completed in August 2026.
    await order('WO20260801-0001', 'complaint', 'business', '2026-08-02T10:00:00');
    await cb('WO20260801-0001', { ...base('complaint', 'business', 'complaint', 'phone', '2026-08-02T10:00:00'), status: 'done', verdict: 'satisfied', doneAt: sh('2026-08-03T10:00:00') });
    await order('WO20260801-0002', 'inquiry', 'business', '2026-08-05T10:00:00');
    await cb('WO20260801-0002', { ...base('inquiry', 'business', 'after_sales', 'sms', '2026-08-05T10:00:00'), status: 'done', verdict: 'unsatisfied', sms: { sentAt: sh('2026-08-05T10:00:00') }, doneAt: sh('2026-08-06T09:00:00') });
    await order('WO20260801-0003', 'billing', 'business', '2026-08-10T10:00:00');
    await cb('WO20260801-0003', { ...base('billing', 'business', 'after_sales', 'sms', '2026-08-10T10:00:00'), status: 'no_reply', sms: { sentAt: sh('2026-08-10T10:00:00') }, doneAt: sh('2026-08-13T10:00:00') });
    await order('WO20260801-0004', 'complaint', 'business', '2026-08-20T10:00:00');
    await cb('WO20260801-0004', { ...base('complaint', 'business', 'complaint', 'phone', '2026-08-20T10:00:00'), status: 'pending', overdue: true, dueBy: sh('2026-08-23T10:00:00') });
    // 工程公司: two leaks (one texted, one whose callback was never made), an installation (not after-sales), one order of September.
    await order('WO20260801-0005', 'leak', 'engineering', '2026-08-15T10:00:00');
    await cb('WO20260801-0005', { ...base('leak', 'engineering', 'after_sales', 'sms', '2026-08-15T10:00:00'), status: 'sms_sent', sms: { sentAt: sh('2026-08-15T10:00:00') } });
    await order('WO20260801-0006', 'leak', 'engineering', '2026-08-31T23:00:00');
    await order('WO20260801-0007', 'installation', 'engineering', '2026-08-16T10:00:00');
    await order('WO20260901-0001', 'leak', 'engineering', '2026-09-01T00:00:00');
    // August's engineering sample (drawn on September's first working day): one called back, one not yet.
    await cb('WO20260701-0001', { ...base('installation', 'engineering', 'engineering', 'phone', '2026-08-05T10:00:00'), status: 'done', verdict: 'satisfied', doneAt: sh('2026-09-02T10:00:00'), sample: { month: '2026-08', population: 12, picked: 2 } });
    await cb('WO20260701-0002', { ...base('installation', 'engineering', 'engineering', 'phone', '2026-08-06T10:00:00'), status: 'pending', sample: { month: '2026-08', population: 12, picked: 2 } });

    const res = await fetch(`${rig.n.url}/api/callbacks/figures?month=2026-08`, { headers: { authorization: `Bearer ${await rig.n.token('2001')}` } });
    expect(res.status).to.equal(200);
    const f = (await res.json()) as CallbackFigures;
    const dept = (d: DepartmentCode) => f.departments.find((r) => r.department === d);
    expect(dept('business')).to.deep.equal({
      department: 'business', afterSales: 4, calledBack: 3, callbackRate: 0.75, satisfied: 1, unsatisfied: 1, satisfactionRate: 0.5, overdue: 1, noReply: 1, engineeringSampled: 0, engineeringDone: 0,
    });
    expect(dept('engineering')).to.deep.equal({
      department: 'engineering', afterSales: 2, calledBack: 1, callbackRate: 0.5, satisfied: 0, unsatisfied: 0, satisfactionRate: null, overdue: 0, noReply: 0, engineeringSampled: 2, engineeringDone: 1,
    });
    expect(f.total).to.deep.include({ afterSales: 6, calledBack: 4, satisfied: 1, unsatisfied: 1, overdue: 1, noReply: 1, engineeringSampled: 2, engineeringDone: 1 });
    expect(f.total.callbackRate).to.be.closeTo(4 / 6, 1e-9);
    expect(dept('production')?.callbackRate).to.equal(null);
    // Agents and department users do not read the figures; a bad month is refused.
    expect((await fetch(`${rig.n.url}/api/callbacks/figures`, { headers: { authorization: `Bearer ${await rig.n.token('1001')}` } })).status).to.equal(403);
    expect((await fetch(`${rig.n.url}/api/callbacks/figures?month=2026-13`, { headers: { authorization: `Bearer ${await rig.n.token('2001')}` } })).status).to.equal(400);
  });

  describe('over REST', () => {
    const call = async (method: string, path: string, workNumber: string, body?: object) =>
      fetch(`${rig.n.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${await rig.n.token(workNumber)}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });

    it('the call centre lists phone callbacks earliest due first and records one; a department user is refused; a bad form gets 400', async () => {
      const cb = await callback(`${await resolved('complaint', phone())}.complaint`);
      const list = await call('GET', '/api/callbacks?method=phone&status=pending&limit=500', '1001');
      expect(list.status).to.equal(200);
      const rows = (await list.json()) as CallbackView[];
      expect(rows.map((r) => r.id)).to.include(cb.id);
      expect(rows.map((r) => r.dueBy)).to.deep.equal([...rows.map((r) => r.dueBy)].sort((a, b) => a - b));
      expect(rows.every((r) => r.method === 'phone' && r.status === 'pending')).to.equal(true);

      expect((await call('GET', '/api/callbacks', DEPARTMENT_USER.engineering)).status).to.equal(403);
      const bad = await call('POST', `/api/callbacks/${cb.id}/result`, '1001', { verdict: 'great' });
      expect(bad.status).to.equal(400);
      const ok = await call('POST', `/api/callbacks/${cb.id}/result`, '1001', result('satisfied'));
      expect(ok.status).to.equal(200);
      expect(((await ok.json()) as CallbackView).doneBy).to.equal('1001');
      const twice = await call('POST', `/api/callbacks/${cb.id}/result`, '1001', result('satisfied'));
      expect(twice.status).to.equal(409);
      // An order's callback is not closed with a queue callback's short result (queue-callback.test.ts works those).
      const other = await callback(`${await resolved('complaint', phone())}.complaint`);
      const wrong = await call('POST', `/api/callbacks/${other.id}/queue-result`, '1001', { reached: true });
      expect(wrong.status).to.equal(409);
      expect(((await wrong.json()) as { error: { zh: string } }).error.zh).to.equal('该回访属于工单回访，请登记各项评价和满意程度');
      expect((await call('POST', `/api/callbacks/${other.id}/queue-result`, DEPARTMENT_USER.engineering, { reached: true })).status).to.equal(403);
    });
  });
});
