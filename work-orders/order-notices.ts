import { forbidden, notFound } from '../core/errors';
import type { Models } from '../models';
import type { NoticeCallResult } from '../models/call';
import { DEPARTMENT_LABEL, type DepartmentCode, type NoticeChannel } from '../models/enums';
import type { NoticeCallStatus } from '../models/notice';
import type { SmsStatus } from '../models/sms-message';
import type { CallState, NoticeCallAttemptView, NoticeRecordView, OrderNoticesView, Role, SessionUser } from '../contracts';
import { isOrderDepartment } from './lifecycle';

/** Every signed-in role may ask; which orders each sees is decided per order (see `mayRead`). */
export const NOTICE_READERS: readonly Role[] = ['agent', 'supervisor', 'admin', 'department'];

const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

type OrderFacts = { department: string; participants?: string[] | null; owner?: string | null; createdBy: string };

/**
 * Supervisors and admins read any order's notices; a department user those of its orders (lead or
 * participant); an agent those of the orders they own (首问负责制: the creator until handed over).
 */
function refusal(o: OrderFacts, by: SessionUser): Error | null {
  if (by.role === 'supervisor' || by.role === 'admin') return null;
  if (by.role === 'department') {
    if (isOrderDepartment({ department: o.department as DepartmentCode, participants: (o.participants ?? []) as DepartmentCode[] }, by)) return null;
    return forbidden('the order belongs to another department', `该工单属于${DEPARTMENT_LABEL[o.department as DepartmentCode]}，本部门无权查看其通知记录`);
  }
  if (by.role === 'agent') {
    if ((o.owner || o.createdBy) === by.workNumber) return null;
    return forbidden('the order is owned by another agent', '该工单由其他坐席负责，无权查看其通知记录');
  }
  return forbidden('not allowed for this role', '当前身份无权查看工单通知记录');
}

/**
 * 通知记录 (issue 12): every notice of one order to one receiver — why (派单, 催办, 紧急), to whom,
 * its SMS with delivery status and attempts, its recorded call with each attempt (the outbound
 * Call documents) and each attempt's recording — read from what the notifier, the SMS outbox and
 * the notice calls stored. Nothing here writes.
 */
export class OrderNotices {
  constructor(private readonly deps: { models: Models }) {}

  async list(number: string, by: SessionUser): Promise<OrderNoticesView> {
    const { models } = this.deps;
    const order = await models.WorkOrder.findOne({ number }).select('number department participants owner createdBy notice').lean();
    if (!order) throw notFound(`work order ${number}`, `工单 ${number} 不存在`);
    const refused = refusal(order, by);
    if (refused) throw refused;

    const notices = await models.Notice.find({ workOrderNumber: number }).sort({ createdAt: 1, key: 1 }).lean();
    const smsKeys = notices.map((n) => n.smsKey).filter((k): k is string => !!k);
    const [sms, calls] = await Promise.all([
      smsKeys.length ? models.SmsMessage.find({ key: { $in: smsKeys } }).lean() : Promise.resolve([]),
      models.Call.find({ workOrderNumber: number, direction: 'outbound' }).lean(),
    ]);
    const names = calls.map((c) => c.recordingName).filter((n): n is string => !!n);
    const recordings = names.length ? await models.Recording.find({ name: { $in: names } }).lean() : [];
    const smsBy = new Map(sms.map((m) => [m.key, m]));
    const recBy = new Map(recordings.map((r) => [r.name, r]));
    const callsBy = new Map<string, NoticeCallAttemptView[]>();
    for (const c of calls) {
      if (!c.noticeKey) continue;
      const rec = c.recordingName ? recBy.get(c.recordingName) : undefined;
      const list = callsBy.get(c.noticeKey) ?? [];
      list.push({
        attempt: c.noticeAttempt ?? 1,
        callId: c.callId,
        dialled: c.dialledNumber,
        state: c.state as CallState,
        placedAt: c.arrivedAt.getTime(),
        answeredAt: ms(c.answeredAt),
        endedAt: ms(c.endedAt),
        result: (c.noticeResult as NoticeCallResult | undefined) ?? null,
        recordingName: c.recordingName ?? null,
        recordingState: (rec?.state as 'recording' | 'done' | 'failed' | undefined) ?? null,
        durationSec: rec?.durationSec ?? null,
      });
      callsBy.set(c.noticeKey, list);
    }

    const records: NoticeRecordView[] = notices.map((n) => {
      const channels = (n.channels ?? []) as NoticeChannel[];
      const m = n.smsKey ? smsBy.get(n.smsKey) : undefined;
      const receiver = { name: n.receiver?.name ?? '', phone: n.receiver?.phone ?? '', role: n.receiver?.role ?? 'on_duty' };
      return {
        key: n.key,
        reason: n.reason,
        seq: n.seq,
        emergency: !!n.emergency,
        by: n.by,
        createdAt: n.createdAt.getTime(),
        channels,
        receiver,
        // Queued until the outbox has written its SmsMessage (a moment after the notice).
        sms: channels.includes('sms')
          ? m
            ? { status: m.status as SmsStatus, attempts: m.attempts, sentAt: ms(m.sentAt), failedAt: ms(m.failedAt), error: m.error ?? null }
            : { status: 'queued', attempts: 0, sentAt: null, failedAt: null, error: null }
          : null,
        call:
          channels.includes('call') && n.call?.status
            ? {
                status: n.call.status as NoticeCallStatus,
                attempts: n.call.attempts ?? 0,
                result: (n.call.lastResult as NoticeCallResult | undefined) ?? null,
                calls: (callsBy.get(n.key) ?? []).sort((a, b) => a.attempt - b.attempt),
              }
            : null,
        // Only a key press sets a Notice's acknowledgement: the receiver it went to pressed 1.
        acknowledgedAt: ms(n.acknowledgedAt),
        acknowledgedBy: n.acknowledgedAt ? receiver.phone : null,
      };
    });
    return {
      number,
      acknowledgedAt: ms(order.notice?.acknowledgedAt),
      acknowledgedBy: order.notice?.acknowledgedBy ?? null,
      notices: records,
    };
  }
}
