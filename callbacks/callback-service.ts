import type { Job } from 'bullmq';
import { raiseAlarm } from '../alarms/raise';
import { conflict, forbidden, notFound, unavailable } from '../core/errors';
import type { Logger } from '../core/logger';
import { fmtZh } from '../core/time';
import type { CallbackCallEnd } from '../events/callback-call-end';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import type { CallbackDoc } from '../models/callback';
import {
  CATEGORY_LABEL,
  ENGINEERING_CATEGORIES,
  type CallbackMethod,
  type CallbackReason,
  type WorkOrderCategory,
} from '../models/enums';
import type { SmsOutbox } from '../notify/sms-outbox';
import type { RecordOutbox } from '../queue/record-outbox';
import type { OrderLocks } from '../work-orders/order-lock';
import type { CompletedOrders, FollowUpOrders } from '../work-orders/ports';
import type { CallbackCallView, CallbackView, ListCallbacksQuery, RecordCallbackResultBody, RecordQueueCallbackResultBody, SessionUser, SmsInbound, SmsInboundResult } from '../contracts';
import type { CallbackRules, CallbackSweepJob } from './callback-rules';
import { drawMethod } from './draw';
import { verdictOf } from './reply-text';
import { toCallbackView } from './callback-view';
import type { EngineeringSample } from './engineering-sample';

/** Who works callbacks: the call centre. */
export const CALLBACK_ROLES = ['agent', 'supervisor', 'admin'] as const;

export interface CallbackSettings {
  /** CALLBACK_PHONE_WITHIN_MS: from the order's completion. */
  phoneWithinMs: number;
  /** CALLBACK_SMS_REPLY_MS: from the SMS until the reminder. */
  smsReplyMs: number;
  /** CALLBACK_SMS_REMINDER_MS: from the reminder until "no reply". */
  smsReminderMs: number;
  smsShare: number;
  sweepMs: number;
}

export interface CallbackDeps {
  models: Models;
  bus: EventBus;
  /** Where alarms wait for MongoDB (raiseAlarm). */
  outbox: RecordOutbox;
  sms: Pick<SmsOutbox, 'send'>;
  rules: CallbackRules;
  /** One writer per callback across processes (FerretDB's conditional updates are not atomic). */
  locks: Pick<OrderLocks, 'run'>;
  orders: FollowUpOrders;
  /** Click-to-call through Asterisk (cti/callback-call); absent on a process without telephony. */
  dialer?: CallbackDialer;
  settings: CallbackSettings;
  logger: Logger;
}

/** The telephony side of 拨打 (cti/callback-call's CallbackCalls, declared here by shape). */
export interface CallbackDialer {
  /** `workOrderNumber` is null for a queue callback (排队回拨). */
  dial(req: { callbackId: string; workOrderNumber: string | null; phone: string; agentWorkNumber: string }): Promise<{ callId: string }>;
}



type Stored = CallbackDoc & { createdAt?: Date; updatedAt?: Date };

/** What an order owes when completed, or null: engineering jobs are sampled monthly after settlement. */
export function callbackPlan(category: WorkOrderCategory, number: string, smsShare: number): { reason: CallbackReason; method: CallbackMethod; draw?: ReturnType<typeof drawMethod> } | null {
  if (ENGINEERING_CATEGORIES.includes(category)) return null;
  // Art. 21 (二): complaints are called back by phone, every one.
  if (category === 'complaint') return { reason: 'complaint', method: 'phone' };
  const draw = drawMethod(number, smsShare);
  return { reason: 'after_sales', method: draw.method, draw };
}

const ASK = (category: string, number: string) =>
  `【供水服务热线952525】您好！您反映的${category}问题（工单号 ${number}）已办理完毕。请回复数字评价本次服务：1 满意，2 不满意。感谢您的支持！`;
const REMIND = (category: string, number: string) =>
  `【供水服务热线952525】温馨提醒：您反映的${category}问题（工单号 ${number}）已办理完毕，请回复 1（满意）或 2（不满意）评价本次服务。`;

/** Mainland mobile numbers arrive as 138…, 86138… or +86138…: compared on the national number. */
export function nationalNumber(phone: string): string {
  const digits = phone.replace(/^\+/, '');
  return digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
}

/**
 * Callbacks (回访, Art. 20–22). A completed after-sales order is drawn 95 % SMS / 5 % phone
 * (complaints always by phone); phone callbacks are due within 3 days (a BullMQ rule raises the
 * supervisors' alarm once); an SMS asks for 1 or 2, is reminded once, then closes as "no reply".
 * "Unsatisfied" (an SMS reply, or a phone callback's verdict) opens a new order to the department,
 * linked to the first, and after an SMS a manual phone callback too. Every step can be repeated:
 * callback ids are `<order>.<reason>`, jobs are keyed by them, and what a dead process left
 * undone (an order's `callbackPending`, a callback's `followUp.pending`) is finished by the sweep.
 */
export class CallbackService implements CompletedOrders {
  private readonly log: Logger;

  constructor(private readonly d: CallbackDeps) {
    this.log = d.logger.child({ component: 'callbacks' });
  }

  get rules(): CallbackRules {
    return this.d.rules;
  }

  /** Runs the rules on this process (every process does; BullMQ runs each job once) and arms the sweep. */
  async start(): Promise<void> {
    const { due, reply, sweep } = this.d.rules;
    due.process((job) => this.phoneDue(job.id));
    reply.process((job) => this.replyWaitOver(job.id, job.round));
    sweep.process((_job, j, token) => this.sweepAndAgain(j, token));
    await sweep.schedule(sweep.jobId(), {}, this.d.settings.sweepMs);
  }

  async close(): Promise<void> {
    await Promise.all([this.d.rules.due.close(), this.d.rules.reply.close(), this.d.rules.sweep.close()]);
  }

  // ---- making callbacks ----

  /** An order was resolved: the callback it owes, if any, then the order's `callbackPending` cleared. */
  async orderCompleted(number: string): Promise<void> {
    const { WorkOrder } = this.d.models;
    const order = await WorkOrder.findOne({ number }).lean();
    if (!order || order.callbackPending !== true) return;
    // Reopened before its callback was made (重新派单): none is owed until it is completed again.
    const completed = order.status === 'resolved' || order.status === 'archived';
    const plan = completed ? callbackPlan(order.category as WorkOrderCategory, number, this.d.settings.smsShare) : null;
    if (plan) {
      const completedAt = order.resolvedAt ?? new Date();
      const cb = await this.ensure({
        id: `${number}.${plan.reason}`,
        workOrderNumber: number,
        category: order.category,
        department: order.department,
        reason: plan.reason,
        method: plan.method,
        ...(plan.draw ? { draw: { seed: plan.draw.seed, roll: plan.draw.roll, smsShare: plan.draw.smsShare } } : {}),
        phone: order.contactPhone,
        ...(order.contactName ? { contactName: order.contactName } : {}),
        address: order.address,
        completedAt,
      });
      this.log.info({ callback: cb.id, method: cb.method, reason: cb.reason, roll: plan.draw?.roll }, 'callback made for a completed order');
    }
    await this.d.models.WorkOrder.updateOne({ number, callbackPending: true }, { $unset: { callbackPending: 1 } });
  }

  /**
   * Creates the callback once (a repeat finds it) and starts it: the SMS and its reply wait, or
   * the phone callback's 3 days. Starting again is harmless: the SMS goes out once per callback
   * (the SMS outbox's key), and each rule checks the callback before it acts.
   */
  private async ensure(
    c: Omit<CallbackDoc, 'status' | 'dueBy' | 'overdue' | 'createdAt' | 'updatedAt' | 'sms' | 'followUp' | 'draw' | 'sample' | 'calls'> & Partial<Pick<CallbackDoc, 'draw' | 'sample'>>,
    /** When a phone callback's 3 days start: the completion unless said. */
    dueFrom = c.completedAt.getTime(),
  ): Promise<Stored> {
    const { Callback } = this.d.models;
    const s = this.d.settings;
    const now = Date.now();
    const sms = c.method === 'sms';
    const dueBy = sms ? now + s.smsReplyMs + s.smsReminderMs : dueFrom + s.phoneWithinMs;
    await Callback.updateOne(
      { id: c.id },
      { $setOnInsert: { ...c, status: sms ? 'sms_sent' : 'pending', dueBy: new Date(dueBy), overdue: false, ...(sms ? { sms: { sentAt: new Date(now) } } : {}) } },
      { upsert: true },
    ).catch((err: unknown) => {
      // Two processes making it at once: the loser's upsert hits the unique id.
      if ((err as { code?: number }).code !== 11000) throw err;
    });
    const cb = (await Callback.findOne({ id: c.id }).lean()) as Stored;
    if (cb.status === 'sms_sent') {
      const label = labelOf(cb);
      await this.d.sms.send(`callback.${cb.id}`, [{ role: 'customer', phone: cb.phone }], ASK(label, orderOf(cb)), { purpose: 'callback', workOrderNumber: orderOf(cb) });
      const sentAt = cb.sms?.sentAt?.getTime() ?? now;
      await this.d.rules.reply.schedule(this.d.rules.reply.idFor(cb.id, 1), { id: cb.id, round: 1 }, sentAt + s.smsReplyMs - Date.now());
    } else if (cb.status === 'pending') {
      await this.d.rules.due.schedule(this.d.rules.due.idFor(cb.id), { id: cb.id }, cb.dueBy.getTime() - Date.now());
    }
    return cb;
  }

  /**
   * Art. 22 (二): the month's sampled engineering jobs get a phone callback (to the unit's
   * representative for a collective installation: the order's contact), due 3 days after the
   * sample. Sampling the same month again makes none twice.
   */
  async engineeringSampled(sample: EngineeringSample): Promise<number> {
    const at = Date.now();
    let made = 0;
    for (const job of sample.picked) {
      const order = await this.d.models.WorkOrder.findOne({ number: job.number }).lean();
      if (!order?.settledAt) continue;
      const id = `${job.number}.engineering`;
      const existed = await this.d.models.Callback.exists({ id });
      await this.ensure(
        {
          id,
          workOrderNumber: job.number,
          category: order.category,
          department: order.department,
          reason: 'engineering',
          method: 'phone',
          draw: { seed: job.seed, roll: job.roll },
          sample: { month: sample.month, population: sample.population.length, picked: sample.picked.length },
          phone: order.contactPhone,
          ...(order.contactName ? { contactName: order.contactName } : {}),
          address: order.address,
          completedAt: order.settledAt,
        },
        at,
      );
      if (!existed) made++;
    }
    return made;
  }

  // ---- results ----

  /** A phone callback made: the grades, the verdict and the customer's words, once. */
  async record(id: string, body: RecordCallbackResultBody, by: SessionUser): Promise<CallbackView> {
    callCentreOnly(by, 'only the call centre records callbacks', '只有话务中心可以登记回访结果');
    const { Callback } = this.d.models;
    const after = await this.d.locks.run(id, async () => {
      const cur = (await Callback.findOne({ id }).lean()) as Stored | null;
      if (!cur) throw notFound(`callback ${id}`, `回访任务 ${id} 不存在`);
      if (cur.method !== 'phone') throw conflict('an SMS callback is answered by the customer', '短信回访由客户回复短信评价，不能手工登记');
      if (cur.status !== 'pending') throw finishedAlready(cur);
      if (cur.reason === 'queue_callback') throw conflict('a queue callback has no order to grade', '排队回拨无工单可评价，请登记是否联系上客户');
      // The manual callback after an "unsatisfied" SMS already has its follow-up order: no second one.
      const unsatisfied = body.verdict === 'unsatisfied' && cur.reason !== 'sms_unsatisfied';
      return (await Callback.findOneAndUpdate(
        { id, status: 'pending' },
        {
          $set: {
            status: 'done',
            serviceQuality: body.serviceQuality,
            attitude: body.attitude,
            ...(body.engineeringQuality ? { engineeringQuality: body.engineeringQuality } : {}),
            timeliness: body.timeliness,
            verdict: body.verdict,
            ...(body.customerWords ? { customerWords: body.customerWords } : {}),
            doneAt: new Date(),
            doneBy: by.workNumber,
            ...(unsatisfied ? { followUp: { pending: true } } : {}),
          },
        },
        { returnDocument: 'after' },
      ).lean()) as Stored;
    });
    this.log.info({ callback: id, verdict: body.verdict, by: by.workNumber }, 'phone callback recorded');
    await this.d.rules.due.cancel(this.d.rules.due.idFor(id));
    const done = after.followUp?.pending ? await this.followUp(id) : after;
    return toCallbackView(done);
  }

  /** A queue callback (排队回拨) worked by a person: reached or not, and a note; once. No order, so no grades and no follow-up. */
  async recordQueue(id: string, body: RecordQueueCallbackResultBody, by: SessionUser): Promise<CallbackView> {
    callCentreOnly(by, 'only the call centre records callbacks', '只有话务中心可以登记回访结果');
    const { Callback } = this.d.models;
    const after = await this.d.locks.run(id, async () => {
      const cur = (await Callback.findOne({ id }).lean()) as Stored | null;
      if (!cur) throw notFound(`callback ${id}`, `回访任务 ${id} 不存在`);
      if (cur.reason !== 'queue_callback') throw conflict('not a queue callback', '该回访属于工单回访，请登记各项评价和满意程度');
      if (cur.status !== 'pending') throw finishedAlready(cur);
      return (await Callback.findOneAndUpdate(
        { id, status: 'pending' },
        { $set: { status: 'done', reached: body.reached, ...(body.note ? { customerWords: body.note } : {}), doneAt: new Date(), doneBy: by.workNumber } },
        { returnDocument: 'after' },
      ).lean()) as Stored;
    });
    this.log.info({ callback: id, reached: body.reached, by: by.workNumber }, 'queue callback recorded');
    return toCallbackView(after);
  }

  /**
   * 拨打: the agent's phone rings first, then the customer's through the trunk (cti/callback-call).
   * Only an agent (their phone is known), only an open phone callback.
   */
  async dial(id: string, by: SessionUser): Promise<CallbackCallView> {
    if (by.role !== 'agent') throw forbidden('only an agent places a callback call (from their own phone)', '只有坐席可以从自己的话机拨打回访电话');
    if (!this.d.dialer) throw unavailable('this process has no telephony', '本服务器未连接电话系统，无法拨打');
    const cb = (await this.d.models.Callback.findOne({ id }).lean()) as Stored | null;
    if (!cb) throw notFound(`callback ${id}`, `回访任务 ${id} 不存在`);
    if (cb.method !== 'phone') throw conflict('an SMS callback is not called', '短信回访无需拨打');
    if (cb.status !== 'pending') throw conflict('the callback is finished already', `该回访已于 ${fmt(cb.doneAt)} 登记完成，无需再拨打`);
    const { callId } = await this.d.dialer.dial({ callbackId: id, workOrderNumber: cb.workOrderNumber ?? null, phone: cb.phone, agentWorkNumber: by.workNumber });
    return { callId, callbackId: id, stage: 'agent', reason: null, at: Date.now() };
  }

  /** A call placed for a callback ended: kept on the callback, once per call. */
  async callEnded(c: CallbackCallEnd): Promise<void> {
    const { Callback } = this.d.models;
    await this.d.locks.run(c.callbackId, async () => {
      const cur = await Callback.findOne({ id: c.callbackId }).select('calls').lean();
      if (!cur || (cur.calls ?? []).some((x) => x.callId === c.callId)) return;
      const { callbackId: _, agentWorkNumber, ...rest } = c;
      await Callback.updateOne({ id: c.callbackId }, { $push: { calls: { ...rest, by: agentWorkNumber } } });
    });
  }

  /**
   * A customer's SMS: matched to the open SMS callback of that number sent before it (the latest),
   * read as 1 / 2 or words. An unknown number or an unclear text changes nothing.
   */
  async smsReply(msg: SmsInbound): Promise<SmsInboundResult> {
    const { Callback } = this.d.models;
    const at = msg.receivedAt ?? Date.now();
    const national = nationalNumber(msg.from);
    const phones = [...new Set([national, `86${national}`, `+86${national}`, msg.from])];
    const [open] = await Callback.find({ phone: { $in: phones }, method: 'sms', status: 'sms_sent', 'sms.sentAt': { $lte: new Date(at) } })
      .sort({ 'sms.sentAt': -1 })
      .limit(1)
      .lean();
    if (!open) {
      this.log.info({ from: msg.from }, 'SMS reply matches no open callback: ignored');
      return { outcome: 'unmatched', callbackId: null };
    }
    const verdict = verdictOf(msg.text);
    if (!verdict) {
      this.log.info({ from: msg.from, callback: open.id, text: msg.text }, 'SMS reply says neither 满意 nor 不满意: ignored, the callback stays open');
      return { outcome: 'ambiguous', callbackId: open.id };
    }
    const after = await this.d.locks.run(open.id, async () =>
      (await Callback.findOneAndUpdate(
        { id: open.id, status: 'sms_sent' },
        {
          $set: {
            status: 'done',
            verdict,
            'sms.repliedAt': new Date(at),
            'sms.reply': msg.text,
            customerWords: msg.text,
            doneAt: new Date(),
            doneBy: 'sms',
            ...(verdict === 'unsatisfied' ? { followUp: { pending: true } } : {}),
          },
        },
        { returnDocument: 'after' },
      ).lean()) as Stored | null,
    );
    if (!after) return { outcome: 'unmatched', callbackId: null };
    this.log.info({ callback: open.id, verdict }, 'SMS callback answered');
    for (const round of [1, 2] as const) await this.d.rules.reply.cancel(this.d.rules.reply.idFor(open.id, round));
    if (after.followUp?.pending) await this.followUp(open.id);
    return { outcome: 'recorded', callbackId: open.id };
  }

  /**
   * Art. 21 (三): "unsatisfied". After an SMS, a manual phone callback; in every case a new order
   * to the department, linked to the first, which it works until solved. Each made once (the
   * callback's id, the order's link); `followUp.pending` is cleared when both exist.
   */
  private async followUp(id: string): Promise<Stored> {
    const { Callback } = this.d.models;
    return this.d.locks.run(id, async () => {
      const cur = (await Callback.findOne({ id }).lean()) as Stored | null;
      if (!cur) throw notFound(`callback ${id}`, `回访任务 ${id} 不存在`);
      if (!cur.followUp?.pending) return cur;
      let callbackId = cur.followUp.callbackId ?? null;
      if (cur.method === 'sms' && !callbackId) {
        const manual = await this.ensure({
          id: `${cur.workOrderNumber}.sms_unsatisfied`,
          workOrderNumber: cur.workOrderNumber,
          category: cur.category,
          department: cur.department,
          reason: 'sms_unsatisfied',
          method: 'phone',
          phone: cur.phone,
          ...(cur.contactName ? { contactName: cur.contactName } : {}),
          address: cur.address,
          // The customer's answer starts the 3 days of the call back to them.
          completedAt: cur.doneAt ?? new Date(),
          fromCallback: cur.id,
        });
        callbackId = manual.id;
        await Callback.updateOne({ id }, { $set: { 'followUp.callbackId': callbackId } });
      }
      const orderNumber =
        cur.followUp.workOrderNumber ??
        (await this.d.orders.openFollowUp({ workOrderNumber: orderOf(cur), callbackId: cur.id, customerWords: cur.customerWords ?? null }));
      const done = (await Callback.findOneAndUpdate(
        { id },
        { $set: { 'followUp.pending': false, 'followUp.workOrderNumber': orderNumber, ...(callbackId ? { 'followUp.callbackId': callbackId } : {}) } },
        { returnDocument: 'after' },
      ).lean()) as Stored;
      this.log.warn({ callback: id, manualCallback: callbackId, workOrder: orderNumber }, 'customer unsatisfied: follow-up order opened');
      return done;
    });
  }

  // ---- the rules ----

  /** Art. 22 (一): the phone callback was not made within 3 days: flagged overdue, one supervisor alarm. */
  async phoneDue(id: string): Promise<void> {
    const { Callback } = this.d.models;
    const flagged = await this.d.locks.run(id, async () =>
      (await Callback.findOneAndUpdate({ id, status: 'pending', overdue: false }, { $set: { overdue: true } }, { returnDocument: 'after' }).lean()) as Stored | null,
    );
    const cb = flagged ?? ((await Callback.findOne({ id, status: 'pending', overdue: true }).lean()) as Stored | null);
    if (!cb) {
      this.log.info({ callback: id }, 'phone callback made in time (or gone): nothing to do');
      return;
    }
    const label = labelOf(cb);
    await raiseAlarm(this.d, {
      key: `callback-overdue.${id}`,
      kind: 'deadline',
      severity: 'warning',
      message: `回访超时：工单 ${cb.workOrderNumber}（${label}）的电话回访应于 ${fmt(cb.dueBy)} 前完成，客户 ${cb.contactName ?? ''}${cb.phone}`,
    });
  }

  /** The SMS went unanswered: round 1 sends the one reminder, round 2 closes it as "no reply". */
  async replyWaitOver(id: string, round: 1 | 2): Promise<void> {
    const { Callback } = this.d.models;
    const cb = (await Callback.findOne({ id }).lean()) as Stored | null;
    if (!cb || cb.status !== 'sms_sent') return;
    if (round === 1) {
      const label = labelOf(cb);
      const remindedAt = cb.sms?.remindedAt ?? new Date();
      if (!cb.sms?.remindedAt) await this.d.locks.run(id, () => Callback.updateOne({ id, status: 'sms_sent', 'sms.remindedAt': { $exists: false } }, { $set: { 'sms.remindedAt': remindedAt } }));
      await this.d.sms.send(`callback.${id}.reminder`, [{ role: 'customer', phone: cb.phone }], REMIND(label, orderOf(cb)), { purpose: 'callback', workOrderNumber: orderOf(cb) });
      await this.d.rules.reply.schedule(this.d.rules.reply.idFor(id, 2), { id, round: 2 }, remindedAt.getTime() + this.d.settings.smsReminderMs - Date.now());
      return;
    }
    await this.d.locks.run(id, () => Callback.updateOne({ id, status: 'sms_sent' }, { $set: { status: 'no_reply', doneAt: new Date(), doneBy: 'system' } }));
    this.log.info({ callback: id }, 'SMS callback closed: no reply after the reminder');
  }

  /** Finishes what a process that died left half done; then due again. */
  private async sweepAndAgain(job: Job<CallbackSweepJob, void, string>, token: string | undefined): Promise<never> {
    try {
      await this.sweep();
    } catch (err) {
      this.log.error({ err }, 'callback sweep failed; trying again next round');
    }
    return this.d.rules.sweep.again(job, token, this.d.settings.sweepMs);
  }

  /**
   * Orders completed without their callback, and "unsatisfied" callbacks without their follow-ups,
   * left for longer than a step takes (a live process may be making them right now).
   */
  async sweep(olderThanMs = 30_000): Promise<{ orders: number; followUps: number }> {
    const before = new Date(Date.now() - olderThanMs);
    const orders = await this.d.models.WorkOrder.find({ callbackPending: true, updatedAt: { $lt: before } }).select('number').limit(500).lean();
    for (const o of orders) await this.orderCompleted(o.number);
    const pending = await this.d.models.Callback.find({ 'followUp.pending': true, updatedAt: { $lt: before } }).select('id').limit(500).lean();
    for (const c of pending) await this.followUp(c.id);
    if (orders.length || pending.length) this.log.warn({ orders: orders.length, followUps: pending.length }, 'callback sweep finished steps a process left undone');
    return { orders: orders.length, followUps: pending.length };
  }

  // ---- reading ----

  async list(q: ListCallbacksQuery, by: SessionUser): Promise<CallbackView[]> {
    callCentreOnly(by, 'only the call centre sees callbacks', '只有话务中心可以查看回访任务');
    const filter: Record<string, unknown> = {};
    if (q.status) filter.status = q.status;
    if (q.method) filter.method = q.method;
    const docs = (await this.d.models.Callback.find(filter).sort({ dueBy: 1 }).limit(q.limit).lean()) as Stored[];
    return docs.map(toCallbackView);
  }

  async get(id: string, by: SessionUser): Promise<CallbackView> {
    callCentreOnly(by, 'only the call centre sees callbacks', '只有话务中心可以查看回访任务');
    const doc = (await this.d.models.Callback.findOne({ id }).lean()) as Stored | null;
    if (!doc) throw notFound(`callback ${id}`, `回访任务 ${id} 不存在`);
    return toCallbackView(doc);
  }
}

function fmt(d: Date | null | undefined): string {
  return d ? fmtZh(d.getTime()) : '—';
}

/** The order an SMS or a follow-up is about: every callback but a queue callback (which never gets either) has one. */
function orderOf(cb: Pick<CallbackDoc, 'id' | 'workOrderNumber'>): string {
  if (!cb.workOrderNumber) throw new Error(`callback ${cb.id} has no work order`);
  return cb.workOrderNumber;
}

const labelOf = (cb: Pick<CallbackDoc, 'category'>): string => CATEGORY_LABEL[cb.category as WorkOrderCategory] ?? cb.category;

function callCentreOnly(by: SessionUser, message: string, zh: string): void {
  if (!(CALLBACK_ROLES as readonly string[]).includes(by.role)) throw forbidden(message, zh);
}

/** A result recorded twice (two consoles, a double click): who finished it, and when. */
function finishedAlready(cur: Pick<Stored, 'doneAt' | 'doneBy'>): Error {
  return conflict('the callback is finished already', `该回访已于 ${fmt(cur.doneAt)} 由 ${cur.doneBy ?? '系统'} 登记完成，不能重复登记`);
}
