import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Connection } from 'mongoose';
import { openMongo, queueConnection, type RedisClient } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { monthOf } from '../../core/time';
import { RedisEventBus } from '../../events/event-bus';
import { createModels, syncIndexes, type Models } from '../../models';
import { applyWrites } from '../../models/apply-write';
import type { AlarmKind, CallOutcome, DepartmentCode, OfferResult, WorkOrderCategory } from '../../models/enums';
import type { OutageStatus } from '../../models/outage';
import { parseContacts, WebhookSmsGateway } from '../../notify/sms';
import { SmsOutbox } from '../../notify/sms-outbox';
import { RecordOutbox } from '../../queue/record-outbox';
import { reportCsv, reportXlsx } from '../../reports/report-export';
import { MonthlyReportJobRunner, MonthlyReportRule, monthlyAt } from '../../reports/report-job';
import { ReportService } from '../../reports/report-service';
import { alarmHistory, hotlineHistory, searchCalls } from '../../reports/history';
import type { MonthlyReport } from '../../contracts';
import { testConfig } from '../helpers/env';
import { JsonSink } from '../helpers/json-sink';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

const sh = (local: string) => new Date(`${local}+08:00`);
const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The monthly report (Art. 15) over a scripted October 2026 (and a September to compare with),
 * written straight into the collections the report reads, so every expected count below is known
 * by construction; then the scheduled job run by two processes at once.
 */
describe('monthly report: every figure of a scripted month, its exports, and the job of the 27th', function () {
  this.timeout(60_000);
  const config = testConfig({ REPORT_CONTACTS: 'supervisor=13800000121,shift_leader=13800000122' });
  const logger = createLogger({ LOG_LEVEL: config.LOG_LEVEL, NODE_ID: 'report-test' });
  let mongo: Connection;
  let models: Models;
  let reports: ReportService;
  let report: MonthlyReport;
  const sms: Array<{ to: string; text: string }> = [];
  const sink = new JsonSink((_p, body) => {
    sms.push(body as { to: string; text: string });
    return 204;
  });
  const closers: Array<() => Promise<void>> = [];
  const options = { serviceLevelMs: 20_000, outageLeadMs: 24 * HOUR };

  let seq = 0;
  async function order(o: {
    category: WorkOrderCategory;
    department: DepartmentCode;
    createdAt: Date;
    account?: string;
    address?: string;
    noticeAfterMs?: number;
    noticeLate?: boolean;
    acceptedAt?: Date;
    acceptLate?: boolean;
    resolvedAt?: Date;
    dueBy?: Date;
    overdue?: boolean;
    extended?: boolean;
    escalated?: boolean;
    fromCallback?: string;
  }): Promise<void> {
    seq += 1;
    const doc = new models.WorkOrder({
      number: `WO20261001-${String(seq).padStart(4, '0')}`,
      category: o.category,
      department: o.department,
      status: o.resolvedAt ? 'resolved' : 'dispatched',
      createdBy: '1001',
      contactPhone: '13100000001',
      address: o.address ?? `建设路 ${seq} 号`,
      description: '测试',
      createdAt: o.createdAt,
      updatedAt: o.createdAt,
      ...(o.account ? { customerAccount: o.account } : {}),
      ...(o.noticeAfterMs !== undefined ? { notice: { channels: ['sms'], sentAt: new Date(o.createdAt.getTime() + o.noticeAfterMs) } } : {}),
      noticeLate: o.noticeLate ?? false,
      ...(o.acceptedAt ? { acceptedAt: o.acceptedAt } : {}),
      acceptLate: o.acceptLate ?? false,
      ...(o.resolvedAt ? { resolvedAt: o.resolvedAt } : {}),
      ...(o.dueBy ? { dueBy: o.dueBy } : {}),
      overdue: o.overdue ?? false,
      escalated: o.escalated ?? false,
      extensions: o.extended ? [{ id: `x${seq}`, requestedAt: o.createdAt, requestedBy: '3201', reason: '材料未到', newDueBy: new Date(o.createdAt.getTime() + 72 * HOUR), status: 'approved' }] : [],
      ...(o.fromCallback ? { linkedFrom: { callbackId: o.fromCallback } } : {}),
    });
    await doc.save({ timestamps: false });
  }

  async function call(c: {
    arrivedAt: Date;
    outcome: CallOutcome;
    delayMs?: number;
    agent?: string;
    offers?: Array<{ agent: string; result: OfferResult; alarmed?: boolean }>;
    test?: boolean;
    outbound?: boolean;
  }): Promise<void> {
    seq += 1;
    const answered = c.outcome === 'answered';
    const queuedAt = new Date(c.arrivedAt.getTime() + 10_000);
    const answeredAt = answered ? new Date(queuedAt.getTime() + (c.delayMs ?? 0)) : undefined;
    await models.Call.create({
      callId: `call-${seq}`,
      node: 'a',
      callerChannelId: `ch-${seq}`,
      callerNumber: '13912340000',
      dialledNumber: '952525',
      state: 'ended',
      outcome: c.outcome,
      arrivedAt: c.arrivedAt,
      ...(c.outcome !== 'abandoned-greeting' ? { queuedAt } : {}),
      ...(answeredAt ? { answeredAt, answerDelayMs: c.delayMs, answerRingMs: 3000, agentWorkNumber: c.agent } : {}),
      endedAt: new Date(c.arrivedAt.getTime() + 5 * MIN),
      offers: (c.offers ?? []).map((o, i) => ({
        attempt: i + 1,
        agentWorkNumber: o.agent,
        extension: o.agent,
        channelId: `leg-${seq}-${i + 1}`,
        offeredAt: queuedAt,
        result: o.result,
        alarmed: o.alarmed ?? false,
        ringMs: o.result === 'answered' ? 3000 : 20_000,
      })),
      ...(c.test ? { test: true } : {}),
      ...(c.outbound ? { direction: 'outbound' } : {}),
    });
  }

  async function outage(o: { kind: 'planned' | 'unplanned'; startsAt: Date; publishedAt?: Date; people: number; status: OutageStatus }): Promise<void> {
    seq += 1;
    await models.Outage.create({
      number: `TS20261001-${String(seq).padStart(4, '0')}`,
      kind: o.kind,
      source: 'network',
      areaCodes: ['GC-01'],
      areaDescription: '莞城区东正路一带',
      startsAt: o.startsAt,
      expectedEndAt: new Date(o.startsAt.getTime() + 6 * HOUR),
      peopleAffected: o.people,
      department: 'engineering',
      large: o.people > 5000,
      status: o.status,
      createdBy: '3001',
      ...(o.publishedAt ? { publishedAt: o.publishedAt } : {}),
    });
  }

  const alarm = (kind: AlarmKind, raisedAt: Date) => models.Alarm.create({ key: `k-${++seq}`, kind, severity: 'warning', message: '测试', raisedAt });

  before(async () => {
    mongo = await openMongo(config.MONGO_URL, logger);
    models = createModels(mongo);
    await syncIndexes(models);
    await sink.start();
    reports = new ReportService({ models, options, logger });

    await models.Customer.create([
      { accountNumber: '100001', name: '甲', address: '莞城区东正路1号', areaCode: 'GC-01' },
      { accountNumber: '100002', name: '乙', address: '莞城区东正路8号', areaCode: 'GC-01' },
      { accountNumber: '200001', name: '丙', address: '南城区鸿福路5号', areaCode: 'NC-02' },
    ]);
    await models.Agent.create({ workNumber: '1001', name: '陈嘉欣', passwordHash: 'x', role: 'agent', languages: ['yue'], extension: '1001' });

    // September: a leak in GC-01 and a billing question (the "last month" column).
    await order({ category: 'leak', department: 'production', createdAt: sh('2026-09-10T10:00'), account: '100001' });
    await order({ category: 'billing', department: 'business', createdAt: sh('2026-09-20T10:00') });
    // October: three leaks in GC-01, two on 东正路; two complaints in NC-02; a billing order with no
    // account; an order opened from an unsatisfied callback.
    const oct = sh('2026-10-03T09:00');
    await order({ category: 'leak', department: 'production', createdAt: oct, account: '100001', address: '莞城区东正路1号', noticeAfterMs: 2 * MIN, resolvedAt: sh('2026-10-03T12:00'), dueBy: sh('2026-10-03T13:00') });
    await order({ category: 'leak', department: 'production', createdAt: sh('2026-10-04T09:00'), account: '100002', address: '东莞市莞城区东正路8号', noticeAfterMs: 7 * MIN, noticeLate: true, overdue: true, extended: true });
    await order({ category: 'leak', department: 'production', createdAt: sh('2026-10-05T09:00'), account: '100002', address: '莞城区运河东一路3号', noticeAfterMs: 1 * MIN, resolvedAt: sh('2026-10-09T09:00'), dueBy: sh('2026-10-05T13:00'), overdue: true });
    await order({ category: 'complaint', department: 'business', createdAt: sh('2026-10-06T10:00'), account: '200001', noticeAfterMs: 1 * MIN, acceptedAt: sh('2026-10-06T10:30') });
    await order({ category: 'complaint', department: 'business', createdAt: sh('2026-10-07T10:00'), account: '200001', noticeAfterMs: 1 * MIN, acceptedAt: sh('2026-10-07T12:00'), acceptLate: true, escalated: true });
    await order({ category: 'billing', department: 'business', createdAt: sh('2026-10-08T10:00'), noticeAfterMs: 1 * MIN });
    await order({ category: 'inquiry', department: 'business', createdAt: sh('2026-10-31T23:30'), noticeAfterMs: 1 * MIN, fromCallback: 'WO20260930-0001.after_sales' });
    // November: not October's.
    await order({ category: 'leak', department: 'production', createdAt: sh('2026-11-01T00:00'), account: '100001' });

    // Calls: two answered (one in 12 s, one in 25 s after a ring nobody answered), three abandons
    // (greeting, queue, ringing); a test call, a callback call and a September call left out.
    await call({ arrivedAt: sh('2026-10-05T09:05'), outcome: 'answered', delayMs: 12_000, agent: '1001', offers: [{ agent: '1001', result: 'answered' }] });
    await call({ arrivedAt: sh('2026-10-05T09:20'), outcome: 'answered', delayMs: 25_000, agent: '1001', offers: [{ agent: '1002', result: 'no-answer', alarmed: true }, { agent: '1001', result: 'answered' }] });
    await call({ arrivedAt: sh('2026-10-05T09:40'), outcome: 'abandoned-queue' });
    await call({ arrivedAt: sh('2026-10-06T20:10'), outcome: 'abandoned-greeting' });
    await call({ arrivedAt: sh('2026-10-31T23:59'), outcome: 'abandoned-ringing', offers: [{ agent: '1001', result: 'caller-gone' }] });
    await call({ arrivedAt: sh('2026-10-05T09:30'), outcome: 'answered', delayMs: 1000, agent: '1001', test: true });
    await call({ arrivedAt: sh('2026-10-05T09:31'), outcome: 'answered', delayMs: 1000, agent: '1001', outbound: true });
    await call({ arrivedAt: sh('2026-09-30T23:59'), outcome: 'answered', delayMs: 1000, agent: '1001' });

    // Outages starting in October: planned and published 30 h ahead (in time), planned published
    // 2 h ahead (late), an unplanned one over 5000 people, a cancelled one, a draft (not counted).
    await outage({ kind: 'planned', startsAt: sh('2026-10-10T09:00'), publishedAt: sh('2026-10-09T03:00'), people: 1200, status: 'restored' });
    await outage({ kind: 'planned', startsAt: sh('2026-10-12T09:00'), publishedAt: sh('2026-10-12T07:00'), people: 800, status: 'restored' });
    await outage({ kind: 'unplanned', startsAt: sh('2026-10-15T14:00'), publishedAt: sh('2026-10-15T14:10'), people: 6000, status: 'restored' });
    await outage({ kind: 'planned', startsAt: sh('2026-10-20T09:00'), publishedAt: sh('2026-10-18T09:00'), people: 300, status: 'cancelled' });
    await outage({ kind: 'planned', startsAt: sh('2026-10-25T09:00'), people: 100, status: 'draft' });

    // Callbacks owed for October's completed work: after-sales by SMS (one sent, one not yet),
    // complaints by phone (one made, one still due), an engineering job sampled and called; one of
    // September's is not October's.
    const cb = (id: string, reason: 'after_sales' | 'complaint' | 'engineering', method: 'sms' | 'phone', status: 'pending' | 'sms_sent' | 'done', completedAt: Date, smsSent = false) =>
      models.Callback.create({
        id,
        workOrderNumber: id.split('.')[0],
        category: reason === 'complaint' ? 'complaint' : reason === 'engineering' ? 'installation' : 'leak',
        department: 'production',
        reason,
        method,
        phone: '13100000001',
        address: '建设路 1 号',
        status,
        completedAt,
        dueBy: new Date(completedAt.getTime() + 72 * HOUR),
        ...(smsSent ? { sms: { sentAt: completedAt } } : {}),
      });
    await cb('WO1.after_sales', 'after_sales', 'sms', 'sms_sent', sh('2026-10-03T12:00'), true);
    await cb('WO2.after_sales', 'after_sales', 'sms', 'pending', sh('2026-10-09T09:00'));
    await cb('WO3.complaint', 'complaint', 'phone', 'done', sh('2026-10-08T09:00'));
    await cb('WO4.complaint', 'complaint', 'phone', 'pending', sh('2026-10-30T09:00'));
    await cb('WO5.engineering', 'engineering', 'phone', 'done', sh('2026-10-12T09:00'));
    await cb('WO6.after_sales', 'after_sales', 'sms', 'sms_sent', sh('2026-09-28T09:00'), true);
    // Queue callbacks (排队回拨) of October, one worked, one open, one overdue: owed to callers, not
    // for work; no order, no department. None of the callback figures below counts them.
    for (const [n, status, overdue] of [[1, 'done', false], [2, 'pending', false], [3, 'pending', true]] as const) {
      const at = sh(`2026-10-1${n}T10:00`);
      await models.Callback.create({
        id: `queue.0000000${n}-0000-4000-8000-000000000000`,
        reason: 'queue_callback',
        method: 'phone',
        phone: '13100000009',
        callId: `0000000${n}-0000-4000-8000-000000000000`,
        status,
        overdue,
        completedAt: at,
        dueBy: new Date(at.getTime() + HOUR),
        ...(status === 'done' ? { doneAt: at, doneBy: '1001', reached: true } : {}),
      });
    }

    await alarm('answer-timeout', sh('2026-10-05T09:20'));
    await alarm('answer-timeout', sh('2026-10-21T11:00'));
    await alarm('silence', sh('2026-10-22T03:00'));
    await alarm('emergency', sh('2026-10-22T04:00'));
    await alarm('silence', sh('2026-09-22T03:00'));

    report = (await reports.build('2026-10', '2001', undefined, sh('2026-11-02T08:00').getTime())).report;
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    const r = testRedis(config);
    await deleteKeys(r, `*${config.REDIS_PREFIX}*`);
    r.disconnect();
    sink.stop();
    await mongo?.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  it('classifies the month\'s orders by category and department beside last month', () => {
    expect(report.complaints.total).to.deep.equal({ count: 7, lastMonth: 2 });
    const byCat = Object.fromEntries(report.complaints.byCategory.filter((c) => c.count || c.lastMonth).map((c) => [c.category, [c.count, c.lastMonth]]));
    expect(byCat).to.deep.equal({ leak: [3, 1], complaint: [2, 0], billing: [1, 1], inquiry: [1, 0] });
    const byDept = Object.fromEntries(report.complaints.byDepartment.map((d) => [d.department, [d.count, d.lastMonth]]));
    expect(byDept).to.deep.include({ production: [3, 1], business: [4, 1], engineering: [0, 0] });
  });

  it('ranks the hot spots (area × category), compares them with last month and names the streets that recur', () => {
    expect(report.hotSpots.map((h) => [h.rank, h.areaCode, h.category, h.count, h.lastMonth])).to.deep.equal([
      [1, 'GC-01', 'leak', 3, 1],
      [2, 'NC-02', 'complaint', 2, 0],
      // Equal counts: the sharper rise on last month first.
      [3, '', 'inquiry', 1, 0],
      [4, '', 'billing', 1, 1],
    ]);
    expect(report.hotSpots[0]!.streets).to.deep.equal([{ street: '东正路', count: 2 }]);
    expect(report.hotSpots[1]!.streets).to.deep.equal([{ street: '建设路', count: 2 }]);
    // One address on 运河东一路 is not a street that recurs.
    expect(report.hotSpots[0]!.streets.map((s) => s.street)).to.not.include('运河东一路');
  });

  it('sums each department\'s orders: notified within 5 minutes, complaints accepted in time, resolved in time, late, extended, escalated', () => {
    const row = (d: DepartmentCode) => report.workOrders.departments.find((r) => r.department === d)!;
    expect(row('production')).to.deep.include({ opened: 3, notifiedInTime: 2, complaints: 0, resolved: 2, resolvedInTime: 1, late: 2, extended: 1, escalated: 0 });
    expect(row('business')).to.deep.include({ opened: 4, notifiedInTime: 4, complaints: 2, acceptedInTime: 1, resolved: 0, late: 0, escalated: 1 });
    expect(report.workOrders.total).to.deep.include({ opened: 7, notifiedInTime: 6, complaints: 2, acceptedInTime: 1, resolved: 2, resolvedInTime: 1, late: 2, extended: 1, escalated: 1 });
    expect(report.callbacks.unsatisfiedToOrders).to.equal(1);
    expect(report.callbacks.byType).to.deep.equal([
      { reason: 'after_sales', owed: 2, made: 1, rate: 0.5 },
      { reason: 'complaint', owed: 2, made: 1, rate: 0.5 },
      { reason: 'engineering', owed: 1, made: 1, rate: 1 },
      { reason: 'sms_unsatisfied', owed: 0, made: 0, rate: null },
    ]);
    // The two leaks resolved in October are after-sales orders owed a callback (none made here).
    expect(report.callbacks.figures.total).to.deep.include({ afterSales: 2, calledBack: 0, callbackRate: 0, overdue: 0, satisfied: 0, unsatisfied: 0 });
  });

  it('counts the outages that started in the month and the planned ones noticed 24 h ahead', () => {
    expect(report.outages).to.deep.equal({ total: 3, planned: 2, unplanned: 1, large: 1, peopleAffected: 8000, cancelled: 1, plannedNoticedInTime: 1 });
  });

  it('gives the hotline figures: service level within 20 s, abandons by stage, alarms, the hour-of-day heat map, per agent', () => {
    const h = report.hotline;
    expect(h.metrics).to.deep.include({ arrived: 5, offered: 4, answered: 2, answeredWithinSl: 1, abandoned: 2, greetingAbandons: 1, serviceLevel: 0.5, abandonRate: 0.5, asaMs: 18_500, ringNoAnswer: 1, alarmedOffers: 1 });
    expect(h.abandonByStage).to.deep.equal({ greeting: 1, queue: 1, ringing: 1 });
    expect(h.alarms).to.deep.equal({ ringNoAnswer: 2, silence: 1 });
    expect(h.heat).to.have.length(31);
    expect(h.heat[4]).to.include({ day: 5 });
    expect(h.heat[4]!.hours[9]).to.equal(3);
    expect(h.heat[5]!.hours[20]).to.equal(1);
    expect(h.heat[30]!.hours[23]).to.equal(1);
    expect(h.heat.flatMap((d) => d.hours).reduce((a, b) => a + b, 0)).to.equal(5);
    expect(h.byAgent.find((a) => a.workNumber === '1001')).to.deep.include({ name: '陈嘉欣', answered: 2, answeredWithinSl: 1 });
    expect(h.byAgent.find((a) => a.workNumber === '1002')).to.deep.include({ answered: 0, ringNoAnswer: 1 });
    expect(report.inputs).to.deep.include({ calls: 5, workOrders: 7, workOrdersLastMonth: 2, callbacks: 5, outages: 4, alarms: 3 });
  });

  it('keeps each build: a rebuild is the month\'s next build, the first stays readable; a month not begun is refused in Chinese', async () => {
    const again = await reports.build('2026-10', '2002', undefined, sh('2026-11-03T08:00').getTime());
    expect(again.report.build).to.equal(report.build + 1);
    expect((await reports.get('2026-10')).build).to.equal(again.report.build);
    expect((await reports.get('2026-10', report.build)).builtBy).to.equal('2001');
    expect(await reports.list()).to.deep.include({ month: '2026-10', build: again.report.build, builtAt: again.report.builtAt, builtBy: '2002', builds: 2 });
    const refused = await reports.build('2099-01', '2001').then(() => null, (e: { status: number; zh?: string }) => e);
    expect(refused).to.include({ status: 400 });
    expect(refused!.zh).to.equal('2099年1月尚未开始，不能生成月报');
  });

  it('writes an XLSX with one sheet per section that reads back to the same numbers, and a CSV with every section', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await reportXlsx(report)) as unknown as ExcelJS.Buffer);
    expect(book.worksheets.map((w) => w.name)).to.deep.equal(['概要', '受理分类', '受理部门', '热点', '工单汇总', '回访', '回访类型', '停水', '热线', '坐席', '来电时段']);
    const rows = (name: string) => book.getWorksheet(name)!.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1));
    expect(rows('热点')[0]).to.deep.equal([1, 'GC-01', '报漏', 3, 1, 2, '东正路(2)']);
    expect(rows('受理分类').at(-1)).to.deep.equal(['合计', 7, 2, 5]);
    expect(rows('停水')).to.deep.include(['计划停水提前24小时发布', 1]);
    expect(rows('热线')).to.deep.include(['服务水平%（接通中）', 50]);
    expect(rows('热线')).to.deep.include(['排队时挂机占来电%', 20]);
    expect(rows('回访类型')[1]).to.deep.equal(['投诉（电话）', 2, 1, 50]);
    expect(rows('来电时段')[4]!.slice(0, 11)).to.deep.equal([5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
    const csv = reportCsv(report);
    expect(csv.startsWith('\uFEFF【概要】')).to.equal(true);
    expect(csv).to.include('【热点】\r\n排名,片区,类别,本月,上月,增减,集中街道\r\n1,GC-01,报漏,3,1,2,东正路(2)\r\n');
  });

  it('history for the board: a month by day, a day by hour, the same figures as the report', async () => {
    const month = await hotlineHistory(models, 'month', options, sh('2026-10-20T12:00').getTime());
    expect(month.buckets).to.have.length(31);
    expect(month.buckets[4]).to.deep.include({ label: '10/05', arrived: 3, offered: 3, answered: 2, answeredWithinSl: 1, abandoned: 1, serviceLevel: 0.5 });
    expect(month.metrics).to.deep.include({ arrived: 5, answered: 2, abandoned: 2 });
    expect(month.byHour[9]).to.equal(3);
    const day = await hotlineHistory(models, 'today', options, sh('2026-10-05T23:00').getTime());
    expect(day.buckets).to.have.length(24);
    expect(day.buckets[9]).to.deep.include({ label: '9时', arrived: 3 });
    expect(day.buckets.reduce((n, b) => n + b.arrived, 0)).to.equal(3);
    // The week of Monday 5 October holds the calls of the 5th and the 6th.
    const week = await hotlineHistory(models, 'week', options, sh('2026-10-08T12:00').getTime());
    expect(week.buckets.map((b) => b.label)).to.deep.equal(['10/05', '10/06', '10/07', '10/08', '10/09', '10/10', '10/11']);
    expect(week.metrics.arrived).to.equal(4);
  });

  it('call search: by any part of the number, agent, days, outcome and language; test and outbound calls never listed', async () => {
    const now = sh('2026-11-02T08:00').getTime();
    const october = { from: '2026-10-01', to: '2026-10-31', limit: 100 };
    const all = await searchCalls(models, october, now);
    expect(all.calls.map((c) => c.outcome)).to.deep.equal(['abandoned-ringing', 'abandoned-greeting', 'abandoned-queue', 'answered', 'answered']);
    const answered = await searchCalls(models, { ...october, outcome: 'answered', agent: '1001', number: '1234' }, now);
    expect(answered.calls).to.have.length(2);
    expect(answered.calls[0]).to.deep.include({ agentName: '陈嘉欣', answerDelayMs: 25_000, talkMs: 5 * MIN - 10_000 - 25_000 });
    expect((await searchCalls(models, { ...october, number: '5550' }, now)).calls).to.deep.equal([]);
    const two = await searchCalls(models, { ...october, limit: 2 }, now);
    expect(two).to.deep.include({ more: true });
    // With no days given: the last 7 days, 27 October to 2 November, which hold only the call of the 31st.
    expect((await searchCalls(models, { limit: 100 }, now)).calls.map((c) => c.outcome)).to.deep.equal(['abandoned-ringing']);
  });

  it('alarms per day for the admin page: silence and ring-no-answer apart', async () => {
    const h = await alarmHistory(models, 30, sh('2026-10-22T23:00').getTime());
    expect(h.days).to.have.length(30);
    expect(h.days.at(-1)).to.deep.equal({ day: '2026-10-22', silence: 1, ringNoAnswer: 0, longWait: 0, other: 1 });
    expect(h.days.find((d) => d.day === '2026-10-21')).to.deep.include({ ringNoAnswer: 1 });
    expect(h.days.find((d) => d.day === '2026-10-05')).to.deep.include({ ringNoAnswer: 1 });
    expect(h.days.reduce((n, d) => n + d.silence, 0)).to.equal(1);
  });

  /** One CTI process's share of the scheduled job: its own Redis client, bus, outbox, SMS outbox and rule. */
  async function startProcess(prefix: string, every: number, onRun: (month: string, first: boolean) => void): Promise<void> {
    const redis: RedisClient = testRedis(config);
    const bus = new RedisEventBus(redis, `${config.REDIS_PREFIX}:events`, logger);
    const outbox = new RecordOutbox(redis, `{${config.REDIS_PREFIX}}`, applyWrites(models, logger), logger, 100);
    outbox.start();
    const ruleOpts = { connection: queueConnection(config, redis), prefix, logger };
    const smsOutbox = new SmsOutbox(ruleOpts, new WebhookSmsGateway(`${sink.url}/sms`));
    smsOutbox.start();
    const rule = new MonthlyReportRule(ruleOpts);
    closers.push(async () => {
      await rule.close();
      await smsOutbox.close();
      outbox.stop();
      await bus.close();
      redis.disconnect();
    });
    await new MonthlyReportJobRunner({
      reports: new ReportService({ models, options, logger }),
      rule,
      outbox,
      bus,
      sms: smsOutbox,
      contacts: parseContacts(config.REPORT_CONTACTS),
      day: config.REPORT_DAY,
      at: config.REPORT_AT,
      logger,
      every,
      onRun,
    }).start();
  }

  it('the job: on the 27th at 08:00 Shanghai by default; two processes ticking build the month once, raise one alarm and text each supervisor once', async () => {
    expect(monthlyAt(config.REPORT_DAY, config.REPORT_AT)).to.deep.equal({ pattern: '0 8 27 * *', tz: 'Asia/Shanghai' });
    const month = monthOf(Date.now());
    const runs: Array<{ month: string; first: boolean }> = [];
    const prefix = `{${config.REDIS_PREFIX}}-bull-report`;
    await startProcess(prefix, 400, (m, first) => runs.push({ month: m, first }));
    await startProcess(prefix, 400, (m, first) => runs.push({ month: m, first }));
    await waitFor(() => runs.length >= 4, { what: 'four ticks of the report job', timeoutMs: 20_000 });
    await waitFor(() => sms.length >= 2, { what: 'the supervisors\' SMS' });
    expect(runs.filter((r) => r.first)).to.deep.equal([{ month, first: true }]);
    expect(await models.MonthlyReport.countDocuments({ month, builtBy: 'schedule' })).to.equal(1);
    expect(sms.map((m) => m.to).sort()).to.deep.equal(['13800000121', '13800000122']);
    expect(sms[0]!.text).to.include(`/report.html?month=${month}`);
    const stored = await waitFor(async () => {
      const a = await models.Alarm.find({ key: `monthly-report.${month}` }).lean();
      return a.length > 0 && a;
    }, { what: 'the stored alarm' });
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ kind: 'deadline', severity: 'info', message: sms[0]!.text });
  });
});
