import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ErrorBody, OrderNoticesView, UrgeResult, WorkOrderView } from '../../contracts';
import { queueConnection, type RedisClient } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { departments } from '../../scripts/seed-data';
import type { RestLogEntry } from '../../sim/ari/types';
import { deadlineRules, type DeadlineRules } from '../../work-orders/deadlines';
import { login } from '../helpers/consoles';
import { PbxHarness } from '../helpers/pbx-harness';
import { testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';
import { SmsSink } from './notice-call-rig';

const PASSWORD = 'test-password';
const NOTICE_MS = 6_000;
const ACCEPT_MS = 3_000;
const onDuty = (code: string) => departments.find((d) => d.code === code)!.onDuty;
const ENGINEERING = onDuty('engineering');
const PRODUCTION = onDuty('production');
const BUSINESS = onDuty('business');

/**
 * A work order's life end to end through the real wiring (main.ts's startCti): two CTI processes on
 * real Redis and FerretDB, the ARI simulator as Asterisk and the carrier trunk (each receiver's
 * phone scripted with setCallee), the SMS webhook adapter posting to a local sink, every person
 * acting over REST with their own token. Durations are shortened through the config only.
 */
describe('work order flow end to end: notice call and SMS, key 1, retries, alarms, complaint, extension, 催办 (two processes)', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  const sink = new SmsSink();
  const originates: RestLogEntry[] = [];
  const soundsDir = mkdtempSync(join(tmpdir(), 'hotline-sounds-'));
  let redis: RedisClient;
  let rules: DeadlineRules;
  const tokens = new Map<string, string>();
  let leak: WorkOrderView;
  let pressure: WorkOrderView;
  let complaint: WorkOrderView;

  /** Node a serves the call centre, node b the departments: both processes take part. */
  const nodeFor = (wn: string) => (wn.startsWith('3') ? h.nodes[1]! : h.node);
  async function rest<T>(wn: string, method: string, path: string, body?: unknown, base = nodeFor(wn).url): Promise<{ status: number; body: T }> {
    if (!tokens.has(wn)) tokens.set(wn, (await login(nodeFor(wn).url, wn, PASSWORD)).token);
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get(wn)!}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }
  const ok = async <T>(p: Promise<{ status: number; body: T }>, status = 200): Promise<T> => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return r.body;
  };
  const order = (number: string) => ok(rest<WorkOrderView>('2001', 'GET', `/api/work-orders/${number}`));
  const callsTo = (phone: string) => originates.filter((r) => String(r.query.endpoint ?? '').startsWith(`PJSIP/${phone}@`)).length;
  const smsTo = (phone: string) => sink.got.filter((m) => m.to === phone).length;
  const alarms = (key: string) => h.node.models.Alarm.countDocuments({ key });
  const noticesOf = (number: string) => ok(rest<OrderNoticesView>('2001', 'GET', `/api/work-orders/${number}/notices`));

  before(async () => {
    await sink.start();
    h = await PbxHarness.start({
      nodes: 2,
      ready: [],
      timeScale: 0.25,
      env: {
        WORK_ORDER_NOTICE_MS: String(NOTICE_MS),
        WORK_ORDER_COMPLAINT_ACCEPT_MS: String(ACCEPT_MS),
        NOTICE_CALL_RETRY_MS: '800',
        NOTICE_KEY_WAIT_MS: '1500',
        NOTICE_CALL_RING_SEC: '5',
        NOTICE_TRUNK_ENDPOINT: 'pstn',
        NOTICE_SOUNDS_DIR: join(soundsDir, 'hotline-notices'),
        URGE_REPEAT_MS: '2000',
        SMS_GATEWAY: 'webhook',
        SMS_WEBHOOK_URL: sink.url,
      },
    });
    h.ari.on('rest', (r: RestLogEntry) => {
      if (r.method === 'POST' && r.path === '/ari/channels') originates.push(r);
    });
    // Engineering and business answer and press 1 once they heard the prompt; production never answers.
    h.ari.setCallee(ENGINEERING, { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 600 }] });
    h.ari.setCallee(BUSINESS, { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 600 }] });
    h.ari.setCallee(PRODUCTION, { kind: 'no-answer' });
    redis = testRedis(h.config);
    rules = deadlineRules({ connection: queueConnection(h.config, redis), prefix: `{${h.config.REDIS_PREFIX}}-bull`, logger: createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'flow-test' }) });

    const open = (body: Record<string, unknown>) =>
      ok(rest<WorkOrderView>('1001', 'POST', '/api/work-orders', { contactPhone: '13912345678', description: '来电反映', ...body }), 201);
    leak = await open({ category: 'leak', address: '人民路12号', leak: { location: '人民路12号门前人行道' } });
    pressure = await open({ category: 'pressure', address: '建设路8号' });
    complaint = await open({ category: 'complaint', address: '文明路3号', description: '对抄表员服务态度不满' });
  });
  after(async () => {
    if (rules) await Promise.all([rules.notice.close(), rules.accept.close(), rules.due.close()]);
    redis?.disconnect();
    await h?.stop();
    sink.stop();
    rmSync(soundsDir, { recursive: true, force: true });
  });

  it('the engineering receiver is called through the trunk and SMSed once each, presses 1: the order is acknowledged and its notice rule gone', async () => {
    expect(leak.department).to.equal('engineering');
    const acked = await waitFor(async () => {
      const o = await order(leak.number);
      return o.notice.acknowledgedAt !== null ? o : null;
    }, { what: 'key 1 acknowledging the leak order', timeoutMs: 15_000 });
    expect(acked.notice.acknowledgedBy).to.equal(ENGINEERING);
    expect(acked.history.map((e) => e.action)).to.include('notice-acknowledged');
    expect(acked.history.find((e) => e.action === 'notice-acknowledged')!.note).to.equal('call');
    expect(await rules.notice.queue.getJob(rules.notice.idFor(leak.number)), 'the 5-minute job is cancelled').to.equal(undefined);
    await waitFor(() => smsTo(ENGINEERING) >= 1, { what: 'the notice SMS at the sink' });
    expect(callsTo(ENGINEERING)).to.equal(1);
    expect(smsTo(ENGINEERING)).to.equal(1);
    expect(sink.got.find((m) => m.to === ENGINEERING)!.text).to.contain(leak.number);
  });

  it('a receiver who never answers is called once more after the retry time, then the notice alarm is raised exactly once and the order flagged late', async () => {
    expect(pressure.department).to.equal('production');
    await waitFor(async () => (await alarms(`wo-notice-late.${pressure.number}`)) > 0, { what: 'the notice-late alarm', timeoutMs: NOTICE_MS + 15_000 });
    const o = await order(pressure.number);
    expect(o.flags.noticeLate).to.equal(true);
    expect(o.notice.acknowledgedAt).to.equal(null);
    expect(o.history.filter((e) => e.action === 'notice-late')).to.have.length(1);
    expect(callsTo(PRODUCTION), 'first attempt and one retry').to.equal(2);
    expect(smsTo(PRODUCTION)).to.equal(1);
    const v = await waitFor(async () => {
      const n = (await noticesOf(pressure.number)).notices[0];
      return n?.call?.status === 'unreached' && n.call.calls.every((c) => c.result !== null) ? n : null;
    }, { what: 'the notice call settled unreached' });
    expect(v.call!.attempts).to.equal(2);
    expect(v.call!.calls.map((c) => [c.attempt, c.result, c.recordingName])).to.deep.equal([
      [1, 'no-answer', null],
      [2, 'no-answer', null],
    ]);
  });

  it('the acknowledged leak order raised no notice alarm once its notice time passed', async () => {
    // The pressure order, opened after it, has alarmed: the leak order's notice time is over too.
    expect(await alarms(`wo-notice-late.${pressure.number}`)).to.equal(1);
    expect(await alarms(`wo-notice-late.${leak.number}`)).to.equal(0);
    expect((await order(leak.number)).flags.noticeLate).to.equal(false);
  });

  it('a complaint not accepted in time is escalated to admin_hr once, with one supervisor alarm', async () => {
    expect(complaint.department).to.equal('business');
    await waitFor(async () => (await alarms(`wo-accept-late.${complaint.number}`)) > 0, { what: 'the accept-late alarm', timeoutMs: ACCEPT_MS + 15_000 });
    const o = await order(complaint.number);
    expect(o.flags).to.deep.include({ acceptLate: true, escalated: true });
    expect(o.escalations.map((e) => [e.reason, e.to])).to.deep.equal([['accept-late', 'admin_hr']]);
    expect(o.history.filter((e) => e.action === 'accept-late')).to.have.length(1);
    // Its receiver pressed 1: no notice alarm for it.
    expect(await alarms(`wo-notice-late.${complaint.number}`)).to.equal(0);
    expect(await alarms(`wo-accept-late.${complaint.number}`)).to.equal(1);
  });

  it('an extension requested by the department and approved by its leader moves the deadline; the old completion job is gone', async () => {
    const before = await order(leak.number);
    expect(before.dueBy).to.be.a('number');
    expect(await rules.due.queue.getJob(rules.due.idFor(leak.number, 0)), 'v0 completion job armed').to.not.equal(undefined);
    const newDueBy = before.dueBy! + 3_600_000;
    const asked = await ok(rest<WorkOrderView>('3001', 'POST', `/api/work-orders/${leak.number}/extensions`, { extensionReason: '需夜间停水施工', newDueBy }), 201);
    const ext = asked.extensions.find((e) => e.status === 'pending')!;
    const decided = await ok(rest<WorkOrderView>('3311', 'POST', `/api/work-orders/${leak.number}/extensions/${ext.id}/decision`, { decision: 'approve' }));
    expect(decided.dueBy).to.equal(newDueBy);
    expect(decided.dueVersion).to.equal(1);
    expect(decided.history.map((e) => e.action)).to.include.members(['extension-requested', 'extension-approved']);
    expect(await rules.due.queue.getJob(rules.due.idFor(leak.number, 0)), 'v0 completion job cancelled').to.equal(undefined);
    expect(await rules.due.queue.getJob(rules.due.idFor(leak.number, 1)), 'v1 completion job armed').to.not.equal(undefined);
  });

  it('催办 by the owning agent sends the receiver a second SMS and a second call', async () => {
    const r = await ok(rest<UrgeResult>('1001', 'POST', `/api/work-orders/${leak.number}/urge`));
    expect(r.repeated).to.equal(false);
    expect([...r.channels].sort()).to.deep.equal(['call', 'sms']);
    await waitFor(() => smsTo(ENGINEERING) >= 2 && callsTo(ENGINEERING) >= 2, { what: 'the urge SMS and call', timeoutMs: 15_000 });
    const v = await waitFor(async () => {
      const n = (await noticesOf(leak.number)).notices.find((x) => x.reason === 'urge');
      return n?.call?.status === 'acknowledged' && n.sms?.status === 'sent' ? n : null;
    }, { what: 'the urge notice delivered and acknowledged' });
    expect(v.by).to.equal('1001');
    expect(v.receiver.phone).to.equal(ENGINEERING);
    const o = await order(leak.number);
    expect(o.history.filter((e) => e.action === 'urged')).to.have.length(1);
  });

  it('the supervisor reads the 通知记录 with each outbound call and its recording, and plays the recording', async () => {
    const v = await waitFor(async () => {
      const x = await noticesOf(leak.number);
      return x.notices.every((n) => n.call?.calls.every((c) => c.recordingState === 'done')) ? x : null;
    }, { what: 'the notice recordings finished' });
    expect(v.acknowledgedBy).to.equal(ENGINEERING);
    expect(v.notices.map((n) => n.reason)).to.deep.equal(['dispatch', 'urge']);
    const dispatch = v.notices[0]!;
    expect(dispatch).to.deep.include({ by: 'system', acknowledgedBy: ENGINEERING });
    expect(dispatch.receiver).to.deep.include({ phone: ENGINEERING, role: 'on_duty' });
    expect(dispatch.sms).to.deep.include({ status: 'sent', attempts: 1 });
    expect(dispatch.call).to.deep.include({ status: 'acknowledged', attempts: 1, result: 'acknowledged' });
    expect(dispatch.call!.calls).to.have.length(1);
    const call = dispatch.call!.calls[0]!;
    expect(call).to.deep.include({ attempt: 1, dialled: ENGINEERING, state: 'ended', result: 'acknowledged' });
    expect(call.recordingName).to.be.a('string');
    const stored = await h.node.models.Call.findOne({ callId: call.callId }).lean();
    expect(stored).to.deep.include({ direction: 'outbound', workOrderNumber: leak.number, recordingName: call.recordingName });

    const sup = tokens.get('2001')!;
    const played = await fetch(`${h.node.url}/api/recordings/${encodeURIComponent(call.recordingName!)}`, { headers: { authorization: `Bearer ${sup}` } });
    expect(played.status).to.equal(200);
    expect(played.headers.get('content-type')).to.contain('audio/wav');
    expect((await played.arrayBuffer()).byteLength).to.be.greaterThan(44);
    const link = await ok(rest<{ url: string }>('2001', 'GET', `/api/recordings/${encodeURIComponent(call.recordingName!)}/link`));
    expect((await fetch(`${h.node.url}${link.url}`)).status).to.equal(200);
    // An agent did not answer that call: the recording is not theirs to play.
    const agent = await rest<ErrorBody>('1001', 'GET', `/api/recordings/${encodeURIComponent(call.recordingName!)}/link`);
    expect(agent.status).to.equal(403);
  });

  it('across both processes every notice went out exactly once', async () => {
    // Dispatch + 催办 for engineering; dispatch (+ one retry call) for production; dispatch for business.
    expect([callsTo(ENGINEERING), smsTo(ENGINEERING)]).to.deep.equal([2, 2]);
    expect([callsTo(PRODUCTION), smsTo(PRODUCTION)]).to.deep.equal([2, 1]);
    expect([callsTo(BUSINESS), smsTo(BUSINESS)]).to.deep.equal([1, 1]);
    expect(await h.node.models.Call.countDocuments({ direction: 'outbound' })).to.equal(5);
    expect(await h.node.models.SmsMessage.countDocuments({ purpose: 'notice' })).to.equal(4);
    expect(await h.node.models.Notice.countDocuments({})).to.equal(4);
  });
});
