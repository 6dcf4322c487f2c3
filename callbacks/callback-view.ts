import type { CallbackView } from '../contracts';
import type { CallbackDoc } from '../models/callback';
import type {
  CallbackGrade,
  CallbackMethod,
  CallbackReason,
  CallbackStatus,
  CallbackVerdict,
  DepartmentCode,
  WorkOrderCategory,
} from '../models/enums';

const epoch = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

/** A stored callback as the API and the consoles show it. */
export function toCallbackView(d: CallbackDoc): CallbackView {
  const draw = d.draw?.seed && typeof d.draw.roll === 'number' ? { seed: d.draw.seed, roll: d.draw.roll, smsShare: d.draw.smsShare ?? null } : null;
  const sample = d.sample?.month ? { month: d.sample.month, population: d.sample.population ?? 0, picked: d.sample.picked ?? 0 } : null;
  const sms = d.method === 'sms' ? { sentAt: epoch(d.sms?.sentAt), remindedAt: epoch(d.sms?.remindedAt), repliedAt: epoch(d.sms?.repliedAt), reply: d.sms?.reply ?? null } : null;
  const followUp = d.followUp && (d.followUp.callbackId || d.followUp.workOrderNumber) ? { callbackId: d.followUp.callbackId ?? null, workOrderNumber: d.followUp.workOrderNumber ?? null } : null;
  return {
    id: d.id,
    workOrderNumber: d.workOrderNumber ?? null,
    category: (d.category as WorkOrderCategory | null | undefined) ?? null,
    department: (d.department as DepartmentCode | null | undefined) ?? null,
    reason: d.reason as CallbackReason,
    method: d.method as CallbackMethod,
    status: d.status as CallbackStatus,
    phone: d.phone,
    contactName: d.contactName ?? null,
    address: d.address ?? null,
    callId: d.callId ?? null,
    lastAgent: d.lastAgent ?? null,
    reached: typeof d.reached === 'boolean' ? d.reached : null,
    completedAt: d.completedAt.getTime(),
    dueBy: d.dueBy.getTime(),
    overdue: !!d.overdue,
    draw,
    sample,
    sms,
    serviceQuality: (d.serviceQuality as CallbackGrade | null | undefined) ?? null,
    attitude: (d.attitude as CallbackGrade | null | undefined) ?? null,
    engineeringQuality: (d.engineeringQuality as CallbackGrade | null | undefined) ?? null,
    timeliness: (d.timeliness as CallbackGrade | null | undefined) ?? null,
    verdict: (d.verdict as CallbackVerdict | null | undefined) ?? null,
    customerWords: d.customerWords ?? null,
    doneAt: epoch(d.doneAt),
    doneBy: d.doneBy ?? null,
    fromCallback: d.fromCallback ?? null,
    followUp,
    calls: (d.calls ?? []).map((c) => ({
      callId: c.callId,
      by: c.by,
      startedAt: c.startedAt.getTime(),
      endedAt: c.endedAt.getTime(),
      outcome: c.outcome as 'answered' | 'failed',
      failureReason: c.failureReason ?? null,
      talkMs: c.talkMs ?? null,
      recordingName: c.recordingName ?? null,
    })),
  };
}
