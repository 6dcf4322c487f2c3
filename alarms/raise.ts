import { isDuplicateKey } from '../core/errors';
import type { Models } from '../models';
import type { AlarmKind } from '../models/enums';
import type { EventBus } from '../events/event-bus';

export interface NewAlarm {
  /** The rule instance's deterministic key: a retried job or a racing process stores it once. */
  key: string;
  kind: AlarmKind;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  callId?: string;
  agentWorkNumber?: string;
  ringMs?: number;
  checks?: Array<{ item: string; ok: boolean; durationMs: number; detail: string }>;
  at?: number;
}

/**
 * Stores an alarm and tells every supervisor and admin console (`alarm.raised`). Returns false,
 * and tells nobody, when an alarm with this key exists already.
 */
export async function raiseAlarm(d: { models: Models; bus: EventBus }, a: NewAlarm): Promise<boolean> {
  const at = a.at ?? Date.now();
  let doc;
  try {
    doc = await d.models.Alarm.create({ ...a, raisedAt: new Date(at) });
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  await d.bus.publish({
    type: 'alarm.raised',
    alarmId: String(doc._id),
    key: a.key,
    kind: a.kind,
    severity: a.severity,
    message: a.message,
    ...(a.callId ? { callId: a.callId } : {}),
    ...(a.agentWorkNumber ? { agentWorkNumber: a.agentWorkNumber } : {}),
    ...(a.ringMs !== undefined ? { ringMs: a.ringMs } : {}),
    at,
  });
  return true;
}
